# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The simulated store: catalog, customers, orders, refunds, shipments, hooks.

All access goes through one re-entrant lock, so tests may build data while the
HTTP server thread is answering. Builders return the created resource as the
API would show it.
"""

import copy
import threading
from datetime import datetime
from types import MappingProxyType
from urllib.parse import urlsplit

from . import views
from .dates import utc, utcnow
from .money import ZERO, cents, dec, money_str
from .orders import (
    COUNTRIES,
    GIFT_CERTIFICATE,
    GUEST_ADDRESS,
    PAID_PAYMENT_STATUSES,
    PHYSICAL,
    PRODUCT_TYPES,
    LineSpec,
    billing_from_customer_address,
    build_order,
    complete_address,
    coupon_inputs,
    manual_discount_input,
    payment_status,
    payment_transactions,
)
from .refunds import RefundError, book, refund_item, refunded_total
from .spec import API_HOST
from .statuses import STATUS_NAMES, status_name

MAX_HOOKS_PER_SCOPE = 10
# Transaction methods of the store's own liabilities, used at checkout.
LIABILITY_METHODS = ("gift_certificate", "store_credit")
SHIPPABLE_STATUSES = (3, 7, 8, 9, 11, 12)


class Ids:
    """Per-kind id sequences (orders start at 100, as on a new store)."""

    START = MappingProxyType({"order": 100, "product": 77})

    def __init__(self):
        self._next = {}

    def next(self, kind: str) -> int:
        value = self._next.get(kind, self.START.get(kind, 1))
        self._next[kind] = value + 1
        return value


class HookError(ValueError):
    """A webhook the API would reject with 422; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class StoreState:
    """In-memory BigCommerce store. Thread-safe through ``self.lock``."""

    def __init__(
        self,
        store_hash="abc123",
        currency="USD",
        tax_inclusive=False,
        name="Demo Store",
        plan_name="Standard",
        client_id="cid",
        now=None,
        timezone="Etc/UTC",
    ):
        self.lock = threading.RLock()
        self.store_hash = store_hash
        self.currency = currency
        self.tax_inclusive = tax_inclusive
        self.name = name
        self.plan_name = plan_name
        self.client_id = client_id
        #: The store's time zone (an IANA name, ``GET /v2/store``'s
        #: ``timezone.name``); ``None``: the store gives none.
        self.timezone = timezone
        self.base_url = API_HOST
        self.now = now or utcnow
        self.ids = Ids()
        self.products = {}
        self.variants = {}
        self.customers = {}
        self.orders = {}
        self.refunds = {}
        self.hooks = {}
        #: The ``line_item_type`` of the rows ``/taxes`` lists for the fees'
        #: taxes; ``None`` (the default): it lists none (see
        #: ``orders._fee_tax_records``).
        self.fee_taxes_listed_as = None

    # ------------------------------------------------------------------
    # helpers

    @property
    def v2_base(self) -> str:
        return f"{self.base_url}/stores/{self.store_hash}/v2"

    def _at(self, at) -> datetime:
        return utc(at) if at is not None else utc(self.now())

    def order_record(self, order_id: int):
        """The stored order; KeyError when unknown."""
        with self.lock:
            return self.orders[int(order_id)]

    def store_information(self) -> dict:
        """The store as ``GET /v2/store`` shows it."""
        return views.store_information(self)

    def order_products(self, order_id: int) -> list:
        """The order's lines as ``GET /v2/orders/{id}/products`` shows them."""
        with self.lock:
            return [views.product(p) for p in self.order_record(order_id).products]

    def render_order(self, order_id: int, **options) -> dict:
        with self.lock:
            return views.order(self.order_record(order_id), self.v2_base, **options)

    def order_fees(self, order_id: int) -> list:
        """The order's fees as ``GET /v2/orders/{id}/fees`` lists them."""
        with self.lock:
            return views.fees(self.order_record(order_id))

    # ------------------------------------------------------------------
    # catalog

    def add_product(self, sku, name, price, tax_rate="0", type=PHYSICAL, brand=""):
        """Add a catalog product; ``price`` is in the store's price basis."""
        if type not in PRODUCT_TYPES:
            raise ValueError(f"product type must be one of {PRODUCT_TYPES}")
        with self.lock:
            product = {
                "id": self.ids.next("product"),
                "sku": sku,
                "name": name,
                "price": money_str(cents(price)),
                "tax_rate": str(dec(tax_rate)),
                "type": type,
                "brand": brand,
                "variant_id": self.ids.next("variant"),
            }
            self.products[sku] = product
            return dict(product)

    def _variant_id(self, variant_sku: str) -> int:
        if variant_sku not in self.variants:
            self.variants[variant_sku] = self.ids.next("variant")
        return self.variants[variant_sku]

    # ------------------------------------------------------------------
    # customers

    def add_customer(
        self,
        first_name,
        last_name,
        email,
        company="",
        phone="",
        addresses=None,
        customer_group_id=0,
        notes="",
        store_credit="0",
        date_created=None,
    ) -> dict:
        """Add a registered customer; addresses use the v3 field names."""
        with self.lock:
            created = self._at(date_created)
            customer_id = self.ids.next("customer")
            customer = {
                "id": customer_id,
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "company": company,
                "phone": phone,
                "notes": notes,
                "customer_group_id": customer_group_id,
                "store_credit": cents(store_credit),
                "date_created": created,
                "date_modified": created,
                "addresses": [
                    self._customer_address(customer_id, first_name, last_name, a)
                    for a in addresses or ()
                ],
            }
            self.customers[customer_id] = customer
            return views.customer(customer, {"addresses", "storecredit"})

    def _customer_address(self, customer_id, first_name, last_name, fields) -> dict:
        address = {
            "id": self.ids.next("customer_address"),
            "customer_id": customer_id,
            "first_name": first_name,
            "last_name": last_name,
            "company": "",
            "address1": "1 Main Street",
            "address2": "",
            "city": "Austin",
            "state_or_province": "Texas",
            "postal_code": "78701",
            "country_code": "US",
            "phone": "",
            "address_type": "residential",
        }
        address.update(fields)
        if not address.get("country"):
            code = address["country_code"]
            address["country"] = COUNTRIES.get(code, code)
        return address

    def update_customer(self, customer_id, at=None, **changes) -> dict:
        """Change customer fields and bump ``date_modified``."""
        with self.lock:
            customer = self.customers[int(customer_id)]
            customer.update(changes)
            customer["date_modified"] = self._at(at)
            return views.customer(customer, {"addresses", "storecredit"})

    def delete_customer(self, customer_id) -> dict:
        """Remove a customer (and its address book), as the control panel
        does; its orders keep their ``customer_id``."""
        with self.lock:
            customer = self.customers.pop(int(customer_id))
            return views.customer(customer, {"addresses"})

    def add_customer_address(self, customer_id, at=None, **fields) -> dict:
        """Add an address (v3 field names) to a customer's address book.

        Address changes bump the customer's ``date_modified`` here, so that
        a catch-up by that date sees them.
        """
        with self.lock:
            customer = self.customers[int(customer_id)]
            address = self._customer_address(
                customer["id"], customer["first_name"], customer["last_name"], fields
            )
            customer["addresses"].append(address)
            customer["date_modified"] = self._at(at)
            return views.customer_address(address)

    def _find_customer_address(self, address_id):
        for customer in self.customers.values():
            for address in customer["addresses"]:
                if address["id"] == int(address_id):
                    return customer, address
        raise KeyError(address_id)

    def update_customer_address(self, address_id, at=None, **changes) -> dict:
        """Change an address of an address book; bumps the customer's
        ``date_modified``."""
        with self.lock:
            customer, address = self._find_customer_address(address_id)
            address.update(changes)
            if "country_code" in changes and "country" not in changes:
                code = address["country_code"]
                address["country"] = COUNTRIES.get(code, code)
            customer["date_modified"] = self._at(at)
            return views.customer_address(address)

    def delete_customer_address(self, address_id, at=None) -> dict:
        """Remove an address from its address book; bumps the customer's
        ``date_modified``."""
        with self.lock:
            customer, address = self._find_customer_address(address_id)
            customer["addresses"].remove(address)
            customer["date_modified"] = self._at(at)
            return views.customer_address(address)

    # ------------------------------------------------------------------
    # orders

    def _line_spec(self, line: dict, currency: str, rate) -> LineSpec:
        product = self.products.get(line.get("sku", ""))
        if product is None and "price" not in line:
            raise ValueError(f"unknown sku {line.get('sku')!r} and no price given")
        product = product or {}
        price = line.get("price")
        if price is None:
            price = product["price"]
            if currency != self.currency:
                price = cents(dec(price) * dec(rate))
        variant_sku = line.get("variant_sku")
        line_type = line.get("type", product.get("type", PHYSICAL))
        if line_type not in PRODUCT_TYPES:
            raise ValueError(f"line type must be one of {PRODUCT_TYPES}")
        return LineSpec(
            sku=variant_sku or line.get("sku", ""),
            name=line.get("name") or product.get("name") or line.get("sku", "Item"),
            quantity=int(line.get("quantity", 1)),
            price=price,
            tax_rate=line.get("tax_rate", product.get("tax_rate", "0")),
            type=line_type,
            product_id=product.get("id", 0),
            variant_id=(
                self._variant_id(variant_sku)
                if variant_sku
                else product.get("variant_id", 0)
            ),
            options=line.get("product_options", []),
            recipient_email=line.get("recipient_email", ""),
        )

    def _billing_address(self, customer_id: int, billing_address) -> dict:
        customer = self.customers.get(customer_id)
        if customer_id and customer is None:
            raise ValueError(f"unknown customer {customer_id}")
        if customer:
            defaults = dict(
                GUEST_ADDRESS,
                first_name=customer["first_name"],
                last_name=customer["last_name"],
                company=customer["company"],
                phone=customer["phone"],
                email=customer["email"],
            )
            if customer["addresses"]:
                defaults = billing_from_customer_address(
                    customer["addresses"][0], customer["email"]
                )
        else:
            defaults = dict(GUEST_ADDRESS)
        return complete_address(billing_address, defaults)

    def add_order(
        self,
        customer_id=0,
        billing_address=None,
        lines=(),
        shipping="0",
        shipping_tax_rate=None,
        handling="0",
        handling_tax_rate=None,
        wrapping="0",
        wrapping_tax_rate=None,
        coupons=(),
        manual_discount="0",
        fees=(),
        tax_inclusive=None,
        currency=None,
        exchange_rate="1",
        status_id=11,
        date_created=None,
        shipping_address=None,
        shipping_method="Flat Rate",
        payment_method="Credit Card",
        gift_certificate_amount="0",
        store_credit_amount="0",
        payment_provider_id=None,
        payment_gateway=None,
        transactions=None,
        payment_status=None,
        staff_notes="",
        customer_message="",
        order_source="www",
    ) -> dict:
        """Create an order; prices are in the order's price basis.

        Unset tax rates for shipping/handling/wrapping default to the first
        line's rate (0 if none). Returns the order as ``GET /v2/orders/{id}``
        shows it.

        ``fees``: order fees, each ``{name, amount, tax_rate[, tax_class_id,
        customer_name]}`` (amount in the price basis, rate a fraction, 0 if
        unset): ``GET /v2/orders/{id}?include=fees`` and ``/fees`` show them.

        Payment: ``gift_certificate_amount`` and ``store_credit_amount`` paid
        part of the total, ``payment_method`` the rest. Once paid (by status),
        the order has a ``payment_provider_id`` (the gateway's id, unless
        given) and captured transactions made from those fields (through
        ``payment_gateway``), unless ``transactions`` lists them
        (``{method, gateway, amount[, gateway_transaction_id, event]}``).
        ``payment_status="authorized"`` places an order whose payment is
        only authorized (its status is kept): :meth:`capture_payment` takes
        the money later.
        """
        if status_id not in STATUS_NAMES:
            raise ValueError(f"unknown status_id {status_id}")
        if not lines:
            raise ValueError("an order needs at least one line")
        with self.lock:
            currency = currency or self.currency
            specs = [self._line_spec(line, currency, exchange_rate) for line in lines]
            default_rate = next(
                (s.tax_rate for s in specs if s.type != GIFT_CERTIFICATE), "0"
            )
            billing = self._billing_address(int(customer_id), billing_address)
            needs_address = any(s.type == PHYSICAL for s in specs) or (
                dec(shipping) > 0 or dec(handling) > 0
            )
            order_id = self.ids.next("order")
            ctx = {
                "order_id": order_id,
                "address_id": self.ids.next("order_address") if needs_address else 0,
                "inclusive": self.tax_inclusive
                if tax_inclusive is None
                else bool(tax_inclusive),
                "currency": currency,
                "store_currency": self.currency,
                "rate": dec(exchange_rate),
                "fee_taxes_listed_as": self.fee_taxes_listed_as,
            }
            opts = {
                "customer_id": int(customer_id),
                "billing_address": billing,
                "shipping_address": complete_address(shipping_address, billing),
                "shipping": shipping,
                "shipping_tax_rate": _rate_or(shipping_tax_rate, default_rate),
                "handling": handling,
                "handling_tax_rate": _rate_or(handling_tax_rate, default_rate),
                "wrapping": wrapping,
                "wrapping_tax_rate": _rate_or(wrapping_tax_rate, default_rate),
                "status_id": status_id,
                "date_created": self._at(date_created),
                "shipping_method": shipping_method,
                "payment_method": payment_method,
                "gift_certificate_amount": gift_certificate_amount,
                "store_credit_amount": store_credit_amount,
                "staff_notes": staff_notes,
                "customer_message": customer_message,
                "order_source": order_source,
                "fees": [dict(fee) for fee in fees],
            }
            discounts = coupon_inputs(list(coupons), self.ids)
            discounts += manual_discount_input(manual_discount)
            for spec in specs:
                if not spec.recipient_email and spec.type != PHYSICAL:
                    spec.recipient_email = billing["email"]
            order = build_order(ctx, opts, specs, discounts, self.ids)
            order.gateway = payment_gateway
            if transactions is not None:
                order.transactions = [
                    {
                        "event": "purchase",
                        "gateway_transaction_id": "",
                        **row,
                        "amount": cents(row["amount"]),
                    }
                    for row in transactions
                ]
            if payment_provider_id is not None:
                order.data["payment_provider_id"] = payment_provider_id
            if payment_status is not None:
                order.data["payment_status"] = payment_status
            self.orders[order_id] = order
            self._take_payment(order)
            return self.render_order(order_id)

    def set_order_status(self, order_id, status_id, at=None) -> dict:
        """Change the status (and payment status); bumps ``date_modified``."""
        if status_id not in STATUS_NAMES:
            raise ValueError(f"unknown status_id {status_id}")
        with self.lock:
            order = self.order_record(order_id)
            data = order.data
            authorized = data["payment_status"] == "authorized"
            data.update(
                status_id=status_id,
                status=status_name(status_id),
                custom_status=status_name(status_id),
                payment_status=payment_status(status_id),
                date_modified=self._at(at),
            )
            self._take_payment(order)
            if authorized and data["payment_status"] in PAID_PAYMENT_STATUSES:
                # Captured with the change of status (e.g. on shipping).
                self._capture(order, data["date_modified"])
            return self.render_order(order_id)

    def capture_payment(self, order_id, at=None) -> dict:
        """Capture later the payment of an order placed with its payment
        only authorized: ``payment_status`` becomes ``captured`` and
        ``date_modified`` is ``at``; its transactions are the gateway's
        authorization when the order was placed and its capture at ``at``
        (gift certificates and store credit were used at checkout)."""
        with self.lock:
            order = self.order_record(order_id)
            data = order.data
            if data["payment_status"] != "authorized":
                raise ValueError(f"order {order_id}'s payment is not authorized")
            when = self._at(at)
            data.update(payment_status="captured", date_modified=when)
            self._capture(order, when)
            return self.render_order(order_id)

    @staticmethod
    def _capture(order, when) -> None:
        """The authorized payment of ``order`` captured at ``when``."""
        order.transactions += [
            dict(row, event="capture", date=when)
            for row in order.transactions
            if row["event"] == "authorization"
        ]

    @staticmethod
    def _take_payment(order) -> None:
        """A paid order gets its gateway's id and its transactions, dated
        when it was paid (its last change); an authorized one its
        authorization (and what gift certificates and store credit paid)."""
        data = order.data
        authorized = data["payment_status"] == "authorized"
        if data["payment_status"] not in PAID_PAYMENT_STATUSES and not authorized:
            return
        rest = (
            dec(data["total_inc_tax"])
            - dec(data["gift_certificate_amount"])
            - dec(data["store_credit_amount"])
        )
        if rest > 0 and data["payment_provider_id"] == "":
            data["payment_provider_id"] = f"pi_{data['id']:010d}"
        if order.transactions is None:
            order.transactions = [
                dict(
                    row,
                    date=data["date_modified"],
                    event="authorization"
                    if authorized and row["method"] not in LIABILITY_METHODS
                    else row["event"],
                )
                for row in payment_transactions(data, order.gateway)
            ]

    def update_order(self, order_id, at=None, **changes) -> dict:
        """Set plain order fields (e.g. ``staff_notes``); bumps ``date_modified``."""
        with self.lock:
            data = self.order_record(order_id).data
            unknown = set(changes) - set(data)
            if unknown:
                raise ValueError(f"unknown order fields: {sorted(unknown)}")
            if "status_id" in changes:
                self.set_order_status(order_id, changes.pop("status_id"), at)
            data.update(changes)
            data["date_modified"] = self._at(at)
            return self.render_order(order_id)

    # ------------------------------------------------------------------
    # refunds

    def add_refund(
        self,
        order_id,
        items,
        reason="",
        payments=None,
        created=None,
        update_status=True,
    ) -> dict:
        """Refund items of an order (see :mod:`.refunds` for the amounts).

        Moves the order to Refunded (4) once everything is refunded, else to
        Partially Refunded (14), unless ``update_status`` is false. Returns
        the refund as ``GET /v3/orders/payment_actions/refunds/{id}`` shows it.
        """
        with self.lock:
            order = self.order_record(order_id)
            at = self._at(created)
            booked = []
            for item in items:
                amount, tax, quantity = refund_item(order, item)
                book(order, item, amount, tax, quantity)
                booked.append((item, amount, tax, quantity))
            if not booked:
                raise RefundError("a refund needs at least one item")
            refund = self._refund_record(order, booked, reason, payments, at)
            self.refunds[refund["id"]] = refund
            if update_status:
                fully = refunded_total(order) >= dec(order.data["total_inc_tax"])
                self.set_order_status(order.id, 4 if fully else 14, at)
            else:
                order.data["date_modified"] = at
            return views.refund(refund, single=True)

    def cancel_order(
        self, order_id, refund=False, reason="Order cancelled", payments=None, at=None
    ):
        """Cancel an order (Cancelled, 5), as a merchant does. Cancelling
        gives no money back: a paid order keeps its payment status. With
        ``refund``, what is left of the order (its lines, shipping, handling,
        gift wrapping, fees) is refunded first, in one refund, and the order
        stays Cancelled, its payment status refunded.

        :return: that refund (as ``add_refund`` returns it), else ``None``.
        """
        with self.lock:
            order = self.order_record(order_id)
            kept = order.data["payment_status"]
            given_back = None
            if refund:
                given_back = self.add_refund(
                    order_id,
                    self.refundable_items(order_id),
                    reason=reason,
                    payments=payments,
                    created=at,
                    update_status=False,
                )
            self.set_order_status(order_id, 5, at)
            if kept in PAID_PAYMENT_STATUSES:
                order.data["payment_status"] = "refunded" if refund else kept
            return given_back

    def refundable_items(self, order_id) -> list:
        """Refund items (``add_refund``'s) for everything of an order not
        refunded yet (a charge refunded in part is left as it is)."""
        order = self.order_record(order_id)

        def untouched(item_type, item_id):
            return (item_type, int(item_id)) not in order.refunded

        items = []
        for line in order.products:
            left = line["quantity"] - line["quantity_refunded"]
            if left:
                items.append(
                    {"item_type": "PRODUCT", "item_id": line["id"], "quantity": left}
                )
            if dec(line.get("wrapping_cost_inc_tax") or 0) > 0 and untouched(
                "GIFT_WRAPPING", line["id"]
            ):
                items.append({"item_type": "GIFT_WRAPPING", "item_id": line["id"]})
        for address in order.shipping_addresses:
            for item_type, field in (
                ("SHIPPING", "cost_inc_tax"),
                ("HANDLING", "handling_cost_inc_tax"),
            ):
                if dec(address.get(field) or 0) > 0 and untouched(
                    item_type, address["id"]
                ):
                    items.append({"item_type": item_type, "item_id": address["id"]})
        for fee in order.fees:
            if dec(fee.get("cost_inc_tax") or 0) > 0 and untouched("FEE", fee["id"]):
                items.append({"item_type": "FEE", "item_id": fee["id"]})
        return items

    def add_tax_adjustment_refund(
        self, order_id, amount, reason="", payments=None, created=None
    ) -> dict:
        """Refund overcharged tax only (``tax_adjustment_amount``): a refund
        without items, all of its amount tax. The order's status is kept."""
        with self.lock:
            order = self.order_record(order_id)
            amount = cents(dec(amount))
            charged = dec(order.data["total_tax"])
            done, _tax = order.refunded.get(("TAX", order.id), (ZERO, ZERO))
            if not 0 < amount <= charged - done:
                raise RefundError(
                    f"cannot return {amount} of tax ({charged - done} left)"
                )
            order.refunded[("TAX", order.id)] = (done + amount, done + amount)
            at = self._at(created)
            refund = self._refund_record(order, [], reason, payments, at)
            refund.update(total_amount=amount, total_tax=amount)
            for payment in refund["payments"]:
                payment["amount"] = cents(dec(payment["amount"]) or amount)
            self.refunds[refund["id"]] = refund
            order.data["date_modified"] = at
            return views.refund(refund, single=True)

    def _refund_record(self, order, booked, reason, payments, at) -> dict:
        total = sum((amount for _i, amount, _t, _q in booked), ZERO)
        items = [
            {
                "item_type": item["item_type"],
                "item_id": int(item["item_id"]),
                "quantity": quantity,
                "requested_amount": None if quantity else amount,
                "reason": item.get("reason", reason),
            }
            for item, amount, _tax, quantity in booked
        ]
        provider = "storecredit" if order.data["customer_id"] else "braintree"
        return {
            "id": self.ids.next("refund"),
            "order_id": order.id,
            "user_id": 0,
            "created": at,
            "reason": reason,
            "total_amount": total,
            "total_tax": sum((tax for _i, _a, tax, _q in booked), ZERO),
            "uses_merchant_override_values": False,
            "items": items,
            "payments": [
                {
                    "id": self.ids.next("refund_payment"),
                    "provider_id": p.get("provider_id", provider),
                    "amount": cents(p.get("amount", total)),
                    "offline": bool(p.get("offline", False)),
                    "is_declined": False,
                    "declined_message": "",
                }
                for p in payments or [{}]
            ],
        }

    # ------------------------------------------------------------------
    # shipments

    def add_shipment(
        self,
        order_id,
        items,
        tracking_number="",
        tracking_carrier="",
        shipping_method="",
        shipping_provider="",
        comments="",
        date_created=None,
        update_status=True,
    ) -> dict:
        """Ship order lines; updates ``quantity_shipped`` and ``items_shipped``.

        With ``update_status`` an order awaiting fulfilment moves to Partially
        Shipped (3) or, once every physical item is shipped, Shipped (2).
        """
        with self.lock:
            order = self.order_record(order_id)
            if not order.shipping_addresses:
                raise ValueError(f"order {order.id} has nothing to ship")
            at = self._at(date_created)
            lines = {p["id"]: p for p in order.products}
            shipped = self._ship_lines(lines, items)
            shipment = self._shipment_record(
                order,
                shipped,
                at,
                tracking_number,
                tracking_carrier,
                shipping_method,
                shipping_provider,
                comments,
            )
            order.shipments.append(shipment)
            self._after_shipment(order, at, update_status)
            return views.shipment(shipment)

    @staticmethod
    def _ship_lines(lines: dict, items) -> list:
        shipped = []
        for item in items:
            line = lines.get(int(item["order_product_id"]))
            if line is None or line["type"] != PHYSICAL:
                raise ValueError(
                    f"no physical order product {item['order_product_id']}"
                )
            quantity = int(item["quantity"])
            if not 0 < quantity <= line["quantity"] - line["quantity_shipped"]:
                raise ValueError(f"cannot ship {quantity} of line {line['id']}")
            line["quantity_shipped"] += quantity
            shipped.append((line, quantity))
        if not shipped:
            raise ValueError("a shipment needs at least one item")
        return shipped

    def _shipment_record(
        self,
        order,
        shipped,
        at,
        tracking_number,
        tracking_carrier,
        method,
        provider,
        comments,
    ) -> dict:
        address = order.shipping_addresses[0]
        link = ""
        if tracking_number:
            link = f"https://track.aftership.com/{tracking_carrier or 'auto'}/"
            link += tracking_number
        return {
            "id": self.ids.next("shipment"),
            "order_id": order.id,
            "customer_id": order.data["customer_id"],
            "order_address_id": address["id"],
            "date_created": at,
            "tracking_number": tracking_number,
            "merchant_shipping_cost": "0.0000",
            "shipping_method": method or address["shipping_method"],
            "shipping_provider": provider,
            "tracking_carrier": tracking_carrier,
            "tracking_link": "",
            "comments": comments,
            "billing_address": views.plain_address(order.data["billing_address"]),
            "shipping_address": views.plain_address(address),
            "items": [
                {
                    "order_product_id": line["id"],
                    "product_id": line["product_id"],
                    "quantity": quantity,
                }
                for line, quantity in shipped
            ],
            "shipping_provider_display_name": provider.upper() if provider else "",
            "generated_tracking_link": link,
        }

    def _find_shipment(self, order_id, shipment_id):
        order = self.order_record(order_id)
        for shipment in order.shipments:
            if shipment["id"] == int(shipment_id):
                return order, shipment
        raise KeyError(shipment_id)

    def update_shipment(self, order_id, shipment_id, at=None, **changes) -> dict:
        """Change a shipment's tracking details (``tracking_number``,
        ``tracking_carrier``, ``shipping_provider``, ``comments``...); bumps
        the order's ``date_modified``."""
        editable = {
            "tracking_number",
            "tracking_carrier",
            "tracking_link",
            "shipping_method",
            "shipping_provider",
            "comments",
        }
        unknown = set(changes) - editable
        if unknown:
            raise ValueError(f"not editable on a shipment: {sorted(unknown)}")
        with self.lock:
            order, shipment = self._find_shipment(order_id, shipment_id)
            shipment.update(changes)
            if "shipping_provider" in changes:
                provider = shipment["shipping_provider"]
                shipment["shipping_provider_display_name"] = (
                    provider.upper() if provider else ""
                )
            number = shipment["tracking_number"]
            shipment["generated_tracking_link"] = (
                f"https://track.aftership.com/"
                f"{shipment['tracking_carrier'] or 'auto'}/{number}"
                if number
                else ""
            )
            order.data["date_modified"] = self._at(at)
            return views.shipment(shipment)

    def delete_shipment(self, order_id, shipment_id, at=None) -> dict:
        """Delete a shipment: its quantities are no longer shipped, and the
        order keeps its status (as BigCommerce does)."""
        with self.lock:
            order, shipment = self._find_shipment(order_id, shipment_id)
            lines = {p["id"]: p for p in order.products}
            for item in shipment["items"]:
                lines[item["order_product_id"]]["quantity_shipped"] -= item["quantity"]
            order.shipments.remove(shipment)
            self._after_shipment(self.order_record(order_id), self._at(at), False)
            if order.data.get("date_shipped") and not all(
                p["quantity_shipped"] == p["quantity"]
                for p in order.products
                if p["type"] == PHYSICAL
            ):
                order.data["date_shipped"] = None
            return views.shipment(shipment)

    def _after_shipment(self, order, at, update_status: bool) -> None:
        physical = [p for p in order.products if p["type"] == PHYSICAL]
        items_shipped = sum(p["quantity_shipped"] for p in order.products)
        everything = all(p["quantity_shipped"] == p["quantity"] for p in physical)
        order.data["items_shipped"] = items_shipped
        for address in order.shipping_addresses:
            address["items_shipped"] = items_shipped
        if everything:
            order.data["date_shipped"] = at
        order.data["date_modified"] = at
        if update_status and order.data["status_id"] in SHIPPABLE_STATUSES:
            self.set_order_status(order.id, 2 if everything else 3, at)

    # ------------------------------------------------------------------
    # webhooks

    def _check_hook(self, scope, destination, exclude=None) -> None:
        if not scope or not isinstance(scope, str):
            raise HookError("scope", "scope is required")
        url = urlsplit(destination or "")
        if url.scheme != "https" or not url.hostname:
            raise HookError("destination", "destination must be an https URL")
        if url.port not in (None, 443):
            raise HookError("destination", "destination must be served on port 443")
        same_scope = [
            h for h in self.hooks.values() if h["scope"] == scope and h["id"] != exclude
        ]
        if any(h["destination"] == destination for h in same_scope):
            raise HookError(
                "destination",
                "a webhook for this scope and destination already exists",
            )
        if len(same_scope) >= MAX_HOOKS_PER_SCOPE:
            raise HookError("scope", "at most 10 webhooks per scope")

    def create_hook(self, scope, destination, is_active=True, headers=None) -> dict:
        with self.lock:
            self._check_hook(scope, destination)
            stamp = int(self._at(None).timestamp())
            hook = {
                "id": self.ids.next("hook"),
                "client_id": self.client_id,
                "store_hash": self.store_hash,
                "scope": scope,
                "destination": destination,
                "is_active": bool(is_active),
                "headers": headers,
                "created_at": stamp,
                "updated_at": stamp,
            }
            self.hooks[hook["id"]] = hook
            return dict(hook)

    def update_hook(self, hook_id, **changes) -> dict:
        with self.lock:
            hook = self.hooks[int(hook_id)]
            editable = ("scope", "destination", "is_active", "headers")
            merged = {**hook, **{k: v for k, v in changes.items() if k in editable}}
            if "scope" in changes or "destination" in changes:
                self._check_hook(merged["scope"], merged["destination"], hook["id"])
            merged["updated_at"] = int(self._at(None).timestamp())
            hook.update(merged)
            return dict(hook)

    def delete_hook(self, hook_id) -> dict:
        with self.lock:
            return self.hooks.pop(int(hook_id))

    def snapshot(self) -> dict:
        """A deep copy of the raw records (for tests comparing stores)."""
        with self.lock:
            return copy.deepcopy(
                {
                    "products": self.products,
                    "customers": self.customers,
                    "orders": {k: vars(v) for k, v in self.orders.items()},
                    "refunds": self.refunds,
                }
            )


def _rate_or(rate, default):
    return default if rate is None else rate
