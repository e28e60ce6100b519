# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Spec validation itself: it catches drift, and it cannot be switched off."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from simulator import BigCommerceSimulator, SpecDirectoryError, views
from simulator import spec as spec_module

TOKEN = "spec-token"


@pytest.fixture
def sim():
    with BigCommerceSimulator(store_hash="specstore", access_token=TOKEN) as s:
        yield s


def get(sim, path, **query):
    return requests.get(
        f"{sim.api_url}{path}",
        params=query,
        headers={"X-Auth-Token": TOKEN, "Accept": "application/json"},
        timeout=10,
    )


def an_order(sim):
    return sim.state.add_order(
        lines=[{"sku": "S", "name": "Shirt", "price": "20.00", "tax_rate": "0.1"}],
        shipping="4.00",
    )


# -- drift is caught ---------------------------------------------------------------


def test_a_number_where_the_spec_wants_a_string_is_caught(sim, monkeypatch):
    order = an_order(sim)
    real = views.product

    def drifted(record):
        data = real(record)
        data["price_ex_tax"] = 20.0
        return data

    monkeypatch.setattr(views, "product", drifted)
    assert get(sim, f"/v2/orders/{order['id']}/products").status_code == 200
    (error,) = sim.spec_errors
    assert error.startswith(f"GET /stores/specstore/v2/orders/{order['id']}/products")
    assert "response 200" in error and "price_ex_tax" in error
    assert "is not of type 'string'" in error
    with pytest.raises(AssertionError, match="1 BigCommerce spec violation"):
        sim.assert_conformant()


def test_a_missing_required_field_is_caught(sim, monkeypatch):
    order = an_order(sim)
    real = views.order

    def drifted(*args, **kwargs):
        data = real(*args, **kwargs)
        del data["billing_address"]["zip"]
        return data

    monkeypatch.setattr(views, "order", drifted)
    get(sim, f"/v2/orders/{order['id']}")
    assert any("'zip' is a required property" in e for e in sim.spec_errors)


def test_an_unknown_field_in_a_closed_schema_is_caught(sim, monkeypatch):
    order = an_order(sim)
    real = views.product
    monkeypatch.setattr(views, "product", lambda r: {**real(r), "price": "20.0000"})
    get(
        sim,
        f"/v2/orders/{order['id']}",
        include="consignments.line_items",
        consignment_structure="object",
    )
    assert any(
        "consignments" in e and "'price' was unexpected" in e for e in sim.spec_errors
    ), sim.spec_errors


def test_v3_drift_is_caught(sim, monkeypatch):
    sim.state.add_customer(first_name="A", last_name="B", email="a@example.com")
    real = views.customer
    monkeypatch.setattr(views, "customer", lambda *a: {**real(*a), "id": "1"})
    get(sim, "/v3/customers")
    assert any("/v3/customers" in e and "/data/0/id" in e for e in sim.spec_errors)


def test_request_drift_is_caught_too(sim):
    get(sim, "/v2/orders", limit="many")
    get(sim, "/v3/orders/payment_actions/refunds", **{"created:min": "yesterday"})
    get(sim, "/v2/customers")  # deprecated v2 resource, not in the reference specs
    errors = sim.spec_errors
    assert any("parameter error: limit" in e and "many" in e for e in errors)
    assert any("created:min" in e for e in errors)
    assert any("/v2/customers" in e and "no BigCommerce spec" not in e for e in errors)
    assert len(errors) == 3


def test_error_statuses_the_path_spec_omits_are_not_violations(sim):
    sim.faults.inject("500")
    assert get(sim, "/v2/orders").status_code == 500
    assert get(sim, "/v2/orders", limit=1000).status_code == 413
    assert get(sim, "/v2/orders").status_code == 204
    sim.assert_conformant()


# -- the spec directory ------------------------------------------------------------


def test_missing_spec_directory_is_a_loud_error(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGCOMMERCE_SPEC_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SpecDirectoryError) as info:
        BigCommerceSimulator()
    message = str(info.value)
    assert str(tmp_path / "nowhere") in message
    assert "BIGCOMMERCE_SPEC_DIR" in message


