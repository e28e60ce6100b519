# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Print what became of every order of the demo store, and the books they
made; run by tools/demo.sh inside an Odoo shell (which provides ``env``):

    python -m odoo shell -c odoo.conf -d DB < tools/demo_summary.py

The store is the simulator's seeded generator, built again here from the
same settings as tools/demo_configure.py (``DEMO_STORE_HASH``, ``DEMO_SEED``,
``DEMO_CUSTOMERS``, ``DEMO_ORDERS``): every one of its orders is listed, the
ones that never reached Odoo too.

Once no job is left, the trial balance of the demo period is printed, read
from the ledger (``account.move.line``, grouped by account), and checked
against what the store says, currency by currency: the sales and the tax
of the invoiced orders less what was refunded, nothing left receivable on a
paid order, and each gateway's clearing journal holding what it collected
less what it paid back. A wrong figure is printed as WRONG and the script
exits with status 1.

The last line is ``jobs_pending=N posted=N failures=N books=ok|wrong|later
state=<store state>`` for the script.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

import os
from datetime import date
from decimal import Decimal

from odoo.addons.bigcommerce_connector.bigcommerce.payments import (
    ACTION_DRAFT,
    ACTION_POST,
    KIND_GATEWAY,
    is_paid,
    payment_parts_from_order,
)
from odoo.addons.bigcommerce_connector.tests.demo_month_end import (
    UNKNOWN_SKU_FIXES,
    resolve_on_the_store,
)
from odoo.addons.bigcommerce_connector.tests.simulator.generator import (
    generate_store,
)
from odoo.addons.bigcommerce_connector.tests.simulator.showcase import (
    SHOWCASE_UNKNOWN,
)
from odoo.addons.bigcommerce_connector.tests.simulator.state import StoreState

if "env" not in globals():
    raise SystemExit("Run it in an Odoo shell.")
env = globals()["env"]
CENT = Decimal("0.01")
store_hash = os.environ.get("DEMO_STORE_HASH", "demo123")


def money(value):
    return Decimal(str(value or 0)).quantize(CENT)


# --- the store, as the simulator serves it -----------------------------------
store = StoreState(store_hash=store_hash, currency="USD")
showcase = generate_store(
    store,
    seed=int(os.environ.get("DEMO_SEED", "42")),
    customers=int(os.environ.get("DEMO_CUSTOMERS", "10")),
    orders=int(os.environ.get("DEMO_ORDERS", "36")),
    newcomers=3,  # the simulator runs with --customer-activity
    showcase=True,  # and --showcase
)["showcase"]
# Its held orders, released by the merchant before the month-end
# (tools/demo_month_end.py).
resolve_on_the_store(store)
store_orders = {order_id: store.render_order(order_id) for order_id in store.orders}
backend = env["bigcommerce.backend"].search([("store_hash", "=", store_hash)], limit=1)
if not backend:
    raise SystemExit(f"No store {store_hash} in this database.")

# --- what Odoo made of each order ---------------------------------------------
all_jobs = env["queue.job"].search(
    [("model_name", "=", "bigcommerce.backend")], order="id"
)
outcome = {}
for job in all_jobs.filtered(lambda j: j.method_name == "_import_order"):
    order_id = int(job.args[0]) if job.args else 0
    outcome[order_id] = job.result or job.exc_info or job.state
# Orders, refunds, customers and shipments: the summary waits for all of them.
pending = all_jobs.filtered(
    lambda j: j.state in ("wait_dependencies", "pending", "enqueued", "started")
)
bindings = env["bigcommerce.order"].search(
    [("backend_id", "=", backend.id)], order="bigcommerce_id"
)
failures = env["bigcommerce.failure"].search([("state", "!=", "resolved")])
posted = bindings.filtered(lambda b: b.move_id.state == "posted")

