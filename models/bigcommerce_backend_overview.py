# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A BigCommerce store at a glance: the overview's card (the app's first
screen) and the health state its form shows in the same words.

The health is decided here only, from what the store already knows
(``bigcommerce_backend_health.py``: the connection test, the webhooks and
their deliveries) and from what waits: failures and queued jobs. The
figures of the card (orders and invoiced amounts, jobs, failures) each open
their list.
"""

import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..components import actions
from ..components.accounting import period_bounds, store_date

# The store's health, worst last but one: what the card, the ribbon and the
# header of the form say.
HEALTH_STATES = [
    ("healthy", "Healthy"),
    ("delayed", "Delayed"),
    ("failing", "Failing"),
    ("disconnected", "Disconnected"),
]
# States of a queued job that has not run yet (queue_job's).
WAITING_JOB_STATES = ("wait_dependencies", "pending", "enqueued")
# Days in the card's graph of orders per day, today included.
GRAPH_DAYS = 14


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    # === FIELDS === #
    health_state = fields.Selection(
        HEALTH_STATES,
        string="Health",
        compute="_compute_health",
        help="Healthy: connected, nothing waits too long. Delayed: no webhook "
        "delivery for the store's hours, or jobs waiting longer than its "
        "minutes. Failing: imports failed and wait for a fix, or BigCommerce "
        "deactivated the store's webhooks. Disconnected: BigCommerce did not "
        "answer the last connection test, or the store has no access token.",
    )
    health_message = fields.Text(
        compute="_compute_health", help="Why the store is not healthy, and what to do."
    )
    job_delay_minutes = fields.Integer(
        string="Warn After (minutes a job waits)",
        default=30,
        help="The store shows Delayed when one of its jobs has waited this long "
        "without running: the job runner may be stopped, or the store's rate "
        "limit reached.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    orders_today_count = fields.Integer(
        string="Orders Today", compute="_compute_overview"
    )
    orders_month_count = fields.Integer(
        string="Orders This Month", compute="_compute_overview"
    )
    invoiced_today_amount = fields.Monetary(
        string="Invoiced Today",
        currency_field="company_currency_id",
        compute="_compute_overview",
        help="Posted invoices of the store dated today, tax included, in the "
        "company's currency.",
    )
    invoiced_month_amount = fields.Monetary(
        string="Invoiced This Month",
        currency_field="company_currency_id",
        compute="_compute_overview",
        help="Posted invoices of the store dated this month, tax included, in "
        "the company's currency.",
    )
    waiting_job_count = fields.Integer(
        string="Jobs Waiting",
        compute="_compute_waiting_jobs",
        help="The store's queued jobs that have not run yet.",
    )
    oldest_waiting_job_at = fields.Datetime(
        string="Oldest Job Waiting Since", compute="_compute_waiting_jobs"
    )
    orders_graph = fields.Text(
        compute="_compute_overview",
        help="Orders per day of the last two weeks, for the overview's graph "
        "(JSON: day, label, count and bar height).",
    )

    # === COMPUTE METHODS === #
    def _compute_waiting_jobs(self):
        """The store's jobs not run yet, and since when the oldest waits."""
        waiting = self._waiting_jobs()
        for backend in self:
            job_ids, oldest = waiting.get(backend.id, ([], False))
            backend.waiting_job_count = len(job_ids)
            backend.oldest_waiting_job_at = oldest

    @api.depends("timezone")
    @api.depends_context("uid")
    def _compute_overview(self):
        """The card's figures: orders and invoiced amounts of today and of
        this month, and the orders of each of the last days: the store's
        days (in its time zone), as its invoices are dated."""
        for backend in self:
            if not backend._origin.id:
                backend.orders_today_count = backend.orders_month_count = 0
                backend.invoiced_today_amount = backend.invoiced_month_amount = 0.0
                backend.orders_graph = "[]"
                continue
            # A store edited in a form is a new record: its figures are the
            # stored store's.
            store = backend._origin
            backend.orders_today_count = store.env["bigcommerce.order"].search_count(
                store._orders_domain("today")
            )
            backend.orders_month_count = store.env["bigcommerce.order"].search_count(
                store._orders_domain("month")
            )
            for period in ("today", "month"):
                [[total]] = store.env["account.move"]._read_group(
                    store._invoices_domain(period), [], ["amount_total_signed:sum"]
                )
                backend[f"invoiced_{period}_amount"] = total or 0.0
            backend.orders_graph = json.dumps(store._orders_per_day())

    def _compute_health(self):
        """The store's health, in one place: the card, the ribbon and the
        header of its form say it. The worst reason wins: disconnected, then
        failing, then delayed."""
        now = fields.Datetime.now()
        for backend in self:
            reasons = {state: [] for state, _label in HEALTH_STATES}
            if backend.state != "connected":
                reasons["disconnected"].append(
                    backend.state_message
                    or self.env._(
                        "BigCommerce did not answer: press Test connection once "
                        "the access token is entered."
                    )
                )
            if backend.failure_count:
                reasons["failing"].append(
                    self.env._(
                        "%(count)s import(s) failed and wait for a fix: open "
                        "Failures, fix what each says, then reprocess it.",
                        count=backend.failure_count,
                    )
                )
            # A store edited in a form is a new record: what it received is
            # the stored store's.
            store = backend._origin or backend
            inactive = store._inactive_hooks()
            if inactive:
                reasons["failing"].append(
                    self.env._(
                        "BigCommerce deactivated the webhooks %(scopes)s: press "
                        "Register webhooks to turn them on again.",
                        scopes=", ".join(sorted(inactive.mapped("scope"))),
                    )
                )
            silence = store.id and store._webhook_silence()
            if silence:
                reasons["delayed"].append(silence)
            oldest = backend.oldest_waiting_job_at
            if (
                oldest
                and backend.job_delay_minutes > 0
                and oldest < now - timedelta(minutes=backend.job_delay_minutes)
            ):
                reasons["delayed"].append(
                    self.env._(
                        "%(count)s job(s) waiting, the oldest since %(when)s (UTC): "
                        "check that the job runner is running.",
                        count=backend.waiting_job_count,
                        when=fields.Datetime.to_string(oldest),
                    )
                )
            state = next(
                (
                    state
                    for state in ("disconnected", "failing", "delayed")
                    if reasons[state]
                ),
                "healthy",
            )
            backend.health_state = state
            backend.health_message = (
                "\n".join(reasons[state]) if state != "healthy" else False
            )

    # === ACTION METHODS === #
    def action_view_orders_today(self):
        """Open the store's orders placed today."""
        return self._action_view_orders("today")

    def action_view_orders_month(self):
        """Open the store's orders placed this month."""
        return self._action_view_orders("month")

    def _action_view_orders(self, period):
        """The store's orders of ``period`` (``today`` or ``month``)."""
        action = self._action_view("bigcommerce_connector.bigcommerce_order_action")
        action["domain"] = self._orders_domain(period)
        return action

    def action_view_invoiced_today(self):
        """Open the store's posted invoices dated today."""
        return self._action_view_invoices("today")

    def action_view_invoiced_month(self):
        """Open the store's posted invoices dated this month."""
        return self._action_view_invoices("month")

    def _action_view_invoices(self, period):
        """The store's posted invoices of ``period`` (``today`` or ``month``)."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = self._invoices_domain(period)
        action["context"] = {"create": False}
        return action

    def action_view_waiting_jobs(self):
        """Open the store's jobs that have not run yet (job queue managers)."""
        self.ensure_one()
        self.check_access("read")
        job_ids, _oldest = self._waiting_jobs().get(self.id, ([], False))
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "queue_job.action_queue_job"
        )
        action["domain"] = [("id", "in", job_ids)]
        action["context"] = {}
        return action

    def action_view_waiting_failures(self):
        """Open the store's failures waiting for a fix or a reprocess."""
        action = self.action_view_failures()
        action["domain"] = [("backend_id", "=", self.id), ("state", "!=", "resolved")]
        return action

    def action_open_store(self):
        """Open the store's form, from its card."""
        return actions.open_form(self)

    # === BUSINESS METHODS === #
    def _inactive_hooks(self):
        """The store's own webhooks (to its address) BigCommerce lists as
        inactive."""
        self.ensure_one()
        return self.webhook_subscription_ids.filtered(
            lambda sub: not sub.is_active and sub.destination == self.webhook_url
        )

    def _waiting_jobs(self):
        """``{store id: (ids of its jobs not run yet, since when the oldest
        waits)}``: the jobs run on the store (every job of a store is, but
        the month-end reconciliation's)."""
        ids = [backend_id for backend_id in self._origin.ids if backend_id]
        if not ids:
            return {}
        self.env["queue.job"].flush_model(["records", "state", "date_created"])
        self.env.cr.execute(
            SQL(
                """
                SELECT store.id::int, array_agg(job.id ORDER BY job.id),
                       min(job.date_created)
                FROM queue_job job,
                     -- queue_job stores its records as a JSON text in jsonb.
                     jsonb_array_elements_text(
                         CASE jsonb_typeof(job.records)
                             WHEN 'string' THEN (job.records #>> '{}')::jsonb
                             ELSE job.records
                         END -> 'ids'
                     ) AS store(id)
                WHERE job.model_name = %s AND job.state IN %s
                  AND store.id::int = ANY(%s)
                GROUP BY store.id
                """,
                self._name,
                WAITING_JOB_STATES,
                ids,
            )
        )
        return {
            backend_id: (job_ids, oldest)
            for backend_id, job_ids, oldest in self.env.cr.fetchall()
        }

    def _store_day_bounds(self, period):
        """``(first day, last day, start, end)`` of ``period`` (``today``,
        ``month``) in the store's time zone, the days its invoices are dated
        by: the days as dates, the bounds as naive UTC datetimes (end
        excluded)."""
        self.ensure_one()
        today = store_date(self)
        if period == "today":
            first, last = today, today
        else:
            first = today.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        start, end = period_bounds(self, first, last)
        return first, last, start, end

    def _orders_domain(self, period):
        """The store's orders placed in ``period`` (``today``, ``month``)."""
        self.ensure_one()
        _first, _last, start, end = self._store_day_bounds(period)
        return [
            ("backend_id", "=", self.id),
            ("date_created", ">=", start),
            ("date_created", "<", end),
        ]

    def _invoices_domain(self, period):
        """The store's posted invoices dated in ``period`` (``today``,
        ``month``)."""
        self.ensure_one()
        first, last, _start, _end = self._store_day_bounds(period)
        return [
            ("bigcommerce_order_ids.backend_id", "=", self.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("invoice_date", ">=", first),
            ("invoice_date", "<=", last),
        ]

    def _orders_per_day(self):
        """The store's orders of each of the last :data:`GRAPH_DAYS` days
        (the store's days), oldest first: ``{"day", "label", "count",
        "height"}``, the height in percent of the busiest day's."""
        self.ensure_one()
        today = store_date(self)
        days = [today - timedelta(days=back) for back in range(GRAPH_DAYS - 1, -1, -1)]
        counts = dict.fromkeys(days, 0)
        start, _end = period_bounds(self, days[0], today)
        orders = self.env["bigcommerce.order"].search_fetch(
            [("backend_id", "=", self.id), ("date_created", ">=", start)],
            ["date_created"],
        )
        for moment in orders.mapped("date_created"):
            day = store_date(self, moment)
            if day in counts:
                counts[day] += 1
        busiest = max(counts.values()) or 1
        return [
            {
                "day": day.isoformat(),
                "label": day.strftime("%d %b"),
                "count": count,
                "height": round(100 * count / busiest),
            }
            for day, count in counts.items()
        ]
