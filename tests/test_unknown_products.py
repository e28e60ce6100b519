# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order lines whose SKU no Odoo product has: a variant booked on its
parent's SKU, then the store's Unknown Products setting (hold the order,
create the product, or book it on a fallback product)."""

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
        # On the store: a hoodie Odoo knows by its product's SKU only, and a
        # lamp Odoo does not know at all.
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
    def calls_while(self, action):
        before = len(self.simulator.requests)
        action()
        return self.simulator.requests[before:]

    def catalog_calls(self, requests):
        return [r for r in requests if r["path"].endswith("/v3/catalog/products")]

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

    # -- the parent's SKU --------------------------------------------------------
    def test_a_variant_whose_sku_is_unknown_is_booked_on_its_product(self):
        order = self.add_order(
            lines=[{"sku": "HOODIE", "variant_sku": "HOODIE-BLU-L", "quantity": 2}]
        )
        requests = self.calls_while(lambda: self.import_order(order))
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)
        line = self.product_lines(move)
        self.assertEqual(line.product_id, self.product_hoodie)
        self.assertEqual(line.name, "Hoodie")
        # The catalog is read once, for that product, with what is needed.
        catalog = self.catalog_calls(requests)
        self.assertEqual(len(catalog), 1)
        hoodie = self.simulator.state.products["HOODIE"]
        self.assertEqual(catalog[0]["query"]["id:in"], str(hoodie["id"]))
        self.assertEqual(
            set(catalog[0]["query"]["include_fields"].split(",")),
            {"name", "sku", "price"},
        )
        self.assertIn("HOODIE-BLU-L", move.message_ids[0].body)
        self.assertIn("HOODIE", move.message_ids[0].body)

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
            requests = self.calls_while(
                lambda order=order: self.import_order(order, origin="webhook")
            )
            self.assertEqual(
                [r["path"] for r in requests],
                [f"/stores/teststore1/v2/orders/{order['id']}"],
                policy,
            )

    # -- hold (the default) ------------------------------------------------------
    def test_an_unknown_sku_holds_the_order_by_default_without_a_catalog_call(self):
        self.assertEqual(self.backend.unknown_product_policy, "hold")
        order = self.add_order(lines=[{"sku": "LAMP", "quantity": 1}])
        with mute_logger(IMPORT_LOGGER):
            requests = self.calls_while(
                lambda: self.import_order(order, expect="failed")
            )
        self.assertFalse(self.catalog_calls(requests))
        reason = self.failure(order).reason
        self.assertIn("Unknown SKU 'LAMP' (line 'Desk lamp')", reason)
        self.assertIn("Unknown Products", reason)
        self.assertFalse(self.products_with_sku("LAMP"))

    def test_an_unknown_variant_of_an_unknown_product_names_both_skus(self):
        order = self.add_order(
            lines=[{"sku": "LAMP", "variant_sku": "LAMP-RED", "quantity": 1}]
        )
        with mute_logger(IMPORT_LOGGER):
            self.import_order(order, expect="failed")
        failure = self.failure(order)
        self.assertIn("Unknown SKU 'LAMP-RED'", failure.reason)
        self.assertIn("nor LAMP, the SKU of its product on BigCommerce", failure.reason)
        # What the catalog said is kept for the reprocess.
        self.assertIn('"catalog_products"', failure.payload)

    # -- create the product ------------------------------------------------------
    def test_create_makes_the_product_from_the_catalog_on_its_category(self):
        self.set_policy("create", created_product_categ_id=self.category.id)
        order = self.add_order(lines=[{"sku": "LAMP", "quantity": 3}])
        self.import_order(order)
        product = self.products_with_sku("LAMP")
        self.assertEqual(len(product), 1)
        self.assertEqual(
            (product.name, product.list_price, product.categ_id),
            ("Desk lamp", 25.0, self.category),
        )
        move = self.binding(order).move_id
        self.assertEqual(move.state, "posted")
        self.assert_matches_store(move, order)
        line = self.product_lines(move)
        self.assertEqual(line.product_id, product)
        self.assertEqual(line.account_id, self.account_created)
        self.assertEqual(self.lines_by_account(move)[self.account_created], 75.0)
        self.assertIn("created", move.message_ids[0].body)
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

    def test_a_new_variant_creates_its_product_whose_other_variants_follow(self):
        self.set_policy("create", created_product_categ_id=self.category.id)
        red = self.add_order(
            lines=[{"sku": "LAMP", "variant_sku": "LAMP-RED", "quantity": 1}]
        )
        blue = self.add_order(
            lines=[{"sku": "LAMP", "variant_sku": "LAMP-BLUE", "quantity": 1}]
        )
        self.import_order(red)
        self.import_order(blue)
        product = self.products_with_sku("LAMP")
        self.assertEqual(len(product), 1)
        self.assertFalse(self.products_with_sku("LAMP-RED"))
        for order, label in ((red, "LAMP-RED"), (blue, "LAMP-BLUE")):
            move = self.binding(order).move_id
            self.assertEqual(self.product_lines(move).product_id, product)
            self.assert_matches_store(move, order)
            self.assertIn(label, move.message_ids[0].body)

    def test_a_product_gone_from_the_catalog_is_created_from_its_line(self):
        self.set_policy("create", created_product_categ_id=self.category.id)
        self.simulator.state.add_product(
            sku="VASE", name="Vase", price="18.00", tax_rate="0.0825"
        )
        order = self.add_order(lines=[{"sku": "VASE", "quantity": 1}])
        self.simulator.state.remove_product("VASE")
        self.import_order(order)
        product = self.products_with_sku("VASE")
        self.assertEqual((product.name, product.list_price), ("Vase", 18.0))
        self.assert_matches_store(self.binding(order).move_id, order)

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
        requests = self.calls_while(lambda: self.import_order(order))
        self.assertFalse(self.catalog_calls(requests), "a simple product: no call")
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

    def test_fallback_tries_a_variants_parent_first(self):
        self.set_policy("fallback", fallback_product_id=self.product_fallback.id)
        order = self.add_order(
            lines=[
                {"sku": "HOODIE", "variant_sku": "HOODIE-GRN-S", "quantity": 1},
                {"sku": "DESK", "variant_sku": "DESK-OAK", "quantity": 1},
            ]
        )
        self.import_order(order)
        move = self.binding(order).move_id
        self.assertEqual(
            {line.name: line.product_id for line in self.product_lines(move)},
            {"Hoodie": self.product_hoodie, "[DESK-OAK] Desk": self.product_fallback},
        )
        self.assert_matches_store(move, order)

    def test_fallback_without_a_fallback_product_fails_saying_what_to_set(self):
        self.set_policy("fallback", fallback_product_id=False)
        order = self.add_order(lines=[{"sku": "LAMP", "quantity": 1}])
        with mute_logger(IMPORT_LOGGER):
            self.import_order(order, expect="failed")
        reason = self.failure(order).reason
        self.assertIn("Book on a fallback product", reason)
        self.assertIn("the Fallback Product is not set", reason)
        self.assertIn("Accounting tab", reason)

    def test_a_catalog_refused_for_its_scope_fails_saying_which_to_add(self):
        order = self.add_order(
            lines=[{"sku": "HOODIE", "variant_sku": "HOODIE-RED-XL", "quantity": 1}]
        )
        self.simulator.state.denied_resources.add("catalog")
        self.addCleanup(self.simulator.state.denied_resources.clear)
        with mute_logger(IMPORT_LOGGER):
            self.import_order(order, expect="failed")
        reason = self.failure(order).reason
        self.assertIn("Products read-only scope", reason)
        self.assertIn("Store-level API accounts", reason)

    # -- refunds of such lines -------------------------------------------------
    def test_a_refunded_variant_is_credited_on_its_parents_product(self):
        order = self.add_order(
            lines=[{"sku": "HOODIE", "variant_sku": "HOODIE-BLU-M", "quantity": 1}]
        )
        self.import_order(order)
        invoice = self.binding(order).move_id
        credit_note = self.refund_line(order)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(
            self.product_lines(credit_note).product_id, self.product_hoodie
        )
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
