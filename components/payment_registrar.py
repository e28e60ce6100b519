# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The payment of an order, registered on its invoice.

What was paid, and with what, comes from the order's own fields; the order's
transactions are read only when those fields cannot tell, or to date a
payment captured after the order was placed (see ``bigcommerce/payments.py``).
Each part settles its share of the invoice:

- a gateway's part (card, PayPal, cash on delivery...) is an Odoo payment in
  the journal the store's list gives its method or gateway (else the store's
  default payment journal), reconciled with the invoice;
- the parts paid with a gift certificate or store credit are the store's
  debts to the customer being used up: a journal entry moves them from their
  liability account (the gift-certificate account is the one the sale of a
  gift certificate credited) to the customer's receivable, reconciled with
  the invoice. They are never revenue reductions: the invoice keeps the
  store's total to the cent, and its residual is what is still owed.
"""

import math

from odoo import Command

from ..bigcommerce.mapping import MappingError
from ..bigcommerce.payments import (
    KIND_GATEWAY,
    KIND_GIFT_CERTIFICATE,
    KIND_STORE_CREDIT,
    capture_moment,
    payment_parts_from_order,
    payment_parts_from_transactions,
)
from .accounting import store_date
from .payment_entries import (
    PaymentNotRegistered,
    payment_values,
    register_payment,
    store_rate_balance,
)

# Payment part kind -> store field of its liability account.
LIABILITY_ACCOUNTS = {
    KIND_GIFT_CERTIFICATE: "gift_certificate_account_id",
    KIND_STORE_CREDIT: "store_credit_account_id",
}


def settle_against_account(move, account, amount, label, what):
    """Settle ``amount`` of ``move`` against ``account``, in the company's
    first miscellaneous journal, reconciled with ``move``'s receivable.

    A positive amount pays an invoice from ``account`` (a liability: gift
    certificates, store credit); a negative one credits a credit note to
    it (a refund kept as store credit).

    :param amount: in ``move``'s currency.
    :param what: what is settled, for the message when no journal can book it.
    :raises PaymentNotRegistered: when the company has no such journal.
    """
    env = move.env
    company = move.company_id
    journal = env["account.journal"].search(
        [("type", "=", "general"), ("company_id", "=", company.id)],
        order="sequence, id",
        limit=1,
    )
    if not journal:
        raise PaymentNotRegistered(
            env._(
                "no miscellaneous journal in %(company)s to book %(what)s.",
                company=company.name,
                what=what,
            )
        )
    receivable = move.line_ids.filtered(
        lambda line: line.account_id.account_type == "asset_receivable"
    )
    balance = store_rate_balance(move, receivable, abs(amount))
    if balance is None:
        balance = move.currency_id._convert(
            amount, company.currency_id, company, move.invoice_date
        )
    else:
        balance = math.copysign(balance, amount)
    common = {
        "name": label,
        "partner_id": move.commercial_partner_id.id,
        "currency_id": move.currency_id.id,
    }
    entry = env["account.move"].create(
        {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": move.invoice_date,
            "ref": label,
            "line_ids": [
                Command.create(
                    dict(
                        common,
                        account_id=account.id,
                        amount_currency=amount,
                        balance=balance,
                    )
                ),
                Command.create(
                    dict(
                        common,
                        account_id=receivable[:1].account_id.id,
                        amount_currency=-amount,
                        balance=-balance,
                    )
                ),
            ],
        }
    )
    entry.action_post()
    (
        receivable
        | entry.line_ids.filtered(
            lambda line: line.account_id == receivable[:1].account_id
        )
    ).reconcile()
    return entry


class PaymentRegistrar:
    """Registers what BigCommerce reports paid on one order's invoice."""

    def __init__(self, backend, order, invoice, read_transactions, paid_later=False):
        """:param backend: the store (``bigcommerce.backend``).
        :param order: the order, as BigCommerce returned it.
        :param invoice: the order's posted invoice.
        :param read_transactions: a callable that returns the order's
            transactions (one API call), called only when the order's own
            fields cannot tell who paid what, or when it was paid later.
        :param paid_later: the order was paid after it was placed
            (:func:`~..bigcommerce.payments.paid_after_placed`): its payment
            is dated on its capture, which only the transactions tell.
        """
        self.backend = backend
        self.env = backend.env
        self.order = order
        self.invoice = invoice
        self.read_transactions = read_transactions
        self.paid_later = paid_later
        self._rows = None

    def transactions(self):
        """The order's transactions, read once (one API call)."""
        if self._rows is None:
            self._rows = self.read_transactions() or []
        return self._rows

    def parts(self):
        """The parts of the order's payment; reads the transactions only
        when the order's fields cannot tell."""
        parts = payment_parts_from_order(self.order)
        if parts is None:
            # Who paid the rest is known only to the transactions: the one
            # extra call of an order, and only for such split payments.
            parts = payment_parts_from_transactions(self.order, self.transactions())
        return parts

    def payment_date(self):
        """The date of the gateway's payment: the store's day of its capture
        for an order paid after it was placed (never before the invoice),
        else the order's date (the invoice's)."""
        invoice_date = self.invoice.invoice_date
        if not self.paid_later:
            return invoice_date
        moment = capture_moment(self.transactions())
        if not moment:
            return invoice_date
        return max(store_date(self.backend, moment), invoice_date)

    def register(self):
        """Register the payment; returns a sentence saying what was paid.

        :raises PaymentNotRegistered: with the reason, nothing written.
        """
        try:
            parts = self.parts()
        except MappingError as exc:
            raise PaymentNotRegistered(str(exc)) from exc
        targets = [(part, self._target(part)) for part in parts]
        date = self.payment_date()
        for part, target in targets:
            if part.kind == KIND_GATEWAY:
                self._pay(part, target, date)
            else:
                self._settle_from_liability(part, target)
        return self._message(parts, date)

    def planned_payment(self):
        """``(payment values, invoice lines, sentence)`` of what
        :meth:`register` writes for one gateway's payment that the order's
        fields tell (no call), taken when it was placed: a first sync's page
        creates it with its other orders'. ``None`` for any other order."""
        try:
            parts = payment_parts_from_order(self.order)
            if (
                not parts
                or len(parts) > 1
                or parts[0].kind != KIND_GATEWAY
                or self.paid_later
            ):
                return None
            (part,) = parts
            date = self.payment_date()
            values, lines = payment_values(
                self.invoice,
                self._target(part),
                float(part.amount),
                self._memo(part),
                date=date,
            )
        except (MappingError, PaymentNotRegistered):
            return None
        return values, lines, self._message(parts, date)

    def _message(self, parts, date):
        """What :meth:`register` says it registered."""
        message = self.env._(
            "payment of %(amount)s registered (%(parts)s)",
            amount=self._amount(sum(part.amount for part in parts)),
            parts=", ".join(
                f"{part.method} {self._amount(part.amount)}" for part in parts
            ),
        )
        if date != self.invoice.invoice_date and any(
            part.kind == KIND_GATEWAY for part in parts
        ):
            message = self.env._(
                "%(payment)s, dated on its capture on %(date)s",
                payment=message,
                date=date,
            )
        return message

    # --- where each part goes ---------------------------------------------
    def _target(self, part):
        """The journal of a gateway's part, the liability account of a
        gift certificate's or store credit's.

        :raises PaymentNotRegistered: when the store has none set.
        """
        if part.kind == KIND_GATEWAY:
            journal = self.backend._payment_journal(part.method, part.gateway)
            if not journal:
                raise PaymentNotRegistered(
                    self.env._(
                        "no payment journal for %(method)s: set a default payment "
                        "journal on the store's Accounting tab, or one for this "
                        "method, then import the order again.",
                        method=part.method,
                    )
                )
            return journal
        field_name = LIABILITY_ACCOUNTS[part.kind]
        account = self.backend[field_name]
        if not account:
            raise PaymentNotRegistered(
                self.env._(
                    "%(amount)s was paid with %(method)s, and the store has no "
                    "%(field)s: set it on the store's Accounting tab, then import "
                    "the order again.",
                    amount=self._amount(part.amount),
                    method=part.method,
                    field=self.backend._fields[field_name].get_description(self.env)[
                        "string"
                    ],
                )
            )
        return account

    def _memo(self, part):
        """The memo of a part's payment or entry."""
        memo = f"BigCommerce order #{self.order['id']}: {part.method}"
        return f"{memo} {part.reference}" if part.reference else memo

    def _amount(self, amount):
        """``amount`` with the invoice's currency, for messages."""
        return f"{amount:.2f} {self.invoice.currency_id.name}"

    # --- writing ----------------------------------------------------------------
    def _pay(self, part, journal, date):
        """A payment in ``journal`` on ``date``, reconciled with the
        invoice."""
        return register_payment(
            self.invoice, journal, float(part.amount), self._memo(part), date=date
        )

    def _settle_from_liability(self, part, account):
        """Move ``part`` from the liability ``account`` to the invoice's
        receivable, and reconcile it with the invoice."""
        return settle_against_account(
            self.invoice, account, float(part.amount), self._memo(part), part.method
        )


