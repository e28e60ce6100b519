# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refunds become credit notes; invoiced orders cancelled on the store are
reversed or raised.

- :class:`RefundImporter`: one refund, one credit note (``out_refund``)
  reversing part of its order's invoice, line by line, bound to the refund
  through ``bigcommerce.refund``. A refund whose order is not imported yet
  imports it first, in the same job; when the order cannot be invoiced yet,
  the refund waits (a binding without credit note) and is credited as soon as
  the order's import succeeds.
- the refunds created since the last run, for missed webhooks, are the
  refund catch-up's (``batch_importer.py``).

What an order's import does for its refunds, and for a cancellation after
invoicing, is in ``order_refunds.py``.
"""

from odoo import Command

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.labels import provider_label
from ..bigcommerce.mapping import (
    KIND_PRODUCT,
    MappingError,
    cents,
    clean_payload,
    money,
    with_fee_taxes,
)
from ..bigcommerce.refunds import (
    KIND_ORDER_LEVEL,
    PART_LABELS,
    CreditLedger,
    part_key,
    refund_to_credit_note_plan,
)
from . import kinds
from .accounting import CHARGE_ACCOUNTS, AccountingResolver, same_rate, store_date
from .importer import BigCommerceImporter
from .order_importer import OrderImporter
from .order_refunds import note_cancellation
from .payment_registrar import PaymentNotRegistered, RefundPaymentRegistrar
from .products import booked_line, order_as_booked


class RefundImporter(BigCommerceImporter):
    """One refund: one API call for the refund, two for its order's lines and
    taxes (none when this job just imported the order), one credit note."""

    kind = "refund"
    binding_model = "bigcommerce.refund"

    def __init__(self, backend, refund_id, order_id=None, pay_again=False):
        """:param refund_id: the refund's BigCommerce id.
        :param order_id: its order's, when the caller knows it (the refund
            says it anyway).
        :param pay_again: register the money of a refund credited already
            whose credit note waits for it (:meth:`_payment_left_open`);
            otherwise a refund credited already costs no call.
        """
        super().__init__(backend, int(refund_id))
        self.order_id = int(order_id) if order_id else None
        self.pay_again = pay_again
        #: Whether this import registers such money (:meth:`_fetch`).
        self.paying_again = False
        self.accounting = AccountingResolver(backend)
        # The order and the invoice the refund credits (:meth:`_fetch`).
        self.order_binding = self.env["bigcommerce.order"]
        self.invoice = self.env["account.move"]
        #: What this job's import of the order came to, when it ran one.
        self.order_outcome = None
        #: Why there is nothing to credit yet, if so.
        self.waiting = None
        #: Whether this job bound the refund to the reversal of its
        #: cancelled order (:meth:`_bind_skipped`).
        self.covered_now = False
        # What the credit note is written with (:meth:`_validate`).
        self.credit_lines = []
        self.tax_by_rate = {}
        self.credit_note = self.env["account.move"]

    def _label(self):
        """``Refund #<id>``, as the job's result and the log say it."""
        return f"Refund #{self.bigcommerce_id}"

    # --- fetch and skip -----------------------------------------------------
    def _fetch(self):
        """Read the refund, its order's invoice (importing the order first
        when it has none), and the order with its tax rows; nothing for a
        refund credited already, unless asked to register the money its
        credit note waits for (:attr:`pay_again`): then the refund alone."""
        self.binding = self.binder.to_binding(self.bigcommerce_id)
        if self.binding.move_id:
            if self.pay_again and self._payment_left_open():
                refund = clean_payload(
                    self._call(self.client.get_refund, self.bigcommerce_id)
                )
                # A refund the store no longer has: nothing to register.
                self.paying_again = bool(refund)
                if refund:
                    self.fetched["refund"] = refund
            return  # credited already: not even a call to the store
        refund = clean_payload(self._call(self.client.get_refund, self.bigcommerce_id))
        if not refund:
            raise MappingError(
                self.env._("BigCommerce has no refund #%(id)s.", id=self.bigcommerce_id)
            )
        self.fetched["refund"] = refund
        self.order_id = int(refund["order_id"])
        self.order_binding, fetched = self._invoiced_order()
        self.invoice = self.order_binding.move_id
        self.waiting = self._waiting_reason()
        if self.waiting:
            return
        if fetched:
            # This job just imported the order: its answer serves again.
            self.fetched["order"], self.fetched["taxes"] = fetched
        else:
            order = clean_payload(self._call(self.client.get_order, self.order_id))
            self.fetched["order"] = order
            # The rows cannot name a fee: the fees' are worked out.
            self.fetched["taxes"] = with_fee_taxes(
                order,
                clean_payload(self._call(self.client.get_order_taxes, self.order_id)),
                self.accounting.store_tax_rates(),
            )

    def _invoiced_order(self):
        """The order's binding, importing the order first when it has no
        invoice yet (what that import came to is :attr:`order_outcome`).

        :return: ``(binding, fetched)``, ``fetched`` the order and its tax
            rows as this import of the order read them, else ``None``.
        """
        binder = kinds.binder(self.backend, "order")
        binding = binder.to_binding(self.order_id)
        fetched = None
        if not binding.move_id:
            # The order's import queues the refunds it has; not this one.
            importer = OrderImporter(
                self.backend.with_context(
                    bigcommerce_crediting_refund=self.bigcommerce_id
                ),
                self.order_id,
            )
            self.order_outcome = importer.run()
            binding = binder.to_binding(self.order_id)
            if binding.move_id and "taxes" in importer.fetched:
                fetched = (importer.fetched["order"], importer.fetched["taxes"])
        return binding, fetched

    def _waiting_reason(self):
        """Why the order's invoice cannot be credited yet (none, or
        cancelled), or ``None``."""
        if not self.invoice:
            return self.env._(
                "Order #%(order)s has no invoice to credit yet (%(outcome)s). The "
                "refund is credited as soon as the order is invoiced.",
                order=self.order_id,
                outcome=self.order_outcome,
            )
        if self.invoice.state == "cancel":
            return self.env._(
                "The invoice of order #%(order)s is cancelled: there is nothing "
                "to credit.",
                order=self.order_id,
            )
        return None

    def _must_skip(self):
        """A refund credited already, covered by the reversal of its
        cancelled order's invoice, or waiting for an invoice, gets no credit
        note of its own: the sentence says why (``""`` otherwise)."""
        if self.binding.move_id:
            return self.env._(
                "%(refund)s is already credited by %(move)s.",
                refund=self._label(),
                move=self.binding.move_id.display_name,
            )
        note = self._binding_note()
        return f"{self._label()}: {note}" if note else ""

    def _binding_note(self):
        """What the binding of a refund without a credit note of its own
        says: the reversal that covers it, or why it waits (``""`` for a
        refund to credit)."""
        reversal = self.order_binding.cancel_move_id
        if reversal:
            # The order was cancelled and its invoice reversed in full: that
            # credit note covers the refund too, or it would be credited twice.
            return self.env._(
                "Covered by %(move)s, which reversed the invoice in full when the "
                "order was cancelled on BigCommerce.",
                move=reversal.display_name,
            )
        return self.waiting or ""

    def _bind_skipped(self, reason):
        """Bind a refund that gets no credit note of its own: to the reversal
        that covers it, or to nothing while it waits, with the note saying
        which (done: nothing is left to import of it). A refund credited
        already keeps its binding as it is."""
        if self.binding.move_id:
            return self.binding
        values = dict(
            self._refund_values(), note=self._binding_note(), sync_state="done"
        )
        self.covered_now = bool(self.order_binding.cancel_move_id)
        return self.binder.bind(
            self.bigcommerce_id, self.order_binding.cancel_move_id, values
        )

    def _payment_left_open(self):
        """Whether the refund's money was left unregistered and the refund
        says why (a journal or an account missing, a bank account to
        validate), its credit note posted: its own with none of its money
        registered, or the reversal of its cancelled order that covers it
        with something still open (one reversal may cover several
        refunds). Importing it again registers the money once fixed."""
        credit_note = self.binding.move_id
        if not (self.binding.payment_note and credit_note.state == "posted"):
            return False
        if credit_note == self.binding.order_id.cancel_move_id:
            return not credit_note.currency_id.is_zero(credit_note.amount_residual)
        return credit_note.payment_state == "not_paid"

    def _after_skip(self, reason):
        """A refund credited already whose money was left unregistered has
        it registered now, or says again why not. A refund that the reversal
        of its cancelled order covers: the money it paid back is reconciled
        with that credit note, as a refund's with its own, and the order
        says what is left open."""
        if self.paying_again:
            self.credit_note = self.binding.move_id
            self._pay_back()
            order_binding = self.binding.order_id
            if self.credit_note == order_binding.cancel_move_id:
                note_cancellation(order_binding)
            return
        if not self.covered_now:
            return
        reversal = self.order_binding.cancel_move_id
        if not reversal.currency_id.is_zero(reversal.amount_residual):
            self.credit_note = reversal
            self._pay_back()
        note_cancellation(self.order_binding)

    # --- map and validate -----------------------------------------------------
    def _map(self):
        """The refund's credit note plan (``bigcommerce/refunds.py``), capped
        by what the invoice booked less what is credited already."""
        order = self.fetched["order"]
        self._check_currency(
            order.get("default_currency_code") or order.get("currency_code")
        )
        invoiced, credited, shared = self._ledgers()
        # Lines booked on another product than their SKU's are credited on it.
        order = order_as_booked(self.accounting, self.invoice, order)
        return refund_to_credit_note_plan(
            self.fetched["refund"],
            order,
            self.fetched["taxes"],
            invoiced=invoiced,
            credited=credited,
            shared=shared,
        )

    def _check_currency(self, currency):
        """Refuse a refund in another currency than the invoice's."""
        invoice = self.invoice
        if currency and invoice.currency_id.name != currency:
            raise MappingError(
                self.env._(
                    "%(refund)s is in %(refund_currency)s, the invoice %(invoice)s in "
                    "%(invoice_currency)s.",
                    refund=self._label(),
                    refund_currency=currency,
                    invoice=invoice.display_name,
                    invoice_currency=invoice.currency_id.name,
                )
            )

    # --- what the invoice booked, and what is credited of it already ---------
    def _ledgers(self):
        """What the invoice booked, what the order's credit notes credited
        so far (all of them, the connector's or not, unless cancelled), and
        the charges both pool because they are booked on one account.

        Two workers crediting two refunds of one order at once cannot both
        credit blind: see :meth:`_lock_order_credits`."""
        self._lock_order_credits()
        charges_by_account = {}
        for charge in PART_LABELS:
            account = self.backend[CHARGE_ACCOUNTS[charge]]
            if account:
                charges_by_account.setdefault(account, []).append(charge)
        charge_keys = {
            account: tuple(charges) for account, charges in charges_by_account.items()
        }
        shared = {
            charge: key
            for key in charge_keys.values()
            if len(key) > 1
            for charge in key
        }
        tax_accounts = self._tax_accounts()
        invoiced = self._ledger_of(self.invoice, charge_keys, tax_accounts)
        credited = CreditLedger()
        for move in self._credit_notes():
            credited.add(self._ledger_of(move, charge_keys, tax_accounts))
        return invoiced, credited, shared

    def _lock_order_credits(self):
        """Credit one refund of an order at a time, each seeing the credit
        notes of the others. Both workers write the order's row; PostgreSQL
        makes the later one wait for the earlier one's commit and then
        refuses it (a serialization failure, which the job queue retries; the
        retry sees the other's credit note). A refund's own write is not
        enough: one that waited for the invoice already carries its amounts,
        and writes nothing the other worker would collide with."""
        self.env.cr.execute(
            "UPDATE bigcommerce_order SET write_date = write_date WHERE id = %s",
            [self.order_binding.id],
        )

    def _credit_notes(self):
        """The order's credit notes that stand (not cancelled)."""
        moves = self.env["account.move"].search(
            [
                ("reversed_entry_id", "=", self.invoice.id),
                ("move_type", "=", "out_refund"),
            ]
        )
        moves |= (
            self.order_binding.refund_ids.move_id | self.order_binding.cancel_move_id
        )
        return moves.filtered(lambda move: move.state != "cancel")

    def _tax_accounts(self):
        """The accounts the company's sales taxes book to: a line on one of
        them, without tax, is tax returned (a tax adjustment), as credit
        notes booked a tax-only refund before they booked it as tax."""
        taxes = self.env["account.tax"].search(
            [
                ("company_id", "=", self.invoice.company_id.id),
                ("type_tax_use", "=", "sale"),
            ]
        )
        repartition = (
            taxes.invoice_repartition_line_ids | taxes.refund_repartition_line_ids
        )
        return repartition.filtered(lambda r: r.repartition_type == "tax").account_id

    @staticmethod
    def _ledger_of(move, charge_keys, tax_accounts):
        """What an invoice or credit note books, by part: each product (by
        SKU), each charge account, the tax (returned tax included), the
        total. Discount lines and order-level amounts are in the total."""
        ledger = CreditLedger(
            tax=cents(move.amount_tax), total=cents(move.amount_total)
        )
        for line in move.invoice_line_ids:
            if line.display_type != "product":
                continue
            amount = cents(line.price_subtotal)
            quantity = money(line.quantity)
            if line.product_id:
                key = part_key(KIND_PRODUCT, line.product_id.default_code)
                ledger.add_part(key, amount, quantity, line.name)
            elif not line.tax_ids and line.account_id in tax_accounts:
                ledger.tax += amount
            elif amount > 0 and line.account_id in charge_keys:
                ledger.add_part(charge_keys[line.account_id], amount, quantity)
        return ledger

    def _validate(self, mapped):
        """Resolve each credit line's account and taxes (those of the
        invoice line it reverses); raise :class:`MappingError` with what to
        fix."""
        self._check_currency(mapped.currency)
        if mapped.tax_only:
            self.credit_lines, self.tax_by_rate = self._returned_tax_commands(mapped)
        else:
            self.credit_lines, self.tax_by_rate = self._credit_line_commands(mapped)

    def _returned_tax_commands(self, mapped):
        """A tax-only refund's credit note lines: per rate, a line worth
        nothing that carries the tax, with the tax returned as its tax
        amount (Odoo's manual tax amounts, ``extra_tax_data``). Odoo books
        that tax as it books any tax of a credit note: on the tax's
        distribution lines for refunds, with their accounts and tax grids,
        so that the tax report counts it; the base grids do not move.

        :return: ``(commands, {rate: account.tax})``.
        """
        commands, tax_by_rate = [], {}
        currency = self.invoice.currency_id
        for rate, amount in mapped.tax_by_rate.items():
            tax = self.accounting.sale_tax_by_rate({rate})[rate]
            values = {
                "name": self.env._("Tax adjustment (%(tax)s)", tax=tax.name),
                "quantity": 1.0,
                "price_unit": 0.0,
                # Where a distribution line without an account books.
                "account_id": self.accounting.returned_tax_account(rate).id,
                "tax_ids": [Command.set(tax.ids)],
                "extra_tax_data": {
                    "currency_id": currency.id,
                    "price_unit": 0.0,
                    "discount": 0.0,
                    "quantity": 1.0,
                    "manual_tax_amounts": {
                        str(tax.id): {
                            "base_amount_currency": 0.0,
                            "tax_amount_currency": float(amount),
                        }
                    },
                },
            }
            if self.backend.analytic_distribution:
                values["analytic_distribution"] = self.backend.analytic_distribution
            commands.append(Command.create(values))
            tax_by_rate[rate] = tax
        return commands, tax_by_rate

    def _credit_line_commands(self, mapped):
        """The credit note's line commands, and ``{rate: account.tax}`` of
        the taxes they carry."""
        commands, tax_by_rate = [], {}
        for line in mapped.lines:
            values, taxes = self._credit_line_values(line)
            for tax in taxes:
                tax_by_rate.setdefault(self._rate_of(tax), tax)
            commands.append(Command.create(values))
        return commands, tax_by_rate

    def _credit_line_values(self, line):
        """A credit note line on the account, taxes and analytic distribution
        of the invoice line it reverses (the store's set-up otherwise).

        :return: ``(values, taxes)``, the line's values and its taxes.
        """
        values = {
            "name": line.name,
            "quantity": float(line.quantity),
            "price_unit": float(line.price_unit),
        }
        taxes = self.env["account.tax"]
        analytic = self.backend.analytic_distribution
        if line.kind == KIND_ORDER_LEVEL:
            account = self.backend.refund_account_id or self.accounting.account(
                "discount_account_id"
            )
            values["account_id"] = account.id
            values["tax_ids"] = [Command.clear()]
        else:
            product = self.env["product.product"]
            if line.kind == KIND_PRODUCT:
                product = self._refunded_product(line)
                values["product_id"] = product.id
                values["product_uom_id"] = product.uom_id.id
                account = self.accounting.revenue_account(product)
            else:
                account = self.accounting.charge_account(line.kind)
            source = self._invoice_line(line, product, account)
            taxes = (
                source.tax_ids if source else self.accounting.sale_taxes(line.tax_rates)
            )
            values["account_id"] = (source.account_id or account).id
            values["tax_ids"] = [Command.set(taxes.ids)]
            if source:
                analytic = source.analytic_distribution
        if analytic:
            values["analytic_distribution"] = analytic
        return values, taxes

    @staticmethod
    def _rate_of(tax):
        """A tax's rate, as BigCommerce's rates are keyed."""
        return cents(tax.amount).normalize() if tax.amount else cents(0)

    def _refunded_product(self, line):
        """The product the invoice booked a refunded line on: its SKU's
        (:func:`.products.order_as_booked` gave a line booked on another
        product that product's), else the invoice's line of its label's."""
        product = self.accounting.find_product(line.sku)
        return (
            product
            or booked_line(self.invoice, line.name, line.sku).product_id
            or self.accounting.product_by_sku(line.sku, line.name)
        )

    def _invoice_line(self, line, product, account):
        """The invoice line a credit line reverses: same product (or, for a
        charge, same store account) and the same tax rates."""
        rates = {cents(rate) for rate in line.tax_rates}
        for candidate in self.invoice.invoice_line_ids:
            if product and candidate.product_id != product:
                continue
            if not product and (
                candidate.product_id or candidate.account_id != account
            ):
                continue
            if {cents(tax.amount) for tax in candidate.tax_ids} == rates:
                return candidate
        return self.env["account.move.line"]

    # --- create --------------------------------------------------------------
    def _create_or_update(self, mapped):
        """Create the credit note reversing part of the invoice, with
        BigCommerce's taxes and totals, or refuse it; returns it."""
        invoice = self.invoice
        # The refund's day in the store's time zone (today's, without a date).
        date = store_date(self.backend, mapped.date)
        reason = mapped.reason or self.env._("no reason given")
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "company_id": invoice.company_id.id,
                "journal_id": invoice.journal_id.id,
                "partner_id": invoice.partner_id.id,
                "currency_id": invoice.currency_id.id,
                "invoice_date": date,
                "invoice_date_due": date,
                "reversed_entry_id": invoice.id,
                "ref": self.env._(
                    "Reversal of: %(invoice)s, %(reason)s",
                    invoice=invoice.name,
                    reason=reason,
                ),
                "invoice_origin": (
                    f"BigCommerce refund #{mapped.refund_id} (order #{mapped.order_id})"
                ),
                "invoice_line_ids": self.credit_lines,
                **same_rate(invoice),
            }
        )
        self.credit_note = credit_note
        if mapped.tax_by_rate:
            self.accounting.set_bigcommerce_taxes(
                credit_note, mapped, self._with_missing_rates(mapped, self.tax_by_rate)
            )
        self.accounting.check_totals(
            credit_note,
            mapped,
            lambda **figures: self.env._(
                "%(refund)s: the credit note would show untaxed/tax/total "
                "%(odoo)s but BigCommerce refunded %(store)s (differences "
                "%(difference)s). Nothing was credited.",
                refund=self._label(),
                **figures,
            ),
        )
        return credit_note

    def _with_missing_rates(self, mapped, tax_by_rate):
        """``tax_by_rate`` with the sales tax of each rate of ``mapped`` its
        lines do not carry (a tax returned alone)."""
        missing = set(mapped.tax_by_rate) - set(tax_by_rate)
        if not missing:
            return tax_by_rate
        return dict(tax_by_rate, **self.accounting.sale_tax_by_rate(missing))

    def _refund_values(self):
        """The refund's date, reason, amounts and payments, as the store
        says them, and its order."""
        refund = self.fetched["refund"]
        currency = self.invoice.currency_id or self.env["res.currency"].search(
            [("name", "=", (self.fetched.get("order") or {}).get("currency_code"))],
            limit=1,
        )
        payments = ", ".join(
            "{provider} {amount}{offline}".format(
                provider=provider_label(payment.get("provider_id")) or "?",
                amount=payment.get("amount"),
                offline=" (offline)" if payment.get("offline") else "",
            )
            for payment in refund.get("payments") or []
        )
        return {
            "order_id": self.order_binding.id or False,
            "bigcommerce_order_id": self.order_id,
            "date_created": parse_datetime(refund.get("created")),
            "reason": (refund.get("reason") or "").strip() or False,
            "currency_id": currency.id or False,
            "total_amount": float(cents(refund.get("total_amount"))),
            "total_tax": float(cents(refund.get("total_tax"))),
            "payment_summary": payments or False,
        }

    def _binding_values(self, mapped):
        """The refund's values (:meth:`_refund_values`), with no note."""
        return dict(self._refund_values(), note=False)

    def _after_import(self, mapped):
        """Post the credit note as the store says, register the money paid
        back, and tell the chatter of the credit note and of the invoice."""
        credit_note = self.credit_note
        if self.backend.posting_policy == "post" and credit_note.state == "draft":
            credit_note.action_post()
        self._register_refund_payments()
        reason = mapped.reason or self.env._("no reason given")
        credit_note.message_post(
            body=self.env._(
                "Credit note of BigCommerce refund #%(refund)s on order #%(order)s "
                "(reason: %(reason)s).",
                refund=mapped.refund_id,
                order=mapped.order_id,
                reason=reason,
            )
        )
        self.invoice.message_post(
            body=self.env._(
                "BigCommerce refund #%(refund)s (%(amount)s, reason: %(reason)s) is "
                "credited by %(move)s.",
                refund=mapped.refund_id,
                amount=mapped.total,
                reason=reason,
                move=credit_note.display_name,
            )
        )

    def _register_refund_payments(self):
        """Reconcile the credit note with the money paid back, as the store
        reports it; what stays open says why, on the refund and the credit
        note."""
        credit_note = self.credit_note
        if credit_note.payment_state != "not_paid":
            return  # registered by an earlier import
        self._pay_back()

    def _pay_back(self):
        """Register the refund's payments on :attr:`credit_note` (posted,
        with the store registering payments), saying what stays open."""
        credit_note = self.credit_note
        if not (self.backend.register_payments and credit_note.state == "posted"):
            return
        registrar = RefundPaymentRegistrar(
            self.backend, self.fetched["refund"], credit_note
        )
        try:
            with self.env.cr.savepoint():
                done, open_reasons = registrar.register()
        except PaymentNotRegistered as exc:
            done, open_reasons = [], [str(exc)]
        previous = self.binding.payment_note
        self.binding.payment_note = False
        if open_reasons:
            reason = self.env._(
                "The credit note stays open: %(reasons)s.",
                reasons="; ".join(open_reasons),
            )
            self.binding.payment_note = reason
            if reason != previous:
                credit_note.message_post(body=reason)
        if done:
            credit_note.message_post(
                body=self.env._(
                    "Refund paid back: %(payments)s.", payments=", ".join(done)
                )
            )

    def _result(self):
        """The credit note's name."""
        return f"{self._label()}: {self.credit_note.display_name}"
