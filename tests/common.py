# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared set-up of the Odoo tier: a local BigCommerce simulator per class."""

from odoo.tests import TransactionCase

from ..simulator import BigCommerceSimulator

STORE_HASH = "teststore1"
ACCESS_TOKEN = "tok-5f2b9c0e7a"
CLIENT_SECRET = "sec-8d1e4a6b3c"


class BigCommerceCase(TransactionCase):
    """Starts a simulator for the class and a store backend pointing at it.

    Every response the simulator sent, and every request it received, is
    checked against BigCommerce's OpenAPI specs when each test ends.
    """

    simulator_options = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator = BigCommerceSimulator(
            store_hash=STORE_HASH,
            access_token=ACCESS_TOKEN,
            client_secret=CLIENT_SECRET,
            name="Simulated Store",
            currency="USD",
            **cls.simulator_options,
        )
        cls.simulator.start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.backend = cls.env["bigcommerce.backend"].create(
            {
                "name": "Test store",
                "store_hash": STORE_HASH,
                "api_base_url": cls.simulator.base_url,
                "access_token": ACCESS_TOKEN,
                "client_secret": CLIENT_SECRET,
                "client_id": "client-id-1",
            }
        )

    def setUp(self):
        super().setUp()
        self.addCleanup(self.simulator.assert_conformant)
