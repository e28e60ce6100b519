# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A store's customers never take over what Odoo already holds: users',
companies' and other companies' partners are never linked, a linked
partner keeps its identity, and a deleted customer archives only what the
connector created. Text too long for a contact is cut, and said so."""

import random
import string
import uuid
from unittest import mock

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce import BigCommerceClient
from ..bigcommerce.customers import email_key
from ..components.binder import BigCommerceBinder
from ..components.customer_importer import CUSTOMER_KIND, GUEST_KIND, customer_binder
from .test_customers import CustomerCase

REAL_GET_CUSTOMER = BigCommerceClient.get_customer
REAL_GET_ORDER = BigCommerceClient.get_order
#: Text that does not compress: PostgreSQL's index on a partner's full name
#: refuses it (repeated letters would compress, and pass).
HUGE = "".join(random.Random(21).choices(string.ascii_letters, k=100_000))
IDENTITY = ("name", "company_name", "street", "city", "zip", "phone", "email")


def identity(partner):
    """What a partner is known by: its name, company, address and phone."""
    return {fname: partner[fname] for fname in IDENTITY} | {
        "country": partner.country_id.code,
        "active": partner.active,
    }


@tagged("post_install", "-at_install")
class TestCustomerLinking(CustomerCase):
    """With the store's setting *link*: whom a customer is linked to, and
    what becomes of that partner."""

    def setUp(self):
        super().setUp()
        self.backend.customer_email_match = "link"

    def give_identity(self, partner, email):
        """An address and phone of its own, and the e-mail the store's
        customer will register with."""
        partner.write(
            {
                "email": email,
                "street": "1 Own Street",
                "city": "Ownville",
                "zip": "11111",
                "phone": "555-0001",
            }
        )
        return identity(partner)

    def assert_not_taken_over(self, partner, before, customer):
        partner.invalidate_recordset()
        self.assertEqual(identity(partner), before)
        new = self.customer_binding(customer).partner_id
        self.assertTrue(new)
        self.assertNotEqual(new, partner, "never linked")
        self.assertEqual(new.name, "Carla Client")
        [note] = self.messages(new, "kept apart")
        self.assertIn(partner.name, note.body)
        self.assertIn("Odoo user or a company", note.body)

    def test_admin_email_in_any_case_never_links_the_admins_partner(self):
        admin = self.env.ref("base.user_admin").partner_id
        # Shared by the companies, so that it is looked at (a partner of
        # another company than the store's is not even considered).
        admin.company_id = False
        email = f"admin.{uuid.uuid4().hex[:6]}@example.com"
        before = self.give_identity(admin, email)
        customer = self.new_customer(email=email.upper())
        self.import_customer(customer)
        self.assert_not_taken_over(admin, before, customer)

    def test_partners_of_portal_and_archived_users_are_never_linked(self):
        for groups, archived in (
            ("base.group_portal", False),
            ("base.group_user", True),
            ("base.group_portal", True),
        ):
            with self.subTest(groups=groups, archived=archived):
                email = f"user.{uuid.uuid4().hex[:8]}@example.com"
                user = new_test_user(
                    self.env, login=email, groups=groups, name="Usha User"
                )
                user.active = not archived
                before = self.give_identity(user.partner_id, email)
                customer = self.new_customer(email=email)
                self.import_customer(customer)
                self.assert_not_taken_over(user.partner_id, before, customer)

    def test_company_email_never_links_a_companys_partner(self):
        other = self.env["res.company"].create({"name": "Sister Company"})
        for company in (self.backend.company_id, other):
            with self.subTest(company=company.name):
                email = f"accounts.{uuid.uuid4().hex[:8]}@example.com"
                before = self.give_identity(company.partner_id, email)
                customer = self.new_customer(email=email)
                self.import_customer(customer)
                self.assert_not_taken_over(company.partner_id, before, customer)

    def test_partner_of_another_company_is_never_linked(self):
        """Already so before linking was hardened (the search left such
        partners out); kept as the fourth rule."""
        other = self.env["res.company"].create({"name": "Other Books Ltd"})
        email = f"other.{uuid.uuid4().hex[:8]}@example.com"
        theirs = self.env["res.partner"].create(
            {"name": "Their Carla", "company_id": other.id}
        )
        before = self.give_identity(theirs, email)
        customer = self.new_customer(email=email)
        self.import_customer(customer)
        self.assertEqual(identity(theirs), before)
        self.assertNotEqual(self.customer_binding(customer).partner_id, theirs)

    def test_linked_partner_keeps_its_identity_the_store_data_is_its_contact(self):
        email = f"carla.{uuid.uuid4().hex[:8]}@example.com"
        existing = self.env["res.partner"].create(
            {"name": "Carla (from the CRM)", "company_name": "CRM Carla Ltd"}
        )
        before = self.give_identity(existing, email)
        customer = self.new_customer(email=email)
        self.import_customer(customer)
        binding = self.customer_binding(customer)
        self.assertEqual(binding.partner_id, existing, "linked")
        self.assertTrue(binding.partner_linked)
        self.assertEqual(identity(existing), before, "its identity is kept")
        # The store's data: the customer's contact, an invoice address.
        [contact] = self.contacts(existing, "invoice")
        self.assertEqual(
            (contact.name, contact.email, contact.phone, contact.street),
            ("Carla Client", email, "555-0199", "1 Billing Road"),
        )
        self.assertEqual(len(self.contacts(existing, "delivery")), 2)
        [note] = self.messages(existing, "Linked to BigCommerce customer")
        self.assertIn("stay as they are", note.body)
        # The store's updates change the contact, never the partner.
        self.simulator.state.update_customer(customer["id"], phone="555-0222")
        self.simulator.state.update_customer_address(
            customer["addresses"][0]["id"],
            last_name="Newname",
            address1="2 Billing Road",
        )
        self.import_customer(customer)
        self.assertEqual(identity(existing), before)
        self.assertEqual(
            (contact.name, contact.phone, contact.street),
            ("Carla Newname", "555-0222", "2 Billing Road"),
        )
        # Its invoices: to the linked partner.
        order = self.add_order(customer_id=customer["id"])
        with trap_jobs():
            self.import_order(order)
        self.assertEqual(self.binding(order).move_id.partner_id, existing)
        self.assertEqual(identity(existing), before)

    def test_linked_when_an_order_comes_first_keeps_its_identity(self):
        email = f"ola.{uuid.uuid4().hex[:8]}@example.com"
        existing = self.env["res.partner"].create({"name": "Ola (from the CRM)"})
        before = self.give_identity(existing, email)
        customer = self.new_customer(email=email)
        order = self.add_order(
            customer_id=customer["id"],
            billing_address={
                "first_name": "Ola",
                "last_name": "Order",
                "email": email,
                "street_1": "5 Order Street",
                "country_iso2": "US",
                "state": "Texas",
            },
        )
        with trap_jobs():
            self.import_order(order)
        self.assertEqual(self.binding(order).partner_id, existing)
        self.assertTrue(self.customer_binding(customer).partner_linked)
        self.import_customer(customer)
        self.assertEqual(self.customer_binding(customer).partner_id, existing)
        self.assertEqual(identity(existing), before)
        self.assertTrue(self.contacts(existing, "invoice"))

    def test_deleted_customer_never_archives_a_linked_partner(self):
        email = f"dora.{uuid.uuid4().hex[:8]}@example.com"
        existing = self.env["res.partner"].create({"name": "Dora (from the CRM)"})
        before = self.give_identity(existing, email)
        own_contact = self.env["res.partner"].create(
            {"name": "Dora's accountant", "parent_id": existing.id}
        )
        customer = self.new_customer(email=email)
        self.import_customer(customer)
        self.assertEqual(self.customer_binding(customer).partner_id, existing)
        self.simulator.state.delete_customer(customer["id"])
        result = self.import_customer(customer)
        self.assertIn("kept", result)
        self.assertEqual(identity(existing), before, "still active, unchanged")
        self.assertTrue(own_contact.active, "its own contacts are left alone")
        # What the store added under it is archived.
        store_contacts = self.all_contacts(existing) - own_contact
        self.assertEqual(len(store_contacts), 3)
        self.assertFalse(store_contacts.filtered("active"))
        self.assertTrue(self.customer_binding(customer).deleted_on_store)
        [note] = self.messages(existing, "was deleted on store")
        self.assertIn("stays active", note.body)
        # Told once.
        self.import_customer(customer)
        self.assertEqual(len(self.messages(existing, "was deleted on store")), 1)

    def test_deleted_customer_never_archives_a_contact_added_in_odoo(self):
        """A partner the connector made: archived with the contacts the
        store added, never with those an accountant added under it."""
        customer = self.new_customer()
        self.import_customer(customer)
        partner = self.customer_binding(customer).partner_id
        store_contacts = self.all_contacts(partner)
        self.assertEqual(len(store_contacts), 3)
        own_contact = self.env["res.partner"].create(
            {"name": "Carla's accountant", "parent_id": partner.id}
        )
        self.simulator.state.delete_customer(customer["id"])
        result = self.import_customer(customer)
        self.assertIn("archived", result)
        self.assertFalse(partner.active)
        self.assertFalse(store_contacts.filtered("active"))
        self.assertTrue(own_contact.active, "a contact added in Odoo stays")
        [note] = self.messages(partner, "was deleted on store")
        self.assertIn("3 contact(s) the store added", note.body)
        self.assertIn("Carla's accountant", note.body)

    def test_upgrade_marks_the_links_of_earlier_versions(self):
        """An earlier version linked customers by e-mail without recording
        it: the upgrade marks a partner older than its binding's external ID
        as linked (and says so on it), and neither a partner the connector
        made nor a guest's."""
        email = f"old.{uuid.uuid4().hex[:8]}@example.com"
        existing = self.env["res.partner"].create({"name": "Olga (from the CRM)"})
        before = self.give_identity(existing, email)
        linked = self.new_customer(email=email)
        customer_binder(self.backend).bind(linked["id"], existing, {"email": email})
        made = self.new_customer()
        self.import_customer(made)
        guest_email = f"guest.{uuid.uuid4().hex[:8]}@example.com"
        guest = self.env["res.partner"].create({"name": "Gus Guest"})
        BigCommerceBinder(self.backend, GUEST_KIND).bind(email_key(guest_email), guest)
        registered = self.new_customer(email=guest_email)
        customer_binder(self.backend).bind(
            registered["id"], guest, {"email": guest_email}
        )
        # The partners Odoo had, and the guest's, are older than the links
        # (this test runs in one transaction, where all are created at once).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '1 day' "
            "WHERE id IN %s",
            [(existing.id, guest.id)],
        )
        customers = self.env["bigcommerce.customer"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertFalse(customers.filtered("partner_linked"))

        marked = customers._adopt_linked_partners()

        self.assertEqual(marked, self.customer_binding(linked))
        self.assertTrue(self.customer_binding(linked).partner_linked)
        self.assertFalse(self.customer_binding(made).partner_linked)
        self.assertFalse(self.customer_binding(registered).partner_linked)
        self.assertTrue(self.messages(existing, "was in Odoo before it was linked"))
        # Again: nothing more.
        self.assertFalse(customers._adopt_linked_partners())
        # From now on the store's data never changes it, nor archives it.
        self.import_customer(linked)
        self.assertEqual(identity(existing), before)
        self.simulator.state.delete_customer(linked["id"])
        self.import_customer(linked)
        self.assertEqual(identity(existing), before)
        self.assertTrue(existing.active)

    def test_earlier_link_to_a_company_is_neither_changed_nor_archived(self):
        """A link an earlier version made to a company's partner (bound,
        without the mark of a link): the store's data never changes it, and
        the customer's deletion never archives it."""
        company_partner = self.backend.company_id.partner_id
        email = f"info.{uuid.uuid4().hex[:8]}@example.com"
        before = self.give_identity(company_partner, email)
        customer = self.new_customer(email=email)
        customer_binder(self.backend).bind(
            customer["id"], company_partner, {"email": email}
        )
        self.import_customer(customer)
        self.assertEqual(identity(company_partner), before)
        self.simulator.state.delete_customer(customer["id"])
        self.import_customer(customer)
        self.assertEqual(identity(company_partner), before)
        self.assertTrue(company_partner.active)


@tagged("post_install", "-at_install")
class TestCustomerLongText(CustomerCase):
    """Text longer than a contact holds, from a faulty answer of the store
    (BigCommerce's own limits are far below)."""

    def huge_customer(self, customer, **values):
        """``get_customer`` answering the store's customer with ``values``
        (and address ``values`` for its first address)."""
        address_values = values.pop("address", {})

        def get_customer(client, customer_id):
            answer = REAL_GET_CUSTOMER(client, customer_id)
            if answer and answer["id"] == customer["id"]:
                answer.update(values)
                answer["addresses"][0].update(address_values)
            return answer

        return mock.patch.object(BigCommerceClient, "get_customer", get_customer)

    def failure(self, customer):
        return self.env["bigcommerce.failure"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("record_type", "=", CUSTOMER_KIND),
                ("bigcommerce_id", "=", str(customer["id"])),
            ]
        )

    def test_huge_name_and_address_are_cut_and_said_so(self):
        customer = self.new_customer()
        with self.huge_customer(
            customer,
            first_name=HUGE,
            company=HUGE[:5_000],
            address={"address1": HUGE, "city": HUGE[:3_000]},
        ):
            result = self.import_customer(customer)
        self.assertNotIn("failed", result)
        self.assertFalse(self.failure(customer))
        partner = self.customer_binding(customer).partner_id
        self.assertEqual(partner.name, HUGE[:255])
        self.assertEqual(len(partner.company_name), 255)
        self.assertEqual((len(partner.street), len(partner.city)), (255, 255))
        [billing] = self.contacts(partner, "invoice")
        self.assertEqual(len(billing.street), 255)
        [note] = self.messages(partner, "was cut")
        self.assertIn("100,000", note.body)
        self.assertIn("address #", note.body)
        # Imported again unchanged: not told twice.
        with self.huge_customer(
            customer,
            first_name=HUGE,
            company=HUGE[:5_000],
            address={"address1": HUGE, "city": HUGE[:3_000]},
        ):
            self.import_customer(customer)
        self.assertEqual(len(self.messages(partner, "was cut")), 1)

    def test_email_too_long_to_be_one_is_a_clear_failure(self):
        customer = self.new_customer()
        with (
            self.huge_customer(customer, email="a" * 300 + "@example.com"),
            mute_logger("odoo.addons.bigcommerce_connector.components"),
        ):
            result = self.import_customer(customer)
        self.assertIn("failed", result)
        failure = self.failure(customer)
        self.assertIn("312 characters", failure.reason)
        self.assertIn("at most 254", failure.reason)
        self.assertFalse(self.customer_binding(customer).partner_id)

    def test_guest_order_with_a_huge_billing_name_is_invoiced(self):
        order = self.add_order(customer_id=0)

        def get_order(client, order_id):
            answer = REAL_GET_ORDER(client, order_id)
            answer["billing_address"].update(first_name=HUGE, street_1=HUGE)
            return answer

        with (
            mock.patch.object(BigCommerceClient, "get_order", get_order),
            trap_jobs(),
        ):
            result = self.import_order(order)
        self.assertNotIn("failed", result)
        partner = self.binding(order).move_id.partner_id
        self.assertEqual((len(partner.name), len(partner.street)), (255, 255))
        # Said on the guest's contact, once.
        [note] = self.messages(partner, "was cut")
        self.assertIn(f"BigCommerce order #{order['id']}", note.body)
        self.assertIn("100,000", note.body)