print(f"{'order':>7}  {'status':<28} what became of it")
for order_id in sorted(set(store_orders) | set(outcome)):
    binding = bindings.filtered(lambda b, i=order_id: b.bigcommerce_id == i)
    order = store_orders.get(order_id, {})
    status = binding.custom_status or order.get("status") or ""
    if binding.move_id:
        move = binding.move_id
        text = (
            f"{move.name or move.display_name} ({move.state}) {move.currency_id.name} "
            f"{move.amount_total:.2f} for {move.partner_id.name}, "
            f"{move.payment_state.replace('_', ' ')}"
        )
        if binding.hold_reason or binding.payment_note:
            text += f" ({binding.hold_reason or binding.payment_note})"
    elif binding.hold_reason:
        text = f"held, no invoice: {binding.hold_reason}"
    elif binding.sync_state == "skipped":
        text = f"skipped, no invoice: {binding.skip_reason}"
    elif order_id in outcome:
        text = str(outcome[order_id]).strip().splitlines()[-1]
    else:
        text = "never reached Odoo: no webhook, no import"
    if binding.refund_ids:
        credited = binding.refund_ids.filtered("move_id")
        text += (
            f"; refunded {binding.amount_refunded:.2f} by "
            f"{', '.join(credited.move_id.mapped('name')) or 'nothing yet'}"
        )
    print(f"#{order_id:>6}  {status:<28} {text}")
print()
for currency in posted.move_id.currency_id:
    moves = posted.move_id.filtered(lambda m, c=currency: m.currency_id == c)
    print(
        f"{currency.name}: {len(moves)} posted invoices, total "
        f"{sum(moves.mapped('amount_total')):.2f}"
    )
refunds = env["bigcommerce.refund"].search([("backend_id", "=", backend.id)])
credit_notes = refunds.move_id.filtered(lambda m: m.state == "posted")
print(
    f"{len(refunds)} refunds: {len(credit_notes)} posted credit notes, "
    f"{len(refunds.filtered(lambda r: not r.move_id))} waiting for their invoice"
)
customers = env["bigcommerce.customer"].search([("backend_id", "=", backend.id)])
with_orders = set(bindings.mapped("partner_id").ids)
print(
    f"customers: {len(customers)} partners, "
    f"{len(customers.filtered(lambda c: c.partner_id.id not in with_orders))} "
    "without orders; contacts: "
    f"{len(customers.partner_id.child_ids.filtered(lambda c: c.type == 'invoice'))} "
    "invoice, "
    f"{len(customers.partner_id.child_ids.filtered(lambda c: c.type == 'delivery'))} "
    "delivery"
)
shipments = bindings.shipment_ids
print(
    f"shipments: {len(shipments)} on {len(shipments.order_id)} orders, "
    f"{sum(shipments.mapped('quantity'))} items; status history: "
    f"{len(bindings.status_history_ids)} entries, "
    f"{sum(max(0, len(b.status_history_ids) - 1) for b in bindings)} changes "
    "after an order's first import"
)
for failure in failures:
    print(f"failure {failure.name}: {failure.reason}")


# --- the less common cases ----------------------------------------------------
def binding_of(order_id):
    return bindings.filtered(lambda b: b.bigcommerce_id == order_id)


