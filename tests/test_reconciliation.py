# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Month-end reconciliation: the store's figures of a period against the
ledger's, every difference found with its cause, its cost in API calls."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from unittest import mock

from odoo import Command
from odoo.tests import TransactionCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import BigCommerceAccountingCase, CommittedStoreMixin, start_simulator


class ReconciliationMixin:
    """Helpers: orders of April, the reconciliation run as its job.

    The class's simulator keeps every test's orders: each test has a year
    of its own (``year``), so no test sees another's orders.
    """

    year = 2026

    @property
    def april_period(self):
        return (date(self.year, 4, 1), date(self.year, 4, 30))

    @property
    def may_period(self):
        return (date(self.year, 5, 1), date(self.year, 5, 31))

    def april(self, day, hour=12, minute=0):
        return datetime(self.year, 4, day, hour, minute)

    def reconcile(self, period=None, reconciliation=None):
        """Create (or compute again) a reconciliation through its job."""
        reconciliation = reconciliation or self.env[
            "bigcommerce.reconciliation"
        ].create(
            {
                "backend_id": self.backend.id,
                "date_from": (period or self.april_period)[0],
                "date_to": (period or self.april_period)[1],
            }
        )
        with trap_jobs() as trap:
            reconciliation.action_compute()
            trap.assert_jobs_count(1, only=reconciliation._reconcile)
            self.assertEqual(reconciliation.state, "queued")
            trap.perform_enqueued_jobs()
        return reconciliation

    def differences(self, reconciliation):
        return sorted(
            (line.kind, line.bigcommerce_id) for line in reconciliation.line_ids
        )

    def line(self, reconciliation, kind, bigcommerce_id=None):
        lines = reconciliation.line_ids.filtered(
            lambda line: (
                line.kind == kind
                and (bigcommerce_id is None or line.bigcommerce_id == bigcommerce_id)
            )
        )
        self.assertEqual(len(lines), 1, f"one {kind} line for {bigcommerce_id}")
        return lines

    def store_total(self, *orders):
        return sum((Decimal(order["total_inc_tax"]) for order in orders), Decimal(0))

    def edit_order(self, order, at, **values):
        """The merchant edits ``order`` on the store: it becomes an order
        made of ``values``, with its id, date and customer."""
        state = self.simulator.state
        edited = self.add_order(**values)
        with state.lock:
            record = state.orders.pop(edited["id"])
            original = state.orders[order["id"]]
            record.data.update(
                id=order["id"],
                date_created=original.data["date_created"],
                date_modified=state._at(at),
                cart_id=original.data["cart_id"],
            )
            for rows in (
                record.products,
                record.shipping_addresses,
                record.coupons,
                record.taxes,
            ):
                for row in rows:
                    if "order_id" in row:
                        row["order_id"] = order["id"]
            state.orders[order["id"]] = record
        return state.render_order(order["id"])

    def hand_invoice(self, day, amount=40.0):
        """An invoice made by hand in the store's sales journal."""
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.partner_a.id,
                "journal_id": self.backend.journal_id.id,
                "invoice_date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Counter sale",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def redate(self, move, day):
        """The accountant dates a posted invoice again, and reconciles its
        payment with it again."""
        payments = move._get_reconciled_payments()
        move.button_draft()
        move.invoice_date = day
        move.action_post()
        for line in payments.move_id.line_ids.filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
        ):
            move.js_assign_outstanding_line(line.id)

    def pay_by_hand(self, move, amount, journal):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create(
            {
                "journal_id": journal.id,
                "amount": amount,
                "payment_date": move.invoice_date,
                "payment_difference_handling": "open",
            }
        )._create_payments()

    def make_every_difference(self):
        """A period with one difference of each kind; returns what made them."""
        self.simulator.state.add_product(
            sku="LAMP-1", name="Desk lamp", price="40.00", tax_rate="0.0825"
        )
        failed = self.add_order(
            date_created=self.april(2), lines=[{"sku": "LAMP-1", "quantity": 1}]
        )
        self.import_order(failed, expect="failed")
        never = self.add_order(date_created=self.april(3))
        changed = self.add_order(date_created=self.april(4))
        self.import_order(changed)
        self.edit_order(
            changed,
            datetime(self.year, 4, 6),
            lines=[{"sku": "MUG-BLK", "quantity": 3}],
        )
        refunded = self.add_order(date_created=self.april(5))
        self.import_order(refunded)
        refund = self.simulator.state.add_refund(
            refunded["id"], [self.refund_item(refunded)], created=self.april(7)
        )
        self.backend.register_payments = False
        unpaid, partly, elsewhere = (
            self.add_order(date_created=self.april(day)) for day in (8, 9, 10)
        )
        for order in (unpaid, partly, elsewhere):
            self.import_order(order)
        self.backend.register_payments = True
        bank = self.company_data["default_journal_bank"]
        other_bank = bank.copy({"code": "OBNK"})
        other_bank.name = "Other bank"
        self.pay_by_hand(self.binding(partly).move_id, 10.0, bank)
        self.pay_by_hand(
            self.binding(elsewhere).move_id,
            float(elsewhere["total_inc_tax"]),
            other_bank,
        )
        by_hand = self.hand_invoice(date(self.year, 4, 12))
        late = self.add_order(date_created=self.april(28))
        self.import_order(late)
        self.redate(self.binding(late).move_id, date(self.year, 5, 2))
        may = self.add_order(date_created=datetime(self.year, 5, 3, 9))
        self.import_order(may)
        self.redate(self.binding(may).move_id, date(self.year, 4, 29))

        return {
            "failed": failed,
            "never": never,
            "changed": changed,
            "refunded": refunded,
            "refund": refund,
            "unpaid": unpaid,
            "partly": partly,
            "elsewhere": elsewhere,
            "by_hand": by_hand,
            "late": late,
            "may": may,
            "bank": bank,
            "other_bank": other_bank,
        }

    def refund_item(self, order, quantity=1):
        line = self.simulator.state.order_products(order["id"])[0]
        return {"item_type": "PRODUCT", "item_id": line["id"], "quantity": quantity}

    def import_refund(self, refund):
        return self.backend._import_refund(refund["id"], refund["order_id"])


