# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from ..components import kinds

XMLID_MODULE = "__bigcommerce__"  # as components/binder.py


class BigCommerceCustomer(models.Model):
    """A registered BigCommerce customer and the partner it became.

    Written by the customer importer (``components/customer_importer.py``)
    and, for a customer whose order arrives first, by the order importer,
    through the binder, never by hand.
    """

    _name = "bigcommerce.customer"
    _inherit = ["bigcommerce.binding"]
    _description = "BigCommerce Customer"
    _order = "bigcommerce_id desc, id desc"
    _rec_name = "name"
    _bigcommerce_record_field = "partner_id"

    bigcommerce_id = fields.Integer(string="Customer ID")
    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        readonly=True,
        index=True,
        ondelete="set null",
        help="The partner the customer became; its addresses are its "
        "invoice and delivery contacts.",
    )
    partner_linked = fields.Boolean(
        string="Linked Partner",
        readonly=True,
        help="The partner was in Odoo before: the store's setting linked the "
        "customer to it by e-mail. The store never changes it; the customer's "
        "data from the store is on its invoice contact, and its deletion "
        "archives only the contacts the store added.",
    )
    email = fields.Char(string="E-mail", readonly=True)
    date_modified = fields.Datetime(string="Modified on BigCommerce", readonly=True)
    deleted_on_store = fields.Boolean(
        readonly=True,
        help="The customer was deleted on BigCommerce; its partner is archived "
        "(a linked partner stays active, its contacts from the store are "
        "archived).",
    )
    existence_checked_at = fields.Datetime(
        string="Checked on the Store",
        readonly=True,
        help="When the customer catch-up last asked the store whether this "
        "customer still exists (each customer about once a week), so that one "
        "deleted while its webhook was lost is archived all the same.",
    )
    data_digest = fields.Char(
        readonly=True,
        help="Digest of the customer's data at its last import: the catch-up "
        "queues only the customers whose data changed since.",
    )

    # === COMPUTE METHODS === #
    @api.depends("bigcommerce_id", "partner_id.name")
    def _compute_name(self):
        """The customer's name: ``#<BigCommerce id>`` and its partner's name."""
        for customer in self:
            customer.name = (
                f"#{customer.bigcommerce_id} {customer.partner_id.name or ''}".strip()
            )

    # === ACTION METHODS === #
    def action_reimport(self):
        # Before anything is queued: only who may change the store may spend
        # its request quota.
        """Queue the import of the customers again (who may change their store
        only)."""
        self.check_access("read")
        self.mapped("backend_id").check_access("write")
        for customer in self:
            kinds.delay_import(customer.backend_id, "customer", customer.bigcommerce_id)
        return True

    # === BUSINESS METHODS === #
    def _adopt_linked_partners(self):
        """Upgrade to 19.0.2.2.0: mark as *linked* the customers an earlier
        version linked by e-mail to a partner Odoo had, which it did not
        record. Such a partner is older than the external ID that bound it;
        a partner the connector made was created with it, in one
        transaction. A guest's partner, which the connector made, is not
        linked. Each partner marked is told so on its chatter.

        :return: the customers marked.
        """
        self.env.flush_all()
        self.env.cr.execute(
            r"""
            UPDATE bigcommerce_customer c
               SET partner_linked = TRUE
              FROM res_partner p, ir_model_data d
             WHERE p.id = c.partner_id
               AND c.id = ANY(%(ids)s)
               AND c.partner_linked IS NOT TRUE
               AND d.module = %(module)s
               AND d.model = 'res.partner'
               AND d.res_id = p.id
               AND d.name = 'backend' || c.backend_id
                            || '_customer_' || c.bigcommerce_id
               AND p.create_date < d.create_date
               AND NOT EXISTS (
                   SELECT 1 FROM ir_model_data g
                    WHERE g.module = %(module)s
                      AND g.model = 'res.partner'
                      AND g.res_id = p.id
                      AND g.name LIKE 'backend' || c.backend_id || '\_guest\_%%'
               )
         RETURNING c.id
            """,
            {"module": XMLID_MODULE, "ids": self.ids},
        )
        customers = self.browse([row[0] for row in self.env.cr.fetchall()])
        customers.invalidate_recordset(["partner_linked"])
        for customer in customers:
            customer.partner_id.message_post(
                body=self.env._(
                    "This contact was in Odoo before it was linked to BigCommerce "
                    "customer #%(customer)s of store %(store)s. From now on the "
                    "store never changes it: the customer's data from the store "
                    "goes to a contact of its own under it, and a deletion on the "
                    "store archives only the contacts the store added.",
                    customer=customer.bigcommerce_id,
                    store=customer.backend_id.name,
                )
            )
        return customers
