# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Deliveries refused before a signed envelope was read (too large,
unsigned, not JSON): counted, not written one row each, once more than
:data:`~.bigcommerce_webhook_log.REFUSALS_LOGGED_ONE_BY_ONE` of one reason
reach a store in a minute (see ``bigcommerce_webhook_log.py``).
"""

import logging

import psycopg2
from psycopg2.pool import PoolError

from odoo import api, fields, models
from odoo.sql_db import Cursor
from odoo.tools import SQL

from ..bigcommerce.client import clean_text
from .bigcommerce_webhook_log import REFUSAL_WINDOW, REFUSALS_LOGGED_ONE_BY_ONE

_logger = logging.getLogger(__name__)


class BigCommerceWebhookLog(models.Model):
    _inherit = "bigcommerce.webhook.log"

    @api.model
    def _record_refused(self, backend, http_status, reason, webhook_id=None, now=None):
        """Log one delivery to ``backend`` refused before a signed envelope
        was read (too large, unsigned, not JSON).

        The first :data:`REFUSALS_LOGGED_ONE_BY_ONE` of a reason in a minute
        are one row each; the others of that minute are counted on one row
        (its ``delivery_count``, ``received_at`` and ``last_received_at``).

        One statement, on a cursor of its own committed at once, in READ
        COMMITTED: concurrent deliveries wait for each other's row for the
        time of that statement, and neither loses a count nor fails on a
        serialization error (which the request's REPEATABLE READ transaction
        would raise on a row another request updated).

        :param now: the time of the delivery (default: now); its minute is
            the window of the count.
        """
        values = self._refusal_values(backend, http_status, reason, webhook_id, now)
        try:
            with self.env.registry.cursor() as cr:
                if isinstance(cr, Cursor):
                    # (Not a test's cursor, which is the test's transaction.)
                    cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    cr.execute("SET LOCAL lock_timeout = '5s'")
                self._count_refused(cr, values)
            return
        except (psycopg2.Error, PoolError) as exc:
            _logger.warning("Refused webhook deliveries not counted: %s", exc)
        # Not counted: logged as any other delivery.
        self._record(backend, "refused", http_status, reason, webhook_id=webhook_id)

    @api.model
    def _refusal_values(self, backend, http_status, reason, webhook_id, now):
        """The parameters of :meth:`_count_refused`."""
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        return {
            "backend": backend.id,
            "company": getattr(backend.company_id, "id", backend.company_id) or None,
            "status": http_status,
            "reason": clean_text(str(reason or ""))[:250] or "-",
            "webhook_id": clean_text(str(webhook_id or ""))[:128] or None,
            "now": now,
            "window": now.replace(second=0),
            "one_by_one": REFUSALS_LOGGED_ONE_BY_ONE,
        }

    @api.model
    def _count_refused(self, cr, values):
        """Count one refused delivery in its store's, reason's and minute's
        tally, and write its own row or add it to the minute's count row:
        one statement. Returns the delivery's rank in its minute."""
        cr.execute(
            SQL(
                """
                WITH tally AS (
                    INSERT INTO bigcommerce_webhook_refusal AS t
                        (backend_id, reason, window_start, seen)
                    VALUES (%(backend)s, %(reason)s, %(window)s, 1)
                    ON CONFLICT (backend_id, reason, window_start)
                    DO UPDATE SET seen = t.seen + 1
                    RETURNING t.seen
                ), one_row AS (
                    INSERT INTO bigcommerce_webhook_log
                        (backend_id, company_id, outcome, http_status, reason,
                         webhook_id, received_at, delivery_count)
                    SELECT %(backend)s, %(company)s, 'refused', %(status)s,
                        %(reason)s, %(webhook_id)s, %(now)s, 1
                    FROM tally WHERE tally.seen <= %(one_by_one)s
                    RETURNING id
                ), counted AS (
                    INSERT INTO bigcommerce_webhook_log AS log
                        (backend_id, company_id, outcome, http_status, reason,
                         received_at, last_received_at, window_start,
                         delivery_count)
                    SELECT %(backend)s, %(company)s, 'refused', %(status)s,
                        %(reason)s, %(now)s, %(now)s, %(window)s, 1
                    FROM tally WHERE tally.seen > %(one_by_one)s
                    ON CONFLICT (backend_id, reason, window_start)
                        WHERE window_start IS NOT NULL
                    DO UPDATE SET
                        delivery_count = log.delivery_count + 1,
                        received_at = LEAST(log.received_at, EXCLUDED.received_at),
                        last_received_at = GREATEST(
                            log.last_received_at, EXCLUDED.last_received_at
                        )
                    RETURNING id
                )
                SELECT seen FROM tally
                """,
                **values,
            )
        )
        return cr.fetchone()[0]


class BigCommerceWebhookRefusal(models.Model):
    """How many unsigned deliveries a store refused, per reason and minute:
    the tally :meth:`BigCommerceWebhookLog._record_refused` keeps, to know
    when the minute's first few are logged. Worth nothing once its minute
    is over."""

    _name = "bigcommerce.webhook.refusal"
    _description = "BigCommerce Refused Webhook Deliveries per Minute"
    _log_access = False

    backend_id = fields.Many2one(
        "bigcommerce.backend", required=True, ondelete="cascade"
    )
    reason = fields.Char(required=True)
    window_start = fields.Datetime(required=True)
    seen = fields.Integer(required=True)

    _tally_uniq = models.Constraint(
        "unique(backend_id, reason, window_start)",
        "One tally per store, reason and minute.",
    )

    @api.autovacuum
    def _gc_past_minutes(self):
        """Forget the tallies of the minutes that are over."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM bigcommerce_webhook_refusal WHERE window_start < %s",
                fields.Datetime.now() - 2 * REFUSAL_WINDOW,
            )
        )
