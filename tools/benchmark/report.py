# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The report the benchmark writes: the table of measurements against their
targets, the machine and the load, the profile of the import, the
explanations (``notes``) and the raw numbers, as BENCHMARKS.md."""

# A command-line tool: it reports to its terminal on purpose.
# pylint: disable=print-used

import json
from pathlib import Path

from .common import QUOTAS, ms, verdict
from .figures import Figures
from .notes import notes
from .report_acks import ack_paragraph, ack_rows, deployments_text


def table_rows(results, fig):
    """The table's rows, ``(measurement, measured, target, verdict)``, in
    the issue's numbering."""
    sync, pairs = results["sync"], results["cost"]["pairs"]
    one, two = results["throughput_1"], results["throughput_2"]
    hook_calls = results["hook_calls_per_order"]
    hook_invoice_calls = fig.hook_invoice_calls / max(1, two["orders"])
    floor_rate = 1 / fig.median_floor if fig.median_floor else float("nan")
    return [
        *ack_rows(results),
        (
            f"2. Import cost / ORM floor, median ratio ({len(pairs)} orders, "
            f"{fig.mean_lines:.1f} lines)",
            f"{fig.median_ratio:.2f} "
            f"({ms(fig.median_import)} vs {ms(fig.median_floor)})",
            "≤ 1.1",
            verdict(fig.median_ratio <= 1.1),
        ),
        (
            "2. Import cost / ORM floor with the same payments, median ratio",
            f"{fig.ledger_ratio:.2f} "
            f"({ms(fig.median_import)} vs {ms(fig.ledger_floor)})",
            "(reported)",
            "",
        ),
        (
            "2. First sync invoices/s vs one-by-one floor",
            f"{sync['per_second']:.2f}/s vs {floor_rate:.2f}/s "
            f"({sync['per_second'] / floor_rate:.2f}x)",
            "≥ 1.5x floor",
            verdict(sync["per_second"] >= 1.5 * floor_rate),
        ),
        (
            "3. Posted invoices per minute, 1 job worker",
            f"{one['per_minute']:.0f}",
            "(reported)",
            "",
        ),
        (
            "3. Posted invoices per minute, 2 job workers",
            f"{two['per_minute']:.0f} ({fig.scaling:.2f}x)",
            "≥ 1.7x one",
            verdict(fig.scaling >= 1.7),
        ),
        (
            "4. API calls per imported order, by webhook: the invoice "
            "(order, taxes, transactions)",
            f"{hook_invoice_calls:.2f}",
            "1",
            verdict(hook_invoice_calls <= 1),
        ),
        (
            "4. API calls per imported order, by webhook: all "
            "(with shipments, refunds, customers), per try",
            f"{hook_calls:.2f} ({two['calls'] / max(1, two['tries']):.2f})",
            "1",
            verdict(two["calls"] <= max(1, two["tries"])),
        ),
        (
            "4. API calls per imported order, first sync: the invoices",
            f"{sync['invoice_calls_per_order']:.2f} ({sync['invoice_calls']} for "
            f"{sync['orders']})",
            "≤ 0.1",
            verdict(sync["invoice_calls_per_order"] <= 0.1),
        ),
        (
            "4. API calls per imported order, first sync: all",
            f"{sync['calls_per_order']:.2f} ({sync['calls']} for {sync['orders']})",
            "≤ 0.1",
            verdict(sync["calls_per_order"] <= 0.1),
        ),
        (
            f"5. First sync of {sync['orders']} orders: wall time",
            f"{sync['seconds']:.0f} s ({sync['invoices']}/{sync['expected']} "
            f"invoices, {sync['failures']} failures)",
            "(reported)",
            "",
        ),
        (
            "5. Quota-bound time of the same sync (Standard / Pro)",
            " / ".join(f"{s:.0f} s" for s in sync["quota_bound"].values()),
            "(the bound)",
            "",
        ),
        (
            "5. Peak worker memory / growth across the sync",
            f"{sync['peak_mb']:.0f} MB / {sync['growth_mb']:+.0f} MB",
            "growth < 50 MB",
            verdict(sync["growth_mb"] < 50),
        ),
    ]


def report(args, results):
    """The report of ``results`` (with their ``notes``): ``(table, text)``,
    the table's lines as printed, and BENCHMARKS.md's text."""
    sync, cost = results["sync"], results["cost"]
    one, two = results["throughput_1"], results["throughput_2"]
    fig = Figures.of(results)
    rows = table_rows(results, fig)
    table = ["| Measurement | Measured | Target | |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    breakdown = "\n".join(
        f"| {label} | {ms(seconds)} | {seconds / cost['per_import'] * 100:.0f}% |"
        for label, seconds in cost["breakdown"].items()
    )
    projected = {
        plan: 10000 * sync["calls_per_order"] / (quota / 30.0)
        for plan, quota in QUOTAS.items()
    }
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
  taxes, coupons, shipping, guests, several currencies, refunds.
- Load average (1 min) when each phase began: {load}. Where it is above the
  core count, other work shared the machine during the measurement: every
  number of that phase is slower than the connector alone would be.

{chr(10).join(table)}

## Where the time goes

### The import job (item 2)

cProfile of {cost["profiled"]} imports (`_import_order`, in an `odoo shell` on
the same database, server stopped): {ms(cost["per_import"])} per import, of
which (cumulative time of each step; steps nest, so they do not add up):

| Step | Per import | Share |
|---|---|---|
{breakdown}

{results["notes"]["import"]}

### Webhook acknowledgement (item 1)

{ack_paragraph(results)}

{results["notes"]["ack"]}

### API calls (item 4)

{results["notes"]["calls"]}

### First sync and quota (items 2, 4, 5)

{results["notes"]["sync"]}

At {sync["calls_per_order"]:.2f} calls per order, a first sync of 10,000
orders is bound by the quota at {projected["Standard"] / 60:.0f} min on
Standard and {projected["Pro"] / 60:.0f} min on Pro; this run's Odoo side took
{sync["seconds"] / max(1, sync["orders"]) * 10000 / 60:.0f} min per 10,000 at the
rate measured.

### Throughput (item 3)

1 job worker: {one["invoices"]} invoices in {one["seconds"]:.0f} s; 2 job
workers: {two["invoices"]} in {two["seconds"]:.0f} s; scaling {fig.scaling:.2f}x
(load average when each began: {loads[0]} and {loads[1]}; with other work on the
machine during one of them, the scaling says more about that work than about
the job workers).
{results["notes"]["throughput"]}

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
