# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The import of one BigCommerce record, in named steps.

:class:`BigCommerceImporter` runs the steps every kind of record goes
through, and sorts what can go wrong in one place; a kind's importer (e.g.
:class:`~.order_importer.OrderImporter`) fills the steps in::

    lock -> fetch -> skip? -> map -> validate -> create or update -> bind
         -> after import

Whatever happens, an import ends in one of three ways: the record is in
Odoo, the job is retried later (a transient fault: rate limit, server error,
timeout, a concurrent worker), or a failure record says what to fix and can
be reprocessed. Everything is written in one savepoint: nothing is
half-written.
"""

import logging
import math
import threading
from contextlib import contextmanager

import psycopg2
import psycopg2.errors

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce import BigCommerceError, BigCommerceRetryableError
from ..bigcommerce.mapping import MappingError
from .binder import BigCommerceBinder

_logger = logging.getLogger(__name__)


class _UniqueViolationFilter(logging.Filter):
    """Drops the "bad query" error PostgreSQL's unique indexes cause in one
    thread: there, the violation is an expected race, handled and logged
    by the caller."""

    def __init__(self):
        """Drops the violations of the thread that makes the filter."""
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record):
        """Whether ``record`` is logged: not a unique violation of this
        filter's thread."""
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


class BigCommerceImporter:
    """Imports one BigCommerce record of one store.

    A kind's importer sets :attr:`kind` and :attr:`binding_model` and
    overrides the steps it needs; :meth:`run` calls them in order.
    """

    #: The BigCommerce object kind, as in external IDs and failure records.
    kind = None
    #: The kind's binding model (a ``bigcommerce.binding``).
    binding_model = None

    def __init__(self, backend, bigcommerce_id):
        """:param backend: the store (``bigcommerce.backend``), one record.
        :param bigcommerce_id: the record's BigCommerce id.
        """
        backend.ensure_one()
        self.backend = backend
        self.env = backend.env
        self.bigcommerce_id = bigcommerce_id
        self.binder = BigCommerceBinder(backend, self.kind, self.binding_model)
        self.client = None
        # What the store answered, for the failure record.
        self.fetched = {}
        self.binding = self.binder.bindings.browse() if self.binding_model else None
        #: How the run ended: "done", "skipped" or "failed" (``None`` while
        #: it runs, or when the job is to be retried).
        self.outcome = None
        self.outcome_message = None

    # --- the run --------------------------------------------------------
    def run(self):
        """Import the record; returns a sentence saying what became of it."""
        self.binder.lock(self.bigcommerce_id)
        try:
            with expected_unique_violations(), self.env.cr.savepoint():
                return self._import()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # Serialization failures and deadlocks: queue_job retries them.
            raise
        except psycopg2.IntegrityError as exc:
            # Another worker bound the same record first.
            _logger.info("BigCommerce %s was imported concurrently", self._label())
            if not self._is_last_try():
                raise RetryableJobError(
                    f"{self._label()} was imported concurrently; checking again.",
                    seconds=5,
                ) from exc
            message = self.env._(
                "Imported concurrently, and still conflicting: %(error)s",
                error=exc.pgerror,
            )
        except RetryableJobError as exc:
            if exc.ignore_retry or not self._is_last_try():
                raise
            message = str(exc)
        except (BigCommerceError, MappingError, UserError, ValidationError) as exc:
            message = getattr(exc, "message", None) or str(exc)
        except Exception as exc:
            _logger.exception("BigCommerce %s: unexpected error", self._label())
            message = self.env._(
                "Unexpected error (%(error_type)s): %(error)s",
                error_type=type(exc).__name__,
                error=exc,
            )
        return self._fail(message)

    def _import(self):
        """The steps, in order; returns the run's sentence. What one step
        makes that the next needs is the return value of :meth:`_map` (the
        ``mapped`` argument of the steps after it), or an attribute that
        the kind's ``__init__`` declares."""
        self.client = self.backend._get_client()
        self._fetch()
        skipped = self._must_skip()
        if skipped:
            self.binding = self._bind_skipped(skipped)
            self._after_skip(skipped)
            self._resolve_failure()
            self.outcome = "skipped"
            return skipped
        mapped = self._map()
        self._validate(mapped)
        record = self._create_or_update(mapped)
        self.binding = self._bind(record, mapped)
        self._after_import(mapped)
        self._resolve_failure()
        self.outcome = "done"
        return self._result()

    # --- the steps, for a kind to fill in -----------------------------------
    def _fetch(self):
        """Read the record from BigCommerce into :attr:`fetched`."""
        raise NotImplementedError

    def _must_skip(self):
        """A sentence saying why the record is not imported, or ``""``.

        A decision only, read from what :meth:`_fetch` found: what a
        skipped record still needs written is :meth:`_bind_skipped`'s and
        :meth:`_after_skip`'s.
        """
        return ""

    def _map(self):
        """The Odoo-independent values of the record (``bigcommerce.mapping``)."""
        raise NotImplementedError

    def _validate(self, mapped):
        """Resolve and check what the record needs in Odoo; raise
        :class:`MappingError` with what to fix."""

    def _create_or_update(self, mapped):
        """Write the Odoo record; return it."""
        raise NotImplementedError

    def _binding_values(self, mapped):
        """Values of the binding, beside the ones the binder writes."""
        return {}

    def _bind(self, record, mapped):
        """Bind ``record`` to the BigCommerce id (a done binding, with the
        kind's :meth:`_binding_values`); returns the binding."""
        return self.binder.bind(
            self.bigcommerce_id, record, self._done_binding_values(mapped)
        )

    def _done_binding_values(self, mapped):
        """The values of a done binding: the kind's :meth:`_binding_values`,
        its state and date."""
        values = dict(self._binding_values(mapped), sync_state="done")
        values["sync_date"] = fields.Datetime.now()
        values["skip_reason"] = False
        return values

    def _skipped_binding_values(self):
        """Values of the binding of a record that is not imported, read from
        what was fetched; ``None`` for a kind that keeps no trace of them."""
        return None

    def _bind_skipped(self, reason):
        """Keep a binding of a skipped record, with the reason and no Odoo
        record, so that it can be found and filtered."""
        values = self._skipped_binding_values() if self.binding_model else None
        if values is None:
            return self.binding
        values = dict(
            values,
            sync_state="skipped",
            skip_reason=reason,
            sync_date=fields.Datetime.now(),
        )
        return self.binder.bind(self.bigcommerce_id, None, values)

    def _after_skip(self, reason):
        """What follows once a skipped record is bound (e.g. queueing the
        import it waits for).

        :param reason: what :meth:`_must_skip` said.
        """

    def _after_import(self, mapped):
        """What follows once the record is bound (posting, messages)."""

    def _result(self):
        """The sentence a done import returns (the job's result)."""
        return f"{self._label()}: imported."

    # --- helpers ------------------------------------------------------------
    def _label(self):
        """The record, in words, for the job's result and the log."""
        return f"{self.kind} #{self.bigcommerce_id}"

    def _call(self, method, *args):
        """Call the BigCommerce client; transient faults become job retries.

        On the job's last try the fault is raised as it is, a
        :class:`BigCommerceError`, which :meth:`run` turns into a failure
        record that can be reprocessed.
        """
        try:
            return method(*args)
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

    def _job_tries(self):
        """``(this try, tries allowed)`` of the queue job running this
        import, or ``None`` outside a stored job.

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

    def _fail(self, message):
        """Record the failure (with what was fetched, for a reprocess), mark
        the binding failed; returns the run's sentence."""
        tries = self._job_tries()
        if tries and tries[1] and tries[0] >= tries[1]:
            message = self.env._(
                "Gave up after %(tries)s tries: %(error)s",
                tries=tries[0],
                error=message,
            )
        failure = (
            self.env["bigcommerce.failure"]
            .sudo()
            ._record(
                self.backend,
                self.kind,
                self.bigcommerce_id,
                message,
                self.fetched or None,
            )
        )
        failure.message_post(body=failure.reason)
        if self.binding_model:
            self.binder.to_binding(self.bigcommerce_id).write({"sync_state": "failed"})
        self.outcome = "failed"
        self.outcome_message = message
        _logger.info("BigCommerce %s not imported: %s", self._label(), message)
        return f"{self._label()} failed: {message}"

    def _resolve_failure(self):
        """Resolve the record's open failure, if any: it is imported now."""
        self.env["bigcommerce.failure"].sudo()._resolve(
            self.backend, self.kind, self.bigcommerce_id
        )