def showcase_lines():
    """A line for each showcase order: its fee, its rate, its unknown SKU."""
    company = backend.company_id
    binding = binding_of(showcase["fee"])
    for line in binding.move_id.invoice_line_ids.filtered(
        lambda x: x.account_id == backend.fee_account_id
    ):
        yield (
            f"order #{binding.bigcommerce_id}: fee '{line.name}' "
            f"{line.price_subtotal:.2f} {line.currency_id.name} on Fees account "
            f"{line.account_id.code} {line.account_id.name}"
        )
    binding = binding_of(showcase["store_rate"])
    move = binding.move_id
    if move:
        odoo_rate = move.currency_id._get_conversion_rate(
            company.currency_id, move.currency_id, company, move.invoice_date
        )
        yield (
            f"order #{binding.bigcommerce_id}: {move.currency_id.name} "
            f"{move.amount_total:.2f} at the store's rate "
            f"{move.invoice_currency_rate:.4f} (Odoo's {odoo_rate:.4f}): "
            f"{company.currency_id.name} {abs(move.amount_total_signed):.2f} in the "
            "books"
        )
    for setting, order_id in showcase["unknown"].items():
        sku = SHOWCASE_UNKNOWN[setting][0]
        binding = binding_of(order_id)
        failed = env["bigcommerce.failure"].search(
            [
                ("backend_id", "=", backend.id),
                ("record_type", "=", "order"),
                ("bigcommerce_id", "=", str(order_id)),
            ],
            limit=1,
        )
        text = f"order #{order_id}: unknown SKU {sku}"
        if failed:
            text += f" held as a failure ({failed.name}, {failed.state})"
        line = binding.move_id.invoice_line_ids.filtered(
            lambda x, s=sku: s in (x.name or "") or x.product_id.default_code == s
        )[:1]
        if line and line.product_id == backend.fallback_product_id:
            text += (
                f"; {UNKNOWN_SKU_FIXES[setting]}: booked on fallback product "
                f"{line.product_id.display_name} ({line.account_id.code})"
            )
        elif line and setting == "create":
            text += (
                f"; {UNKNOWN_SKU_FIXES[setting]}: created product "
                f"{line.product_id.display_name} in "
                f"{line.product_id.categ_id.display_name} "
                f"({line.account_id.code})"
            )
        elif line:
            text += (
                f"; {UNKNOWN_SKU_FIXES[setting]} "
                f"({line.product_id.display_name}), reprocessed"
            )
        if binding.move_id:
            text += f": {binding.move_id.name} {binding.move_id.state}"
        yield text


print("\nThe less common cases")
for text in showcase_lines():
    print(f"  {text}")
print(
    f"store: {dict(backend._fields['state'].selection).get(backend.state)}"
    + (f" ({backend.state_message})" if backend.state_message else "")
)


# --- the books ------------------------------------------------------------------
def trial_balance(company, since, until):
    """The trial balance of the period: debit, credit, balance per account."""
    rows = env["account.move.line"]._read_group(
        [
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("date", ">=", since),
            ("date", "<=", until),
        ],
        groupby=["account_id"],
        aggregates=["debit:sum", "credit:sum", "balance:sum"],
    )
    rows.sort(key=lambda row: row[0].code)
    print(
        f"\nTrial balance {since} to {until} ({company.name}, in "
        f"{company.currency_id.name})"
    )
    print(f"  {'account':<44} {'debit':>11} {'credit':>11} {'balance':>11}")
    for account, debit, credit, balance in rows:
        print(
            f"  {account.code:<7} {account.name[:36]:<36} {debit:>11.2f} "
            f"{credit:>11.2f} {balance:>11.2f}"
        )
    balance = round(sum(r[3] for r in rows), 2) + 0.0  # no "-0.00"
    print(
        f"  {'total':<44} {sum(r[1] for r in rows):>11.2f} "
        f"{sum(r[2] for r in rows):>11.2f} {balance:>11.2f}"
    )


def booked(domain, field="amount_currency"):
    """``{currency code: sum of field}`` over the posted lines of ``domain``,
    in each line's own currency (the store's order currency)."""
    rows = env["account.move.line"]._read_group(
        [("parent_state", "=", "posted"), *domain],
        groupby=["currency_id"],
        aggregates=[f"{field}:sum"],
    )
    return {currency.name: money(total) for currency, total in rows if money(total)}


