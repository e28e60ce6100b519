# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Measurement 3: posted invoices per minute, webhook to ledger (run once
with 1 job worker and once with 2); its calls count for measurement 4."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from .common import endpoint_counts, percentile
from .deliveries import Deliverer
from .queries import (
    invoiced_ids,
    log_lines,
    of_store,
    posted,
    server_side_requests,
    wait_for_jobs,
)


def phase_throughput(odoo, sim, stores, order_ids, label, warm_ids=()):
    """Webhook to ledger: deliver, then wait until every invoice is posted.
    ``warm_ids`` are imported first, unmeasured (the first jobs of a worker
    load what later ones find ready)."""
    backend = stores["benchhook"]
    deliverer = Deliverer(odoo, sim, backend["webhook_key"])
    for delivery in [deliverer.prepare(o) for o in warm_ids]:
        deliverer.send(delivery)
    wait_for_jobs(odoo, backend["id"], 120)
    expected = invoiced_ids(odoo, sim, backend["id"], order_ids)
    planned = [deliverer.prepare(o) for o in order_ids]
    calls_before = len(sim.requests)
    since = datetime.now(UTC).replace(tzinfo=None)
    first_log_line = log_lines(odoo.log_path)
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliverer.send, planned))
    deadline = time.monotonic() + max(300, 3 * len(order_ids))
    while time.monotonic() < deadline:
        if posted(odoo, backend["id"], expected) >= len(expected):
            break
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    done = posted(odoo, backend["id"], expected)
    wait_for_jobs(odoo, backend["id"], 120)
    ((jobs, tries),) = odoo.query(
        "SELECT count(*), coalesce(sum(retry), 0) FROM queue_job "
        "WHERE method_name = '_import_order' AND records::text ~ %s "
        "AND date_created >= %s",
        (of_store(backend["id"]), since),
    )
    job_times = server_side_requests(odoo.log_path, first_log_line, "/queue_job/runjob")
    return {
        "label": label,
        "orders": len(order_ids),
        "invoices": done,
        "expected": len(expected),
        "seconds": elapsed,
        "per_minute": done / elapsed * 60,
        "delivery_errors": sum(1 for s, _a in statuses if s != 200),
        "calls": len(sim.requests) - calls_before,
        "endpoints": endpoint_counts(sim.requests[calls_before:]),
        "jobs": jobs,
        "tries": tries,
        "job_p50": percentile([t for t, _sql in job_times], 0.5),
        "job_sql_p50": percentile([sql for _t, sql in job_times], 0.5),
    }
