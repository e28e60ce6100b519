# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test the demo store's connection once the simulated store answers; run
by tools/demo.sh inside an Odoo shell (which provides ``env``):

    python -m odoo shell -c odoo.conf -d DB < tools/demo_connect.py

The store is saved (tools/demo_configure.py) before the simulator starts,
because the simulator needs the store's webhook address: its connection
test then found nothing at the API address. This is *Test connection*
again. The import jobs may be writing to the store at the same moment: a
transaction that collides is tried again, a few times.

Prints ``state=<state>`` (``connected`` when the store answered) and exits
with status 1 when it did not.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

import os

from psycopg2 import errors

if "env" not in globals():
    raise SystemExit("Run it in an Odoo shell.")
env = globals()["env"]
store_hash = os.environ.get("DEMO_STORE_HASH", "demo123")

for _attempt in range(5):
    backend = env["bigcommerce.backend"].search(
        [("store_hash", "=", store_hash)], limit=1
    )
    try:
        backend._check_connection()
        env.cr.commit()
        break
    except (errors.SerializationFailure, errors.LockNotAvailable):
        env.cr.rollback()
        env.invalidate_all()
print(
    f"store         {backend.name}: {backend.state}"
    + (f" ({backend.state_message})" if backend.state_message else "")
    + (f", {backend.store_name}" if backend.store_name else "")
)
print(f"state={backend.state}")
if backend.state != "connected":
    raise SystemExit(1)