# BigCommerce's provider id of store credit, in a refund's payments.
STORE_CREDIT_PROVIDER = "storecredit"


class RefundPaymentRegistrar:
    """The money of one refund, paid back, reconciled with its credit note.

    Each of the refund's payments (``payments[]``, API-NOTES §4) settles its
    share of the credit note: a gateway's is an outbound payment in the
    journal of its provider (the store's list, else its default payment
    journal), the store credit's moves the amount from the customer's
    receivable to the store-credit liability. A payment made offline, or
    declined, leaves its share of the credit note open, and says why.
    """

    def __init__(self, backend, refund, credit_note):
        """:param backend: the store (``bigcommerce.backend``).
        :param refund: the refund, as BigCommerce returned it.
        :param credit_note: the refund's posted credit note.
        """
        self.backend = backend
        self.env = backend.env
        self.refund = refund
        self.credit_note = credit_note

    def register(self):
        """Register the refund's payments; returns ``(done, open_reasons)``,
        sentences saying what was paid back and why any share stays open.

        :raises PaymentNotRegistered: with the reason, nothing written.
        """
        done, open_reasons = [], []
        for payment in self.refund.get("payments") or []:
            amount = float(payment.get("amount") or 0)
            provider = payment.get("provider_id") or ""
            label = (
                f"{provider or '?'} {amount:.2f} {self.credit_note.currency_id.name}"
            )
            if payment.get("is_declined"):
                open_reasons.append(
                    self.env._(
                        "%(payment)s was declined (%(message)s)",
                        payment=label,
                        message=payment.get("declined_message") or "-",
                    )
                )
            elif payment.get("offline"):
                open_reasons.append(
                    self.env._(
                        "%(payment)s was refunded offline: reconcile it with the "
                        "statement line of that refund",
                        payment=label,
                    )
                )
            elif amount <= 0:
                continue
            elif provider == STORE_CREDIT_PROVIDER:
                self._to_store_credit(amount, label)
                done.append(label)
            else:
                self._pay_back(amount, provider, label)
                done.append(label)
        return done, open_reasons

    def _memo(self, label):
        """The memo of a payment paid back, or of a store credit entry."""
        return f"BigCommerce refund #{self.refund['id']}: {label}"

    def _pay_back(self, amount, provider, label):
        """An outbound payment in the journal of ``provider``, reconciled
        with the credit note.

        :raises PaymentNotRegistered: when the store has no journal for it.
        """
        journal = self.backend._payment_journal(provider)
        if not journal:
            raise PaymentNotRegistered(
                self.env._(
                    "no payment journal for %(provider)s: set a default payment "
                    "journal on the store, or one for this provider, then import "
                    "the refund again.",
                    provider=provider,
                )
            )
        return register_payment(self.credit_note, journal, amount, self._memo(label))

    def _to_store_credit(self, amount, label):
        """The refund becomes store credit: a debt to the customer. Move it
        from the credit note's receivable to the store-credit liability."""
        account = self.backend.store_credit_account_id
        if not account:
            raise PaymentNotRegistered(
                self.env._(
                    "%(payment)s went to store credit, and the store has no "
                    "Store Credit Account: set it on the store's Accounting tab, "
                    "then import the refund again.",
                    payment=label,
                )
            )
        return settle_against_account(
            self.credit_note,
            account,
            -amount,
            self._memo(label),
            self.env._("store credit"),
        )
