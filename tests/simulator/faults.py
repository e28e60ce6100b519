# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Injected failures: server errors, throttling, timeouts and slow answers."""

import random
import threading

KINDS = ("500", "502", "503", "504", "429", "429_no_headers", "timeout", "slow")


class Faults:
    """Queue faults for the next requests, or fire them at a seeded rate.

    ``inject(kind, count)`` hits the next ``count`` API requests in order;
    ``set_rate(kind, rate)`` then makes each further request fail with that
    probability (seeded, so runs repeat). ``timeout`` holds the response for
    ``timeout_delay`` plus ``timeout_margin`` seconds before answering 504;
    ``slow`` waits ``slow_delay`` seconds and then answers normally.
    """

    def __init__(self, seed=0, timeout_delay=5.0, slow_delay=1.0):
        self.timeout_delay = timeout_delay
        self.timeout_margin = 0.5
        self.slow_delay = slow_delay
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._queue = []
        self._rates = {}

    @staticmethod
    def _check(kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {KINDS}")

    def inject(self, kind: str, count: int = 1) -> None:
        self._check(kind)
        with self._lock:
            self._queue.extend([kind] * count)

    def set_rate(self, kind: str, rate: float) -> None:
        self._check(kind)
        if not 0 <= rate <= 1:
            raise ValueError("rate must be between 0 and 1")
        with self._lock:
            if rate:
                self._rates[kind] = rate
            else:
                self._rates.pop(kind, None)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rates.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def next_fault(self):
        """The fault for the request being served, or None."""
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
            for kind, rate in sorted(self._rates.items()):
                if self._random.random() < rate:
                    return kind
            return None

    @property
    def timeout_hold(self) -> float:
        return self.timeout_delay + self.timeout_margin
