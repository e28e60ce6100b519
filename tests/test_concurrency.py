# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two workers import the same order at the same moment, for real.

Each worker has its own database connection and commits, as queue_job's
workers do; the fixtures are committed too (and removed afterwards), since
a worker cannot see another transaction's uncommitted data.
"""

import threading
import uuid
from unittest import mock

from odoo.tests import TransactionCase, tagged

from ..components.binder import BigCommerceBinder
from .common import (
    THREAD_TIMEOUT,
    CommittedStoreMixin,
    SimulatorMixin,
    import_customer_job,
    import_order_job,
)

# Committed data outlives a crashed test run: names of their own each time.
RUN = uuid.uuid4().hex[:8]
STORE_HASH = f"concurrent{RUN}"
SKU = f"CONCURRENT-{RUN}"


@tagged("post_install", "-at_install")
class TestConcurrentImport(CommittedStoreMixin, SimulatorMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_simulator(store_hash=STORE_HASH, quota=None)
        cls.simulator.state.add_product(sku=SKU, name="Concurrent mug", price="9.50")

    def setUp(self):
        super().setUp()
        self.create_committed_store(
            "Concurrent store", STORE_HASH, sku=SKU, product_name="Concurrent mug"
        )

    def invoices(self, env, order):
        """The invoices of ``order`` made since the race began."""
        return env["account.move"].search(
            [("id", ">", self.last_move_id), ("ref", "=", str(order["id"]))]
        )

    def race(self, order, other=None, jobs=None):
        """Run two import jobs at once, for ``order`` and for ``other`` (by
        default ``order`` again), or ``jobs`` (functions of the store);
        return their outcomes."""
        jobs = jobs or [
            lambda backend, each=each: import_order_job(backend, each["id"])
            for each in (order, other or order)
        ]
        with self.committed_env() as env:
            self.last_move_id = (
                env["account.move"].search([], order="id desc", limit=1).id or 0
            )

        def imported(job):
            def run(backend):
                job(backend)
                return "imported"

            return run

        return self.race_jobs([imported(job) for job in jobs])

    def assert_one_invoice(self, order):
        with self.committed_env() as env:
            moves = self.invoices(env, order)
            self.assertEqual(len(moves), 1)
            self.assertEqual(moves.state, "posted")
            bindings = env["bigcommerce.order"].search(
                [
                    ("backend_id", "=", self.backend_id),
                    ("bigcommerce_id", "=", order["id"]),
                ]
            )
            self.assertEqual(bindings.move_id, moves)

    def test_the_lock_keeps_the_second_worker_out(self):
        order = self.simulator.state.add_order(lines=[{"sku": SKU, "quantity": 2}])
        outcomes = self.race(order)
        self.assertIn("imported", outcomes)
        self.assertEqual(len(outcomes), 2)
        self.assert_one_invoice(order)

    def test_without_the_lock_the_unique_index_decides(self):
        """Take the advisory lock away and let both workers write an invoice
        before either binds it: PostgreSQL's unique index keeps one."""
        # A first order of the same guest, imported alone, binds the partner.
        first = self.simulator.state.add_order(lines=[{"sku": SKU, "quantity": 1}])
        with self.committed_env() as env:
            import_order_job(
                env["bigcommerce.backend"].browse(self.backend_id), first["id"]
            )
        order = self.simulator.state.add_order(lines=[{"sku": SKU, "quantity": 3}])
        bind = BigCommerceBinder.bind
        both_wrote = threading.Barrier(2, timeout=THREAD_TIMEOUT)

        def bind_after_both_wrote(binder, bigcommerce_id, record, values=None):
            if record._name == "account.move":
                both_wrote.wait()
            return bind(binder, bigcommerce_id, record, values)

        with (
            mock.patch.object(BigCommerceBinder, "lock", lambda *args: None),
            mock.patch.object(BigCommerceBinder, "bind", bind_after_both_wrote),
        ):
            outcomes = self.race(order)
        self.assertEqual(outcomes, ["imported", "retry later"])
        self.assert_one_invoice(order)

    # -- one customer, one partner ------------------------------------------
    def race_order_and_customer(self):
        """An order of a new customer and the customer's own import, at
        once; then whichever was told to come back runs again, as queue_job
        retries it. Returns the outcomes of the race, the customer and the
        order."""
        state = self.simulator.state
        customer = state.add_customer(
            first_name="Race",
            last_name="Twin",
            email=f"race.{uuid.uuid4().hex[:8]}@example.com",
            addresses=[{"country_code": "US", "state_or_province": "Texas"}],
        )
        order = state.add_order(
            customer_id=customer["id"], lines=[{"sku": SKU, "quantity": 1}]
        )
        outcomes = self.race(
            order,
            jobs=[
                lambda backend: import_order_job(backend, order["id"]),
                lambda backend: import_customer_job(backend, customer["id"]),
            ],
        )
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            import_order_job(backend, order["id"])
            import_customer_job(backend, customer["id"])
        return outcomes, customer, order

    def assert_one_partner(self, customer, order):
        with self.committed_env() as env:
            partners = (
                env["res.partner"]
                .with_context(active_test=False)
                .search([("email", "=", customer["email"]), ("parent_id", "=", False)])
            )
            self.assertEqual(len(partners), 1)
            binding = env["bigcommerce.customer"].search(
                [
                    ("backend_id", "=", self.backend_id),
                    ("bigcommerce_id", "=", customer["id"]),
                ]
            )
            self.assertEqual(binding.partner_id, partners)
            self.assertEqual(binding.sync_state, "done")
            order_binding = env["bigcommerce.order"].search(
                [
                    ("backend_id", "=", self.backend_id),
                    ("bigcommerce_id", "=", order["id"]),
                ]
            )
            self.assertEqual(order_binding.move_id.partner_id, partners)
            self.assertEqual(
                sorted(partners.child_ids.mapped("type")), ["delivery", "invoice"]
            )

    def test_an_order_and_its_customer_at_once_make_one_partner(self):
        outcomes, customer, order = self.race_order_and_customer()
        self.assertIn("imported", outcomes)
        self.assert_one_partner(customer, order)

    def test_an_order_and_its_customer_without_the_lock(self):
        """Both create a partner and bind it at the same moment: the unique
        index of the customer's binding keeps one, the other job comes back
        and finds it."""
        bind = BigCommerceBinder.bind
        both_made_one = threading.Barrier(2, timeout=THREAD_TIMEOUT)
        waited = []

        def bind_after_both(binder, bigcommerce_id, record, values=None):
            # The two racing jobs wait for each other; the retry does not.
            if binder.kind == "customer" and len(waited) < 2:
                waited.append(bigcommerce_id)
                both_made_one.wait()
            return bind(binder, bigcommerce_id, record, values)

        with (
            mock.patch.object(BigCommerceBinder, "lock", lambda *args: None),
            mock.patch.object(BigCommerceBinder, "bind", bind_after_both),
        ):
            outcomes, customer, order = self.race_order_and_customer()
        self.assertEqual(outcomes, ["imported", "retry later"])
        self.assert_one_partner(customer, order)

    def test_two_orders_of_one_new_customer_leave_one_partner(self):
        """Two workers import two orders of a customer Odoo does not know
        yet, at once: each creates the partner, the external ID's unique
        index keeps one, and the loser's job retries onto it. (The customer's
        advisory lock would keep the second out before it writes anything:
        it is taken away here, to prove the index.)"""
        customer = self.simulator.state.add_customer(
            first_name="Contended", last_name=RUN, email=f"contended-{RUN}@example.com"
        )
        first, second = (
            self.simulator.state.add_order(
                customer_id=customer["id"], lines=[{"sku": SKU, "quantity": 1}]
            )
            for _i in range(2)
        )
        partner_written = threading.Barrier(2, timeout=THREAD_TIMEOUT)
        bind = BigCommerceBinder.bind

        def bind_after_both_created_the_partner(
            binder, bigcommerce_id, record, values=None
        ):
            if record._name == "res.partner":
                partner_written.wait()
            return bind(binder, bigcommerce_id, record, values)

        with (
            mock.patch.object(BigCommerceBinder, "lock", lambda *args: None),
            mock.patch.object(
                BigCommerceBinder, "bind", bind_after_both_created_the_partner
            ),
        ):
            outcomes = self.race(first, second)
        self.assertEqual(outcomes, ["imported", "retry later"])
        # The job that lost runs again, as queue_job retries it.
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            imported = {
                b.bigcommerce_id
                for b in backend.order_ids
                if b.bigcommerce_id in (first["id"], second["id"])
            }
            for order in (first, second):
                if order["id"] not in imported:
                    import_order_job(backend, order["id"])
        self.assert_one_invoice(first)
        self.assert_one_invoice(second)
        with self.committed_env() as env:
            partners = (
                env["account.move"]
                .search([("ref", "in", [str(first["id"]), str(second["id"])])])
                .mapped("partner_id")
            )
            self.assertEqual(len(partners), 1)
            self.assertEqual(
                env["res.partner"].search_count(
                    [("email", "=", f"contended-{RUN}@example.com")]
                ),
                1,
            )
