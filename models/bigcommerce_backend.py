# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A BigCommerce store: its configuration, and the entry points of its work.

The work itself is elsewhere: one importer per kind of BigCommerce record
(``components/``), which this model's jobs run, and the pure BigCommerce side
(``bigcommerce/``: client, webhook signatures, mapping).
"""

import logging
import secrets
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import config

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce import BigCommerceClient, BigCommerceError, BigCommerceRetryableError
from ..bigcommerce.client import check_api_base_url, check_store_hash
from ..bigcommerce.const import DEFAULT_API_BASE_URL, HANDLED_SCOPES
from ..bigcommerce.exceptions import BigCommerceConfigError
from ..bigcommerce.payments import status_action
from ..components.binder import BigCommerceBinder
from ..components.catch_up import CustomerCatchUp, OrderCatchUp, OrderListing
from ..components.customer_importer import CustomerImporter
from ..components.order_importer import OrderImporter
from ..components.rate_limit import SharedRateLimit
from ..components.refund_importer import RefundCatchUp, RefundImporter
from ..components.shipment_importer import ShipmentImporter

_logger = logging.getLogger(__name__)

# Server configuration option (odoo.conf) holding the Fernet key; when it
# is not set, a key is generated at install into this system parameter.
ENCRYPTION_KEY_OPTION = "bigcommerce_encryption_key"
ENCRYPTION_KEY_PARAM = "bigcommerce_connector.encryption_key"
# Server configuration option (odoo.conf) naming the API hosts, besides
# BigCommerce's own, that stores may use: comma-separated origins such as
# "http://127.0.0.1:8765, https://bc-proxy.example.com". Only whoever runs
# the server can send the access token elsewhere.
API_HOSTS_OPTION = "bigcommerce_api_hosts"
# They decide where the access token is sent: administrators only.
CONNECTION_FIELDS = ("store_hash", "api_base_url")
WEBHOOK_ROUTE = "/bigcommerce/webhook"
# Tries of one import or catch-up job before it gives up and leaves a failure
# record. With the retry pattern of data/queue_job_data.xml (10 s, then 1 min,
# 5 min, 30 min, then every hour), they span about two days, as BigCommerce's
# own webhook retries do: an outage of the store's API, or of this server's
# network, delays orders and loses none.
JOB_MAX_RETRIES = 64
# Listed orders (a first sync of a store's history) are imported this many
# to a job, in one transaction with a savepoint per order: without the cost
# of a job per order, and well inside the time limits of the HTTP worker
# that runs the job (limit_time_cpu 60 s, limit_time_real 120 s by default)
# even for orders of 20 lines on a slow machine (about 2 s each).
ORDERS_PER_PAGE_JOB = 20
# Fields kept encrypted at rest: clear field -> stored ciphertext column.
SECRET_FIELDS = {
    "access_token": "access_token_encrypted",
    "client_secret": "client_secret_encrypted",
}


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
        "must be allowed in the server's configuration (option "
        f"{API_HOSTS_OPTION}).",
    )
    access_token = fields.Char(
        compute="_compute_secrets",
        inverse="_inverse_access_token",
        groups="base.group_system",
        help="Access token of the store-level API account. Needs read access "
        "to orders, transactions, customers and store information. Stored "
        "encrypted.",
    )
    client_secret = fields.Char(
        compute="_compute_secrets",
        inverse="_inverse_client_secret",
        groups="base.group_system",
        help="Client secret of the same API account. BigCommerce signs its "
        "webhooks with it; without it every webhook is refused. Stored "
        "encrypted.",
    )
    access_token_encrypted = fields.Char(
        groups="base.group_system", copy=False, readonly=True
    )
    client_secret_encrypted = fields.Char(
        groups="base.group_system", copy=False, readonly=True
    )
    has_access_token = fields.Boolean(compute="_compute_has_secrets")
    has_client_secret = fields.Boolean(compute="_compute_has_secrets")
    encryption_key_in_database = fields.Boolean(
        compute="_compute_encryption_key_in_database",
        help="No encryption key in the server's configuration: the key of the "
        "secrets is stored in the same database as the secrets.",
    )

    # ---- Webhooks ----------------------------------------------------------
    webhook_key = fields.Char(
        required=True,
        copy=False,
        readonly=True,
        default=lambda self: secrets.token_urlsafe(24),
        help="Unguessable part of the webhook address. Only administrators "
        "change it, with Rotate webhook address, which moves the store's "
        "webhooks at BigCommerce to the new address.",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        help="The address to give BigCommerce as webhook destination. It must "
        "be reachable over HTTPS on port 443.",
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
        default=fields.Datetime.now,
        copy=False,
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
        default=fields.Datetime.now,
        copy=False,
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
        default=fields.Datetime.now,
        copy=False,
        help="The next catch-up asks for the customers modified after this "
        "moment (minus the overlap). It moves forward after each catch-up; set "
        "it back to import older customers.",
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

    # ---- What the store said at the last connection test ---------------------
    store_name = fields.Char(readonly=True, copy=False)
    store_currency = fields.Char(readonly=True, copy=False)
    store_plan = fields.Char(string="Plan", readonly=True, copy=False)
    rate_limit_quota = fields.Integer(
        string="Requests per Window",
        readonly=True,
        copy=False,
        help="API requests the store allows per rate-limit window, shared by "
        "all apps of the store.",
    )
    rate_limit_window_ms = fields.Integer(
        string="Window (ms)", readonly=True, copy=False
    )
    connection_checked_at = fields.Datetime(
        string="Last Connection Test", readonly=True, copy=False
    )

    # ---- The store's health ----------------------------------------------
    state = fields.Selection(
        [("draft", "Draft"), ("connected", "Connected"), ("error", "Error")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        help="Draft: no access token yet. Connected: BigCommerce answered the "
        "last time the store was read (on save, Test connection, or the "
        "scheduled webhook check). Error: it did not; the message says why.",
    )
    state_message = fields.Char(string="Connection Status", readonly=True, copy=False)
    webhook_subscription_ids = fields.One2many(
        "bigcommerce.webhook.subscription", "backend_id", string="Subscriptions"
    )
    webhooks_checked_at = fields.Datetime(
        string="Webhooks Last Checked", readonly=True, copy=False
    )
    webhook_alert = fields.Char(
        readonly=True,
        copy=False,
        help="What the last webhook check found wrong: no delivery for too "
        "long, hooks BigCommerce had deactivated, or the check itself failing.",
    )
    webhook_silence_hours = fields.Integer(
        string="Warn After (hours without delivery)",
        default=24,
        help="The scheduled webhook check warns, and queues a catch-up, when "
        "no webhook delivery came for this long. Set it to the longest quiet "
        "time the store normally has.",
    )
    webhook_log_days = fields.Integer(
        string="Keep Delivery Log (days)",
        default=90,
        help="How long the log of webhook deliveries is kept.",
    )
    webhook_log_ids = fields.One2many(
        "bigcommerce.webhook.log", "backend_id", string="Deliveries"
    )
    last_delivery_at = fields.Datetime(
        string="Last Delivery",
        compute="_compute_delivery_stats",
        help="When the last webhook from BigCommerce was received (refused "
        "ones not counted).",
    )
    delivery_count = fields.Integer(compute="_compute_delivery_stats")
    last_catch_up_at = fields.Datetime(
        string="Last Catch-up", readonly=True, copy=False
    )
    last_catch_up_state = fields.Selection(
        [("done", "Done"), ("failed", "Failed")],
        string="Last Catch-up Outcome",
        readonly=True,
        copy=False,
    )
    last_catch_up_result = fields.Char(
        string="Last Catch-up Result", readonly=True, copy=False
    )
    import_run_ids = fields.One2many(
        "bigcommerce.import.run", "backend_id", string="Imports"
    )
    last_import_run_id = fields.Many2one(
        "bigcommerce.import.run",
        string="Last Import",
        compute="_compute_last_import_run",
    )
    # The last import's progress, read from its lines each time the form
    # is read.
    last_import_state = fields.Selection(
        [("running", "Running"), ("done", "Finished")],
        compute="_compute_last_import_run",
    )
    last_import_queued = fields.Integer(compute="_compute_last_import_run")
    last_import_done = fields.Integer(compute="_compute_last_import_run")
    last_import_failed = fields.Integer(compute="_compute_last_import_run")
    last_import_skipped = fields.Integer(compute="_compute_last_import_run")
    last_import_skipped_summary = fields.Char(compute="_compute_last_import_run")

    _webhook_key_uniq = models.Constraint(
        "unique(webhook_key)", "The webhook key must be unique."
    )
    _store_hash_company_uniq = models.Constraint(
        "unique(store_hash, company_id)",
        "This BigCommerce store is already connected in this company.",
    )

    # === CONSTRAINT METHODS === #
    @api.constrains(*CONNECTION_FIELDS)
    def _check_connection_fields(self):
        for backend in self:
            try:
                check_store_hash(backend.store_hash)
                check_api_base_url(backend.api_base_url, self._allowed_api_origins())
            except BigCommerceConfigError as exc:
                raise ValidationError(exc.message) from exc

    # === CRUD METHODS === #
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_connection_fields_access(vals, creating=True)
            self._check_webhook_key_access(vals, creating=True)
        backends = super().create(vals_list)
        backends.filtered("has_access_token")._check_connection()
        return backends

    def write(self, vals):
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

    def _check_webhook_key_access(self, vals, creating=False):
        """Only administrators choose the webhook address: BigCommerce must
        be told of a new one (Rotate webhook address does both), and the
        old one must stop working."""
        if "webhook_key" not in vals or self.env.is_system():
            return
        if creating or any(
            backend.webhook_key != vals["webhook_key"] for backend in self
        ):
            raise AccessError(
                self.env._(
                    "Only administrators can change the webhook address of a "
                    "BigCommerce store, with Rotate webhook address on its "
                    "Webhooks tab: BigCommerce must be sent the new address."
                )
            )

    # === COMPUTE METHODS === #
    def _compute_encryption_key_in_database(self):
        in_database = not config.get(ENCRYPTION_KEY_OPTION)
        for backend in self:
            backend.encryption_key_in_database = in_database

    @api.depends(*SECRET_FIELDS.values())
    def _compute_secrets(self):
        for backend in self:
            for clear, stored in SECRET_FIELDS.items():
                backend[clear] = backend._decrypt(backend.sudo()[stored])

    def _inverse_access_token(self):
        self._store_secret("access_token")

    def _inverse_client_secret(self):
        self._store_secret("client_secret")

    @api.depends(*SECRET_FIELDS.values())
    def _compute_has_secrets(self):
        for backend in self:
            stored = backend.sudo()
            backend.has_access_token = bool(stored.access_token_encrypted)
            backend.has_client_secret = bool(stored.client_secret_encrypted)

    @api.depends("webhook_key")
    def _compute_webhook_url(self):
        base_url = self.get_base_url()
        for backend in self:
            backend.webhook_url = (
                f"{base_url.rstrip('/')}{WEBHOOK_ROUTE}/{backend.webhook_key}"
                if backend.webhook_key
                else False
            )

    def _compute_counts(self):
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

    # === ACTION METHODS === #
    def action_view_orders(self):
        return self._action_view("bigcommerce_connector.bigcommerce_order_action")

    def action_view_failures(self):
        return self._action_view("bigcommerce_connector.bigcommerce_failure_action")

    def action_view_customers(self):
        return self._action_view("bigcommerce_connector.bigcommerce_customer_action")

    def _action_view(self, xmlid):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action

    def action_register_webhooks(self):
        """Subscribe this store's webhook URL to the scopes the connector
        handles; BigCommerce has no screen for webhooks, only its API.

        Idempotent: an existing subscription is kept, and re-activated when
        BigCommerce deactivated it.
        """
        self.ensure_one()
        # Before anything is sent: only who may change the store may act on it.
        self.check_access("write")
        done = self._register_webhooks()
        return self._webhooks_notification(self.env._("Webhooks registered"), done)

    def action_rotate_webhook_key(self):
        """Give the store a new webhook address and move its webhooks at
        BigCommerce to it; the old address stops working at once (for an
        address that leaked).

        Administrators only. All or nothing: when BigCommerce cannot be told
        of the new address, the store keeps its old one.
        """
        self.ensure_one()
        # Before anything is read or sent: the address decides who may feed
        # the store's invoices, so administrators only.
        if not self.env.is_system():
            raise AccessError(
                self.env._(
                    "Only administrators can rotate the webhook address of a "
                    "BigCommerce store."
                )
            )
        self.check_access("write")
        # One rotation of a store at a time: a second one waits for the
        # first, then is refused by PostgreSQL and retried by Odoo from the
        # address the first one set, so BigCommerce is never left sending to
        # an address the store does not hold.
        self.env.cr.execute(
            "SELECT id FROM bigcommerce_backend WHERE id = %s FOR NO KEY UPDATE",
            [self.id],
        )
        self.invalidate_recordset(["webhook_key"])
        old_url = self.webhook_url
        # Even for a caller that catches the error, the key is only changed
        # once BigCommerce sends to the new address; it is written before
        # BigCommerce is told, so that nothing but the commit stands between.
        with self.env.cr.savepoint():
            self.webhook_key = secrets.token_urlsafe(24)
            self.flush_recordset(["webhook_key"])
            done = self._register_webhooks(previous_url=old_url)
        self.message_post(
            body=self.env._(
                "Webhook address rotated by %(user)s. BigCommerce now sends the "
                "store's events to the new address (%(moved)s webhook(s) moved, "
                "%(created)s created). The old address, ending in ...%(old)s, "
                "stops working now: deliveries sent to it are refused.",
                user=self.env.user.name,
                moved=len(done["moved"]),
                created=len(done["created"]),
                old=(old_url or "")[-6:],
            )
        )
        return self._webhooks_notification(self.env._("Webhook address rotated"), done)

    def _webhooks_notification(self, title, done):
        parts = []
        for label, scopes in (
            (self.env._("moved to the new address"), done["moved"]),
            (self.env._("created"), done["created"]),
            (self.env._("re-activated"), done["reactivated"]),
            (self.env._("already active"), done["kept"]),
        ):
            if scopes:
                parts.append(f"{label}: {', '.join(scopes)}")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": "; ".join(parts),
                "type": "success",
                "sticky": False,
                # The Webhooks tab lists them.
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _register_webhooks(self, previous_url=None):
        """Subscribe the store's webhook URL to the handled scopes, keeping
        what is there and re-activating what BigCommerce deactivated, then
        read the list back. Called by checked actions only.

        :param previous_url: the store's address before a rotation: its
            hooks are moved to the current address (and moved back, as far
            as BigCommerce lets, when a later call fails).
        :return: ``{"moved", "created", "reactivated", "kept"}``, the scopes
            of each.
        """
        self.ensure_one()
        url = self.webhook_url
        if not url or not url.startswith("https://"):
            raise UserError(
                self.env._(
                    "BigCommerce only delivers webhooks over HTTPS: set the "
                    "web.base.url system parameter to this server's public "
                    "https:// address (now: %(url)s).",
                    url=url,
                )
            )
        client = self._get_client(max_attempts=2, max_wait=5, timeout=15.0)
        done = {"moved": [], "created": [], "reactivated": [], "kept": []}
        moved_ids = []
        try:
            hooks = client.list_webhooks()
            if previous_url and previous_url != url:
                for hook in hooks:
                    if hook.get("destination") != previous_url:
                        continue
                    client.update_webhook(hook["id"], destination=url, is_active=True)
                    moved_ids.append(hook["id"])
                    hook.update(destination=url, is_active=True)
                    done["moved"].append(hook["scope"])
            existing = {
                hook["scope"]: hook for hook in hooks if hook.get("destination") == url
            }
            for scope in sorted(HANDLED_SCOPES):
                hook = existing.get(scope)
                if not hook:
                    client.create_webhook(scope, url)
                    done["created"].append(scope)
                elif hook["id"] in moved_ids:
                    continue
                elif not hook.get("is_active"):
                    client.update_webhook(hook["id"], is_active=True)
                    done["reactivated"].append(scope)
                else:
                    done["kept"].append(scope)
            self._store_webhook_subscriptions(client.list_webhooks())
        except BigCommerceError as exc:
            if moved_ids:
                self._move_webhooks_back(client, moved_ids, previous_url)
                raise UserError(
                    self.env._(
                        "Could not move the webhooks of store %(store)s to its "
                        "new address: %(error)s. The store keeps its old "
                        "address; try again later.",
                        store=self.display_name,
                        error=exc.message,
                    )
                ) from exc
            raise UserError(
                self.env._(
                    "Could not register the webhooks of store %(store)s: %(error)s",
                    store=self.display_name,
                    error=exc.message,
                )
            ) from exc
        return done

    def _move_webhooks_back(self, client, hook_ids, destination):
        """Best effort: the hooks a failed rotation moved go back to the
        address the store keeps."""
        for hook_id in hook_ids:
            try:
                client.update_webhook(hook_id, destination=destination)
            except BigCommerceError as exc:
                _logger.warning(
                    "Store %s: webhook %s left at the new address: %s",
                    self.id,
                    hook_id,
                    exc.message,
                )

    def action_test_connection(self):
        """Read the store information and show what BigCommerce answered.

        The answer is kept: the store's state (connected or error) and its
        message say it on the form and in the list.
        """
        self.ensure_one()
        # Before anything is sent: only who may change the store may act on it.
        self.check_access("write")
        connected = self._check_connection()
        if not connected:
            return self._notification(
                self.env._("Connection failed"), self.state_message, "danger"
            )
        message = self.env._(
            "Connected to %(name)s (currency %(currency)s, plan %(plan)s).",
            name=self.store_name or self.store_hash,
            currency=self.store_currency or "?",
            plan=self.store_plan or "?",
        )
        if self.rate_limit_quota:
            message += " " + self.env._(
                "Rate limit: %(quota)s requests per %(seconds)s s.",
                quota=self.rate_limit_quota,
                seconds=round(self.rate_limit_window_ms / 1000),
            )
        return self._notification(
            self.env._("Connection successful"), message, "success"
        )

    def _notification(self, title, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_refresh_webhooks(self):
        """Read the webhooks subscribed at BigCommerce into the Webhooks tab."""
        self.ensure_one()
        # Before the token is used: only who may change the store may act on it.
        self.check_access("write")
        client = self._get_client(max_attempts=2, max_wait=5, timeout=15.0)
        try:
            self._store_webhook_subscriptions(client.list_webhooks())
        except BigCommerceError as exc:
            raise UserError(
                self.env._(
                    "Could not read the webhooks of store %(store)s: %(error)s",
                    store=self.display_name,
                    error=exc.message,
                )
            ) from exc
        return True

    def action_view_deliveries(self):
        return self._action_view("bigcommerce_connector.bigcommerce_webhook_log_action")

    def action_open_import_wizard(self):
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
        value = config.get(API_HOSTS_OPTION) or ""
        return [item for item in value.replace(",", " ").split() if item]

    # --- secrets, encrypted at rest ---
    @api.model
    def _get_fernet(self):
        key = config.get(ENCRYPTION_KEY_OPTION) or self._get_or_create_key_param()
        return Fernet(key.encode() if isinstance(key, str) else key)

    @api.model
    def _get_or_create_key_param(self):
        params = self.env["ir.config_parameter"].sudo()
        key = params.get_param(ENCRYPTION_KEY_PARAM)
        if not key:
            key = Fernet.generate_key().decode()
            params.set_param(ENCRYPTION_KEY_PARAM, key)
        return key

    @api.model
    def _encrypt(self, value):
        if not value:
            return False
        return self._get_fernet().encrypt(value.encode()).decode()

    @api.model
    def _decrypt(self, token):
        if not token:
            return False
        try:
            return self._get_fernet().decrypt(token.encode()).decode()
        except InvalidToken:
            # Encrypted with another key (a database copy, a changed server
            # key): the secret is unusable and must be entered again.
            _logger.warning(
                "A BigCommerce secret cannot be decrypted with the current key."
            )
            return False

    def _store_secret(self, clear):
        for backend in self:
            value = (backend[clear] or "").strip()
            backend.sudo()[SECRET_FIELDS[clear]] = backend._encrypt(value)

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

    # --- jobs: orders ---
    def _delay_import_order(self, order_id, origin=None):
        """Queue the import of one order; a pending duplicate is dropped.

        :param origin: what asked for it, for the chatter: ``webhook``,
            ``catch_up``, ``manual`` or ``reprocess``.
        """
        self.ensure_one()
        order_id = int(order_id)
        return self.with_delay(
            identity_key=f"bigcommerce-order-{self.id}-{order_id}",
            description=f"Import BigCommerce order #{order_id} ({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._import_order(order_id, origin=origin)

    def _import_order(self, order_id, origin=None, run_line_id=None, prefetched=None):
        """Job: import one BigCommerce order as a customer invoice.

        :param origin: what asked for it, for the chatter.
        :param run_line_id: the line of an import run (the import wizard)
            that shows this order's progress.
        :param prefetched: the order as a listing returned it, with its
            lines: the import then asks the store for its taxes only.
        """
        self.ensure_one()
        importer = OrderImporter(self, order_id, origin=origin, prefetched=prefetched)
        result = importer.run()
        if run_line_id:
            self.env["bigcommerce.import.run.line"].sudo().browse(
                run_line_id
            ).exists()._set_outcome(importer.outcome, result)
        return result

    def _delay_import_run_order(self, run, line_id, order_id, prefetched=None):
        """Queue the import of one order of an import run, alone."""
        self.ensure_one()
        return self.with_delay(
            # Its own key: a pending webhook job of the same order must not
            # swallow this one (the binder keeps one invoice).
            identity_key=f"bigcommerce-order-{self.id}-{order_id}-run{line_id}",
            description=f"Import BigCommerce order #{order_id} ({run.name})",
            max_retries=JOB_MAX_RETRIES,
        )._import_order(order_id, run_line_id=line_id, prefetched=prefetched)

    def _import_orders_page(self, items):
        """Job: import listed orders in one transaction, a savepoint each.

        Each order goes through the same import as alone, and ends the same
        way: invoiced, skipped, or a failure record. An order that meets a
        transient fault (the rate limit, a worker importing it already) is
        queued alone instead, to be retried as every import is; the others
        are not held back by it.

        :param items: ``[[run line id, order], ...]``, each order as the
            listing returned it, with its lines.
        """
        self.ensure_one()
        lines = self.env["bigcommerce.import.run.line"].sudo()
        alone = 0
        for line_id, order in items:
            line = lines.browse(line_id).exists()
            order_id = int(order["id"])
            importer = OrderImporter(self, order_id, prefetched=order)
            try:
                result = importer.run()
            except (RetryableJobError, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY) as exc:
                _logger.info("Order %s queued alone: %s", order_id, exc)
                self._delay_import_run_order(line.run_id, line_id, order_id, order)
                alone += 1
                continue
            line._set_outcome(importer.outcome, result)
        return (
            f"{len(items) - alone} order(s) imported"
            + (f", {alone} queued alone after a transient fault" if alone else "")
            + "."
        )

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

    # --- jobs: the catch-up ---
    @api.model
    def _scheduler_catch_up_orders(self):
        """Scheduled action: queue one catch-up job per store."""
        for backend in self.search(
            ["|", ("catch_up_orders", "=", True), ("catch_up_customers", "=", True)]
        ):
            if backend.catch_up_orders:
                backend._delay_catch_up_orders()
                backend._delay_catch_up_refunds()
            if backend.catch_up_customers:
                backend._delay_catch_up_customers()

    def _delay_catch_up_orders(self):
        self.ensure_one()
        return self.with_delay(
            identity_key=f"bigcommerce-catch-up-{self.id}",
            description=f"Catch up on BigCommerce orders ({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._catch_up_orders()

    def _catch_up_orders(self, run_id=None):
        """Job: queue the import of the orders modified since the last run.

        :param run_id: the import run (the import wizard) whose progress
            shows the orders queued.
        """
        self.ensure_one()
        run = self.env["bigcommerce.import.run"].sudo().browse(run_id).exists()
        result = OrderCatchUp(self, run=run).run()
        if run:
            run._listing_done(result)
        return result

    # --- jobs: refunds ---
    def _delay_import_refund(self, refund_id, order_id=None):
        """Queue the import of one refund; a pending duplicate is dropped."""
        self.ensure_one()
        refund_id = int(refund_id)
        return self.with_delay(
            identity_key=f"bigcommerce-refund-{self.id}-{refund_id}",
            description=f"Import BigCommerce refund #{refund_id} ({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._import_refund(refund_id, int(order_id) if order_id else None)

    def _import_refund(self, refund_id, order_id=None):
        """Job: import one BigCommerce refund as a credit note of its order's
        invoice (importing the order first when it is not yet)."""
        self.ensure_one()
        return RefundImporter(self, refund_id, order_id).run()

    def _delay_catch_up_refunds(self):
        self.ensure_one()
        return self.with_delay(
            identity_key=f"bigcommerce-catch-up-refunds-{self.id}",
            description=f"Catch up on BigCommerce refunds ({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._catch_up_refunds()

    def _catch_up_refunds(self):
        """Job: queue the import of the refunds created since the last run."""
        self.ensure_one()
        return RefundCatchUp(self).run()

    # --- jobs: imports on demand (the import wizard) ---
    def _delay_import_orders_listing(self, run, since, until, field, page=1):
        """Queue the listing of the orders created or modified between two
        moments, for an import run: one page, which queues the next."""
        self.ensure_one()
        return self.with_delay(
            identity_key=f"bigcommerce-listing-{self.id}-{run.id}-page{page}",
            description=f"List BigCommerce orders to import, page {page} ({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._import_orders_listing(
            run.id,
            fields.Datetime.to_string(since),
            fields.Datetime.to_string(until),
            field,
            page=page,
        )

    def _import_orders_listing(
        self, run_id, since, until, field="date_created", page=1
    ):
        """Job: list one page of the orders of a period with their lines
        (250 a page), queue the import of each with what the listing
        returned, and queue the next page while this one was full."""
        self.ensure_one()
        run = self.env["bigcommerce.import.run"].sudo().browse(run_id).exists()
        listing = OrderListing(
            self,
            run,
            fields.Datetime.to_datetime(since),
            fields.Datetime.to_datetime(until),
            field,
            page=page,
        )
        result = listing.run()
        if listing.more:
            self._delay_import_orders_listing(
                run,
                fields.Datetime.to_datetime(since),
                fields.Datetime.to_datetime(until),
                field,
                page=page + 1,
            )
        elif run:
            run._listing_done(result)
        return result

    # === HEALTH: CONNECTION, WEBHOOKS, DELIVERIES === #
    def _compute_delivery_stats(self):
        stats = {
            backend: (count, last)
            for backend, count, last in self.env["bigcommerce.webhook.log"]
            .sudo()
            ._read_group(
                [("backend_id", "in", self.ids), ("outcome", "!=", "refused")],
                ["backend_id"],
                ["__count", "received_at:max"],
            )
        }
        for backend in self:
            count, last = stats.get(backend, (0, False))
            backend.delivery_count = count
            backend.last_delivery_at = last

    def _compute_last_import_run(self):
        Run = self.env["bigcommerce.import.run"]
        for backend in self:
            run = (
                Run.search(
                    [("backend_id", "=", backend._origin.id)], order="id desc", limit=1
                )
                if backend._origin.id
                else Run
            )
            backend.last_import_run_id = run
            backend.last_import_state = run.state
            backend.last_import_queued = run.queued_count
            backend.last_import_done = run.done_count
            backend.last_import_failed = run.failed_count
            backend.last_import_skipped = run.skipped_count
            backend.last_import_skipped_summary = run.skipped_summary

    def _check_connection(self):
        """Read each store's information and set its state; ``True`` when
        every store answered. Never raises: the state and its message say
        what went wrong, in plain words."""
        connected = True
        for backend in self:
            if not backend.has_access_token:
                backend.write(
                    {
                        "state": "draft",
                        "state_message": self.env._(
                            "Enter the access token of the store's API account."
                        ),
                    }
                )
                connected = False
                continue
            try:
                # A person is waiting: a few quick tries, no long waits.
                client = backend._get_client(max_attempts=2, max_wait=5, timeout=15.0)
                info = client.get_store_information() or {}
            except (BigCommerceError, UserError) as exc:
                error = getattr(exc, "message", None) or exc.args[0]
                backend.write(
                    {
                        "state": "error",
                        "state_message": self.env._(
                            "Could not connect to BigCommerce store %(store)s: "
                            "%(error)s",
                            store=backend.store_hash,
                            error=error,
                        ),
                    }
                )
                connected = False
                continue
            limits = client.rate_limit
            backend.write(
                {
                    "state": "connected",
                    "state_message": False,
                    "store_name": info.get("name"),
                    "store_currency": info.get("currency"),
                    "store_plan": info.get("plan_name") or info.get("plan_level"),
                    "rate_limit_quota": limits.quota if limits and limits.quota else 0,
                    "rate_limit_window_ms": (
                        limits.window_ms if limits and limits.window_ms else 0
                    ),
                    "connection_checked_at": fields.Datetime.now(),
                }
            )
        return connected

    def _store_webhook_subscriptions(self, hooks):
        """Keep the list of webhooks BigCommerce has for the API account."""
        self.ensure_one()
        self.env["bigcommerce.webhook.subscription"].sudo()._sync(self, hooks)
        self.sudo().webhooks_checked_at = fields.Datetime.now()

    @api.model
    def _scheduler_check_webhooks(self):
        """Scheduled action: queue a webhook check for each store that has
        subscribed webhooks."""
        for backend in self.search([("webhook_subscription_ids", "!=", False)]):
            backend._delay_check_webhooks()

    def _delay_check_webhooks(self):
        self.ensure_one()
        return self.with_delay(
            identity_key=f"bigcommerce-check-webhooks-{self.id}",
            description=f"Check the BigCommerce webhooks ({self.name})",
        )._check_webhooks()

    def _check_webhooks(self):
        """Job: re-activate the hooks BigCommerce deactivated (it does after
        48 hours of failed deliveries), refresh the list, and warn, with a
        catch-up queued, when deliveries stopped coming."""
        self.ensure_one()
        reactivated = []
        try:
            client = self._get_client()
            hooks = client.list_webhooks()
            for hook in hooks:
                if hook.get("destination") == self.webhook_url and not hook.get(
                    "is_active"
                ):
                    client.update_webhook(hook["id"], is_active=True)
                    hook["is_active"] = True
                    reactivated.append(hook["scope"])
        except BigCommerceRetryableError as exc:
            raise RetryableJobError(exc.message, seconds=300) from exc
        except (BigCommerceError, UserError) as exc:
            error = getattr(exc, "message", None) or exc.args[0]
            self.sudo().webhook_alert = self.env._(
                "Could not check the webhooks: %(error)s", error=error
            )
            return self.webhook_alert
        self._store_webhook_subscriptions(hooks)
        alerts = []
        if reactivated:
            alerts.append(
                self.env._(
                    "BigCommerce had deactivated %(scopes)s; re-activated.",
                    scopes=", ".join(sorted(reactivated)),
                )
            )
        silence = self._webhook_silence()
        if silence:
            alerts.append(silence)
        self.sudo().webhook_alert = " ".join(alerts) or False
        if alerts and self.catch_up_orders:
            # The catch-up brings what the missing deliveries did not.
            self._delay_catch_up_orders()
        return self.webhook_alert or "Webhooks active, deliveries coming."

    def _webhook_silence(self):
        """A sentence when no delivery came for longer than the store
        allows, though its hooks are active; else ``None``."""
        self.ensure_one()
        ours = self.webhook_subscription_ids.filtered(
            lambda sub: sub.is_active and sub.destination == self.webhook_url
        )
        if not ours or self.webhook_silence_hours <= 0:
            return None
        limit = fields.Datetime.now() - timedelta(hours=self.webhook_silence_hours)
        since = self.last_delivery_at or min(
            ours.mapped(lambda sub: sub.subscribed_at or fields.Datetime.now())
        )
        if since >= limit:
            return None
        if self.last_delivery_at:
            return self.env._(
                "No webhook delivery since %(when)s (UTC): check that this "
                "server is reachable from the internet. The catch-up brings "
                "the missed orders.",
                when=fields.Datetime.to_string(self.last_delivery_at),
            )
        return self.env._(
            "No webhook delivery ever received: check that this server is "
            "reachable from the internet. The catch-up brings the missed orders."
        )

    # --- jobs: customers ---
    def _adopt_customer_external_ids(self):
        """Give a binding to the partners of customers marked by their
        external ID only, as versions before 19.0.2.1.0 did (run by that
        version's migration; an order of such a customer does it too)."""
        for backend in self:
            BigCommerceBinder(
                backend, "customer", "bigcommerce.customer"
            ).adopt_external_ids("res.partner")

    def _delay_import_customer(self, customer_id):
        """Queue the import of one customer; a pending duplicate is dropped."""
        self.ensure_one()
        customer_id = int(customer_id)
        return self.with_delay(
            identity_key=f"bigcommerce-customer-{self.id}-{customer_id}",
            description=f"Import BigCommerce customer #{customer_id} ({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._import_customer(customer_id)

    def _import_customer(self, customer_id):
        """Job: import one BigCommerce customer as a partner (or archive the
        partner of a customer deleted on the store)."""
        self.ensure_one()
        return CustomerImporter(self, customer_id).run()

    def _delay_catch_up_customers(self):
        self.ensure_one()
        return self.with_delay(
            identity_key=f"bigcommerce-customer-catch-up-{self.id}",
            description=f"Catch up on BigCommerce customers ({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._catch_up_customers()

    def _catch_up_customers(self):
        """Job: queue the import of the customers modified since the last run."""
        self.ensure_one()
        return CustomerCatchUp(self).run()

    # --- jobs: shipments ---
    def _delay_import_shipments(self, order_id, lines=None):
        """Queue the reading of one order's shipments.

        :param lines: the order's line items as its import just read them,
            ``{order product id: {"sku": ..., "name": ...}}``: the job then
            names what was shipped without reading the order again.
        """
        self.ensure_one()
        order_id = int(order_id)
        return self.with_delay(
            identity_key=f"bigcommerce-shipments-{self.id}-{order_id}",
            description=f"Import shipments of BigCommerce order #{order_id} "
            f"({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._import_shipments(order_id, lines=lines)

    def _import_shipments(self, order_id, lines=None):
        """Job: bring one order's shipments onto its order record."""
        self.ensure_one()
        return ShipmentImporter(self, order_id, lines=lines).run()
