# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A profile of the first sync's page job; run in an ``odoo shell`` (which
provides ``env``) by tools/bench.py, on its database, the server stopped.

A simulated store of its own (the seeded generator, in this process) is
configured as the demo's is; its history is listed as the import wizard's
period lists it (one listing job, run here), then its page jobs run here,
the first unmeasured, the others timed, and some under cProfile. Prints
``BENCH{json}``: the time per listed order and per posted invoice, and the
cumulative time of each step of a page.
"""

# A script run by the benchmark: it reports on stdout on purpose.
# pylint: disable=print-used

import cProfile
import io
import json
import os
import pstats
import re
import time
from datetime import datetime

from odoo.addons.bigcommerce_connector.components.batch_importer import (
    OrderPeriodListing,
)
from odoo.addons.bigcommerce_connector.tests.demo_store import configure_demo_store
from odoo.addons.bigcommerce_connector.tests.simulator import (
    BigCommerceSimulator,
    generate_store,
)

env = globals()["env"]  # the shell's environment
spec = json.loads(os.environ.get("BENCH_PAGES", "{}"))
orders, seed = spec.get("orders", 200), spec.get("seed", 2099)
profiled_pages = spec.get("profiled", 3)
sim = BigCommerceSimulator(
    store_hash="benchpages",
    access_token="bench-token",
    client_secret="bench-secret",
    quota=None,
    port=spec.get("port", 0),
)
generate_store(
    sim.state,
    seed=seed,
    customers=max(10, orders // 8),
    orders=orders,
    span_days=spec.get("span_days", 42),
)
sim.start()
try:
    backend, _summary = configure_demo_store(
        env,
        api_base_url=sim.base_url,
        store_hash="benchpages",
        access_token="bench-token",
        client_secret="bench-secret",
        seed=seed,
        customers=max(10, orders // 8),
        orders=orders,
    )
    backend.name = "benchpages"
    run = env["bigcommerce.import.run"].create(
        {
            "backend_id": backend.id,
            "name": "Profile of the page job",
            "mode": "period",
            "date_field": "date_created",
            "date_from": datetime(2000, 1, 1),
            "date_to": datetime.now(),
        }
    )
    env.cr.commit()
    page = 1
    while True:
        listing = OrderPeriodListing(
            backend, run, datetime(2000, 1, 1), datetime.now(), page=page
        )
        listing.run()
        env.cr.commit()
        if not listing.more:
            break
        page += 1
    jobs = env["queue.job"].search(
        [
            ("method_name", "=", "_import_orders_page"),
            ("model_name", "=", "bigcommerce.backend"),
            ("state", "=", "pending"),
        ],
        order="id",
    )
    jobs = jobs.filtered(lambda job: job.records == backend)
    pages = [job.args[0] for job in jobs]
    jobs.write({"state": "done"})
    env.cr.commit()

    def run_page(items):
        env.invalidate_all()
        backend.browse(backend.id)._import_orders_page(items)
        env.flush_all()

    run_page(pages[0])  # warm-up
    env.cr.commit()
    # Some pages are timed, whatever the store's size.
    profiled_pages = min(profiled_pages, (len(pages) - 1) // 2)
    timed, listed = 0.0, 0
    profiler = cProfile.Profile()
    profiled_orders = 0
    for index, items in enumerate(pages[1:]):
        profiling = index < profiled_pages
        started = time.perf_counter()
        if profiling:
            profiler.enable()
        run_page(items)
        if profiling:
            profiler.disable()
            profiled_orders += len(items)
        else:
            timed += time.perf_counter() - started
            listed += len(items)
        env.cr.commit()
    env.cr.execute(
        "SELECT count(*) FROM bigcommerce_order o JOIN account_move m "
        "ON m.id = o.move_id WHERE o.backend_id = %s AND m.state = 'posted'",
        [backend.id],
    )
    (posted,) = env.cr.fetchone()
finally:
    sim.stop()

if not profiled_orders:
    raise SystemExit(
        f"The store's history made {len(pages)} page job(s): give it more "
        "orders (--page-orders), so that one is warmed up and one profiled."
    )
if spec.get("dump"):
    profiler.dump_stats(spec["dump"])
stats = pstats.Stats(profiler)
total = max(stats.total_tt, 1e-9)


def cumulative(pattern):
    found = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if re.search(pattern, f"{filename}:{name}"):
            found = max(found, ct)
    return found


STEPS = (
    ("the page's orders: lock, fetch, map, check", "order_batch.py:_prepare"),
    ("  resolving partner, taxes, products, accounts", "order_importer.py:_validate"),
    ("the invoices' create (one create)", "account/models/account_move.py:create"),
    ("  set BigCommerce's tax amounts", "accounting.py:set_bigcommerce_taxes"),
    ("checking each invoice's totals", "order_importer.py:_check_invoice"),
    ("posting (action_post)", "account/models/account_move.py:action_post"),
    ("bindings and external IDs", "binder.py:bind_many"),
    ("the payments (create, post)", "order_batch.py:_register_payments"),
    ("  reconciling them", "payment_entries.py:match_payments"),
    ("the rest of each order's import", "order_importer.py:_after_import"),
    ("  shipments and refunds queued", "jobs.py:delay"),
    ("the chatter lines (one batch per model)", "order_batch.py:_log_chatter_lines"),
    ("the orders imported alone", "order_batch.py:_import_alone"),
    ("flush to the database", "orm/environments.py:flush_all"),
)
breakdown = {
    label: cumulative(re.escape(where) + "$") / max(profiled_orders, 1)
    for label, where in STEPS
}
out = io.StringIO()
stats.stream = out
stats.sort_stats("cumulative").print_stats(40)
print(
    "BENCH"
    + json.dumps(
        {
            "pages": len(pages),
            "posted": posted,
            "timed_orders": listed,
            "per_listed_order": timed / max(listed, 1),
            "profiled_orders": profiled_orders,
            "profiled_per_order": total / max(profiled_orders, 1),
            "breakdown": breakdown,
            "top": out.getvalue()[-8000:],
        }
    )
)
