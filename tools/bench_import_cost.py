# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import cost against the ORM floor, and a profile of the import; run by
tools/bench.py in an ``odoo shell`` (which provides ``env``) while the
store's simulator runs.

For each order: the connector's import job (``_import_order``: the API call,
mapping, the invoice, posting, the payment, binding, chatter), then a direct
ORM create + post of the identical invoice (same partner, journal, currency,
dates, lines, taxes and accounts): the floor; and the floor with the same
payments (same journals, amounts, dates and memos: ``account.payment``
created, posted, its receivable line reconciled with the invoice's), the
floor of the identical ledger. Then the same invoices in batches of
``BATCH`` (one ``create`` and one ``action_post`` a batch), alone and with
their payments (one ``create`` and one ``action_post`` of the batch's
payments, each reconciled): the batched floors. Each is flushed and timed on
its own, and committed untimed. Then cProfile over further imports. Prints
``BENCH{json}``.
"""

# A script run by the benchmark: it reports on stdout on purpose.
# pylint: disable=print-used

import cProfile
import io
import json
import os
import pstats
import re
import time

from odoo import Command

env = globals()["env"]  # the shell's environment
spec = json.loads(os.environ["BENCH_COST"])
backend = env["bigcommerce.backend"].browse(spec["backend_id"])
orders = spec["orders"]
warm, measured, profiled = (
    orders[:3],
    orders[3 : 3 + spec["count"]],
    orders[3 + spec["count"] :],
)


def floor_values(move):
    return {
        "move_type": "out_invoice",
        "company_id": move.company_id.id,
        "journal_id": move.journal_id.id,
        "partner_id": move.partner_id.id,
        "currency_id": move.currency_id.id,
        "invoice_date": move.invoice_date,
        "invoice_date_due": move.invoice_date_due,
        "ref": f"floor-{move.ref}",
        "invoice_line_ids": [
            Command.create(
                {
                    "name": line.name,
                    "quantity": line.quantity,
                    "price_unit": line.price_unit,
                    "tax_ids": [Command.set(line.tax_ids.ids)],
                    "account_id": line.account_id.id,
                    "product_id": line.product_id.id or False,
                    "product_uom_id": line.product_uom_id.id or False,
                }
            )
            for line in move.invoice_line_ids
        ],
    }


def payment_values(payment):
    """The values of a payment identical to ``payment`` (an imported one)."""
    return {
        "date": payment.date,
        "amount": payment.amount,
        "payment_type": payment.payment_type,
        "partner_type": payment.partner_type,
        "memo": payment.memo,
        "journal_id": payment.journal_id.id,
        "company_id": payment.company_id.id,
        "currency_id": payment.currency_id.id,
        "partner_id": payment.partner_id.id,
        "payment_method_line_id": payment.payment_method_line_id.id,
        "destination_account_id": payment.destination_account_id.id,
    }


def receivables(invoice, payment):
    """The open lines of the posted ``payment``'s receivable account and of
    ``invoice``'s, to reconcile together (none for a payment without an
    entry, only matched with the invoice, as Odoo's wizard does)."""
    account = payment.destination_account_id
    return (payment.move_id.line_ids | invoice.line_ids).filtered(
        lambda line: line.account_id == account and not line.reconciled
    )


def pay(payments):
    """Create ``payments`` (``[(invoice, values)]``) in one create, each
    linked to its invoice, post them at once and reconcile them with their
    invoices in one plan: the bare ORM's cheapest path to the same ledger."""
    if not payments:
        return
    created = env["account.payment"].create(
        [
            dict(values, invoice_ids=[Command.link(invoice.id)])
            for invoice, values in payments
        ]
    )
    created.action_post()
    plan = [
        receivables(invoice, payment)
        for (invoice, _values), payment in zip(payments, created, strict=True)
    ]
    env["account.move.line"]._reconcile_plan([lines for lines in plan if lines])


def bound_move(order_id):
    return (
        env["bigcommerce.order"]
        .search([("backend_id", "=", backend.id), ("bigcommerce_id", "=", order_id)])
        .move_id
    )


for order_id in warm:
    backend._import_order(order_id)
    env.cr.commit()
pairs, sources = [], []
for order_id in measured:
    env.invalidate_all()
    started = time.perf_counter()
    backend._import_order(order_id)
    env.flush_all()
    imported = time.perf_counter() - started
    env.cr.commit()
    move = bound_move(order_id)
    if not move or move.state != "posted":
        continue
    values = floor_values(move)
    payments = [payment_values(p) for p in move._get_reconciled_payments()]
    sources.append((values, payments))
    env.invalidate_all()
    started = time.perf_counter()
    floor = env["account.move"].create(values)
    floor.action_post()
    env.flush_all()
    floor_time = time.perf_counter() - started
    pay([(floor, payment) for payment in payments])
    env.flush_all()
    ledger_time = time.perf_counter() - started
    env.cr.commit()
    pairs.append(
        {
            "order": order_id,
            "import": imported,
            "floor": floor_time,
            "ledger_floor": ledger_time,
            "payments": len(payments),
            "lines": len(move.invoice_line_ids),
        }
    )


def batch_floor(batch, prefix, with_payments):
    """Create and post the invoices of ``batch`` (``[(values, payments)]``)
    at once, and with ``with_payments`` their payments at once; seconds."""
    env.invalidate_all()
    started = time.perf_counter()
    invoices = env["account.move"].create(
        [dict(values, ref=prefix + values["ref"]) for values, _payments in batch]
    )
    invoices.action_post()
    if with_payments:
        pay(
            [
                (invoice, payment)
                for invoice, (_values, payments) in zip(invoices, batch, strict=True)
                for payment in payments
            ],
        )
    env.flush_all()
    seconds = time.perf_counter() - started
    env.cr.commit()
    return seconds


# The same invoices, in the batches of a first sync's page job.
BATCH = 20
batches = []
for start in range(0, len(sources), BATCH):
    batch = sources[start : start + BATCH]
    batches.append(
        {
            "invoices": len(batch),
            "payments": sum(len(payments) for _values, payments in batch),
            "floor": batch_floor(batch, "batch-", False),
            "ledger_floor": batch_floor(batch, "batch-paid-", True),
        }
    )

profiler = cProfile.Profile()
profiled_count = 0
for order_id in profiled:
    env.invalidate_all()
    profiler.enable()
    backend._import_order(order_id)
    env.flush_all()
    profiler.disable()
    env.cr.commit()
    profiled_count += 1
stats = pstats.Stats(profiler)
total = max(stats.total_tt, 1e-9)


def cumulative(pattern):
    found = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if re.search(pattern, f"{filename}:{name}"):
            found = max(found, ct)
    return found


# What one import does, by the outermost call of each step.
STEPS = (
    # label, "file:function" of the step's outermost call
    (
        "the API call (HTTP to the store, JSON decode)",
        "bigcommerce/client.py:request",
    ),
    ("mapping (pure: plan, tax inference)", "mapping.py:order_to_invoice_plan"),
    ("resolving partner, taxes, products, accounts", "order_importer.py:_validate"),
    (
        "account.move create (lines, taxes, totals)",
        "order_importer.py:_create_or_update",
    ),
    (
        "  of which: set BigCommerce's tax amounts",
        "accounting.py:set_bigcommerce_taxes",
    ),
    ("binding + external ID", "components/importer.py:_bind"),
    ("after the invoice (all below)", "order_importer.py:_after_import"),
    ("  posting (action_post)", "account/models/account_move.py:action_post"),
    ("  the payment (register, reconcile)", "order_importer.py:_register_payment"),
    ("  refunds and cancellation checks", "order_refunds.py:after_order_import"),
    ("  chatter lines (order, invoice)", "order_importer.py:_post_chatter_lines"),
    ("failure bookkeeping", "components/importer.py:_resolve_failure"),
    ("flush to the database", "orm/environments.py:flush_all"),
)
steps = {label: re.escape(where) + "$" for label, where in STEPS}
breakdown = {
    label: cumulative(pattern) / max(profiled_count, 1)
    for label, pattern in steps.items()
}
out = io.StringIO()
stats.stream = out
stats.sort_stats("cumulative").print_stats(25)
print(
    "BENCH"
    + json.dumps(
        {
            "pairs": pairs,
            "batch_size": BATCH,
            "batches": batches,
            "profiled": profiled_count,
            "per_import": total / max(profiled_count, 1),
            "breakdown": breakdown,
            "top": out.getvalue()[-6000:],
        }
    )
)
