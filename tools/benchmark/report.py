# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The report the benchmark writes: the table of measurements against their
targets, the machine and the load, the profile of the import, the
explanations (``notes``) and the raw numbers, as BENCHMARKS.md."""

# A command-line tool: it reports to its terminal on purpose.
# pylint: disable=print-used

import json
from pathlib import Path

from .common import QUOTAS, check, ms, step_rows, verdict
from .figures import Figures, rate
from .notes import notes
from .report_acks import ack_alone_section, ack_paragraph, ack_rows, deployments_text


def table_rows(results, fig):
    """The table's rows, ``(measurement, measured, target, verdict)``, in
    the issue's numbering; its targets are the issue's, the other rows are
    reported."""
    return [
        *ack_rows(results),
        *cost_rows(results, fig),
        *throughput_rows(results, fig),
        *call_rows(results, fig),
        *sync_rows(results["sync"]),
    ]


def cost_rows(results, fig):
    """Measurement 2: the import by webhook and the first sync, against the
    ORM floors."""
    sync, pairs = results["sync"], results["cost"]["pairs"]
    floor_rate = rate(fig.median_floor)
    rows = [
        (
            "2. Import by webhook / ORM floor with the same payments, median "
            f"ratio ({len(pairs)} orders, {fig.mean_lines:.1f} lines)",
            f"{fig.ledger_ratio:.2f}x "
            f"({ms(fig.median_import)} vs {ms(fig.ledger_floor)})",
            "≤ 1.0x",
            verdict(fig.ledger_ratio <= 1.0),
        ),
        (
            "2. Import by webhook / ORM floor (the invoice only), median ratio",
            f"{fig.median_ratio:.2f}x "
            f"({ms(fig.median_import)} vs {ms(fig.median_floor)})",
            "(reported)",
            "",
        ),
        (
            "2. First sync invoices/s vs the one-by-one ORM floor",
            f"{sync['per_second']:.2f}/s vs {floor_rate:.2f}/s "
            f"({sync['per_second'] / floor_rate:.2f}x)",
            "≥ 2.0x",
            verdict(sync["per_second"] >= 2.0 * floor_rate),
        ),
    ]
    size = results["cost"].get("batch_size", 20)
    for label, seconds in (
        ("the invoices only", fig.batch_floor),
        ("with their payments", fig.batch_ledger_floor),
    ):
        batched = rate(seconds)
        rows.append(
            (
                f"2. First sync invoices/s vs the ORM floor in batches of {size}, "
                f"{label}",
                f"{sync['per_second']:.2f}/s vs {batched:.2f}/s "
                f"({sync['per_second'] / batched:.0%})"
                if batched == batched
                else "(not measured in this run)",
                "(reported)",
                "",
            )
        )
    return rows


def throughput_rows(results, fig):
    """Measurement 3: the webhook orders' throughput, 1 and 2 job workers."""
    one, two = results["throughput_1"], results["throughput_2"]
    return [
        (
            "3. Posted invoices per minute, 1 job worker",
            f"{one['per_minute']:.0f}",
            "(reported)",
            "",
        ),
        (
            "3. Posted invoices per minute, 2 job workers",
            f"{two['per_minute']:.0f} ({fig.scaling:.2f}x)",
            "(reported)",
            "",
        ),
    ]


def call_rows(results, fig):
    """Measurement 4: the API calls per order, by webhook and first sync."""
    sync, two = results["sync"], results["throughput_2"]
    hook_invoice_calls = fig.hook_invoice_calls / max(1, two["orders"])
    return [
        (
            "4. API calls per imported order, by webhook: the invoice "
            "(order, taxes, transactions)",
            f"{hook_invoice_calls:.2f}",
            "(reported)",
            "",
        ),
        (
            "4. API calls per imported order, by webhook: all "
            "(with shipments, refunds, customers), per try",
            f"{results['hook_calls_per_order']:.2f} "
            f"({two['calls'] / max(1, two['tries']):.2f})",
            "(reported)",
            "",
        ),
        (
            "4. API calls per imported order, first sync: the invoices",
            f"{sync['invoice_calls_per_order']:.2f} ({sync['invoice_calls']} for "
            f"{sync['orders']})",
            "(reported)",
            "",
        ),
        (
            "4. API calls per imported order, first sync: all",
            f"{sync['calls_per_order']:.2f} ({sync['calls']} for {sync['orders']})",
            "≤ 0.1",
            verdict(sync["calls_per_order"] <= 0.1),
        ),
    ]


def sync_rows(sync):
    """Measurement 5: the first sync of the store's history."""
    days = f", {sync['span_days']} days of history" if "span_days" in sync else ""
    orders = max(1, sync["orders"])
    return [
        (
            f"5. First sync of {sync['orders']} orders{days}: wall time, invoices/s",
            f"{sync['seconds']:.0f} s, {sync['per_second']:.2f}/s "
            f"({sync['invoices']}/{sync['expected']} invoices, "
            f"{sync['failures']} failures)",
            "(reported)",
            check(sync["invoices"] == sync["expected"] and not sync["failures"]),
        ),
        (
            "5. First sync: API calls per order, by endpoint",
            ", ".join(
                f"`{name}` {count / orders:.2f}"
                for name, count in sync["endpoints"].items()
            ),
            "(reported)",
            "",
        ),
        (
            "5. Quota-bound time of the same sync (Standard / Pro)",
            " / ".join(f"{s:.0f} s" for s in sync["quota_bound"].values()),
            "(reported)",
            "",
        ),
        (
            "5. Peak worker memory / growth across the sync",
            f"{sync['peak_mb']:.0f} MB / {sync['growth_mb']:+.0f} MB",
            "growth < 50 MB",
            verdict(sync["growth_mb"] < 50),
        ),
    ]


