# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What an order's import does for its refunds, and for a cancellation
after invoicing (called by :class:`~.order_importer.OrderImporter`).

- The refunds that waited for the order's invoice are queued (no API
  call); so are, when the order has just become Refunded or Partially
  Refunded, the refunds BigCommerce lists for it (one call).
- An order cancelled or declined on the store after its invoice was posted
  has its invoice reversed in full by a credit note, or raised as a failure
  for an accountant, as the store's setting says. When the invoice was paid,
  that credit note is settled by the money the store's refunds pay back
  (``refund_importer.py``); until then the order says why it stays open
  (:func:`note_cancellation`). A cancelled order whose payment the store
  reports refunded has its refunds listed and queued, as a refunded order.
"""

import logging

from markupsafe import Markup

from ..bigcommerce.const import (
    CANCELLED_STATUS_IDS,
    ORDER_STATUSES,
    REFUNDED_STATUS_IDS,
)
from ..bigcommerce.exceptions import BigCommerceFatalError
from . import kinds
from .accounting import same_rate, store_date

_logger = logging.getLogger(__name__)

#: Payment statuses of an order that gave money back (``payment_status``).
REFUNDED_PAYMENT_STATUSES = ("refunded", "partially refunded")


def refund_binder(backend):
    """The binder of the store's refunds."""
    return kinds.binder(backend, "refund")


def after_order_import(
    backend, binding, status_id, had_invoice, previous_status, list_refunds
):
    """Called by the order importer once the order is bound.

    :param backend: the store (``bigcommerce.backend``).
    :param binding: the order's binding (``bigcommerce.order``), as bound.
    :param status_id: the order's status id on BigCommerce.
    :param had_invoice: whether the order had an invoice before the import.
    :param previous_status: the order's status before the import.
    :param list_refunds: a callable that returns the order's refunds as
        BigCommerce lists them (one API call), called only when the order
        has just become Refunded or Partially Refunded.
    """
    if not binding.move_id:
        return
    refunded = status_id in REFUNDED_STATUS_IDS or (
        status_id in CANCELLED_STATUS_IDS
        and binding.payment_status in REFUNDED_PAYMENT_STATUSES
    )
    newly_refunded = refunded and (not had_invoice or previous_status != binding.status)
    _queue_refunds(backend, binding, list_refunds if newly_refunded else None)
    _cancelled_after_invoicing(backend, binding, status_id)


def _queue_refunds(backend, binding, list_refunds):
    """Queue the refunds of a just-invoiced order: the ones that waited for
    its invoice (no API call), and, when ``list_refunds`` is given (the
    order is newly refunded on the store), the ones BigCommerce lists (one
    call)."""
    env = backend.env
    refunds = env["bigcommerce.refund"].sudo()
    waiting = refunds.search(
        [
            ("backend_id", "=", backend.id),
            ("bigcommerce_order_id", "=", binding.bigcommerce_id),
            ("move_id", "=", False),
        ]
    )
    to_queue = set(waiting.mapped("bigcommerce_id"))
    if list_refunds:
        try:
            listed = list_refunds()
        except BigCommerceFatalError as exc:
            # The invoice stands; the refunds come with their webhooks or
            # the catch-up.
            _logger.warning(
                "Refunds of order %s not listed: %s", binding.bigcommerce_id, exc
            )
            binding.move_id.message_post(
                body=env._(
                    "The refunds of order #%(order)s could not be listed "
                    "(%(error)s): they will be credited as their webhooks or "
                    "the catch-up bring them.",
                    order=binding.bigcommerce_id,
                    error=exc.message,
                )
            )
            listed = []
        ids = [int(refund["id"]) for refund in listed]
        credited = {
            b.bigcommerce_id
            for b in refund_binder(backend).to_bindings(ids)
            if b.move_id
        }
        to_queue.update(i for i in ids if i not in credited)
    to_queue.discard(env.context.get("bigcommerce_crediting_refund"))
    for refund_id in sorted(to_queue):
        kinds.delay_import(backend, "refund", refund_id, binding.bigcommerce_id)


