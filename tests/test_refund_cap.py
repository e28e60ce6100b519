# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An order's credit notes never credit more than its invoice, whatever the
store answers: a refund that would is a failure, and nothing is credited or
paid back for it."""

import threading
import uuid
from decimal import Decimal
from unittest import mock

from odoo import Command
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..components.refund_importer import RefundImporter
from .common import (
    THREAD_TIMEOUT,
    CommittedStoreMixin,
    start_simulator,
)
from .simulator import views
from .test_payments import PaymentCase

IMPORT_LOGGER = "odoo.addons.bigcommerce_connector.components.importer"
RUN = uuid.uuid4().hex[:8]
RACE_STORE_HASH = f"capace{RUN}"
RACE_SKU = f"CAP-RACE-{RUN}"


def store_faulty_refund(state, order_id, items, total, tax):
    """A refund as a faulty answer of the store, or a merchant's override,
    could carry it: the store's own checks did not hold it back. Paid back
    in full."""
    with state.lock:
        record = state._refund_record(
            state.order_record(order_id), [], "Faulty", None, state._at(None)
        )
        total, tax = Decimal(str(total)), Decimal(str(tax))
        record.update(
            total_amount=total,
            total_tax=tax,
            uses_merchant_override_values=True,
            items=[
                {
                    "item_type": item["item_type"],
                    "item_id": int(item["item_id"]),
                    "quantity": item.get("quantity"),
                    "requested_amount": item.get("requested_amount"),
                    "reason": "Faulty",
                }
                for item in items
            ],
        )
        for payment in record["payments"]:
            payment["amount"] = total
        state.refunds[record["id"]] = record
    return views.refund(record, single=True)


@tagged("post_install", "-at_install")
class TestRefundCap(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Card refunds go back through the Stripe journal: a refund that got
        # through would leave an outbound payment there.
        cls.backend.payment_journal_map_ids = [
            Command.create(
                {"payment_method": "braintree", "journal_id": cls.stripe_journal.id}
            )
        ]
        # Returned tax books to the tax's own account.
        cls.tax_825.refund_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "tax"
        ).account_id = cls.company_data["default_account_tax_sale"]

    # -- helpers ---------
    def paid_order(self, **values):
        """An order paid by card by a guest, imported, its invoice paid."""
        values.setdefault("lines", [{"sku": "MUG-BLK", "quantity": 2}])
        values.setdefault("payment_method", "Credit Card")
        values.setdefault("customer_id", 0)
        order = self.add_order(**values)
        self.import_order(order)
        invoice = self.binding(order).move_id
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        return order, invoice

    def faulty_refund(self, order, items, total, tax):
        return store_faulty_refund(self.simulator.state, order["id"], items, total, tax)

    def product_item(self, order, quantity, index=0):
        line = self.simulator.state.order_products(order["id"])[index]
        return {"item_type": "PRODUCT", "item_id": line["id"], "quantity": quantity}

    def import_refund(self, refund):
        with mute_logger(IMPORT_LOGGER):
            return self.backend._import_refund(refund["id"], refund["order_id"])

    def credit_notes(self, invoice):
        return self.env["account.move"].search(
            [("reversed_entry_id", "=", invoice.id)], order="id"
        )

    def refund_payments(self):
        return self.env["account.payment"].search(
            [
                ("payment_type", "=", "outbound"),
                ("journal_id", "=", self.stripe_journal.id),
            ]
        )

    def refund_failure(self, refund):
        return self.env["bigcommerce.failure"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("record_type", "=", "refund"),
                ("bigcommerce_id", "=", str(refund["id"])),
            ]
        )

    def ledger_state(self, order, invoice):
        """What the books say of the order, to compare before and after."""
        binding = self.binding(order)
        return {
            "credit notes": sorted(self.credit_notes(invoice).ids),
            "payments": sorted(self.refund_payments().ids),
            "refunded": round(binding.amount_refunded, 2),
            "balance": round(binding.amount_balance, 2),
            "invoice residual": round(invoice.amount_residual, 2),
            "refund bindings": sorted(binding.refund_ids.ids),
        }

    def assert_refused(self, refund, order, invoice, before, *phrases):
        """The refund is a failure saying ``phrases``; the books are as
        ``before``."""
        result = self.import_refund(refund)
        self.assertIn("failed", result)
        failure = self.refund_failure(refund)
        self.assertEqual(failure.state, "open")
        self.assertIn("would credit more than was invoiced", failure.reason)
        for phrase in phrases:
            self.assertIn(phrase, failure.reason)
        self.assertIn("Nothing was credited or paid back", failure.reason)
        self.assertIn(
            "credit it by hand, then mark this failure resolved", failure.reason
        )
        self.assertEqual(self.ledger_state(order, invoice), before)
        self.assertFalse(
            self.env["bigcommerce.refund"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("bigcommerce_id", "=", refund["id"]),
                ]
            ),
            "no binding of the refused refund",
        )
        return failure

    # -- the three cases ---------
    def test_order_level_refund_beyond_the_order_total_is_a_failure(self):
        order, invoice = self.paid_order()
        self.assertAlmostEqual(invoice.amount_total, 27.06)
        before = self.ledger_state(order, invoice)
        refund = self.faulty_refund(
            order,
            [
                {
                    "item_type": "ORDER",
                    "item_id": order["id"],
                    "requested_amount": Decimal("5000"),
                }
            ],
            "5000.00",
            "0",
        )
        self.assert_refused(
            refund,
            order,
            invoice,
            before,
            "in total: 5000.00 to credit, but only 27.06 of the 27.06 invoiced is "
            "left to credit (4972.94 too much)",
        )
        self.assertAlmostEqual(self.binding(order).amount_balance, 27.06)

    def test_tax_refund_beyond_the_tax_charged_is_a_failure(self):
        order, invoice = self.paid_order(lines=[{"sku": "MUG-BLK", "quantity": 1}])
        self.assertAlmostEqual(invoice.amount_tax, 1.03)
        before = self.ledger_state(order, invoice)
        refund = self.faulty_refund(order, [], "5000.00", "5000.00")
        self.assert_refused(
            refund,
            order,
            invoice,
            before,
            "the tax: 5000.00 to credit, but only 1.03 of the 1.03 invoiced is left "
            "to credit (4998.97 too much)",
            "in total: 5000.00 to credit, but only 13.53",
        )

    def test_the_same_units_refunded_twice_are_credited_once(self):
        order, invoice = self.paid_order()
        first = self.simulator.state.add_refund(
            order["id"], [self.product_item(order, 2)], payments=[{}]
        )
        self.import_refund(first)
        (credit_note,) = self.credit_notes(invoice)
        self.assertAlmostEqual(credit_note.amount_total, 27.06)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        self.assertEqual(len(self.refund_payments()), 1)
        before = self.ledger_state(order, invoice)
        self.assertAlmostEqual(before["balance"], 0.0)
        again = self.faulty_refund(
            order,
            [self.product_item(order, 2)],
            first["total_amount"],
            first["total_tax"],
        )
        self.assert_refused(
            again,
            order,
            invoice,
            before,
            "Black Mug (SKU MUG-BLK): 2 unit(s) to credit, but 2 were invoiced and 2 "
            "are credited already (2 too many)",
            "25.00 to credit, but only 0.00 of the 25.00 invoiced is left to credit "
            "(25.00 too much)",
            "the tax: 2.06 to credit, but only 0.00",
        )

    # -- sequences ---------
    def test_a_sequence_of_refunds_never_credits_more_than_the_invoice(self):
        """Legitimate refunds book as before, excessive ones in between are
        failures, and the order ends credited exactly in full."""
        order, invoice = self.paid_order(
            lines=[{"sku": "MUG-BLK", "quantity": 3}, {"sku": "BOOK-1", "quantity": 1}],
            shipping="8.00",
        )
        state = self.simulator.state
        address = state.order_record(order["id"]).shipping_addresses[0]["id"]
        shipping = {"item_type": "SHIPPING", "item_id": address}
        booked, refused = [], []

        def legitimate(items):
            refund = state.add_refund(order["id"], items)
            self.assertNotIn("failed", self.import_refund(refund))
            booked.append(refund)

        def excessive(items, total, tax, *phrases):
            refund = self.faulty_refund(order, items, total, tax)
            refused.append(
                self.assert_refused(
                    refund, order, invoice, self.ledger_state(order, invoice), *phrases
                )
            )

        legitimate([self.product_item(order, 1)])
        excessive(
            [self.product_item(order, 3)],
            Decimal(booked[0]["total_amount"]) * 3,
            Decimal(booked[0]["total_tax"]) * 3,
            "3 unit(s) to credit, but 3 were invoiced and 1 are credited already "
            "(1 too many)",
        )
        legitimate([dict(shipping, amount="5.00")])
        left = Decimal(str(self.binding(order).amount_balance)).quantize(
            Decimal("0.01")
        )
        excessive(
            [
                {
                    "item_type": "ORDER",
                    "item_id": order["id"],
                    "requested_amount": left + 1,
                }
            ],
            left + 1,
            "0",
            f"in total: {left + 1} to credit, but only {left} of the",
            "(1.00 too much)",
        )
        legitimate([self.product_item(order, 2), self.product_item(order, 1, 1)])
        legitimate([shipping])
        excessive([], "0.50", "0.50", "the tax: 0.50 to credit, but only 0.00")

        binding = self.binding(order)
        credit_notes = self.credit_notes(invoice)
        self.assertEqual(len(credit_notes), len(booked))
        self.assertEqual(len(refused), 3)
        self.assertAlmostEqual(
            sum(credit_notes.mapped("amount_total")), invoice.amount_total
        )
        self.assertAlmostEqual(
            sum(credit_notes.mapped("amount_tax")), invoice.amount_tax
        )
        for product in (self.product_mug, self.product_book):
            invoiced = invoice.invoice_line_ids.filtered_domain(
                [("product_id", "=", product.id)]
            )
            credited = credit_notes.invoice_line_ids.filtered_domain(
                [("product_id", "=", product.id)]
            )
            self.assertEqual(
                sum(credited.mapped("quantity")), sum(invoiced.mapped("quantity"))
            )
            self.assertAlmostEqual(
                sum(credited.mapped("price_subtotal")),
                sum(invoiced.mapped("price_subtotal")),
            )
        self.assertAlmostEqual(binding.amount_balance, 0.0)
        self.assertEqual(len(self.refund_payments()), len(booked))

    def test_a_credit_note_made_by_hand_counts_as_credited(self):
        """The invoice reversed in full by an accountant: a refund of the
        store coming after it has nothing left to credit."""
        order, invoice = self.paid_order()
        (reversal,) = invoice._reverse_moves()
        reversal.action_post()
        refund = self.simulator.state.add_refund(
            order["id"], [self.product_item(order, 1)], payments=[{}]
        )
        self.assert_refused(
            refund,
            order,
            invoice,
            self.ledger_state(order, invoice),
            "1 unit(s) to credit, but 2 were invoiced and 2 are credited already",
        )
        self.assertEqual(self.credit_notes(invoice), reversal)


@tagged("post_install", "-at_install")
class TestConcurrentRefundCap(CommittedStoreMixin, TransactionCase):
    """Two workers credit two refunds of the same units of one order at the
    same moment, for real (each on its own connection, committing, as in
    ``test_refund_concurrency``): one credit note, never two. Each one's
    snapshot misses the other's credit note; the order's row, which both
    write, makes PostgreSQL refuse the later one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_simulator(cls, store_hash=RACE_STORE_HASH, quota=None)
        cls.simulator.state.add_product(sku=RACE_SKU, name="Race mug", price="9.50")

    def setUp(self):
        super().setUp()
        # Credit notes left in draft: no posting, numbering or reconciling.
        self.create_committed_store(
            "Refund cap race store",
            RACE_STORE_HASH,
            sku=RACE_SKU,
            product_name="Race mug",
            posting_policy="draft",
        )
        state = self.simulator.state
        self.order = state.add_order(lines=[{"sku": RACE_SKU, "quantity": 2}])
        with self.committed_env() as env:
            env["bigcommerce.backend"].browse(self.backend_id)._import_order(
                self.order["id"]
            )
        line = state.order_products(self.order["id"])[0]
        item = {"item_type": "PRODUCT", "item_id": line["id"], "quantity": 2}
        first = state.add_refund(self.order["id"], [item])
        # The same 2 units again: the store should have refused it.
        again = store_faulty_refund(
            state, self.order["id"], [item], first["total_amount"], first["total_tax"]
        )
        self.refunds = [first, again]

    def race(self):
        """Both workers read the order's credit notes before either has
        committed: neither can see the other's."""
        both_read = threading.Barrier(2, timeout=THREAD_TIMEOUT)
        real_ledgers = RefundImporter._ledgers

        def ledgers_once_both_started(importer):
            both_read.wait()
            return real_ledgers(importer)

        def credit(refund):
            def job(backend):
                result = backend._import_refund(refund["id"], self.order["id"])
                return "failed" if "failed" in result else "credited"

            return job

        return self.race_jobs(
            [credit(refund) for refund in self.refunds],
            start_together=False,
            patches=[
                mock.patch.object(RefundImporter, "_ledgers", ledgers_once_both_started)
            ],
            mute=[IMPORT_LOGGER],
        )

    def credit_notes(self):
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
            moves = env["account.move"].search([("reversed_entry_id", "=", invoice.id)])
            return (
                moves.ids,
                round(sum(moves.mapped("amount_total")), 2),
                invoice.amount_total,
            )

    def test_two_refunds_of_the_same_units_at_once_credit_them_once(self):
        self.assert_race_credits_once()

    def assert_race_credits_once(self):
        outcomes = self.race()
        self.assertEqual(outcomes, ["credited", "retry later"])
        ids, credited, invoiced = self.credit_notes()
        self.assertEqual(len(ids), 1)
        self.assertEqual(credited, invoiced)
        # The job queue runs the other again: it sees the credit note, and
        # is a failure saying the units are credited already.
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            results = [
                backend._import_refund(refund["id"], self.order["id"])
                for refund in self.refunds
            ]
        self.assertEqual(sum("failed" in result for result in results), 1, results)
        self.assertIn("are credited already", " ".join(results))
        self.assertEqual(self.credit_notes()[0], ids)


