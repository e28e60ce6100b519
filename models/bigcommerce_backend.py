# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A BigCommerce store: its configuration and its buttons.

Three more files hold the store's model, one concern each: its health
(``bigcommerce_backend_health.py``: connection, webhooks, what came of them),
its jobs (``bigcommerce_backend_jobs.py``) and its secrets
(``bigcommerce_backend_secrets.py``). The work is elsewhere: one
importer per record kind (``components/``, declared in ``kinds.py``), and
the pure BigCommerce side (``bigcommerce/``).
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..bigcommerce import BigCommerceClient
from ..bigcommerce.client import check_api_base_url, check_store_hash
from ..bigcommerce.const import DEFAULT_API_BASE_URL
from ..bigcommerce.exceptions import BigCommerceConfigError
from ..bigcommerce.payments import status_action
from ..components import kinds
from ..components.rate_limit import SharedRateLimit
from ..components.server_options import LEGACY_NAMES, server_option

# Server option (``api_hosts``, as above) naming the API hosts, besides
# BigCommerce's own, that stores may use: comma-separated origins such as
# "http://127.0.0.1:8765, https://bc-proxy.example.com". Only whoever runs
# the server can send the access token elsewhere. Its earlier name in
# [options], which tests patch:
API_HOSTS_OPTION = LEGACY_NAMES["api_hosts"]
# They decide where the access token is sent: administrators only.
CONNECTION_FIELDS = ("store_hash", "api_base_url")
WEBHOOK_ROUTE = "/bigcommerce/webhook"


