# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The audit trail of webhook deliveries.

Every delivery that reached a store's webhook address is one row: its id,
scope, the object it was about (its subject: an order, a refund, a customer
or a shipment), when it came and what became of it (queued, ignored,
duplicate, refused and why; a queued one then follows the job it queued to
Done or Failed). Kept for the store's number of days,
so that an accountant can answer "did BigCommerce ever tell us about order
1234?".

The log is also the replay guard: the row of a queued delivery *claims*
its ``webhook-id`` under a unique index, so that the same delivery sent
again (a replay within the signature's tolerance, BigCommerce retrying a
delivery whose answer it lost), even concurrently, is a duplicate. The
claim, the row and the delivery's job are one statement
(:meth:`BigCommerceWebhookLog._claim`, an ``INSERT ... ON CONFLICT DO
NOTHING``): that statement is the acknowledgement of a delivery.

Deliveries to an address no store has are not recorded here (only in the
server log): nothing identifies them, and anyone may send them.

Anyone may also post to a store's address. Deliveries refused before a
signed envelope was read (too large, unsigned, not JSON) are counted, not
written one row each, once more than :data:`REFUSALS_LOGGED_ONE_BY_ONE` of
one reason reach a store in a minute: the rest of that minute is one row
saying how many came, and when the first and the last did
(:meth:`BigCommerceWebhookLog._record_refused`).
"""

import logging
from collections import namedtuple
from datetime import timedelta

import psycopg2
import psycopg2.errors

from odoo import api, fields, models
from odoo.tools import SQL

from ..bigcommerce.client import clean_text
from ..bigcommerce.webhook import WebhookMalformed, webhook_subject
from ..components import actions, jobs

_logger = logging.getLogger(__name__)

# Unsigned refused deliveries of one store and reason logged one row each
# per minute; the others of the minute are counted on one row.
REFUSALS_LOGGED_ONE_BY_ONE = 5
REFUSAL_WINDOW = timedelta(minutes=1)
# Why a delivery is a duplicate.
DUPLICATE_REASON = "this webhook id was already received"


def _small_int(value):
    """``value`` as a positive 32-bit integer, else 0."""
    if isinstance(value, bool):
        return 0
    try:
        value = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return value if 0 < value < 2**31 else 0


# The columns of one delivery's log row.
LogRow = namedtuple(
    "LogRow",
    "backend_id company_id outcome http_status reason webhook_id scope "
    "resource_type resource_id order_id subject subject_id",
)
# What a delivery can be about, as the registry of record kinds names them.
SUBJECTS = [
    ("order", "Order"),
    ("refund", "Refund"),
    ("customer", "Customer"),
    ("shipment", "Shipment"),
]
# What became of a delivery: at receipt, then as its job went.
RESULTS = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
    ("ignored", "Ignored"),
    ("duplicate", "Duplicate"),
    ("refused", "Refused"),
]
# The outcome of a delivery by the state of the job it queued.
RESULT_BY_JOB_STATE = {
    "wait_dependencies": "queued",
    "pending": "queued",
    "enqueued": "queued",
    "started": "running",
    "done": "done",
    "failed": "failed",
    "cancelled": "cancelled",
}


class BigCommerceWebhookLog(models.Model):
    _name = "bigcommerce.webhook.log"
    _description = "BigCommerce Webhook Delivery Log"
    _order = "received_at desc, id desc"
    _rec_name = "webhook_id"
    _log_access = False

    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    received_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    webhook_id = fields.Char(string="Webhook ID", readonly=True)
    scope = fields.Char(readonly=True)
    resource_type = fields.Char(string="About", readonly=True)
    resource_id = fields.Integer(
        string="Object ID",
        readonly=True,
        help="The id in the delivery: the order's, the customer's, the shipment's...",
    )
    order_id = fields.Integer(
        string="Order",
        readonly=True,
        index=True,
        help="The BigCommerce order the delivery was about, if any.",
    )
    outcome = fields.Selection(
        [
            ("queued", "Queued"),
            ("ignored", "Ignored"),
            ("duplicate", "Duplicate"),
            ("refused", "Refused"),
        ],
        string="On Receipt",
        required=True,
        readonly=True,
        index=True,
        help="What the webhook route did with the delivery when it came: "
        "queued its import, ignored it (a scope the connector does not "
        "handle), a duplicate of a delivery already received, or refused it.",
    )
    subject = fields.Selection(
        SUBJECTS,
        readonly=True,
        help="What the delivery is about: an order, a refund, a customer (or "
        "one of their addresses) or a shipment.",
    )
    subject_id = fields.Integer(
        string="Subject ID",
        readonly=True,
        index="btree_not_null",
        help="The BigCommerce id of what the delivery is about: the order's, "
        "the refund's, the customer's or the shipment's.",
    )
    subject_name = fields.Char(
        string="About What",
        compute="_compute_subject_name",
        help="The delivery's subject in words, with its order for a refund "
        "or a shipment.",
    )
    subject_ref = fields.Reference(
        [
            ("bigcommerce.order", "Order"),
            ("bigcommerce.refund", "Refund"),
            ("bigcommerce.customer", "Customer"),
            ("bigcommerce.shipment", "Shipment"),
        ],
        string="Record",
        compute="_compute_subject_ref",
        help="The subject as Odoo holds it, once imported.",
    )
    job_id = fields.Many2one(
        "queue.job",
        string="Job",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        groups="queue_job.group_queue_job_manager",
        help="The job the delivery queued (or the one already waiting for "
        "the same record).",
    )
    result = fields.Selection(
        RESULTS,
        string="Outcome",
        compute="_compute_result",
        compute_sudo=True,
        help="What became of the delivery: as on receipt, then, for a queued "
        "one, as its job went: Running, Done, or Failed (the import failed: "
        "its failure says why).",
    )
    failure_id = fields.Many2one(
        "bigcommerce.failure",
        string="Failure",
        compute="_compute_result",
        compute_sudo=True,
        help="The failure of the delivery's import, while it waits for a fix.",
    )
    reason = fields.Char(readonly=True)
    http_status = fields.Integer(string="Answer", readonly=True)
    delivery_count = fields.Integer(
        string="Deliveries",
        default=1,
        readonly=True,
        help="How many deliveries this row stands for: 1, or, for refused "
        "unsigned deliveries beyond the first few of a minute, how many more "
        "of that reason came in that minute.",
    )
    last_received_at = fields.Datetime(
        string="Last Received",
        readonly=True,
        help="For a row that counts several refused deliveries: when the last "
        "of them came (the first came at Received At).",
    )
    window_start = fields.Datetime(
        string="Counted From",
        readonly=True,
        help="For a row that counts several refused deliveries: the minute "
        "they came in.",
    )

    claimed = fields.Boolean(
        readonly=True,
        help="Set on the row of a queued delivery: it holds the delivery's "
        "webhook id, so that the same delivery sent again is a duplicate.",
    )

    # One row counts a store's refused deliveries of one reason in a minute.
    _refusal_count_uniq = models.UniqueIndex(
        "(backend_id, reason, window_start) WHERE window_start IS NOT NULL"
    )
    # The replay guard: one queued delivery per store and webhook id.
    _claim_uniq = models.UniqueIndex("(backend_id, webhook_id) WHERE claimed")

    # === COMPUTE METHODS === #
    @api.depends("subject", "subject_id", "order_id")
    def _compute_subject_name(self):
        """``Order #12``, ``Refund #3 of order #12``, ``Customer #7``."""
        labels = dict(SUBJECTS)
        for log in self:
            if not log.subject:
                log.subject_name = False
                continue
            name = f"{labels[log.subject]} #{log.subject_id}"
            if log.subject in ("refund", "shipment") and log.order_id:
                name = self.env._(
                    "%(subject)s of order #%(order)s", subject=name, order=log.order_id
                )
            log.subject_name = name

    def _compute_subject_ref(self):
        """The binding of the delivery's subject, once imported."""
        records = self._subject_records()
        for log in self:
            record = records[log.id]
            log.subject_ref = f"{record._name},{record.id}" if record else False

    def _compute_result(self):
        """As on receipt; for a queued delivery, as its job went. An import
        that recorded a failure (its job is done all the same) is failed
        while the failure waits. Read for the whole recordset at once."""
        failures = self._subject_failures()
        records = None
        for log in self:
            failure = failures[log.id]
            log.failure_id = failure
            if log.outcome != "queued":
                log.result = log.outcome
            elif failure:
                log.result = "failed"
            elif log.job_id:
                log.result = RESULT_BY_JOB_STATE.get(log.job_id.state, "queued")
            else:
                # No job (forgotten by the queue since): imported since?
                if records is None:
                    records = self._subject_records()
                record = records[log.id]
                synced = record and "sync_date" in record._fields and record.sync_date
                log.result = (
                    "done" if synced and synced >= log.received_at else "queued"
                )

    # === ACTION METHODS === #
    def action_open_subject(self):
        """Open what the delivery is about, as Odoo holds it."""
        self.ensure_one()
        self.check_access("read")
        record = self._subject_record()
        if not record:
            return False
        return actions.open_form(self, record._name, record.id)

    def action_open_failure(self):
        """Open the failure of the delivery's import."""
        self.ensure_one()
        self.check_access("read")
        return actions.open_form(self, "bigcommerce.failure", self.failure_id.id)

    # === BUSINESS METHODS === #
    @api.model
    def _subject_values(self, scope, data):
        """``subject`` and ``subject_id`` of a delivery of ``scope`` with
        ``data``, as the webhook route reads them."""
        try:
            subject = webhook_subject(scope, data) if isinstance(scope, str) else None
        except WebhookMalformed:
            subject = None
        if not subject:
            return {}
        kind, args = subject
        if kind == "shipments":
            # The job reads the order's shipments; the delivery is one.
            shipment_id = data.get("id")
            return {
                "subject": "shipment",
                "subject_id": shipment_id
                if isinstance(shipment_id, int) and 0 < shipment_id < 2**31
                else 0,
            }
        if kind not in dict(SUBJECTS):
            # A kind another addon registered: its scope says what it is.
            return {}
        return {"subject": kind, "subject_id": args[0]}

    @api.model
    def _row(
        self, backend, outcome, http_status, reason=None, envelope=None, webhook_id=None
    ):
        """The log row of one delivery to ``backend`` (a store record, or
        the route's cached ``WebhookStore``), as a :data:`LogRow`.
        ``envelope`` is only given for a delivery whose signature was
        verified: what an unsigned body says is not worth keeping."""
        data = (envelope or {}).get("data")
        data = data if isinstance(data, dict) else {}
        scope = (envelope or {}).get("scope")
        company = backend.company_id
        subject = self._subject_values(scope, data)
        return LogRow(
            backend_id=backend.id,
            company_id=getattr(company, "id", company) or None,
            outcome=outcome,
            http_status=http_status,
            # Signed text may still hold what PostgreSQL refuses (NUL).
            reason=clean_text(str(reason or ""))[:250] or None,
            webhook_id=clean_text(str(webhook_id or ""))[:128] or None,
            scope=clean_text(scope)[:128] if isinstance(scope, str) else None,
            resource_type=(
                clean_text(data["type"])[:32]
                if isinstance(data.get("type"), str)
                else None
            ),
            resource_id=_small_int(data.get("id")),
            order_id=_small_int(
                data.get("orderId") or data.get("order_id")
                if data.get("type") in ("shipment", "transaction")
                else data.get("id")
                if data.get("type") == "order"
                else None
            ),
            subject=subject.get("subject"),
            subject_id=subject.get("subject_id"),
        )

    @api.model
    def _record(
        self,
        backend,
        outcome,
        http_status,
        reason=None,
        envelope=None,
        webhook_id=None,
        job=None,
    ):
        """Log one delivery to ``backend``, in one statement; the log
        record. ``envelope`` is only given for a delivery whose signature
        was verified: what an unsigned body says is not worth keeping.

        :param backend: the store, a record or the webhook route's cached
            ``WebhookStore``.
        :param job: what queueing the delivery's import returned (a queue_job
            ``Job``, or the ``queue.job`` already waiting for the record).
        """
        row = self._row(backend, outcome, http_status, reason, envelope, webhook_id)
        self.env.cr.execute(
            SQL(
                "INSERT INTO bigcommerce_webhook_log (%s, job_id, received_at, "
                "delivery_count) VALUES (%s, %s, %s, 1) RETURNING id",
                SQL(", ").join(SQL.identifier(name) for name in row._fields),
                SQL(", ").join(SQL("%s", value) for value in row),
                self._job_record(job).id or None if job else None,
                fields.Datetime.now(),
            )
        )
        return self.browse(self.env.cr.fetchone()[0])

    @api.model
    def _claim(self, backend, envelope, webhook_id, job=None):
        """Claim a verified delivery's ``webhook_id``, log it and store its
        job: ``True``, queued; or, when the id was already claimed, log it
        as a duplicate: ``False``. One statement.

        Of concurrent deliveries of one id, the unique index lets one
        through and makes the others wait for it. In the request's
        REPEATABLE READ transaction, a claim committed by another request
        after this transaction began is a serialization failure: the claim
        is then the only thing this transaction holds (the acknowledgement
        starts with it), which is rolled back, and the claim is tried again
        on a fresh snapshot, which sees the other claim.

        :param backend: the store, a record or the webhook route's cached
            ``WebhookStore``.
        :param envelope: the verified envelope (its scope and data are
            logged).
        :param job: the delivery's job, a queue_job ``Job`` built and not
            stored (``jobs.build()``), or ``None``. It is stored by the same
            statement when the delivery is claimed, unless a job of its
            identity key is waiting (queue_job's own rule): the row then
            names that job.
        """
        queued = self._row(backend, "queued", 200, None, envelope, webhook_id)
        duplicate = queued._replace(outcome="duplicate", reason=DUPLICATE_REASON)
        columns = SQL(", ").join(SQL.identifier(name) for name in queued._fields)
        now = fields.Datetime.now()
        job_ctes, job_id, job_insert = SQL(), SQL("NULL"), SQL()
        if job is not None:
            job_columns, job_values = jobs.row(job)
            job_ctes = SQL(
                """
                new_job AS (SELECT nextval('queue_job_id_seq') AS id),
                pending AS (
                    SELECT id FROM queue_job
                    WHERE identity_key = %(key)s AND state IN %(active)s
                    LIMIT 1
                ),
                """,
                key=job.identity_key,
                active=jobs.WAITING_STATES,
            )
            job_id = SQL("COALESCE((SELECT id FROM pending), (SELECT id FROM new_job))")
            job_insert = SQL(
                """
                , job AS (
                    INSERT INTO queue_job (id, %(columns)s)
                    SELECT new_job.id, %(values)s
                    FROM claim JOIN new_job ON claim.job_id = new_job.id
                    RETURNING id
                )
                """,
                columns=job_columns,
                values=job_values,
            )
        query = SQL(
            """
            WITH %(job_ctes)s claim AS (
                INSERT INTO bigcommerce_webhook_log
                    (%(columns)s, received_at, delivery_count, claimed, job_id)
                SELECT %(queued)s, %(now)s, 1, TRUE, %(job_id)s
                ON CONFLICT (backend_id, webhook_id) WHERE claimed DO NOTHING
                RETURNING job_id
            ), duplicate AS (
                INSERT INTO bigcommerce_webhook_log
                    (%(columns)s, received_at, delivery_count)
                SELECT %(duplicate)s, %(now)s, 1
                WHERE NOT EXISTS (SELECT FROM claim)
            ) %(job_insert)s
            SELECT EXISTS (SELECT FROM claim)
            """,
            job_ctes=job_ctes,
            columns=columns,
            queued=SQL(", ").join(SQL("%s", value) for value in queued),
            duplicate=SQL(", ").join(SQL("%s", value) for value in duplicate),
            now=now,
            job_id=job_id,
            job_insert=job_insert,
        )
        # (Nothing to write, and no statement, when no row was changed.)
        self.flush_model(["backend_id", "webhook_id", "claimed"])
        self.env["queue.job"].flush_model(["identity_key", "state"])
        cr = self.env.cr
        try:
            cr.execute(query, log_exceptions=False)
        except psycopg2.errors.SerializationFailure:
            cr.rollback()
            cr.execute(query)
        return cr.fetchone()[0]

    @api.model
    def _link_job(self, backend, webhook_id, job):
        """Name ``job`` (what queueing a delivery's import returned) on the
        row that claimed ``webhook_id``: for a job queued apart from the
        claim (queue_job's tools at work)."""
        job_id = self._job_record(job).id if job else None
        if job_id:
            self.env.cr.execute(
                SQL(
                    "UPDATE bigcommerce_webhook_log SET job_id = %s "
                    "WHERE backend_id = %s AND webhook_id = %s AND claimed",
                    job_id,
                    backend.id,
                    webhook_id,
                )
            )

    @api.model
    def _job_record(self, job):
        """The ``queue.job`` of ``job`` (a queue_job ``Job``, or a
        ``queue.job`` record), if stored."""
        jobs = self.env["queue.job"].sudo()
        if isinstance(job, models.BaseModel):
            return job.sudo()[:1]
        job_uuid = getattr(job, "uuid", None)
        if not job_uuid:
            return jobs
        return jobs.search([("uuid", "=", job_uuid)], limit=1)

    @api.autovacuum
    def _gc_old_log(self):
        """Forget deliveries older than their store keeps them."""
        for backend in (
            self.env["bigcommerce.backend"].with_context(active_test=False).search([])
        ):
            days = backend.webhook_log_days
            if days > 0:
                self.search(
                    [
                        ("backend_id", "=", backend.id),
                        (
                            "received_at",
                            "<",
                            fields.Datetime.now() - timedelta(days=days),
                        ),
                    ]
                ).unlink()
