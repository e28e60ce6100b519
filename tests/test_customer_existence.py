# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer catch-up asks the store whether the customers it has
partners for still exist, each about once a week, 250 a call, and archives
those deleted while their webhook was lost, as that webhook would."""

import math
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..components import kinds
from ..components.batch_importer import CustomerCatchUp
from .test_customers import CustomerCase

LONG_AGO = fields.Datetime.now() - timedelta(days=30)


@tagged("post_install", "-at_install")
class TestCustomerExistenceCheck(CustomerCase):
    def setUp(self):
        super().setUp()
        # The simulated store outlives a test: the customers earlier tests
        # made (and Odoo forgot at their rollback) were modified long ago
        # too, or one modified in this second would be listed, imported, and
        # counted in the store's customers to check.
        state = self.simulator.state
        with state.lock:
            for customer in state.customers.values():
                customer["date_modified"] = state._at(LONG_AGO)
        # The catch-up's listing of modified customers starts now: it finds
        # none (the customers here were modified long ago), only the check
        # asks for them.
        self.backend.write(
            {
                "customers_modified_since": fields.Datetime.now(),
                "catch_up_overlap_minutes": 0,
            }
        )

    def bound_customers(self, count):
        """``count`` customers of the store, imported as partners."""
        customers = [self.new_customer(date_created=LONG_AGO) for _ in range(count)]
        for customer in customers:
            self.import_customer(customer)
        return customers

    def existence_checks(self, since):
        """The ids each existence check asked for (``id:in`` without
        ``include``: an import asks for one customer with its addresses)."""
        return [
            [int(i) for i in request["query"]["id:in"].split(",")]
            for request in self.simulator.requests[since:]
            if request["path"].endswith("/v3/customers")
            and "id:in" in request["query"]
            and "include" not in request["query"]
        ]

    def catch_up(self):
        """Run the customer catch-up and the imports it queues; returns its
        sentence and the ids it checked, call by call."""
        since = len(self.simulator.requests)
        with trap_jobs() as trap:
            result = self.backend._catch_up_customers()
            trap.perform_enqueued_jobs()
        return result, self.existence_checks(since)

    def test_customer_deleted_without_webhook_is_archived_by_the_catch_up(self):
        customers = self.bound_customers(8)
        gone, kept = customers[0], customers[1]
        # Deleted on the store; its webhook never arrives.
        self.simulator.state.delete_customer(gone["id"])
        result, checks = self.catch_up()
        # A seventh of the 8 customers (rounded up) today: the first two.
        self.assertEqual(checks, [[gone["id"], kept["id"]]])
        self.assertIn("2 checked on the store, 1 of them gone", result)
        binding = self.customer_binding(gone)
        self.assertTrue(binding.deleted_on_store)
        self.assertFalse(binding.partner_id.active)
        # Archived as the deletion webhook archives it.
        self.assertTrue(self.messages(binding.partner_id, "was deleted on store"))
        binding = self.customer_binding(kept)
        self.assertFalse(binding.deleted_on_store)
        self.assertTrue(binding.partner_id.active)
        self.assertTrue(binding.existence_checked_at)
        for customer in customers[2:]:
            self.assertFalse(self.customer_binding(customer).existence_checked_at)

    def test_each_customer_is_checked_once_a_week(self):
        customers = self.bound_customers(14)
        ids = [customer["id"] for customer in customers]
        share = math.ceil(len(ids) / 7)
        week = []
        for _day in range(7):
            _result, checks = self.catch_up()
            self.assertEqual(len(checks), 1)
            self.assertEqual(len(checks[0]), share)
            week += checks[0]
            # Later the same day: nothing more to check, no call.
            self.assertEqual(self.catch_up()[1], [])
            self.pass_a_day(customers)
        # Oldest first: in a week, each customer once, in order.
        self.assertEqual(week, ids)
        # The eighth day starts again with those checked on the first.
        self.assertEqual(self.catch_up()[1], [ids[:share]])
        for customer in customers:
            self.assertTrue(self.customer_binding(customer).partner_id.active)

    def pass_a_day(self, customers):
        """The checks so far were a day earlier."""
        for customer in customers:
            binding = self.customer_binding(customer).sudo()
            if binding.existence_checked_at:
                binding.existence_checked_at -= timedelta(days=1)

    def test_existence_is_asked_250_customers_a_call(self):
        count = 260
        customers = [
            self.simulator.state.add_customer(
                first_name="Bulk",
                last_name=str(i),
                email=f"bulk.{i}.{self.backend.id}@example.com",
                date_created=LONG_AGO,
            )
            for i in range(count)
        ]
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {i}"} for i in range(count)]
        )
        binder = kinds.binder(self.backend, "customer")
        bindings = self.env["bigcommerce.customer"]
        for customer, partner in zip(customers, partners, strict=True):
            bindings |= binder.bind(customer["id"], partner, {"sync_state": "done"})
        # One deleted in each call's share.
        deleted = [customers[3]["id"], customers[255]["id"]]
        for customer_id in deleted:
            self.simulator.state.delete_customer(customer_id)
        since = len(self.simulator.requests)
        check = CustomerCatchUp(self.backend)
        check.client = self.backend._get_client()
        self.assertEqual(check._gone(bindings), deleted)
        checks = self.existence_checks(since)
        self.assertEqual(len(checks), math.ceil(count / 250))
        self.assertEqual([len(ids) for ids in checks], [250, 10])
        self.assertEqual(
            sorted(i for ids in checks for i in ids),
            sorted(customer["id"] for customer in customers),
        )
        self.assertTrue(all(bindings.mapped("existence_checked_at")))
