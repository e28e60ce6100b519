# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A payment's entry, as Odoo's payment wizard books it for one move,
written directly (``account.payment`` created, posted and reconciled), and
the same for many moves at once (a first sync's page)."""

from odoo import Command
from odoo.tools import clean_context


class PaymentNotRegistered(Exception):
    """The payment cannot be registered; says why and what to do."""


def store_rate(move):
    """The rate (company currency to the move's) its payments are booked at
    when the move is at the store's rate, else ``None`` (Odoo's rates)."""
    if move.bigcommerce_store_rate and move.currency_id != move.company_currency_id:
        return move.invoice_currency_rate
    return None


# The lines a payment settles: a customer's receivable (or a vendor's payable).
PAYABLE_TYPES = ("asset_receivable", "liability_payable")


def register_payment(move, journal, amount, memo, date=None):
    """A payment of ``amount`` in ``journal``, reconciled with ``move``:
    received for an invoice, paid back for a credit note.

    It is what Odoo's payment wizard (``account.payment.register``) books
    for one invoice with the difference left open, written directly: an
    ``account.payment`` created with the wizard's values, posted, its
    receivable line reconciled with the move's open ones, and the move
    marked as matched by it. Whether the invoice is then ``paid`` or
    ``in_payment`` is Odoo's to say, from the journal's outstanding account,
    as for a payment registered by hand. A payment method without an
    outstanding account books no entry (with Odoo's Accounting): the
    payment is only matched with the move, as the wizard does.

    :param amount: in ``move``'s currency, positive. Less than the move's
        residual leaves the rest open (a partial payment).
    :param memo: the payment's memo (what the bank statement shows).
    :param date: the payment's date; the move's invoice date when not given.
    :return: the payment.
    :raises PaymentNotRegistered: when the move has nothing left to pay, or
        ``journal`` has no payment method for it.
    """
    values, lines = payment_values(move, journal, amount, memo, date)
    payment = payments_model(move.env).create(values)
    payment.with_context(skip_sale_auto_invoice_send=True).action_post()
    match_payment(move, lines, payment)
    return payment


def payments_model(env):
    """``account.payment`` as :func:`register_payment` creates payments."""
    return env["account.payment"].with_context(
        clean_context(env.context), skip_invoice_sync=True
    )


def payment_values(move, journal, amount, memo, date=None):
    """The values of :func:`register_payment`'s payment, and the open lines
    of ``move`` it settles (the parameters and errors are its own)."""
    env = move.env
    lines = move.line_ids.filtered(
        lambda line: (
            line.account_type in PAYABLE_TYPES
            and not line.reconciled
            and not line.currency_id.is_zero(line.amount_residual_currency)
        )
    )
    if not lines:
        raise PaymentNotRegistered(
            env._("%(move)s has nothing left to pay.", move=move.display_name)
        )
    # Money comes in for what the customer owes, goes out for what is owed.
    payment_type = "inbound" if sum(lines.mapped("balance")) > 0 else "outbound"
    method_lines = journal._get_available_payment_method_lines(payment_type)
    bank = _partner_bank(move, lines, journal, payment_type)
    if payment_type == "outbound" and not bank.allow_out_payment:
        method_lines = _without_validated_account(move, journal, method_lines)
    method_line = move.preferred_payment_method_line_id
    if method_line not in method_lines:
        method_line = method_lines[:1]
    if not method_line and payment_type == "inbound":
        raise PaymentNotRegistered(
            env._(
                "journal %(journal)s has no incoming payment method: add one on "
                "its Incoming Payments tab, then import again.",
                journal=journal.display_name,
            )
        )
    if not method_line:
        raise PaymentNotRegistered(
            env._(
                "journal %(journal)s has no outgoing payment method: add one on "
                "its Outgoing Payments tab, then import again.",
                journal=journal.display_name,
            )
        )
    values = {
        "date": date or move.invoice_date,
        "amount": amount,
        "payment_type": payment_type,
        "partner_type": "customer"
        if lines[0].account_type == "asset_receivable"
        else "supplier",
        "memo": memo,
        "journal_id": journal.id,
        "company_id": move.company_id.id,
        "currency_id": move.currency_id.id,
        "partner_id": lines[0].partner_id.id,
        "partner_bank_id": bank.id,
        "payment_method_line_id": method_line.id,
        "destination_account_id": lines[0].account_id.id,
        # Linked to the move as it is created (the link the wizard writes
        # on the move after, a write of the move).
        "invoice_ids": [Command.link(move.id)],
        **_at_store_rate(move, lines, amount),
    }
    return values, lines


def match_payment(move, lines, payment):
    """Reconcile the posted ``payment`` with ``lines`` (the open lines of
    ``move`` it settles), and mark ``move`` as matched by it."""
    match_payments([(move, lines, payment)])


def match_payments(matches):
    """:func:`match_payment` of each ``(move, lines, payment)``, reconciled
    in one plan of Odoo's (``_reconcile_plan``: the partials and full
    reconciliations of all in one batch, each settled as alone)."""
    plan = []
    for _move, lines, payment in matches:
        payment_lines = payment.move_id.line_ids.filtered(
            lambda line: (
                line.parent_state == "posted"
                and line.account_type in PAYABLE_TYPES
                and not line.reconciled
            )
        )
        plan += [
            (payment_lines | lines).filtered(
                lambda line, account=account: (
                    line.account_id == account and not line.reconciled
                )
            )
            for account in payment_lines.account_id
        ]
    if plan:
        matches[0][0].env["account.move.line"]._reconcile_plan(plan)
    for move, _lines, payment in matches:
        if move not in payment.invoice_ids:  # linked as it was created
            move.matched_payment_ids += payment


def store_rate_balance(move, lines, amount):
    """The company-currency balance (unsigned) of settling ``amount`` (in
    ``move``'s currency, positive) of ``lines`` when ``move`` is at the
    store's rate: what is left of them in full at the move's own figures (the
    residual, as Odoo rounded it line by line), else the amount's share of
    that residual (the store's rate as the move's rounded lines carry it,
    which is what Odoo settles of them), so that no exchange difference
    arises that the store never had. ``None`` at Odoo's rates."""
    rate = store_rate(move)
    if not rate:
        return None
    residual = abs(sum(lines.mapped("amount_residual_currency")))
    residual_balance = abs(sum(lines.mapped("amount_residual")))
    if move.currency_id.compare_amounts(residual, amount) == 0:
        return residual_balance
    if move.currency_id.is_zero(residual):
        return move.company_currency_id.round(amount / rate)
    return move.company_currency_id.round(amount * residual_balance / residual)


def _at_store_rate(move, lines, amount):
    """The payment's forced balance at the store's rate (see
    :func:`store_rate_balance`); nothing at Odoo's rates."""
    balance = store_rate_balance(move, lines, amount)
    return {} if balance is None else {"force_balance": balance}


def _partner_bank(move, lines, journal, payment_type):
    """The bank account of a payment, as the wizard chooses it: the
    journal's for money received, the customer's (the move's, else the
    first the customer has in the company) for money paid back."""
    if payment_type == "inbound":
        return journal.bank_account_id
    banks = lines.partner_id.bank_ids.filtered(
        lambda bank: not bank.company_id or bank.company_id == move.company_id
    )
    if move.partner_bank_id in banks:
        return move.partner_bank_id
    return banks[:1]


def _without_validated_account(move, journal, method_lines):
    """The outgoing methods of ``method_lines`` that can pay a customer
    whose bank account the company has not validated ("Send Money"):
    those of a payment file (SEPA credit transfer, for instance) cannot,
    and Odoo would refuse to post the payment.

    :raises PaymentNotRegistered: when ``journal`` has only such methods.
    """
    needing = move.env["account.payment"]._get_method_codes_needing_bank_account()
    usable = method_lines.filtered(lambda line: line.code not in needing)
    if method_lines and not usable:
        raise PaymentNotRegistered(
            move.env._(
                "journal %(journal)s pays back only by %(methods)s, which needs "
                "a bank account of %(partner)s that the company validated: "
                "validate it (Send Money, on the customer's bank accounts), or "
                "give the journal a manual outgoing payment method, then import "
                "the refund again.",
                journal=journal.display_name,
                methods=", ".join(method_lines.mapped("name")),
                partner=move.partner_id.display_name,
            )
        )
    return usable
