# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Customer and shipment webhooks, from the simulator to Odoo's real HTTP
server, through the job queue."""

import json
import time
import uuid

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BigCommerceAccountingHttpCase
from .simulator import webhooks

CONTROLLER_LOGGER = "odoo.addons.bigcommerce_connector.controllers.main"


@tagged("post_install", "-at_install")
class TestCustomerWebhooks(BigCommerceAccountingHttpCase):
    def post(self, scope, data):
        """The callback BigCommerce would send (checked against the webhooks
        spec), signed by the simulator, posted to Odoo's HTTP server."""
        payload = self.simulator.webhook_payload(scope, data)
        self.assertEqual(self.simulator.validator.validate_callback(scope, payload), [])
        body = json.dumps(payload).encode()
        headers = self.simulator.sign_webhook(
            body, webhooks.new_webhook_id(), int(time.time())
        )
        headers["Content-Type"] = "application/json"
        with mute_logger(CONTROLLER_LOGGER):
            return self.url_open(
                f"/bigcommerce/webhook/{self.backend.webhook_key}",
                data=body,
                headers=headers,
            )

    def deliver(self, scope, data):
        response = self.post(scope, data)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["status"]

    def jobs(self, method):
        """The pending jobs of ``method``."""
        return self.connector_jobs(method, states=("pending",))

    def new_customer(self):
        return self.simulator.state.add_customer(
            first_name="Hana",
            last_name="Hook",
            email=f"hana.{uuid.uuid4().hex[:8]}@example.com",
            addresses=[{"country_code": "US", "state_or_province": "Texas"}],
        )

    def partners_with(self, email):
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("email", "=ilike", email), ("parent_id", "=", False)])
        )

    def test_customer_webhook_after_an_order_of_the_same_customer(self):
        customer = self.new_customer()
        order = self.add_order(customer_id=customer["id"])
        self.deliver("store/order/created", webhooks.order_data(order["id"]))
        self.run_jobs("_import_order")
        partner = self.binding(order).partner_id
        self.assertTrue(partner)
        # The store tells of the customer afterwards (and the order import
        # queued its import too: the two collapse into one job).
        self.simulator.state.update_customer(customer["id"], phone="555-0300")
        self.assertIn(
            "queued",
            self.deliver(
                "store/customer/updated", webhooks.customer_data(customer["id"])
            ),
        )
        self.assertEqual(len(self.jobs("_import_customer")), 1)
        self.run_jobs("_import_customer")
        binding = self.env["bigcommerce.customer"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", customer["id"]),
            ]
        )
        self.assertEqual(binding.partner_id, partner)
        self.assertEqual(partner.phone, "555-0300")
        self.assertEqual(len(self.partners_with(customer["email"])), 1)

    def test_address_webhooks_and_deletion(self):
        customer = self.new_customer()
        self.deliver("store/customer/created", webhooks.customer_data(customer["id"]))
        self.run_jobs("_import_customer")
        partner = self.partners_with(customer["email"])
        self.assertEqual(len(partner), 1)
        address = self.simulator.state.add_customer_address(
            customer["id"], address1="77 Dock Street", city="Houston"
        )
        self.deliver(
            "store/customer/address/created",
            webhooks.customer_address_data(address["id"], customer["id"]),
        )
        self.run_jobs("_import_customer")
        self.assertIn(
            "77 Dock Street",
            partner.child_ids.filtered(lambda c: c.type == "delivery").mapped("street"),
        )
        self.simulator.state.delete_customer(customer["id"])
        self.deliver("store/customer/deleted", webhooks.customer_data(customer["id"]))
        self.run_jobs("_import_customer")
        self.assertFalse(partner.active)
        self.assertTrue(partner.exists())

    def test_shipment_webhook_updates_the_order(self):
        order = self.add_order()
        self.deliver("store/order/created", webhooks.order_data(order["id"]))
        self.run_jobs("_import_order")
        line = self.simulator.state.order_products(order["id"])[0]
        shipment = self.simulator.state.add_shipment(
            order["id"],
            [{"order_product_id": line["id"], "quantity": 1}],
            tracking_number="TRK1",
            tracking_carrier="fedex",
        )
        self.deliver(
            "store/shipment/created",
            webhooks.shipment_data(shipment["id"], order["id"]),
        )
        self.run_jobs("_import_shipments")
        record = self.binding(order)
        self.assertEqual(record.shipment_ids.tracking_number, "TRK1")
        self.assertTrue(
            record.move_id.message_ids.filtered(lambda m: "TRK1" in (m.body or ""))
        )

    def test_handled_scope_without_its_id_is_refused(self):
        for scope, data in (
            ("store/shipment/created", {"type": "shipment", "id": 12}),
            ("store/customer/address/updated", {"type": "customer", "id": 60}),
            ("store/customer/deleted", {"type": "customer", "id": "32"}),
        ):
            with self.subTest(scope=scope):
                payload = self.simulator.webhook_payload(scope, data)
                body = json.dumps(payload).encode()
                headers = self.simulator.sign_webhook(
                    body, webhooks.new_webhook_id(), int(time.time())
                )
                headers["Content-Type"] = "application/json"
                with mute_logger(CONTROLLER_LOGGER):
                    response = self.url_open(
                        f"/bigcommerce/webhook/{self.backend.webhook_key}",
                        data=body,
                        headers=headers,
                    )
                self.assertEqual(response.status_code, 400)
        self.assertFalse(self.jobs("_import_customer") | self.jobs("_import_shipments"))

    def test_deleted_customer_with_the_companys_email_never_archives_it(self):
        """Storefront sign-up is open and its e-mails are unverified: a
        customer registering with the company's e-mail, on a store set to
        link, neither renames the company nor archives it when deleted."""
        self.backend.customer_email_match = "link"
        company = self.backend.company_id.partner_id
        email = f"invoices.{uuid.uuid4().hex[:8]}@example.com"
        company.write({"email": email, "street": "1 Company Square"})
        name = company.name
        customer = self.simulator.state.add_customer(
            first_name="Mallory",
            last_name="Takeover",
            email=email.upper(),
            addresses=[
                {
                    "address1": "66 Elsewhere",
                    "country_code": "US",
                    "state_or_province": "Texas",
                }
            ],
        )
        self.deliver("store/customer/created", webhooks.customer_data(customer["id"]))
        self.run_jobs("_import_customer")
        self.simulator.state.delete_customer(customer["id"])
        self.deliver("store/customer/deleted", webhooks.customer_data(customer["id"]))
        self.run_jobs("_import_customer")
        company.invalidate_recordset()
        self.assertTrue(company.active)
        self.assertEqual((company.name, company.street), (name, "1 Company Square"))
        binding = self.env["bigcommerce.customer"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", customer["id"]),
            ]
        )
        self.assertNotEqual(binding.partner_id, company)
        self.assertFalse(binding.partner_id.active, "its own partner is archived")
