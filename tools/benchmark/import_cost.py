# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Measurement 2: the import cost per order against the ORM floors of the
identical invoices (a direct create and post, one by one and in batches,
alone and with the identical payments), and a cProfile of the import.

Measured by ``tools/bench_import_cost.py`` in an ``odoo shell`` on the same
database, the server stopped, while the store's simulator runs.
"""

import json

from .addon import REPO
from .queries import invoiced_ids

SCRIPT = REPO / "tools" / "bench_import_cost.py"


def phase_import_cost(odoo, conf, sim, stores, count):
    """Import ``count`` of the store's invoiced orders, each against its
    floor, then profile the imports of the others.

    :return: ``(cost, calls per order)``: what the script measured (its
        ``top`` is the profile's text), and the API calls the imports made
        per order.
    """
    backend_id = stores["benchcost"]["id"]
    cost_ids = invoiced_ids(odoo, sim, backend_id, sorted(sim.state.orders))
    cost = odoo.run_script(
        conf,
        SCRIPT,
        {
            "BENCH_COST": json.dumps(
                {"backend_id": backend_id, "orders": cost_ids, "count": count}
            )
        },
    )
    return cost, len(sim.requests) / max(1, len(cost_ids))
