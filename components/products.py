# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Odoo product each product line of an order is booked on.

A line's own SKU names its product (the product's internal reference).
When no product has it, the store's *Unknown products* setting
(``bigcommerce/products.py``) decides: the order is held as a failure (the
default), a product is created from the order line, or the line is booked
on the store's fallback product. Nothing is read of BigCommerce for it: an
order costs the same calls whatever its SKUs.
"""

import copy
import hashlib

from ..bigcommerce.mapping import KIND_PRODUCT, MappingError, order_line_items
from ..bigcommerce.products import (
    POLICY_CREATE,
    POLICY_FALLBACK,
    POLICY_HOLD,
    fallback_line_label,
    product_to_create,
)
from .binder import BigCommerceBinder

#: The binder kind of the products the connector creates (external IDs
#: ``__bigcommerce__.backend<store>_product_<digest of the SKU>``).
CREATED_PRODUCT_KIND = "product"


def sku_key(sku):
    """The key of a created product's external ID and lock: a digest of
    its SKU (a SKU may hold any character)."""
    return hashlib.sha1(sku.encode()).hexdigest()[:20]


class LineProducts:
    """Finds (or creates) the product of each product line of one order.

    After :meth:`resolve`, :attr:`labels` holds the label of each line
    booked on the fallback product, and :attr:`notes` what the order's
    chatter says of the lines not booked on their own SKU.
    """

    def __init__(self, backend, accounting):
        """:param backend: the store (``bigcommerce.backend``), one record.
        :param accounting: the store's ``AccountingResolver``.
        """
        self.backend = backend
        self.env = backend.env
        self.accounting = accounting
        self.products = {}
        self.labels = {}
        self.notes = []

    def policy(self):
        """The store's *Unknown products* setting."""
        return self.backend.unknown_product_policy or POLICY_HOLD

    def resolve(self, lines, items):
        """``{line key: product}`` of the plan's product lines.

        :param lines: the plan's lines (those of kind product are resolved).
        :param items: ``{order product id: BigCommerce order line}``.
        :raises MappingError: saying what to set or create.
        """
        self.products = products = {}
        unknown = {}
        for line in lines:
            if line.kind != KIND_PRODUCT:
                continue
            key = self.line_key(line)
            if key in products or key in unknown:
                continue
            product = self.accounting.find_product(line.sku)
            if product:
                products[key] = product
            else:
                item = items.get(line.item_id) or {"sku": line.sku, "name": line.name}
                unknown[key] = (line, item)
        if unknown:
            products.update(self._unknown(unknown))
        return products

    @staticmethod
    def line_key(line):
        """What a line is known by: its order product, else its SKU."""
        return line.item_id if line.item_id is not None else ("sku", line.sku)

    # --- unknown SKUs ----------------------------------------------------
    def _unknown(self, unknown):
        """The products of the lines no SKU names, as the setting says."""
        policy = self.policy()
        if policy == POLICY_FALLBACK:
            return self._on_fallback(unknown)
        if policy == POLICY_CREATE:
            return self._created(unknown)
        raise MappingError(self._hold_message(unknown))

    def _hold_message(self, unknown):
        """Why the order is held: its unknown lines, and what to do."""
        parts = []
        for line, _item in unknown.values():
            if not line.sku:
                parts.append(
                    self.env._(
                        "Line '%(line)s' has no SKU to match a product.",
                        line=line.name,
                    )
                )
                continue
            parts.append(
                self.env._(
                    "Unknown SKU '%(sku)s' (line '%(line)s'): no product has "
                    "this internal reference.",
                    sku=line.sku,
                    line=line.name,
                )
            )
        parts.append(
            self.env._(
                "Create the product or fix the SKU, then reprocess; or set "
                "Unknown Products on the store's Accounting tab to create such "
                "products or to book them on a fallback product."
            )
        )
        return " ".join(parts)

    def _setting_missing(self, field_name):
        """The failure of a setting the store's choice needs but lacks."""
        policies = dict(
            self.backend._fields["unknown_product_policy"]._description_selection(
                self.env
            )
        )
        return MappingError(
            self.env._(
                "Store %(store)s: Unknown Products is set to '%(policy)s' but "
                "the %(field)s is not set. Set it on the store's Accounting tab "
                "(or choose another Unknown Products setting), then reprocess.",
                store=self.backend.name,
                policy=policies[self.policy()],
                field=self.backend._fields[field_name].get_description(self.env)[
                    "string"
                ],
            )
        )

    def _on_fallback(self, unknown):
        """Every unknown line on the store's fallback product, labelled with
        its own name and SKU."""
        product = self.backend.fallback_product_id
        if not product:
            raise self._setting_missing("fallback_product_id")
        products = {}
        booked = []
        for key, (line, _item) in unknown.items():
            products[key] = product
            self.labels[key] = fallback_line_label(line.name, line.sku)
            booked.append(self.labels[key])
        self.notes.append(
            self.env._(
                "booked on the fallback product %(product)s, since no Odoo "
                "product has their SKU (the store's Unknown Products setting): "
                "%(lines)s",
                product=product.display_name,
                lines="; ".join(booked),
            )
        )
        return products

    def _created(self, unknown):
        """A product created from its order line for each unknown SKU."""
        category = self.backend.created_product_categ_id
        if not category:
            raise self._setting_missing("created_product_categ_id")
        products, created = {}, []
        for key, (line, item) in unknown.items():
            values = product_to_create(item)
            if values is None:
                raise MappingError(
                    self.env._(
                        "Line '%(line)s' has no SKU: no product can be created "
                        "for it. Give it a SKU on BigCommerce, or set Unknown "
                        "Products to book it on a fallback product, then "
                        "reprocess.",
                        line=line.name,
                    )
                )
            product, new = self.created_product(values, category)
            products[key] = product
            if new:
                created.append(
                    self.env._(
                        "%(product)s, for '%(line)s' (SKU %(sku)s)",
                        product=product.display_name,
                        line=line.name,
                        sku=line.sku,
                    )
                )
        if created:
            self.notes.append(
                self.env._(
                    "products created from their order lines (the store's "
                    "Unknown Products setting): %(products)s",
                    products="; ".join(created),
                )
            )
        return products

    def created_product(self, values, category):
        """The product of one SKU, created once whoever asks.

        The SKU's lock keeps a second worker off until this one commits;
        the product's external ID (unique) is the database's last word.

        :param values: from :func:`~..bigcommerce.products.product_to_create`.
        :param category: the store's category of created products.
        :return: ``(product, whether it was created now)``.
        """
        binder = BigCommerceBinder(self.backend, CREATED_PRODUCT_KIND)
        key = sku_key(values["sku"])
        binder.lock(key)
        # One this connector made (even archived since), else any product
        # with the SKU (one created by another worker meanwhile).
        product = binder.to_record(key, "product.product") or (
            self.accounting.find_product(values["sku"])
        )
        if product:
            return product, False
        product = self.env["product.product"].create(
            {
                "name": values["name"],
                "default_code": values["sku"],
                "list_price": float(values["price"]),
                "categ_id": category.id,
                "type": "service" if values["service"] else "consu",
                "company_id": self.backend.company_id.id,
            }
        )
        binder.bind(key, product)
        return product, True


