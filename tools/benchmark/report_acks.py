# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The report's rows and paragraph of measurement 1: the acknowledgement in
each deployment measured, and the burst against the two tiers."""

from .common import check, ms, step_rows, verdict
from .figures import LABELS, ack_deployments


def statements(loop):
    """``"median (p99)"`` of a loop's SQL statements per delivery; ``?`` for
    a run that did not count them."""
    if "statements_p50" not in loop:
        return "?"
    return f"{loop['statements_p50']:.0f} ({loop['statements_p99']:.0f})"


def deployment_rows(label, measured):
    """The rows of one deployment's acknowledgement, ``measured`` as
    :func:`.deployments.phase_acknowledgements` returns it."""
    open_loop, closed = measured["open_loop"], measured["closed_loop"]
    imported = (
        f", {open_loop['imported']} orders imported meanwhile"
        if "imported" in open_loop
        else ""
    )
    return [
        (
            f"1. Webhook ack, open loop {open_loop['rate']}/s{imported}, {label}, "
            "p50 / p99",
            f"{ms(open_loop['p50'])} / {ms(open_loop['p99'])}",
            "p99 ≤ 50 ms",
            verdict(open_loop["p99"] <= 0.050),
        ),
        (
            f"1. Webhook ack, closed loop at {closed['concurrency']}, {label}, "
            "p50 / p99",
            f"{ms(closed['p50'])} / {ms(closed['p99'])}",
            "(reported)",
            "",
        ),
        (
            f"1. Deliveries per second at saturation, {label}",
            f"{closed['per_second']:.0f}/s",
            "≥ 150/s",
            verdict(closed["per_second"] >= 150),
        ),
        (
            f"1. Server time / SQL statements per ack at {open_loop['rate']}/s, "
            f"{label}, median (p99)",
            f"{ms(open_loop['server_p50'])} ({ms(open_loop['server_p99'])}) / "
            f"{statements(open_loop)}",
            "≤ 10 ms, ≤ 6 statements",
            verdict(
                open_loop["server_p50"] <= 0.010
                and open_loop.get("statements_p50", 99) <= 6
            ),
        ),
        (
            f"1. Errors (non-200 answers), open / closed, {label}",
            f"{open_loop['errors']} / {closed['errors']}",
            "(reported)",
            check(not open_loop["errors"] and not closed["errors"]),
        ),
        (
            f"1. Jobs enqueued / unique events (10% duplicates), {label}",
            f"{open_loop['jobs']} / {open_loop['unique']} open, "
            f"{closed['jobs']} / {closed['unique']} closed",
            "(reported)",
            check(
                open_loop["jobs"] == open_loop["unique"]
                and closed["jobs"] == closed["unique"]
            ),
        ),
        (
            "1. Webhook orders lost (invoiced orders without a posted invoice), "
            f"{label}",
            str(measured["ack_lost"]),
            "(reported)",
            check(measured["ack_lost"] == 0),
        ),
    ]


def burst_rows(burst):
    """The rows of the burst, as :func:`.deployments.phase_burst` returns
    it."""
    answered = burst["count"] - burst["errors"]
    rows = [
        (
            f"1. Burst of {burst['count']} deliveries at {burst['rate']:g}/s, "
            "two tiers: answered 200, p50 / p99",
            f"{answered} / {burst['count']}, {ms(burst['p50'])} / {ms(burst['p99'])}",
            "(reported)",
            check(not burst["errors"]),
        ),
        (
            "1. Burst: backlog when it ended (orders imported during it)",
            f"{burst['backlog']} jobs ({burst['imported']} imported)",
            "(reported)",
            "",
        ),
    ]
    for key, when in (("at_end", "as it ended"), ("after_drain", "after the drain")):
        if key not in burst:
            continue
        counts = burst[key]
        lost = burst["unique"] - counts["claimed"] + counts["without_job"]
        if key == "after_drain":
            when = f"after {burst['drain_seconds']:.0f} s of imports"
        rows.append(
            (
                f"1. Burst, {when}: jobs queued + done / unique events; "
                "deliveries without their job",
                f"{counts['queued']} + {counts['done']} = "
                f"{counts['queued'] + counts['done']} / {burst['unique']}"
                + (f" ({counts['failed']} failed)" if counts["failed"] else "")
                + f"; {lost}",
                "(reported)",
                check(
                    counts["queued"] + counts["done"] == burst["unique"] and not lost
                ),
            )
        )
    return rows


def ack_rows(results):
    """Measurement 1's rows: each deployment measured, then the burst."""
    rows = []
    for kind, measured in ack_deployments(results).items():
        rows += deployment_rows(LABELS[kind], measured)
    alone = results.get("ack_alone")
    if alone:
        rows.append(
            (
                "1. Server time / SQL statements per ack alone (nothing "
                f"importing, {alone['deliveries']} deliveries in process), mean",
                f"{ms(alone['per_ack'])} / {alone['statements']}",
                "≤ 10 ms, ≤ 6 statements",
                verdict(alone["per_ack"] <= 0.010 and alone["statements"] <= 6),
            )
        )
    if "burst" in results:
        rows += burst_rows(results["burst"])
    return rows


