# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Month-end reconciliation: a store's figures for a period against the
ledger's, kept as a record so that a closed month can be opened again.

The computation is ``components/reconciliation.py``; it runs as a job and
changes nothing but this record. The fixes are the buttons of its lines.
"""

import logging
from datetime import date

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..bigcommerce import BigCommerceError
from ..bigcommerce.reconciliation import summary_amount
from ..components import actions, jobs, kinds
from ..components.reconciliation import Reconciler
from ..components.reconciliation_export import reconciliation_xlsx

_logger = logging.getLogger(__name__)

DIFFERENCE_KINDS = [
    ("missing_invoice", "Order without invoice"),
    ("amount_changed", "Amounts differ"),
    ("missing_credit_note", "Refund without credit note"),
    ("payment_missing", "Payment not registered"),
    ("payment_amount", "Payment of another amount"),
    ("payment_journal", "Payment in another journal"),
    ("no_counterpart", "Entry without store counterpart"),
    ("other_period", "Entry of another period"),
]
FIXES = [
    ("reprocess", "Reprocess"),
    ("import_order", "Import the order now"),
    ("import_refund", "Import the refund now"),
    ("open_invoice", "Open the invoice"),
    ("open_order", "Open the order"),
]


class BigCommerceReconciliation(models.Model):
    """One store's period, the store's figures beside the ledger's."""

    _name = "bigcommerce.reconciliation"
    _description = "BigCommerce Reconciliation"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: date.today().replace(day=1) - relativedelta(months=1),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: date.today().replace(day=1) - relativedelta(days=1),
        help="Both days included, in the store's time zone (UTC while the store "
        "has none).",
    )
    state = fields.Selection(
        [
            ("draft", "New"),
            ("queued", "Computing"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    error = fields.Text(readonly=True)
    computed_at = fields.Datetime(readonly=True)
    summary = fields.Char(readonly=True)
    is_clean = fields.Boolean(
        string="Clean", compute="_compute_difference_count", store=True
    )
    difference_count = fields.Integer(
        string="Difference Count", compute="_compute_difference_count", store=True
    )
    open_difference_count = fields.Integer(
        string="Open Differences", compute="_compute_difference_count", store=True
    )
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The currency of most of the period's orders: the headline figures "
        "are in it (the others are on the figures tab).",
    )
    order_count = fields.Integer(string="Orders Listed", readonly=True)
    invoiced_order_count = fields.Integer(string="Orders to Invoice", readonly=True)
    refund_count = fields.Integer(string="Refunds Listed", readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    credit_note_count = fields.Integer(string="Credit Notes", readonly=True)
    api_calls = fields.Integer(string="API Calls", readonly=True)
    pages_read = fields.Integer(string="Order Pages Read", readonly=True)
    calls_per_order = fields.Float(
        compute="_compute_calls_per_order", store=True, digits=(16, 4)
    )
    store_untaxed = fields.Monetary(string="Store Untaxed", readonly=True)
    store_tax = fields.Monetary(string="Store Tax", readonly=True)
    store_total = fields.Monetary(string="Store Sales", readonly=True)
    store_refunds = fields.Monetary(string="Store Refunds", readonly=True)
    store_net = fields.Monetary(string="Store Net", readonly=True)
    ledger_untaxed = fields.Monetary(string="Ledger Untaxed", readonly=True)
    ledger_tax = fields.Monetary(string="Ledger Tax", readonly=True)
    ledger_total = fields.Monetary(string="Ledger Sales", readonly=True)
    ledger_refunds = fields.Monetary(string="Ledger Refunds", readonly=True)
    ledger_net = fields.Monetary(string="Ledger Net", readonly=True)
    net_difference = fields.Monetary(
        compute="_compute_net_difference", store=True, string="Net Difference"
    )
    progress = fields.Float(
        compute="_compute_progress",
        string="Progress (%)",
        help="How much of the period's orders the computation has read.",
    )
    progress_message = fields.Char(compute="_compute_progress", string="Progress")
    figure_ids = fields.One2many(
        "bigcommerce.reconciliation.figure", "reconciliation_id", readonly=True
    )
    line_ids = fields.One2many(
        "bigcommerce.reconciliation.line",
        "reconciliation_id",
        string="Differences",
        readonly=True,
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for reconciliation in self:
            if reconciliation.date_from > reconciliation.date_to:
                raise ValidationError(
                    self.env._("A reconciliation's period ends after it starts.")
                )

    # === COMPUTE METHODS === #
    @api.depends("backend_id.name", "date_from", "date_to")
    def _compute_name(self):
        for reconciliation in self:
            reconciliation.name = (
                f"{reconciliation.backend_id.name or ''}: "
                f"{reconciliation._period_label()}"
            )

    def _period_label(self):
        """``April 2026`` for a calendar month, else ``from - to``."""
        self.ensure_one()
        start, end = self.date_from, self.date_to
        if not start or not end:
            return ""
        if start.day == 1 and end == start + relativedelta(months=1, days=-1):
            return format_date(self.env, start, date_format="MMMM y")
        return f"{format_date(self.env, start)} - {format_date(self.env, end)}"

    @api.depends("line_ids", "line_ids.state", "state")
    def _compute_difference_count(self):
        for reconciliation in self:
            lines = reconciliation.line_ids
            reconciliation.difference_count = len(lines)
            reconciliation.open_difference_count = len(
                lines.filtered(lambda line: line.state == "open")
            )
            reconciliation.is_clean = reconciliation.state == "done" and not lines

    @api.depends("api_calls", "order_count")
    def _compute_calls_per_order(self):
        for reconciliation in self:
            reconciliation.calls_per_order = (
                reconciliation.api_calls / reconciliation.order_count
                if reconciliation.order_count
                else 0.0
            )

    @api.depends("state")
    def _compute_progress(self):
        """How far the running computation has read the store, as its job
        last said (:meth:`_report_progress`)."""
        progress = {
            row.reconciliation_id.id: row
            for row in self.env["bigcommerce.reconciliation.progress"]
            .sudo()
            .search([("reconciliation_id", "in", self.ids)])
        }
        for reconciliation in self:
            row = progress.get(reconciliation.id)
            if reconciliation.state != "queued" or not row:
                reconciliation.progress = 0.0
                reconciliation.progress_message = False
                continue
            reconciliation.progress = (
                100.0 * row.orders_read / row.orders_expected
                if row.orders_expected
                else 0.0
            )
            reconciliation.progress_message = self.env._(
                "%(read)s of %(expected)s orders read from the store",
                read=f"{row.orders_read:,}",
                expected=f"{row.orders_expected:,}",
            )

    @api.depends("store_net", "ledger_net")
    def _compute_net_difference(self):
        for reconciliation in self:
            reconciliation.net_difference = (
                reconciliation.store_net - reconciliation.ledger_net
            )

    # === ACTION METHODS === #
    def action_compute(self):
        """Queue the computation (again): the lines are those of the run."""
        self.check_access("write")
        self.backend_id.check_access("read")
        for reconciliation in self:
            reconciliation.write({"state": "queued", "error": False})
            reconciliation._delay_compute()
        return True

    def _delay_compute(self):
        """Queue the computation, as every job of the store is queued."""
        self.ensure_one()
        return jobs.delay(
            self.backend_id,
            f"bigcommerce-reconciliation-{self.backend_id.id}-{self.id}",
            f"Reconcile BigCommerce {self.name}",
            records=self,
        )._reconcile()

    def action_print(self):
        """The reconciliation as a PDF, for the month's file."""
        self.check_access("read")
        return self.env.ref(
            "bigcommerce_connector.bigcommerce_reconciliation_report"
        ).report_action(self)

    def action_export_xlsx(self):
        """The reconciliation as an XLSX workbook, downloaded."""
        self.ensure_one()
        self.check_access("read")
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}.xlsx",
                "raw": reconciliation_xlsx(self),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    # === BUSINESS METHODS === #
    def _reconcile(self):
        """Job: compute the reconciliation. Reads BigCommerce and the ledger;
        writes this record only."""
        self.ensure_one()
        reconciler = Reconciler(self, progress=self._report_progress)
        try:
            values = reconciler.run()
        except (BigCommerceError, UserError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            self.write(
                {
                    "state": "failed",
                    "error": message,
                    "api_calls": reconciler.calls,
                    "computed_at": fields.Datetime.now(),
                }
            )
            return message
        figures = values.pop("figures")
        lines = values.pop("lines")
        totals = values.pop("totals")
        self.figure_ids.unlink()
        self.line_ids.unlink()
        self.write(
            dict(
                values,
                state="done",
                error=False,
                computed_at=fields.Datetime.now(),
                figure_ids=[Command.create(v) for v in figures],
                line_ids=[Command.create(v) for v in lines],
            )
        )
        self.summary = self._summary(totals)
        return self.summary

    def _report_progress(self, read, expected):
        """Say how far the job has read the store, on a connection of its
        own, committed at once: the form shows it while the job runs (the
        job's own writes show when it ends). A record not committed yet
        (computed in the transaction that created it) has none."""
        self.ensure_one()
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(
                    """
                    INSERT INTO bigcommerce_reconciliation_progress
                        (reconciliation_id, orders_read, orders_expected)
                    SELECT id, %s, %s FROM bigcommerce_reconciliation WHERE id = %s
                    ON CONFLICT (reconciliation_id) DO UPDATE
                    SET orders_read = EXCLUDED.orders_read,
                        orders_expected = EXCLUDED.orders_expected
                    """,
                    (read, expected, self.id),
                    log_exceptions=False,
                )
        except psycopg2.Error as exc:
            _logger.debug("Progress of %s not said: %s", self.name, exc)

    def _summary(self, totals):
        """One line: ``April 2026: 1,204 orders, USD 183,420.17, ledger equal
        to the store`` (or the count of differences)."""
        amounts = (
            " + ".join(
                f"{name} {summary_amount(amount)}" for name, amount in totals.items()
            )
            or f"{self.currency_id.name} 0.00"
        )
        if not self.line_ids:
            return self.env._(
                "%(period)s: %(orders)s orders, %(amounts)s, ledger equal to the store",
                period=self._period_label(),
                orders=f"{self.invoiced_order_count:,}",
                amounts=amounts,
            )
        return self.env._(
            "%(period)s: %(orders)s orders, %(amounts)s, %(count)s difference(s) "
            "with the ledger",
            period=self._period_label(),
            orders=f"{self.invoiced_order_count:,}",
            amounts=amounts,
            count=len(self.line_ids),
        )


class BigCommerceReconciliationProgress(models.Model):
    """How far a reconciliation's job has read the store. Its own table,
    written on a connection of its own while the job runs: the job's
    transaction never writes it, so the two never conflict."""

    _name = "bigcommerce.reconciliation.progress"
    _description = "BigCommerce Reconciliation Progress"
    _log_access = False

    reconciliation_id = fields.Many2one(
        "bigcommerce.reconciliation", required=True, ondelete="cascade", index=True
    )
    orders_read = fields.Integer()
    orders_expected = fields.Integer()

    _one_per_reconciliation = models.Constraint(
        "unique(reconciliation_id)", "A reconciliation has one progress."
    )


class BigCommerceReconciliationFigure(models.Model):
    """One figure of a reconciliation, the store's beside the ledger's."""

    _name = "bigcommerce.reconciliation.figure"
    _description = "BigCommerce Reconciliation Figure"
    _order = "reconciliation_id, id"

    reconciliation_id = fields.Many2one(
        "bigcommerce.reconciliation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="reconciliation_id.company_id", store=True)
    section = fields.Selection(
        [
            ("status", "Orders by status"),
            ("sales", "Sales"),
            ("money", "Money by journal"),
        ],
        required=True,
    )
    label = fields.Char(required=True)
    currency_id = fields.Many2one("res.currency")
    store_count = fields.Integer(string="Store Count")
    ledger_count = fields.Integer(string="Ledger Count")
    store_amount = fields.Monetary(string="Store")
    ledger_amount = fields.Monetary(string="Ledger")
    difference = fields.Monetary(compute="_compute_difference", store=True)
    journal_id = fields.Many2one(
        "account.journal", string="Clearing Journal", ondelete="set null"
    )
    account_id = fields.Many2one(
        "account.account",
        string="Clearing Account",
        ondelete="set null",
        help="The account a payout of this journal empties.",
    )

    @api.depends("store_amount", "ledger_amount")
    def _compute_difference(self):
        for figure in self:
            figure.difference = figure.store_amount - figure.ledger_amount


class BigCommerceReconciliationLine(models.Model):
    """One difference between the store and the ledger, its cause, and the
    button that fixes it."""

    _name = "bigcommerce.reconciliation.line"
    _description = "BigCommerce Reconciliation Difference"
    _order = "reconciliation_id, kind, bigcommerce_id, id"

    reconciliation_id = fields.Many2one(
        "bigcommerce.reconciliation", required=True, ondelete="cascade", index=True
    )
    backend_id = fields.Many2one(related="reconciliation_id.backend_id", store=True)
    company_id = fields.Many2one(related="reconciliation_id.company_id", store=True)
    kind = fields.Selection(DIFFERENCE_KINDS, string="Difference", required=True)
    cause = fields.Text(required=True)
    fix = fields.Selection(FIXES, required=True)
    state = fields.Selection(
        [("open", "Open"), ("queued", "Fix queued")], default="open", required=True
    )
    bigcommerce_id = fields.Integer(string="BigCommerce ID")
    refund_order_bigcommerce_id = fields.Integer(string="Refund's Order ID")
    order_id = fields.Many2one("bigcommerce.order", string="Order", ondelete="set null")
    refund_id = fields.Many2one(
        "bigcommerce.refund", string="Refund", ondelete="set null"
    )
    move_id = fields.Many2one("account.move", string="Entry", ondelete="set null")
    failure_id = fields.Many2one(
        "bigcommerce.failure", string="Failure", ondelete="set null"
    )
    journal_id = fields.Many2one("account.journal", ondelete="set null")
    currency_id = fields.Many2one("res.currency")
    store_amount = fields.Monetary(string="Store Amount")
    ledger_amount = fields.Monetary(string="Ledger Amount")

    # === ACTION METHODS === #
    def action_fix(self):
        """The line's one-click fix: reprocess its failure, import its order
        or refund now, or open its invoice or order."""
        self.ensure_one()
        self.check_access("read")
        backend = self.reconciliation_id.backend_id
        if self.fix == "reprocess" and self.failure_id:
            self.state = "queued"
            return self.failure_id.action_reprocess()
        if self.fix == "import_order":
            backend.check_access("write")
            self.state = "queued"
            kinds.delay_import(backend, "order", self.bigcommerce_id, origin="manual")
            return self._queued_notification()
        if self.fix == "import_refund":
            backend.check_access("write")
            self.state = "queued"
            kinds.delay_import(
                backend,
                "refund",
                self.bigcommerce_id,
                self.refund_order_bigcommerce_id or None,
            )
            return self._queued_notification()
        if self.fix == "open_order" or not self.move_id:
            return self.action_open_order()
        return self.action_open_entry()

    def _queued_notification(self):
        """What a fix that queued an import answers."""
        return actions.notification(
            self.env._("Import queued"),
            self.env._(
                "BigCommerce #%(id)s will be imported in a moment; compute "
                "the reconciliation again to see it settled.",
                id=self.bigcommerce_id,
            ),
        )

    def action_open_entry(self):
        """Open the line's invoice or credit note."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(self, "account.move", self.move_id.id)

    def action_open_order(self):
        """Open the line's order."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(self, "bigcommerce.order", self.order_id.id)


class BigCommerceBackend(models.Model):
    """The store's last reconciliation, for its form and the dashboard."""

    _inherit = "bigcommerce.backend"

    reconciliation_ids = fields.One2many(
        "bigcommerce.reconciliation", "backend_id", string="Reconciliations"
    )
    last_reconciliation_id = fields.Many2one(
        "bigcommerce.reconciliation",
        compute="_compute_last_reconciliation",
        string="Last Reconciliation",
    )
    reconciliation_count = fields.Integer(compute="_compute_last_reconciliation")
    last_reconciliation_summary = fields.Char(
        compute="_compute_last_reconciliation", string="Last Reconciliation Summary"
    )

    def _compute_last_reconciliation(self):
        Reconciliation = self.env["bigcommerce.reconciliation"]
        for backend in self:
            # ``_origin``: a store being created (a new record) has none.
            last = Reconciliation.search(
                [("backend_id", "=", backend._origin.id), ("state", "=", "done")],
                order="date_to desc, computed_at desc, id desc",
                limit=1,
            )
            backend.last_reconciliation_id = last
            backend.last_reconciliation_summary = last.summary
            backend.reconciliation_count = Reconciliation.search_count(
                [("backend_id", "=", backend._origin.id)]
            )

    def action_view_reconciliations(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_reconciliation_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action
