# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The two deployments of the README (readme/INSTALL.md) under webhook
load: the single instance, and the two tiers on one database (the web tier
answers the webhooks and runs the job runner, which sends every job to the
job tier, a second ``odoo server`` with workers of its own under
``nice -n 10``); measurement 1 in each while orders import, and a burst of
deliveries above what the job tier imports."""

import time
from contextlib import contextmanager
from datetime import UTC, datetime

from .acknowledgement import acknowledged_outcome, phase_closed_loop, phase_open_loop
from .deliveries import Deliverer
from .queries import imports_done_between, jobs_of_deliveries, of_store
from .server import Odoo

DEPLOYMENTS = ("single", "two-tier")
JOB_WORKERS = 2  # root.bigcommerce:2, as the README's web.conf
JOB_TIER_NICE = 10


def now():
    """The database's clock for ``date_done`` comparisons (UTC, naive)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Deployment:
    """One deployment of the README: ``single`` (the server with 2 job
    workers that answers the webhooks and runs the jobs) or ``two-tier``
    (the web tier on ``--port``, the job tier on ``--jobs-port``)."""

    def __init__(self, kind, odoo, args, sim_urls):
        """``odoo``: the benchmark's server (the single instance, or the web
        tier); ``args``: the command line (``--jobs-port``)."""
        self.kind = kind
        self.odoo = odoo
        self.args = args
        self.jobs = None
        if kind == "two-tier":
            self.jobs = Odoo(args, odoo.workdir, name="jobs", port=args.jobs_port)
            self.conf = odoo.conf(JOB_WORKERS, sim_urls, jobs_port=args.jobs_port)
            self.jobs_conf = self.jobs.jobs_conf(JOB_WORKERS, sim_urls)
        else:
            self.conf = odoo.conf(JOB_WORKERS, sim_urls)

    @contextmanager
    def running(self):
        """Start the deployment (the job tier first, so that the runner
        finds it), warmed up; stop all of it on the way out, whatever
        happened."""
        try:
            if self.jobs:
                self.jobs.start(self.jobs_conf, nice=self.args.job_tier_nice)
                self.jobs.warm_up()
            self.odoo.start(self.conf)
            self.odoo.warm_up()
            yield self
        finally:
            self.stop()

    def stop(self):
        """Stop the web tier (and its runner) first, then the job tier."""
        self.odoo.stop()
        if self.jobs:
            self.jobs.stop()


def start_importing(odoo, sim, stores, order_ids):
    """Deliver ``order_ids`` (unmeasured) and wait until one of their
    imports has begun, within two minutes: the job workers are busy when a
    measurement begins."""
    backend = stores["benchhook"]
    deliverer = Deliverer(odoo, sim, backend["webhook_key"])
    for delivery in [deliverer.prepare(order_id) for order_id in order_ids]:
        deliverer.send(delivery)
    deadline = time.monotonic() + 120
    while order_ids and time.monotonic() < deadline:
        ((started,),) = odoo.query(
            "SELECT count(*) FROM queue_job WHERE method_name = '_import_order' "
            "AND records::text ~ %s AND state = 'started'",
            (of_store(backend["id"]),),
        )
        if started:
            return
        time.sleep(0.2)


def phase_acknowledgements(odoo, sim, stores, batches, args):
    """Measurement 1 in the deployment running on ``odoo``'s port: the open
    loop at ``--rate`` and the closed loop at ``--concurrency``, while
    orders import (``--ack-backlog`` of them queued first, and those the
    loops queue); then, once imported, the orders lost and the store's
    failures. ``batches``: ``(backlog's orders, open loop's, closed
    loop's)``.

    :return: ``{"open_loop", "closed_loop", "ack_lost", "hook_failures"}``;
        each loop's summary says how many orders were imported during it
        (``imported``).
    """
    backend_id = stores["benchhook"]["id"]
    start_importing(odoo, sim, stores, batches[0])
    batches = batches[1:]
    start = now()
    open_loop = phase_open_loop(
        odoo, sim, stores, batches[0], args.rate, args.open_seconds
    )
    middle = now()
    closed = phase_closed_loop(
        odoo, sim, stores, batches[1], args.concurrency, args.closed_seconds
    )
    end = now()
    open_loop["imported"] = imports_done_between(odoo, backend_id, start, middle)
    closed["imported"] = imports_done_between(odoo, backend_id, middle, end)
    print("phase: waiting for the acknowledged orders' imports", flush=True)
    lost, hook_failures = acknowledged_outcome(odoo, sim, stores, open_loop, closed)
    return {
        "open_loop": open_loop,
        "closed_loop": closed,
        "ack_lost": lost,
        "hook_failures": hook_failures,
    }


def backlog(odoo, backend_id):
    """The store's order import jobs waiting or running."""
    ((count,),) = odoo.query(
        "SELECT count(*) FROM queue_job WHERE method_name = '_import_order' "
        "AND records::text ~ %s AND state IN "
        "('pending', 'enqueued', 'started', 'wait_dependencies')",
        (of_store(backend_id),),
    )
    return count


def phase_burst(odoo, sim, stores, order_ids, args):
    """``--burst-deliveries`` deliveries at ``--burst-rate`` per second (10%
    of them BigCommerce's retries) against the running deployment, more
    than its job tier imports meanwhile: the answers, the backlog when the
    burst ends, and what became of every unique delivery, counted in the
    database (its logged claim and its job), then again after at most
    ``--burst-drain-seconds`` of imports (0: not waited for).
    """
    backend_id = stores["benchhook"]["id"]
    start = now()
    burst = phase_open_loop(
        odoo,
        sim,
        stores,
        order_ids,
        args.burst_rate,
        args.burst_deliveries / args.burst_rate,
        webhook_ids=True,
    )
    burst["imported"] = imports_done_between(odoo, backend_id, start, now())
    burst["backlog"] = backlog(odoo, backend_id)
    burst.pop("order_ids")
    webhook_ids = burst.pop("webhook_ids")
    burst["at_end"] = jobs_of_deliveries(odoo, backend_id, webhook_ids)
    if args.burst_drain_seconds:
        deadline = time.monotonic() + args.burst_drain_seconds
        while backlog(odoo, backend_id) and time.monotonic() < deadline:
            time.sleep(1)
        burst["drain_seconds"] = args.burst_drain_seconds
        burst["after_drain"] = jobs_of_deliveries(odoo, backend_id, webhook_ids)
    return burst


def burst_lost(burst, key="at_end"):
    """The unique deliveries of ``burst`` without their job (``key``: the
    count when the burst ended, or after the drain): never claimed, or
    claimed without a job."""
    counts = burst[key]
    return burst["unique"] - counts["claimed"] + counts["without_job"]
