# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Seeded, realistic store data for tests and demos.

``generate_store`` first plays a fixed list of scenarios, so that even a small
store has every case an importer must handle (tax-exclusive and -inclusive
pricing, each coupon type, manual discounts, guests, foreign currencies, gift
certificates bought and redeemed, store credit, shipping/handling/wrapping,
every status, refunds and shipments), then adds random orders. The same seed
and anchor always give the same store.
"""

import random
from datetime import UTC, datetime, timedelta

from .orders import GATEWAYS
from .showcase import add_showcase
from .statuses import STATUS_NAMES

CATALOG = (
    # sku, name, price (USD, ex tax), tax rate, type
    ("MUG-BLK", "Black Mug", "12.50", "0.0825", "physical"),
    ("MUG-WHT", "White Mug", "12.50", "0.0825", "physical"),
    ("TEE-LOGO", "Logo T-Shirt", "24.99", "0.0825", "physical"),
    ("POSTER-A2", "Skyline Poster A2", "18.00", "0.0825", "physical"),
    ("BEANS-1KG", "Coffee Beans 1 kg", "31.40", "0", "physical"),
    ("TOTE-CNV", "Canvas Tote", "9.95", "0.0825", "physical"),
    ("EBOOK-BREW", "Home Brewing (e-book)", "7.99", "0.0825", "digital"),
    ("GIFT-CERT", "Gift Certificate", "25.00", "0", "giftcertificate"),
)
FIRST_NAMES = (
    "Jane",
    "Ravi",
    "Maria",
    "Tom",
    "Aiko",
    "Lena",
    "Omar",
    "Chloe",
    "Pieter",
    "Grace",
    "Hugo",
    "Ines",
)
LAST_NAMES = (
    "Doe",
    "Patel",
    "Garcia",
    "Smith",
    "Tanaka",
    "Muller",
    "Haddad",
    "Martin",
    "de Vries",
    "Okafor",
    "Bernard",
    "Costa",
)
ADDRESSES = (
    {
        "address1": "455 Main Street",
        "city": "Austin",
        "state_or_province": "Texas",
        "postal_code": "78751",
        "country_code": "US",
        "country": "United States",
    },
    {
        "address1": "12 Harbour Road",
        "city": "Portland",
        "state_or_province": "Oregon",
        "postal_code": "97201",
        "country_code": "US",
        "country": "United States",
    },
    {
        "address1": "221B Baker Street",
        "city": "London",
        "state_or_province": "London",
        "postal_code": "NW1 6XE",
        "country_code": "GB",
        "country": "United Kingdom",
    },
    {
        "address1": "Friedrichstrasse 43",
        "city": "Berlin",
        "state_or_province": "Berlin",
        "postal_code": "10117",
        "country_code": "DE",
        "country": "Germany",
    },
    {
        "address1": "8 Rue de Rivoli",
        "city": "Paris",
        "state_or_province": "Paris",
        "postal_code": "75004",
        "country_code": "FR",
        "country": "France",
    },
)
FOREIGN = {  # currency: (rate from USD, VAT rate, address index)
    "EUR": ("0.9200", "0.20", 3),
    "GBP": ("0.7900", "0.20", 2),
}
CARRIERS = (("ups", "UPS Ground"), ("fedex", "FedEx Home"), ("usps", "USPS Priority"))


def _anchor(state, anchor) -> datetime:
    if anchor is not None:
        return anchor.astimezone(UTC)
    now = state.now()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _ensure_catalog(state) -> None:
    for sku, name, price, rate, kind in CATALOG:
        if sku not in state.products:
            state.add_product(sku=sku, name=name, price=price, tax_rate=rate, type=kind)


def _make_customers(state, rng, count, anchor) -> list:
    ids = []
    for index in range(count):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 5) % len(LAST_NAMES)]
        homes = rng.sample(range(len(ADDRESSES)), k=rng.choice((1, 1, 2)))
        customer = state.add_customer(
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{index}@example.com".lower().replace(" ", ""),
            company=rng.choice(("", "", "Acme Corp", "Northwind Ltd")),
            phone=f"555-01{index:02d}",
            addresses=[dict(ADDRESSES[h]) for h in homes],
            date_created=anchor - timedelta(days=60 - index, hours=rng.randint(0, 23)),
        )
        ids.append(customer["id"])
    return ids


# --------------------------------------------------------------------------
# Scenarios: each returns (add_order kwargs, follow-up actions).


def _lines(rng, skus, qty_max=3) -> list:
    return [{"sku": sku, "quantity": rng.randint(1, qty_max)} for sku in skus]


def _scenarios(rng, customers) -> list:
    def who(i):
        return customers[i % len(customers)] if customers else 0

    return [
        (
            {
                "customer_id": who(0),
                "lines": _lines(rng, ["MUG-BLK", "TEE-LOGO"]),
                "shipping": "5.00",
                "status_id": 11,
            },
            [],
        ),
        (
            {
                "customer_id": 0,
                "lines": _lines(rng, ["POSTER-A2", "TOTE-CNV"]),
                "shipping": "7.50",
                "coupons": [{"code": "SAVE10", "type": 2, "amount": "10.00"}],
                "status_id": 10,
            },
            ["ship_all"],
        ),
        (
            {
                "customer_id": who(1),
                "currency": "EUR",
                "tax_inclusive": True,
                "lines": [
                    {
                        "sku": "MUG-WHT",
                        "quantity": 2,
                        "price": "14.90",
                        "tax_rate": "0.20",
                    },
                    {
                        "sku": "TEE-LOGO",
                        "quantity": 1,
                        "price": "27.00",
                        "tax_rate": "0.20",
                    },
                ],
                "shipping": "6.90",
                "status_id": 11,
            },
            [],
        ),
        (
            {
                "customer_id": who(2),
                "lines": _lines(rng, ["BEANS-1KG", "MUG-BLK"]),
                "shipping": "8.00",
                "handling": "2.50",
                "coupons": [{"code": "BREW15", "type": 1, "amount": "15"}],
                "status_id": 9,
            },
            [],
        ),
        (
            {
                "customer_id": who(3),
                "lines": [
                    {
                        "sku": "GIFT-CERT",
                        "quantity": 1,
                        "price": "50.00",
                        "recipient_email": "friend@example.com",
                    },
                    {"sku": "TOTE-CNV", "quantity": 1},
                ],
                "shipping": "4.00",
                "status_id": 10,
            },
            ["ship_all"],
        ),
        (
            {
                "customer_id": who(4),
                "lines": [{"sku": "EBOOK-BREW", "quantity": 1}],
                "status_id": 10,
            },
            [],
        ),
        (
            {
                "customer_id": who(5),
                "lines": _lines(rng, ["TEE-LOGO", "MUG-WHT"]),
                "shipping": "6.00",
                "handling": "1.50",
                "wrapping": "3.00",
                "manual_discount": "5.00",
                "staff_notes": "VIP customer",
                "status_id": 11,
            },
            ["ship_all"],
        ),
        (
            {
                "customer_id": who(6),
                "lines": [
                    {"sku": "MUG-BLK", "quantity": 2},
                    {"sku": "POSTER-A2", "quantity": 1},
                ],
                "shipping": "5.00",
                "status_id": 11,
            },
            ["ship_some"],
        ),
        (
            {
                "customer_id": who(7),
                "lines": _lines(rng, ["TEE-LOGO", "MUG-BLK"]),
                "shipping": "5.00",
                "status_id": 10,
            },
            ["refund_all"],
        ),
        (
            {
                "customer_id": 0,
                "lines": [{"sku": "MUG-WHT", "quantity": 3}],
                "shipping": "5.00",
                "status_id": 10,
            },
            ["refund_one"],
        ),
        (
            {
                "customer_id": who(8),
                "lines": _lines(rng, ["BEANS-1KG"]),
                "shipping": "6.00",
                "gift_certificate_amount": "10.00",
                "store_credit_amount": "5.00",
                "status_id": 11,
            },
            [],
        ),
        (
            {
                "customer_id": who(9),
                "lines": [{"sku": "MUG-BLK", "quantity": 4}],
                "shipping": "5.00",
                "coupons": [{"code": "MUG2OFF", "type": 0, "amount": "2.00"}],
                "status_id": 7,
            },
            [],
        ),
        (
            {
                "customer_id": who(1),
                "lines": _lines(rng, ["POSTER-A2"]),
                "shipping": "9.00",
                "coupons": [{"code": "FREESHIP", "type": 4, "amount": "0"}],
                "status_id": 1,
            },
            [],
        ),
        (
            {
                "customer_id": who(2),
                "currency": "GBP",
                "tax_inclusive": True,
                "lines": [
                    {
                        "sku": "TEE-LOGO",
                        "quantity": 2,
                        "price": "22.00",
                        "tax_rate": "0.20",
                        "variant_sku": "TEE-LOGO-L",
                        "product_options": [
                            {"display_name": "Size", "display_value": "L"}
                        ],
                    }
                ],
                "shipping": "4.95",
                "coupons": [
                    {"code": "SHIP3", "type": 3, "amount": "3.00"},
                    {"code": "SPRING", "type": 2, "amount": "5.00"},
                ],
                "status_id": 11,
            },
            [],
        ),
        (
            {
                "customer_id": 0,
                "lines": _lines(rng, ["TOTE-CNV"]),
                "shipping": "3.00",
                "status_id": 0,
            },
            [],
        ),
        (
            {
                "customer_id": who(3),
                "lines": _lines(rng, ["MUG-WHT"]),
                "shipping": "5.00",
                "status_id": 5,
            },
            [],
        ),
        (
            {
                "customer_id": who(4),
                "lines": _lines(rng, ["TEE-LOGO"]),
                "shipping": "5.00",
                "status_id": 6,
            },
            [],
        ),
        (
            {
                "customer_id": who(5),
                "lines": _lines(rng, ["BEANS-1KG"]),
                "shipping": "0",
                "status_id": 8,
            },
            [],
        ),
        (
            {
                "customer_id": who(6),
                "lines": _lines(rng, ["POSTER-A2", "MUG-BLK"]),
                "shipping": "5.00",
                "status_id": 12,
            },
            [],
        ),
        (
            {
                "customer_id": who(7),
                "lines": _lines(rng, ["TEE-LOGO"]),
                "shipping": "5.00",
                "status_id": 13,
            },
            [],
        ),
    ]


def _random_scenario(rng, customers) -> tuple:
    skus = rng.sample(
        [c[0] for c in CATALOG if c[4] == "physical"], k=rng.randint(1, 3)
    )
    kwargs = {
        "customer_id": rng.choice([*customers, 0]) if customers else 0,
        "lines": _lines(rng, skus),
        "shipping": rng.choice(("0", "4.99", "5.00", "7.50", "12.00")),
        "status_id": rng.choice((11, 11, 10, 10, 9, 7, 2)),
    }
    if rng.random() < 0.25:
        kwargs["coupons"] = [{"code": "WELCOME5", "type": 2, "amount": "5.00"}]
    if rng.random() < 0.15:
        kwargs["handling"] = "1.95"
    if rng.random() < 0.2:
        currency = rng.choice(sorted(FOREIGN))
        rate, vat, _home = FOREIGN[currency]
        kwargs.update(currency=currency, exchange_rate=rate, tax_inclusive=True)
        for line in kwargs["lines"]:
            line["tax_rate"] = vat
    actions = []
    if kwargs["status_id"] in (2, 10):
        actions.append("ship_all")
    return kwargs, actions


def _apply_currency(kwargs: dict) -> None:
    currency = kwargs.get("currency")
    if currency in FOREIGN:
        kwargs.setdefault("exchange_rate", FOREIGN[currency][0])


# --------------------------------------------------------------------------
# Follow-ups


def _ship(state, rng, order, at, everything: bool) -> None:
    record = state.order_record(order["id"])
    physical = [p for p in record.products if p["type"] == "physical"]
    if not physical:
        return
    items = [{"order_product_id": p["id"], "quantity": p["quantity"]} for p in physical]
    if not everything:
        items = [{"order_product_id": physical[0]["id"], "quantity": 1}]
    carrier, method = rng.choice(CARRIERS)
    state.add_shipment(
        order["id"],
        items,
        tracking_number=f"1Z{rng.randint(10**9, 10**10 - 1)}",
        tracking_carrier=carrier,
        shipping_method=method,
        date_created=at,
        update_status=False,
    )


def _refund(state, order, at, everything: bool) -> None:
    record = state.order_record(order["id"])
    line = record.products[0]
    if not everything:
        items = [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]
        reason = "One mug arrived broken"
    else:
        items = [
            {"item_type": "PRODUCT", "item_id": p["id"], "quantity": p["quantity"]}
            for p in record.products
        ]
        for address in record.shipping_addresses:
            if address["cost_inc_tax"] != "0.0000":
                items.append(
                    {
                        "item_type": "SHIPPING",
                        "item_id": address["id"],
                        "amount": address["cost_inc_tax"],
                    }
                )
        reason = "Order returned"
    # A registered customer's refund is store credit (the simulator's
    # default); a guest's goes back through the gateway that took the money.
    payments = None
    if not record.data["customer_id"]:
        gateway = record.gateway or GATEWAYS.get(record.data["payment_method"])
        payments = [{"provider_id": gateway or "custom"}]
    state.add_refund(order["id"], items, reason=reason, payments=payments, created=at)


def _follow_up(state, rng, order, actions, created, anchor) -> None:
    span = max(1, int((anchor - created).total_seconds()))
    at = created + timedelta(seconds=rng.randint(span // 4, span // 2))
    later = created + timedelta(seconds=rng.randint(span // 2 + 1, span))
    for action in actions:
        if action in ("ship_all", "ship_some"):
            everything = action == "ship_all"
            _ship(state, rng, order, at, everything)
            if order["status_id"] not in (2, 10):
                state.set_order_status(order["id"], 2 if everything else 3, at)
        elif action in ("refund_all", "refund_one"):
            _refund(state, order, later, action == "refund_all")


def _customer_activity(state, seed, customers, anchor, newcomers) -> dict:
    """After the orders: ``newcomers`` customers who registered and have not
    ordered yet, and an address added to the first customer's address book.

    A random generator of its own, so that the orders stay what the seed
    gives without it.
    """
    rng = random.Random(f"{seed}-customers")
    start = len(customers)
    registered = []
    for index in range(start, start + newcomers):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 3 + 1) % len(LAST_NAMES)]
        customer = state.add_customer(
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.new{index}@example.com".lower().replace(" ", ""),
            phone=f"555-02{index:02d}",
            addresses=[dict(rng.choice(ADDRESSES))],
            date_created=anchor - timedelta(days=2, hours=index),
        )
        registered.append(customer["id"])
    moved = []
    if customers:
        home = dict(rng.choice(ADDRESSES))
        state.add_customer_address(customers[0], at=anchor - timedelta(days=1), **home)
        moved.append(customers[0])
    return {"without_orders": registered, "address_changes": moved}


def generate_store(
    state,
    seed=42,
    customers=10,
    orders=36,
    anchor=None,
    newcomers=0,
    showcase=False,
    span_days=42,
) -> dict:
    """Fill ``state`` with a catalog, ``customers`` customers and ``orders`` orders.

    Orders are created in the ``span_days`` days (at least 1; six weeks by
    default) before ``anchor`` (default: today, 00:00 UTC), none in the last
    day.
    With ``newcomers``, that many customers register without ordering and
    the first customer adds an address (after the orders, with a random
    generator of their own: the orders are the same either way).
    Returns a summary: customer ids, order ids and order counts per status,
    and with ``newcomers`` the ids of ``customers_without_orders`` and of
    the customers whose ``address_changes`` they were. With ``showcase``,
    five more orders (``showcase.add_showcase``, their ids in
    ``showcase``).
    """
    rng = random.Random(seed)
    anchor = _anchor(state, anchor)
    with state.lock:
        _ensure_catalog(state)
        customer_ids = _make_customers(state, rng, customers, anchor)
        scenarios = _scenarios(rng, customer_ids)
        plans = [
            scenarios[i] if i < len(scenarios) else _random_scenario(rng, customer_ids)
            for i in range(orders)
        ]
        created = sorted(
            anchor
            - timedelta(days=span_days)
            + timedelta(seconds=rng.randint(0, (span_days - 1) * 86400))
            for _ in plans
        )
        order_ids = []
        for (kwargs, actions), when in zip(plans, created, strict=True):
            _apply_currency(kwargs)
            order = state.add_order(date_created=when, **kwargs)
            _follow_up(state, rng, order, actions, when, anchor)
            order_ids.append(order["id"])
        shown = add_showcase(state, seed, customer_ids, anchor) if showcase else None
        if shown:
            order_ids += [shown["fee"], shown["store_rate"], *shown["unknown"].values()]
        by_status = {}
        for order_id in order_ids:
            name = STATUS_NAMES[state.order_record(order_id).data["status_id"]]
            by_status[name] = by_status.get(name, 0) + 1
        summary = {
            "customers": customer_ids,
            "orders": order_ids,
            "by_status": by_status,
        }
        if shown:
            summary["showcase"] = shown
        if newcomers:
            activity = _customer_activity(state, seed, customer_ids, anchor, newcomers)
            summary["customers_without_orders"] = activity["without_orders"]
            summary["address_changes"] = activity["address_changes"]
    return summary
