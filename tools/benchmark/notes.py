# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The report's explanations: why each measurement that misses its target
misses it, from the profile and the measurements of the same run."""

from .common import is_invoice_endpoint, ms
from .figures import Figures, ack_deployments

# What the import does beyond creating and posting an invoice, in
# unprofiled milliseconds (cProfile slows every step about alike): what
# it is called in the notes -> its label in the profile's breakdown.
EXTRAS = {
    "registering the payment and reconciling it (the floor with the "
    "payments does it too)": "  the payment (register, reconcile)",
    "the step that sets BigCommerce's tax amounts where Odoo's rounding "
    "differs (the first to read the new invoice's lines, it also carries "
    "computations Odoo defers until then, which the floor pays in its "
    "post)": ("  of which: set BigCommerce's tax amounts"),
    "the chatter lines on the order and the invoice": (
        "  chatter lines (order, invoice)"
    ),
    "resolving partner, taxes, products and accounts": (
        "resolving partner, taxes, products, accounts"
    ),
    "the API call (to a local simulator)": (
        "the API call (HTTP to the store, JSON decode)"
    ),
    "binding and external ID": "binding + external ID",
    "the refund and cancellation checks": "  refunds and cancellation checks",
}


def notes(results):
    """Explanations of what misses its target, from the profile and the
    measurements of this run: ``{section: text}``."""
    fig = Figures.of(results)
    return {
        "import": import_note(results, fig),
        "ack": ack_note(results),
        "sync": sync_note(results, fig),
        "throughput": throughput_note(results, fig),
        "calls": calls_note(results, fig),
    }


def import_note(results, fig):
    """The import's cost against its floors, and where the rest goes."""
    cost = results["cost"]
    per, breakdown = cost["per_import"], cost["breakdown"]

    def share(label):
        """The step's share of the profiled import."""
        return breakdown.get(label, 0) / per if per else 0

    extra_ms = sorted(
        ((share(label) * fig.median_import, what) for what, label in EXTRAS.items()),
        reverse=True,
    )
    return (
        f"Unprofiled, an import costs {ms(fig.median_import)} at the median; "
        "creating and posting the identical invoice through the ORM, with the "
        "identical payments (`account.payment` created, posted and reconciled "
        f"with it), costs {ms(fig.ledger_floor)} (ratio {fig.ledger_ratio:.2f}), "
        f"and without them {ms(fig.median_floor)} "
        f"(ratio {fig.median_ratio:.2f}). Creating the invoice "
        f"({share('account.move create (lines, taxes, totals)'):.0%} of the "
        f"profiled import) and posting it ({share('  posting (action_post)'):.0%}) "
        "are the floor's own work. Beyond it, per import: "
        + "; ".join(f"{what}, about {ms(t)}" for t, what in extra_ms)
        + ". The API call goes to a local simulator: a real store adds a "
        "network round trip, 50-300 ms that the job waits without using the "
        "CPU. "
        + (
            "The ratio with the payments meets its target."
            if fig.ledger_ratio <= 1.0
            else f"The largest part of the gap is {extra_ms[0][1]}."
        )
    )


def ack_note(results):
    """Why the acknowledgement misses its latency or its rate, in each
    deployment measured; what the burst left behind."""
    deployments = ack_deployments(results)
    parts = []
    alone = results.get("ack_alone")
    if alone:
        parts.append(
            f"Alone, an acknowledgement costs {ms(alone['per_ack'])} and "
            f"{alone['statements']} SQL statements (above): the server time "
            "measured under load is that, plus the time its worker waits for "
            "a core that the imports, PostgreSQL, the simulated stores and the "
            "load generator share."
        )
    if "single" in deployments:
        parts.append(single_ack_note(results, deployments["single"]))
    if "two-tier" in deployments:
        parts.append(two_tier_ack_note(results, deployments["two-tier"]))
    if "burst" in results:
        parts.append(burst_note(results["burst"]))
    return "\n\n".join(parts)


