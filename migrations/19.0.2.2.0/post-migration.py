# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.2.2.0: customers record whether their partner is *linked* (a
partner Odoo had, which the store never changes).

Customers linked by e-mail by an earlier version are marked, so that their
next update or deletion leaves the partner as it is (see
``bigcommerce.customer._adopt_linked_partners``). Refused webhook
deliveries are counted in ``bigcommerce.webhook.refusal``, a new table that
starts empty.
"""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    env["bigcommerce.customer"].with_context(active_test=False).search(
        []
    )._adopt_linked_partners()
