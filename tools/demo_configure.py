# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Configure a demo database for the simulated BigCommerce store.

Run by tools/demo.sh inside an Odoo shell, which provides ``env``:

    python -m odoo shell -c odoo.conf -d DB < tools/demo_configure.py

What it sets up is ``tests/demo_store.py``, which the end-to-end test
(``tests/test_demo_store.py``) uses too. Settings come from the environment
(defaults in brackets):

    DEMO_ODOO_URL       the demo's Odoo URL, for web.base.url [http://127.0.0.1:8069]
    DEMO_SIM_URL        the simulator's URL: the store's API base URL
                        [http://127.0.0.1:8765]
    DEMO_STORE_HASH, DEMO_TOKEN, DEMO_CLIENT_SECRET
                        the store's API account [demo123, demo-token, demo-secret]
    DEMO_SEED, DEMO_CUSTOMERS, DEMO_ORDERS
                        the generated store [42, 10, 36]

Prints ``webhook_url=<url>`` on a line of its own.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

import os

from odoo.addons.bigcommerce_connector.tests.demo_store import configure_demo_store

if "env" not in globals():
    raise SystemExit(
        "Run it in an Odoo shell: python -m odoo shell -d DB < tools/demo_configure.py"
    )
env = globals()["env"]  # the shell's environment: superuser, main company

odoo_url = os.environ.get("DEMO_ODOO_URL", "http://127.0.0.1:8069")
env["ir.config_parameter"].sudo().set_param("web.base.url", odoo_url.rstrip("/"))
backend, summary = configure_demo_store(
    env,
    api_base_url=os.environ.get("DEMO_SIM_URL", "http://127.0.0.1:8765"),
    store_hash=os.environ.get("DEMO_STORE_HASH", "demo123"),
    access_token=os.environ.get("DEMO_TOKEN", "demo-token"),
    client_secret=os.environ.get("DEMO_CLIENT_SECRET", "demo-secret"),
    seed=int(os.environ.get("DEMO_SEED", "42")),
    customers=int(os.environ.get("DEMO_CUSTOMERS", "10")),
    orders=int(os.environ.get("DEMO_ORDERS", "36")),
)
env.cr.commit()
backend.invalidate_recordset(["webhook_url"])
print(f"products      {len(summary['products'])}: {', '.join(summary['products'])}")
print(f"sales taxes   {', '.join(summary['taxes'])}")
print(f"currencies    {', '.join(summary['currencies'])}")
print(f"accounts      {', '.join(summary['accounts'])}")
print(f"sales journal {summary['journal']}")
for gateway, (journal, names) in summary["gateways"].items():
    print(
        f"gateway       {gateway} ({', '.join(names)}): clearing journal "
        f"{journal.name} ({journal.code}), account {journal.default_account_id.code} "
        f"{journal.default_account_id.name}"
    )
fallback = summary["fallback"]
print(
    "settings      foreign orders at the rate the store applied; an unknown "
    f"SKU held as a failure (fallback product {fallback.display_name} on "
    f"{fallback.property_account_income_id.code}, created products in "
    f"{backend.created_product_categ_id.display_name})"
)
print(f"store         {backend.name} (id {backend.id}) -> {backend.api_base_url}")
print(f"webhook_url={backend.webhook_url}")
