# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Measurement 1: the webhook acknowledgement, in open loop at a fixed rate
and in closed loop at a fixed concurrency, 10% duplicate deliveries; then
whether every acknowledged order got its invoice."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from .deliveries import (
    Deliverer,
    deliveries_with_duplicates,
    server_side_summary,
    summarize_acks,
)
from .queries import (
    failures,
    invoiced_ids,
    jobs_created_since,
    log_lines,
    posted,
    wait_for_jobs,
)


def phase_open_loop(odoo, sim, stores, order_ids, rate, seconds, webhook_ids=False):
    """Deliver ``order_ids`` at ``rate`` per second for ``seconds``, each on
    schedule whether or not the ones before were answered: latency from
    the scheduled time, answers, jobs queued, server time (with
    ``webhook_ids``, the unique deliveries' ids too)."""
    backend = stores["benchhook"]
    deliverer = Deliverer(odoo, sim, backend["webhook_key"])
    planned, unique = deliveries_with_duplicates(
        deliverer, order_ids, int(rate * seconds)
    )
    since = datetime.now(UTC).replace(tzinfo=None)
    first_log_line = log_lines(odoo.log_path)
    results = []
    lock = threading.Lock()

    def send(delivery, scheduled):
        """Deliver, and note the latency from the scheduled time."""
        status, answer = deliverer.send(delivery)
        with lock:
            results.append((time.monotonic() - scheduled, status, answer))

    started = time.monotonic() + 0.2
    with ThreadPoolExecutor(64) as pool:
        for index, delivery in enumerate(planned):
            scheduled = started + index / rate
            pause = scheduled - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, delivery, scheduled)
    summary = summarize_acks(results)
    summary.update(
        unique=unique,
        duplicates=len(planned) - unique,
        jobs=jobs_created_since(odoo, backend["id"], since),
        rate=rate,
    )
    summary.update(server_side_summary(odoo, first_log_line, sql=True))
    summary["order_ids"] = list(order_ids)[:unique]
    if webhook_ids:
        summary["webhook_ids"] = list({h["webhook-id"] for _b, h in planned})
    return summary


def phase_closed_loop(odoo, sim, stores, order_ids, concurrency, seconds):
    """``concurrency`` clients deliver ``order_ids``, each sending the next
    once its last was answered, for ``seconds``: latency, deliveries per
    second at saturation, answers, jobs queued, server time."""
    backend = stores["benchhook"]
    deliverer = Deliverer(odoo, sim, backend["webhook_key"])
    planned, _unique = deliveries_with_duplicates(deliverer, order_ids, len(order_ids))
    since = datetime.now(UTC).replace(tzinfo=None)
    first_log_line = log_lines(odoo.log_path)
    queue = iter(planned)
    lock = threading.Lock()
    results = []
    stop_at = time.monotonic() + seconds

    def client():
        """Deliver the next planned delivery once the last is answered."""
        while time.monotonic() < stop_at:
            with lock:
                delivery = next(queue, None)
            if delivery is None:
                return
            sent = time.monotonic()
            status, answer = deliverer.send(delivery)
            with lock:
                results.append((time.monotonic() - sent, status, answer))

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    summary = summarize_acks(results)
    sent = len(results)
    sent_unique = len({id(d) for d in planned[:sent]})
    summary.update(
        concurrency=concurrency,
        per_second=sent / elapsed,
        unique=sent_unique,
        duplicates=sent - sent_unique,
        jobs=jobs_created_since(odoo, backend["id"], since),
    )
    summary.update(server_side_summary(odoo, first_log_line))
    unique_orders, seen = [], set()
    for body, _headers in planned[:sent]:
        order_id = json.loads(body)["data"]["id"]
        if order_id not in seen:
            seen.add(order_id)
            unique_orders.append(order_id)
    summary["order_ids"] = unique_orders
    return summary


def acknowledged_outcome(odoo, sim, stores, open_loop, closed_loop):
    """Once the acknowledged orders' imports are done: how many orders the
    addon's policy invoices were lost (no posted invoice), and the store's
    failures. Takes the order ids out of both loops' summaries; waits at
    most a quarter of an hour, or two seconds an order if longer."""
    backend_id = stores["benchhook"]["id"]
    acked = open_loop.pop("order_ids") + closed_loop.pop("order_ids")
    wait_for_jobs(odoo, backend_id, max(900, 2 * len(acked)))
    expected = invoiced_ids(odoo, sim, backend_id, acked)
    lost = len(expected) - posted(odoo, backend_id, expected)
    return lost, failures(odoo, backend_id)
