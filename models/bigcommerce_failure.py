# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo import api, fields, models

from ..bigcommerce.client import clean_text
from ..components import actions, kinds


class BigCommerceFailure(models.Model):
    """An import that could not be done, for a person to read and reprocess.

    Transient faults (rate limits, server errors, timeouts, lock conflicts)
    never land here: the job queue retries them. What lands here needs a
    decision or a fix in Odoo (an unknown SKU, a missing account, an order
    whose amounts do not reconcile) or in the store.
    """

    _name = "bigcommerce.failure"
    _description = "BigCommerce Import Failure"
    _inherit = ["mail.thread"]
    _order = "state, last_failed_at desc, id desc"
    _check_company_auto = True

    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    # The record types are declared by the kinds of the registry
    # (``components/kinds.py``), and by the batches: read when used, so that
    # a kind registered by another addon has its own.
    record_type = fields.Selection(
        selection="_selection_record_type",
        string="What",
        required=True,
        default="order",
    )
    bigcommerce_id = fields.Char(string="BigCommerce ID", required=True, index=True)
    name = fields.Char(compute="_compute_name", store=True)
    reason = fields.Text(required=True, tracking=True)
    payload = fields.Text(
        help="What BigCommerce sent, as received, for diagnosis.", readonly=True
    )
    attempts = fields.Integer(default=1, readonly=True)
    first_failed_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    last_failed_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    state = fields.Selection(
        [
            ("open", "To Fix"),
            ("queued", "Reprocessing"),
            ("resolved", "Resolved"),
        ],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    resolved_at = fields.Datetime(readonly=True)
    record_model = fields.Char(string="Record Model", compute="_compute_record")
    record_id = fields.Integer(string="Record ID", compute="_compute_record")
    record_name = fields.Char(string="Record", compute="_compute_record")

    _one_per_record = models.Constraint(
        "unique(backend_id, record_type, bigcommerce_id)",
        "There is already a failure for this BigCommerce record.",
    )

    @api.model
    def _selection_record_type(self):
        """The record types of failures: each kind's, then the batches'."""
        return kinds.failure_type_selection()

    @api.depends("record_type", "bigcommerce_id")
    def _compute_name(self):
        """``<what> #<BigCommerce id>``."""
        labels = dict(self._fields["record_type"]._description_selection(self.env))
        for failure in self:
            failure.name = (
                f"{labels.get(failure.record_type, '')} #{failure.bigcommerce_id}"
            )

    def _compute_record(self):
        """The Odoo record a failure is about, once it exists (after a
        reprocess): the binding its kind's failures name."""
        for failure in self:
            kind = kinds.kind_of_failure(failure.record_type)
            model = kind.failure_model if kind else None
            record = None
            if model and (failure.bigcommerce_id or "").isdigit():
                record = self.env[model].search(
                    [
                        ("backend_id", "=", failure.backend_id.id),
                        ("bigcommerce_id", "=", int(failure.bigcommerce_id)),
                    ],
                    limit=1,
                )
            failure.record_model = model if record else False
            failure.record_id = record.id if record else 0
            failure.record_name = record.display_name if record else False

    def action_open_record(self):
        """Open the order, refund or customer this failure was about."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(self, self.record_model, self.record_id)

    @api.model
    def _record(self, backend, record_type, bigcommerce_id, reason, payload=None):
        """Create or update the failure of a record; one per record.

        The reason is cleaned of control characters (PostgreSQL refuses NUL
        in text); the payload is stored as JSON, which escapes them.
        """
        reason = clean_text(str(reason))
        failure = self.search(
            [
                ("backend_id", "=", backend.id),
                ("record_type", "=", record_type),
                ("bigcommerce_id", "=", str(bigcommerce_id)),
            ],
            limit=1,
        )
        values = {
            "reason": reason,
            "state": "open",
            "last_failed_at": fields.Datetime.now(),
            "resolved_at": False,
        }
        if payload is not None:
            values["payload"] = (
                clean_text(payload)
                if isinstance(payload, str)
                else json.dumps(payload, indent=2, default=str)
            )
        if failure:
            values["attempts"] = failure.attempts + 1
            failure.write(values)
        else:
            failure = self.create(
                dict(
                    values,
                    backend_id=backend.id,
                    record_type=record_type,
                    bigcommerce_id=str(bigcommerce_id),
                )
            )
        return failure

    @api.model
    def _resolve(self, backend, record_type, bigcommerce_id):
        """Mark resolved the failure of a record, once its import succeeded.

        :return: the failures resolved.
        """
        failures = self.search(
            [
                ("backend_id", "=", backend.id),
                ("record_type", "=", record_type),
                ("bigcommerce_id", "=", str(bigcommerce_id)),
                ("state", "!=", "resolved"),
            ]
        )
        failures.write({"state": "resolved", "resolved_at": fields.Datetime.now()})
        return failures

    def action_reprocess(self):
        """Queue the import again (works on many failures at once), and say
        so."""
        # Before anything is queued: the imports spend the store's quota.
        self.check_access("write")
        to_queue = self.filtered(lambda f: f.state != "resolved")
        to_queue._queue_again()
        return actions.notification(
            self.env._("Reprocessing"),
            self.env._(
                "%(count)s import(s) queued again. Each failure shows Resolved "
                "once its import succeeds, or its new reason if it fails again.",
                count=len(to_queue),
            )
            if to_queue
            else self.env._("These failures are already resolved."),
            next_action={"type": "ir.actions.act_window_close"},
        )

    def _queue_again(self):
        """Queue again the import each failure is about, as the registry of
        record kinds says (``components/kinds.py``)."""
        for failure in self:
            # Before queuing: a job run at once resolves the failure itself.
            failure.state = "queued"
            kinds.queue_failure_again(failure)
