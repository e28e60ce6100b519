# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Measurement 5 (and part of 2 and 4): a first sync of the store's
history, as an admin starts it from the import wizard; wall time, calls,
job time by kind, worker memory, the quota's bound."""

import time
from datetime import UTC, datetime

import requests

from .common import LISTING_ENDPOINT, QUOTAS, endpoint_counts
from .common import invoice_calls as invoice_calls_of
from .queries import (
    failures,
    invoiced_ids,
    log_lines,
    of_store,
    posted,
    server_side_jobs,
    server_side_requests,
    wait_for_jobs,
)
from .server import MemorySampler


def admin_rpc(odoo):
    """Log in as the administrator; a function that calls a model's method
    over JSON-RPC as the web client does, and returns its result."""
    session = requests.Session()
    login = session.post(
        odoo.url("/web/session/authenticate"),
        json={
            "jsonrpc": "2.0",
            "params": {"db": odoo.args.db, "login": "admin", "password": "admin"},
        },
        timeout=30,
    )
    login.raise_for_status()

    def call(model, method, args, kwargs=None):
        """``model.method(*args, **kwargs)`` on the server."""
        answer = session.post(
            odoo.url(f"/web/dataset/call_kw/{model}/{method}"),
            json={
                "jsonrpc": "2.0",
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs or {},
                },
            },
            timeout=120,
        ).json()
        if "error" in answer:
            raise RuntimeError(f"{model}.{method}: {answer['error']}")
        return answer["result"]

    return call


def phase_first_sync(odoo, sim, stores, n_orders):
    """A first sync of the store's history, as an admin starts it: the import
    wizard's "orders of a period", from before the first order to now."""
    backend = stores["benchsync"]
    expected = invoiced_ids(odoo, sim, backend["id"], sorted(sim.state.orders))
    sim.requests.clear()
    sampler = MemorySampler(odoo)
    sampler.start()
    call = admin_rpc(odoo)
    context = {"active_model": "bigcommerce.backend", "active_id": backend["id"]}
    first_log_line = log_lines(odoo.log_path)
    started = time.monotonic()
    wizard_id = call(
        "bigcommerce.import.wizard",
        "create",
        [
            {
                "mode": "period",
                "date_from": "2000-01-01 00:00:00",
                "date_to": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            }
        ],
        {"context": context},
    )
    call(
        "bigcommerce.import.wizard",
        "action_import",
        [[wizard_id]],
        {"context": context},
    )
    warm_after = None
    deadline = time.monotonic() + max(600, 2 * n_orders)
    while time.monotonic() < deadline:
        done = posted(odoo, backend["id"])
        if warm_after is None and done >= max(1, len(expected) // 10):
            warm_after = time.monotonic()
        if done >= len(expected):
            break
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    wait_for_jobs(odoo, backend["id"], 120)
    sampler.stop()
    peak, growth = sampler.summary(warm_after or started)
    done = posted(odoo, backend["id"])
    calls = len(sim.requests)
    endpoints = endpoint_counts(sim.requests)
    invoice_calls = invoice_calls_of(endpoints, listing=True)
    job_times = server_side_requests(odoo.log_path, first_log_line, "/queue_job/runjob")
    by_method = server_side_jobs(odoo, odoo.log_path, first_log_line)
    ((page_jobs,),) = odoo.query(
        "SELECT count(*) FROM queue_job WHERE method_name = '_import_orders_page' "
        "AND records::text ~ %s",
        (of_store(backend["id"]),),
    )
    return {
        "orders": n_orders,
        "expected": len(expected),
        "invoices": done,
        "seconds": elapsed,
        "per_second": done / elapsed,
        "calls": calls,
        "invoice_calls": invoice_calls,
        "endpoints": endpoints,
        "page_jobs": page_jobs,
        "job_seconds": sum(t for t, _sql in job_times),
        "jobs_run": len(job_times),
        "job_seconds_by_method": {
            method: [len(times), sum(times)] for method, times in by_method.items()
        },
        "listing_calls": endpoints.get(LISTING_ENDPOINT, 0),
        "calls_per_order": calls / max(1, n_orders),
        "invoice_calls_per_order": invoice_calls / max(1, n_orders),
        "peak_mb": peak,
        "growth_mb": growth,
        "failures": failures(odoo, backend["id"]),
        "quota_bound": {plan: calls / (quota / 30.0) for plan, quota in QUOTAS.items()},
    }
