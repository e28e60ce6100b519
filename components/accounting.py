# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How a store's BigCommerce records map to its Odoo accounting.

:class:`AccountingResolver` is what the order importer (invoices) and the
refund importer (credit notes) share: the store's sales journal, a
currency, the store's accounts, the product of a SKU and its revenue
account, the Odoo sales tax of a BigCommerce rate, BigCommerce's tax amounts
set on a move, and the check that a move's totals are BigCommerce's. Each
lookup raises :class:`~..bigcommerce.mapping.MappingError` saying what to fix.

The store's day of a moment (:func:`store_date`) is the one every move,
period and store time shown is dated by: the day in the store's time zone.
"""

from decimal import Decimal

from odoo import fields

from ..bigcommerce.mapping import (
    KIND_DISCOUNT,
    KIND_FEE,
    KIND_GIFT_CERTIFICATE,
    KIND_HANDLING,
    KIND_SHIPPING,
    KIND_WRAPPING,
    MappingError,
    cents,
)
from ..bigcommerce.store_time import format_local, local_date, utc_bounds

# Charge line kind -> store field of its account.
CHARGE_ACCOUNTS = {
    KIND_SHIPPING: "shipping_account_id",
    KIND_HANDLING: "handling_account_id",
    KIND_WRAPPING: "wrapping_account_id",
    KIND_FEE: "fee_account_id",
    KIND_DISCOUNT: "discount_account_id",
    KIND_GIFT_CERTIFICATE: "gift_certificate_account_id",
}


# --- the store's time zone ------------------------------------------------
def store_time_zone(backend):
    """The store's time zone name (``timezone``, read from BigCommerce at
    each connection test), or ``False`` (UTC) while the store has none: the
    one place that decides which time zone a store's days are in."""
    return getattr(backend, "timezone", False) or False


def store_date(backend, moment=None):
    """The day ``moment`` (a naive UTC datetime, now when not given) falls
    on in the store's time zone: the date of the moves it books."""
    return local_date(moment or fields.Datetime.now(), store_time_zone(backend) or None)


def store_time(backend, moment):
    """``moment`` (naive UTC) as the store's clock shows it, with its zone's
    abbreviation (``2026-03-31 23:30:00 CDT``); ``""`` for no moment."""
    return format_local(moment, store_time_zone(backend) or None)


def period_bounds(backend, date_from, date_to):
    """``[start, end)`` of the days ``date_from`` to ``date_to`` in the
    store's time zone (:func:`store_time_zone`), as naive UTC datetimes."""
    return utc_bounds(date_from, date_to, store_time_zone(backend) or None)


def same_rate(invoice):
    """The values that book a credit note of ``invoice`` at its rate, when
    the invoice is at the store's rate (else none: Odoo's rates)."""
    if not invoice.bigcommerce_store_rate:
        return {}
    return {
        "invoice_currency_rate": invoice.invoice_currency_rate,
        "bigcommerce_store_rate": True,
    }


