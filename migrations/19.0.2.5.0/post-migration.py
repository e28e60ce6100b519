# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.2.5.0: the table of the former replay guard is dropped.

Since 19.0.2.4.0 the delivery log claims each webhook delivery's id, and
that release's migration copied the claims still in the replay window
from ``bigcommerce_webhook_delivery``. Odoo does not drop the table of a
model removed from the code, so it is dropped here, once the claims are
copied (the migrations of an upgrade run in the order of their versions).
"""

import logging

from openupgradelib import openupgrade

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

OLD_TABLE = "bigcommerce_webhook_delivery"


@openupgrade.migrate()
def migrate(env, version):
    if not openupgrade.table_exists(env.cr, OLD_TABLE):
        return
    env.cr.execute(SQL("DROP TABLE %s CASCADE", SQL.identifier(OLD_TABLE)))
    _logger.info("Dropped %s: the webhook log is the replay guard", OLD_TABLE)
