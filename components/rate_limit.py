# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's rate limit, shared by all its job workers through the database.

BigCommerce gives a store one quota per 30-second window, shared by every app
(API-NOTES §2). Each client paces itself on its own responses, but two
workers of one store know nothing of each other's requests: near the end of
a window they both send, and one of them gets a 429. So every request first
reserves one unit of the quota in the store's row of ``bigcommerce_rate_limit``
(``SELECT ... FOR UPDATE``, read committed), and every response writes back what
BigCommerce's headers said. When the window is spent, every worker waits for
the same reset.

The row is read and written on a connection of its own, committed at once
(the job's transaction may last long, and would otherwise hold the lock, or
hide what it wrote, until it ends). Should that connection fail, the client
falls back on pacing itself.
"""

import logging
from contextlib import closing

import psycopg2
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo.sql_db import db_connect

_logger = logging.getLogger(__name__)

# Requests kept back from the window for the store's other apps, and for
# requests other workers have in flight.
RESERVE = 2
# Wait when the quota is spent but its reset is not known yet (seconds).
UNKNOWN_RESET_WAIT = 1.0


class SharedRateLimit:
    """``reserve()`` / ``observe(state)`` for :class:`BigCommerceClient`."""

    def __init__(self, backend, reserve=RESERVE):
        self.dbname = backend.env.cr.dbname
        self.backend_id = backend.id
        self.reserve_count = reserve

    def _execute(self, work):
        try:
            with closing(db_connect(self.dbname).cursor()) as cr:
                # Each statement sees the row as the last worker committed
                # it: a worker waits for the row, then reads it, and never
                # fails on a change made since its transaction began (Odoo's
                # cursors snapshot the transaction: repeatable read).
                cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                # Never wait long on the row: pacing alone is better than a
                # stuck worker.
                cr.execute("SET LOCAL lock_timeout = '5s'")
                result = work(cr)
                cr.commit()  # pylint: disable=invalid-commit
                return result
        except psycopg2.Error as exc:
            _logger.warning("Shared rate limit unavailable: %s", exc)
            return None

    def reserve(self):
        """Take one request from the window: ``0``, or the seconds to wait."""
        return self._execute(self._reserve) or 0

    def _reserve(self, cr):
        cr.execute(
            "INSERT INTO bigcommerce_rate_limit (backend_id) VALUES (%s) "
            "ON CONFLICT (backend_id) DO NOTHING",
            [self.backend_id],
        )
        cr.execute(
            "SELECT quota, left_in_window, "
            "EXTRACT(EPOCH FROM reset_at - (NOW() AT TIME ZONE 'UTC')) "
            "FROM bigcommerce_rate_limit WHERE backend_id = %s FOR UPDATE",
            [self.backend_id],
        )
        quota, left, until_reset = cr.fetchone()
        until_reset = float(until_reset) if until_reset is not None else None
        if left is None:
            # Nothing known yet: the first response will tell.
            return 0
        if until_reset is not None and until_reset <= 0:
            # The window has reset: a fresh quota, its reset not known yet.
            cr.execute(
                "UPDATE bigcommerce_rate_limit SET left_in_window = %s, "
                "reset_at = NULL WHERE backend_id = %s",
                [(quota - 1) if quota else None, self.backend_id],
            )
            return 0
        if left > self.reserve_count:
            cr.execute(
                "UPDATE bigcommerce_rate_limit SET left_in_window = "
                "left_in_window - 1 WHERE backend_id = %s",
                [self.backend_id],
            )
            return 0
        return until_reset if until_reset is not None else UNKNOWN_RESET_WAIT

    def observe(self, state):
        """Write back what a response's rate-limit headers said."""
        if state.left is None:
            return
        self._execute(lambda cr: self._observe(cr, state))

    def _observe(self, cr, state):
        reset_ms = state.reset_ms if state.reset_ms is not None else 0
        # A response of the window we know lowers what is left (requests
        # reserved but not yet answered are already counted); once the
        # window is over, the next response starts it afresh.
        cr.execute(
            """
            UPDATE bigcommerce_rate_limit SET
                quota = COALESCE(%(quota)s, quota),
                window_ms = COALESCE(%(window)s, window_ms),
                left_in_window = CASE
                    WHEN left_in_window IS NULL
                      OR (reset_at IS NOT NULL
                          AND reset_at < (NOW() AT TIME ZONE 'UTC'))
                    THEN %(left)s
                    ELSE LEAST(left_in_window, %(left)s)
                END,
                reset_at = CASE
                    WHEN reset_at IS NULL
                      OR reset_at < (NOW() AT TIME ZONE 'UTC')
                    THEN (NOW() AT TIME ZONE 'UTC') + %(reset)s * INTERVAL '1 ms'
                    -- The latest estimate of the window's end wins: waiting
                    -- a little long is cheap, starting a window early is a
                    -- 429.
                    ELSE GREATEST(
                        reset_at,
                        (NOW() AT TIME ZONE 'UTC') + %(reset)s * INTERVAL '1 ms'
                    )
                END
            WHERE backend_id = %(backend)s
            """,
            {
                "quota": state.quota,
                "window": state.window_ms,
                "left": state.left,
                "reset": reset_ms,
                "backend": self.backend_id,
            },
        )
