# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""BigCommerce API constants (see API-NOTES: auth, rate limits, statuses)."""

DEFAULT_API_BASE_URL = "https://api.bigcommerce.com"
# The access token goes to this host and to no other, unless the server's
# configuration names another one (a simulator, a proxy): see
# ``check_api_base_url`` in ``client``.
BIGCOMMERCE_API_ORIGINS = frozenset({DEFAULT_API_BASE_URL})
# Store hashes are short lowercase alphanumeric codes ("abc123xyz"); the
# hash is part of every request path, so nothing else gets in.
STORE_HASH_PATTERN = r"[A-Za-z0-9]{1,64}"

# Rate-limit headers (names are case-insensitive; requests' headers are too).
HEADER_WINDOW_MS = "X-Rate-Limit-Time-Window-Ms"
HEADER_RESET_MS = "X-Rate-Limit-Time-Reset-Ms"
HEADER_QUOTA = "X-Rate-Limit-Requests-Quota"
HEADER_LEFT = "X-Rate-Limit-Requests-Left"
HEADER_RETRY_AFTER = "X-Retry-After"

# Largest page BigCommerce serves; more is answered with 413.
MAX_PAGE_SIZE = 250

# Status codes worth another try: rate limited, server errors, maintenance.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

ORDER_STATUSES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}
# An order in these statuses has refunds on the store.
REFUNDED_STATUS_IDS = frozenset({4, 14})
# An order that moves to these statuses after it was invoiced sold nothing:
# its invoice must not stand.
CANCELLED_STATUS_IDS = frozenset({5, 6})

# Webhook scopes BigCommerce sends (API-NOTES §6). A delivery with a scope
# outside this list is refused; known scopes that the connector does not
# handle are acknowledged and ignored.
ORDER_SCOPES = (
    "store/order/created",
    "store/order/updated",
    "store/order/archived",
    "store/order/statusUpdated",
    "store/order/message/created",
    "store/order/refund/created",
    "store/order/transaction/created",
    "store/order/transaction/updated",
)
SHIPMENT_SCOPES = (
    "store/shipment/created",
    "store/shipment/updated",
    "store/shipment/deleted",
)
CUSTOMER_SCOPES = (
    "store/customer/created",
    "store/customer/updated",
    "store/customer/deleted",
    "store/customer/address/created",
    "store/customer/address/updated",
    "store/customer/address/deleted",
    "store/customer/payment/instrument/default/updated",
)
KNOWN_SCOPES = frozenset(ORDER_SCOPES + SHIPMENT_SCOPES + CUSTOMER_SCOPES)
# A refund's webhook carries its order id and its own id:
# data: {"type": "order", "id": 250, "refund": {"refund_id": 3}}.
REFUND_CREATED_SCOPE = "store/order/refund/created"
HANDLED_ORDER_SCOPES = frozenset(
    {
        "store/order/created",
        "store/order/updated",
        "store/order/statusUpdated",
        REFUND_CREATED_SCOPE,
    }
)
# A customer (created, updated, deleted) and its address book: the customer
# is imported again. ``customer/updated`` does not fire for address changes.
HANDLED_CUSTOMER_SCOPES = frozenset(
    {"store/customer/created", "store/customer/updated", "store/customer/deleted"}
)
HANDLED_CUSTOMER_ADDRESS_SCOPES = frozenset(
    {
        "store/customer/address/created",
        "store/customer/address/updated",
        "store/customer/address/deleted",
    }
)
# A shipment created, updated or deleted: the order's shipments are read again.
HANDLED_SHIPMENT_SCOPES = frozenset(SHIPMENT_SCOPES)
# What the connector subscribes to.
HANDLED_SCOPES = (
    HANDLED_ORDER_SCOPES
    | HANDLED_CUSTOMER_SCOPES
    | HANDLED_CUSTOMER_ADDRESS_SCOPES
    | HANDLED_SHIPMENT_SCOPES
)
# Other scope families BigCommerce sends; acknowledged, never handled here.
OTHER_SCOPE_PREFIXES = (
    "store/app/",
    "store/brand/",
    "store/cart/",
    "store/category/",
    "store/channel/",
    "store/information/",
    "store/inventory/",
    "store/priceList/",
    "store/product/",
    "store/sku/",
    "store/subscriber/",
)


def is_known_scope(scope):
    return scope in KNOWN_SCOPES or scope.startswith(OTHER_SCOPE_PREFIXES)