@tagged("post_install", "-at_install")
class TestConcurrentWaitedRefundCap(TestConcurrentRefundCap):
    """The same race, for two refunds that waited for the order's invoice:
    the order's import queues both at once, and their records carry their
    amounts already, so crediting them writes nothing the two workers would
    collide on but the order's row the refund importer locks."""

    def setUp(self):
        super().setUp()
        # Start again from an order that cannot be invoiced yet: its product
        # is archived in Odoo, so its SKU matches nothing.
        state = self.simulator.state
        with self.committed_env() as env:
            env["product.product"].browse(self.product_id).active = False
        self.order = state.add_order(lines=[{"sku": RACE_SKU, "quantity": 2}])
        line = state.order_products(self.order["id"])[0]
        item = {"item_type": "PRODUCT", "item_id": line["id"], "quantity": 2}
        first = state.add_refund(self.order["id"], [item], update_status=False)
        again = store_faulty_refund(
            state, self.order["id"], [item], first["total_amount"], first["total_tax"]
        )
        self.refunds = [first, again]
        with (
            self.committed_env() as env,
            mute_logger(IMPORT_LOGGER),
        ):
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            for refund in self.refunds:
                result = backend._import_refund(refund["id"], self.order["id"])
                self.assertIn("no invoice to credit yet", result)
        with self.committed_env() as env:
            env["product.product"].browse(self.product_id).active = True
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            backend._import_order(self.order["id"])
            waited = env["bigcommerce.refund"].search(
                [
                    ("backend_id", "=", self.backend_id),
                    ("bigcommerce_order_id", "=", self.order["id"]),
                ]
            )
            self.assertEqual(len(waited), 2)
            self.assertFalse(waited.move_id)
            self.assertEqual(set(waited.mapped("credit_state")), {"waiting"})
            # The order's import queued both refunds, to run at once.
            queued = env["queue.job"].search(
                [
                    ("method_name", "=", "_import_refund"),
                    ("identity_key", "=like", f"bigcommerce-%-{self.backend_id}-%"),
                ]
            )
            self.assertEqual(len(queued), 2)

    def test_two_waited_refunds_of_the_same_units_credit_them_once(self):
        # Odoo's runner runs only the tests a class defines itself.
        self.assert_race_credits_once()