class BigCommerceBackend(models.Model):
    _name = "bigcommerce.backend"
    _description = "BigCommerce Store"
    # The chatter tells what was done to the store itself (a new webhook
    # address); what was done to its orders is on theirs.
    _inherit = ["analytic.mixin", "mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    # === FIELDS === #
    name = fields.Char(required=True, help="A name for this store in Odoo.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        help="Invoices and partners from this store belong to this company.",
    )

    # ---- API account -------------------------------------------------------
    store_hash = fields.Char(
        required=True,
        help="The code after /stores/ in the API path of the store-level API "
        "account (Settings > Store-level API accounts), e.g. 'abc123xyz'.",
    )
    api_base_url = fields.Char(
        string="API Base URL",
        required=True,
        default=DEFAULT_API_BASE_URL,
        help="BigCommerce's API host. Another host (a test or demo server) "
        "must be allowed in the server's configuration file (option "
        "api_hosts of its [bigcommerce_connector] section).",
    )

    # ---- Accounting --------------------------------------------------------
    journal_id = fields.Many2one(
        "account.journal",
        string="Sales Journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Journal of the customer invoices created from this store.",
    )
    revenue_account_id = fields.Many2one(
        "account.account",
        string="Fallback Revenue Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Used for order lines whose product (and product category) has "
        "no income account.",
    )
    shipping_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Income account of the shipping charged to customers.",
    )
    handling_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Income account of handling fees.",
    )
    wrapping_account_id = fields.Many2one(
        "account.account",
        string="Gift Wrapping Account",
        check_company=True,
        help="Income account of gift wrapping.",
    )
    fee_account_id = fields.Many2one(
        "account.account",
        string="Fees Account",
        check_company=True,
        help="Income account of the fees an order carries (a package protection, "
        "a service charge): each fee is a line of its own, named as on the "
        "store, with its tax. Required for orders with fees.",
    )
    discount_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Account of coupons and discounts granted on orders.",
    )
    gift_certificate_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('account_type', 'in', "
        "('liability_current', 'liability_non_current'))]",
        help="Liability account of gift certificates sold: they are money owed "
        "to the holder, not revenue.",
    )
    tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale'), ('amount_type', '=', 'percent')]",
        help="Odoo taxes for the rates BigCommerce charges: each order line gets "
        "the tax of this list with the rate BigCommerce applied. A rate not in "
        "the list is looked up among all sales taxes (tax excluded) of the "
        "company.",
    )
    posting_policy = fields.Selection(
        [("post", "Post invoices"), ("draft", "Leave invoices in draft")],
        required=True,
        default="post",
        help="Post the invoices created from this store, or leave them in "
        "draft for review.",
    )
    refund_account_id = fields.Many2one(
        "account.account",
        string="Order-level Refunds Account",
        check_company=True,
        help="Account of refunds of an amount on the whole order (not of "
        "products, shipping, handling or wrapping), such as a goodwill "
        "gesture. Empty: the discount account.",
    )
    cancelled_invoice_policy = fields.Selection(
        [
            ("reverse", "Reverse the invoice with a credit note"),
            ("failure", "Raise a failure for an accountant"),
        ],
        string="Order Cancelled after Invoicing",
        required=True,
        default="reverse",
        help="When an order is cancelled (or declined) on BigCommerce after its "
        "invoice was posted: reverse the invoice in full with a credit note, or "
        "raise a failure record for an accountant to decide.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        check_company=True,
        help="Due date of the store's invoices when the customer has no payment "
        "terms of their own. Without either, an invoice is due on the order "
        "date: store orders are paid at checkout.",
    )
    status_rule_ids = fields.One2many(
        "bigcommerce.status.rule",
        "backend_id",
        string="Status Rules",
        help="How the orders of a status are invoiced, where this store differs "
        "from the default: Pending and Awaiting Payment in draft until paid; "
        "Manual Verification Required and Disputed held; Incomplete, Cancelled "
        "and Declined not invoiced; every other status invoiced and posted.",
    )

    # ---- Payments --------------------------------------------------------
    register_payments = fields.Boolean(
        default=True,
        help="Register the payment of every order BigCommerce reports paid on "
        "its invoice, so that the invoice shows Paid. Turn it off when the "
        "invoices are reconciled from bank statements instead.",
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Default Payment Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash', 'credit'))]",
        help="Journal of the payments whose method has no journal in the list "
        "below. Empty: the company's first bank journal.",
    )
    payment_journal_map_ids = fields.One2many(
        "bigcommerce.payment.journal",
        "backend_id",
        string="Journals by Payment Method",
        help="The clearing journal of each payment method or gateway, "
        "reconciled against its payouts.",
    )
    store_credit_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('account_type', 'in', "
        "('liability_current', 'liability_non_current'))]",
        help="Liability account of the store credit customers hold: the part "
        "of an order paid with store credit settles the invoice against it.",
    )

    # ---- Catch-up --------------------------------------------------------
    catch_up_orders = fields.Boolean(
        string="Catch Up on Orders",
        default=True,
        help="Every run of the scheduled action 'BigCommerce: catch up on "
        "orders', ask the store for the orders modified since the last run and "
        "import those that changed. Webhooks stay the fast path; this one "
        "repairs what an outage or a lost webhook missed.",
    )
    orders_modified_since = fields.Datetime(
        compute="_compute_catch_up_states",
        inverse="_inverse_watermarks",
        help="The next catch-up asks for the orders modified after this moment "
        "(minus the overlap). It moves forward after each catch-up; set it back "
        "to import older orders.",
    )
    catch_up_overlap_minutes = fields.Integer(
        string="Overlap (minutes)",
        default=10,
        help="How far before the last catch-up the next one starts looking, "
        "for orders whose changes reached BigCommerce's index late.",
    )
    refunds_created_since = fields.Datetime(
        compute="_compute_catch_up_states",
        inverse="_inverse_watermarks",
        help="The next catch-up asks for the refunds created after this moment "
        "(minus the overlap): the catch-up on modified orders does not see "
        "refunds. It moves forward after each catch-up.",
    )
    catch_up_customers = fields.Boolean(
        string="Catch Up on Customers",
        default=True,
        help="Every run of the same scheduled action, ask the store for the "
        "customers modified since the last run and import those whose data "
        "changed. Customers deleted on the store are archived by their webhook "
        "only.",
    )
    customers_modified_since = fields.Datetime(
        compute="_compute_catch_up_states",
        inverse="_inverse_watermarks",
        help="The next catch-up asks for the customers modified after this "
        "moment (minus the overlap). It moves forward after each catch-up; set "
        "it back to import older customers.",
    )

    # ---- First sync (the import wizard's period) --------------------------
    shipments_read_days = fields.Integer(
        string="Read Shipments of Orders Completed Within (days)",
        default=30,
        help="An import of a period (the first sync of the store's history) "
        "reads the shipments of a shipped or completed order only when it "
        "changed within this many days; an older one keeps its status, and "
        "its order offers to read them. Webhooks and catch-ups always read "
        "them. To read them all, enter more days than the store's history.",
    )

    # ---- Customers -------------------------------------------------------
    customer_email_match = fields.Selection(
        [
            ("separate", "Keep apart"),
            ("link", "Link to the existing partner"),
        ],
        string="Existing Partner with the Same E-mail",
        required=True,
        default="separate",
        help="When a BigCommerce customer arrives whose e-mail an Odoo partner "
        "already has. Keep apart: a new partner is created, and its chatter "
        "names the other one. Link: the existing partner becomes the "
        "customer's; the store never changes it, and the customer's data goes "
        "to its invoice contact. Partners of Odoo users, of companies and of "
        "other companies are never linked. When several partners have the "
        "e-mail, none is chosen and a new one is created. Either way "
        "the chatter says what was done; nothing is merged. A guest who "
        "registers always keeps the partner of their guest orders.",
    )

    # ---- What Odoo holds of the store ----------------------------------------
    order_ids = fields.One2many("bigcommerce.order", "backend_id", string="Orders")
    customer_ids = fields.One2many(
        "bigcommerce.customer", "backend_id", string="Customers"
    )
    failure_ids = fields.One2many(
        "bigcommerce.failure", "backend_id", string="Failures"
    )
    order_count = fields.Integer(compute="_compute_counts")
    failure_count = fields.Integer(
        compute="_compute_counts", help="Imports waiting for a fix or a reprocess."
    )
    customer_count = fields.Integer(compute="_compute_counts")

    _store_hash_company_uniq = models.Constraint(
        "unique(store_hash, company_id)",
        "This BigCommerce store is already connected in this company.",
    )

    # === COMPUTE METHODS === #
    def _compute_counts(self):
        """The store's orders, customers and open failures, for its buttons."""
        orders = dict(
            self.env["bigcommerce.order"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        failures = dict(
            self.env["bigcommerce.failure"]._read_group(
                [("backend_id", "in", self.ids), ("state", "!=", "resolved")],
                ["backend_id"],
                ["__count"],
            )
        )
        customers = dict(
            self.env["bigcommerce.customer"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.order_count = orders.get(backend, 0)
            backend.failure_count = failures.get(backend, 0)
            backend.customer_count = customers.get(backend, 0)

    # === CONSTRAINT METHODS === #
    @api.constrains(*CONNECTION_FIELDS)
    def _check_connection_fields(self):
        """A well-formed store hash, and an API host the server allows."""
        for backend in self:
            try:
                check_store_hash(backend.store_hash)
                check_api_base_url(backend.api_base_url, self._allowed_api_origins())
            except BigCommerceConfigError as exc:
                raise ValidationError(exc.message) from exc

    # === CRUD METHODS === #
    @api.model_create_multi
    def create(self, vals_list):
        """Create stores, and read at once those given an access token."""
        for vals in vals_list:
            self._check_connection_fields_access(vals, creating=True)
            self._check_webhook_key_access(vals, creating=True)
        backends = super().create(vals_list)
        backends.filtered("has_access_token")._check_connection()
        return backends

    def write(self, vals):
        """Write stores; those whose connection changed are read again."""
        self._check_connection_fields_access(vals)
        self._check_webhook_key_access(vals)
        reconnect = self._credentials_change(vals)
        result = super().write(vals)
        if reconnect:
            reconnect._check_connection()
        return result

    def _credentials_change(self, vals):
        """The stores whose connection ``vals`` changes: they are read again
        once saved."""
        if "access_token" in vals:
            return self
        return self.filtered(
            lambda backend: any(
                fname in vals and backend[fname] != vals[fname]
                for fname in CONNECTION_FIELDS
            )
        )

    def _check_connection_fields_access(self, vals, creating=False):
        """Only administrators choose where the access token is sent (and
        the connection test shows what that host answered)."""
        if self.env.is_system():
            return
        changed = [
            fname
            for fname in CONNECTION_FIELDS
            if fname in vals
            and not (
                creating
                and fname == "api_base_url"
                and vals[fname] == DEFAULT_API_BASE_URL
            )
            and (creating or any(backend[fname] != vals[fname] for backend in self))
        ]
        if changed:
            raise AccessError(
                self.env._(
                    "Only administrators can set the store hash and the API host "
                    "of a BigCommerce store: they decide where its access token "
                    "is sent."
                )
            )

    # === ACTION METHODS === #
    def action_view_orders(self):
        """Open the store's orders."""
        return self._action_view("bigcommerce_connector.bigcommerce_order_action")

    def action_view_failures(self):
        """Open the store's failures."""
        return self._action_view("bigcommerce_connector.bigcommerce_failure_action")

    def action_view_customers(self):
        """Open the store's customers."""
        return self._action_view("bigcommerce_connector.bigcommerce_customer_action")

    def _action_view(self, xmlid):
        """The window action ``xmlid``, restricted to this store."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action

    def action_open_import_wizard(self):
        """Open the store's import wizard (for who may change the store)."""
        self.ensure_one()
        # Imports spend the store's request quota.
        self.check_access("write")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_import_wizard_action"
        )
        action["context"] = {"default_backend_id": self.id}
        return action

    # === BUSINESS METHODS === #
    # --- where the access token goes: administrators decide ---
    @api.model
    def _allowed_api_origins(self):
        """API hosts the server's configuration allows besides BigCommerce."""
        value = server_option("api_hosts") or ""
        return [item for item in value.replace(",", " ").split() if item]

    # --- the API ---
    def _get_client(self, **options):
        """A client for this store; the token never leaves the server."""
        self.ensure_one()
        token = self.sudo().access_token
        if not token:
            raise UserError(
                self.env._(
                    "Store %(store)s has no usable access token: enter the "
                    "access token of its API account.",
                    store=self.display_name,
                )
            )
        try:
            # Checked again here, for stores saved before a host was removed
            # from the server's configuration.
            base_url = check_api_base_url(
                self.api_base_url, self._allowed_api_origins()
            )
            # Every worker of the store draws on one quota (SharedRateLimit).
            options.setdefault("rate_limiter", SharedRateLimit(self))
            return BigCommerceClient(
                self.store_hash, token, base_url=base_url, **options
            )
        except BigCommerceConfigError as exc:
            raise UserError(
                self.env._(
                    "Store %(store)s cannot be reached: %(error)s",
                    store=self.display_name,
                    error=exc.message,
                )
            ) from exc

    # --- what the store's settings make of an order ---
    def _status_action(self, status_id):
        """What to do with the invoice of an order in this status: the
        store's rule, else the default (``bigcommerce/payments.py``)."""
        self.ensure_one()
        overrides = {int(rule.status): rule.action for rule in self.status_rule_ids}
        return status_action(status_id, overrides)

    def _payment_journal(self, *names):
        """The journal of a payment made with the first of ``names``
        (payment method, gateway) that the store's list names, else the
        default payment journal, else the company's first bank journal."""
        self.ensure_one()
        mapping = self.env["bigcommerce.payment.journal"]
        wanted = [mapping._normalize(name) for name in names if name]
        for name in wanted:
            for line in self.payment_journal_map_ids:
                if mapping._normalize(line.payment_method) == name:
                    return line.journal_id
        return self.payment_journal_id or self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company_id.id)],
            order="sequence, id",
            limit=1,
        )

    def _adopt_customer_external_ids(self):
        """Give a binding to the partners of customers marked by their
        external ID only, as versions before 19.0.2.1.0 did (run by that
        version's migration; an order of such a customer does it too)."""
        for backend in self:
            kinds.binder(backend, "customer").adopt_external_ids("res.partner")
