# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.2.4.0: the delivery log is the replay guard.

The ids of accepted webhook deliveries were kept apart, for the replay
window, in ``bigcommerce_webhook_delivery``; each queued delivery's log row
now claims its id (``claimed``, under a unique index), in the statement
that logs it. The queued rows whose ids that table still held are marked as
their claims (one per store and id), so that a replay of a delivery
received just before the upgrade is still a duplicate. The old table is
left as it is: nothing reads it any more.
"""

import logging

from openupgradelib import openupgrade

_logger = logging.getLogger(__name__)


@openupgrade.migrate()
def migrate(env, version):
    if not openupgrade.table_exists(env.cr, "bigcommerce_webhook_delivery"):
        return
    env.cr.execute(
        """
        UPDATE bigcommerce_webhook_log AS log SET claimed = TRUE
        FROM (
            SELECT DISTINCT ON (l.backend_id, l.webhook_id) l.id
            FROM bigcommerce_webhook_log l
            JOIN bigcommerce_webhook_delivery d
                ON d.backend_id = l.backend_id AND d.webhook_id = l.webhook_id
            WHERE l.outcome = 'queued'
            ORDER BY l.backend_id, l.webhook_id, l.received_at DESC, l.id DESC
        ) AS kept
        WHERE log.id = kept.id
        """
    )
    _logger.info(
        "%s webhook deliveries still in the replay window claimed in the log",
        env.cr.rowcount,
    )
