# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.2.3.0: each catch-up of a store keeps its watermark and last outcome
in a row of its own (``bigcommerce.batch.state``), no longer on the store's
row, so that catch-ups and saves of the store never conflict.

The values the stores' columns held are copied into those rows; the old
columns are left as they are.

The pages of a period's orders run in a channel of their own,
``root.bigcommerce.history`` (its job function is data of a ``noupdate``
file, so it is moved here).
"""

from openupgradelib import openupgrade

from odoo.tools import SQL

COLUMNS = {
    "orders": "orders_modified_since",
    "refunds": "refunds_created_since",
    "customers": "customers_modified_since",
}
OUTCOME = ("last_catch_up_at", "last_catch_up_state", "last_catch_up_result")


@openupgrade.migrate()
def migrate(env, version):
    cr = env.cr
    page_function = env.ref(
        "bigcommerce_connector.queue_job_function_import_orders_page",
        raise_if_not_found=False,
    )
    history = env.ref(
        "bigcommerce_connector.queue_job_channel_bigcommerce_history",
        raise_if_not_found=False,
    )
    if page_function and history:
        page_function.channel_id = history
    backends = env["bigcommerce.backend"].with_context(active_test=False).search([])
    States = env["bigcommerce.batch.state"]
    for batch, column in COLUMNS.items():
        watermarks = {}
        if openupgrade.column_exists(cr, "bigcommerce_backend", column):
            cr.execute(
                SQL("SELECT id, %s FROM bigcommerce_backend", SQL.identifier(column))
            )
            watermarks = dict(cr.fetchall())
        for backend in backends:
            state = States._of(backend, batch)
            if watermarks.get(backend.id):
                state.watermark = watermarks[backend.id]
    if all(openupgrade.column_exists(cr, "bigcommerce_backend", c) for c in OUTCOME):
        cr.execute(
            "SELECT id, last_catch_up_at, last_catch_up_state, last_catch_up_result "
            "FROM bigcommerce_backend WHERE last_catch_up_at IS NOT NULL"
        )
        for backend_id, at, state, result in cr.fetchall():
            States._of(backends.browse(backend_id), "orders").write(
                {"last_at": at, "last_state": state, "last_result": result}
            )
