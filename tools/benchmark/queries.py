# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the benchmark reads back: the stores' jobs, invoices and failures
in the database, which orders the addon's policy invoices, and the server
times in Odoo's request log."""

import re
import time

from .addon import posts_invoice


def of_store(backend_id):
    """A regular expression matching the ``records`` of the store's jobs
    (stored as JSON inside a JSON string)."""
    return rf'"ids\\?": \[{int(backend_id)}\]'


def wait_for_jobs(odoo, backend_id, timeout):
    """Wait until no job of the store is waiting or running; bounded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ((busy,),) = odoo.query(
            "SELECT count(*) FROM queue_job WHERE state IN "
            "('pending', 'enqueued', 'started', 'wait_dependencies') "
            "AND records::text ~ %s",
            (of_store(backend_id),),
        )
        if not busy:
            return True
        time.sleep(0.5)
    return False


def posted(odoo, backend_id, order_ids=None):
    """How many of the store's orders (of ``order_ids``, else all) have a
    posted invoice."""
    sql = (
        "SELECT count(*), max(m.write_date) FROM bigcommerce_order b "
        "JOIN account_move m ON m.id = b.move_id "
        "WHERE b.backend_id = %s AND m.state = 'posted'"
    )
    params = [backend_id]
    if order_ids is not None:
        sql += " AND b.bigcommerce_id = ANY(%s)"
        params.append(list(order_ids))
    ((count, _last),) = odoo.query(sql, params)
    return count


def failures(odoo, backend_id):
    """The store's unresolved failures and failed jobs."""
    ((count,),) = odoo.query(
        "SELECT count(*) FROM bigcommerce_failure WHERE backend_id = %s "
        "AND state != 'resolved'",
        (backend_id,),
    )
    ((failed,),) = odoo.query(
        "SELECT count(*) FROM queue_job WHERE state = 'failed' AND records::text ~ %s",
        (of_store(backend_id),),
    )
    return count + failed


def store_policy(odoo, backend_id):
    """The store's posting policy and its own status rules,
    ``{status id: action}``, as its settings hold them."""
    ((posting_policy,),) = odoo.query(
        "SELECT posting_policy FROM bigcommerce_backend WHERE id = %s",
        (backend_id,),
    )
    rows = odoo.query(
        "SELECT status, action FROM bigcommerce_status_rule WHERE backend_id = %s",
        (backend_id,),
    )
    return posting_policy, {int(status): action for status, action in rows}


def invoiced_ids(odoo, sim, backend_id, order_ids):
    """The orders of ``order_ids`` whose invoice the connector posts: none
    unless the store's posting policy posts, else the addon's status policy
    (:func:`.addon.posts_invoice`) with the store's rules, on the orders as
    the store's simulator serves them."""
    posting_policy, rules = store_policy(odoo, backend_id)
    if posting_policy != "post":
        return []
    return [
        order_id
        for order_id in order_ids
        if posts_invoice(sim.state.render_order(order_id), rules)
    ]


def jobs_created_since(odoo, backend_id, since):
    """How many order import jobs of the store were queued since ``since``
    (UTC, naive)."""
    ((count,),) = odoo.query(
        "SELECT count(*) FROM queue_job WHERE method_name = '_import_order' "
        "AND records::text ~ %s AND date_created >= %s",
        (of_store(backend_id), since),
    )
    return count


def server_side_acks(log_path, since_line):
    """``(server time, SQL time)`` of the webhook deliveries logged since
    ``since_line``."""
    return server_side_requests(log_path, since_line, "/bigcommerce/webhook/")


def server_side_requests(log_path, since_line, path):
    """``(server time, SQL time)`` of the requests to ``path``, from Odoo's
    request log lines: ``"POST <path>..." 200 - <queries> <sql s> <other s>``.
    queue_job runs its jobs as requests to ``/queue_job/runjob``."""
    times = []
    with open(log_path, errors="replace") as log:
        for number, line in enumerate(log):
            if number < since_line or path not in line:
                continue
            match = re.search(r'" \d{3} - (\d+) ([\d.]+) ([\d.]+)', line)
            if match:
                times.append((float(match[2]) + float(match[3]), float(match[2])))
    return times


