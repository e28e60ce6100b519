# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import of one BigCommerce order as a customer invoice."""

from decimal import Decimal

from odoo import Command, fields

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.const import ORDER_STATUSES
from ..bigcommerce.customers import email_key
from ..bigcommerce.mapping import (
    KIND_DISCOUNT,
    KIND_GIFT_CERTIFICATE,
    KIND_HANDLING,
    KIND_PRODUCT,
    KIND_SHIPPING,
    KIND_WRAPPING,
    MappingError,
    billing_partner_values,
    cents,
    clean_payload,
    infer_order_taxes,
    order_line_items,
    order_to_invoice_plan,
)
from ..bigcommerce.payments import (
    ACTION_DRAFT,
    ACTION_HOLD,
    ACTION_POST,
    ACTION_SKIP,
    is_paid,
)
from .binder import BigCommerceBinder
from .customer_importer import (
    GUEST_KIND,
    customer_partner,
    cut_note,
    fitted_location_values,
)
from .importer import BigCommerceImporter
from .order_refunds import after_order_import
from .payment_registrar import PaymentNotRegistered, PaymentRegistrar

# Invoice line kind -> store field of its account.
CHARGE_ACCOUNTS = {
    KIND_SHIPPING: "shipping_account_id",
    KIND_HANDLING: "handling_account_id",
    KIND_WRAPPING: "wrapping_account_id",
    KIND_DISCOUNT: "discount_account_id",
    KIND_GIFT_CERTIFICATE: "gift_certificate_account_id",
}
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
        self.move = self.env["account.move"]
        self.partner = self.env["res.partner"]
        self.currency = self.env["res.currency"]
        self.tax_by_rate = {}
        self.action = ACTION_POST
        # What this import did and saw, for the chatter.
        self.changes = []
        self.outcomes = []
        self.payment_note = False

    def _label(self):
        return f"Order #{self.bigcommerce_id}"

    # --- fetch and skip -------------------------------------------------
    def _fetch(self):
        tries = self._job_tries()
        if self.prefetched and (not tries or tries[0] == 1):
            order = self.prefetched
        else:
            order = self._call(self.client.get_order, self.bigcommerce_id)
        self.fetched["order"] = clean_payload(order)
        self.binding = self.binder.to_binding(self.bigcommerce_id)
        self.move = self.binding.move_id
        # What the order was before this import (for its refunds).
        self.had_invoice = bool(self.move)
        self.previous_status = self.binding.status
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
        self.fetched["taxes"] = clean_payload(
            self._call(self.client.get_order_taxes, self.bigcommerce_id)
        )
        self.fetched.pop("taxes_inferred", None)

    def _store_tax_rates(self):
        """The rates (percent) of every tax an invoice of the store may
        carry: the store's list, and the company's other sales taxes, tax
        excluded, which :meth:`_sale_tax_by_rate` falls back on."""
        taxes = self.backend.tax_ids | self.env["account.tax"].search(
            [
                ("company_id", "=", self.backend.company_id.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("price_include", "=", False),
            ]
        )
        return {
            Decimal(str(tax.amount))
            for tax in taxes
            if tax.type_tax_use == "sale" and tax.amount_type == "percent"
        }

    def _status_id(self):
        return int(self.fetched["order"].get("status_id") or 0)

    def _status_label(self):
        status_id = self._status_id()
        return ORDER_STATUSES.get(status_id, str(status_id))

    def _must_skip(self):
        """Orders the status rules do not invoice (by default: incomplete,
        cancelled, declined) are left out, unless an invoice already exists."""
        if self.action == ACTION_SKIP and not self.move:
            return f"{self._label()} is {self._status_label()}: not invoiced."
        return ""

    def _holds_without_invoice(self):
        return self.action == ACTION_HOLD and not self.move

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
            try:
                return float(Decimal(str(order.get(fname) or 0)))
            except ArithmeticError:
                return 0.0

        return {
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

    # --- map and validate -------------------------------------------------
    def _map(self):
        try:
            return order_to_invoice_plan(self.fetched["order"], self.fetched["taxes"])
        except MappingError:
            if not self.fetched.get("taxes_inferred"):
                raise
        # Inferred rows that do not reconcile: BigCommerce's own rows decide.
        self._fetch_taxes()
        return order_to_invoice_plan(self.fetched["order"], self.fetched["taxes"])

    def _validate(self, plan):
        self.currency = self._currency(plan.currency)
        if self._holds_without_invoice():
            self.partner = self._partner()
            return
        if self._keeps_invoice():
            # Neither the lines nor the customer of this invoice change.
            self.partner = self.move.partner_id
            return
        self.partner = self._partner()
        self.tax_by_rate = self._sale_tax_by_rate(
            {rate for line in plan.lines for rate in line.tax_rates}
        )
        self.line_commands = self._invoice_line_commands(plan)
        self.journal = self._sale_journal()

    def _keeps_invoice(self):
        """A posted (or cancelled) invoice is never rewritten; a draft one
        of an order the status rules do not invoice is cancelled, and one of
        a held order is left as it is."""
        return bool(self.move) and (
            self.move.state != "draft" or self.action in (ACTION_SKIP, ACTION_HOLD)
        )

    # --- create or update ---------------------------------------------------
    def _create_or_update(self, plan):
        self.changes = self._changes(self._binding_values(plan))
        if self._holds_without_invoice():
            return self.move
        if self._keeps_invoice():
            cancel = self.move.state == "draft" and self.action == ACTION_SKIP
            if cancel:
                self.move.button_cancel()
                self.outcomes.append(self.env._("the draft invoice was cancelled"))
            elif self.changes:
                states = dict(
                    self.move._fields["state"]._description_selection(self.env)
                )
                self.outcomes.append(
                    self.env._(
                        "the %(state)s invoice was not modified",
                        state=states[self.move.state].lower(),
                    )
                )
                if self._currency_changed_after_posting() and any(
                    label == "Currency" for label, _old, _new in self.changes
                ):
                    self.outcomes.append(self._currency_change_note(plan))
            return self.move
        if self.move:
            self.move.write(
                {
                    "partner_id": self.partner.id,
                    "currency_id": self.currency.id,
                    "invoice_date": plan.date.date() if plan.date else False,
                    "invoice_line_ids": [Command.clear(), *self.line_commands],
                }
            )
            self.outcomes.append(self.env._("the draft invoice was rewritten"))
        else:
            self.move = self.env["account.move"].create(self._invoice_values(plan))
            self.outcomes.append(self.env._("invoice created"))
        self._set_bigcommerce_taxes(plan)
        self._check_totals(plan)
        return self.move

    def _binding_values(self, plan):
        order = self.fetched["order"]
        status_id = self._status_id()
        values = {
            "status": str(status_id) if status_id in ORDER_STATUSES else False,
            "custom_status": order.get("custom_status") or order.get("status"),
            "payment_status": order.get("payment_status") or False,
            "customer_bigcommerce_id": plan.customer_id,
            "partner_id": self.partner.id,
            "date_created": plan.date,
            "date_modified": parse_datetime(order.get("date_modified")),
            "currency_id": self.currency.id,
            "total_ex_tax": float(plan.untaxed),
            "total_tax": float(plan.tax),
            "total_inc_tax": float(plan.total),
            "hold_reason": self._hold_reason(),
            "store_currency_id": False,
        }
        if self._currency_changed_after_posting():
            # The order's amounts stay in its invoice's currency (the
            # store's, in another one, are in the chatter).
            binding = self.binding
            values.update(
                currency_id=self.move.currency_id.id,
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
            self.move
            and self.move.state == "posted"
            and self.currency
            and self.currency != self.move.currency_id
        )

    def _currency_change_note(self, plan):
        return self.env._(
            "the order's currency changed on BigCommerce after its invoice was "
            "posted: the invoice, and the order's amounts here, stay in "
            "%(invoice)s, while the store now says %(total)s %(store)s. If the "
            "order is really in %(store)s now, reverse this invoice (Reverse "
            "button on the invoice) and invoice the order in %(store)s by hand; "
            "if not, set its currency back on BigCommerce",
            invoice=self.move.currency_id.name,
            store=self.currency.name,
            total=plan.total,
        )

    def _bind(self, record, plan):
        previous = self.binding.status if self.binding else None
        binding = super()._bind(record, plan)
        # The import's own chatter line tells of the change.
        binding._record_status(previous, binding.date_modified)
        return binding

    def _hold_reason(self):
        if self.action != ACTION_HOLD:
            return False
        return self.env._(
            "Held: the order is %(status)s on BigCommerce. It is invoiced once "
            "its status changes; the store's status rules decide.",
            status=self._status_label(),
        )

    def _after_import(self, plan):
        order = self.fetched["order"]
        move = self.move
        if move.state == "draft" and self.backend.posting_policy == "post":
            if self.action == ACTION_POST or (
                self.action == ACTION_DRAFT and is_paid(order)
            ):
                move.action_post()
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
        after_order_import(self)
        shipped = int(self.fetched["order"].get("items_shipped") or 0)
        if shipped != self.binding._items_shipped():
            # Shipments were created, changed or deleted: read them, naming
            # what was shipped from the lines this import read.
            lines = {
                str(line["id"]): {"sku": line.get("sku"), "name": line.get("name")}
                for line in order_line_items(self.fetched["order"])
            }
            self.backend._delay_import_shipments(self.bigcommerce_id, lines=lines)
        self._post_chatter_lines()

    def _register_payment(self):
        """Register the payment BigCommerce reports on the posted invoice,
        once; a payment that cannot be registered is said on the order."""
        move = self.move
        if not (
            self.backend.register_payments
            # A disputed or unverified payment is not booked as received.
            and self.action != ACTION_HOLD
            and move.state == "posted"
            and is_paid(self.fetched["order"])
            and move.payment_state == "not_paid"
            and not move.currency_id.is_zero(move.amount_residual)
        ):
            return
        if self._currency_changed_after_posting():
            self.payment_note = self.env._(
                "Payment not registered: BigCommerce reports it in %(store)s, and "
                "the invoice is in %(invoice)s. Register it by hand once the "
                "currency is settled (see the order's chatter).",
                store=self.currency.name,
                invoice=move.currency_id.name,
            )
            self.outcomes.append(self.payment_note)
            return
        try:
            with self.env.cr.savepoint():
                self.outcomes.append(PaymentRegistrar(self).register())
        except PaymentNotRegistered as exc:
            self.payment_note = self.env._(
                "Payment not registered: %(reason)s", reason=str(exc)
            )
            self.outcomes.append(self.payment_note)

    def _origin_label(self):
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
            what="; ".join(changes + self.outcomes) or self.env._("nothing changed"),
        )
        self.binding.message_post(body=line)
        if self.move:
            self.move.message_post(body=line)

    def _result(self):
        if not self.move:
            return f"{self._label()}: {self.binding.hold_reason}"
        return f"{self._label()}: {self.move.display_name}"

    # --- what an order needs on the Odoo side ---------------------------------
    def _sale_journal(self):
        backend = self.backend
        journal = backend.journal_id or self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", backend.company_id.id)],
            limit=1,
        )
        if not journal:
            raise MappingError(
                self.env._(
                    "Store %(store)s: no sales journal. Set one on the store's "
                    "Accounting tab.",
                    store=backend.name,
                )
            )
        return journal

    def _currency(self, code):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency.active:
            raise MappingError(
                self.env._(
                    "Currency %(code)s is not active in Odoo: activate it "
                    "(Accounting > Configuration > Currencies), then reprocess.",
                    code=code,
                )
            )
        return currency

    def _account(self, field_name):
        account = self.backend[field_name]
        if not account:
            raise MappingError(
                self.env._(
                    "Store %(store)s: set the %(field)s on the store's Accounting "
                    "tab, then reprocess.",
                    store=self.backend.name,
                    field=self.backend._fields[field_name].get_description(self.env)[
                        "string"
                    ],
                )
            )
        return account

    def _product_by_sku(self, sku, line_name):
        if not sku:
            raise MappingError(
                self.env._(
                    "Line '%(line)s' has no SKU to match a product.", line=line_name
                )
            )
        products = self.env["product.product"].search(
            [
                ("default_code", "=", sku),
                ("company_id", "in", [False, self.backend.company_id.id]),
            ],
            limit=2,
        )
        if not products:
            raise MappingError(
                self.env._(
                    "Unknown SKU '%(sku)s' (line '%(line)s'): no product has this "
                    "internal reference. Create it or fix the SKU, then reprocess.",
                    sku=sku,
                    line=line_name,
                )
            )
        if len(products) > 1:
            raise MappingError(
                self.env._(
                    "SKU '%(sku)s' matches several products (%(products)s).",
                    sku=sku,
                    products=", ".join(products.mapped("display_name")),
                )
            )
        return products

    def _revenue_account(self, product):
        backend = self.backend
        product = product.with_company(backend.company_id)
        account = (
            product.property_account_income_id
            or product.categ_id.property_account_income_categ_id
            or backend.revenue_account_id
            or backend.company_id.income_account_id
        )
        if not account:
            raise MappingError(
                self.env._(
                    "No revenue account for product %(product)s: set one on the "
                    "product, its category, or the store's fallback revenue "
                    "account.",
                    product=product.display_name,
                )
            )
        return account

    def _sale_tax_by_rate(self, rates):
        """The Odoo sales tax (tax excluded, percent) of each BigCommerce rate.

        The store's own list of taxes comes first, then any sales tax of the
        company with that rate.
        """
        backend = self.backend
        taxes = {}
        for rate in rates:
            domain = [
                ("company_id", "=", backend.company_id.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", float(rate)),
                ("price_include", "=", False),
            ]
            tax = backend.tax_ids.filtered_domain(domain)[:1] or self.env[
                "account.tax"
            ].search(domain, order="sequence, id", limit=1)
            if not tax:
                raise MappingError(
                    self.env._(
                        "No Odoo sales tax at %(rate)s%% (tax excluded, percentage) "
                        "in %(company)s: create one, then reprocess.",
                        rate=rate,
                        company=backend.company_id.name,
                    )
                )
            taxes[rate] = tax
        return taxes

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
            kind = GUEST_KIND
            key = email_key(values["email"])
        else:
            kind, key = "order_contact", self.bigcommerce_id
        binder = BigCommerceBinder(self.backend, kind)
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
    def _invoice_values(self, plan):
        invoice_date = (
            plan.date.date() if plan.date else fields.Date.context_today(self.backend)
        )
        values = {
            "move_type": "out_invoice",
            "company_id": self.backend.company_id.id,
            "journal_id": self.journal.id,
            "partner_id": self.partner.id,
            "currency_id": self.currency.id,
            "invoice_date": invoice_date,
            "ref": str(plan.order_id),
            "invoice_origin": f"BigCommerce order #{plan.order_id}",
            "invoice_line_ids": self.line_commands,
        }
        terms = self._payment_terms()
        if terms:
            values["invoice_payment_term_id"] = terms.id
        else:
            # Store orders are paid at checkout: due on the order date.
            values["invoice_date_due"] = invoice_date
        return values

    def _payment_terms(self):
        """The customer's payment terms, else the store's, else none."""
        company = self.backend.company_id
        return (
            self.partner.with_company(company).property_payment_term_id
            or self.backend.payment_term_id
        )

    def _invoice_line_commands(self, plan):
        commands = []
        products = {}
        analytic = self.backend.analytic_distribution
        for line in plan.lines:
            taxes = self.env["account.tax"].union(
                *(self.tax_by_rate[rate] for rate in line.tax_rates)
            )
            values = {
                "name": line.name,
                "quantity": float(line.quantity),
                "price_unit": float(line.price_unit),
                "tax_ids": [Command.set(taxes.ids)],
            }
            if line.kind == KIND_PRODUCT:
                if line.sku not in products:
                    products[line.sku] = self._product_by_sku(line.sku, line.name)
                product = products[line.sku]
                values["product_id"] = product.id
                values["product_uom_id"] = product.uom_id.id
                values["account_id"] = self._revenue_account(product).id
            else:
                values["account_id"] = self._account(CHARGE_ACCOUNTS[line.kind]).id
            if analytic:
                values["analytic_distribution"] = analytic
            commands.append(Command.create(values))
        return commands

    def _set_bigcommerce_taxes(self, plan):
        """Make each tax group carry exactly BigCommerce's tax amount.

        Odoo computes tax from the lines; BigCommerce (or its tax provider)
        rounds per line after discounts. The difference is rounding, never
        more than a cent per taxed line: a larger one means the taxes do not
        match and the order is refused rather than booked wrong.
        """
        target_by_group = {}
        for rate, amount in plan.tax_by_rate.items():
            group = self.tax_by_rate[rate].tax_group_id.id
            target_by_group[group] = target_by_group.get(group, Decimal(0)) + amount
        if self._tax_lines_by_group() == {
            group: amount for group, amount in target_by_group.items() if amount
        }:
            return  # Odoo's tax lines already carry BigCommerce's amounts.
        totals = self.move.tax_totals
        if not totals:
            return
        changed = False
        taxed_lines = sum(1 for line in plan.lines if line.tax_rates)
        tolerance = Decimal("0.01") * max(1, taxed_lines)
        for subtotal in totals.get("subtotals", []):
            for group in subtotal.get("tax_groups", []):
                current = cents(group["tax_amount_currency"])
                target = target_by_group.get(group["id"], Decimal(0))
                if current == target:
                    continue
                if abs(current - target) > tolerance:
                    raise MappingError(
                        self.env._(
                            "Order %(order)s: Odoo computes %(odoo)s of %(group)s, "
                            "BigCommerce charged %(store)s; the difference "
                            "%(difference)s is more than rounding. Check the taxes "
                            "of the lines.",
                            order=plan.order_id,
                            odoo=current,
                            group=group.get("group_name"),
                            store=target,
                            difference=current - target,
                        )
                    )
                group["tax_amount_currency"] = float(target)
                changed = True
        if changed:
            self.move.tax_totals = totals

    def _tax_lines_by_group(self):
        """The invoice's tax amounts per tax group, read from its tax lines
        (cheaper than its ``tax_totals``, which recomputes them all)."""
        amounts = {}
        for line in self.move.line_ids:
            if line.display_type == "tax":
                group = line.tax_line_id.tax_group_id.id
                # A customer invoice credits its tax lines.
                amounts[group] = amounts.get(group, Decimal(0)) - Decimal(
                    str(line.amount_currency)
                )
        return {
            group: cents(amount) for group, amount in amounts.items() if cents(amount)
        }

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
                    "Order %(order)s: the invoice would show untaxed/tax/total "
                    "%(odoo)s but BigCommerce says %(store)s (differences "
                    "%(difference)s). It was not posted.",
                    order=plan.order_id,
                    odoo="/".join(str(v) for v in got),
                    store="/".join(str(v) for v in want),
                    difference="/".join(
                        str(g - w) for g, w in zip(got, want, strict=True)
                    ),
                )
            )

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
