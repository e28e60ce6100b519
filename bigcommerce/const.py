# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""BigCommerce API constants (see API-NOTES: auth, rate limits, statuses)."""

DEFAULT_API_BASE_URL = "https://api.bigcommerce.com"

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
INCOMPLETE_STATUS_ID = 0