# --- refunds of such lines ----------------------------------------------------
def booked_line(invoice, name, sku):
    """The invoice's line that booked an order line of ``name`` and ``sku``
    on a product other than its SKU's (the fallback product, a created one
    archived since): the one labelled with its name or its fallback label,
    else an empty recordset (none, or several products)."""
    labels = {name, fallback_line_label(name, sku)}
    lines = invoice.invoice_line_ids.filtered(
        lambda line: line.product_id and line.name in labels
    )
    return lines[:1] if len(lines.product_id) == 1 else lines.browse()


def order_as_booked(accounting, invoice, order):
    """``order`` as its invoice booked it: each line whose SKU no product
    has carries instead the internal reference and the label of the invoice
    line that booked it, so that its refund is credited, and capped, on that
    product. ``order`` itself when every SKU is known.

    :param accounting: the store's ``AccountingResolver``.
    :param order: the BigCommerce order, with its line items.
    """
    booked = {}
    for item in order_line_items(order):
        sku = item.get("sku")
        if not sku or accounting.find_product(sku):
            continue
        line = booked_line(invoice, item.get("name") or sku, sku)
        if line:
            booked[int(item["id"])] = line
    if not booked:
        return order
    order = copy.deepcopy(order)
    for item in order_line_items(order):
        line = booked.get(int(item["id"]))
        if line:
            item["sku"] = line.product_id.default_code or ""
            item["name"] = line.name
    return order
