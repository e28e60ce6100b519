# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The month-end reconciliation of the demo period, twice; run by
tools/demo.sh inside an Odoo shell (which provides ``env``) once the
import jobs are done:

    python -m odoo shell -c odoo.conf -d DB < tools/demo_reconcile.py

1. The period of the demo store's orders is reconciled as its job does: the
   store's figures against the ledger's. What the store held was dealt
   with before (tools/demo_month_end.py): it finds the ledger equal to the
   store, without a difference.
2. Then a failure is provoked on purpose: one invoiced order's product is
   archived in Odoo, its invoice reset to draft and the order imported
   again, which fails (its SKU names no product) and leaves a failure
   record. A second reconciliation of the same period shows it: the order
   without its invoice, the failure's reason, and *Reprocess* as its fix.

Prints ``reconciliation_clean=<yes|no> provoked=<yes|no>`` last, and exits
with status 1 when the first reconciliation was not clean or the second
did not show the provoked failure.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

import os

if "env" not in globals():
    raise SystemExit("Run it in an Odoo shell.")
env = globals()["env"]
store_hash = os.environ.get("DEMO_STORE_HASH", "demo123")
backend = env["bigcommerce.backend"].search([("store_hash", "=", store_hash)], limit=1)
if not backend:
    raise SystemExit(f"No store {store_hash} in this database.")
bindings = env["bigcommerce.order"].search([("backend_id", "=", backend.id)])
dates = [d.date() for d in bindings.mapped("date_created") if d]
if not dates:
    raise SystemExit("The demo store has no order in Odoo yet.")
Reconciliation = env["bigcommerce.reconciliation"]
period = {
    "backend_id": backend.id,
    "date_from": min(dates).replace(day=1),
    "date_to": max(dates),
}


def reconcile(title):
    """Reconcile the demo period, as its job does, and print what it says."""
    reconciliation = Reconciliation.create(period)
    reconciliation._reconcile()
    env.cr.commit()  # pylint: disable=invalid-commit
    print(f"\n{title}")
    print(f"  {reconciliation.summary or reconciliation.error}")
    print(
        f"  {reconciliation.order_count} orders listed, "
        f"{reconciliation.api_calls} API calls"
    )
    for line in reconciliation.line_ids:
        fix = dict(line._fields["fix"]._description_selection(env)).get(line.fix)
        print(f"  - #{line.bigcommerce_id}: {line.cause} [fix: {fix}]")
    return reconciliation


first = reconcile("Month-end reconciliation of the demo period")
clean = first.state == "done" and not first.line_ids
print(f"  {len(first.line_ids)} difference(s): {'clean' if clean else 'NOT CLEAN'}.")

# A failure on purpose: an invoiced order whose product is no longer there.
victim = bindings.filtered(
    lambda b: (
        b.move_id.state == "posted"
        and not b.refund_ids
        and b.move_id.invoice_line_ids.filtered("product_id")
    )
)[:1]
provoked = False
if victim:
    product = victim.move_id.invoice_line_ids.filtered("product_id")[0].product_id
    print(
        f"\nProvoking a failure: product {product.display_name} archived, the "
        f"invoice of order {victim.name} reset to draft, the order imported again."
    )
    victim.move_id.button_draft()
    product.product_tmpl_id.active = False
    env.cr.commit()  # pylint: disable=invalid-commit
    print(f"  import: {backend._import_order(victim.bigcommerce_id, origin='manual')}")
    env.cr.commit()  # pylint: disable=invalid-commit
    second = reconcile("The same period, reconciled again")
    # Exactly the provoked failure, nothing else.
    provoked = [
        (line.bigcommerce_id, line.kind, line.fix) for line in second.line_ids
    ] == [(victim.bigcommerce_id, "missing_invoice", "reprocess")]
    print(
        f"  {len(second.line_ids)} difference(s): "
        f"{'the provoked one' if provoked else 'NOT the provoked one alone'}."
    )
    print(
        "  To fix it: restore the product (Invoicing > Customers > Products, "
        "Archived filter), then press Fix on the line: the order is imported "
        "again and its invoice posted."
    )
print(
    f"\nreconciliation_clean={'yes' if clean else 'no'} "
    f"provoked={'yes' if provoked else 'no'}"
)
if not (clean and provoked):
    raise SystemExit(1)
