# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imports on demand (the import wizard), and their progress.

A run is what one use of the wizard queued: the orders it asked for, each a
line whose state the order's import job sets when it ends (done, skipped,
failed). Each job writes its own line, so parallel workers never wait for
one another; the run's counts are read from its lines.
"""

from odoo import api, fields, models

from ..components.jobs import ORDERS_PER_PAGE_JOB


class BigCommerceImportRun(models.Model):
    _name = "bigcommerce.import.run"
    _description = "BigCommerce Import"
    _order = "id desc"
    _check_company_auto = True

    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    mode = fields.Selection(
        [
            ("numbers", "Orders by number"),
            ("period", "Orders of a period"),
            ("catch_up", "Catch-up"),
        ],
        required=True,
        readonly=True,
    )
    name = fields.Char(required=True, readonly=True)
    date_from = fields.Datetime(readonly=True)
    date_to = fields.Datetime(readonly=True)
    date_field = fields.Selection(
        [("date_created", "Created"), ("date_modified", "Modified")],
        readonly=True,
    )
    listing_state = fields.Selection(
        [("listing", "Listing"), ("listed", "Listed")],
        default="listed",
        readonly=True,
        help="Listing: the orders to import are still being asked from BigCommerce.",
    )
    listing_result = fields.Char(readonly=True)
    line_ids = fields.One2many("bigcommerce.import.run.line", "run_id", readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Finished")],
        compute="_compute_counts",
    )
    total_count = fields.Integer(string="Orders", compute="_compute_counts")
    queued_count = fields.Integer(string="Queued", compute="_compute_counts")
    done_count = fields.Integer(string="Done", compute="_compute_counts")
    failed_count = fields.Integer(string="Failed", compute="_compute_counts")
    skipped_count = fields.Integer(string="Skipped", compute="_compute_counts")
    skipped_summary = fields.Char(string="Skipped Because", compute="_compute_counts")
    progress = fields.Float(compute="_compute_counts")

    # === COMPUTE METHODS === #
    @api.depends("line_ids.state", "listing_state")
    def _compute_counts(self):
        """The run's progress, read from its lines: how many orders are
        queued, done, failed and skipped (and why), and whether it runs."""
        labels = dict(
            self.env["bigcommerce.order"]
            ._fields["status"]
            ._description_selection(self.env)
        )
        for run in self:
            lines = run.line_ids
            by_state = dict.fromkeys(("queued", "done", "failed", "skipped"), 0)
            for line in lines:
                by_state[line.state] += 1
            run.total_count = len(lines)
            run.queued_count = by_state["queued"]
            run.done_count = by_state["done"]
            run.failed_count = by_state["failed"]
            run.skipped_count = by_state["skipped"]
            reasons = {}
            for line in lines.filtered(lambda line: line.state == "skipped"):
                status = line.order_binding_id.status
                label = labels.get(status) or self.env._("other")
                reasons[label] = reasons.get(label, 0) + 1
            run.skipped_summary = ", ".join(
                f"{count} {label}" for label, count in sorted(reasons.items())
            )
            finished = len(lines) - by_state["queued"]
            run.progress = 100.0 * finished / len(lines) if lines else 0.0
            run.state = (
                "running"
                if run.listing_state == "listing" or by_state["queued"]
                else "done"
            )

    # === BUSINESS METHODS === #
    def _queue_orders(self, order_ids, prefetched=None):
        """Add the orders to the run and queue their imports.

        :param prefetched: ``{order id: order}`` as a listing returned them,
            with their lines.
        """
        self.ensure_one()
        backend = self.backend_id
        known = set(self.line_ids.mapped("bigcommerce_id"))
        wanted = [i for i in dict.fromkeys(int(i) for i in order_ids) if i not in known]
        lines = self.env["bigcommerce.import.run.line"].create(
            [{"run_id": self.id, "bigcommerce_id": order_id} for order_id in wanted]
        )
        if not prefetched:
            for line in lines:
                backend._delay_run_order(self, line.id, line.bigcommerce_id)
            return lines
        # Listed orders come with their lines: a page of them per job.
        items = [[line.id, prefetched[line.bigcommerce_id]] for line in lines]
        for start in range(0, len(items), ORDERS_PER_PAGE_JOB):
            backend._delay_orders_page(self, items[start : start + ORDERS_PER_PAGE_JOB])
        return lines

    def _list_again(self):
        """Queue the listing of the run's period again (after a failure)."""
        self.ensure_one()
        self.listing_state = "listing"
        return self.backend_id._delay_orders_listing(
            self, self.date_from, self.date_to, self.date_field
        )

    def _listing_done(self, result):
        """The listing of the run's orders is over; ``result`` says how it
        ended (the listing's or the catch-up's last sentence)."""
        self.write({"listing_state": "listed", "listing_result": result[:250]})


class BigCommerceImportRunLine(models.Model):
    _name = "bigcommerce.import.run.line"
    _description = "BigCommerce Import: one order"
    _order = "id"

    run_id = fields.Many2one(
        "bigcommerce.import.run", required=True, ondelete="cascade", index=True
    )
    backend_id = fields.Many2one(related="run_id.backend_id")
    company_id = fields.Many2one(related="run_id.company_id")
    bigcommerce_id = fields.Integer(string="Order ID", required=True)
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("skipped", "Skipped"),
        ],
        default="queued",
        required=True,
    )
    message = fields.Char()
    order_binding_id = fields.Many2one("bigcommerce.order", string="Order")

    def _set_outcome(self, outcome, message):
        """What the import job of the order ended with; ``None`` while it is
        still to be retried."""
        if not outcome:
            return
        binding = (
            self.env["bigcommerce.order"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", self.run_id.backend_id.id),
                    ("bigcommerce_id", "=", self.bigcommerce_id),
                ],
                limit=1,
            )
        )
        self.write(
            {
                "state": outcome,
                "message": (message or "")[:250],
                "order_binding_id": binding.id,
            }
        )
