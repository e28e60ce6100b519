# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Unknown products: what a product created from an order line is made of,
a fallback line's label; the order line as the client reads it from the
simulated store."""

from decimal import Decimal

from store_fixtures import store_fixtures

from bigcommerce.mapping import order_line_items
from bigcommerce.products import fallback_line_label, product_to_create

sim, client = store_fixtures(
    "productstore",
    {
        "LAMP": ("25.00", "0.0825", "physical"),
        "EBOOK": ("9.99", "0", "digital"),
    },
)

LINE = {
    "id": 1,
    "product_id": 7,
    "sku": "LAMP-RED",
    "name": "Desk lamp",
    "type": "physical",
    "base_price": "27.0625",
    "price_ex_tax": "25.0000",
    "price_inc_tax": "27.0625",
}


# -- the product created ------------------------------------------------------------
def test_a_created_product_is_the_lines_name_sku_and_price_ex_tax():
    assert product_to_create(LINE) == {
        "name": "Desk lamp",
        "sku": "LAMP-RED",
        "price": Decimal("25.00"),
        "service": False,
    }


def test_a_digital_line_makes_a_service_and_a_nameless_one_is_named_by_its_sku():
    values = product_to_create(dict(LINE, type="digital", name=" "))
    assert values["service"] is True
    assert values["name"] == "LAMP-RED"


def test_no_sku_creates_nothing():
    assert product_to_create(dict(LINE, sku="")) is None
    assert product_to_create(dict(LINE, sku=None)) is None
    assert product_to_create({"name": "Custom"}) is None


def test_an_unreadable_or_missing_price_is_zero():
    assert product_to_create(dict(LINE, price_ex_tax="n/a"))["price"] == Decimal(0)
    assert product_to_create(dict(LINE, price_ex_tax=None))["price"] == Decimal(0)


# -- the fallback line's label --------------------------------------------------------
def test_a_fallback_line_keeps_its_name_and_sku():
    assert fallback_line_label("Desk lamp", "LAMP") == "[LAMP] Desk lamp"
    assert fallback_line_label(" Desk lamp ", "") == "Desk lamp"
    assert fallback_line_label("", "LAMP") == "[LAMP]"


# -- over HTTP -------------------------------------------------------------------
def test_a_variant_line_carries_its_own_sku_and_no_parent_sku(sim, client):
    """What the connector has of a variant: its own SKU; its parent's SKU
    is not on the order line, so that it cannot be booked on it."""
    order = sim.state.add_order(
        lines=[{"sku": "LAMP", "variant_sku": "LAMP-RED", "quantity": 2}]
    )
    before = len(sim.requests)
    (item,) = order_line_items(client.get_order(order["id"]))
    assert len(sim.requests) == before + 1
    assert item["sku"] == "LAMP-RED"
    assert "LAMP" not in {v for v in item.values() if isinstance(v, str)}
    assert product_to_create(item) == {
        "name": "Lamp",
        "sku": "LAMP-RED",
        "price": Decimal("25.00"),
        "service": False,
    }


def test_a_digital_line_from_the_store_makes_a_service(sim, client):
    order = sim.state.add_order(lines=[{"sku": "EBOOK", "quantity": 1}])
    (item,) = order_line_items(client.get_order(order["id"]))
    assert product_to_create(item)["service"] is True
    assert product_to_create(item)["price"] == Decimal("9.99")