def single_ack_note(results, measured):
    """The single instance: its HTTP workers answer and import."""
    open_loop, closed = measured["open_loop"], measured["closed_loop"]
    http_workers, job_workers = results["http_workers"], 2
    free = http_workers - job_workers
    ceiling = free / closed["server_p50"] if closed["server_p50"] else 0
    return (
        "An acknowledgement verifies the signature, finds the store, records "
        "the delivery id (a unique index) and inserts the job: "
        f"{ms(open_loop['server_p50'])} of server time at the median here, "
        "sharing 2 cores with the imports these webhooks queue. queue_job "
        "runs its jobs as HTTP requests on the same workers: of the "
        f"{http_workers} HTTP workers, {job_workers} are importing, and the "
        f"{free} others, at {ms(closed['server_p50'])} each (the median), "
        f"answer in the order of {ceiling:.0f} deliveries/s; the saturation "
        f"measured is {closed['per_second']:.0f}/s. At 50/s in open loop the "
        "deliveries queue behind them, hence the p99. The targets need workers that "
        "only acknowledge (a separate Odoo instance for the webhook route, or "
        "more HTTP workers than the job channel's capacity, on cores of their "
        "own) and CPU left over by the imports."
        if open_loop["p99"] > 0.050 or closed["per_second"] < 150
        else "In the single instance, the acknowledgement meets its targets."
    )


def two_tier_ack_note(results, measured):
    """The two tiers: the web tier only answers, the job tier imports at a
    lower CPU priority."""
    open_loop, closed = measured["open_loop"], measured["closed_loop"]
    return (
        f"In two tiers, the web tier's {results['http_workers']} HTTP workers "
        "only answer (and its runner hands out the jobs); the job tier's "
        "workers import under "
        f"`nice -n {results.get('job_tier_nice', 10)}`, so that the answers "
        "come first when the cores are busy. At the median an acknowledgement took "
        f"{ms(open_loop['server_p50'])} of server time at {open_loop['rate']}/s "
        f"and {ms(closed['server_p50'])} at saturation "
        f"({closed['per_second']:.0f}/s), while "
        f"{open_loop.get('imported', '?')} and {closed.get('imported', '?')} "
        "orders imported. "
        + (
            "It meets its targets."
            if open_loop["p99"] <= 0.050 and closed["per_second"] >= 150
            else "What it misses, it misses on the CPU the imports leave: "
            "`nice` lowers the job tier's priority, not PostgreSQL's, whose "
            "backends serve both tiers alike; on 2 cores shared with the "
            "simulator and the load generator there is no core the "
            "acknowledgements have to themselves."
        )
    )


def burst_note(burst):
    """The backlog the burst left, and how it drains."""
    counts = burst["at_end"]
    return (
        f"The burst of {burst['count']} deliveries at {burst['rate']:g}/s "
        f"({burst['unique']} unique, the others BigCommerce's retries) left "
        f"{burst['backlog']} order jobs waiting when it ended; the job tier "
        f"imported {burst['imported']} meanwhile. Counted in the database "
        f"then, {counts['claimed']} deliveries were claimed, "
        f"{counts['jobs']} jobs stored for them ({counts['queued']} queued, "
        f"{counts['done']} done, {counts['failed']} failed). "
        + (
            f"After {burst['drain_seconds']:.0f} s more of imports: "
            f"{burst['after_drain']['queued']} queued, "
            f"{burst['after_drain']['done']} done, "
            f"{burst['after_drain']['failed']} failed. "
            if "after_drain" in burst
            else ""
        )
        + "The backlog is rows of `queue_job`: the job tier imports it at its "
        "own pace, and a restart of either tier loses none of it."
    )


