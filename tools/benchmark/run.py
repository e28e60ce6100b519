# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The command line, and the order in which the phases run."""

# A command-line tool: it reports to its terminal on purpose.
# pylint: disable=print-used

import argparse
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .addon import REPO
from .deployments import (
    DEPLOYMENTS,
    JOB_TIER_NICE,
    Deployment,
    phase_acknowledgements,
    phase_burst,
)
from .first_sync import phase_first_sync
from .import_cost import phase_import_cost
from .page_profile import phase_ack_alone, phase_page_profile
from .queries import wait_for_jobs
from .report import render_again, write_report
from .seeding import (
    configure_stores,
    hook_batches,
    start_stores,
    store_sizes,
    store_spec,
    versions,
)
from .server import Odoo, machine
from .throughput import phase_throughput


def parse_args(description, argv=None):
    """The benchmark's options (``tools/bench.sh`` passes the first four)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--port", type=int, default=8455, help="Odoo (and +1)")
    parser.add_argument("--sim-port", type=int, default=8457, help="four ports")
    parser.add_argument("--http-workers", type=int, default=4)
    parser.add_argument("--sync-orders", type=int, default=300)
    parser.add_argument(
        "--sync-span-days",
        type=int,
        default=730,
        help="the days of history of the first sync's store (orders shipped "
        "more than the store's shipment days before it are not read for "
        "shipments)",
    )
    parser.add_argument("--throughput-orders", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--open-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--closed-seconds", type=float, default=6.0)
    parser.add_argument("--closed-max", type=int, default=1500)
    parser.add_argument(
        "--ack-seconds",
        type=float,
        help="both loops' length (sets --open-seconds and --closed-seconds)",
    )
    parser.add_argument(
        "--deployment",
        choices=(*DEPLOYMENTS, "both"),
        default="both",
        help="the acknowledgement's deployments: the single instance, the two "
        "tiers of readme/INSTALL.md (the job tier under nice -n 10), or both",
    )
    parser.add_argument(
        "--ack-backlog",
        type=int,
        default=20,
        help="orders queued before each deployment's loops, so that they run "
        "while orders import",
    )
    parser.add_argument(
        "--jobs-port", type=int, help="the job tier of two (and +1); --port + 10"
    )
    parser.add_argument(
        "--burst-deliveries",
        type=int,
        default=10000,
        help="the burst against the two tiers (0: no burst)",
    )
    parser.add_argument("--burst-rate", type=float, default=100.0)
    parser.add_argument(
        "--job-tier-nice",
        type=int,
        default=JOB_TIER_NICE,
        help="the job tier's CPU priority in two tiers (nice -n)",
    )
    parser.add_argument(
        "--burst-drain-seconds",
        type=float,
        default=0.0,
        help="how long to let the burst's backlog import before counting "
        "again (0: counted in the database as the burst ends)",
    )
    parser.add_argument("--cost-orders", type=int, default=40)
    parser.add_argument("--profile-orders", type=int, default=20)
    parser.add_argument(
        "--page-orders",
        type=int,
        default=200,
        help="the orders of the page job's profile (its own store, on --sim-port + 3)",
    )
    parser.add_argument(
        "--page-profiled", type=int, default=3, help="the page jobs profiled"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: write --out again from the raw numbers it holds",
    )
    args = parser.parse_args(argv)
    if args.ack_seconds is not None:
        args.open_seconds = args.closed_seconds = args.ack_seconds
    args.jobs_port = args.jobs_port or args.port + 10
    args.deployments = DEPLOYMENTS if args.deployment == "both" else (args.deployment,)
    if "two-tier" not in args.deployments:
        args.burst_deliveries = 0
    return args


def measure(args, odoo, sims, spec, results):
    """Run the phases in turn into ``results``, each server warmed up
    before it is measured; the load average is noted as each begins.

    :return: the profiles, as text: ``{file name: text}``.
    """
    urls = [sim.base_url for sim in sims.values()]
    conf1, conf2 = odoo.conf(1, urls), odoo.conf(2, urls)
    stores = configure_stores(odoo, conf1, sims, spec)
    results["odoo"], results["postgres"] = versions(odoo)
    hook_sim = sims["benchhook"]
    batches = hook_batches(args, hook_sim)
    results["load"] = {}

    def phase(name):
        """Note the load average as the phase ``name`` begins."""
        results["load"][name] = round(os.getloadavg()[0], 1)
        print(f"phase: {name}", flush=True)

    phase("throughput with 1 job worker")
    odoo.start(conf1)
    odoo.warm_up()
    results["throughput_1"] = phase_throughput(
        odoo,
        hook_sim,
        stores,
        batches["throughput_1"],
        "1 job worker",
        batches["warm_1"],
    )
    odoo.stop()

    phase("throughput with 2 job workers")
    odoo.start(conf2)
    odoo.warm_up()
    hook_sim.requests.clear()
    results["throughput_2"] = phase_throughput(
        odoo,
        hook_sim,
        stores,
        batches["throughput_2"],
        "2 job workers",
        batches["warm_2"],
    )
    results["hook_calls_per_order"] = results["throughput_2"]["calls"] / max(
        1, len(batches["throughput_2"])
    )

    odoo.query_autocommit("VACUUM ANALYZE")
    phase(f"first sync of {args.sync_orders} orders")
    results["sync"] = phase_first_sync(
        odoo, sims["benchsync"], stores, args.sync_orders
    )
    results["sync"]["span_days"] = args.sync_span_days

    odoo.stop()

    results["deployments"] = {}
    for kind in args.deployments:
        phase(f"webhook acknowledgement while orders import, {kind}")
        with Deployment(kind, odoo, args, urls).running():
            results["deployments"][kind] = phase_acknowledgements(
                odoo,
                hook_sim,
                stores,
                tuple(batches[(name, kind)] for name in ("backlog", "open", "closed")),
                args,
            )

    odoo.query_autocommit("VACUUM ANALYZE")
    phase("import cost against the ORM floor, and its profile")
    results["cost"], results["cost_calls_per_order"] = phase_import_cost(
        odoo, conf2, sims["benchcost"], stores, args.cost_orders
    )
    profiles = {"profile.txt": results["cost"].pop("top")}

    phase("the first sync's page job, profiled")
    results["pages"] = phase_page_profile(odoo, args, urls)
    profiles["page-profile.txt"] = results["pages"].pop("top")
    phase("an acknowledgement alone, profiled")
    results["ack_alone"] = phase_ack_alone(odoo, args, urls)

    if args.burst_deliveries:
        phase(
            f"a burst of {args.burst_deliveries} deliveries at "
            f"{args.burst_rate:g}/s, two-tier"
        )
        with Deployment("two-tier", odoo, args, urls).running():
            # The other stores' jobs that the import cost left run first:
            # the burst begins with an idle job tier.
            for store in stores.values():
                wait_for_jobs(odoo, store["id"], 300)
            results["burst"] = phase_burst(
                odoo, hook_sim, stores, batches["burst"], args
            )
    return profiles


def main(description, argv=None):
    """Measure everything and write the report (or, with ``--render-only``,
    only write it again)."""
    args = parse_args(description, argv)
    if args.render_only:
        render_again(args)
        return
    workdir = Path(tempfile.mkdtemp(prefix="bigcommerce-bench-"))
    sizes = store_sizes(args)
    spec = store_spec(args, sizes)
    sims = start_stores(args, spec)
    print(f"stores generated: {sizes}; work files in {workdir}", flush=True)
    odoo = Odoo(args, workdir)
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "http_workers": args.http_workers,
        "seed": args.seed,
        "job_tier_nice": args.job_tier_nice,
    }
    try:
        profiles = measure(args, odoo, sims, spec, results)
    finally:
        odoo.stop()
        for sim in sims.values():
            sim.stop()
        # The raw numbers first: a phase that fails, or a report that fails
        # to render, loses none of those measured.
        (workdir / "results.json").write_text(json.dumps(results, default=str))
    write_report(args, results)
    for name, text in profiles.items():
        (workdir / name).write_text(text)
    print(
        f"\nWritten to {args.out}; the profiles of the import and of the page "
        f"job are in {workdir}: {', '.join(profiles)}"
    )
