# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Month-end reconciliation of one store and period: the store against the
ledger.

The store's side is read from BigCommerce's listings, 250 to a page: the
orders created in the period, and the refunds made in it. No order is read
alone. The ledger's side is the posted invoices and credit notes of the
period bound to the store, or in its sales journal, and the payments
reconciled with them. Each difference is listed with its cause and what
fixes it.

It changes nothing but the reconciliation's own record: the fixes are the
buttons of its lines, each through the normal import.
"""

import math
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce import BigCommerceRetryableError
from ..bigcommerce.const import MAX_PAGE_SIZE, ORDER_STATUSES
from ..bigcommerce.payments import ACTION_DRAFT, ACTION_HOLD, ACTION_POST
from ..bigcommerce.reconciliation import (
    ZERO,
    Totals,
    order_figures,
    refund_figures,
)
from ..bigcommerce.store_time import local_date
from .accounting import period_bounds, store_time_zone


def cents(currency, amount):
    """An Odoo amount, rounded by its currency, as ``Decimal``."""
    return Decimal(str(currency.round(amount or 0.0))).quantize(Decimal("0.01"))


class Reconciler:
    """Computes one reconciliation (``bigcommerce.reconciliation``)."""

    def __init__(self, reconciliation, progress=None):
        """:param reconciliation: the record to compute.
        :param progress: told ``progress(read, expected)`` after each page
            of orders read.
        """
        reconciliation.ensure_one()
        self.reconciliation = reconciliation
        self.backend = reconciliation.backend_id
        self.env = reconciliation.env
        self.date_from = reconciliation.date_from
        self.date_to = reconciliation.date_to
        self.tz = store_time_zone(self.backend) or None
        self.start, self.end = period_bounds(self.backend, self.date_from, self.date_to)
        #: Told how many orders are read, of how many, after each page:
        #: ``progress(read, expected)``.
        self.progress = progress or (lambda read, expected: None)
        #: API requests made, and order list pages read.
        self.calls = 0
        self.pages = 0
        self.orders = []
        self.refunds = []
        self.lines = []
        #: ``{currency name: Totals}`` of each side.
        self.store = defaultdict(Totals)
        self.ledger = defaultdict(Totals)
        #: ``{(journal id, currency name): [store amount, ledger amount, names]}``
        self.money = {}
        self.currencies = {}

    # --- the run ------------------------------------------------------------
    def run(self):
        """Read both sides and compare; returns what the record shows."""
        self._read_store()
        self._compare()
        return self._result()

    def _call(self, method, *args):
        """A BigCommerce call; a transient fault retries the job later."""
        try:
            return method(*args)
        except BigCommerceRetryableError as exc:
            seconds = (
                max(5, math.ceil(exc.retry_after))
                if exc.rate_limited and exc.retry_after
                else None
            )
            raise RetryableJobError(exc.message, seconds=seconds) from exc

    def _read_store(self):
        client = self.backend._get_client()
        request = client.request

        def counted(*args, **kwargs):
            self.calls += 1
            return request(*args, **kwargs)

        client.request = counted
        # BigCommerce's date filters include their bounds, to the second.
        until = self.end - timedelta(seconds=1)
        # The count says how far the listing has gone (the progress), and
        # spares the empty page that would end a list of full pages.
        expected = self._call(client.count_orders, self.start, until)
        self.progress(0, expected)
        page = 1
        while expected:
            listed = self._call(
                client.list_orders_with_lines, self.start, until, "date_created", page
            )
            self.pages += 1
            self.orders.extend(order_figures(order) for order in listed)
            self.progress(len(self.orders), expected)
            if len(listed) < MAX_PAGE_SIZE or len(self.orders) >= expected:
                break
            page += 1
        self.refunds = [
            refund_figures(refund)
            for refund in self._call(
                lambda: list(client.iter_refunds_created(self.start, until))
            )
        ]

    # --- the comparison -------------------------------------------------------
    def _currency(self, name):
        if name not in self.currencies:
            self.currencies[name] = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", name)], limit=1)
            )
        return self.currencies[name]

    def _in_period(self, day):
        return bool(day) and self.date_from <= day <= self.date_to

    def _expects_invoice(self, order):
        action = self.backend._status_action(order.status_id)
        return action in (ACTION_POST, ACTION_HOLD) or (
            action == ACTION_DRAFT and order.paid
        )

    def _difference(self, kind, cause, fix, **values):
        self.lines.append(dict(values, kind=kind, cause=cause, fix=fix))

    def _compare(self):
        env = self.env
        backend = self.backend
        failures = {
            (failure.record_type, failure.bigcommerce_id): failure
            for failure in env["bigcommerce.failure"].search(
                [("backend_id", "=", backend.id), ("state", "!=", "resolved")]
            )
        }
        self.failures = failures
        bindings = {
            binding.bigcommerce_id: binding
            for binding in env["bigcommerce.order"].search(
                [
                    ("backend_id", "=", backend.id),
                    ("bigcommerce_id", "in", [order.id for order in self.orders]),
                ]
            )
        }
        matched = env["account.move"]
        for order in self.orders:
            binding = bindings.get(order.id, env["bigcommerce.order"])
            if not self._expects_invoice(order):
                continue
            self.store[order.currency].add_order(order)
            matched |= self._compare_order(order, binding)
        matched |= self._compare_refunds()
        self._unmatched_entries(matched)

    def _compare_order(self, order, binding):
        """The differences of one order the status rules invoice; returns
        its posted invoice when it is in the period."""
        env = self.env
        move = binding.move_id
        common = {
            "bigcommerce_id": order.id,
            "order_id": binding.id,
            "move_id": move.id,
            "currency_id": self._currency(order.currency).id,
            "store_amount": float(order.total),
        }
        if not move or move.state != "posted":
            failure = self.failures.get(("order", str(order.id)))
            if failure:
                cause, fix = (
                    env._("Import failed: %(reason)s", reason=failure.reason),
                    "reprocess",
                )
                common["failure_id"] = failure.id
            elif binding.hold_reason:
                cause, fix = binding.hold_reason, "open_order"
            elif move:
                states = dict(move._fields["state"]._description_selection(env))
                cause, fix = (
                    env._(
                        "Its invoice %(invoice)s is %(state)s, not posted.",
                        invoice=move.display_name,
                        state=states[move.state].lower(),
                    ),
                    "open_invoice",
                )
            elif binding:
                cause, fix = (
                    env._(
                        "Imported as %(status)s, without an invoice; the store now "
                        "says %(now)s.",
                        status=binding.custom_status or binding.status or "-",
                        now=ORDER_STATUSES.get(order.status_id, order.status_id),
                    ),
                    "import_order",
                )
            else:
                cause, fix = (
                    env._(
                        "Never imported: no webhook nor catch-up brought it to Odoo."
                    ),
                    "import_order",
                )
            self._difference("missing_invoice", cause, fix, **common)
            return env["account.move"]
        currency = move.currency_id
        common["ledger_amount"] = move.amount_total
        if not self._in_period(move.invoice_date):
            self._difference(
                "other_period",
                env._(
                    "The order is of %(order_date)s, its invoice is dated "
                    "%(invoice_date)s, in another period: time zones or dates "
                    "disagree.",
                    order_date=local_date(order.date_created, self.tz),
                    invoice_date=move.invoice_date,
                ),
                "open_invoice",
                **common,
            )
            return env["account.move"]
        ledger = (
            cents(currency, move.amount_untaxed),
            cents(currency, move.amount_tax),
            cents(currency, move.amount_total),
        )
        store = (order.untaxed, order.tax, order.total)
        if currency.name != order.currency or ledger != store:
            figures = {
                "store": "/".join(str(v) for v in store) + f" {order.currency}",
                "ledger": "/".join(str(v) for v in ledger) + f" {currency.name}",
            }
            if (
                binding.date_modified
                and order.date_modified
                and order.date_modified > binding.date_modified
            ):
                cause = env._(
                    "The order changed on BigCommerce (%(when)s) after its invoice "
                    "was posted: untaxed/tax/total %(store)s on the store, "
                    "%(ledger)s on the invoice.",
                    when=order.date_modified,
                    **figures,
                )
            else:
                cause = env._(
                    "The invoice differs from the order: untaxed/tax/total "
                    "%(store)s on the store, %(ledger)s on the invoice.",
                    **figures,
                )
            # Its payment differs too, for the same cause: one line says it.
            self._difference("amount_changed", cause, "open_invoice", **common)
            return move
        self._compare_payment(order, binding, move, common)
        return move

    def _compare_payment(self, order, binding, move, common):
        env = self.env
        backend = self.backend
        if not order.paid or not order.gateway_total:
            return
        parts = order.gateway_parts or [(order.payment_method, order.gateway_total)]
        expected = defaultdict(Decimal)
        for method, amount in parts:
            journal = backend._payment_journal(method)
            expected[journal] += amount
            self._money(journal, order.currency, method, store=amount)
        payments = move._get_reconciled_payments().filtered(
            lambda p: p.state not in ("draft", "canceled", "rejected")
        )
        registered = defaultdict(Decimal)
        for payment in payments:
            amount = cents(payment.currency_id, payment.amount)
            registered[payment.journal_id] += amount
            self._money(
                payment.journal_id, payment.currency_id.name, None, ledger=amount
            )
        if not backend.register_payments:
            return
        store_total = sum(expected.values(), ZERO)
        ledger_total = sum(registered.values(), ZERO)
        values = dict(common, store_amount=float(store_total))
        if not payments:
            self._difference(
                "payment_missing",
                binding.payment_note
                or env._(
                    "BigCommerce reports %(amount)s %(currency)s paid by %(method)s; "
                    "no payment is registered on the invoice.",
                    amount=store_total,
                    currency=order.currency,
                    method=order.payment_method or "-",
                ),
                "import_order",
                **dict(values, ledger_amount=0.0),
            )
        elif ledger_total != store_total:
            values["ledger_amount"] = float(ledger_total)
            self._difference(
                "payment_amount",
                env._(
                    "BigCommerce reports %(store)s %(currency)s paid; %(ledger)s is "
                    "registered on the invoice.",
                    store=store_total,
                    ledger=ledger_total,
                    currency=order.currency,
                ),
                "open_invoice",
                **values,
            )
        elif order.gateway_parts is not None and {
            journal: amount for journal, amount in registered.items() if amount
        } != {journal: amount for journal, amount in expected.items() if amount}:
            values["ledger_amount"] = float(ledger_total)
            self._difference(
                "payment_journal",
                env._(
                    "Registered in %(ledger)s; the store's payment journals give "
                    "%(store)s for %(method)s.",
                    ledger=", ".join(j.name for j in registered),
                    store=", ".join(j.name for j in expected),
                    method=order.payment_method or "-",
                ),
                "open_invoice",
                journal_id=next(iter(registered)).id,
                **values,
            )

    def _money(self, journal, currency, name, store=ZERO, ledger=ZERO):
        row = self.money.setdefault((journal.id, currency), [ZERO, ZERO, set()])
        row[0] += store
        row[1] += ledger
        if name:
            row[2].add(name)

    def _refund_currency(self, refund, binding):
        return (
            binding.currency_id.name
            or binding.order_id.currency_id.name
            or self.backend.company_id.currency_id.name
        )

    def _compare_refunds(self):
        """The differences of the period's refunds; returns their posted
        credit notes of the period."""
        env = self.env
        backend = self.backend
        bindings = {
            binding.bigcommerce_id: binding
            for binding in env["bigcommerce.refund"].search(
                [
                    ("backend_id", "=", backend.id),
                    ("bigcommerce_id", "in", [refund.id for refund in self.refunds]),
                ]
            )
        }
        matched = env["account.move"]
        for refund in self.refunds:
            binding = bindings.get(refund.id, env["bigcommerce.refund"])
            currency_name = self._refund_currency(refund, binding)
            self.store[currency_name].add_refund(refund.total)
            for provider, amount in refund.paid_back:
                self._money(
                    backend._payment_journal(provider),
                    currency_name,
                    provider,
                    store=-amount,
                )
            move = binding.move_id
            common = {
                "bigcommerce_id": refund.id,
                "refund_id": binding.id,
                "order_id": binding.order_id.id,
                "move_id": move.id,
                "currency_id": self._currency(currency_name).id,
                "store_amount": float(refund.total),
            }
            cancel_move = binding.order_id.cancel_move_id
            if not move and cancel_move.state == "posted":
                # Credited by the reversal of its cancelled order's invoice.
                matched |= cancel_move
                continue
            if not move or move.state != "posted":
                failure = self.failures.get(("refund", str(refund.id)))
                if failure:
                    common["failure_id"] = failure.id
                    cause = env._("Import failed: %(reason)s", reason=failure.reason)
                    fix = "reprocess"
                elif binding.note:
                    cause, fix = binding.note, "import_refund"
                elif move:
                    cause = env._(
                        "Its credit note %(move)s is not posted.",
                        move=move.display_name,
                    )
                    fix = "open_invoice"
                else:
                    cause = env._(
                        "Never imported: no webhook nor catch-up brought this "
                        "refund of order #%(order)s to Odoo.",
                        order=refund.order_id,
                    )
                    fix = "import_refund"
                self._difference(
                    "missing_credit_note",
                    cause,
                    fix,
                    refund_order_bigcommerce_id=refund.order_id,
                    **common,
                )
                continue
            common["ledger_amount"] = move.amount_total
            if not self._in_period(move.invoice_date):
                self._difference(
                    "other_period",
                    env._(
                        "The refund is of %(refund_date)s, its credit note is "
                        "dated %(move_date)s, in another period.",
                        refund_date=local_date(refund.created, self.tz),
                        move_date=move.invoice_date,
                    ),
                    "open_invoice",
                    **common,
                )
                continue
            matched |= move
            if cents(move.currency_id, move.amount_total) != refund.total:
                self._difference(
                    "amount_changed",
                    env._(
                        "The credit note credits %(ledger)s; the refund gave back "
                        "%(store)s.",
                        ledger=cents(move.currency_id, move.amount_total),
                        store=refund.total,
                    ),
                    "open_invoice",
                    **common,
                )
        return matched

    def _ledger_domain(self, move_type):
        """The posted invoices (or credit notes) of the period that are the
        store's: bound to its orders or refunds, or in its sales journal."""
        backend = self.backend
        bound = (
            ("bigcommerce_order_ids.backend_id", "=", backend.id)
            if move_type == "out_invoice"
            else ("bigcommerce_refund_ids.backend_id", "=", backend.id)
        )
        cancel_ids = (
            self.env["bigcommerce.order"]
            .search([("backend_id", "=", backend.id), ("cancel_move_id", "!=", False)])
            .cancel_move_id.ids
        )
        own = ["|", bound, ("id", "in", cancel_ids)]
        if backend.journal_id:
            own = ["|", ("journal_id", "=", backend.journal_id.id), *own]
        return [
            ("company_id", "=", backend.company_id.id),
            ("move_type", "=", move_type),
            ("state", "=", "posted"),
            ("invoice_date", ">=", self.date_from),
            ("invoice_date", "<=", self.date_to),
            *own,
        ]

    def _unmatched_entries(self, matched):
        """The ledger's totals, and its entries the store does not explain."""
        env = self.env
        Move = env["account.move"]
        invoices = Move.search(self._ledger_domain("out_invoice"))
        credit_notes = Move.search(self._ledger_domain("out_refund"))
        for move in invoices | credit_notes:
            totals = self.ledger[move.currency_id.name]
            if move.move_type == "out_invoice":
                totals.count += 1
                totals.untaxed += cents(move.currency_id, move.amount_untaxed)
                totals.tax += cents(move.currency_id, move.amount_tax)
                totals.total += cents(move.currency_id, move.amount_total)
            else:
                totals.add_refund(cents(move.currency_id, move.amount_total))
            if move.move_type == "out_refund":
                for payment in move._get_reconciled_payments().filtered(
                    lambda p: p.state not in ("draft", "canceled", "rejected")
                ):
                    self._money(
                        payment.journal_id,
                        payment.currency_id.name,
                        None,
                        ledger=-cents(payment.currency_id, payment.amount),
                    )
            if move in matched:
                continue
            self._unmatched(move)
        self._charges(invoices)

    def _unmatched(self, move):
        env = self.env
        common = {
            "move_id": move.id,
            "currency_id": move.currency_id.id,
            "ledger_amount": move.amount_total,
        }
        order = move.sudo().bigcommerce_order_ids.filtered(
            lambda o: o.backend_id == self.backend
        )[:1] or self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id), ("cancel_move_id", "=", move.id)],
            limit=1,
        )
        refund = move.sudo().bigcommerce_refund_ids.filtered(
            lambda r: r.backend_id == self.backend
        )[:1]
        moment = refund.date_created if refund else order.date_created
        if refund or order:
            common.update(
                order_id=order.id or refund.order_id.id,
                refund_id=refund.id,
                bigcommerce_id=(refund or order).bigcommerce_id,
            )
        if order.cancel_move_id.state == "posted" and order.move_id.state == "posted":
            # An invoice and the credit note that reversed it, its order
            # cancelled on the store: they cancel out.
            return
        if moment and not (self.start <= moment < self.end):
            self._difference(
                "other_period",
                env._(
                    "%(move)s is dated %(move_date)s, but its %(what)s is of "
                    "%(date)s, in another period: time zones or dates disagree.",
                    move=move.display_name,
                    move_date=move.invoice_date,
                    what=env._("refund") if refund else env._("order"),
                    date=local_date(moment, self.tz),
                ),
                "open_invoice",
                **common,
            )
        elif order or refund:
            self._difference(
                "no_counterpart",
                env._(
                    "%(move)s has no counterpart in the store's figures of the "
                    "period: the store says its order is %(status)s.",
                    move=move.display_name,
                    status=order.custom_status or order.status or "-",
                ),
                "open_invoice",
                **common,
            )
        else:
            self._difference(
                "no_counterpart",
                env._(
                    "%(move)s is in the store's sales journal but comes from no "
                    "BigCommerce order or refund: made by hand?",
                    move=move.display_name,
                ),
                "open_invoice",
                **common,
            )

    def _charges(self, invoices):
        """Shipping, discounts and fees of the ledger's invoices, from the
        lines on the store's shipping, discount and fees accounts."""
        backend = self.backend
        for field_name, attribute, sign in (
            ("shipping_account_id", "shipping", 1),
            ("discount_account_id", "discount", -1),
            ("fee_account_id", "fees", 1),
        ):
            account = backend[field_name]
            if not account or not invoices:
                continue
            groups = self.env["account.move.line"]._read_group(
                [
                    ("move_id", "in", invoices.ids),
                    ("account_id", "=", account.id),
                    ("display_type", "=", "product"),
                ],
                ["currency_id"],
                ["price_subtotal:sum"],
            )
            for currency, amount in groups:
                totals = self.ledger[currency.name]
                setattr(
                    totals,
                    attribute,
                    getattr(totals, attribute) + sign * cents(currency, amount),
                )

    # --- what the record shows ------------------------------------------------
    def _main_currency(self):
        counts = {name: totals.count for name, totals in self.store.items()}
        if counts:
            return max(sorted(counts), key=lambda name: counts[name])
        return self.backend.company_id.currency_id.name

    def _result(self):
        main = self._main_currency()
        store = self.store.get(main, Totals())
        ledger = self.ledger.get(main, Totals())
        figures = []
        by_status = defaultdict(int)
        for order in self.orders:
            by_status[order.status_id] += 1
        for status_id, count in sorted(by_status.items()):
            figures.append(
                {
                    "section": "status",
                    "label": ORDER_STATUSES.get(status_id, str(status_id)),
                    "store_count": count,
                }
            )
        measures = (
            ("untaxed", self.env._("Untaxed")),
            ("tax", self.env._("Tax")),
            ("total", self.env._("Sales total")),
            ("shipping", self.env._("Shipping (untaxed)")),
            ("discount", self.env._("Discounts")),
            ("fees", self.env._("Fees (untaxed)")),
            ("refunds", self.env._("Refunds")),
            ("net", self.env._("Net")),
        )
        for name in sorted(set(self.store) | set(self.ledger)):
            currency = self._currency(name)
            store_totals = self.store.get(name, Totals())
            ledger_totals = self.ledger.get(name, Totals())
            figures.append(
                {
                    "section": "sales",
                    "label": self.env._("Orders / invoices"),
                    "currency_id": currency.id,
                    "store_count": store_totals.count,
                    "ledger_count": ledger_totals.count,
                }
            )
            figures.append(
                {
                    "section": "sales",
                    "label": self.env._("Refunds / credit notes"),
                    "currency_id": currency.id,
                    "store_count": store_totals.refund_count,
                    "ledger_count": ledger_totals.refund_count,
                }
            )
            for attribute, label in measures:
                figures.append(
                    {
                        "section": "sales",
                        "label": label,
                        "currency_id": currency.id,
                        "store_amount": float(getattr(store_totals, attribute)),
                        "ledger_amount": float(getattr(ledger_totals, attribute)),
                    }
                )
        journals = self.env["account.journal"]
        for (journal_id, name), (store_amount, ledger_amount, names) in sorted(
            self.money.items(), key=lambda item: (item[0][0] or 0, item[0][1])
        ):
            journal = journals.browse(journal_id)
            figures.append(
                {
                    "section": "money",
                    "label": ", ".join(sorted(names)) or journal.name or "-",
                    "currency_id": self._currency(name).id,
                    "journal_id": journal.id,
                    "account_id": self._clearing_account(journal).id,
                    "store_amount": float(store_amount),
                    "ledger_amount": float(ledger_amount),
                }
            )
        return {
            "currency_id": self._currency(main).id,
            "order_count": len(self.orders),
            "invoiced_order_count": sum(t.count for t in self.store.values()),
            "refund_count": len(self.refunds),
            "api_calls": self.calls,
            "pages_read": self.pages,
            "store_total": float(store.total),
            "store_untaxed": float(store.untaxed),
            "store_tax": float(store.tax),
            "store_refunds": float(store.refunds),
            "store_net": float(store.net),
            "ledger_total": float(ledger.total),
            "ledger_untaxed": float(ledger.untaxed),
            "ledger_tax": float(ledger.tax),
            "ledger_refunds": float(ledger.refunds),
            "ledger_net": float(ledger.net),
            "invoice_count": sum(t.count for t in self.ledger.values()),
            "credit_note_count": sum(t.refund_count for t in self.ledger.values()),
            # The headline currency first.
            "totals": {
                name: self.store[name].total
                for name in sorted(self.store, key=lambda name: (name != main, name))
            },
            "figures": figures,
            "lines": self.lines,
        }

    def _clearing_account(self, journal):
        """The account a payout of ``journal`` empties: where its incoming
        payments wait for the bank (outstanding receipts)."""
        if not journal:
            return self.env["account.account"]
        line = journal.inbound_payment_method_line_ids.filtered("payment_account_id")[
            :1
        ]
        return line.payment_account_id or journal.default_account_id