def page_section(results):
    """The profile of the first sync's page job, when the run measured it."""
    pages = results.get("pages")
    if not pages:
        return ""
    per = pages["profiled_per_order"]
    breakdown = step_rows(pages["breakdown"], per)
    return f"""
#### The page job (item 5)

A store of its own, listed as the import wizard's period lists it, its
{pages["pages"]} page jobs run in an `odoo shell` on the same database, server
stopped ({pages["posted"]} invoices posted): the first unmeasured, then
{ms(pages["per_listed_order"])} per listed order, unprofiled, over
{pages["timed_orders"]} orders. cProfile of {pages["profiled_orders"]} orders:
{ms(per)} per order, of which (cumulative; steps nest):

| Step | Per listed order | Share |
|---|---|---|
{breakdown}
"""


def report(args, results):
    """The report of ``results`` (with their ``notes``): ``(table, text)``,
    the table's lines as printed, and BENCHMARKS.md's text."""
    sync, cost = results["sync"], results["cost"]
    one, two = results["throughput_1"], results["throughput_2"]
    fig = Figures.of(results)
    rows = table_rows(results, fig)
    table = ["| Measurement | Measured | Target | |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    breakdown = step_rows(cost["breakdown"], cost["per_import"])
    projected = {
        plan: 10000 * sync["calls_per_order"] / (quota / 30.0)
        for plan, quota in QUOTAS.items()
    }
    days = sync.get("span_days")
    history = (
        f"{days} days for the first sync's store, six weeks for the others"
        if days
        else "six weeks"
    )
    loads = list(results["load"].values())[:2]
    load = ", ".join(f"{name} {value}" for name, value in results["load"].items())
    raw = json.dumps(
        {k: v for k, v in results.items() if k != "notes"}, indent=1, default=str
    )
    text = f"""# Benchmarks

Measured by `bash tools/bench.sh` on {results["date"]}.

- Machine: {results["machine"]}
- Odoo {results["odoo"]}, {results["postgres"]}
- Server: prefork, {args.http_workers} HTTP workers, queue_job runner with
  1 then 2 job workers (`channels = root:N,root.bigcommerce:N`), all on
  127.0.0.1; each server warmed up before it is measured (the registry
  loaded in every worker, `VACUUM ANALYZE`, a few unmeasured imports);
  the simulated stores run in the benchmark's own process on the same
  cores, without per-exchange spec validation and without a quota (the
  quota's bound is computed from the calls counted).
- Deployments of the acknowledgement (item 1): {deployments_text(results)}
- Stores: the simulator's seeded generator (seed {args.seed}): 1 to 20 lines,
  taxes, coupons, shipping, guests, several currencies, refunds; orders
  over {history}.
- Load average (1 min) when each phase began: {load}. Where it is above the
  core count, other work shared the machine during the measurement: every
  number of that phase is slower than the connector alone would be.

{chr(10).join(table)}

## Where the time goes

### Webhook acknowledgement (item 1)

{ack_paragraph(results)}
{ack_alone_section(results)}
{results["notes"]["ack"]}

### The import job (item 2)

cProfile of {cost["profiled"]} imports (`_import_order`, in an `odoo shell` on
the same database, server stopped): {ms(cost["per_import"])} per import, of
which (cumulative time of each step; steps nest, so they do not add up):

| Step | Per import | Share |
|---|---|---|
{breakdown}

{results["notes"]["import"]}

### Throughput (item 3)

1 job worker: {one["invoices"]} invoices in {one["seconds"]:.0f} s; 2 job
workers: {two["invoices"]} in {two["seconds"]:.0f} s; scaling {fig.scaling:.2f}x
(load average when each began: {loads[0]} and {loads[1]}; with other work on the
machine during one of them, the scaling says more about that work than about
the job workers).
{results["notes"]["throughput"]}

### API calls (item 4)

{results["notes"]["calls"]}

### First sync and quota (items 2, 4, 5)

{results["notes"]["sync"]}

At {sync["calls_per_order"]:.2f} calls per order, a first sync of 10,000
orders is bound by the quota at {projected["Standard"] / 60:.0f} min on
Standard and {projected["Pro"] / 60:.0f} min on Pro; this run's Odoo side took
{sync["seconds"] / max(1, sync["orders"]) * 10000 / 60:.0f} min per 10,000 at the
rate measured.
{page_section(results)}
## Raw numbers

```json
{raw}
```
"""
    return table, text


def write_report(args, results):
    """Explain ``results``, write the report to ``--out`` and print its
    table."""
    results["notes"] = notes(results)
    table, text = report(args, results)
    Path(args.out).write_text(text)
    print("\n".join(table))


def render_again(args):
    """Write the report again from the raw numbers of the last run, e.g.
    after its explanations were improved; nothing is measured."""
    text = Path(args.out).read_text()
    results = json.loads(text.split("```json", 1)[1].split("```", 1)[0])
    args.http_workers = results["http_workers"]
    args.seed = results.get("seed", args.seed)
    write_report(args, results)
