# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A page of listed orders (a first sync) invoiced in one batch: one create
and one post for its new invoices, the same ledger as one by one."""

import copy
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce import BigCommerceClient
from ..components.binder import BigCommerceBinder
from ..components.order_importer import OrderImporter
from .common import BigCommerceAccountingCase
from .test_import_wizard import WizardMixin

REAL_GET_ORDER_TAXES = BigCommerceClient.get_order_taxes
GUEST = {
    "first_name": "Gus",
    "last_name": "Guest",
    "email": "gus@example.com",
    "street_1": "5 Rue de la Paix",
    "city": "Paris",
    "zip": "75002",
    "country": "France",
    "country_iso2": "FR",
    "state": "",
}


class _RolledBack(Exception):
    """Ends a savepoint whose writes are to be undone."""


@tagged("post_install", "-at_install")
class TestOrderBatch(WizardMixin, BigCommerceAccountingCase):
    def seed(self, day):
        """The orders of a page, on ``day`` of November 2025 (a day of each
        test's own: the simulated store keeps its orders between tests)."""
        self.start = datetime(2025, 11, day)
        self.hour = iter(range(1, 24))
        # Each a new invoice, posted: the batch.
        self.posted = [
            self.order(),
            self.order(
                lines=[
                    {"sku": "MUG-BLK", "quantity": 3},
                    {"sku": "TEE", "variant_sku": "TEE-RED-M", "quantity": 1},
                ],
                shipping="7.95",
                handling="2.00",
                wrapping="3.50",
                coupons=[{"code": "SAVE5", "type": 2, "amount": "5.00"}],
                manual_discount="1.50",
            ),
            # BigCommerce's tax (0.74) is not Odoo's (0.75): corrected.
            self.order(
                lines=[
                    {
                        "sku": "BOOK-1",
                        "quantity": 1,
                        "price": "10.00",
                        "tax_rate": "0.0825",
                    }
                ],
                coupons=[{"code": "TENPC", "type": 1, "amount": "10"}],
            ),
            self.order(
                lines=[
                    {"sku": "MUG-BLK", "quantity": 7, "price": "3.33"},
                    {
                        "sku": "BOOK-1",
                        "quantity": 3,
                        "price": "9.99",
                        "tax_rate": "0.10",
                    },
                ],
                shipping="5.55",
                shipping_tax_rate="0.20",
                coupons=[{"code": "PCT15", "type": 1, "amount": "15"}],
            ),
            self.order(customer_id=0, billing_address=GUEST),
        ]
        # Not in the batch: skipped, held; in it, but not posted: in draft
        # until paid.
        self.cancelled = self.order(status_id=5)
        self.disputed = self.order(status_id=13)
        self.pending = self.order(status_id=1)

    def order(self, **values):
        """A new order of the test's day, an hour after the last."""
        return self.add_order(
            date_created=self.start + timedelta(hours=next(self.hour)), **values
        )

    # --- helpers ------------------------------------------------------------
    def page(self):
        """The import run and its one page, as the listing queues it."""
        with trap_jobs() as trap:
            self.wizard(
                mode="period",
                date_from=self.start,
                date_to=self.start,
            ).action_import()
            trap.perform_enqueued_jobs()  # the listing
            (job,) = trap._filtered_enqueued_jobs(self.backend._import_orders_page)
        return self.backend.last_import_run_id, job.args[0]

    @contextmanager
    def counted_invoices(self):
        """Count the calls of ``account.move.create()`` and ``action_post()``
        that write customer invoices (each call's invoice count), passing
        every call through."""
        move_class = type(self.env["account.move"])
        payment_class = type(self.env["account.payment"])
        real_create, real_post = move_class.create, move_class.action_post
        real_pay = payment_class.create
        counts = {"create": [], "post": []}

        def create_payments(payments, vals_list):
            listed = [vals_list] if isinstance(vals_list, dict) else vals_list
            counts.setdefault("payments", []).append(len(listed))
            return real_pay(payments, vals_list)

        def create(moves, vals_list):
            listed = [vals_list] if isinstance(vals_list, dict) else vals_list
            invoices = [v for v in listed if v.get("move_type") == "out_invoice"]
            if invoices:
                counts["create"].append(len(invoices))
            return real_create(moves, vals_list)

        def action_post(moves):
            invoices = moves.filtered(lambda m: m.move_type == "out_invoice")
            if invoices:
                counts["post"].append(len(invoices))
            return real_post(moves)

        with (
            mock.patch.object(move_class, "create", create),
            mock.patch.object(move_class, "action_post", action_post),
            mock.patch.object(payment_class, "create", create_payments),
        ):
            yield counts

    def ledger(self, run, orders):
        """What the import made of ``orders``, as plain values: each order's
        binding and chatter, its invoice (lines, tax lines, totals, chatter),
        payments and reconciliation, failure and run line."""

        def amounts(record, *names):
            return tuple(round(record[name], 2) for name in names)

        def chatter(record):
            return [(m.message_type, str(m.body)) for m in record.message_ids]

        lines = {line.bigcommerce_id: line for line in run.line_ids}
        result = {}
        for order in orders:
            binding = self.binding(order)
            move = binding.move_id
            payments = move._get_reconciled_payments()
            result[order["id"]] = {
                "binding": (
                    binding.sync_state,
                    binding.outcome,
                    binding.status,
                    binding.payment_status,
                    binding.hold_reason,
                    binding.payment_note,
                    binding.partner_id.name,
                    amounts(binding, "total_ex_tax", "total_tax", "total_inc_tax"),
                    binding.status_history_ids.mapped("status"),
                ),
                "order chatter": chatter(binding),
                "invoice": move
                and (
                    move.name,
                    move.state,
                    move.payment_state,
                    move.partner_id.name,
                    move.currency_id.name,
                    move.invoice_date,
                    move.invoice_date_due,
                    move.ref,
                    move.invoice_origin,
                    move.journal_id.code,
                    amounts(
                        move,
                        "amount_untaxed",
                        "amount_tax",
                        "amount_total",
                        "amount_residual",
                    ),
                ),
                "lines": sorted(
                    (
                        line.display_type,
                        line.account_id.code,
                        line.product_id.default_code or "",
                        line.name or "",
                        line.quantity,
                        line.price_unit,
                        tuple(line.tax_ids.mapped("name")),
                        line.tax_line_id.name or "",
                        amounts(line, "debit", "credit", "amount_currency"),
                        line.reconciled,
                        bool(line.matching_number),
                    )
                    for line in move.line_ids
                ),
                "matched payments": sorted(move.matched_payment_ids.mapped("name")),
                "invoice chatter": chatter(move) if move else [],
                "payments": sorted(
                    (
                        payment.name,
                        payment.move_id.name or "",
                        payment.journal_id.code,
                        payment.date,
                        round(payment.amount, 2),
                        payment.state,
                        payment.memo or "",
                        sorted(
                            (
                                line.account_id.code,
                                amounts(line, "debit", "credit"),
                                line.reconciled,
                            )
                            for line in payment.move_id.line_ids
                        ),
                    )
                    for payment in payments
                ),
                "failure": self.failure(order).mapped("state"),
                "run line": (lines[order["id"]].state, lines[order["id"]].message),
            }
        return result

    def import_rolled_back(self, import_page, orders):
        """Import the page with ``import_page(run, items)``, and return the
        ledger it left and the jobs it queued; then undo it all."""
        try:
            with self.env.cr.savepoint():
                run, items = self.page()
                with trap_jobs() as trap:
                    import_page(run, copy.deepcopy(items))
                    queued = sorted(
                        (call.method.__name__, repr(call.args), repr(call.kwargs))
                        for call in trap.calls
                    )
                self.env.flush_all()
                ledger = self.ledger(run, orders)
                raise _RolledBack
        except _RolledBack:
            pass
        return ledger, queued

    def one_by_one(self, run, items):
        """Each listed order through its own import job, as alone."""
        for line_id, order in items:
            self.backend._import_order(
                int(order["id"]), run_line_id=line_id, prefetched=order
            )

    def as_page(self, run, items):
        """The page's job."""
        return self.backend._import_orders_page(items)

    # --- tests ----------------------------------------------------------------
    def test_a_page_in_one_batch_books_what_one_by_one_books(self):
        self.seed(3)
        # An order imported before its page: updated alone.
        already = self.posted[0]
        self.import_order(already)
        orders = [*self.posted, self.cancelled, self.disputed, self.pending]
        alone, alone_jobs = self.import_rolled_back(self.one_by_one, orders)
        with self.counted_invoices() as counts:
            batch, batch_jobs = self.import_rolled_back(self.as_page, orders)
        # One create for the page's new invoices (the pending order's draft
        # with the others) and one post for those it posts (the order
        # imported before is not written again); none other.
        # Their payments: one create too.
        self.assertEqual(counts, {"create": [5], "post": [4], "payments": [4]})
        for order in orders:
            with self.subTest(order=order["id"]):
                self.assertEqual(batch[order["id"]], alone[order["id"]])
        self.assertEqual(batch_jobs, alone_jobs)
        # What each order became, as the run shows it.
        outcomes = {oid: values["binding"][1] for oid, values in batch.items()}
        self.assertEqual(
            [outcomes[o["id"]] for o in orders],
            ["invoiced"] * 5 + ["skipped", "held", "draft"],
        )
        for order in self.posted[1:]:
            values = batch[order["id"]]
            self.assertEqual(values["invoice"][1], "posted")
            self.assertIn(values["invoice"][2], ("paid", "in_payment"))
            self.assertTrue(values["payments"])
            line = values["order chatter"][0][1]
            self.assertIn("invoice created; invoice posted", line)
        # The rounding BigCommerce charged, on its tax line.
        lines = batch[self.posted[2]["id"]]["lines"]
        tax = sum(line[8][2] for line in lines if line[0] == "tax")
        self.assertEqual(round(tax, 2), -0.74)

    def test_a_bad_order_is_left_out_of_the_batch(self):
        """An unknown SKU (held under the setting): the order is a failure
        record, the rest of its page one create and one post."""
        self.seed(4)
        self.simulator.state.add_product(sku="NOPE-2", name="Unknown", price="5.00")
        bad = self.order(lines=[{"sku": "NOPE-2", "quantity": 1}])
        run, items = self.page()
        with self.counted_invoices() as counts, trap_jobs():
            result = self.backend._import_orders_page(items)
        self.assertEqual(counts, {"create": [6], "post": [5], "payments": [5]})
        self.assertIn("6 invoiced in batches of the page", result)
        self.assertEqual(self.order_outcome(bad), "failed")
        self.assertIn("Unknown SKU 'NOPE-2'", self.failure(bad).reason)
        for order in self.posted:
            self.assertEqual(self.binding(order).move_id.state, "posted")
        run.invalidate_recordset()
        self.assertEqual(
            (run.done_count, run.skipped_count, run.failed_count, run.queued_count),
            (7, 1, 1, 0),
        )

    def test_an_order_left_out_is_imported_in_its_place(self):
        """An order left out of the batch (an unknown SKU, held) ends the
        batch before it, and the orders after it are a batch of their own:
        the invoices are numbered in the page's order, as one by one."""
        self.start = datetime(2025, 11, 20)
        self.hour = iter(range(1, 24))
        self.simulator.state.add_product(sku="NOPE-3", name="Unknown", price="5.00")
        before = [self.order(), self.order()]
        bad = self.order(lines=[{"sku": "NOPE-3", "quantity": 1}])
        after = [self.order(), self.order()]
        _run, items = self.page()
        self.assertEqual(
            [int(order["id"]) for _line, order in items],
            [order["id"] for order in [*before, bad, *after]],
        )
        with self.counted_invoices() as counts, trap_jobs():
            result = self.backend._import_orders_page(items)
        self.assertEqual(counts["create"], [2, 2])
        self.assertEqual(counts["post"], [2, 2])
        self.assertIn("4 order(s) imported, 1 failed", result)
        self.assertEqual(self.order_outcome(bad), "failed")
        invoices = [self.binding(order).move_id for order in [*before, *after]]
        self.assertEqual([invoice.state for invoice in invoices], ["posted"] * 4)
        names = [invoice.name for invoice in invoices]
        self.assertEqual(names, sorted(names))

    def test_a_batch_that_fails_falls_back_to_one_order_per_savepoint(self):
        """A plan whose tax is more than rounding away from Odoo's is refused
        once its invoice is written: the batch is rolled back, never posted,
        and each order imported alone: that one a failure, the others
        invoiced."""
        self.seed(5)
        bad = self.order(lines=[{"sku": "BOOK-1", "quantity": 1}])
        run, items = self.page()
        for _line_id, order in items:
            if order["id"] == bad["id"]:
                # The store charged a dollar more tax than its rate gives.
                for field in ("total_tax", "total_inc_tax"):
                    order[field] = str(Decimal(order[field]) + 1)
                line = order["consignments"]["shipping"][0]["line_items"][0]
                line["discounted_total_inc_tax"] = str(
                    Decimal(line["discounted_total_inc_tax"]) + 1
                )

        def taxes_plus_one(client, order_id):
            rows = REAL_GET_ORDER_TAXES(client, order_id)
            if order_id == bad["id"]:
                rows[0]["line_amount"] = str(Decimal(rows[0]["line_amount"]) + 1)
            return rows

        with (
            mock.patch.object(BigCommerceClient, "get_order_taxes", taxes_plus_one),
            self.counted_invoices() as counts,
            trap_jobs(),
            mute_logger("odoo.addons.bigcommerce_connector.components.importer"),
        ):
            result = self.backend._import_orders_page(items)
        # The batch's create, then one per order; the batch never posted.
        self.assertEqual(
            counts, {"create": [7] + [1] * 7, "post": [1] * 5, "payments": [1] * 5}
        )
        self.assertIn("one by one after a batch failed", result)
        self.assertEqual(self.order_outcome(bad), "failed")
        self.assertIn("is more than rounding", self.failure(bad).reason)
        self.assertFalse(
            self.env["account.move"].search([("ref", "=", str(bad["id"]))])
        )
        for order in self.posted:
            self.assertEqual(self.binding(order).move_id.state, "posted")
            self.assertFalse(self.failure(order))
        run.invalidate_recordset()
        self.assertEqual(
            (run.done_count, run.skipped_count, run.failed_count), (7, 1, 1)
        )

    def test_an_order_another_worker_imports_is_queued_alone(self):
        self.seed(6)
        busy = self.posted[1]["id"]
        lock_key = BigCommerceBinder(self.backend, "order").lock_key(busy)
        run, items = self.page()
        with self.counted_invoices() as counts, trap_jobs() as trap:
            with self.env.registry.cursor() as other_worker:
                other_worker.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key])
                self.backend._import_orders_page(items)
            (alone,) = trap._filtered_enqueued_jobs(self.backend._import_order)
        self.assertEqual(alone.args, (busy,))
        # The batch ends before the busy order and begins again after it.
        self.assertEqual(counts, {"create": [1, 4], "post": [1, 3], "payments": [1, 3]})
        self.assertFalse(self.binding(self.posted[1]))
        run.invalidate_recordset()
        self.assertEqual((run.done_count, run.queued_count), (6, 1))

    def test_invoices_are_numbered_in_the_page_s_order(self):
        """An order dated before orders of lower ids (created on the store
        after them: an order imported into BigCommerce) gets the number it
        gets one by one, the first of its day; so does a draft invoice the
        page posts, between the batches before and after it."""
        self.seed(7)
        early = self.add_order(date_created=self.start + timedelta(minutes=30))
        drafted = self.add_order(
            status_id=1, date_created=self.start + timedelta(hours=2, minutes=30)
        )
        self.import_order(drafted)
        self.assertEqual(self.binding(drafted).move_id.state, "draft")
        self.simulator.state.set_order_status(drafted["id"], 11)
        orders = [
            early,
            *self.posted[:2],
            drafted,
            *self.posted[2:],
            self.cancelled,
            self.disputed,
            self.pending,
        ]
        alone, _jobs = self.import_rolled_back(self.one_by_one, orders)
        with self.counted_invoices() as counts:
            batch, _jobs = self.import_rolled_back(self.as_page, orders)
        names = [batch[o["id"]]["invoice"][0] for o in orders[:7]]
        self.assertEqual(names, [alone[o["id"]]["invoice"][0] for o in orders[:7]])
        self.assertEqual(names, sorted(names))
        # Two batches around the draft posted alone, the first posted in two
        # runs, each numbered in the page's order.
        self.assertEqual(
            counts,
            {"create": [3, 4], "post": [1, 2, 1, 3], "payments": [3, 1, 3]},
        )
        for order in orders:
            with self.subTest(order=order["id"]):
                self.assertEqual(batch[order["id"]], alone[order["id"]])

    def test_a_transient_fault_in_the_batch_queues_that_order_alone(self):
        """The rate limit met while an order's payment is registered rolls
        the batch back; one by one, that order is queued alone, the others
        are invoiced."""
        self.seed(8)
        limited = self.posted[3]["id"]
        real_register = OrderImporter._register_payment

        def register_payment(importer):
            if importer.bigcommerce_id == limited:
                raise RetryableJobError("429 Too Many Requests", seconds=5)
            return real_register(importer)

        run, items = self.page()
        with (
            mock.patch.object(OrderImporter, "_register_payment", register_payment),
            trap_jobs() as trap,
        ):
            result = self.backend._import_orders_page(items)
            (alone,) = trap._filtered_enqueued_jobs(self.backend._import_order)
        self.assertEqual(alone.args, (limited,))
        self.assertIn("one by one after a batch failed", result)
        self.assertIn("1 queued alone after a transient fault", result)
        self.assertFalse(self.binding(self.posted[3]))
        for order in self.posted[:3] + self.posted[4:]:
            self.assertIn(
                self.binding(order).move_id.payment_state, ("paid", "in_payment")
            )
        run.invalidate_recordset()
        self.assertEqual((run.done_count, run.queued_count), (6, 1))
