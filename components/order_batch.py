# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A page of listed orders (a first sync of a store's history), imported
with one ``account.move.create()`` of its new invoices and one
``action_post()`` of those it posts.

Each order of the page goes through the steps of its own import
(:class:`~.order_importer.OrderImporter`): lock, fetch (the listing's
order), skip?, map, validate. The orders that get a new invoice (their
status rules say post, or draft until paid) are then written together, in
one savepoint::

    create all invoices -> BigCommerce's taxes, totals checked, each
        -> post those posted at once (the store posts; the rule says post,
        or draft until paid and they are paid) -> bind all -> create and
        post the payments a single gateway took -> per order: other
        payments, refunds, shipments, chatter line, failure resolved

Each post is split where Odoo would number the moves in another order than
the page's (:meth:`OrderPage._in_numbering_order`): every invoice and
payment gets the number it gets one by one.

Every other order (skipped, held, already invoiced) is imported alone, as
an order of a webhook is, in its own savepoint; one with a draft invoice,
which its import may post, between the batches of the orders before and
after it, so that every invoice is numbered as one by one, in the page's
order.

Whatever fails in the batch (an invoice refused, an error) rolls the whole
batch back, and each of its orders is imported alone instead: it then ends
as it would have alone, invoiced or a failure record, and one bad order
never holds its page back. An order whose steps fail before the batch is
written (an unknown SKU, a tax missing, a plan that does not reconcile) is
left out of it and imported alone, which records its failure, in its place:
the batch ends before it and the next begins after it. An order
that meets a transient fault (the rate limit, another worker importing it)
is queued alone, to be retried as every import is.
"""

import logging

from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce.payments import ACTION_DRAFT, ACTION_POST, is_paid
from .importer import expected_unique_violations
from .kinds import KINDS
from .payment_entries import match_payments, payments_model

_logger = logging.getLogger(__name__)


class OrderPage:
    """One page of listed orders of an import run, imported in one job."""

    def __init__(self, backend, items):
        """:param backend: the store (``bigcommerce.backend``), one record.
        :param items: ``[[run line id, order], ...]``, each order as the
            listing returned it, with its lines.
        """
        backend.ensure_one()
        self.backend = backend
        self.env = backend.env
        self.items = items
        self.run_lines = self.env["bigcommerce.import.run.line"].sudo()
        #: How many orders were invoiced in batches, and how many were
        #: queued alone after a transient fault.
        self.batched = 0
        self.alone = 0
        #: How many orders ended as failures.
        self.failed = 0
        #: The store's client of the batches (:meth:`_client`).
        self.client = None
        #: Why a batch was rolled back, if one was.
        self.fallback_reason = None

    # --- the page -----------------------------------------------------------
    def run(self):
        """Import the page; returns the job's sentence."""
        for batch, items in self._segments():
            if not batch:
                for line_id, order in items:
                    self._import_alone(line_id, order)
                continue
            while items:
                results, alone, items = self._import_batch(items)
                for line_id, importer, result in results:
                    self._set_outcome(line_id, importer, result)
                self.batched += len(results)
                for line_id, order in alone:
                    self._import_alone(line_id, order)
        return self._result()

    def _segments(self):
        """The page in ``(batch?, items)`` segments, read from the listing
        and the orders' bindings (no call), in the order that numbers each
        invoice as one by one: the runs of orders that may be invoiced in a
        batch, and between them each order with a draft invoice (which its
        import may post); the orders that post nothing (skipped, held,
        invoiced already) last, alone."""
        binder = KINDS["order"].binder(self.backend)
        bound = {
            binding.bigcommerce_id: binding
            for binding in binder.to_bindings([int(o["id"]) for _l, o in self.items])
        }
        segments, batch, last = [], [], []
        for line_id, order in self.items:
            invoice = bound.get(int(order["id"]), binder.bindings).move_id
            action = self.backend._status_action(int(order.get("status_id") or 0))
            if self._gets_new_invoice(invoice, action):
                batch.append((line_id, order))
            elif invoice.state == "draft":
                if batch:
                    segments.append((True, batch))
                    batch = []
                segments.append((False, [(line_id, order)]))
            else:
                last.append((line_id, order))
        if batch:
            segments.append((True, batch))
        if last:
            segments.append((False, last))
        return segments

    def _gets_new_invoice(self, invoice, action):
        """Whether an order gets a new invoice from its import: it has
        none, and its status rule invoices it (posted at once, or in draft
        until paid); a draft invoice has no number yet, and is created
        with the others."""
        return not invoice and action in (ACTION_POST, ACTION_DRAFT)

    def _posts_at_once(self, action, order):
        """Whether the import of an order with a new invoice posts it: the
        store posts, and the order's status rule says post (or draft until
        paid, and it is paid)."""
        return self.backend.posting_policy == "post" and (
            action == ACTION_POST or (action == ACTION_DRAFT and is_paid(order))
        )

    # --- the batch --------------------------------------------------------
    def _import_batch(self, items):
        """Invoice the first orders of ``items`` in one savepoint: one
        create and one post, up to the first order left out of the batch,
        which is then imported alone before the rest's batch, so that every
        invoice is numbered in the page's order, as one by one.

        :return: ``(results, alone, rest)``: ``[(run line id, importer,
            sentence)]`` of the orders invoiced; the items to import alone
            next (the order left out, or all the batch's when it was rolled
            back); the items after them, for the next batch.
        """
        results, left_out, rest = [], [], []
        try:
            with expected_unique_violations(), self.env.cr.savepoint():
                prepared = []
                for index, (line_id, order) in enumerate(items):
                    ready = self._prepare(order)
                    if not ready:
                        left_out, rest = [(line_id, order)], items[index + 1 :]
                        break
                    prepared.append((line_id, order, *ready))
                if prepared:
                    results = self._write(prepared)
        except Exception as exc:  # each order, alone, says why
            self.fallback_reason = f"{type(exc).__name__}: {exc}"
            _logger.info(
                "BigCommerce orders page of %s: batch rolled back, each order "
                "imported alone (%s)",
                self.backend.name,
                self.fallback_reason,
            )
            return [], list(items[: len(items) - len(rest)]), rest
        return results, left_out, rest

    def _prepare(self, order):
        """Run an order's steps up to its invoice's values, in a savepoint
        of its own.

        :return: ``(importer, mapped, invoice values)``, or ``None`` for an
            order to import alone: one whose steps failed (its own import
            records why, or retries), or that is not invoiced and posted.
        """
        importer = self._importer(order)
        try:
            with self.env.cr.savepoint():
                importer.binder.lock(importer.bigcommerce_id)
                importer.client = self._client()
                importer._fetch()
                if importer._must_skip() or not self._gets_new_invoice(
                    importer.invoice, importer.action
                ):
                    return None
                mapped = importer._map()
                importer._validate(mapped)
                importer.changes = importer._changes(importer._binding_values(mapped))
                values = importer._invoice_values(mapped)
        except Exception as exc:  # imported alone, it says why
            _logger.info(
                "BigCommerce %s left out of its page's batch: %s",
                importer._label(),
                exc,
            )
            return None
        return importer, mapped, values

    def _write(self, prepared):
        """Create, check, post and bind the prepared invoices, then finish
        each order's import (payment, refunds, shipments, chatter).

        :param prepared: ``[(run line id, order, importer, mapped,
            invoice values)]``.
        :return: ``[(run line id, importer, sentence)]``.
        """
        moves = self.env["account.move"].create([p[4] for p in prepared])
        for (_line_id, _order, importer, mapped, _values), move in zip(
            prepared, moves, strict=True
        ):
            importer.invoice = move
            importer.outcomes.append(self.env._("invoice created"))
            # Raises for a plan that does not reconcile: nothing is posted.
            importer._check_invoice(move, mapped)
        posted = moves.browse(
            importer.invoice.id
            for _l, order, importer, _m, _v in prepared
            if self._posts_at_once(importer.action, order)
        )
        for group in self._in_numbering_order(posted):
            group.action_post()
        binder = KINDS["order"].binder(self.backend)
        bindings = binder.bind_many(
            [
                (
                    importer.bigcommerce_id,
                    importer.invoice,
                    importer._done_binding_values(mapped),
                )
                for _l, _o, importer, mapped, _v in prepared
            ]
        )
        for (_l, _o, importer, _m, _v), binding in zip(prepared, bindings, strict=True):
            importer.binding = binding
        paid = self._register_payments([p[2] for p in prepared])
        results, chatter_lines = [], []
        for line_id, _order, importer, mapped, _values in prepared:
            importer.chatter_lines = chatter_lines
            if importer.invoice in posted:
                importer.outcomes.append(self.env._("invoice posted"))
            binding = importer.binding
            if importer in paid:
                # Registered: the import's own registration finds it paid.
                importer.outcomes.append(paid[importer])
            binding._record_status(importer.previous_status, binding.date_modified)
            # The invoice is posted: the rest of the order's import.
            importer._after_import(mapped)
            importer._resolve_failure()
            importer.outcome = "done"
            results.append((line_id, importer, importer._result()))
        self._log_chatter_lines(chatter_lines)
        return results

    def _log_chatter_lines(self, chatter_lines):
        """Log the orders' chatter lines, ``[(record, line)]``, as notes:
        one batch per model (what ``message_post`` logs, one at a time)."""
        bodies_by_model = {}
        for record, line in chatter_lines:
            bodies_by_model.setdefault(record._name, {})[record.id] = line
        for model, bodies in bodies_by_model.items():
            self.env[model].browse(list(bodies))._message_log_batch(bodies)

    def _register_payments(self, importers):
        """Register the payments of the batch's invoices that one gateway
        paid when the order was placed, as each order's import would: one
        create and one post of them (in numbering runs, as the invoices);
        the other orders' payments are registered by their own import.

        :return: ``{importer: what its chatter says of its payment}``.
        """
        planned = []
        for importer in importers:
            if importer._pays_invoice() and not (
                importer._currency_changed_after_posting()
            ):
                plan = importer._payment_registrar().planned_payment()
                if plan:
                    planned.append((importer, *plan))
        if not planned:
            return {}
        # Odoo writes the payments' entries in one create as they are posted
        # (a store's rate forces an entry's balance: that one is written on
        # its own, as the payment is created).
        payments = payments_model(self.env).create([plan[1] for plan in planned])
        # A payment's entry is dated and referenced as the payment.
        for run in self._in_numbering_order(
            payments, key=lambda payment: (payment.date, payment.memo or "")
        ):
            run.with_context(skip_sale_auto_invoice_send=True).action_post()
        match_payments(
            [
                (importer.invoice, lines, payment)
                for (importer, _v, lines, _m), payment in zip(
                    planned, payments, strict=True
                )
            ]
        )
        return {importer: message for importer, _v, _l, message in planned}

    @staticmethod
    def _in_numbering_order(moves, key=lambda move: (move.date, move.ref or "")):
        """``moves`` (in the page's order) in runs that Odoo numbers in that
        order when each run is posted at once: Odoo numbers the moves of one
        post by date, then reference (the order id, as text), and one by one
        numbers them in the page's order. A page whose order ids grow with
        their dates, of as many digits, is one run; an order id of one digit
        more (999, then 1000) or an order dated before a lower id, on the
        same day, starts another, so that each invoice gets the number it
        gets alone.

        :param key: what Odoo numbers a move by (its date, its reference).
        """
        runs, last = [], None
        for move in moves:
            current = key(move)
            if last is None or current < last:
                runs.append(move)
            else:
                runs[-1] |= move
            last = current
        return runs

    def _client(self):
        """The store's client, one for the page's batches."""
        if self.client is None:
            self.client = self.backend._get_client()
        return self.client

    # --- one order alone ------------------------------------------------------
    def _importer(self, order):
        """A new import of one listed order."""
        return KINDS["order"].importer(self.backend, int(order["id"]), prefetched=order)

    def _import_alone(self, line_id, order):
        """Import one order in its own savepoint, as alone; an order that
        meets a transient fault is queued alone."""
        importer = self._importer(order)
        try:
            result = importer.run()
        except (RetryableJobError, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY) as exc:
            line = self.run_lines.browse(line_id).exists()
            _logger.info("Order %s queued alone: %s", importer.bigcommerce_id, exc)
            self.backend._delay_run_order(
                line.run_id, line_id, importer.bigcommerce_id, order
            )
            self.alone += 1
            return
        self._set_outcome(line_id, importer, result)

    def _set_outcome(self, line_id, importer, result):
        """Show what became of an order on its run line."""
        self.failed += importer.outcome == "failed"
        self.run_lines.browse(line_id).exists()._set_outcome(importer.outcome, result)

    def _result(self):
        """The job's sentence."""
        imported = len(self.items) - self.alone - self.failed
        parts = [f"{imported} order(s) imported"]
        if self.failed:
            parts.append(f"{self.failed} failed (see their failures)")
        if self.batched:
            parts.append(f"{self.batched} invoiced in batches of the page")
        if self.fallback_reason:
            parts.append(f"one by one after a batch failed ({self.fallback_reason})")
        if self.alone:
            parts.append(f"{self.alone} queued alone after a transient fault")
        return ", ".join(parts) + "."
