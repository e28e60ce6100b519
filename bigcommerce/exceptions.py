# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Errors raised by the BigCommerce client, sorted in one place.

Retryable errors (rate limits, server errors, timeouts, connection errors)
are worth another try later; fatal ones (bad credentials, missing scope,
unknown resource, invalid data) are not.

Messages are the connector's own words (status, method, path): they are
shown to users and stored on failures, so they never echo what the remote
server answered. BigCommerce's own explanation, when it gave one, is kept
apart in ``detail`` (cleaned and truncated) for the server log.
"""


class BigCommerceError(Exception):
    """Base class; ``status`` is the HTTP status when there was a response."""

    def __init__(self, message, status=None, detail=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail


class BigCommerceRetryableError(BigCommerceError):
    """A transient fault; ``retry_after`` is the suggested wait in seconds,
    which the store's rate limit dictates when ``rate_limited``."""

    def __init__(
        self, message, status=None, retry_after=None, detail=None, rate_limited=False
    ):
        super().__init__(message, status=status, detail=detail)
        self.retry_after = retry_after
        self.rate_limited = rate_limited


class BigCommerceFatalError(BigCommerceError):
    """BigCommerce refused the request; retrying will not help."""


class BigCommerceConfigError(BigCommerceFatalError):
    """The store's settings are unusable (store hash, API host): nothing
    was sent."""


class BigCommerceAuthError(BigCommerceFatalError):
    """401 (bad token or store hash) or 403 (the API account lacks a scope)."""


class BigCommerceNotFoundError(BigCommerceFatalError):
    """404: the resource (or the store) does not exist."""


class BigCommerceValidationError(BigCommerceFatalError):
    """422 (or another 4xx): BigCommerce rejected the request's data."""
