# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order import: the job, its error sorting, and external IDs.

Steps of one import: lock the order, fetch it (one call for the order and
its lines, one for its tax rows), map it (pure functions in
``bigcommerce.mapping``), write it in one savepoint, bind it with an
external ID. Anything that may run twice or concurrently ends up with one
invoice: the advisory lock keeps workers apart, and the unique constraints
of ``ir.model.data`` and ``bigcommerce.order`` are the last word.
"""

import hashlib
import logging
import math
import threading
from contextlib import contextmanager

import psycopg2
import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce import BigCommerceError, BigCommerceRetryableError
from ..bigcommerce.const import NOT_INVOICED_STATUS_IDS, ORDER_STATUSES
from ..bigcommerce.mapping import MappingError, billing_partner_values, clean_payload

_logger = logging.getLogger(__name__)

XMLID_MODULE = "__bigcommerce__"
# Tries of one import job before it gives up and leaves a failure record.
# With the retry pattern of data/queue_job_data.xml (10 s, then 1 min,
# 5 min, 30 min, then every hour), they span about two days, as
# BigCommerce's own webhook retries do: an outage of the store's API, or of
# this server's network, delays orders and loses none.
JOB_MAX_RETRIES = 64


class _UniqueViolationFilter(logging.Filter):
    """Drops the "bad query" error PostgreSQL's unique indexes cause in one
    thread: there, the violation is an expected race, handled and logged
    by the caller."""

    def __init__(self):
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record):
        args = record.args if isinstance(record.args, tuple) else ()
        return not (
            record.thread == self.thread
            and any(isinstance(arg, psycopg2.errors.UniqueViolation) for arg in args)
        )


@contextmanager
def expected_unique_violations():
    """Within the block, a unique index refusing a row is not an error in
    the log (other threads log as usual)."""
    sql_logger = logging.getLogger("odoo.sql_db")
    quiet = _UniqueViolationFilter()
    sql_logger.addFilter(quiet)
    try:
        yield
    finally:
        sql_logger.removeFilter(quiet)


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    order_ids = fields.One2many("bigcommerce.order", "backend_id", string="Orders")
    failure_ids = fields.One2many(
        "bigcommerce.failure", "backend_id", string="Failures"
    )
    order_count = fields.Integer(compute="_compute_counts")
    failure_count = fields.Integer(
        compute="_compute_counts", help="Imports waiting for a fix or a reprocess."
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
        for backend in self:
            backend.order_count = orders.get(backend, 0)
            backend.failure_count = failures.get(backend, 0)

    def action_view_orders(self):
        return self._action_view("bigcommerce_connector.bigcommerce_order_action")

    def action_view_failures(self):
        return self._action_view("bigcommerce_connector.bigcommerce_failure_action")

    def _action_view(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action

    # ------------------------------------------------------------------
    # External IDs
    # ------------------------------------------------------------------
    def _xmlid_name(self, kind, key):
        self.ensure_one()
        return f"backend{self.id}_{kind}_{key}"

    def _find_bound(self, model, kind, key):
        """The record bound to a BigCommerce object, or an empty recordset."""
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("module", "=", XMLID_MODULE),
                    ("name", "=", self._xmlid_name(kind, key)),
                    ("model", "=", model),
                ],
                limit=1,
            )
        )
        return self.env[model].browse(data.res_id).exists()

    def _bind(self, record, kind, key):
        """Give ``record`` the external ID of a BigCommerce object.

        The database's unique index on (module, name) refuses a second one,
        whoever tries: that is what makes imports idempotent.
        """
        self.env["ir.model.data"].sudo().create(
            {
                "module": XMLID_MODULE,
                "name": self._xmlid_name(kind, key),
                "model": record._name,
                "res_id": record.id,
                "noupdate": True,
            }
        )

    # ------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------
    def _delay_import_order(self, order_id):
        """Queue the import of one order; a pending duplicate is dropped."""
        self.ensure_one()
        order_id = int(order_id)
        return self.with_delay(
            identity_key=f"bigcommerce-order-{self.id}-{order_id}",
            description=f"Import BigCommerce order #{order_id} ({self.name})",
            max_retries=JOB_MAX_RETRIES,
        )._import_order(order_id)

    def _lock_key(self, kind, key):
        """The PostgreSQL advisory lock key of one BigCommerce object."""
        self.ensure_one()
        digest = hashlib.sha1(f"bigcommerce:{self.id}:{kind}:{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def _lock_or_retry(self, kind, key):
        """Hold a transaction lock on one BigCommerce object or retry later."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s)", [self._lock_key(kind, key)]
        )
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                f"BigCommerce {kind} {key} is being imported by another worker.",
                seconds=5,
                ignore_retry=True,
            )

    def _job_tries(self):
        """``(this try, tries allowed)`` of the queue job running this
        method, or ``None`` outside a stored job.

        queue_job gives the job's recordset its ``job_uuid`` in context, and
        stores the count of past tries once a try is over.
        """
        job_uuid = self.env.context.get("job_uuid")
        if not job_uuid:
            return None
        job = self.env["queue.job"].sudo().search([("uuid", "=", job_uuid)], limit=1)
        if not job:
            return None
        return job.retry + 1, job.max_retries

    def _is_last_try(self):
        """Whether a retryable error now would make the job fail for good."""
        tries = self._job_tries()
        return bool(tries and tries[1] and tries[0] >= tries[1])

    def _fetch(self, call, *args):
        """Call the client; transient faults become job retries.

        On the job's last try the fault is raised as it is, a
        :class:`BigCommerceError`, which the job turns into a failure record
        that can be reprocessed.
        """
        try:
            return call(*args)
        except BigCommerceRetryableError as exc:
            if self._is_last_try():
                raise
            # The rate limit says when to come back; other faults follow
            # the job function's retry pattern.
            seconds = (
                max(5, math.ceil(exc.retry_after))
                if exc.rate_limited and exc.retry_after
                else None
            )
            raise RetryableJobError(exc.message, seconds=seconds) from exc

    def _import_order(self, order_id):
        """Job: import one BigCommerce order as a customer invoice.

        Every way it can end, but a retry, leaves either the invoice or a
        failure record to fix and reprocess; nothing is half-written.
        """
        self.ensure_one()
        order_id = int(order_id)
        self._lock_or_retry("order", order_id)
        fetched = {}
        try:
            with expected_unique_violations(), self.env.cr.savepoint():
                return self._import_order_steps(order_id, fetched)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # Serialization failures and deadlocks: queue_job retries them.
            raise
        except psycopg2.IntegrityError as exc:
            # Another worker bound the same order (or partner) first.
            _logger.info("BigCommerce order #%s was imported concurrently", order_id)
            if not self._is_last_try():
                raise RetryableJobError(
                    f"Order #{order_id} was imported concurrently; checking again.",
                    seconds=5,
                ) from exc
            message = f"Imported concurrently, and still conflicting: {exc.pgerror}"
        except RetryableJobError as exc:
            if exc.ignore_retry or not self._is_last_try():
                raise
            message = str(exc)
        except (BigCommerceError, MappingError, UserError, ValidationError) as exc:
            message = getattr(exc, "message", None) or str(exc)
        except Exception as exc:
            _logger.exception("BigCommerce order #%s: unexpected error", order_id)
            message = f"Unexpected error ({type(exc).__name__}): {exc}"
        tries = self._job_tries()
        if tries and tries[1] and tries[0] >= tries[1]:
            message = f"Gave up after {tries[0]} tries: {message}"
        self._record_failure("order", order_id, message, fetched or None)
        _logger.info("BigCommerce order #%s not imported: %s", order_id, message)
        return f"Order #{order_id} failed: {message}"

    def _import_order_steps(self, order_id, fetched):
        """Fetch, map and write one order; ``fetched`` keeps what the store
        answered, for the failure record."""
        client = self._get_client()
        order = clean_payload(self._fetch(client.get_order, order_id))
        fetched["order"] = order
        status_id = int(order.get("status_id") or 0)
        if status_id in NOT_INVOICED_STATUS_IDS and not self._find_bound(
            "account.move", "order", order_id
        ):
            self.env["bigcommerce.failure"].sudo()._resolve(self, "order", order_id)
            status = ORDER_STATUSES.get(status_id, status_id)
            return f"Order #{order_id} is {status}: not invoiced."
        taxes = clean_payload(self._fetch(client.get_order_taxes, order_id))
        fetched["taxes"] = taxes
        # Bindings are the connector's own records: nobody creates them by
        # hand, so the job writes them as the system.
        binding = (
            self.env["bigcommerce.order"]
            .sudo()
            ._import_from_bigcommerce(self, order, taxes)
        )
        self.env["bigcommerce.failure"].sudo()._resolve(self, "order", order_id)
        return f"Order #{order_id}: {binding.move_id.display_name}"

    def _record_failure(self, record_type, external_id, reason, payload=None):
        failure = (
            self.env["bigcommerce.failure"]
            .sudo()
            ._record(self, record_type, external_id, reason, payload)
        )
        failure.message_post(body=failure.reason)
        return failure

    # ------------------------------------------------------------------
    # What an order needs on the Odoo side
    # ------------------------------------------------------------------
    def _sale_journal(self):
        self.ensure_one()
        journal = self.journal_id or self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company_id.id)], limit=1
        )
        if not journal:
            raise MappingError(
                f"Store {self.name}: no sales journal. Set one on the store's "
                "Accounting tab."
            )
        return journal

    @api.model
    def _currency(self, code):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency.active:
            raise MappingError(
                f"Currency {code} is not active in Odoo: activate it "
                "(Accounting > Configuration > Currencies), then reprocess."
            )
        return currency

    def _account(self, field_name):
        account = self[field_name]
        if not account:
            label = self._fields[field_name].string
            raise MappingError(
                f"Store {self.name}: set the {label} on the store's Accounting "
                "tab, then reprocess."
            )
        return account

    def _product_by_sku(self, sku, line_name):
        if not sku:
            raise MappingError(f"Line '{line_name}' has no SKU to match a product.")
        products = self.env["product.product"].search(
            [
                ("default_code", "=", sku),
                ("company_id", "in", [False, self.company_id.id]),
            ],
            limit=2,
        )
        if not products:
            raise MappingError(
                f"Unknown SKU '{sku}' (line '{line_name}'): no product has this "
                "internal reference. Create it or fix the SKU, then reprocess."
            )
        if len(products) > 1:
            names = ", ".join(products.mapped("display_name"))
            raise MappingError(f"SKU '{sku}' matches several products ({names}).")
        return products

    def _revenue_account(self, product):
        product = product.with_company(self.company_id)
        account = (
            product.property_account_income_id
            or product.categ_id.property_account_income_categ_id
            or self.revenue_account_id
            or self.company_id.income_account_id
        )
        if not account:
            raise MappingError(
                f"No revenue account for product {product.display_name}: set one on "
                "the product, its category, or the store's fallback revenue account."
            )
        return account

    def _sale_tax_by_rate(self, rates):
        """The Odoo sales tax (tax excluded, percent) of each BigCommerce rate.

        The store's own list of taxes comes first, then any sales tax of the
        company with that rate.
        """
        Tax = self.env["account.tax"]
        taxes = {}
        for rate in rates:
            domain = [
                ("company_id", "=", self.company_id.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", float(rate)),
                ("price_include", "=", False),
            ]
            tax = self.tax_ids.filtered_domain(domain)[:1] or Tax.search(
                domain, order="sequence, id", limit=1
            )
            if not tax:
                raise MappingError(
                    f"No Odoo sales tax at {rate}% (tax excluded, percentage) in "
                    f"{self.company_id.name}: create one, then reprocess."
                )
            taxes[rate] = tax
        return taxes

    def _partner_for_order(self, order):
        """The customer's partner, or the billing contact of a guest order.

        Registered customers are bound by their BigCommerce id, guests by
        their e-mail address, so a returning guest is found again.
        """
        self.ensure_one()
        values = billing_partner_values(order.get("billing_address"))
        customer_id = int(order.get("customer_id") or 0)
        if customer_id:
            kind, key = "customer", customer_id
        elif values["email"]:
            kind = "guest"
            key = hashlib.sha1(values["email"].lower().encode()).hexdigest()[:24]
        else:
            kind, key = "order_contact", int(order["id"])
        partner = self._find_bound("res.partner", kind, key)
        if not partner:
            partner = self.env["res.partner"].create(
                self._partner_create_values(values)
            )
            self._bind(partner, kind, key)
        return partner

    def _partner_create_values(self, values):
        values = dict(values)
        country_code = values.pop("country_code")
        state_name = values.pop("state_name")
        company_name = values.pop("company_name")
        country = (
            self.env["res.country"].search([("code", "=", country_code)], limit=1)
            if country_code
            else self.env["res.country"]
        )
        state = self.env["res.country.state"]
        if country and state_name:
            state = state.search(
                [
                    ("country_id", "=", country.id),
                    "|",
                    ("name", "=ilike", state_name),
                    ("code", "=ilike", state_name),
                ],
                limit=1,
            )
        values.update(
            country_id=country.id or False,
            state_id=state.id or False,
            customer_rank=1,
        )
        if company_name and company_name != values["name"]:
            values["comment"] = f"Company: {company_name}"
        return values
