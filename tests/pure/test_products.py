# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Unknown products: which lines need the catalog, a variant's parent SKU,
what a created product is made of, a fallback line's label; the catalog's
products as the client reads them and the specs show them."""

from decimal import Decimal

from store_fixtures import store_fixtures

from bigcommerce.mapping import order_line_items
from bigcommerce.products import (
    CATALOG_FIELDS,
    POLICY_CREATE,
    POLICY_FALLBACK,
    POLICY_HOLD,
    catalog_by_id,
    catalog_ids_to_read,
    fallback_line_label,
    may_be_variant,
    parent_sku,
    product_to_create,
)

sim, client = store_fixtures(
    "productstore",
    {
        "LAMP": ("25.00", "0.0825", "physical"),
        "EBOOK": ("9.99", "0", "digital"),
        "CHAIR": ("80.00", "0.0825", "physical"),
    },
)

SIMPLE = {
    "id": 1,
    "product_id": 7,
    "sku": "LAMP",
    "name": "Lamp",
    "product_options": [],
}
VARIANT = {
    "id": 2,
    "product_id": 8,
    "sku": "LAMP-RED",
    "name": "Lamp",
    "product_options": [{"display_name": "Colour", "display_value": "Red"}],
}
CUSTOM = {
    "id": 3,
    "product_id": 0,
    "sku": "GIFTWRAP",
    "name": "Custom",
    "base_price": "3.5",
}


# -- which lines need the catalog ------------------------------------------------
def test_only_variants_need_the_catalog_unless_products_are_created():
    items = [SIMPLE, VARIANT, CUSTOM]
    assert catalog_ids_to_read(items, POLICY_HOLD) == [8]
    assert catalog_ids_to_read(items, POLICY_FALLBACK) == [8]
    assert catalog_ids_to_read(items, POLICY_CREATE) == [7, 8]
    assert catalog_ids_to_read([SIMPLE, CUSTOM], POLICY_HOLD) == []


def test_a_line_with_options_but_no_product_is_no_variant():
    assert may_be_variant(VARIANT)
    assert not may_be_variant(SIMPLE)
    assert not may_be_variant(dict(VARIANT, product_id=0))
    assert not may_be_variant(dict(VARIANT, product_id="not a number"))


# -- the parent's SKU ---------------------------------------------------------------
def test_the_parent_sku_is_the_products_when_it_differs():
    catalog = catalog_by_id([{"id": 8, "sku": "LAMP"}, {"id": 7, "sku": "LAMP"}])
    assert parent_sku(VARIANT, catalog) == "LAMP"
    assert parent_sku(SIMPLE, catalog) == ""  # its own
    assert parent_sku(CUSTOM, catalog) == ""  # no product
    assert parent_sku(VARIANT, catalog_by_id([{"id": 8, "sku": ""}])) == ""
    assert parent_sku(VARIANT, {}) == ""  # gone from the catalog


# -- the product created ------------------------------------------------------------
def test_a_created_product_is_the_catalog_products():
    catalog = catalog_by_id(
        [{"id": 8, "name": "Desk lamp", "sku": "LAMP", "price": 25}]
    )
    assert product_to_create(VARIANT, catalog) == {
        "name": "Desk lamp",
        "sku": "LAMP",
        "price": Decimal("25.00"),
        "service": False,
    }


def test_without_its_catalog_product_it_is_the_lines():
    assert product_to_create(CUSTOM, {}) == {
        "name": "Custom",
        "sku": "GIFTWRAP",
        "price": Decimal("3.50"),
        "service": False,
    }
    digital = dict(CUSTOM, type="digital", base_price="")
    assert product_to_create(digital, {})["service"] is True
    assert product_to_create(digital, {})["price"] == Decimal("0.00")


def test_no_sku_anywhere_creates_nothing():
    assert product_to_create(dict(CUSTOM, sku=""), {}) is None
    catalog = catalog_by_id([{"id": 8, "name": "Lamp", "sku": "", "price": 1}])
    assert product_to_create(dict(VARIANT, sku=None), catalog) is None
    # The variant's own SKU, when its product has none.
    assert product_to_create(VARIANT, catalog)["sku"] == "LAMP-RED"


def test_an_unreadable_price_is_zero():
    catalog = catalog_by_id([{"id": 8, "name": "Lamp", "sku": "L", "price": "n/a"}])
    assert product_to_create(VARIANT, catalog)["price"] == Decimal(0)


# -- the fallback line's label --------------------------------------------------------
def test_a_fallback_line_keeps_its_name_and_sku():
    assert fallback_line_label("Desk lamp", "LAMP") == "[LAMP] Desk lamp"
    assert fallback_line_label(" Desk lamp ", "") == "Desk lamp"
    assert fallback_line_label("", "LAMP") == "[LAMP]"


# -- the catalog, over HTTP -----------------------------------------------------------
def test_the_catalog_gives_the_products_asked_with_only_the_fields_asked(sim, client):
    lamp = sim.state.products["LAMP"]
    chair = sim.state.products["CHAIR"]
    before = len(sim.requests)
    products = client.get_catalog_products([chair["id"], lamp["id"], 0], CATALOG_FIELDS)
    assert products == [
        {"id": lamp["id"], "name": "Lamp", "sku": "LAMP", "price": 25.0},
        {"id": chair["id"], "name": "Chair", "sku": "CHAIR", "price": 80.0},
    ]
    (request,) = sim.requests[before:]
    assert request["path"] == "/stores/productstore/v3/catalog/products"
    assert request["query"]["id:in"] == f"{lamp['id']},{chair['id']}"
    assert request["query"]["include_fields"] == "name,sku,price"
    assert client.get_catalog_products([]) == []
    assert len(sim.requests) == before + 1, "no ids: no call"


def test_a_deleted_product_is_not_in_the_catalog(sim, client):
    sim.state.add_product(sku="STOOL", name="Stool", price="15.00")
    stool = sim.state.remove_product("STOOL")
    assert client.get_catalog_products([stool["id"]]) == []


def test_a_variant_is_ordered_with_its_options_and_its_parents_id(sim, client):
    order = sim.state.add_order(
        lines=[{"sku": "LAMP", "variant_sku": "LAMP-RED", "quantity": 1}]
    )
    (item,) = order_line_items(client.get_order(order["id"]))
    assert item["sku"] == "LAMP-RED"
    assert item["product_id"] == sim.state.products["LAMP"]["id"]
    assert may_be_variant(item)
    catalog = catalog_by_id(client.get_catalog_products([item["product_id"]]))
    assert parent_sku(item, catalog) == "LAMP"