@tagged("post_install", "-at_install")
class TestReconciliation(ReconciliationMixin, BigCommerceAccountingCase):
    def test_clean_period_says_so_in_one_line(self):
        self.year = 2021
        first = self.add_order(date_created=self.april(3))
        second = self.add_order(
            date_created=self.april(20),
            lines=[{"sku": "BOOK-1", "quantity": 1}],
            shipping="5.00",
            coupons=[{"code": "SAVE5", "type": 2, "amount": "5.00"}],
        )
        march = self.add_order(date_created=datetime(self.year, 3, 31, 12))
        for order in (first, second, march):
            self.import_order(order)
        refund = self.simulator.state.add_refund(
            first["id"], [self.refund_item(first)], created=self.april(25)
        )
        self.import_refund(refund)
        moves = self.env["account.move"].search_count([])
        requests = len(self.simulator.requests)

        reconciliation = self.reconcile()

        self.assertEqual(reconciliation.state, "done")
        self.assertEqual(self.differences(reconciliation), [])
        self.assertTrue(reconciliation.is_clean)
        total = self.store_total(first, second)
        self.assertEqual(
            reconciliation.summary,
            f"April {self.year}: 2 orders, USD {total:,.2f}, ledger equal to the store",
        )
        self.assertEqual(reconciliation.order_count, 2)
        self.assertEqual(reconciliation.refund_count, 1)
        self.assertEqual(reconciliation.invoice_count, 2)
        self.assertEqual(reconciliation.credit_note_count, 1)
        self.assertEqual(reconciliation.store_total, float(total))
        self.assertEqual(reconciliation.ledger_total, float(total))
        self.assertEqual(
            reconciliation.store_refunds, float(Decimal(refund["total_amount"]))
        )
        self.assertEqual(reconciliation.ledger_refunds, reconciliation.store_refunds)
        self.assertEqual(reconciliation.net_difference, 0.0)
        sales = reconciliation.figure_ids.filtered(lambda f: f.section == "sales")
        self.assertTrue(sales)
        self.assertFalse(sales.filtered("difference"))
        money = reconciliation.figure_ids.filtered(lambda f: f.section == "money")
        self.assertTrue(money)
        self.assertFalse(money.filtered("difference"))
        self.assertTrue(money.journal_id)
        self.assertTrue(money.account_id, "the clearing account a payout empties")
        # Read-only: the count, one order page and one refund page, nothing
        # written.
        self.assertEqual(reconciliation.api_calls, 3)
        self.assertEqual(
            [r["method"] for r in self.simulator.requests[requests:]],
            ["GET", "GET", "GET"],
        )
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(self.backend.last_reconciliation_id, reconciliation)

    def test_every_difference_is_found_with_its_cause(self):
        self.year = 2022
        made = self.make_every_difference()
        failed, never, changed, refunded, refund = (
            made[name] for name in ("failed", "never", "changed", "refunded", "refund")
        )
        unpaid, partly, elsewhere, by_hand, late, may, other_bank = (
            made[name]
            for name in (
                "unpaid",
                "partly",
                "elsewhere",
                "by_hand",
                "late",
                "may",
                "other_bank",
            )
        )
        reconciliation = self.reconcile()

        self.assertEqual(
            self.differences(reconciliation),
            sorted(
                [
                    ("missing_invoice", failed["id"]),
                    ("missing_invoice", never["id"]),
                    ("amount_changed", changed["id"]),
                    ("missing_credit_note", refund["id"]),
                    ("payment_missing", unpaid["id"]),
                    ("payment_amount", partly["id"]),
                    ("payment_journal", elsewhere["id"]),
                    ("no_counterpart", 0),
                    ("other_period", late["id"]),
                    ("other_period", may["id"]),
                ]
            ),
        )
        self.assertFalse(reconciliation.is_clean)
        self.assertIn("10 difference(s)", reconciliation.summary)

        line = self.line(reconciliation, "missing_invoice", failed["id"])
        self.assertEqual(line.fix, "reprocess")
        self.assertEqual(line.failure_id, self.failure(failed))
        self.assertIn("LAMP-1", line.cause)
        line = self.line(reconciliation, "missing_invoice", never["id"])
        self.assertEqual(line.fix, "import_order")
        self.assertIn("Never imported", line.cause)
        line = self.line(reconciliation, "amount_changed", changed["id"])
        self.assertEqual(line.fix, "open_invoice")
        self.assertIn("changed on BigCommerce", line.cause)
        self.assertEqual(line.move_id, self.binding(changed).move_id)
        line = self.line(reconciliation, "missing_credit_note", refund["id"])
        self.assertEqual(line.fix, "import_refund")
        self.assertIn(f"order #{refunded['id']}", line.cause)
        line = self.line(reconciliation, "payment_missing", unpaid["id"])
        self.assertEqual(line.fix, "import_order")
        self.assertIn("no payment is registered", line.cause)
        line = self.line(reconciliation, "payment_amount", partly["id"])
        self.assertIn("10.00 is registered", line.cause)
        line = self.line(reconciliation, "payment_journal", elsewhere["id"])
        self.assertIn("Other bank", line.cause)
        self.assertEqual(line.journal_id, other_bank)
        line = self.line(reconciliation, "no_counterpart")
        self.assertEqual(line.move_id, by_hand)
        self.assertIn("made by hand", line.cause)
        line = self.line(reconciliation, "other_period", late["id"])
        self.assertIn(f"{self.year}-05-02", line.cause)
        line = self.line(reconciliation, "other_period", may["id"])
        self.assertIn("another period", line.cause)
        # The ledger's figures are the ledger's: the hand-made invoice and
        # May's order's invoice are in them, April's late one is not.
        ledger = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("invoice_date", ">=", self.april_period[0]),
                ("invoice_date", "<=", self.april_period[1]),
                ("journal_id", "=", self.backend.journal_id.id),
            ]
        )
        self.assertEqual(reconciliation.invoice_count, len(ledger))
        self.assertAlmostEqual(
            reconciliation.ledger_total, sum(ledger.mapped("amount_total")), 2
        )

    def test_orders_at_2330_on_the_last_day_of_the_month(self):
        self.year = 2023
        last = self.add_order(date_created=self.april(30, 23, 30))
        first_of_may = self.add_order(date_created=datetime(self.year, 5, 1, 0, 0))
        end_of_may = self.add_order(date_created=datetime(self.year, 5, 31, 23, 30))
        for order in (last, first_of_may, end_of_may):
            self.import_order(order)
        april_reconciliation = self.reconcile(self.april_period)
        may_reconciliation = self.reconcile(self.may_period)
        self.assertEqual(april_reconciliation.order_count, 1)
        self.assertEqual(
            april_reconciliation.store_total, float(self.store_total(last))
        )
        self.assertTrue(april_reconciliation.is_clean)
        self.assertEqual(may_reconciliation.order_count, 2)
        self.assertTrue(may_reconciliation.is_clean)
        self.assertEqual(
            may_reconciliation.ledger_total,
            float(self.store_total(first_of_may, end_of_may)),
        )

    def test_store_time_zone_moves_the_period_with_its_late_invoices(self):
        """In New York, 23:30 on 30 April is 03:30 on 1 May in UTC: the order
        is April's, and so is its invoice (dated in the store's time zone)."""
        self.year = 2024
        self.backend.timezone = "America/New_York"
        late = self.add_order(date_created=datetime(self.year, 5, 1, 3, 30))
        self.import_order(late)
        self.assertEqual(
            self.binding(late).move_id.invoice_date, date(self.year, 4, 30)
        )
        april_reconciliation = self.reconcile(self.april_period)
        may_reconciliation = self.reconcile(self.may_period)
        self.assertEqual(april_reconciliation.order_count, 1)
        self.assertEqual(self.differences(april_reconciliation), [])
        self.assertTrue(april_reconciliation.is_clean)
        self.assertEqual(may_reconciliation.order_count, 0)
        self.assertEqual(self.differences(may_reconciliation), [])

    def test_multi_currency_period_is_compared_in_each_order_s_currency(self):
        self.year = 2025
        eur = self.setup_other_currency("EUR")
        usd_orders = [self.add_order(date_created=self.april(day)) for day in (2, 3)]
        eur_order = self.add_order(
            date_created=self.april(4), currency="EUR", exchange_rate="0.92"
        )
        for order in (*usd_orders, eur_order):
            self.import_order(order)
        self.assertEqual(self.binding(eur_order).move_id.currency_id, eur)
        reconciliation = self.reconcile()
        self.assertEqual(self.differences(reconciliation), [])
        self.assertEqual(reconciliation.currency_id.name, "USD")
        self.assertEqual(
            reconciliation.store_total, float(self.store_total(*usd_orders))
        )
        eur_total = self.store_total(eur_order)
        self.assertEqual(
            reconciliation.summary,
            f"April {self.year}: 3 orders, USD {self.store_total(*usd_orders):,.2f} + "
            f"EUR {eur_total:,.2f}, ledger equal to the store",
        )
        eur_sales = reconciliation.figure_ids.filtered(
            lambda f: (
                f.section == "sales"
                and f.currency_id == eur
                and f.label == "Sales total"
            )
        )
        self.assertEqual(eur_sales.store_amount, float(eur_total))
        self.assertEqual(eur_sales.ledger_amount, float(eur_total))


