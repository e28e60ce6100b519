# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Customers become partners: upsert, address book, e-mail matching,
deletion, guests who register, and the catch-up."""

import uuid
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..components.binder import XMLID_MODULE
from .common import BigCommerceAccountingCase


class CustomerCase(BigCommerceAccountingCase):
    """The store, its customers, and what Odoo made of them."""

    def new_customer(self, **values):
        """A customer of the simulated store with an e-mail of its own."""
        values.setdefault("first_name", "Carla")
        values.setdefault("last_name", "Client")
        values.setdefault("email", f"carla.{uuid.uuid4().hex[:8]}@example.com")
        values.setdefault("company", "Client & Co")
        values.setdefault("phone", "555-0199")
        values.setdefault(
            "addresses",
            [
                {
                    "address1": "1 Billing Road",
                    "city": "Austin",
                    "state_or_province": "Texas",
                    "postal_code": "78701",
                    "country_code": "US",
                },
                {
                    "first_name": "Dock",
                    "last_name": "Receiver",
                    "address1": "9 Warehouse Lane",
                    "city": "Leeds",
                    "state_or_province": "",
                    "postal_code": "LS1 1AA",
                    "country_code": "GB",
                },
            ],
        )
        return self.simulator.state.add_customer(**values)

    def customer_binding(self, customer):
        return self.env["bigcommerce.customer"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", customer["id"]),
            ]
        )

    def import_customer(self, customer):
        with trap_jobs():
            return self.backend._import_customer(customer["id"])

    def partners_with(self, email):
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("email", "=ilike", email), ("parent_id", "=", False)])
        )

    def all_contacts(self, partner):
        """The partner's contacts, archived ones included (``child_ids``
        leaves those out)."""
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("parent_id", "=", partner.id)], order="id")
        )

    def contacts(self, partner, contact_type):
        return self.all_contacts(partner).filtered(
            lambda c: c.type == contact_type and c.active
        )

    def messages(self, record, text):
        return record.message_ids.filtered(lambda m: text in (m.body or ""))


@tagged("post_install", "-at_install")
class TestCustomers(CustomerCase):
    # -- upsert --------------------------------------------------------------
    def test_customer_becomes_a_partner_with_its_contacts(self):
        customer = self.new_customer()
        result = self.import_customer(customer)
        binding = self.customer_binding(customer)
        partner = binding.partner_id
        self.assertIn("Carla Client", result)
        self.assertEqual(binding.sync_state, "done")
        self.assertEqual(partner.name, "Carla Client")
        self.assertEqual(partner.email, customer["email"])
        self.assertEqual(partner.phone, "555-0199")
        self.assertEqual(partner.company_name, "Client & Co")
        self.assertEqual(partner.customer_rank, 1)
        self.assertEqual(
            (partner.country_id.code, partner.state_id.name), ("US", "Texas")
        )
        [billing] = self.contacts(partner, "invoice")
        self.assertEqual(billing.street, "1 Billing Road")
        self.assertEqual(billing.state_id.code, "TX")
        delivery = self.contacts(partner, "delivery")
        self.assertEqual(
            delivery.mapped("street"), ["1 Billing Road", "9 Warehouse Lane"]
        )
        self.assertEqual(delivery[1].name, "Dock Receiver")
        self.assertEqual(delivery[1].country_id.code, "GB")
        self.assertFalse(delivery[1].state_id)
        # Its external ID, as for every record from the store.
        self.assertEqual(
            partner.get_external_id()[partner.id],
            f"{XMLID_MODULE}.backend{self.backend.id}_customer_{customer['id']}",
        )

    def test_update_changes_the_same_partner_and_its_address_book(self):
        customer = self.new_customer()
        self.import_customer(customer)
        partner = self.customer_binding(customer).partner_id
        first, second = customer["addresses"]
        state = self.simulator.state
        state.update_customer(customer["id"], phone="555-0200", last_name="Newname")
        state.update_customer_address(first["id"], address1="2 Billing Road")
        state.delete_customer_address(second["id"])
        state.add_customer_address(
            customer["id"],
            address1="5 Rue Neuve",
            city="Paris",
            country_code="FR",
            state_or_province="",
            postal_code="75001",
        )
        self.import_customer(customer)
        binding = self.customer_binding(customer)
        self.assertEqual(binding.partner_id, partner, "the same partner")
        self.assertEqual(len(self.partners_with(customer["email"])), 1)
        self.assertEqual(partner.name, "Carla Newname")
        self.assertEqual(partner.phone, "555-0200")
        self.assertEqual(partner.street, "2 Billing Road")
        [billing] = self.contacts(partner, "invoice")
        self.assertEqual(billing.street, "2 Billing Road")
        self.assertEqual(
            self.contacts(partner, "delivery").mapped("street"),
            ["2 Billing Road", "5 Rue Neuve"],
        )
        gone = self.all_contacts(partner).filtered(
            lambda c: c.street == "9 Warehouse Lane"
        )
        self.assertTrue(gone and not gone.active, "a removed address is archived")
        [note] = self.messages(partner, "Updated from BigCommerce customer")
        self.assertIn("removed", note.body)
        # Nothing changed since: a third import tells nothing.
        self.import_customer(customer)
        self.assertEqual(len(self.messages(partner, "Updated from BigCommerce")), 1)

    def test_deleted_customer_is_archived_not_deleted(self):
        customer = self.new_customer()
        self.import_customer(customer)
        partner = self.customer_binding(customer).partner_id
        self.simulator.state.delete_customer(customer["id"])
        result = self.import_customer(customer)
        self.assertIn("archived", result)
        self.assertTrue(partner.exists())
        self.assertFalse(partner.active)
        self.assertEqual(len(self.all_contacts(partner)), 3)
        self.assertFalse(self.all_contacts(partner).filtered("active"))
        binding = self.customer_binding(customer)
        self.assertTrue(binding.deleted_on_store)
        self.assertEqual(binding.partner_id, partner)
        self.assertTrue(self.messages(partner, "was deleted on store"))

    def test_customer_unknown_to_store_and_odoo_is_skipped(self):
        result = self.backend._import_customer(987654)
        self.assertIn("nothing to archive", result)
        self.assertFalse(
            self.env["bigcommerce.customer"].search([("bigcommerce_id", "=", 987654)])
        )

    # -- e-mail matching -----------------------------------------------------
    def test_same_email_kept_apart_by_default(self):
        customer = self.new_customer()
        existing = self.env["res.partner"].create(
            {"name": "Carla (from the CRM)", "email": customer["email"].upper()}
        )
        self.assertEqual(self.backend.customer_email_match, "separate")
        self.import_customer(customer)
        partner = self.customer_binding(customer).partner_id
        self.assertNotEqual(partner, existing)
        self.assertEqual(existing.name, "Carla (from the CRM)", "left untouched")
        [note] = self.messages(partner, "kept apart")
        self.assertIn("Carla (from the CRM)", note.body)

    def test_same_email_linked_when_the_store_says_so(self):
        self.backend.customer_email_match = "link"
        customer = self.new_customer()
        existing = self.env["res.partner"].create(
            {"name": "Carla (from the CRM)", "email": customer["email"]}
        )
        self.import_customer(customer)
        self.assertEqual(self.customer_binding(customer).partner_id, existing)
        self.assertEqual(existing.name, "Carla (from the CRM)", "never renamed")
        self.assertEqual(len(self.partners_with(customer["email"])), 1)
        self.assertTrue(self.messages(existing, "Linked to BigCommerce customer"))

    def test_link_never_guesses_between_several_partners(self):
        self.backend.customer_email_match = "link"
        customer = self.new_customer()
        both = self.env["res.partner"].create(
            [
                {"name": "Carla one", "email": customer["email"]},
                {"name": "Carla two", "email": customer["email"]},
            ]
        )
        self.import_customer(customer)
        partner = self.customer_binding(customer).partner_id
        self.assertNotIn(partner, both)
        self.assertTrue(self.messages(partner, "several partners have it"))

    # -- guests, orders and customers: one partner ----------------------------
    def test_guest_who_registers_keeps_the_guest_partner(self):
        email = f"gus.{uuid.uuid4().hex[:8]}@example.com"
        order = self.add_order(
            customer_id=0,
            billing_address={
                "first_name": "Gus",
                "last_name": "Guest",
                "email": email,
                "country_iso2": "US",
                "state": "Texas",
            },
        )
        with trap_jobs():
            self.import_order(order)
        guest_partner = self.binding(order).partner_id
        customer = self.new_customer(first_name="Gus", last_name="Guest", email=email)
        self.import_customer(customer)
        self.assertEqual(self.customer_binding(customer).partner_id, guest_partner)
        self.assertEqual(len(self.partners_with(email)), 1)
        self.assertTrue(self.messages(guest_partner, "This guest registered"))
        # The customer's next order, and a guest order with the e-mail: the
        # same partner.
        with trap_jobs():
            registered = self.add_order(customer_id=customer["id"])
            self.import_order(registered)
        self.assertEqual(self.binding(registered).partner_id, guest_partner)

    def test_order_first_then_customer_gives_one_partner(self):
        customer = self.new_customer()
        order = self.add_order(customer_id=customer["id"])
        with trap_jobs() as trap:
            self.import_order(order)
            [job] = [
                j for j in trap.enqueued_jobs if j.method_name == "_import_customer"
            ]
            self.assertEqual(job.args, (customer["id"],))
        partner = self.binding(order).partner_id
        self.assertEqual(self.customer_binding(customer).partner_id, partner)
        self.import_customer(customer)
        self.assertEqual(self.customer_binding(customer).partner_id, partner)
        self.assertEqual(len(self.partners_with(customer["email"])), 1)
        self.assertEqual(len(self.contacts(partner, "delivery")), 2)
        self.assertEqual(self.binding(order).move_id.partner_id, partner)

    def test_customer_first_then_order_uses_its_partner(self):
        customer = self.new_customer()
        self.import_customer(customer)
        partner = self.customer_binding(customer).partner_id
        order = self.add_order(customer_id=customer["id"])
        with trap_jobs() as trap:
            self.import_order(order)
            self.assertFalse(
                [j for j in trap.enqueued_jobs if j.method_name == "_import_customer"]
            )
        self.assertEqual(self.binding(order).partner_id, partner)
        self.assertEqual(len(self.partners_with(customer["email"])), 1)

    def test_external_id_of_earlier_versions_still_finds_the_partner(self):
        """Before customers had a binding, their partner was marked by its
        external ID only: that partner stays the customer's."""
        customer = self.new_customer()
        old = self.env["res.partner"].create({"name": "Carla (old import)"})
        self.env["ir.model.data"].create(
            {
                "module": XMLID_MODULE,
                "name": f"backend{self.backend.id}_customer_{customer['id']}",
                "model": "res.partner",
                "res_id": old.id,
                "noupdate": True,
            }
        )
        order = self.add_order(customer_id=customer["id"])
        with trap_jobs():
            self.import_order(order)
        self.assertEqual(self.binding(order).partner_id, old)
        self.assertEqual(self.customer_binding(customer).partner_id, old)
        self.import_customer(customer)
        self.assertEqual(self.customer_binding(customer).partner_id, old)
        self.assertEqual(old.name, "Carla Client")

    def test_upgrade_binds_the_partners_of_earlier_versions(self):
        customer = self.new_customer()
        old = self.env["res.partner"].create({"name": "Carla (old import)"})
        # A mark left by a partner deleted since (by SQL, or an old bug).
        missing = self.env["res.partner"].search([], order="id desc", limit=1).id + 99
        for customer_id, partner_id in ((customer["id"], old.id), (99999, missing)):
            self.env["ir.model.data"].create(
                {
                    "module": XMLID_MODULE,
                    "name": f"backend{self.backend.id}_customer_{customer_id}",
                    "model": "res.partner",
                    "res_id": partner_id,
                    "noupdate": True,
                }
            )
        self.backend._adopt_customer_external_ids()
        binding = self.customer_binding(customer)
        self.assertEqual(binding.partner_id, old)
        self.assertFalse(
            self.env["bigcommerce.customer"].search([("bigcommerce_id", "=", 99999)])
        )
        # Again: nothing more.
        self.backend._adopt_customer_external_ids()
        self.assertEqual(len(self.customer_binding(customer)), 1)

    # -- the catch-up --------------------------------------------------------
    def test_catch_up_recovers_missed_customers_without_duplicates(self):
        self.backend.customers_modified_since = fields.Datetime.now() - timedelta(
            hours=1
        )
        missed = [self.new_customer() for _ in range(3)]
        in_store = set(self.simulator.state.customers)
        with trap_jobs() as trap:
            result = self.backend._catch_up_customers()
            queued = {
                job.args[0]
                for job in trap.enqueued_jobs
                if job.method_name == "_import_customer"
            }
            self.assertEqual(queued, in_store)
            self.assertIn(f"{len(in_store)} customer(s) queued", result)
            trap.perform_enqueued_jobs()
        for customer in missed:
            self.assertEqual(len(self.partners_with(customer["email"])), 1)
            self.assertEqual(self.customer_binding(customer).sync_state, "done")
        # A webhook that arrives late, and the next catch-up: nothing new.
        self.import_customer(missed[0])
        self.backend.customers_modified_since -= timedelta(hours=1)
        with trap_jobs() as trap:
            self.backend._catch_up_customers()
            self.assertFalse(trap.enqueued_jobs)
        # One address changed: only that customer is queued again.
        address = missed[1]["addresses"][0]
        self.simulator.state.update_customer_address(address["id"], city="Dallas")
        self.backend.customers_modified_since -= timedelta(hours=1)
        with trap_jobs() as trap:
            self.backend._catch_up_customers()
            self.assertEqual(
                [job.args[0] for job in trap.enqueued_jobs], [missed[1]["id"]]
            )
            trap.perform_enqueued_jobs()
        partner = self.customer_binding(missed[1]).partner_id
        self.assertEqual(partner.city, "Dallas")
        self.assertEqual(len(self.partners_with(missed[1]["email"])), 1)

    def test_scheduler_queues_the_customer_catch_up(self):
        with trap_jobs() as trap:
            self.env["bigcommerce.backend"]._scheduler_catch_up_orders()
            methods = [
                job.method_name
                for job in trap.enqueued_jobs
                if job.recordset == self.backend
            ]
        self.assertEqual(
            sorted(methods),
            ["_catch_up_customers", "_catch_up_orders", "_catch_up_refunds"],
        )
        self.backend.catch_up_orders = False
        with trap_jobs() as trap:
            self.env["bigcommerce.backend"]._scheduler_catch_up_orders()
            methods = [
                job.method_name
                for job in trap.enqueued_jobs
                if job.recordset == self.backend
            ]
        self.assertEqual(methods, ["_catch_up_customers"])
