# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.2.0.0: one word per concept, and the binding model.

- "catch-up" everywhere (it was "poll" in code): store fields, the failure
  kind, the scheduled action and the job function;
- "posting policy" (it was ``invoice_policy``, a name Odoo's ``sale`` uses
  for something else);
- an order's status is its ``status`` selection alone (the Integer
  ``status_id`` beside it goes), the store's own name of it is
  ``custom_status`` (it was ``status_label``), its last import ``sync_date``;
- a failure's BigCommerce id is ``bigcommerce_id`` (it was ``external_id``);
- store fields nobody read are dropped: ``tax_account_id``, ``client_id``.
"""

from openupgradelib import openupgrade

FIELD_RENAMES = [
    ("bigcommerce.backend", "bigcommerce_backend", "invoice_policy", "posting_policy"),
    ("bigcommerce.backend", "bigcommerce_backend", "poll_orders", "catch_up_orders"),
    (
        "bigcommerce.backend",
        "bigcommerce_backend",
        "poll_overlap_minutes",
        "catch_up_overlap_minutes",
    ),
    ("bigcommerce.order", "bigcommerce_order", "status_label", "custom_status"),
    ("bigcommerce.order", "bigcommerce_order", "last_import_at", "sync_date"),
    ("bigcommerce.failure", "bigcommerce_failure", "external_id", "bigcommerce_id"),
]
XMLID_RENAMES = [
    (
        "bigcommerce_connector.ir_cron_bigcommerce_poll_orders",
        "bigcommerce_connector.ir_cron_bigcommerce_catch_up_orders",
    ),
    (
        "bigcommerce_connector.queue_job_function_poll_orders",
        "bigcommerce_connector.queue_job_function_catch_up_orders",
    ),
]


@openupgrade.migrate()
def migrate(env, version):
    openupgrade.rename_fields(env, FIELD_RENAMES)
    openupgrade.rename_xmlids(env.cr, XMLID_RENAMES)
    openupgrade.logged_query(
        env.cr,
        "UPDATE bigcommerce_failure SET record_type = 'catch_up' "
        "WHERE record_type = 'poll'",
    )
    # The status selection already held the status id as text.
    for table, column in (
        ("bigcommerce_order", "status_id"),
        ("bigcommerce_backend", "tax_account_id"),
        ("bigcommerce_backend", "client_id"),
    ):
        if openupgrade.column_exists(env.cr, table, column):
            openupgrade.logged_query(
                env.cr, f"ALTER TABLE {table} DROP COLUMN {column}"
            )
