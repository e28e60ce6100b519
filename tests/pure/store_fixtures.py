# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The simulated store and the client a pure test module talks to."""

import pytest

from bigcommerce import BigCommerceClient
from simulator import BigCommerceSimulator


def store_fixtures(store_hash, products):
    """The module-scoped ``sim`` and ``client`` fixtures of a test module.

    ``sim`` is a simulated store selling ``products`` (``{sku: (price, tax
    rate, product type)}``, each named after its SKU), whose every exchange
    is checked against BigCommerce's specs when the module ends; ``client``
    is the connector's client of it. Use as
    ``sim, client = store_fixtures("mystore", PRODUCTS)``.
    """

    @pytest.fixture(scope="module")
    def sim():
        with BigCommerceSimulator(
            store_hash=store_hash, access_token="t", quota=None
        ) as simulator:
            for sku, (price, rate, kind) in products.items():
                simulator.state.add_product(
                    sku=sku, name=sku.title(), price=price, tax_rate=rate, type=kind
                )
            yield simulator
            simulator.assert_conformant()

    @pytest.fixture(scope="module")
    def client(sim):
        return BigCommerceClient(store_hash, "t", base_url=sim.base_url)

    return sim, client
