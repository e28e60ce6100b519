# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook deliveries as BigCommerce sends them: signed
``store/order/created`` requests to the store's webhook route, BigCommerce's
retries among them, and the summary of what the route answered."""

import json
import threading
import time
import uuid

import requests

from .addon import sim_webhooks
from .common import SECRET, percentile
from .queries import request_statements, server_side_acks


class Deliverer:
    """Signed ``store/order/created`` deliveries to the webhook route."""

    def __init__(self, odoo, sim, webhook_key):
        """Deliver to the route of ``webhook_key`` on ``odoo``, the payloads
        of ``sim``'s store."""
        self.url = odoo.url(f"/bigcommerce/webhook/{webhook_key}")
        self.sim = sim
        self.local = threading.local()

    def session(self):
        """This thread's HTTP session (connections kept open)."""
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def prepare(self, order_id):
        """A signed delivery of ``store/order/created`` for ``order_id``, with
        a webhook id of its own: ``(body, headers)``."""
        payload = self.sim.webhook_payload(
            "store/order/created", {"type": "order", "id": order_id}
        )
        body = json.dumps(payload).encode()
        headers = sim_webhooks.sign(
            SECRET, body, f"msg_{uuid.uuid4().hex}", int(time.time())
        )
        headers["Content-Type"] = "application/json"
        return body, headers

    def send(self, delivery):
        """Post ``delivery``; ``(HTTP status, the route's "status" answer)``,
        ``(None, None)`` when the request failed."""
        body, headers = delivery
        try:
            response = self.session().post(
                self.url, data=body, headers=headers, timeout=30
            )
            status = response.status_code
            answer = response.json().get("status") if status == 200 else None
        except (requests.RequestException, ValueError):
            status, answer = None, None
        return status, answer


def deliveries_with_duplicates(deliverer, order_ids, count):
    """``count`` deliveries; every tenth repeats the one before it (the
    same webhook id: BigCommerce retrying)."""
    pool = iter(order_ids)
    planned, unique = [], 0
    for index in range(count):
        if index % 10 == 9 and planned:
            planned.append(planned[-1])
        else:
            order_id = next(pool, None)
            if order_id is None:
                break
            planned.append(deliverer.prepare(order_id))
            unique += 1
    return planned, unique


def summarize_acks(results):
    """Latency percentiles, errors and answers of ``results``, a list of
    ``(latency, HTTP status, answer)``."""
    latencies = [latency for latency, status, _answer in results if status == 200]
    errors = sum(1 for _l, status, _a in results if status != 200)
    answers = {}
    for _l, _s, answer in results:
        answers[answer] = answers.get(answer, 0) + 1
    return {
        "count": len(results),
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "errors": errors,
        "queued": answers.get("queued", 0),
        "duplicate": answers.get("duplicate", 0),
    }


def server_side_summary(odoo, since_line, sql=False):
    """The median and 99th percentile of the server time and of the SQL
    statements of the deliveries logged since ``since_line`` (and the
    median SQL time, with ``sql``)."""
    server = server_side_acks(odoo.log_path, since_line)
    statements = request_statements(odoo.log_path, since_line, "/bigcommerce/webhook/")
    summary = {
        "server_p50": percentile([t for t, _sql in server], 0.5),
        "server_p99": percentile([t for t, _sql in server], 0.99),
        "statements_p50": percentile(statements, 0.5),
        "statements_p99": percentile(statements, 0.99),
    }
    if sql:
        summary["server_sql_p50"] = percentile([s for _t, s in server], 0.5)
    return summary
