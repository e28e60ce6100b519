# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.2.0.0: the scheduled action and job functions are "noupdate" data;
bring them to this version's names and retry patterns."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    openupgrade.load_data(
        env, "bigcommerce_connector", "migrations/19.0.2.0.0/noupdate_changes.xml"
    )
