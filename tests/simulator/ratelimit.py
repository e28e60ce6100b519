# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""BigCommerce's per-window request quota, with an injectable clock."""

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class Quota:
    """The quota as one response reports it."""

    window_ms: int
    reset_ms: int
    quota: int
    left: int

    def headers(self, limited: bool = False) -> dict:
        headers = {
            "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(self.reset_ms),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Requests-Left": str(self.left),
        }
        if limited:
            headers["X-Retry-After"] = str(max(1, math.ceil(self.reset_ms / 1000)))
        return headers


class RateLimiter:
    """Fixed window that opens with the first request after the last one closed.

    ``clock`` returns seconds (``time.monotonic`` by default); tests pass a
    fake to move time without sleeping.
    """

    def __init__(self, quota=150, window_ms=30000, clock=None):
        self.quota = quota
        self.window_ms = int(window_ms)
        self.clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._window_start = None
        self._used = 0

    @property
    def enabled(self) -> bool:
        return self.quota is not None

    def _roll(self, now_ms: float) -> None:
        if self._window_start is None or now_ms >= self._window_start + self.window_ms:
            self._window_start = now_ms
            self._used = 0

    def _status(self, now_ms: float) -> Quota:
        if self._window_start is None:
            reset = self.window_ms
        else:
            reset = max(0, math.ceil(self._window_start + self.window_ms - now_ms))
        return Quota(self.window_ms, reset, self.quota, max(0, self.quota - self._used))

    def acquire(self) -> tuple:
        """Spend one request: ``(allowed, Quota)``."""
        with self._lock:
            now_ms = self.clock() * 1000
            self._roll(now_ms)
            if self._used >= self.quota:
                return False, self._status(now_ms)
            self._used += 1
            return True, self._status(now_ms)

    def peek(self) -> Quota:
        """The current quota without spending a request."""
        with self._lock:
            now_ms = self.clock() * 1000
            if self._window_start is not None and (
                now_ms >= self._window_start + self.window_ms
            ):
                return Quota(self.window_ms, self.window_ms, self.quota, self.quota)
            return self._status(now_ms)

    def reset(self) -> None:
        with self._lock:
            self._window_start = None
            self._used = 0
