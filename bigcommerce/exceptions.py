# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Errors raised by the BigCommerce client, sorted in one place.

Retryable errors (rate limits, server errors, timeouts, connection errors)
are worth another try later; fatal ones (bad credentials, missing scope,
unknown resource, invalid data) are not, and carry BigCommerce's message.
"""


class BigCommerceError(Exception):
    """Base class; ``status`` is the HTTP status when there was a response."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        self.status = status


class BigCommerceRetryableError(BigCommerceError):
    """A transient fault; ``retry_after`` is the suggested wait in seconds."""

    def __init__(self, message, status=None, retry_after=None):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class BigCommerceFatalError(BigCommerceError):
    """BigCommerce refused the request; retrying will not help."""


class BigCommerceAuthError(BigCommerceFatalError):
    """401 (bad token or store hash) or 403 (the API account lacks a scope)."""


class BigCommerceNotFoundError(BigCommerceFatalError):
    """404: the resource (or the store) does not exist."""


class BigCommerceValidationError(BigCommerceFatalError):
    """422 (or another 4xx): BigCommerce rejected the request's data."""