@tagged("post_install", "-at_install")
class TestReconciliationApiCalls(ReconciliationMixin, BigCommerceAccountingCase):
    def test_api_calls_on_a_1000_order_period(self):
        """One list page per 250 orders, one for the refunds, and no call
        per order, even when every order is a difference."""
        self.year = 2019
        for index in range(1000):
            self.simulator.state.add_order(
                customer_id=self.customer["id"],
                lines=[{"sku": "MUG-BLK", "quantity": 1}],
                date_created=self.april(1 + index % 28, index % 24),
            )
        requests = len(self.simulator.requests)
        reconciliation = self.reconcile()
        self.assertEqual(reconciliation.order_count, 1000)
        # The count, four full pages (the count says the list ended there),
        # the refunds.
        self.assertEqual(reconciliation.pages_read, 4)
        self.assertEqual(reconciliation.api_calls, 6)
        self.assertEqual(len(self.simulator.requests) - requests, 6)
        self.assertLessEqual(reconciliation.calls_per_order, 0.006)
        self.assertEqual(
            {line.kind for line in reconciliation.line_ids}, {"missing_invoice"}
        )
        self.assertEqual(len(reconciliation.line_ids), 1000)


@tagged("post_install", "-at_install")
class TestReconciliationFees(ReconciliationMixin, BigCommerceAccountingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend.fee_account_id = cls.env["account.account"].create(
            {"code": "700410", "name": "Fees income", "account_type": "income"}
        )

    def test_fees_are_a_figure_of_both_sides(self):
        self.year = 2018
        order = self.add_order(
            date_created=self.april(10),
            fees=[
                {"name": "Package protection", "amount": "2.00"},
                {"name": "Service fee", "amount": "1.50"},
            ],
        )
        self.import_order(order)
        reconciliation = self.reconcile()
        self.assertTrue(reconciliation.is_clean, self.differences(reconciliation))
        (fees,) = reconciliation.figure_ids.filtered(
            lambda figure: figure.label == "Fees (untaxed)"
        )
        self.assertEqual((fees.store_amount, fees.ledger_amount), (3.5, 3.5))
        # A fee booked elsewhere by hand shows on the ledger's side only.
        invoice = (
            self.env["bigcommerce.order"]
            .search([("bigcommerce_id", "=", order["id"])])
            .move_id
        )
        fee_line = invoice.invoice_line_ids.filtered(
            lambda line: line.account_id == self.backend.fee_account_id
        )[:1]
        self.assertTrue(fee_line)
        self.backend.fee_account_id = self.env["account.account"].create(
            {"code": "700411", "name": "Other fees", "account_type": "income"}
        )
        again = self.reconcile(reconciliation=reconciliation)
        (fees,) = again.figure_ids.filtered(
            lambda figure: figure.label == "Fees (untaxed)"
        )
        self.assertEqual((fees.store_amount, fees.ledger_amount), (3.5, 0.0))
        self.assertEqual(fees.difference, 3.5)


PROGRESS_RUN = uuid.uuid4().hex[:8]
PROGRESS_STORE_HASH = f"progress{PROGRESS_RUN}"


@tagged("post_install", "-at_install")
class TestReconciliationProgress(CommittedStoreMixin, TransactionCase):
    """The job's progress is seen from other connections while it runs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_simulator(cls, store_hash=PROGRESS_STORE_HASH, quota=None)
        state = cls.simulator.state
        state.add_product(sku="PROGRESS-1", name="Progress mug", price="4.00")
        for index in range(260):
            state.add_order(
                lines=[{"sku": "PROGRESS-1", "quantity": 1}],
                date_created=datetime(2017, 4, 1 + index % 28, index % 24),
            )

    def test_each_page_read_is_seen_while_the_job_runs(self):
        self.create_committed_store("Progress store", PROGRESS_STORE_HASH)
        with self.committed_env() as env:
            reconciliation_id = (
                env["bigcommerce.reconciliation"]
                .create(
                    {
                        "backend_id": self.backend_id,
                        "date_from": date(2017, 4, 1),
                        "date_to": date(2017, 4, 30),
                        "state": "queued",
                    }
                )
                .id
            )
        Reconciliation = self.registry["bigcommerce.reconciliation"]
        report = Reconciliation._report_progress
        seen = []

        def report_and_look(reconciliation, read, expected):
            report(reconciliation, read, expected)
            # Another connection (a user's form) while the job's transaction
            # is still open.
            with self.committed_env() as other:
                record = other["bigcommerce.reconciliation"].browse(reconciliation_id)
                seen.append((record.progress_message, round(record.progress)))

        with (
            mock.patch.object(Reconciliation, "_report_progress", report_and_look),
            self.committed_env() as env,
        ):
            reconciliation = env["bigcommerce.reconciliation"].browse(reconciliation_id)
            reconciliation._reconcile()
            self.assertEqual(reconciliation.state, "done")
        self.assertEqual(
            seen,
            [
                ("0 of 260 orders read from the store", 0),
                ("250 of 260 orders read from the store", 96),
                ("260 of 260 orders read from the store", 100),
            ],
        )
        with self.committed_env() as env:
            done = env["bigcommerce.reconciliation"].browse(reconciliation_id)
            self.assertEqual((done.order_count, done.pages_read), (260, 2))
            # Done: the form no longer shows a progress.
            self.assertFalse(done.progress_message)
