# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import of one BigCommerce order as a customer invoice."""

from decimal import Decimal

from odoo import Command

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.const import ORDER_STATUSES
from ..bigcommerce.customers import email_key
from ..bigcommerce.mapping import (
    KIND_PRODUCT,
    MappingError,
    billing_partner_values,
    clean_payload,
    infer_order_taxes,
    order_line_items,
    order_to_invoice_plan,
    with_fee_taxes,
)
from ..bigcommerce.payments import (
    ACTION_DRAFT,
    ACTION_HOLD,
    ACTION_POST,
    ACTION_SKIP,
    is_paid,
    paid_after_placed,
)
from . import kinds
from .accounting import AccountingResolver, store_date
from .binder import BigCommerceBinder
from .customer_importer import (
    GUEST_KIND,
    customer_binder,
    customer_partner,
    cut_note,
    fitted_location_values,
)
from .importer import BigCommerceImporter
from .order_refunds import after_order_import
from .payment_registrar import PaymentNotRegistered, PaymentRegistrar
from .products import LineProducts

# Fields whose change on a posted invoice's order is noted on its chatter.
TRACKED_CHANGES = (
    ("status", "Status"),
    ("custom_status", "Status on the store"),
    ("payment_status", "Payment status"),
    ("total_ex_tax", "Untaxed"),
    ("total_tax", "Tax"),
    ("total_inc_tax", "Total"),
)