class AccountingResolver:
    """The Odoo records one store's invoices and credit notes are booked
    with."""

    def __init__(self, backend):
        """:param backend: the store (``bigcommerce.backend``), one record."""
        backend.ensure_one()
        self.backend = backend
        self.env = backend.env

    # --- journal, currency, accounts ------------------------------------
    def sale_journal(self):
        """The store's sales journal, else the company's first one."""
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

    def currency(self, code):
        """The active Odoo currency of an ISO code.

        :param code: a currency code, as BigCommerce gives it (``"USD"``).
        """
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

    def invoice_rate(self, plan, currency):
        """The rate of the order's invoice, company currency to ``currency``
        (Odoo's ``invoice_currency_rate``), when the store books at the rate
        it applied; ``None`` for Odoo's rates: the store's setting, an order
        in the company's currency, or one the store converted nothing for.

        :param plan: the order's plan (its ``store_currency``, ``store_rate``).
        :param currency: the invoice's currency (``res.currency``).
        :raises MappingError: when the store's rate is from another currency
            than the company's.
        """
        company_currency = self.backend.company_id.currency_id
        if (
            self.backend.exchange_rate_source != "store"
            or currency == company_currency
            or not plan.store_currency
        ):
            return None
        if plan.store_currency != company_currency.name or not plan.store_rate:
            raise MappingError(
                self.env._(
                    "Order %(order)s: the store applied a rate from %(store)s to "
                    "%(currency)s, which cannot give amounts in the company's "
                    "%(company)s. Set the store's Exchange Rates to Odoo's rates "
                    "(Accounting tab), then reprocess.",
                    order=plan.order_id,
                    store=plan.store_currency,
                    currency=currency.name,
                    company=company_currency.name,
                )
            )
        return float(plan.store_rate)

    def account(self, field_name):
        """The store's account in ``field_name`` (a field of the store).

        :param field_name: e.g. ``"shipping_account_id"``.
        """
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

    def charge_account(self, line_kind):
        """The store's account of a charge line (shipping, handling,
        wrapping, fee, discount, gift certificate).

        :param line_kind: the line's kind (a key of :data:`CHARGE_ACCOUNTS`).
        """
        return self.account(CHARGE_ACCOUNTS[line_kind])

    # --- products -------------------------------------------------------------
    def product_by_sku(self, sku, line_name):
        """The one product whose internal reference is ``sku``.

        :param line_name: the line's name, for the message when there is none.
        """
        if not sku:
            raise MappingError(
                self.env._(
                    "Line '%(line)s' has no SKU to match a product.", line=line_name
                )
            )
        products = self.find_product(sku)
        if not products:
            raise MappingError(
                self.env._(
                    "Unknown SKU '%(sku)s' (line '%(line)s'): no product has this "
                    "internal reference. Create it or fix the SKU, then reprocess.",
                    sku=sku,
                    line=line_name,
                )
            )
        return products

    def find_product(self, sku):
        """The one product of the store's company whose internal reference
        is ``sku``, or an empty recordset when there is none.

        :raises MappingError: when several products have it.
        """
        if not sku:
            return self.env["product.product"]
        products = self.env["product.product"].search(
            [
                ("default_code", "=", sku),
                ("company_id", "in", [False, self.backend.company_id.id]),
            ],
            limit=2,
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

    def revenue_account(self, product):
        """The income account of ``product``: its own, its category's, the
        store's fallback, else the company's."""
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

    # --- taxes ------------------------------------------------------------------
    def store_tax_rates(self):
        """The rates (percent) of every tax an invoice of the store may
        carry: the store's list, and the company's other sales taxes, tax
        excluded, which :meth:`sale_tax_by_rate` falls back on."""
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

    def sale_tax_by_rate(self, rates):
        """The Odoo sales tax (tax excluded, percent) of each BigCommerce rate.

        The store's own list of taxes comes first, then any sales tax of the
        company with that rate.

        :param rates: BigCommerce rates (``Decimal`` percent).
        :return: ``{rate: account.tax}``.
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

    def sale_taxes(self, rates):
        """The Odoo sales taxes of a line taxed at ``rates``, in their order."""
        by_rate = self.sale_tax_by_rate(set(rates))
        return self.env["account.tax"].union(*(by_rate[rate] for rate in rates))

    def returned_tax_account(self, rate):
        """The account tax returned at ``rate`` goes to: the one the tax
        books to on credit notes (on invoices, when it has none). A tax-only
        refund's line is on it, so that each distribution line of the tax
        without an account of its own books there too."""
        tax = self.sale_tax_by_rate({rate})[rate]
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

    # --- what a move must show ------------------------------------------------
    def set_bigcommerce_taxes(self, move, plan, tax_by_rate):
        """Make each tax group of ``move`` carry exactly BigCommerce's tax
        amount.

        Odoo computes tax from the lines; BigCommerce (or its tax provider)
        rounds per line after discounts. The difference is rounding, never
        more than a cent per taxed line: a larger one means the taxes do not
        match and the order is refused rather than booked wrong.

        Only the tax lines Odoo wrote when it created the move are read, and
        only a move whose rounding differs is written: its differing tax
        groups alone, through Odoo's own correction of tax amounts (the
        invoice's ``tax_totals``, as when a user edits a tax amount), so the
        receivable follows.

        :param move: the invoice or credit note, just written.
        :param plan: what BigCommerce says it shows (an ``InvoicePlan`` or a
            ``CreditNotePlan``: its lines and ``tax_by_rate``).
        :param tax_by_rate: ``{rate: account.tax}`` of every rate of ``plan``.
        """
        target_by_group = {}
        for rate, amount in plan.tax_by_rate.items():
            group = tax_by_rate[rate].tax_group_id
            target_by_group[group] = target_by_group.get(group, Decimal(0)) + amount
        differing = {
            group: (current, target_by_group.get(group, Decimal(0)))
            for group, current in self._tax_amounts_by_group(move).items()
            if current != target_by_group.get(group, Decimal(0))
        }
        if not differing:
            return  # Odoo's tax lines already carry BigCommerce's amounts.
        taxed_lines = sum(1 for line in plan.lines if line.tax_rates)
        tolerance = Decimal("0.01") * max(1, taxed_lines)
        for group, (current, target) in differing.items():
            if abs(current - target) > tolerance:
                raise MappingError(
                    self.env._(
                        "Order %(order)s: Odoo computes %(odoo)s of %(group)s, "
                        "BigCommerce charged %(store)s; the difference "
                        "%(difference)s is more than rounding. Check the taxes "
                        "of the lines.",
                        order=plan.order_id,
                        odoo=current,
                        group=group.name,
                        store=target,
                        difference=current - target,
                    )
                )
        # What Odoo's correction reads of the totals: each group's new amount.
        move.tax_totals = {
            "subtotals": [
                {
                    "tax_groups": [
                        {"id": group.id, "tax_amount_currency": float(target)}
                        for group, (_current, target) in differing.items()
                    ]
                }
            ]
        }
        # The totals as shown are Odoo's again, computed from the new lines.
        move.invalidate_recordset(["tax_totals"])

    @staticmethod
    def _tax_amounts_by_group(move):
        """The tax amount of each tax group of an invoice or credit note,
        positive as its document shows it, read from its tax lines (not its
        ``tax_totals``, which computes every line's taxes again)."""
        # An invoice credits its tax lines, a credit note debits them.
        sign = -1 if move.is_inbound() else 1
        amounts = {}
        for line in move.line_ids:
            if line.display_type == "tax":
                group = line.tax_group_id
                amounts[group] = amounts.get(group, Decimal(0)) + sign * Decimal(
                    str(line.amount_currency)
                )
        return {group: cents(amount) for group, amount in amounts.items()}

    @staticmethod
    def check_totals(move, plan, refusal):
        """Refuse ``move`` unless its untaxed amount, tax and total are
        BigCommerce's, to the cent.

        :param plan: what BigCommerce says (``untaxed``, ``tax``, ``total``).
        :param refusal: ``refusal(odoo=..., store=..., difference=...)``
            returns the message, given the three figures each side as text.
        :raises MappingError: with that message.
        """
        got = (
            cents(move.amount_untaxed),
            cents(move.amount_tax),
            cents(move.amount_total),
        )
        want = (plan.untaxed, plan.tax, plan.total)
        if got != want:
            raise MappingError(
                refusal(
                    odoo="/".join(str(v) for v in got),
                    store="/".join(str(v) for v in want),
                    difference="/".join(
                        str(g - w) for g, w in zip(got, want, strict=True)
                    ),
                )
            )