def ack_alone_section(results):
    """The profile of an acknowledgement alone, when the run measured it."""
    alone = results.get("ack_alone")
    if not alone:
        return ""
    per = alone["profiled_per_ack"]
    breakdown = step_rows(alone["breakdown"], per)
    return f"""
An acknowledgement alone: {alone["deliveries"]} signed deliveries through
Odoo's own WSGI application in an `odoo shell`, the server stopped and
nothing importing, took {ms(alone["per_ack"])} each (the whole request:
Odoo's dispatch, the connector's route, the commit) and
{alone["statements"]} SQL statements. cProfile of as many, {ms(per)} each,
of which (cumulative; steps nest):

| Step | Per delivery | Share |
|---|---|---|
{breakdown}
"""


def ack_paragraph(results):
    """The server-side times of measurement 1, one sentence a deployment."""
    sentences = []
    for kind, measured in ack_deployments(results).items():
        open_loop, closed = measured["open_loop"], measured["closed_loop"]
        sql = (
            f" (SQL p50 {ms(open_loop['server_sql_p50'])})"
            if "server_sql_p50" in open_loop
            else ""
        )
        sentences.append(
            f"{LABELS[kind].capitalize()}: open loop p50 "
            f"{ms(open_loop['server_p50'])}, p99 {ms(open_loop['server_p99'])}"
            f"{sql}, SQL statements {statements(open_loop)}; closed loop p50 "
            f"{ms(closed['server_p50'])}, p99 {ms(closed['server_p99'])}, SQL "
            f"statements {statements(closed)}."
        )
    return (
        "Server-side time of the same requests, from Odoo's request log "
        "(its SQL time and the rest; its count of SQL statements, median "
        "(p99)). " + " ".join(sentences)
    )


def deployments_text(results):
    """What the deployments of measurement 1 were, for the report's list
    of the set-up."""
    kinds = ack_deployments(results)
    text = []
    if "single" in kinds:
        text.append(
            "the *single instance*, whose HTTP workers both answer the "
            "webhooks and run the jobs (2 job workers)"
        )
    if "two-tier" in kinds:
        text.append(
            "the *two tiers* of readme/INSTALL.md on one database: the web "
            "tier (the same HTTP workers, the job runner, `[queue_job] "
            "host/port` pointing at the job tier) and the job tier (a second "
            f"`odoo server`, 3 workers, no runner, under "
            f"`nice -n {results.get('job_tier_nice', 10)}`), "
            "`root.bigcommerce:2`"
        )
    return "; ".join(text) + ". Each loop runs while the orders it queues import."
