# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refunds become credit notes; invoiced orders cancelled on the store are
reversed or raised.

- :class:`RefundImporter`: one refund, one credit note (``out_refund``)
  reversing part of its order's invoice, line by line, bound to the refund
  through ``bigcommerce.refund``. A refund whose order is not imported yet
  imports it first, in the same job; when the order cannot be invoiced yet,
  the refund waits (a binding without credit note) and is credited as soon as
  the order's import succeeds.
- :class:`RefundCatchUp`: the refunds created since the last run, for
  missed webhooks (the catch-up on modified orders does not see refunds).

What an order's import does for its refunds, and for a cancellation after
invoicing, is in ``order_refunds.py``.
"""

from datetime import timedelta

from odoo import Command, fields

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.mapping import (
    KIND_PRODUCT,
    MappingError,
    cents,
    clean_payload,
    money,
)
from ..bigcommerce.refunds import (
    KIND_ORDER_LEVEL,
    KIND_TAX_ADJUSTMENT,
    PART_LABELS,
    CreditLedger,
    part_key,
    refund_to_credit_note_plan,
)
from .binder import BigCommerceBinder
from .importer import BigCommerceImporter
from .order_importer import CHARGE_ACCOUNTS, OrderImporter
from .order_refunds import refund_binder
from .payment_registrar import PaymentNotRegistered, RefundPaymentRegistrar


class RefundImporter(BigCommerceImporter):
    """One refund: one API call for the refund, two for its order's lines and
    taxes (none when this job just imported the order), one credit note."""

    kind = "refund"
    binding_model = "bigcommerce.refund"

    def __init__(self, backend, refund_id, order_id=None):
        super().__init__(backend, int(refund_id))
        self.order_id = int(order_id) if order_id else None
        self.order_binding = self.env["bigcommerce.order"]
        self.invoice = self.env["account.move"]
        self.move = self.env["account.move"]
        self.waiting = None
        self.order_outcome = None

    def _label(self):
        return f"Refund #{self.bigcommerce_id}"

    # --- fetch and skip -----------------------------------------------------
    def _fetch(self):
        self.binding = self.binder.to_binding(self.bigcommerce_id)
        if self.binding.move_id:
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
        if self.waiting:
            return
        if fetched:
            # This job just imported the order: its answer serves again.
            self.fetched["order"], self.fetched["taxes"] = fetched
        else:
            self.fetched["order"] = clean_payload(
                self._call(self.client.get_order, self.order_id)
            )
            self.fetched["taxes"] = clean_payload(
                self._call(self.client.get_order_taxes, self.order_id)
            )

    def _invoiced_order(self):
        """The order's binding, importing the order first when it has no
        invoice yet; sets :attr:`waiting` when there is nothing to credit."""
        binder = BigCommerceBinder(self.backend, "order", "bigcommerce.order")
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
        if not binding.move_id:
            self.waiting = self.env._(
                "Order #%(order)s has no invoice to credit yet (%(outcome)s). The "
                "refund is credited as soon as the order is invoiced.",
                order=self.order_id,
                outcome=self.order_outcome,
            )
        elif binding.move_id.state == "cancel":
            self.waiting = self.env._(
                "The invoice of order #%(order)s is cancelled: there is nothing "
                "to credit.",
                order=self.order_id,
            )
        return binding, fetched

    def _must_skip(self):
        if self.binding.move_id:
            return self.env._(
                "%(refund)s is already credited by %(move)s.",
                refund=self._label(),
                move=self.binding.move_id.display_name,
            )
        reversal = self.order_binding.cancel_move_id
        if reversal:
            # The order was cancelled and its invoice reversed in full: that
            # credit note covers the refund too, or it would be credited twice.
            note = self.env._(
                "Covered by %(move)s, which reversed the invoice in full when the "
                "order was cancelled on BigCommerce.",
                move=reversal.display_name,
            )
            values = dict(self._refund_values(), note=note, sync_state="done")
            self.binding = self.binder.bind(self.bigcommerce_id, reversal, values)
            return f"{self._label()}: {note}"
        if self.waiting:
            values = dict(self._refund_values(), note=self.waiting)
            self.binding = self.binder.bind(
                self.bigcommerce_id, self.move, dict(values, sync_state="done")
            )
            return f"{self._label()}: {self.waiting}"
        return None

    # --- map and validate -----------------------------------------------------
    def _map(self):
        order = self.fetched["order"]
        self._check_currency(
            order.get("default_currency_code") or order.get("currency_code")
        )
        invoiced, credited, shared = self._ledgers()
        return refund_to_credit_note_plan(
            self.fetched["refund"],
            order,
            self.fetched["taxes"],
            invoiced=invoiced,
            credited=credited,
            shared=shared,
        )

    def _check_currency(self, currency):
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
        kinds_by_account = {}
        for kind in PART_LABELS:
            account = self.backend[CHARGE_ACCOUNTS[kind]]
            if account:
                kinds_by_account.setdefault(account, []).append(kind)
        charge_keys = {
            account: tuple(kinds) for account, kinds in kinds_by_account.items()
        }
        shared = {
            kind: key for key in charge_keys.values() if len(key) > 1 for kind in key
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
        them, without tax, is tax returned (a tax adjustment)."""
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

    def _validate(self, plan):
        invoice = self.invoice
        self._check_currency(plan.currency)
        # The order importer knows how the store's records map to Odoo's.
        self.resolver = OrderImporter(self.backend, self.order_id)
        self.resolver.currency = invoice.currency_id
        self.tax_by_rate = {}
        self.line_commands = [
            Command.create(self._credit_line_values(line)) for line in plan.lines
        ]

    def _credit_line_values(self, line):
        """A credit note line on the account, taxes and analytic distribution
        of the invoice line it reverses (the store's set-up otherwise)."""
        values = {
            "name": line.name,
            "quantity": float(line.quantity),
            "price_unit": float(line.price_unit),
        }
        analytic = self.backend.analytic_distribution
        if line.kind == KIND_TAX_ADJUSTMENT:
            values["account_id"] = self._tax_account(line.tax_rate).id
            values["tax_ids"] = [Command.clear()]
        elif line.kind == KIND_ORDER_LEVEL:
            account = self.backend.refund_account_id or self.resolver._account(
                "discount_account_id"
            )
            values["account_id"] = account.id
            values["tax_ids"] = [Command.clear()]
        else:
            product = self.env["product.product"]
            if line.kind == KIND_PRODUCT:
                product = self.resolver._product_by_sku(line.sku, line.name)
                values["product_id"] = product.id
                values["product_uom_id"] = product.uom_id.id
                account = self.resolver._revenue_account(product)
            else:
                account = self.resolver._account(CHARGE_ACCOUNTS[line.kind])
            source = self._invoice_line(line, product, account)
            taxes = source.tax_ids if source else self._taxes(line.tax_rates)
            for tax in taxes:
                self.tax_by_rate.setdefault(self._rate_of(tax), tax)
            values["account_id"] = (source.account_id or account).id
            values["tax_ids"] = [Command.set(taxes.ids)]
            if source:
                analytic = source.analytic_distribution
        if analytic:
            values["analytic_distribution"] = analytic
        return values

    @staticmethod
    def _rate_of(tax):
        return cents(tax.amount).normalize() if tax.amount else cents(0)

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

    def _taxes(self, rates):
        by_rate = self.resolver._sale_tax_by_rate(set(rates))
        return self.env["account.tax"].union(*(by_rate[rate] for rate in rates))

    def _tax_account(self, rate):
        """The account a returned tax goes to: the one the tax books to on
        credit notes (on invoices, when it has none)."""
        tax = self.resolver._sale_tax_by_rate({rate})[rate]
        for repartition in (
            tax.refund_repartition_line_ids,
            tax.invoice_repartition_line_ids,
        ):
            account = repartition.filtered(
                lambda r: r.repartition_type == "tax"
            ).account_id[:1]
            if account:
                return account
        raise MappingError(
            self.env._(
                "Tax %(tax)s books to no account: a tax refund cannot be credited "
                "on it. Set its account, then reprocess.",
                tax=tax.display_name,
            )
        )

    # --- create --------------------------------------------------------------
    def _create_or_update(self, plan):
        invoice = self.invoice
        date = plan.date.date() if plan.date else fields.Date.context_today(invoice)
        reason = plan.reason or self.env._("no reason given")
        self.move = self.env["account.move"].create(
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
                    f"BigCommerce refund #{plan.refund_id} (order #{plan.order_id})"
                ),
                "invoice_line_ids": self.line_commands,
            }
        )
        if plan.tax_by_rate:
            self.resolver.move = self.move
            self.resolver.tax_by_rate = self.tax_by_rate
            self._check_tax_rates(plan)
            self.resolver._set_bigcommerce_taxes(plan)
        self._check_totals(plan)
        return self.move

    def _check_tax_rates(self, plan):
        missing = set(plan.tax_by_rate) - set(self.tax_by_rate)
        if missing:
            self.tax_by_rate.update(self.resolver._sale_tax_by_rate(missing))

    def _check_totals(self, plan):
        move = self.move
        got = (
            cents(move.amount_untaxed),
            cents(move.amount_tax),
            cents(move.amount_total),
        )
        want = (plan.untaxed, plan.tax, plan.total)
        if got != want:
            raise MappingError(
                self.env._(
                    "%(refund)s: the credit note would show untaxed/tax/total "
                    "%(odoo)s but BigCommerce refunded %(store)s (differences "
                    "%(difference)s). Nothing was credited.",
                    refund=self._label(),
                    odoo="/".join(str(v) for v in got),
                    store="/".join(str(v) for v in want),
                    difference="/".join(
                        str(g - w) for g, w in zip(got, want, strict=True)
                    ),
                )
            )

    def _refund_values(self):
        refund = self.fetched["refund"]
        currency = self.invoice.currency_id or self.env["res.currency"].search(
            [("name", "=", (self.fetched.get("order") or {}).get("currency_code"))],
            limit=1,
        )
        payments = ", ".join(
            "{provider} {amount}{offline}".format(
                provider=payment.get("provider_id") or "?",
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

    def _binding_values(self, plan):
        return dict(self._refund_values(), note=False)

    def _after_import(self, plan):
        if self.backend.posting_policy == "post" and self.move.state == "draft":
            self.move.action_post()
        self._register_refund_payments()
        reason = plan.reason or self.env._("no reason given")
        self.move.message_post(
            body=self.env._(
                "Credit note of BigCommerce refund #%(refund)s on order #%(order)s "
                "(reason: %(reason)s).",
                refund=plan.refund_id,
                order=plan.order_id,
                reason=reason,
            )
        )
        self.invoice.message_post(
            body=self.env._(
                "BigCommerce refund #%(refund)s (%(amount)s, reason: %(reason)s) is "
                "credited by %(move)s.",
                refund=plan.refund_id,
                amount=plan.total,
                reason=reason,
                move=self.move.display_name,
            )
        )

    def _register_refund_payments(self):
        """Reconcile the credit note with the money paid back, as the store
        reports it; what stays open says why, on the refund and the credit
        note."""
        if not (self.backend.register_payments and self.move.state == "posted"):
            return
        if self.move.payment_state != "not_paid":
            return  # registered by an earlier import
        try:
            with self.env.cr.savepoint():
                done, open_reasons = RefundPaymentRegistrar(self).register()
        except PaymentNotRegistered as exc:
            done, open_reasons = [], [str(exc)]
        if open_reasons:
            reason = self.env._(
                "The credit note stays open: %(reasons)s.",
                reasons="; ".join(open_reasons),
            )
            self.binding.payment_note = reason
            self.move.message_post(body=reason)
        if done:
            self.move.message_post(
                body=self.env._(
                    "Refund paid back: %(payments)s.", payments=", ".join(done)
                )
            )

    def _result(self):
        return f"{self._label()}: {self.move.display_name}"


class RefundCatchUp(BigCommerceImporter):
    """The refunds created since the last run, each queued for import unless
    it is credited already."""

    kind = "catch_up"

    def __init__(self, backend):
        super().__init__(backend, "refunds")
        self.started = fields.Datetime.now()
        self.since = (backend.refunds_created_since or self.started) - timedelta(
            minutes=max(0, backend.catch_up_overlap_minutes)
        )
        self.queued = []

    def _label(self):
        return "Refund catch-up"

    def _fetch(self):
        self.fetched["refunds"] = self._call(
            lambda: [
                {"id": refund["id"], "order_id": refund.get("order_id")}
                for refund in self.client.iter_refunds_created(
                    self.since, until=self.started
                )
            ]
        )

    def _map(self):
        listed = self.fetched["refunds"]
        credited = {
            binding.bigcommerce_id
            for binding in refund_binder(self.backend).to_bindings(
                [refund["id"] for refund in listed]
            )
            if binding.move_id
        }
        return [refund for refund in listed if int(refund["id"]) not in credited]

    def _create_or_update(self, refunds):
        for refund in refunds:
            self.backend._delay_import_refund(refund["id"], refund.get("order_id"))
        self.queued = refunds
        return None

    def _bind(self, record, refunds):
        return None

    def _after_import(self, refunds):
        self.backend.sudo().refunds_created_since = self.started

    def _result(self):
        return (
            f"{len(self.queued)} refund(s) queued for import, created since "
            f"{self.since}."
        )
