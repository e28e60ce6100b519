# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One row per store: what is left of its BigCommerce request quota.

Written and read only by ``components/rate_limit.py``, on a connection of
its own, so that every worker of the store sees it at once.
"""

from odoo import api, models
from odoo.tools import SQL


class BigCommerceRateLimit(models.Model):
    _name = "bigcommerce.rate.limit"
    _description = "BigCommerce Rate Limit (shared by the store's workers)"
    _log_access = False
    # The table is the workers' meeting point: plain columns, no foreign key
    # (a row is written outside the transaction that creates its store).
    _auto = False

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS bigcommerce_rate_limit (
                    id SERIAL PRIMARY KEY,
                    backend_id INTEGER NOT NULL UNIQUE,
                    quota INTEGER,
                    window_ms INTEGER,
                    left_in_window INTEGER,
                    reset_at TIMESTAMP
                )
                """
            )
        )

    @api.autovacuum
    def _gc_rows_of_deleted_stores(self):
        self.env.cr.execute(
            SQL(
                "DELETE FROM bigcommerce_rate_limit r WHERE NOT EXISTS "
                "(SELECT 1 FROM bigcommerce_backend b WHERE b.id = r.backend_id)"
            )
        )