def sync_note(results, fig):
    """The first sync's calls and job time, against the floors."""
    sync = results["sync"]
    page_count, page_seconds = sync.get("job_seconds_by_method", {}).get(
        "_import_orders_page", (0, 0.0)
    )
    page_per_order = page_seconds / sync["orders"] if page_count else 0
    others = {
        name: count
        for name, count in sync["endpoints"].items()
        if not is_invoice_endpoint(name, listing=True)
    }
    days = sync.get("span_days")
    return (
        "The first sync is the import wizard's period, as an admin starts it"
        + (f", over a history of {days} days" if days else "")
        + f": {sync['listing_calls']} listing calls (250 orders a page, with "
        f"their lines), then {sync['page_jobs']} jobs of up to 20 orders, each "
        "in one transaction: its new posted invoices in one create and one "
        "post, their payments likewise, its other orders a savepoint each. "
        f"The invoices need {sync['invoice_calls_per_order']:.2f} calls per "
        "order (the listing, and the tax rows of orders whose rates round "
        "alike). "
        + (
            "The other calls are other records' own jobs: "
            + ", ".join(f"{count} `{name}`" for name, count in others.items())
            + ". New customers are read 250 a call before a page's orders; a "
            "shipped order's shipments take a call each (no listing across "
            "orders), read only for orders shipped or completed within the "
            "store's days (30 by default)"
            + (
                f", a fraction of a {days}-day history; "
                if days and days > 30
                else "; "
            )
            + "a refunded order lists its refunds. "
            if others
            else ""
        )
        + "Server time of the jobs, by kind: "
        + ", ".join(
            f"{method} {count} jobs, {seconds:.0f} s"
            for method, (count, seconds) in sorted(
                sync.get("job_seconds_by_method", {}).items(),
                key=lambda item: -item[1][1],
            )
        )
        + ". "
        + (
            f"The pages took {ms(page_per_order)} per listed order (skipped "
            "ones included); the ORM floors, in a single process: "
            f"{ms(fig.median_floor)} an invoice one by one "
            f"({ms(fig.ledger_floor)} with its payments)"
            + (
                f", {ms(fig.batch_floor)} in batches "
                f"({ms(fig.batch_ledger_floor)} with their payments)"
                if fig.batch_floor == fig.batch_floor
                else ""
            )
            + ". The 2 job "
            "workers share the 2 cores with PostgreSQL, the simulator and the "
            "jobs of the other records."
            if page_per_order
            else ""
        )
    )


def throughput_note(results, fig):
    """Why a second job worker does not double the throughput."""
    one, two = results["throughput_1"], results["throughput_2"]
    slowdown = two["job_p50"] / one["job_p50"] if one["job_p50"] else 0
    return (
        f"A job took {ms(one['job_p50'])} of server time at the median with one "
        f"job worker (SQL {ms(one['job_sql_p50'])}), {ms(two['job_p50'])} with "
        f"two (SQL {ms(two['job_sql_p50'])}). "
        + (
            f"Each job took {slowdown:.1f}x as long with two workers: they "
            "share a saturated CPU. One import keeps a core busy in Odoo and "
            "part of the other in PostgreSQL; on 2 cores a second job worker "
            "has no core of its own (nor do the simulator and the load "
            "generator). The scaling needs a core per job worker and its share "
            "of PostgreSQL."
            if slowdown >= 1.4
            else "Jobs took about as long with two workers, so the second one "
            "spent its time waiting rather than importing: between jobs (the "
            "runner hands out jobs as it is notified of them) or on locks."
        )
        if fig.scaling < 1.7
        else ""
    )


def calls_note(results, fig):
    """The webhook orders' API calls, by endpoint."""
    two = results["throughput_2"]
    return (
        f"By webhook: {two['calls']} calls for {two['orders']} orders, in "
        f"{two['tries']} tries of {two['jobs']} order jobs. By endpoint: "
        + ", ".join(f"{count} `{name}`" for name, count in two["endpoints"].items())
        + f". The invoices took {fig.hook_invoice_calls} of them: the order itself, "
        "and the tax rows only where they cannot be told from the order's "
        "figures and the store's rates (rates that round alike), the "
        "transactions only for a payment split between methods. The others "
        "are other records' own endpoints, each in its own job: the shipments "
        "of each shipped order (BigCommerce has no `include` for them; the "
        "order's import passes the lines it read, so the shipments job reads "
        "the shipments only), a new customer with its addresses, the refunds "
        "of a refunded order. "
        + (
            "A job that tried twice lost a race on a new customer's partner "
            "to another job (the unique index decides, the loser retries) and "
            "fetched its order again."
            if two["tries"] > two["jobs"]
            else ""
        )
    )