class OrderImporter(BigCommerceImporter):
    """One order: one API call (the order with its lines; its tax rows too
    when they cannot be inferred), one invoice, bound to the order through
    ``bigcommerce.order``.

    A posted invoice is never rewritten: a later change of the order is
    noted on its chatter. A draft one is rewritten, or cancelled when the
    order was cancelled or declined on the store.

    The store's status rules decide what an order's status makes of its
    invoice (post it, leave it in draft until paid, hold it, or none), and
    an order BigCommerce reports paid has its payment registered on the
    posted invoice (``payment_registrar.py``): the third API call, the
    order's transactions, is made only for a split payment the order's own
    fields cannot tell apart.

    Each import writes one line on the chatter of the order record and of
    its invoice: what changed, what was done, and what asked for it.
    """

    kind = "order"
    binding_model = "bigcommerce.order"

    def __init__(self, backend, bigcommerce_id, origin=None, prefetched=None):
        """:param origin: what asked for the import: ``webhook``,
        ``catch_up``, ``manual``, ``reprocess`` or ``import`` (the import
        wizard; see :meth:`_origin_label`).
        :param prefetched: the order as a listing with its line items
        returned it (a first sync of the store's history), which spares
        its own request; read again on a retry, when it may be stale.
        """
        super().__init__(backend, int(bigcommerce_id))
        self.origin = origin
        self.prefetched = prefetched
        self.accounting = AccountingResolver(backend)
        # What the order was before this import (:meth:`_fetch`).
        self.invoice = self.env["account.move"]
        self.had_invoice = False
        self.previous_status = None
        self.previous_payment_status = None
        # What the store's status rules make of its status (:meth:`_fetch`).
        self.action = ACTION_POST
        # What the invoice is written with (:meth:`_validate`).
        self.partner = self.env["res.partner"]
        self.currency = self.env["res.currency"]
        self.journal = self.env["account.journal"]
        self.tax_by_rate = {}
        self.invoice_lines = []
        # The product of each product line (:meth:`_line_products`).
        self.line_products = None
        #: The invoice's rate when booked at the store's (else ``None``).
        self.invoice_rate = None
        # What this import did and saw, for the chatter.
        self.changes = []
        self.outcomes = []
        self.payment_note = False
        #: ``[(record, line)]`` to log the chatter lines to, in one batch
        #: per model, instead of posting them (a first sync's page).
        self.chatter_lines = None

    def _label(self):
        """``Order #<id>``, as the job's result and the log say it."""
        return f"Order #{self.bigcommerce_id}"

    # --- fetch and skip -------------------------------------------------
    def _fetch(self):
        """Read the order (or take the listing's), its binding and invoice,
        the action its status asks for, and its tax rows: inferred from the
        order's figures when they tell them for certain, else read."""
        tries = self._job_tries()
        if self.prefetched and (not tries or tries[0] == 1):
            order = self.prefetched
        else:
            order = self._call(self.client.get_order, self.bigcommerce_id)
        self.fetched["order"] = clean_payload(order)
        self.binding = self.binder.to_binding(self.bigcommerce_id)
        self.invoice = self.binding.move_id
        self.had_invoice = bool(self.invoice)
        self.previous_status = self.binding.status if self.binding else None
        self.previous_payment_status = (
            (self.binding.payment_status or "") if self.binding else None
        )
        self.action = self.backend._status_action(self._status_id())
        if not self._must_skip():
            # One call by webhook: the tax rows, where the order's own figures
            # and the store's tax rates tell them for certain.
            inferred = infer_order_taxes(self.fetched["order"], self._store_tax_rates())
            if inferred is None:
                self._fetch_taxes()
            else:
                self.fetched["taxes"] = inferred
                self.fetched["taxes_inferred"] = True

    def _fetch_taxes(self):
        """Read the order's tax rows from BigCommerce; they cannot name a
        fee, so the fees' are worked out (:func:`with_fee_taxes`)."""
        self.fetched["taxes"] = with_fee_taxes(
            self.fetched["order"],
            clean_payload(self._call(self.client.get_order_taxes, self.bigcommerce_id)),
            self._store_tax_rates(),
        )
        self.fetched.pop("taxes_inferred", None)

    def _store_tax_rates(self):
        """The rates (percent) the order's tax rows may be inferred at
        (:meth:`.accounting.AccountingResolver.store_tax_rates`)."""
        return self.accounting.store_tax_rates()

    def _status_id(self):
        """The order's status id on BigCommerce (``0``: incomplete)."""
        return int(self.fetched["order"].get("status_id") or 0)

    def _status_label(self):
        """The order's status, in words."""
        status_id = self._status_id()
        return ORDER_STATUSES.get(status_id, str(status_id))

    def _must_skip(self):
        """Orders the status rules do not invoice (by default: incomplete,
        cancelled, declined) are left out, unless an invoice already exists."""
        if self.action == ACTION_SKIP and not self.invoice:
            return f"{self._label()} is {self._status_label()}: not invoiced."
        return ""

    def _holds_without_invoice(self):
        """Whether the order is held and has no invoice to keep."""
        return self.action == ACTION_HOLD and not self.invoice

    def _skipped_binding_values(self):
        """What the store says of an order that is not invoiced: its status,
        customer, dates and totals, with no invoice and no partner."""
        order = self.fetched["order"]
        status_id = self._status_id()
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [
                    (
                        "name",
                        "=",
                        order.get("default_currency_code")
                        or order.get("currency_code")
                        or "",
                    )
                ],
                limit=1,
            )
        )

        def amount(fname):
            """The order's amount in ``fname``, ``0.0`` when unreadable."""
            try:
                return float(Decimal(str(order.get(fname) or 0)))
            except ArithmeticError:
                return 0.0

        values = {
            "status": str(status_id) if status_id in ORDER_STATUSES else False,
            "custom_status": order.get("custom_status") or order.get("status"),
            "payment_status": order.get("payment_status") or False,
            "customer_bigcommerce_id": int(order.get("customer_id") or 0),
            "date_created": parse_datetime(order.get("date_created")),
            "date_modified": parse_datetime(order.get("date_modified")),
            "currency_id": currency.id or False,
            "total_ex_tax": amount("total_ex_tax"),
            "total_tax": amount("total_tax"),
            "total_inc_tax": amount("total_inc_tax"),
        }
        partner = self._existing_partner()
        if partner:
            values["partner_id"] = partner.id
        return values

    def _existing_partner(self):
        """The partner Odoo already has for the order's customer (or guest),
        without creating one: a skipped order is linked to it all the same."""
        order = self.fetched["order"]
        customer_id = int(order.get("customer_id") or 0)
        if customer_id:
            return customer_binder(self.backend).to_record(customer_id, "res.partner")
        email = billing_partner_values(order.get("billing_address"))["email"]
        if not email:
            return self.env["res.partner"]
        return BigCommerceBinder(self.backend, GUEST_KIND).to_record(
            email_key(email), "res.partner"
        )

    def _after_skip(self, reason):
        """Say on the order's chatter that it was not invoiced, and why."""
        if self.binding:
            self.binding.message_post(
                body=self.env._(
                    "BigCommerce order #%(order)s (%(origin)s): %(what)s",
                    order=self.bigcommerce_id,
                    origin=self._origin_label(),
                    what=reason,
                )
            )

    # --- map and validate -------------------------------------------------
    def _map(self):
        """The order's invoice plan (``bigcommerce.mapping``); tax rows
        inferred that do not reconcile are read from the store instead."""
        try:
            return order_to_invoice_plan(self.fetched["order"], self.fetched["taxes"])
        except MappingError:
            if not self.fetched.get("taxes_inferred"):
                raise
        # Inferred rows that do not reconcile: BigCommerce's own rows decide.
        self._fetch_taxes()
        return order_to_invoice_plan(self.fetched["order"], self.fetched["taxes"])

    def _validate(self, mapped):
        """Resolve the currency, the customer and, for an invoice to write,
        its journal, taxes and lines; raise :class:`MappingError` with what
        to fix."""
        self.currency = self.accounting.currency(mapped.currency)
        if self._holds_without_invoice():
            self.partner = self._partner()
            return
        if self._keeps_invoice():
            # Neither the lines nor the customer of this invoice change.
            self.partner = self.invoice.partner_id
            return
        self.partner = self._partner()
        self.tax_by_rate = self.accounting.sale_tax_by_rate(
            {rate for line in mapped.lines for rate in line.tax_rates}
        )
        self.line_products = self._line_products(mapped)
        self.invoice_lines = self._invoice_line_commands(mapped, self.tax_by_rate)
        self.journal = self.accounting.sale_journal()
        self.invoice_rate = self.accounting.invoice_rate(mapped, self.currency)

    def _line_products(self, mapped):
        """The product of each product line (``components/products.py``):
        its SKU's, or what the store's Unknown Products setting says; what
        the chatter says of it goes with the import's outcomes."""
        resolver = LineProducts(self.backend, self.accounting)
        resolver.resolve(
            mapped.lines,
            {int(item["id"]): item for item in order_line_items(self.fetched["order"])},
        )
        self.outcomes.extend(resolver.notes)
        return resolver

    def _keeps_invoice(self):
        """A posted (or cancelled) invoice is never rewritten; a draft one
        of an order the status rules do not invoice is cancelled, and one of
        a held order is left as it is."""
        return bool(self.invoice) and (
            self.invoice.state != "draft" or self.action in (ACTION_SKIP, ACTION_HOLD)
        )

    # --- create or update ---------------------------------------------------
    def _create_or_update(self, mapped):
        """Create the invoice, rewrite a draft one, or keep (or cancel) the
        one that stands; returns it (none for a held order without one).
        A written invoice carries BigCommerce's taxes and totals, or is
        refused."""
        invoice = self.invoice
        self.changes = self._changes(self._binding_values(mapped))
        if self._holds_without_invoice():
            return invoice
        if self._keeps_invoice():
            cancel = invoice.state == "draft" and self.action == ACTION_SKIP
            if cancel:
                invoice.button_cancel()
                self.outcomes.append(self.env._("the draft invoice was cancelled"))
            elif self.changes:
                states = dict(invoice._fields["state"]._description_selection(self.env))
                self.outcomes.append(
                    self.env._(
                        "the %(state)s invoice was not modified",
                        state=states[invoice.state].lower(),
                    )
                )
                if self._currency_changed_after_posting() and any(
                    label == "Currency" for label, _old, _new in self.changes
                ):
                    self.outcomes.append(self._currency_change_note(mapped))
            return invoice
        if invoice:
            had_store_rate = invoice.bigcommerce_store_rate
            invoice.write(
                {
                    "partner_id": self.partner.id,
                    "currency_id": self.currency.id,
                    "invoice_date": self._invoice_date(mapped),
                    "invoice_line_ids": [Command.clear(), *self.invoice_lines],
                    **self._rate_values(invoice),
                }
            )
            if had_store_rate and not self.invoice_rate:
                invoice.refresh_invoice_currency_rate()
            self.outcomes.append(self.env._("the draft invoice was rewritten"))
        else:
            invoice = self.env["account.move"].create(self._invoice_values(mapped))
            self.outcomes.append(self.env._("invoice created"))
        self.invoice = invoice
        self._check_invoice(invoice, mapped)
        return invoice

    def _check_invoice(self, invoice, mapped):
        """Give the written ``invoice`` BigCommerce's tax amounts, and refuse
        it (:class:`MappingError`) unless its totals are BigCommerce's."""
        self.accounting.set_bigcommerce_taxes(invoice, mapped, self.tax_by_rate)
        self.accounting.check_totals(
            invoice,
            mapped,
            lambda **figures: self.env._(
                "Order %(order)s: the invoice would show untaxed/tax/total "
                "%(odoo)s but BigCommerce says %(store)s (differences "
                "%(difference)s). It was not posted.",
                order=mapped.order_id,
                **figures,
            ),
        )

    def _binding_values(self, mapped):
        """The order's status, customer, dates and totals, as the store
        says them (in its invoice's currency, once posted)."""
        order = self.fetched["order"]
        status_id = self._status_id()
        values = {
            "status": str(status_id) if status_id in ORDER_STATUSES else False,
            "custom_status": order.get("custom_status") or order.get("status"),
            "payment_status": order.get("payment_status") or False,
            "payment_method": (order.get("payment_method") or "").strip() or False,
            "customer_bigcommerce_id": mapped.customer_id,
            "partner_id": self.partner.id,
            "date_created": mapped.date,
            "date_modified": parse_datetime(order.get("date_modified")),
            "currency_id": self.currency.id,
            "total_ex_tax": float(mapped.untaxed),
            "total_tax": float(mapped.tax),
            "total_inc_tax": float(mapped.total),
            "hold_reason": self._hold_reason(),
            "store_currency_id": False,
        }
        if self._currency_changed_after_posting():
            # The order's amounts stay in its invoice's currency (the
            # store's, in another one, are in the chatter).
            binding = self.binding
            values.update(
                currency_id=self.invoice.currency_id.id,
                store_currency_id=self.currency.id,
                total_ex_tax=binding.total_ex_tax,
                total_tax=binding.total_tax,
                total_inc_tax=binding.total_inc_tax,
            )
        return values

    def _currency_changed_after_posting(self):
        """Whether the order is in another currency on BigCommerce than its
        posted invoice."""
        return bool(
            self.invoice
            and self.invoice.state == "posted"
            and self.currency
            and self.currency != self.invoice.currency_id
        )

    def _currency_change_note(self, mapped):
        """What the chatter says of a currency changed after posting."""
        return self.env._(
            "the order's currency changed on BigCommerce after its invoice was "
            "posted: the invoice, and the order's amounts here, stay in "
            "%(invoice)s, while the store now says %(total)s %(store)s. If the "
            "order is really in %(store)s now, reverse this invoice (Reverse "
            "button on the invoice) and invoice the order in %(store)s by hand; "
            "if not, set its currency back on BigCommerce",
            invoice=self.invoice.currency_id.name,
            store=self.currency.name,
            total=mapped.total,
        )

    def _bind(self, record, mapped):
        """Bind the order, and add its status to its history when it
        changed."""
        binding = super()._bind(record, mapped)
        # The import's own chatter line tells of the change.
        binding._record_status(self.previous_status, binding.date_modified)
        return binding

    def _hold_reason(self):
        """Why a held order has no posted invoice (``False`` unless held)."""
        if self.action != ACTION_HOLD:
            return False
        return self.env._(
            "Held: the order is %(status)s on BigCommerce. It is invoiced once "
            "its status changes; the store's status rules decide.",
            status=self._status_label(),
        )

    def _after_import(self, mapped):
        """Post the invoice as the status rules say, register its payment,
        queue its refunds and shipments, and tell the chatter."""
        order = self.fetched["order"]
        invoice = self.invoice
        if invoice.state == "draft" and self.backend.posting_policy == "post":
            if self.action == ACTION_POST or (
                self.action == ACTION_DRAFT and is_paid(order)
            ):
                invoice.action_post()
                self.outcomes.append(self.env._("invoice posted"))
            elif self.action == ACTION_DRAFT:
                self.outcomes.append(
                    self.env._(
                        "the invoice stays in draft until BigCommerce reports the "
                        "order paid (payment status: %(status)s)",
                        status=order.get("payment_status") or "-",
                    )
                )
        if self.action == ACTION_HOLD:
            self.outcomes.append(self.binding.hold_reason)
        self._register_payment()
        self.binding.payment_note = self.payment_note
        # Refunds waiting for this invoice, a cancellation after invoicing.
        after_order_import(
            self.backend,
            self.binding,
            self._status_id(),
            had_invoice=self.had_invoice,
            previous_status=self.previous_status,
            list_refunds=self._order_refunds,
        )
        shipped = int(order.get("items_shipped") or 0)
        # A first sync (a listed order) leaves those completed long ago.
        if shipped != self.binding._items_shipped() and not (
            self.prefetched is not None and self.binding._leave_shipments_unread(order)
        ):
            # Shipments were created, changed or deleted: read them, naming
            # what was shipped from the lines this import read.
            lines = {
                str(line["id"]): {"sku": line.get("sku"), "name": line.get("name")}
                for line in order_line_items(order)
            }
            kinds.delay_import(
                self.backend, "shipment", self.bigcommerce_id, lines=lines
            )
        self._post_chatter_lines()

    def _order_refunds(self):
        """The order's refunds, as BigCommerce lists them (one API call)."""
        return self._call(self.client.get_order_refunds, self.bigcommerce_id)

    def _order_transactions(self):
        """The order's transactions (one API call), kept with what was
        fetched for a failure record."""
        rows = self._call(self.client.get_order_transactions, self.bigcommerce_id)
        self.fetched["transactions"] = rows
        return rows

    def _register_payment(self):
        """Register the payment BigCommerce reports on the posted invoice,
        once; a payment that cannot be registered is said on the order."""
        invoice = self.invoice
        if not self._pays_invoice():
            return
        if self._currency_changed_after_posting():
            self.payment_note = self.env._(
                "Payment not registered: BigCommerce reports it in %(store)s, and "
                "the invoice is in %(invoice)s. Register it by hand once the "
                "currency is settled (see the order's chatter).",
                store=self.currency.name,
                invoice=invoice.currency_id.name,
            )
            self.outcomes.append(self.payment_note)
            return
        registrar = self._payment_registrar()
        try:
            with self.env.cr.savepoint():
                self.outcomes.append(registrar.register())
        except PaymentNotRegistered as exc:
            self.payment_note = self.env._(
                "Payment not registered: %(reason)s", reason=str(exc)
            )
            self.outcomes.append(self.payment_note)

    def _pays_invoice(self):
        """Whether the order's payment is to be registered on its invoice:
        the store registers payments, and the order is paid, not held, its
        posted invoice not paid yet."""
        invoice = self.invoice
        return bool(
            self.backend.register_payments
            # A disputed or unverified payment is not booked as received.
            and self.action != ACTION_HOLD
            and invoice.state == "posted"
            and is_paid(self.fetched["order"])
            and invoice.payment_state == "not_paid"
            and not invoice.currency_id.is_zero(invoice.amount_residual)
        )

    def _payment_registrar(self):
        """The registrar of the order's payment on its invoice."""
        return PaymentRegistrar(
            self.backend,
            self.fetched["order"],
            self.invoice,
            read_transactions=self._order_transactions,
            # Dated on its capture, read from the transactions, only when
            # the order was seen unpaid and paid on a later day.
            paid_later=paid_after_placed(
                self.fetched["order"], self.previous_payment_status
            ),
        )

    def _origin_label(self):
        """What asked for the import, in words, for the chatter."""
        labels = {
            "webhook": self.env._("webhook"),
            "catch_up": self.env._("catch-up"),
            "manual": self.env._("manual import"),
            "reprocess": self.env._("reprocessed failure"),
        }
        return labels.get(self.origin) or self.env._("import")

    def _post_chatter_lines(self):
        """One plain line on the order record and on its invoice: what
        changed on BigCommerce, what was done, and what asked for it."""
        changes = [
            f"{label} {old or '-'} \N{RIGHTWARDS ARROW} {new or '-'}"
            for label, old, new in self.changes
        ]
        line = self.env._(
            "BigCommerce order #%(order)s (%(origin)s): %(what)s.",
            order=self.bigcommerce_id,
            origin=self._origin_label(),
            # Each part may end its own sentence: one full stop at the end.
            what="; ".join(changes + self.outcomes).rstrip(".")
            or self.env._("nothing changed"),
        )
        records = [self.binding, *([self.invoice] if self.invoice else [])]
        if self.chatter_lines is not None:
            self.chatter_lines += [(record, line) for record in records]
            return
        for record in records:
            record.message_post(body=line)

    def _result(self):
        """The invoice's name, or why a held order has none."""
        if not self.invoice:
            return f"{self._label()}: {self.binding.hold_reason}"
        return f"{self._label()}: {self.invoice.display_name}"

    # --- the customer ------------------------------------------------------
    def _partner(self):
        """The customer's partner, or the billing contact of a guest order.

        Registered customers are bound by their BigCommerce id (through the
        customer's binding), guests by their e-mail address, so a returning
        guest is found again, and a guest who registers keeps the partner.
        """
        order = self.fetched["order"]
        values = billing_partner_values(order.get("billing_address"))
        customer_id = int(order.get("customer_id") or 0)
        if customer_id:
            # The customer's partner, whichever came first: the customer
            # (imported through its webhook) or this order.
            return customer_partner(
                self.backend,
                customer_id,
                values["email"],
                self._partner_values(values),
            )
        if values["email"]:
            contact_kind = GUEST_KIND
            key = email_key(values["email"])
        else:
            contact_kind, key = "order_contact", self.bigcommerce_id
        binder = BigCommerceBinder(self.backend, contact_kind)
        partner = binder.to_record(key, "res.partner")
        if not partner:
            values, too_long = self._partner_values(values, with_cuts=True)
            partner = self.env["res.partner"].create(values)
            binder.bind(key, partner)
            if too_long:
                partner.message_post(
                    body=cut_note(
                        self.env,
                        too_long,
                        self.env._(
                            "BigCommerce order #%(order)s",
                            order=self.bigcommerce_id,
                        ),
                    )
                )
        return partner

    def _partner_values(self, values, with_cuts=False):
        """A new partner's values from the order's billing address; with
        ``with_cuts``, also the values cut to fit (:func:`cut_note`)."""
        values, too_long = fitted_location_values(self.env, values)
        company_name = values.pop("company_name")
        values["customer_rank"] = 1
        if company_name and company_name != values["name"]:
            values["comment"] = f"Company: {company_name}"
        return (values, too_long) if with_cuts else values

    # --- the invoice ------------------------------------------------------
    def _invoice_values(self, mapped):
        """The values of a new invoice of the order."""
        invoice_date = self._invoice_date(mapped)
        values = {
            "move_type": "out_invoice",
            "company_id": self.backend.company_id.id,
            "journal_id": self.journal.id,
            "partner_id": self.partner.id,
            "currency_id": self.currency.id,
            "invoice_date": invoice_date,
            "ref": str(mapped.order_id),
            "invoice_origin": f"BigCommerce order #{mapped.order_id}",
            "invoice_line_ids": self.invoice_lines,
            **self._rate_values(),
        }
        terms = self._payment_terms()
        if terms:
            values["invoice_payment_term_id"] = terms.id
        else:
            # Store orders are paid at checkout: due on the order date.
            values["invoice_date_due"] = invoice_date
        return values

    def _rate_values(self, invoice=None):
        """The invoice's exchange rate: the store's (:attr:`invoice_rate`),
        else Odoo's (computed by Odoo; set again on a draft ``invoice`` that
        had the store's)."""
        if self.invoice_rate:
            return {
                "invoice_currency_rate": self.invoice_rate,
                "bigcommerce_store_rate": True,
            }
        if invoice and invoice.bigcommerce_store_rate:
            # Odoo's rate comes back once written (:meth:`_create_or_update`).
            return {"bigcommerce_store_rate": False}
        return {}

    def _invoice_date(self, mapped):
        """The invoice's date: the order's day in the store's time zone
        (today's, for an order without a date)."""
        return store_date(self.backend, mapped.date)

    def _payment_terms(self):
        """The customer's payment terms, else the store's, else none."""
        company = self.backend.company_id
        return (
            self.partner.with_company(company).property_payment_term_id
            or self.backend.payment_term_id
        )

    def _invoice_line_commands(self, mapped, tax_by_rate):
        """The invoice's line commands: a product line on its product's
        revenue account, a charge on the store's account of its kind.

        :param tax_by_rate: ``{rate: account.tax}`` of every rate of the lines.
        """
        commands = []
        resolver = self.line_products
        analytic = self.backend.analytic_distribution
        for line in mapped.lines:
            taxes = self.env["account.tax"].union(
                *(tax_by_rate[rate] for rate in line.tax_rates)
            )
            values = {
                "name": line.name,
                "quantity": float(line.quantity),
                "price_unit": float(line.price_unit),
                "tax_ids": [Command.set(taxes.ids)],
            }
            if line.kind == KIND_PRODUCT:
                key = resolver.line_key(line)
                product = resolver.products[key]
                values["name"] = resolver.labels.get(key, line.name)
                values["product_id"] = product.id
                values["product_uom_id"] = product.uom_id.id
                values["account_id"] = self.accounting.revenue_account(product).id
            else:
                values["account_id"] = self.accounting.charge_account(line.kind).id
            if analytic:
                values["analytic_distribution"] = analytic
            commands.append(Command.create(values))
        return commands

    def _changes(self, values):
        """``(label, old, new)`` of what changed on BigCommerce since the
        last import (nothing for a first import)."""
        binding = self.binding
        changes = []
        if not binding:
            return changes
        for fname, label in TRACKED_CHANGES:
            old, new = binding[fname], values.get(fname)
            if isinstance(old, float):
                changed = binding.currency_id.compare_amounts(old, new or 0.0) != 0
            else:
                changed = (old or False) != (new or False)
            if changed:
                if binding._fields[fname].type == "selection":
                    labels = dict(
                        binding._fields[fname]._description_selection(self.env)
                    )
                    old, new = labels.get(old, old), labels.get(new, new)
                changes.append((label, old, new))
        # The currency the store last said, whether or not the order took it.
        old_currency = binding.store_currency_id or binding.currency_id
        if self.currency and old_currency != self.currency:
            changes.append(("Currency", old_currency.name, self.currency.name))
        return changes
