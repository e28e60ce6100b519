# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What an order's import does for its refunds, and for a cancellation
after invoicing (called by :class:`~.order_importer.OrderImporter`).

- The refunds that waited for the order's invoice are queued (no API
  call); so are, when the order has just become Refunded or Partially
  Refunded, the refunds BigCommerce lists for it (one call).
- An order cancelled or declined on the store after its invoice was posted
  has its invoice reversed in full by a credit note, or raised as a failure
  for an accountant, as the store's setting says.
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
    newly_refunded = status_id in REFUNDED_STATUS_IDS and (
        not had_invoice or previous_status != binding.status
    )
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
            cancel=backend.posting_policy == "post",
        )
        binding.write({"cancel_move_id": reversal.id})
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
