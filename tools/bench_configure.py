# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The benchmark's stores, configured in Odoo; run by tools/bench.py in an
``odoo shell`` (which provides ``env``). Each store is configured as the demo
configures its own (``tests/demo_store.py``), from ``BENCH_STORES`` (JSON:
store hash -> url, token, secret, seed, customers, orders). Prints
``BENCH{json}``: each store's id and webhook key.
"""

# A script run by the benchmark: it reports on stdout on purpose.
# pylint: disable=print-used

import json
import os
from datetime import datetime

from odoo.addons.bigcommerce_connector.tests.demo_store import configure_demo_store

env = globals()["env"]  # the shell's environment
spec = json.loads(os.environ["BENCH_STORES"])
env["ir.config_parameter"].sudo().set_param("web.base.url", os.environ["BENCH_URL"])
out = {}
for name, store in spec.items():
    backend, _summary = configure_demo_store(
        env,
        api_base_url=store["url"],
        store_hash=name,
        access_token=store["token"],
        client_secret=store["secret"],
        seed=store["seed"],
        customers=store["customers"],
        orders=store["orders"],
    )
    backend.name = name
    backend.catch_up_orders = name == "benchsync"
    backend.orders_modified_since = datetime(2000, 1, 1)
    out[name] = {"id": backend.id, "webhook_key": backend.webhook_key}
env.cr.commit()
print("BENCH" + json.dumps(out))
