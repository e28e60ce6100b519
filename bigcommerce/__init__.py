# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The BigCommerce side of the connector: plain Python, no Odoo import.

Everything here is importable on its own (relative imports only) so that
it can be tested without a database.
"""

from .client import BigCommerceClient, RateLimitState
from .exceptions import (
    BigCommerceAuthError,
    BigCommerceError,
    BigCommerceFatalError,
    BigCommerceNotFoundError,
    BigCommerceRetryableError,
    BigCommerceValidationError,
)

__all__ = [
    "BigCommerceAuthError",
    "BigCommerceClient",
    "BigCommerceError",
    "BigCommerceFatalError",
    "BigCommerceNotFoundError",
    "BigCommerceRetryableError",
    "BigCommerceValidationError",
    "RateLimitState",
]
