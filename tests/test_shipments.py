# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shipments and status history on the order record, told on its chatter
and its invoice's."""

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import STORE_HASH, BigCommerceAccountingCase, import_shipments_job


@tagged("post_install", "-at_install")
class TestShipments(BigCommerceAccountingCase):
    def setUp(self):
        super().setUp()
        self.order = self.add_order(
            lines=[
                {"sku": "MUG-BLK", "quantity": 2},
                {"sku": "BOOK-1", "quantity": 1},
            ],
            shipping="5.00",
        )
        with trap_jobs():
            self.import_order(self.order)
        self.record = self.binding(self.order)
        self.move = self.record.move_id
        self.lines = {
            p["sku"]: p for p in self.simulator.state.order_products(self.order["id"])
        }

    def ship(self, sku, quantity, **values):
        return self.simulator.state.add_shipment(
            self.order["id"],
            [{"order_product_id": self.lines[sku]["id"], "quantity": quantity}],
            **values,
        )

    def import_shipments(self):
        with trap_jobs():
            return import_shipments_job(self.backend, self.order["id"])

    def import_order_again(self):
        with trap_jobs() as trap:
            self.import_order(self.order)
        return trap

    def told(self, record, text):
        return record.message_ids.filtered(lambda m: text in (m.body or ""))

    def test_several_shipments_with_their_chatter(self):
        self.assertEqual(self.move.state, "posted")
        first = self.ship(
            "MUG-BLK",
            2,
            tracking_number="1Z999AA1",
            tracking_carrier="ups",
            shipping_provider="ups",
        )
        result = self.import_shipments()
        self.assertIn("1 shipment(s), 1 change(s)", result)
        [shipment] = self.record.shipment_ids
        self.assertEqual(shipment.bigcommerce_id, first["id"])
        self.assertEqual(shipment.carrier, "UPS")
        self.assertEqual(shipment.tracking_number, "1Z999AA1")
        self.assertEqual(
            shipment.tracking_link, "https://track.aftership.com/ups/1Z999AA1"
        )
        self.assertEqual(
            [(i.sku, i.name, i.quantity, i.product_id) for i in shipment.item_ids],
            [("MUG-BLK", "Black Mug", 2, self.product_mug)],
        )
        for record in (self.record, self.move):
            [line] = self.told(record, f"Shipment #{first['id']} shipped by UPS")
            self.assertIn("1Z999AA1", line.body)
            self.assertIn("Black Mug", line.body)

        # The order moved to Partially Shipped; then the rest leaves.
        self.import_order_again()
        second = self.ship(
            "BOOK-1", 1, tracking_number="CP123", tracking_carrier="usps"
        )
        trap = self.import_order_again()
        self.assertEqual(
            [j.method_name for j in trap.enqueued_jobs],
            ["_import_shipments"],
            "items shipped changed: the shipments are read again",
        )
        self.import_shipments()
        self.assertEqual(
            sorted(self.record.shipment_ids.mapped("bigcommerce_id")),
            [first["id"], second["id"]],
        )
        self.assertEqual(self.record._items_shipped(), 3)
        self.assertEqual(
            [
                (h.status, h.custom_status)
                for h in self.record.status_history_ids.sorted("id")
            ],
            [
                ("11", "Awaiting Fulfillment"),
                ("3", "Partially Shipped"),
                ("2", "Shipped"),
            ],
        )
        self.assertTrue(all(h.date for h in self.record.status_history_ids))
        [status_line] = self.told(self.record, "Partially Shipped → Shipped")
        self.assertTrue(status_line)
        # A posted invoice hears of the status in its own change note.
        self.assertTrue(self.told(self.move, "Partially Shipped"))

        # A tracking number corrected, then a shipment deleted: one line each.
        self.simulator.state.update_shipment(
            self.order["id"], second["id"], tracking_number="CP456"
        )
        self.import_shipments()
        for record in (self.record, self.move):
            [line] = self.told(record, f"Shipment #{second['id']} changed")
            self.assertIn("CP123", line.body)
            self.assertIn("CP456", line.body)
        self.simulator.state.delete_shipment(self.order["id"], second["id"])
        self.import_shipments()
        self.assertEqual(
            self.record.shipment_ids.mapped("bigcommerce_id"), [first["id"]]
        )
        for record in (self.record, self.move):
            self.assertEqual(
                len(self.told(record, f"Shipment #{second['id']} was deleted")), 1
            )
        # Read again with nothing new: nothing told.
        before = len(self.record.message_ids), len(self.move.message_ids)
        self.assertIn("0 change(s)", self.import_shipments())
        self.assertEqual(
            (len(self.record.message_ids), len(self.move.message_ids)), before
        )

    def test_shipments_of_an_order_not_imported_queue_the_order(self):
        other = self.add_order()
        with trap_jobs() as trap:
            result = import_shipments_job(self.backend, other["id"])
            trap.assert_enqueued_job(
                self.backend._import_order,
                args=(other["id"],),
                kwargs={"origin": None},
            )
        self.assertIn("not imported yet", result)

    def test_first_import_of_a_shipped_order_reads_its_shipments(self):
        other = self.add_order(lines=[{"sku": "MUG-BLK", "quantity": 1}])
        line = self.simulator.state.order_products(other["id"])[0]
        self.simulator.state.add_shipment(
            other["id"], [{"order_product_id": line["id"], "quantity": 1}]
        )
        with trap_jobs() as trap:
            self.import_order(other)
            # The lines the order's import read name what was shipped...
            trap.assert_enqueued_job(
                self.backend._import_shipments,
                args=(other["id"],),
                kwargs={
                    "lines": {str(line["id"]): {"sku": "MUG-BLK", "name": line["name"]}}
                },
            )
            before = len(self.simulator.requests)
            trap.perform_enqueued_jobs()
        # ... so the shipments job reads the shipments, and nothing else.
        paths = [r["path"] for r in self.simulator.requests[before:]]
        self.assertEqual(
            paths, [f"/stores/{STORE_HASH}/v2/orders/{other['id']}/shipments"]
        )
        (shipment,) = self.binding(other).shipment_ids
        self.assertEqual(shipment.item_ids.name, line["name"])
        self.assertEqual(shipment.item_ids.sku, "MUG-BLK")
