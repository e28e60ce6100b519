# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Before the month is closed, what the demo store holds is dealt with; run
by tools/demo.sh inside an Odoo shell (which provides ``env``) once the
import jobs are done:

    python -m odoo shell -c odoo.conf -d DB < tools/demo_month_end.py

1. The orders the store's status rules hold are released on the store, as
   its merchant does (the one to verify verified, the disputed one's
   dispute closed: ``PUT /v2/orders/{id}`` on the simulator), then
   imported again.
2. The three orders of SKUs Odoo does not know, held as failures, are
   cleared one way each and reprocessed through their failure's
   *Reprocess*: the product created by hand; Unknown Products set to
   *Create the product*; set to *Book on a fallback product*. The store is
   set back to holding such orders.

What is done is ``tests/demo_month_end.py``, which the end-to-end test
(``tests/test_demo_store.py``) runs too. Prints what was done.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

import os

from odoo.addons.bigcommerce_connector.tests.demo_month_end import (
    clear_unknown_sku_failures,
    release_held_orders,
)
from odoo.addons.bigcommerce_connector.tests.simulator.generator import (
    generate_store,
)
from odoo.addons.bigcommerce_connector.tests.simulator.state import StoreState

if "env" not in globals():
    raise SystemExit("Run it in an Odoo shell.")
env = globals()["env"]
store_hash = os.environ.get("DEMO_STORE_HASH", "demo123")
backend = env["bigcommerce.backend"].search([("store_hash", "=", store_hash)], limit=1)
if not backend:
    raise SystemExit(f"No store {store_hash} in this database.")
# The showcase's order ids, from the store generated as the simulator did.
showcase = generate_store(
    StoreState(store_hash=store_hash, currency="USD"),
    seed=int(os.environ.get("DEMO_SEED", "42")),
    customers=int(os.environ.get("DEMO_CUSTOMERS", "10")),
    orders=int(os.environ.get("DEMO_ORDERS", "36")),
    showcase=True,
)["showcase"]
client = backend._get_client()


def set_status(order_id, status_id):
    """The merchant changes the order's status on the store."""
    client.request("PUT", "2", f"orders/{order_id}", json={"status_id": status_id})


for binding, before, how, result in release_held_orders(backend, set_status):
    print(f"order #{binding.bigcommerce_id}: {before}, {how}; imported again: {result}")
env.cr.commit()  # pylint: disable=invalid-commit
for setting, failure, how in clear_unknown_sku_failures(backend, showcase["unknown"]):
    binding = env["bigcommerce.order"].search(
        [
            ("backend_id", "=", backend.id),
            ("bigcommerce_id", "=", int(failure.bigcommerce_id)),
        ]
    )
    move = binding.move_id
    print(
        f"order #{failure.bigcommerce_id}: failure {failure.name} ({setting}): "
        f"{how}, reprocessed: failure {failure.state}, "
        f"{move.name or 'no invoice'} {move.state or ''}".rstrip()
    )
env.cr.commit()  # pylint: disable=invalid-commit
policies = dict(backend._fields["unknown_product_policy"]._description_selection(env))
print(f"Unknown Products back to: {policies[backend.unknown_product_policy]}")
