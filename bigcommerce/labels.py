# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""BigCommerce's codes in words, for the screens: payment statuses, carriers
(a shipment's ``shipping_provider`` or ``tracking_carrier``) and payment
providers (a refund payment's ``provider_id``, a transaction's gateway).

Plain words, no Odoo: the payment statuses are turned into a selection on
the order (whose labels are translated); carriers and providers are names.
A code not listed here is shown as BigCommerce sends it, made readable.
"""

# payment_status (API-NOTES §3), in words.
PAYMENT_STATUSES = {
    "authorized": "Authorized",
    "captured": "Captured",
    "capture pending": "Capture Pending",
    "declined": "Declined",
    "held for review": "Held for Review",
    "paid": "Paid",
    "partially refunded": "Partially Refunded",
    "pending": "Pending",
    "refunded": "Refunded",
    "void": "Void",
    "void pending": "Void Pending",
}

# shipping_provider and tracking_carrier codes (orders.v2 shipments).
CARRIERS = {
    "auspost": "Australia Post",
    "canadapost": "Canada Post",
    "endicia": "Endicia",
    "usps": "USPS",
    "fedex": "FedEx",
    "royalmail": "Royal Mail",
    "ups": "UPS",
    "upsready": "UPS",
    "shipperhq": "ShipperHQ",
    "dhl": "DHL",
    "custom": "Custom carrier",
}

# Payment providers and gateways, as refunds and transactions name them.
PROVIDERS = {
    "storecredit": "Store credit",
    "store_credit": "Store credit",
    "giftcertificate": "Gift certificate",
    "gift_certificate": "Gift certificate",
    "braintree": "Braintree",
    "braintreepaypal": "PayPal (Braintree)",
    "paypalexpress": "PayPal",
    "paypal": "PayPal",
    "stripe": "Stripe",
    "stripev3": "Stripe",
    "square": "Square",
    "squarev2": "Square",
    "authorizenet": "Authorize.Net",
    "adyen": "Adyen",
    "adyenv2": "Adyen",
    "afterpay": "Afterpay",
    "amazonpay": "Amazon Pay",
    "klarna": "Klarna",
    "testgateway": "Test payment gateway",
    "cod": "Cash on delivery",
    "bankdeposit": "Bank deposit",
    "cheque": "Cheque",
    "moneyorder": "Money order",
    "custom": "Manual payment",
}


def _readable(code):
    """An unknown code, made readable: ``carrier_42`` -> ``Carrier 42``."""
    text = " ".join(str(code).replace("_", " ").split())
    return text[:1].upper() + text[1:]


def payment_status_key(value):
    """The key of :data:`PAYMENT_STATUSES` of a ``payment_status``, or
    ``None`` for an empty or unknown one."""
    key = " ".join(str(value or "").lower().split())
    return key if key in PAYMENT_STATUSES else None


def carrier_label(code):
    """A carrier's name from its code (``ups`` -> ``UPS``); ``""`` for none."""
    if not code:
        return ""
    return CARRIERS.get(str(code).strip().lower()) or _readable(code)


def provider_label(code):
    """A payment provider's name from its code (``storecredit`` -> ``Store
    credit``); ``""`` for none."""
    if not code:
        return ""
    return PROVIDERS.get(str(code).strip().lower()) or _readable(code)