def server_side_jobs(odoo, log_path, since_line):
    """``{job method: [server time, ...]}`` of the jobs run since
    ``since_line``, from the runner's requests in Odoo's request log."""
    by_uuid = {}
    with open(log_path, errors="replace") as log:
        for number, line in enumerate(log):
            if number < since_line or "/queue_job/runjob" not in line:
                continue
            match = re.search(
                r'job_uuid=([0-9a-f-]+)[^"]*" \d{3} - (\d+) ([\d.]+) ([\d.]+)', line
            )
            if match:
                by_uuid[match[1]] = float(match[3]) + float(match[4])
    if not by_uuid:
        return {}
    methods = dict(
        odoo.query(
            "SELECT uuid, method_name FROM queue_job WHERE uuid IN %s",
            (tuple(by_uuid),),
        )
    )
    times = {}
    for uuid_, seconds in by_uuid.items():
        times.setdefault(methods.get(uuid_, "?"), []).append(seconds)
    return times


def log_lines(path):
    """How many lines the log at ``path`` has (0 before it exists): where
    the lines of a phase begin."""
    try:
        with open(path, errors="replace") as log:
            return sum(1 for _line in log)
    except OSError:
        return 0


def request_statements(log_path, since_line, path):
    """The SQL statements of each request to ``path`` logged since
    ``since_line``: the ``<queries>`` of Odoo's request log line."""
    counts = []
    with open(log_path, errors="replace") as log:
        for number, line in enumerate(log):
            if number < since_line or path not in line:
                continue
            match = re.search(r'" \d{3} - (\d+) [\d.]+ [\d.]+', line)
            if match:
                counts.append(int(match[1]))
    return counts


def imports_done_between(odoo, backend_id, start, end):
    """How many order import jobs of the store finished between ``start``
    and ``end`` (UTC, naive): the orders imported during a measurement."""
    ((count,),) = odoo.query(
        "SELECT count(*) FROM queue_job WHERE method_name = '_import_order' "
        "AND records::text ~ %s AND date_done BETWEEN %s AND %s",
        (of_store(backend_id), start, end),
    )
    return count


def jobs_of_deliveries(odoo, backend_id, webhook_ids):
    """What became of the deliveries ``webhook_ids``: ``{"claimed": unique
    deliveries logged as claimed, "without_job": claimed deliveries whose
    row names no existing job, "jobs": distinct jobs, "queued", "done",
    "failed", "other": those jobs by state}``."""
    ((claimed, without_job, job_count),) = odoo.query(
        "SELECT count(*), count(*) FILTER (WHERE j.id IS NULL), "
        "count(DISTINCT j.id) FROM bigcommerce_webhook_log w "
        "LEFT JOIN queue_job j ON j.id = w.job_id "
        "WHERE w.backend_id = %s AND w.claimed AND w.webhook_id = ANY(%s)",
        (backend_id, list(webhook_ids)),
    )
    states = dict(
        odoo.query(
            "SELECT j.state, count(DISTINCT j.id) FROM bigcommerce_webhook_log w "
            "JOIN queue_job j ON j.id = w.job_id WHERE w.backend_id = %s "
            "AND w.claimed AND w.webhook_id = ANY(%s) GROUP BY j.state",
            (backend_id, list(webhook_ids)),
        )
    )
    queued = sum(
        states.pop(state, 0)
        for state in ("pending", "enqueued", "started", "wait_dependencies")
    )
    return {
        "claimed": claimed,
        "without_job": without_job,
        "jobs": job_count,
        "queued": queued,
        "done": states.pop("done", 0),
        "failed": states.pop("failed", 0),
        "other": sum(states.values()),
    }