def what_the_store_books():
    """What the books should say, from the store's orders and refunds, with
    the store's own rules (which statuses post an invoice, which journal a
    gateway's money goes to) asked of the connector: per currency, the
    sales, the tax, what is still receivable, and per journal the money."""
    sales, tax, receivable, journals = {}, {}, {}, {}

    def add(totals, code, amount):
        totals[code] = totals.get(code, Decimal(0)) + amount

    posted_orders = set()
    for order_id, order in store_orders.items():
        action = backend._status_action(order["status_id"])
        paid = is_paid(order)
        if not (action == ACTION_POST or (action == ACTION_DRAFT and paid)):
            continue
        posted_orders.add(order_id)
        code = order["currency_code"]
        add(sales, code, money(order["total_ex_tax"]))
        add(tax, code, money(order["total_tax"]))
        if not paid:
            add(receivable, code, money(order["total_inc_tax"]))
            continue
        for part in payment_parts_from_order(order) or ():
            if part.kind == KIND_GATEWAY:
                journal = backend._payment_journal(part.method, part.gateway)
                add(journals.setdefault(journal, {}), code, money(part.amount))
    for refund in store.refunds.values():
        if refund["order_id"] not in posted_orders:
            continue
        code = store_orders[refund["order_id"]]["currency_code"]
        total, refund_tax = money(refund["total_amount"]), money(refund["total_tax"])
        add(sales, code, -(total - refund_tax))
        add(tax, code, -refund_tax)
        for payment in refund["payments"]:
            amount = money(payment["amount"])
            if payment["offline"] or payment["is_declined"]:
                add(receivable, code, -amount)
            elif payment["provider_id"] != "storecredit":
                journal = backend._payment_journal(payment["provider_id"])
                add(journals.setdefault(journal, {}), code, -amount)
    drop = lambda totals: {c: a for c, a in totals.items() if a}  # noqa: E731
    return (
        drop(sales),
        drop(tax),
        drop(receivable),
        {j: drop(t) for j, t in journals.items()},
    )


def check(what, expected, found):
    ok = expected == found
    show = lambda t: ", ".join(f"{c} {a:.2f}" for c, a in sorted(t.items())) or "0.00"  # noqa: E731
    print(f"  {'ok   ' if ok else 'WRONG'} {what:<46} {show(found)}")
    if not ok:
        print(f"        the store says {show(expected)}")
    return ok


books = "later"
if not pending:
    company = backend.company_id
    invoice_dates = (
        (bindings.move_id | refunds.move_id)
        .filtered(lambda m: m.state == "posted")
        .mapped("date")
    )
    since = min(invoice_dates) if invoice_dates else date.today()
    trial_balance(company, since, max([date.today(), *invoice_dates]))

    store_moves = (bindings.move_id | refunds.move_id).filtered(
        lambda m: m.state == "posted"
    )
    tax_accounts = backend.tax_ids.repartition_line_ids.filtered(
        lambda r: r.repartition_type == "tax"
    ).account_id
    sales, tax, receivable, journals = what_the_store_books()
    print("\nThe books against the store (in each order's currency)")
    results = [
        check(
            "sales (untaxed lines of invoices, credit notes)",
            sales,
            {
                code: -amount
                for code, amount in booked(
                    [
                        ("move_id", "in", store_moves.ids),
                        ("display_type", "in", ("product", "discount")),
                    ]
                ).items()
            },
        ),
        check(
            f"tax on {', '.join(tax_accounts.mapped('code')) or 'no tax account'}",
            tax,
            {
                code: -amount
                for code, amount in booked(
                    [
                        ("move_id", "in", store_moves.ids),
                        ("account_id", "in", tax_accounts.ids),
                    ]
                ).items()
            },
        ),
        check(
            "tax booked elsewhere than on the tax accounts",
            {},
            booked(
                [
                    ("move_id", "in", store_moves.ids),
                    ("display_type", "=", "tax"),
                    ("account_id", "not in", tax_accounts.ids),
                ]
            ),
        ),
        check(
            "receivable left open on the store's invoices",
            receivable,
            booked(
                [
                    ("move_id", "in", store_moves.ids),
                    ("account_id.account_type", "=", "asset_receivable"),
                ],
                field="amount_residual_currency",
            ),
        ),
    ]
    for journal in sorted(
        set(journals) | set(backend.payment_journal_map_ids.journal_id),
        key=lambda j: j.code,
    ):
        results.append(
            check(
                f"{journal.name} ({journal.code}) on {journal.default_account_id.code}",
                journals.get(journal, {}),
                booked([("account_id", "=", journal.default_account_id.id)]),
            )
        )
    books = "ok" if all(results) else "wrong"
    if books == "wrong":
        print("THE BOOKS ARE WRONG: see the WRONG lines above.")
print(
    f"jobs_pending={len(pending)} posted={len(posted)} failures={len(failures)} "
    f"books={books} state={backend.state}"
)
if books == "wrong":
    raise SystemExit(1)
