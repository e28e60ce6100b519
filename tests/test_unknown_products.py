# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order lines whose SKU no Odoo product has, a variant's by its own SKU:
the store's Unknown Products setting (hold the order, create the product
from the order line, or book it on a fallback product), at no API call
beyond the order's."""

import uuid

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..components.binder import XMLID_MODULE
from ..components.products import CREATED_PRODUCT_KIND, sku_key
from .common import (
    BigCommerceAccountingCase,
    CommittedStoreMixin,
    SimulatorMixin,
    import_order_job,
    import_refund_job,
)

IMPORT_LOGGER = "odoo.addons.bigcommerce_connector.components.importer"


@tagged("post_install", "-at_install")
class TestUnknownProducts(BigCommerceAccountingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        state = cls.simulator.state
        # On the store: a hoodie Odoo knows by its product's SKU only (not
        # its variants'), and a lamp and a desk Odoo does not know at all.
        state.add_product(sku="HOODIE", name="Hoodie", price="40.00", tax_rate="0.0825")
        state.add_product(
            sku="LAMP", name="Desk lamp", price="25.00", tax_rate="0.0825"
        )
        state.add_product(sku="DESK", name="Desk", price="120.00", tax_rate="0.0825")
        cls.product_hoodie = cls._create_product(
            name="Hoodie", default_code="HOODIE", lst_price=40.0
        )
        cls.account_created = cls.env["account.account"].create(
            {
                "code": "701000",
                "name": "Web shop new products",
                "account_type": "income",
            }
        )
        cls.category = cls.env["product.category"].create(
            {
                "name": "From BigCommerce",
                "property_account_income_categ_id": cls.account_created.id,
            }
        )
        cls.account_unknown = cls.env["account.account"].create(
            {"code": "701100", "name": "Unidentified sales", "account_type": "income"}
        )
        cls.product_fallback = cls._create_product(
            name="Unidentified item",
            default_code="UNKNOWN",
            lst_price=0.0,
            property_account_income_id=cls.account_unknown.id,
        )

    # -- helpers ---------------------------------------------------------------
    def paths_while(self, action):
        """The paths of the API requests ``action`` makes."""
        before = len(self.simulator.requests)
        action()
        return [r["path"] for r in self.simulator.requests[before:]]

    def order_path(self, order):
        return f"/stores/teststore1/v2/orders/{order['id']}"

    def products_with_sku(self, sku):
        return (
            self.env["product.product"]
            .with_context(active_test=False)
            .search([("default_code", "=", sku)])
        )

    def product_lines(self, move):
        return move.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )

    def set_policy(self, policy, **values):
        self.backend.write(dict(values, unknown_product_policy=policy))

    def refund_line(self, order, index=0):
        """Refund line ``index`` of ``order`` whole; returns the credit note."""
        line = self.simulator.state.order_record(order["id"]).products[index]
        refund = self.simulator.state.add_refund(
            order["id"],
            [
                {
                    "item_type": "PRODUCT",
                    "item_id": line["id"],
                    "quantity": line["quantity"],
                }
            ],
        )
        result = import_refund_job(self.backend, refund["id"], order["id"])
        credit_note = (
            self.env["bigcommerce.refund"]
            .search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", refund["id"]),
                ]
            )
            .move_id
        )
        self.assertTrue(credit_note, result)
        return credit_note

    # -- API calls -------------------------------------------------------------
    def test_an_order_of_known_skus_costs_one_call_whatever_the_setting(self):
        for policy, values in (
            ("hold", {}),
            ("create", {"created_product_categ_id": self.category.id}),
            ("fallback", {"fallback_product_id": self.product_fallback.id}),
        ):
            self.set_policy(policy, **values)
            order = self.add_order(
                lines=[
                    {"sku": "MUG-BLK", "quantity": 1},
                    {"sku": "TEE", "variant_sku": "TEE-RED-M", "quantity": 1},
                ]
            )
            paths = self.paths_while(
                lambda order=order: self.import_order(order, origin="webhook")
            )
            self.assertEqual(paths, [self.order_path(order)], policy)

    def test_an_unknown_variant_costs_only_the_order_call_whatever_the_setting(self):
        """A variant whose own SKU Odoo lacks is never looked up in the
        catalog (nor booked on its product's SKU, which Odoo has): each
        setting acts on the variant's own SKU, from the order alone."""
        for policy, values, expect in (
            ("hold", {}, "failed"),
            ("create", {"created_product_categ_id": self.category.id}, "invoiced"),
            ("fallback", {"fallback_product_id": self.product_fallback.id}, "invoiced"),
        ):
            self.set_policy(policy, **values)
            variant = f"HOODIE-{policy.upper()}"
            order = self.add_order(
                lines=[{"sku": "HOODIE", "variant_sku": variant, "quantity": 2}]
            )
            with mute_logger(IMPORT_LOGGER):
                paths = self.paths_while(
                    lambda order=order, expect=expect: self.import_order(
                        order, expect=expect, origin="webhook"
                    )
                )
            # The order's call, no catalog request.
            self.assertEqual(paths, [self.order_path(order)], policy)
            if policy == "hold":
                reason = self.failure(order).reason
                self.assertIn(f"Unknown SKU '{variant}' (line 'Hoodie')", reason)
                self.assertFalse(self.products_with_sku(variant))
                continue
            move = self.binding(order).move_id
            self.assert_matches_store(move, order)
            line = self.product_lines(move)
            self.assertNotEqual(line.product_id, self.product_hoodie, policy)
            if policy == "create":
                self.assertEqual(line.product_id, self.products_with_sku(variant))
                self.assertEqual(line.name, "Hoodie")
            else:
                self.assertEqual(line.product_id, self.product_fallback)
                self.assertEqual(line.name, f"[{variant}] Hoodie")

    # -- hold (the default) ------------------------------------------------------
    def test_an_unknown_sku_holds_the_order_by_default(self):
        self.assertEqual(self.backend.unknown_product_policy, "hold")
        order = self.add_order(lines=[{"sku": "LAMP", "quantity": 1}])
        with mute_logger(IMPORT_LOGGER):
            self.import_order(order, expect="failed")
        reason = self.failure(order).reason
        self.assertIn(
            "Unknown SKU 'LAMP' (line 'Desk lamp'): no product has this internal "
            "reference.",
            reason,
        )
        self.assertIn("Unknown Products", reason)
        self.assertFalse(self.products_with_sku("LAMP"))

    # -- create the product ------------------------------------------------------
    def test_create_makes_the_product_from_the_order_line_on_its_category(self):
        """Name and SKU of the line, its unit price ex tax as list price (the
        store is tax-inclusive: 21.65 with 8.25% is 20.00 ex tax; the
        catalog's 25.00 is not read)."""
        self.set_policy("create", created_product_categ_id=self.category.id)
        order = self.add_order(
            lines=[{"sku": "LAMP", "quantity": 3, "price": "21.65"}],
            tax_inclusive=True,
        )
        self.import_order(order)
        product = self.products_with_sku("LAMP")
        self.assertEqual(len(product), 1)
        self.assertEqual(
            (product.name, product.list_price, product.categ_id, product.type),
            ("Desk lamp", 20.0, self.category, "consu"),
        )
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)
        line = self.product_lines(move)
        self.assertEqual(line.product_id, product)
        self.assertEqual(line.account_id, self.account_created)
        self.assertIn("created", move.message_ids[0].body)
        self.assertIn("Desk lamp", move.message_ids[0].body)
        xmlid = self.env["ir.model.data"].search(
            [
                ("module", "=", XMLID_MODULE),
                ("model", "=", "product.product"),
                ("res_id", "=", product.id),
            ]
        )
        self.assertEqual(
            xmlid.name,
            f"backend{self.backend.id}_{CREATED_PRODUCT_KIND}_{sku_key('LAMP')}",
        )

    def test_a_digital_line_creates_a_service(self):
        self.set_policy("create", created_product_categ_id=self.category.id)
        order = self.add_order(
            lines=[
                {
                    "sku": "EBOOK-NEW",
                    "name": "Guide",
                    "price": "9.00",
                    "type": "digital",
                }
            ]
        )
        self.import_order(order)
        product = self.products_with_sku("EBOOK-NEW")
        self.assertEqual(
            (product.name, product.list_price, product.type), ("Guide", 9.0, "service")
        )

    def test_created_products_are_created_once(self):
        self.set_policy("create", created_product_categ_id=self.category.id)
        first = self.add_order(lines=[{"sku": "LAMP", "quantity": 1}])
        second = self.add_order(
            lines=[
                {"sku": "LAMP", "quantity": 2},
                {"sku": "DESK", "quantity": 1},
            ]
        )
        self.import_order(first)
        self.import_order(second)
        # Imported again: the invoice stands, nothing is created.
        self.import_order(first)
        self.assertEqual(len(self.products_with_sku("LAMP")), 1)
        self.assertEqual(len(self.products_with_sku("DESK")), 1)
        lamp = self.products_with_sku("LAMP")
        self.assertEqual(
            self.product_lines(self.binding(second).move_id).product_id,
            lamp | self.products_with_sku("DESK"),
        )
        # Archived since: the product the connector made is booked on again,
        # not made twice.
        lamp.active = False
        third = self.add_order(lines=[{"sku": "LAMP", "quantity": 1}])
        self.import_order(third)
        self.assertEqual(
            self.product_lines(self.binding(third).move_id).product_id, lamp
        )
        self.assertEqual(len(self.products_with_sku("LAMP")), 1)

    def test_each_unknown_variant_creates_a_product_of_its_own_sku(self):
        self.set_policy("create", created_product_categ_id=self.category.id)
        red = self.add_order(
            lines=[{"sku": "LAMP", "variant_sku": "LAMP-RED", "quantity": 1}]
        )
        blue = self.add_order(
            lines=[
                {"sku": "LAMP", "variant_sku": "LAMP-BLUE", "quantity": 1},
                {"sku": "LAMP", "variant_sku": "LAMP-RED", "quantity": 2},
            ]
        )
        self.import_order(red)
        self.import_order(blue)
        self.assertFalse(self.products_with_sku("LAMP"))
        lamp_red = self.products_with_sku("LAMP-RED")
        lamp_blue = self.products_with_sku("LAMP-BLUE")
        self.assertEqual((len(lamp_red), len(lamp_blue)), (1, 1))
        self.assertEqual(
            self.product_lines(self.binding(red).move_id).product_id, lamp_red
        )
        move = self.binding(blue).move_id
        self.assertEqual(self.product_lines(move).product_id, lamp_red | lamp_blue)
        self.assert_matches_store(move, blue)
        # Its chatter names the product it created, not the one it reused.
        self.assertIn("LAMP-BLUE", move.message_ids[0].body)
        self.assertNotIn("LAMP-RED", move.message_ids[0].body)

    def test_create_without_a_category_fails_saying_what_to_set(self):
        self.set_policy("create", created_product_categ_id=False)
        order = self.add_order(lines=[{"sku": "LAMP", "quantity": 1}])
        with mute_logger(IMPORT_LOGGER):
            self.import_order(order, expect="failed")
        failure = self.failure(order)
        self.assertIn("Category of Created Products is not set", failure.reason)
        self.assertIn("Create the product", failure.reason)
        self.assertFalse(self.products_with_sku("LAMP"))
        # Set, then reprocessed: the product is made once, the order booked.
        self.backend.created_product_categ_id = self.category
        with trap_jobs() as trap:
            failure.action_reprocess()
            trap.perform_enqueued_jobs()
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(len(self.products_with_sku("LAMP")), 1)
        self.assert_matches_store(self.binding(order).move_id, order)

    def test_the_category_of_created_products_defaults_to_goods(self):
        defaults = self.env["bigcommerce.backend"].default_get(
            ["unknown_product_policy", "created_product_categ_id"]
        )
        self.assertEqual(
            defaults,
            {
                "unknown_product_policy": "hold",
                "created_product_categ_id": self.env.ref(
                    "product.product_category_goods"
                ).id,
            },
        )

    # -- book on a fallback product ------------------------------------------
    def test_fallback_books_the_line_with_its_name_and_sku_and_says_so(self):
        self.set_policy("fallback", fallback_product_id=self.product_fallback.id)
        order = self.add_order(
            lines=[
                {"sku": "MUG-BLK", "quantity": 1},
                {"sku": "LAMP", "quantity": 2},
            ],
            shipping="5.00",
        )
        paths = self.paths_while(lambda: self.import_order(order))
        self.assertEqual(paths, [self.order_path(order)])
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)
        line = self.product_lines(move).filtered(
            lambda line: line.product_id == self.product_fallback
        )
        self.assertEqual(line.name, "[LAMP] Desk lamp")
        self.assertEqual(line.account_id, self.account_unknown)
        self.assertEqual(line.price_subtotal, 50.0)
        self.assertFalse(self.products_with_sku("LAMP"))
        for record in (move, self.binding(order)):
            note = record.message_ids[0].body
            self.assertIn("fallback product", note)
            self.assertIn("[LAMP] Desk lamp", note)
            self.assertNotIn("MUG-BLK", note)

    def test_fallback_without_a_fallback_product_fails_saying_what_to_set(self):
        self.set_policy("fallback", fallback_product_id=False)
        order = self.add_order(lines=[{"sku": "LAMP", "quantity": 1}])
        with mute_logger(IMPORT_LOGGER):
            self.import_order(order, expect="failed")
        reason = self.failure(order).reason
        self.assertIn("Book on a fallback product", reason)
        self.assertIn("the Fallback Product is not set", reason)
        self.assertIn("Accounting tab", reason)

    # -- refunds of such lines -------------------------------------------------
    def test_a_refunded_created_product_is_credited_on_it_even_archived(self):
        self.set_policy("create", created_product_categ_id=self.category.id)
        order = self.add_order(
            lines=[{"sku": "DESK", "variant_sku": "DESK-OAK", "quantity": 1}]
        )
        self.import_order(order)
        invoice = self.binding(order).move_id
        product = self.products_with_sku("DESK-OAK")
        product.active = False
        credit_note = self.refund_line(order)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        line = self.product_lines(credit_note)
        self.assertEqual(line.product_id, product)
        self.assertEqual(line.account_id, self.account_created)
        self.assertAlmostEqual(credit_note.amount_total, invoice.amount_total)

    def test_a_refunded_fallback_line_is_credited_on_the_fallback_product(self):
        self.set_policy("fallback", fallback_product_id=self.product_fallback.id)
        order = self.add_order(
            lines=[{"sku": "LAMP", "quantity": 1}, {"sku": "MUG-BLK", "quantity": 1}]
        )
        self.import_order(order)
        credit_note = self.refund_line(order)
        line = self.product_lines(credit_note)
        self.assertEqual(line.product_id, self.product_fallback)
        self.assertEqual(line.account_id, self.account_unknown)
        self.assertAlmostEqual(line.price_subtotal, 25.0)


