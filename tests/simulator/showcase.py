# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The showcase: orders of the less common cases a demo shows, added after
a generated store's (``generate_store(showcase=True)``).
"""

import random
from datetime import timedelta

# A fee, an order at a rate of the store's own (not the generator's
# FOREIGN rate), and one order for each Unknown Products setting of the
# connector, of a SKU that is on no catalog Odoo is given.
SHOWCASE_FEE = {"name": "Package protection", "amount": "2.50", "tax_rate": "0.0825"}
SHOWCASE_RATE = ("EUR", "0.9350", "0.20")  # currency, rate from USD, VAT
SHOWCASE_UNKNOWN = {  # setting: (sku, name, price)
    "hold": ("CANDLE-SOY", "Soy Candle", "16.00"),
    "create": ("APRON-DNM", "Denim Apron", "29.00"),
    "fallback": ("SOCKS-WOOL", "Wool Socks", "11.00"),
}


def add_showcase(state, seed, customers, anchor) -> dict:
    """The showcase orders, after the others, in the last days before
    ``anchor`` and with a random generator of their own (the other orders
    stay what the seed gives without them): ``{"fee": id, "store_rate": id,
    "unknown": {setting: id}}``."""
    rng = random.Random(f"{seed}-showcase")
    who = lambda i: customers[i % len(customers)] if customers else 0  # noqa: E731
    day = lambda n: anchor - timedelta(days=n, hours=rng.randint(1, 12))  # noqa: E731
    fee = state.add_order(
        customer_id=who(0),
        lines=[{"sku": "MUG-BLK", "quantity": rng.randint(1, 3)}],
        shipping="5.00",
        fees=[dict(SHOWCASE_FEE)],
        status_id=10,
        date_created=day(5),
    )
    currency, rate, vat = SHOWCASE_RATE
    foreign = state.add_order(
        customer_id=who(1),
        currency=currency,
        exchange_rate=rate,
        tax_inclusive=True,
        lines=[
            {"sku": "TEE-LOGO", "quantity": 1, "price": "27.00", "tax_rate": vat},
            {"sku": "POSTER-A2", "quantity": 1, "price": "19.90", "tax_rate": vat},
        ],
        shipping="6.90",
        status_id=11,
        date_created=day(4),
    )
    unknown = {}
    for index, (setting, (sku, name, price)) in enumerate(SHOWCASE_UNKNOWN.items()):
        order = state.add_order(
            customer_id=who(2 + index),
            lines=[
                {"sku": "TOTE-CNV", "quantity": 1},
                {
                    "sku": sku,
                    "name": name,
                    "price": price,
                    "tax_rate": "0.0825",
                    "quantity": rng.randint(1, 2),
                },
            ],
            shipping="5.00",
            status_id=11,
            date_created=day(3 - index),
        )
        unknown[setting] = order["id"]
    return {"fee": fee["id"], "store_rate": foreign["id"], "unknown": unknown}
