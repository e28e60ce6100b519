# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Print what became of every order of the demo store; run by tools/demo.sh
inside an Odoo shell (which provides ``env``):

    python -m odoo shell -c odoo.conf -d DB < tools/demo_summary.py

The last line is ``jobs_pending=N posted=N failures=N`` for the script.
It shows; the end-to-end test (tests/test_demo_store.py) asserts.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

if "env" not in globals():
    raise SystemExit("Run it in an Odoo shell.")
env = globals()["env"]

all_jobs = env["queue.job"].search(
    [("model_name", "=", "bigcommerce.backend")], order="id"
)
jobs = all_jobs.filtered(lambda j: j.method_name == "_import_order")
# Orders, refunds, customers and shipments: the summary waits for all of them.
pending = all_jobs.filtered(
    lambda j: j.state in ("wait_dependencies", "pending", "enqueued", "started")
)
outcome = {}
for job in jobs:
    order_id = int(job.args[0]) if job.args else 0
    outcome[order_id] = job.result or job.exc_info or job.state
bindings = env["bigcommerce.order"].search([], order="bigcommerce_id")
failures = env["bigcommerce.failure"].search([("state", "!=", "resolved")])
posted = bindings.filtered(lambda b: b.move_id.state == "posted")

print(f"{'order':>7}  {'status':<28} outcome")
for order_id in sorted(outcome):
    binding = bindings.filtered(lambda b, i=order_id: b.bigcommerce_id == i)
    status = binding.custom_status or ""
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
        text = binding.hold_reason
    else:
        text = str(outcome[order_id]).strip().splitlines()[-1]
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
refunds = env["bigcommerce.refund"].search([])
credit_notes = refunds.move_id.filtered(lambda m: m.state == "posted")
print(
    f"{len(refunds)} refunds: {len(credit_notes)} posted credit notes, "
    f"{len(refunds.filtered(lambda r: not r.move_id))} waiting for their invoice"
)
customers = env["bigcommerce.customer"].search([])
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
print(f"jobs_pending={len(pending)} posted={len(posted)} failures={len(failures)}")
