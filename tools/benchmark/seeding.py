# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The set-up: three simulated stores from the seeded generator (the page
job's profile runs a fourth, of its own), the same stores configured in
Odoo, and the webhook store's orders shared out between the phases that
deliver them."""

import json
import subprocess
import sys

from .addon import REPO, BigCommerceSimulator, generate_store
from .common import SECRET, STORES, TOKEN

CONFIGURE_SCRIPT = REPO / "tools" / "bench_configure.py"


class BenchSimulator(BigCommerceSimulator):
    """The simulator, keeping its request log but not validating every
    exchange against the specs: on a 2-core machine the validation would
    take CPU from the Odoo server being measured. The test suites validate."""

    def _record(self, request, response, fault):
        """Log the request's path and answer, nothing else."""
        with self._record_lock:
            self.requests.append(
                {"path": request.path, "status": response.status_code, "fault": fault}
            )


def burst_orders(args):
    """The orders of the burst: one per delivery but BigCommerce's retries
    (every tenth delivery repeats the one before)."""
    return args.burst_deliveries - args.burst_deliveries // 10


def store_sizes(args):
    """``{store: orders}``: the first sync's, enough for every webhook
    phase (each server's warm-up, both throughputs, both loops in each
    deployment, the burst), and the import cost's (3 to warm up, those
    measured, those profiled)."""
    warm = 2 * args.http_workers
    open_count = int(args.rate * args.open_seconds)
    hook_orders = (
        2 * (warm + args.throughput_orders)
        + len(args.deployments) * (args.ack_backlog + open_count + args.closed_max)
        + burst_orders(args)
    )
    return {
        "benchsync": args.sync_orders,
        "benchhook": hook_orders,
        "benchcost": 3 + args.cost_orders + args.profile_orders,
    }


def store_spec(args, sizes):
    """``{store: spec}`` of the generator for each store, as
    ``tools/bench_configure.py`` reads it (without its url); the first
    sync's store has ``--sync-span-days`` of history, the others the
    generator's six weeks (the configuration does not depend on dates)."""
    return {
        name: {
            "token": TOKEN,
            "secret": SECRET,
            "seed": args.seed + index,
            "customers": max(10, sizes[name] // 8),
            "orders": sizes[name],
            "span_days": args.sync_span_days if name == "benchsync" else 42,
        }
        for index, name in enumerate(STORES)
    }


def start_stores(args, spec):
    """Generate and start the simulated stores, on ``--sim-port`` and the
    two ports after it: ``{store: simulator}``."""
    sims = {}
    for index, name in enumerate(STORES):
        sim = BenchSimulator(
            store_hash=name,
            access_token=TOKEN,
            client_secret=SECRET,
            quota=None,
            port=args.sim_port + index,
        )
        generate_store(
            sim.state,
            seed=spec[name]["seed"],
            customers=spec[name]["customers"],
            orders=spec[name]["orders"],
            span_days=spec[name]["span_days"],
        )
        sim.start()
        sims[name] = sim
    return sims


def configure_stores(odoo, conf, sims, spec):
    """Configure the stores in Odoo as the demo configures its own;
    ``{store: {"id": store id, "webhook_key": ...}}``."""
    spec = {name: dict(store, url=sims[name].base_url) for name, store in spec.items()}
    return odoo.run_script(
        conf,
        CONFIGURE_SCRIPT,
        {"BENCH_STORES": json.dumps(spec), "BENCH_URL": odoo.url("")},
    )


def versions(odoo):
    """``(Odoo's version, PostgreSQL's)``, as the report names them."""
    version = subprocess.run(
        [sys.executable, "-c", "import odoo.release as r; print(r.version)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return version, f"PostgreSQL {odoo.query('SHOW server_version')[0][0]}"


def hook_batches(args, sim):
    """The webhook store's orders, shared out in the order they are
    delivered: each server's unmeasured warm-up (``warm_1``, ``warm_2``),
    both throughputs, the backlog, the open and the closed loop of each
    deployment (``("backlog", kind)``, ``("open", kind)``,
    ``("closed", kind)``) and the burst."""
    ids = sorted(sim.state.orders)
    warm = 2 * args.http_workers
    n = args.throughput_orders
    open_count = int(args.rate * args.open_seconds)
    batches = {}

    def take(name, count):
        """The next ``count`` orders, as the batch ``name``."""
        nonlocal ids
        batches[name], ids = ids[:count], ids[count:]

    take("warm_1", warm)
    take("warm_2", warm)
    take("throughput_1", n)
    take("throughput_2", n)
    for kind in args.deployments:
        take(("backlog", kind), args.ack_backlog)
        take(("open", kind), open_count)
        take(("closed", kind), args.closed_max)
    take("burst", burst_orders(args))
    return batches
