# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What an acknowledgement costs on its own: signed deliveries through
Odoo's own WSGI application, in this process (an ``odoo shell``, which
provides ``env``; the server stopped, nothing else importing), timed, then
under cProfile. Run by tools/bench.py on its database, for the store
``BENCH_ACK``'s ``store`` names; the jobs and delivery logs it makes are
deleted after. Prints ``BENCH{json}``: the server time per delivery, its
SQL statements and time, and the cumulative time of each step.
"""

# A script run by the benchmark: it reports on stdout on purpose.
# pylint: disable=print-used

import cProfile
import itertools
import json
import os
import pstats
import re
import time

from werkzeug.test import Client
from werkzeug.wrappers import Response

import odoo.http

from odoo.addons.bigcommerce_connector.controllers.main import WEBHOOK_ROUTE
from odoo.addons.bigcommerce_connector.tests.simulator import webhooks

env = globals()["env"]  # the shell's environment
spec = json.loads(os.environ["BENCH_ACK"])
count = spec.get("deliveries", 300)
backend = env["bigcommerce.backend"].search([("name", "=", spec["store"])], limit=1)
key, secret, store_hash = backend.webhook_key, backend.client_secret, backend.store_hash
env.cr.execute("SELECT coalesce(max(id), 0) FROM queue_job")
(first_job,) = env.cr.fetchone()
env.cr.commit()
client = Client(odoo.http.root, Response)
order_ids = itertools.count(10_000_000)
statements = []


def deliver():
    """One signed ``store/order/created``, answered 200."""
    body = json.dumps(
        webhooks.envelope(
            store_hash,
            "1",
            "store/order/created",
            webhooks.order_data(next(order_ids)),
            time.time(),
        )
    ).encode()
    headers = webhooks.sign(secret, body, webhooks.new_webhook_id(), int(time.time()))
    headers["Content-Type"] = "application/json"
    answer = client.post(
        f"{WEBHOOK_ROUTE}/{key}",
        data=body,
        headers=headers,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.status_code}: {answer.get_data(as_text=True)}")


# The statements of one request, as Odoo's request log counts them.
counted = odoo.sql_db.Cursor.execute


def counting(self, *args, **kwargs):
    statements[-1] += 1
    return counted(self, *args, **kwargs)


for _ in range(30):  # warm-up: the store's cache, the registry's
    deliver()
started = time.perf_counter()
for _ in range(count):
    deliver()
per_ack = (time.perf_counter() - started) / count
odoo.sql_db.Cursor.execute = counting
for _ in range(20):
    statements.append(0)
    deliver()
odoo.sql_db.Cursor.execute = counted
profiler = cProfile.Profile()
profiler.enable()
for _ in range(count):
    deliver()
profiler.disable()
stats = pstats.Stats(profiler)
total = max(stats.total_tt, 1e-9)


def cumulative(pattern):
    found = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if re.search(pattern, f"{filename}:{name}"):
            found = max(found, ct)
    return found


STEPS = (
    ("Odoo's request (WSGI to the answer)", "odoo/http.py:__call__"),
    ("  the registry's check (one statement)", "orm/registry.py:check_signaling"),
    ("  the connector's route", "controllers/main.py:bigcommerce_webhook"),
    ("    the signature (standardwebhooks)", "bigcommerce/webhook.py:verify_webhook"),
    (
        "    claim, log and job (one statement)",
        "models/bigcommerce_webhook_log.py:_claim",
    ),
    ("  the commit", "odoo/sql_db.py:commit"),
    ("SQL statements' time", "odoo/sql_db.py:execute"),
)
breakdown = {
    label: cumulative(re.escape(where) + "$") / count for label, where in STEPS
}
env.cr.execute(
    "DELETE FROM queue_job WHERE id > %s AND records::text ~ %s",
    [first_job, rf'"ids\\?": \[{int(backend.id)}\]'],
)
env.cr.execute(
    "DELETE FROM bigcommerce_webhook_log WHERE backend_id = %s", [backend.id]
)
env.cr.commit()
print(
    "BENCH"
    + json.dumps(
        {
            "deliveries": count,
            "per_ack": per_ack,
            "statements": sorted(statements)[len(statements) // 2],
            "profiled_per_ack": total / count,
            "breakdown": breakdown,
        }
    )
)
