# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two workers credit the same refund at the same moment, for real.

As in ``test_concurrency``: each worker has its own connection and commits,
and the fixtures are committed (and removed afterwards).
"""

import uuid
from unittest import mock

from odoo.tests import TransactionCase, tagged

from ..components.binder import BigCommerceBinder
from .common import (
    CommittedStoreMixin,
    start_simulator,
)

RUN = uuid.uuid4().hex[:8]
STORE_HASH = f"refundrace{RUN}"
SKU = f"REFUND-RACE-{RUN}"


@tagged("post_install", "-at_install")
class TestConcurrentRefunds(CommittedStoreMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_simulator(cls, store_hash=STORE_HASH, quota=None)
        cls.simulator.state.add_product(sku=SKU, name="Race mug", price="9.50")

    def setUp(self):
        super().setUp()
        self.create_committed_store(
            "Refund race store", STORE_HASH, sku=SKU, product_name="Race mug"
        )
        # An invoiced order with a refund to credit.
        self.order = self.simulator.state.add_order(lines=[{"sku": SKU, "quantity": 3}])
        line = self.simulator.state.order_products(self.order["id"])[0]
        with self.committed_env() as env:
            env["bigcommerce.backend"].browse(self.backend_id)._import_order(
                self.order["id"]
            )
        self.refund = self.simulator.state.add_refund(
            self.order["id"],
            [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
        )

    def race(self):
        """Two workers import the refund at once; their outcomes."""

        def credit(backend):
            backend._import_refund(self.refund["id"], self.order["id"])
            return "credited"

        return self.race_jobs([credit, credit])

    def assert_one_credit_note(self):
        with self.committed_env() as env:
            invoice = (
                env["bigcommerce.order"]
                .search(
                    [
                        ("backend_id", "=", self.backend_id),
                        ("bigcommerce_id", "=", self.order["id"]),
                    ]
                )
                .move_id
            )
            credit_notes = env["account.move"].search(
                [("reversed_entry_id", "=", invoice.id)]
            )
            self.assertEqual(len(credit_notes), 1)
            self.assertEqual(credit_notes.state, "posted")
            binding = env["bigcommerce.refund"].search(
                [
                    ("backend_id", "=", self.backend_id),
                    ("bigcommerce_id", "=", self.refund["id"]),
                ]
            )
            self.assertEqual(binding.move_id, credit_notes)

    def test_the_lock_keeps_the_second_worker_out(self):
        outcomes = self.race()
        self.assertIn("credited", outcomes)
        self.assertEqual(len(outcomes), 2)
        self.assert_one_credit_note()

    def test_without_the_lock_the_database_keeps_one_credit_note(self):
        """Without the advisory lock, both workers credit the refund at once:
        the database keeps one credit note (the order's row, which the refund
        importer locks, and the refund's unique binding refuse the later
        worker, which the job queue retries, and which then skips),
        whichever worker writes first and however fast. No barrier
        makes them write together: the later one waits on the order's row
        the earlier one holds, which a barrier would turn into a deadlock."""
        with mock.patch.object(BigCommerceBinder, "lock", lambda *args: None):
            outcomes = self.race()
        self.assertIn("credited", outcomes)
        self.assertEqual(len(outcomes), 2)
        self.assertFalse([o for o in outcomes if o.startswith("error")], outcomes)
        self.assert_one_credit_note()
        # The retried job finds the refund credited.
        with self.committed_env() as env:
            result = (
                env["bigcommerce.backend"]
                .browse(self.backend_id)
                ._import_refund(self.refund["id"], self.order["id"])
            )
            self.assertIn("already credited", result)
        self.assert_one_credit_note()