def _cancelled_after_invoicing(backend, binding, status_id):
    """An order cancelled (or declined) on the store after its invoice was
    posted: reverse the invoice in full, or raise it for an accountant, as
    the store says. Never left standing silently."""
    env = backend.env
    invoice = binding.move_id
    if (
        status_id not in CANCELLED_STATUS_IDS
        or invoice.state != "posted"
        or binding.cancel_move_id
    ):
        return
    failures = env["bigcommerce.failure"].sudo()
    status = ORDER_STATUSES.get(status_id, status_id)
    reversals = env["account.move"].search(
        [("reversed_entry_id", "=", invoice.id), ("state", "!=", "cancel")]
    )
    credited = sum(reversals.mapped("amount_total"))
    if invoice.currency_id.compare_amounts(credited, invoice.amount_total) >= 0:
        # Refunded in full already (or reversed by hand): nothing stands.
        failures._resolve(backend, "cancelled_invoice", binding.bigcommerce_id)
        return
    if backend.cancelled_invoice_policy == "reverse" and not reversals:
        reversal = _reverse(backend, binding, invoice, status)
        binding.write({"cancel_move_id": reversal.id})
        note_cancellation(binding)
        invoice.message_post(
            body=env._(
                "Order #%(order)s was %(status)s on BigCommerce after it was "
                "invoiced: this invoice is reversed in full by %(move)s.",
                order=binding.bigcommerce_id,
                status=status,
                move=reversal.display_name,
            )
        )
        failures._resolve(backend, "cancelled_invoice", binding.bigcommerce_id)
        return
    if reversals:
        reason = env._(
            "Order #%(order)s was %(status)s on BigCommerce after it was invoiced "
            "and partly refunded: %(credited)s of %(total)s is credited. Credit "
            "the balance (or decide otherwise), then mark this failure resolved.",
            order=binding.bigcommerce_id,
            status=status,
            credited=credited,
            total=invoice.amount_total,
        )
    else:
        reason = env._(
            "Order #%(order)s was %(status)s on BigCommerce after its invoice "
            "%(invoice)s was posted. Reverse the invoice (Reverse button on the "
            "invoice) or decide otherwise, then mark this failure resolved.",
            order=binding.bigcommerce_id,
            status=status,
            invoice=invoice.name,
        )
    failure = failures.search(
        [
            ("backend_id", "=", backend.id),
            ("record_type", "=", "cancelled_invoice"),
            ("bigcommerce_id", "=", str(binding.bigcommerce_id)),
            ("state", "!=", "resolved"),
        ],
        limit=1,
    )
    if failure and failure.reason == reason:
        return
    failure = failures._record(
        backend, "cancelled_invoice", binding.bigcommerce_id, reason
    )
    failure.message_post(body=reason)
    invoice.message_post(body=Markup("<p>%s</p>") % reason)


def _reverse(backend, binding, invoice, status):
    """The credit note reversing ``invoice`` in full, posted as the store's
    posting policy says.

    An unpaid invoice is settled by it. A paid one keeps its payment: the
    credit note is settled with what the invoice still owed, if anything,
    and stays open for the money received, which the store's refunds pay
    back (``refund_importer.py``), as a refund's credit note is.
    """
    env = backend.env
    post = backend.posting_policy == "post"
    paid = invoice.payment_state in ("paid", "in_payment", "partial")
    reversal = invoice._reverse_moves(
        [
            {
                "ref": env._(
                    "Reversal of: %(invoice)s, order #%(order)s %(status)s on "
                    "BigCommerce",
                    invoice=invoice.name,
                    order=binding.bigcommerce_id,
                    status=status,
                ),
                # Today, in the store's time zone.
                "invoice_date": store_date(backend),
                **same_rate(invoice),
            }
        ],
        cancel=post and not paid,
    )
    if post and paid:
        reversal.action_post()
        if not invoice.currency_id.is_zero(invoice.amount_residual):
            (invoice.line_ids | reversal.line_ids).filtered(
                lambda line: line.display_type == "payment_term" and not line.reconciled
            ).reconcile()
    return reversal


def note_cancellation(binding):
    """Say on the order why the credit note that reversed its invoice on
    cancellation stays open, or that it no longer does, with a line on the
    order's chatter when that changes.

    A paid invoice, reversed, leaves its credit note open: the customer is
    owed the money until the store records a refund, whose payments settle
    the credit note. An unpaid invoice, reversed, is settled by its credit
    note: nothing is owed, nothing is said.

    :param binding: the order's binding (``bigcommerce.order``), with its
        ``cancel_move_id``.
    """
    env = binding.env
    reversal = binding.cancel_move_id
    note = False
    if reversal.state == "posted" and not reversal.currency_id.is_zero(
        reversal.amount_residual
    ):
        currency = reversal.currency_id
        refunds = binding.refund_ids.filtered(lambda r: r.move_id == reversal)
        if not refunds:
            note = env._(
                "Cancelled on the store, no refund recorded: %(move)s stays open, "
                "%(amount)s %(currency)s owed to the customer, until the store "
                "records the refund (or settle it by hand).",
                move=reversal.display_name,
                amount=f"{reversal.amount_residual:.2f}",
                currency=currency.name,
            )
        else:
            note = env._(
                "Cancelled on the store; its refunds (%(refunds)s) paid back "
                "%(paid)s of %(total)s %(currency)s: %(move)s stays open for the "
                "rest (the refunds say why).",
                refunds=", ".join(refunds.mapped("display_name")),
                paid=f"{reversal.amount_total - reversal.amount_residual:.2f}",
                total=f"{reversal.amount_total:.2f}",
                currency=currency.name,
                move=reversal.display_name,
            )
    if note == (binding.cancel_note or False):
        return
    had_note = bool(binding.cancel_note)
    binding.cancel_note = note
    if note:
        binding.message_post(body=note)
    elif had_note:
        binding.message_post(
            body=env._(
                "Cancelled on the store and refunded: %(move)s is settled by the "
                "money paid back.",
                move=reversal.display_name,
            )
        )