def test_incomplete_spec_directory_names_the_missing_files(tmp_path, monkeypatch):
    shutil.copy(spec_module.default_spec_dir() / "orders.v3.yml", tmp_path)
    monkeypatch.setenv("BIGCOMMERCE_SPEC_DIR", str(tmp_path))
    with pytest.raises(SpecDirectoryError, match=r"orders\.v2\.oas2\.yml"):
        BigCommerceSimulator()


def test_spec_directory_from_the_environment(tmp_path, monkeypatch):
    for name in spec_module.SPEC_FILES:
        shutil.copy(spec_module.default_spec_dir() / name, tmp_path)
    link = tmp_path.parent / f"{tmp_path.name}-link"
    link.symlink_to(tmp_path)
    monkeypatch.setenv("BIGCOMMERCE_SPEC_DIR", str(link))
    with BigCommerceSimulator(access_token=TOKEN) as sim:
        assert sim.validator.spec_dir == str(tmp_path.resolve())
        response = requests.get(
            f"{sim.api_url}/v2/time", headers={"X-Auth-Token": TOKEN}, timeout=10
        )
        assert response.status_code == 200
        sim.assert_conformant()


def test_default_spec_directory_sits_beside_the_repository():
    default = spec_module.default_spec_dir()
    assert default.parts[-3:] == ("shared", "bigcommerce", "reference")
    assert (default / "orders.v2.oas2.yml").is_file()


# -- which spec, and the documented corrections -------------------------------------


@pytest.mark.parametrize(
    "path,name",
    [
        ("/stores/h/v2/store", "store_information.v2.yml"),
        ("/stores/h/v2/time", "store_information.v2.yml"),
        ("/stores/h/v2/orders/1/products", "orders.v2.oas2.yml"),
        ("/stores/h/v2/order_statuses", "orders.v2.oas2.yml"),
        ("/stores/h/v3/orders/payment_actions/refunds", "orders.v3.yml"),
        ("/stores/h/v3/customers/addresses", "customers.v3.yml"),
        ("/stores/h/v3/hooks/5", "webhooks.v3.yml"),
        ("/stores/h/v3/catalog/products", None),
        ("/other", None),
    ],
)
def test_spec_is_chosen_by_path(path, name):
    assert spec_module.spec_for_path(path) == name


def test_every_correction_is_documented_and_applied():
    spec_dir = str(spec_module.resolve_spec_dir())
    for patches in spec_module.SPEC_PATCHES.values():
        for patch in patches:
            assert patch.__doc__ and len(patch.__doc__) > 80, patch.__name__
    orders = spec_module.load_spec_dict(spec_dir, spec_module.ORDERS_V2)
    assert (
        "date_modified:asc"
        in orders["components"]["parameters"]["sort"]["schema"]["enum"]
    )
    assert spec_module.load_spec_dict(spec_dir, spec_module.ORDERS_V2) is orders
    hooks = spec_module.load_spec_dict(spec_dir, spec_module.WEBHOOKS_V3)
    data = hooks["components"]["responses"]["webhooks_Resp"]["content"][
        "application/json"
    ]["schema"]["properties"]["data"]
    assert "minItems" not in data and data["uniqueItems"] is True


# -- packaging ---------------------------------------------------------------------


def test_importable_as_a_subpackage_without_odoo(tmp_path):
    """As ``odoo.addons.bigcommerce_connector.simulator`` it sits under another
    package, reached through a symlinked checkout; relative imports only."""
    source = Path(spec_module.__file__).resolve().parent
    for path in source.glob("*.py"):
        for line in path.read_text().splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]):
                assert words[1].split(".")[0] not in ("simulator", "odoo"), line
    addon = tmp_path / "some_addon"
    addon.mkdir()
    (addon / "__init__.py").write_text("")
    (addon / "simulator").symlink_to(source)
    code = (
        "import sys; import some_addon.simulator as s; "
        "print(s.BigCommerceSimulator.__module__); "
        "print(s.spec.default_spec_dir()); "
        "print('odoo' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        timeout=60,
        check=True,
    )
    module, spec_dir, odoo_loaded = result.stdout.split()
    assert module == "some_addon.simulator.server"
    assert spec_dir == str(spec_module.default_spec_dir())
    assert odoo_loaded == "False"
