# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo's month-end: what the demo store holds, dealt with as an
accountant closes a month, before the period is reconciled.

tools/demo_month_end.py runs it against the simulator's HTTP API; the
end-to-end test (test_demo_store) against the simulator in its process.
Nothing here eases the reconciliation's rules: what is held is released
(on the store, or by creating what Odoo lacks), then imported again.
"""

from ..bigcommerce.products import POLICY_CREATE, POLICY_FALLBACK, POLICY_HOLD
from .simulator.showcase import SHOWCASE_UNKNOWN

# What the merchant does on the store of each status the status rules hold:
# {held status id: (status id after, what happened)}.
HELD_ON_THE_STORE = {
    12: (11, "verified by the merchant"),  # Manual Verification Required
    13: (10, "its dispute closed in the merchant's favour"),  # Disputed
}
# How the demo clears each order of an unknown SKU the store holds as a
# failure: {showcase setting: what is done}.
UNKNOWN_SKU_FIXES = {
    "hold": "product created by hand",
    "create": "Unknown Products set to Create the product",
    "fallback": "Unknown Products set to Book on a fallback product",
}
POLICIES = {"hold": POLICY_HOLD, "create": POLICY_CREATE, "fallback": POLICY_FALLBACK}


def resolve_on_the_store(state):
    """The store's side of :func:`release_held_orders`, on a simulated
    store's state in this process (a summary that rebuilds the store, a
    test): the same status changes the merchant makes."""
    for order_id, record in sorted(state.orders.items()):
        after = HELD_ON_THE_STORE.get(record.data["status_id"])
        if after:
            state.set_order_status(order_id, after[0])


def release_held_orders(backend, set_status):
    """Each order of ``backend`` the status rules hold, released as the
    merchant does on the store, then imported again (as its status webhook
    would have it).

    :param set_status: ``set_status(order_id, status_id)`` changes an
        order's status on the store.
    :return: ``[(binding, status before, how, what the import said)]``.
    """
    released = []
    bindings = backend.env["bigcommerce.order"].search(
        [("backend_id", "=", backend.id), ("hold_reason", "!=", False)],
        order="bigcommerce_id",
    )
    for binding in bindings:
        after = HELD_ON_THE_STORE.get(int(binding.status or 0))
        if not after:
            continue
        before = binding.custom_status or binding.status
        set_status(binding.bigcommerce_id, after[0])
        result = backend._import_order(binding.bigcommerce_id, origin="manual")
        released.append((binding, before, after[1], result))
    return released


def clear_unknown_sku_failures(backend, unknown_orders):
    """Clear the failures of the showcase's orders of unknown SKUs, one way
    each, through the failure's *Reprocess* button (its import run at once):
    the product created by hand; the store's Unknown Products set to create
    it; set to book it on the fallback product. The store is then set back
    to holding such orders.

    :param unknown_orders: ``{setting: BigCommerce order id}`` (the
        generator's ``showcase["unknown"]``).
    :return: ``[(setting, failure, what was done)]``.
    """
    env = backend.env
    cleared = []
    for setting, order_id in unknown_orders.items():
        failure = env["bigcommerce.failure"].search(
            [
                ("backend_id", "=", backend.id),
                ("record_type", "=", "order"),
                ("bigcommerce_id", "=", str(order_id)),
                ("state", "!=", "resolved"),
            ],
            limit=1,
        )
        if not failure:
            continue
        if setting == "hold":
            sku, name, price = SHOWCASE_UNKNOWN[setting]
            env["product.product"].create(
                {
                    "name": name,
                    "default_code": sku,
                    "list_price": float(price),
                    "type": "consu",
                    "sale_ok": True,
                }
            )
        backend.unknown_product_policy = POLICIES[setting]
        failure.with_context(queue_job__no_delay=True).action_reprocess()
        cleared.append((setting, failure, UNKNOWN_SKU_FIXES[setting]))
    backend.unknown_product_policy = POLICY_HOLD
    return cleared
