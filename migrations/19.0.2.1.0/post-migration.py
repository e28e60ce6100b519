# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.2.1.0: customers get a binding model (``bigcommerce.customer``).

The partners of registered customers were marked by their external ID
``__bigcommerce__.backend<store>_customer_<id>`` alone: each gets its
binding, so that the store's customers are listed and their next import
updates that same partner.
"""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    stores = env["bigcommerce.backend"].with_context(active_test=False).search([])
    stores._adopt_customer_external_ids()
