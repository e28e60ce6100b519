# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class BigCommerceBinding(models.AbstractModel):
    """What every kind of BigCommerce record holds in Odoo.

    A kind's binding model (``bigcommerce.order``, ``bigcommerce.refund``,
    ``bigcommerce.customer``) inherits it and names the field of the Odoo
    record the BigCommerce record became in ``_bigcommerce_record_field``.
    The kind is declared in the registry of record kinds
    (``components/kinds.py``), with its importer (``components/``); its
    mapping is in ``bigcommerce/``. The binder (``components/binder.py``)
    writes bindings, and finds records through them.
    """

    _name = "bigcommerce.binding"
    _description = "BigCommerce Binding"
    _check_company_auto = True
    # The field (a Many2one) of the Odoo record this binding stands for.
    _bigcommerce_record_field = None

    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        readonly=True,
        ondelete="restrict",
        index=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    bigcommerce_id = fields.Integer(
        string="BigCommerce ID", required=True, readonly=True, index=True
    )
    sync_date = fields.Datetime(
        string="Last Sync",
        readonly=True,
        help="When the connector last read this record from BigCommerce and "
        "brought Odoo up to date.",
    )
    sync_state = fields.Selection(
        [
            ("done", "Up to Date"),
            ("failed", "Failed"),
            ("skipped", "Skipped"),
        ],
        readonly=True,
        help="Failed: the last import of this record did not go through; its "
        "failure says why and can be reprocessed. Odoo still shows the outcome "
        "of the import before. Skipped: the connector chose not to import it "
        "(the reason says why).",
    )
    skip_reason = fields.Char(
        readonly=True,
        help="Why the connector did not import this record, e.g. an order "
        "cancelled before anything was sold.",
    )

    _bigcommerce_uniq = models.Constraint(
        "unique(backend_id, bigcommerce_id)",
        "This BigCommerce record is already linked.",
    )

    def _bound_record(self):
        """The Odoo record this binding stands for."""
        self.ensure_one()
        return self[self._bigcommerce_record_field]