# Committed data outlives a crashed test run: names of their own each time.
RUN = uuid.uuid4().hex[:8]
RACE_STORE_HASH = f"unknownsku{RUN}"
RACE_SKU = f"NEW-{RUN}"


@tagged("post_install", "-at_install")
class TestProductCreatedOnce(CommittedStoreMixin, SimulatorMixin, TransactionCase):
    """Two workers import two orders of one unknown SKU at the same moment,
    each on its own connection and committing, as queue_job's workers do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_simulator(store_hash=RACE_STORE_HASH, quota=None)
        cls.simulator.state.add_product(
            sku=RACE_SKU, name="Brand new lamp", price="30.00"
        )

    def setUp(self):
        super().setUp()
        self.create_committed_store(
            "Store creating products",
            RACE_STORE_HASH,
            unknown_product_policy="create",
        )

    def test_two_workers_create_one_product_for_one_sku(self):
        orders = [
            self.simulator.state.add_order(lines=[{"sku": RACE_SKU, "quantity": n}])
            for n in (1, 2)
        ]
        outcomes = self.race_jobs(
            [
                lambda backend, order=order: import_order_job(backend, order["id"])
                for order in orders
            ]
        )
        # One worker books its order; the other too, or is sent back to retry
        # (the SKU's lock); none fails.
        self.assertEqual(len(outcomes), 2)
        self.assertNotEqual(set(outcomes), {"retry later"}, outcomes)
        self.assertFalse(
            [o for o in outcomes if o.startswith("error") or "failed" in o], outcomes
        )
        # The worker sent back to retry imports on its next try.
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            for order in orders:
                import_order_job(backend, order["id"])
        with self.committed_env() as env:
            products = env["product.product"].search([("default_code", "=", RACE_SKU)])
            self.assertEqual(len(products), 1)
            bindings = env["bigcommerce.order"].search(
                [("backend_id", "=", self.backend_id)]
            )
            self.assertEqual(len(bindings.move_id), 2)
            self.assertEqual(
                bindings.move_id.invoice_line_ids.filtered(
                    lambda line: line.display_type == "product"
                ).product_id,
                products,
            )
