# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Run a seeded simulated store in the foreground (for demos).

    python -m simulator --port 8765 --seed 42 --orders 36 --customers 10 \\
        --store-hash demo123 --token demo-token --client-secret demo-secret \\
        [--quota 150] [--deliver-webhooks-to URL] [--customer-activity] \\
        [--showcase]

With ``--deliver-webhooks-to`` it signs and POSTs a ``store/order/created``
callback for every order, incomplete ones too (BigCommerce fires it when a
shopper reaches the payment page), then keeps serving.

With ``--customer-activity`` the store also has customers who registered
without ordering and an address change (``generate_store(newcomers=3)``),
and the webhooks include ``store/customer/created`` for every customer,
``store/customer/address/created`` for the address added, and
``store/shipment/created`` for every shipment.

With ``--showcase`` the store has five more orders (``generate_store(
showcase=True)``): one with a fee, one in euros at a rate of the store's
own, and three of SKUs a demo's Odoo does not know.
"""

# A command-line program: it prints to its terminal on purpose.
# pylint: disable=print-used

import argparse
import sys
import threading

import requests

from . import webhooks
from .generator import generate_store
from .server import BigCommerceSimulator
from .statuses import STATUS_NAMES

# Customers who register without ordering, with --customer-activity.
NEWCOMERS = 3


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Serve a simulated BigCommerce store on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--orders", type=int, default=36)
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--store-hash", default="demo123")
    parser.add_argument("--token", default="demo-token")
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--currency", default="USD")
    parser.add_argument(
        "--quota",
        type=int,
        default=150,
        help="requests per 30 s window; 0 turns rate limiting off",
    )
    parser.add_argument("--deliver-webhooks-to", metavar="URL")
    parser.add_argument(
        "--customer-activity",
        action="store_true",
        help="customers without orders and an address change; with "
        "--deliver-webhooks-to, customer, address and shipment webhooks too",
    )
    parser.add_argument(
        "--showcase",
        action="store_true",
        help="an order with a fee, one at the store's own exchange rate, and "
        "three of unknown SKUs",
    )
    return parser.parse_args(argv)


def deliver_order_webhooks(sim, url: str, out=sys.stdout) -> dict:
    """POST ``store/order/created`` for each order; count by status.

    Incomplete orders are announced too, as BigCommerce does: it is the
    importer that leaves them out (not invoiced)."""
    summary = {}
    for order_id, record in sorted(sim.state.orders.items()):
        status_id = record.data["status_id"]
        try:
            status, _body = sim.deliver_webhook(
                url, scope="store/order/created", data={"type": "order", "id": order_id}
            )
        except requests.RequestException as exc:
            status = 0
            print(f"webhook order {order_id}: not delivered: {exc}", file=out)
        else:
            print(f"webhook order {order_id}: HTTP {status}", file=out)
        name = STATUS_NAMES[status_id]
        summary.setdefault(name, {"orders": 0, "accepted": 0})
        summary[name]["orders"] += 1
        summary[name]["accepted"] += 200 <= status < 300
    return summary


def deliver_customer_and_shipment_webhooks(
    sim, url: str, generated: dict, out=sys.stdout
) -> dict:
    """POST ``store/customer/created`` for every customer,
    ``store/customer/address/created`` for the addresses added after the
    customers registered, and ``store/shipment/created`` for every shipment;
    count the accepted ones per scope."""
    events = [
        ("store/customer/created", webhooks.customer_data(customer_id))
        for customer_id in sorted(sim.state.customers)
    ]
    for customer_id in generated.get("address_changes", ()):
        address = sim.state.customers[customer_id]["addresses"][-1]
        events.append(
            (
                "store/customer/address/created",
                webhooks.customer_address_data(address["id"], customer_id),
            )
        )
    for order_id, record in sorted(sim.state.orders.items()):
        events.extend(
            ("store/shipment/created", webhooks.shipment_data(s["id"], order_id))
            for s in record.shipments
        )
    summary = {}
    for scope, data in events:
        try:
            status, _body = sim.deliver_webhook(url, scope=scope, data=data)
        except requests.RequestException as exc:
            status = 0
            print(f"webhook {scope} {data['id']}: not delivered: {exc}", file=out)
        counts = summary.setdefault(scope, {"sent": 0, "accepted": 0})
        counts["sent"] += 1
        counts["accepted"] += 200 <= status < 300
    return summary


def print_banner(sim, generated: dict, out=sys.stdout) -> None:
    print(f"BigCommerce simulator listening on {sim.base_url}", file=out)
    print(f"  API base     {sim.api_url}/v2  and  {sim.api_url}/v3", file=out)
    print(f"  store hash   {sim.store_hash}", file=out)
    print(f"  X-Auth-Token {sim.access_token}", file=out)
    print(f"  client id    {sim.client_id}", file=out)
    print(f"  client secret {sim.client_secret}", file=out)
    orders = ", ".join(f"{n}: {c}" for n, c in sorted(generated["by_status"].items()))
    print(
        f"  data         {len(generated['customers'])} customers, "
        f"{len(generated['orders'])} orders ({orders})",
        file=out,
    )
    if "customers_without_orders" in generated:
        print(
            f"  customers    {len(generated['customers_without_orders'])} without "
            f"orders, {len(generated['address_changes'])} address change(s)",
            file=out,
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    sim = BigCommerceSimulator(
        store_hash=args.store_hash,
        access_token=args.token,
        client_id=args.client_id,
        client_secret=args.client_secret,
        currency=args.currency,
        quota=args.quota or None,
        seed=args.seed,
        port=args.port,
    )
    generated = generate_store(
        sim.state,
        seed=args.seed,
        customers=args.customers,
        orders=args.orders,
        newcomers=NEWCOMERS if args.customer_activity else 0,
        showcase=args.showcase,
    )
    sim.start()
    try:
        print_banner(sim, generated)
        if args.deliver_webhooks_to:
            summary = deliver_order_webhooks(sim, args.deliver_webhooks_to)
            print("webhooks delivered per status:")
            for name, counts in sorted(summary.items()):
                print(f"  {name}: {counts['accepted']}/{counts['orders']} accepted")
            if args.customer_activity:
                events = deliver_customer_and_shipment_webhooks(
                    sim, args.deliver_webhooks_to, generated
                )
                for scope, counts in sorted(events.items()):
                    print(f"  {scope}: {counts['accepted']}/{counts['sent']} accepted")
        print("Serving; press Ctrl+C to stop.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("Stopping.")
    finally:
        sim.stop()
        if sim.spec_errors:
            print(f"{len(sim.spec_errors)} spec violation(s) seen:", file=sys.stderr)
            for error in sim.spec_errors:
                print(f"  {error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
