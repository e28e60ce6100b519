# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Data of release 19.0.1.0.0, for the upgrade check of tools/test.sh.

Run in an Odoo shell on a database where that release is installed.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

if "env" not in globals():
    raise SystemExit("Run it in an Odoo shell.")
env = globals()["env"]

backend = env["bigcommerce.backend"].create(
    {
        "name": "Upgraded store",
        "store_hash": "upgraded1",
        "invoice_policy": "draft",
        "poll_orders": False,
        "poll_overlap_minutes": 7,
        "client_id": "client-1",
    }
)
env["bigcommerce.order"].create(
    {
        "backend_id": backend.id,
        "bigcommerce_id": 4201,
        "status_id": 11,
        "status_label": "Awaiting Fulfillment",
        "last_import_at": "2026-01-02 03:04:05",
    }
)
for kind, key in (("order", "4202"), ("poll", "orders")):
    env["bigcommerce.failure"].create(
        {
            "backend_id": backend.id,
            "record_type": kind,
            "external_id": key,
            "reason": "To fix",
        }
    )
# A registered customer's partner, as that release marked it: an external ID
# alone (19.0.2.1.0 gives it its binding).
partner = env["res.partner"].create({"name": "Upgraded customer"})
env["ir.model.data"].create(
    {
        "module": "__bigcommerce__",
        "name": f"backend{backend.id}_customer_77",
        "model": "res.partner",
        "res_id": partner.id,
        "noupdate": True,
    }
)
# The replay guard's table of 19.0.2.0.0 to 19.0.2.3.0, as those releases
# left it (this release did not have it): one delivery id still in the
# replay window. 19.0.2.4.0 copies the claims, 19.0.2.5.0 drops the table.
env.cr.execute(
    "CREATE TABLE bigcommerce_webhook_delivery (id serial PRIMARY KEY, "
    "backend_id integer, webhook_id varchar, received_at timestamp)"
)
env.cr.execute(
    "INSERT INTO bigcommerce_webhook_delivery (backend_id, webhook_id, received_at) "
    "VALUES (%s, 'replayed-1', now() at time zone 'UTC')",
    [backend.id],
)
# An order's import waiting in the job queue when the upgrade comes.
backend._delay_import_order(4203)
env.cr.commit()  # pylint: disable=invalid-commit
print("seeded")
