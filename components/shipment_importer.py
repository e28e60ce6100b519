# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import of the shipments of one BigCommerce order onto its order record.

A shipment webhook names the shipment and its order; whatever the event
(created, updated, deleted), the order's shipments are read again
(``GET /v2/orders/{id}/shipments``) and the order record brought in line:
each shipment added, changed or gone is one line on the order's chatter and
one on its invoice's.
"""

from markupsafe import Markup, escape

from odoo import Command

from ..bigcommerce.mapping import clean_payload, order_line_items
from ..bigcommerce.shipments import shipment_values
from . import kinds
from .importer import BigCommerceImporter

# Shipment fields whose change is told on the chatter.
TRACKED_FIELDS = (
    "carrier",
    "tracking_number",
    "tracking_link",
    "shipping_method",
    "comments",
)


class ShipmentImporter(BigCommerceImporter):
    """The shipments of one order: one API call, the shipments; and the
    order's lines, to name what was shipped, unless the order's import that
    queued this passed them."""

    kind = "shipment"

    def __init__(self, backend, order_id, lines=None):
        """:param order_id: the BigCommerce id of the order shipped.
        :param lines: ``{order product id: {"sku": ..., "name": ...}}``
            (keys as strings, as a job's arguments keep them).
        """
        super().__init__(backend, int(order_id))
        self.lines = {int(key): line for key, line in lines.items()} if lines else None
        #: The order's binding, whose shipments this brings in line.
        self.order_binding = self.env["bigcommerce.order"]
        #: The products of the shipped SKUs (:meth:`_validate`).
        self.product_by_sku = {}
        #: How many chatter lines this import wrote.
        self.told = 0

    def _label(self):
        """``Shipments of order #<id>``, as the job's result and the log say
        it."""
        return f"Shipments of order #{self.bigcommerce_id}"

    # --- fetch and skip -------------------------------------------------
    def _fetch(self):
        """Lock and read the order's binding, then its shipments and, when
        there are some and the queuing import did not pass them, its
        lines."""
        # The order's own lock: an order import and this one do not write
        # the same order at once.
        order_binder = kinds.binder(self.backend, "order")
        order_binder.lock(self.bigcommerce_id)
        self.order_binding = order_binder.to_binding(self.bigcommerce_id)
        if not self.order_binding:
            return
        self.fetched["shipments"] = clean_payload(
            self._call(self.client.get_order_shipments, self.bigcommerce_id)
        )
        self.fetched["lines"] = {}
        if self.fetched["shipments"] and self.lines is not None:
            self.fetched["lines"] = self.lines
        elif self.fetched["shipments"]:
            order = clean_payload(
                self._call(self.client.get_order, self.bigcommerce_id)
            )
            self.fetched["lines"] = {
                int(line["id"]): line for line in order_line_items(order)
            }

    def _must_skip(self):
        """An order not imported yet has no record to bring in line."""
        if not self.order_binding:
            return (
                f"{self._label()}: the order is not imported yet; its import is "
                "queued and brings its shipments."
            )
        return ""

    def _after_skip(self, reason):
        """Queue the import of the order not imported yet: it reads the
        shipments when it finds items shipped."""
        kinds.delay_import(self.backend, "order", self.bigcommerce_id)

    # --- map and write ----------------------------------------------------
    def _map(self):
        """The values of each of the order's shipments
        (``bigcommerce/shipments.py``)."""
        return [
            shipment_values(shipment, self.fetched["lines"])
            for shipment in self.fetched["shipments"]
        ]

    def _validate(self, mapped):
        """Find the products of the shipped SKUs (an unknown one is no
        error: the item keeps its SKU and name)."""
        skus = {item["sku"] for s in mapped for item in s["items"] if item["sku"]}
        products = self.env["product.product"].search(
            [
                ("default_code", "in", list(skus)),
                ("company_id", "in", [False, self.backend.company_id.id]),
            ]
        )
        self.product_by_sku = {p.default_code: p for p in products}

    def _create_or_update(self, mapped):
        """Create, update and delete the order's shipments as the store has
        them; returns the order's binding."""
        if self.order_binding.shipments_unread:
            self.order_binding.shipments_unread = False
        existing = {s.bigcommerce_id: s for s in self.order_binding.shipment_ids}
        for values in mapped:
            shipment = existing.pop(values["bigcommerce_id"], None)
            if shipment:
                self._update(shipment, values)
            else:
                self._create(values)
        for shipment in existing.values():
            self._tell(
                escape(
                    self.env._(
                        "%(shipment)s was deleted on BigCommerce.",
                        shipment=shipment.name,
                    )
                )
            )
            shipment.unlink()
        return self.order_binding

    def _bind(self, record, mapped):
        """Shipments have no binding of their own: the order's stands."""
        return self.order_binding

    def _result(self):
        """How many shipments the order has, and how many changed."""
        return (
            f"{self._label()}: {len(self.order_binding.shipment_ids)} shipment(s), "
            f"{self.told} change(s)."
        )

    # --- helpers ------------------------------------------------------------
    def _item_commands(self, values):
        """The commands of a shipment's items, with their products."""
        return [
            Command.create(
                {
                    "order_product_id": item["order_product_id"],
                    "sku": item["sku"],
                    "name": item["name"],
                    "quantity": item["quantity"],
                    "product_id": self.product_by_sku.get(item["sku"], False)
                    and self.product_by_sku[item["sku"]].id,
                }
            )
            for item in values["items"]
        ]

    @staticmethod
    def _record_values(values):
        """The shipment's own fields (its date and the tracked ones)."""
        return {fname: values[fname] for fname in ("date", *TRACKED_FIELDS)}

    def _create(self, values):
        """Create a shipment of the order, and tell what was shipped."""
        # The order's lines are the connector's own records, as the order is.
        shipment = self.order_binding.env["bigcommerce.shipment"].create(
            dict(
                self._record_values(values),
                order_id=self.order_binding.id,
                bigcommerce_id=values["bigcommerce_id"],
                item_ids=self._item_commands(values),
            )
        )
        items = Markup("").join(
            Markup("<li>%s &#215; %s%s</li>")
            % (
                item.quantity,
                item.name,
                f" [{item.sku}]" if item.sku else "",
            )
            for item in shipment.item_ids
        )
        self._tell(
            Markup("%s%s<ul>%s</ul>")
            % (
                self.env._(
                    "%(shipment)s shipped by %(carrier)s, tracking number "
                    "%(tracking)s.",
                    shipment=shipment.name,
                    carrier=shipment.carrier or self.env._("an unnamed carrier"),
                    tracking=shipment.tracking_number or self.env._("none"),
                ),
                self._link(shipment.tracking_link),
                items,
            )
        )

    def _update(self, shipment, values):
        """Bring a shipment in line with the store, and tell what changed
        (nothing written, nothing told, when nothing did)."""
        changes = []
        for fname in TRACKED_FIELDS:
            old, new = shipment[fname] or False, values[fname] or False
            if old != new:
                label = shipment._fields[fname].get_description(self.env)["string"]
                changes.append(
                    Markup("<li>%s: %s &#8594; %s</li>")
                    % (label, old or "-", new or "-")
                )
        old_items = sorted((i.order_product_id, i.quantity) for i in shipment.item_ids)
        new_items = sorted(
            (i["order_product_id"], i["quantity"]) for i in values["items"]
        )
        write = self._record_values(values)
        if old_items != new_items:
            changes.append(Markup("<li>%s</li>") % self.env._("Items shipped"))
            write["item_ids"] = [Command.clear(), *self._item_commands(values)]
        if not changes:
            return
        shipment.write(write)
        self._tell(
            Markup("%s<ul>%s</ul>")
            % (
                self.env._("%(shipment)s changed:", shipment=shipment.name),
                Markup("").join(changes),
            )
        )

    @staticmethod
    def _link(url):
        """A link to a tracking page (none for a URL that is not HTTP)."""
        if not url or not url.startswith(("https://", "http://")):
            return ""
        return Markup(' <a href="%s" target="_blank" rel="noopener">%s</a>') % (
            url,
            url,
        )

    def _tell(self, body):
        """One line on the chatter of the order and of its invoice."""
        self.order_binding._post_lifecycle(Markup("<div>%s</div>") % body)
        self.told += 1
