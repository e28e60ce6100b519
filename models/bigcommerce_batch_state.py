# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where each catch-up of a store is: its watermark and its last outcome.

One row per store and catch-up (orders, refunds, customers), apart from the
store's own row: the catch-ups of one store, the webhook check and an admin
saving the store's form each write a row of their own, and never wait for,
nor conflict with, one another. The store shows them as its fields
(``orders_modified_since``, ``last_catch_up_at``...).
"""

import psycopg2

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError

#: The store's watermark field of each catch-up, by the catch-up's id.
WATERMARK_FIELDS = {
    "orders": "orders_modified_since",
    "refunds": "refunds_created_since",
    "customers": "customers_modified_since",
}


class BigCommerceBatchState(models.Model):
    """One catch-up of one store: from when it lists, and how it ended."""

    _name = "bigcommerce.batch.state"
    _description = "BigCommerce Catch-up State"
    _order = "backend_id, batch"

    # === FIELDS === #
    backend_id = fields.Many2one(
        "bigcommerce.backend", required=True, ondelete="cascade", index=True
    )
    batch = fields.Selection(
        [("orders", "Orders"), ("refunds", "Refunds"), ("customers", "Customers")],
        required=True,
    )
    watermark = fields.Datetime(
        help="The next catch-up lists what changed after this moment (minus the "
        "store's overlap)."
    )
    last_at = fields.Datetime(string="Last Run")
    last_state = fields.Selection([("done", "Done"), ("failed", "Failed")])
    last_result = fields.Char()

    _one_per_batch = models.Constraint(
        "unique(backend_id, batch)", "A store has one state per catch-up."
    )

    # === BUSINESS METHODS === #
    @api.model
    def _of(self, backend, batch):
        """The state of ``batch`` of one store, created the first time with
        the store's default watermark (now)."""
        state = self.search(
            [("backend_id", "=", backend.id), ("batch", "=", batch)], limit=1
        )
        return state or self.create(
            {
                "backend_id": backend.id,
                "batch": batch,
                "watermark": fields.Datetime.now(),
            }
        )

    def _lock(self):
        """Take this state's row for the running catch-up, or ask the job
        queue to retry later, quietly, with no error in the log.

        The importer's lock already keeps two workers of one catch-up apart
        (the scheduled one and the import wizard's); this one also turns
        away the worker whose transaction began before the other's
        committed, which would fail on writing the row."""
        self.ensure_one()
        self.flush_recordset()
        try:
            self.env.cr.execute(
                "SELECT id FROM bigcommerce_batch_state "
                "WHERE id = %s FOR UPDATE NOWAIT",
                [self.id],
                log_exceptions=False,
            )
        except (
            psycopg2.errors.LockNotAvailable,
            *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
        ) as exc:
            raise RetryableJobError(
                f"Another worker runs the {self.batch} catch-up of this store; "
                "trying again shortly.",
                seconds=10,
            ) from exc


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    # === FIELDS === #
    batch_state_ids = fields.One2many(
        "bigcommerce.batch.state", "backend_id", string="Catch-up States"
    )

    # === COMPUTE METHODS === #
    @api.depends(
        "batch_state_ids.watermark",
        "batch_state_ids.last_at",
        "batch_state_ids.last_state",
        "batch_state_ids.last_result",
    )
    def _compute_catch_up_states(self):
        """The watermarks of the store's catch-ups, and the outcome of the
        last catch-up on orders, from their states."""
        for backend in self:
            states = {state.batch: state for state in backend.sudo().batch_state_ids}
            for batch, fname in WATERMARK_FIELDS.items():
                backend[fname] = states[batch].watermark if batch in states else False
            orders = states.get("orders")
            backend.last_catch_up_at = orders.last_at if orders else False
            backend.last_catch_up_state = orders.last_state if orders else False
            backend.last_catch_up_result = orders.last_result if orders else False

    def _inverse_watermarks(self):
        """Set a watermark back (or forward) by hand: on its state."""
        States = self.env["bigcommerce.batch.state"].sudo()
        for backend in self:
            for batch, fname in WATERMARK_FIELDS.items():
                state = States._of(backend, batch)
                # Only what changed: the row of a catch-up running meanwhile
                # is its worker's until it commits.
                if state.watermark != backend[fname]:
                    state.watermark = backend[fname]

    # === CRUD METHODS === #
    @api.model_create_multi
    def create(self, vals_list):
        """Create stores; each catch-up of a new store starts from now."""
        backends = super().create(vals_list)
        States = self.env["bigcommerce.batch.state"].sudo()
        for backend in backends:
            for batch in WATERMARK_FIELDS:
                States._of(backend, batch)
        return backends
