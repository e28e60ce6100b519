# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What every part of the benchmark shares: the stores' names and secrets,
the quotas, the endpoints an invoice needs, and small arithmetic."""

import re

TOKEN, SECRET = "bench-token", "bench-secret"
QUOTAS = {"Standard": 150, "Pro": 450}  # requests per 30 s window
STORES = ("benchsync", "benchhook", "benchcost")
# The calls an order's invoice needs: the order, its tax rows where they
# cannot be inferred, its transactions for a split payment.
INVOICE_ENDPOINTS = (
    "v2/orders/{id}",
    "v2/orders/{id}/taxes",
    "v3/orders/{id}/transactions",
)
# The order listing of a first sync (250 orders a page, with their lines).
LISTING_ENDPOINT = "v2/orders"


def endpoint(path):
    """``/stores/h/v2/orders/123/taxes`` -> ``v2/orders/{id}/taxes``."""
    path = path.split("/", 3)[-1] if path.startswith("/stores/") else path
    return re.sub(r"/\d+(?=/|$)", "/{id}", path.strip("/"))


def endpoint_counts(requests_):
    """``{endpoint: calls}`` of the simulator's request log entries, the
    most called first."""
    counts = {}
    for request in requests_:
        name = endpoint(request["path"])
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def is_invoice_endpoint(name, listing=False):
    """Whether a call to ``name`` served an invoice; with ``listing``, the
    order listing counts too (a first sync reads its orders from it)."""
    return name in INVOICE_ENDPOINTS or (listing and name == LISTING_ENDPOINT)


def invoice_calls(endpoints, listing=False):
    """How many of the calls in ``{endpoint: calls}`` served invoices."""
    return sum(
        count for name, count in endpoints.items() if is_invoice_endpoint(name, listing)
    )


def percentile(values, fraction):
    """The value at ``fraction`` (0 to 1) of the sorted ``values`` (nearest
    rank); NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds):
    """Seconds as whole milliseconds: ``0.0123`` -> ``"12 ms"``."""
    return f"{seconds * 1000:.0f} ms"


def step_rows(breakdown, per):
    """A profile's table rows: each step's time per unit and its share of
    ``per``, the profiled time per unit."""
    return "\n".join(
        f"| {label} | {ms(seconds)} | {seconds / per * 100 if per else 0:.0f}% |"
        for label, seconds in breakdown.items()
    )


def verdict(ok):
    """The report table's last column, for a target of the issue."""
    return "meets" if ok else "**misses**"


def check(ok):
    """The report table's last column, for a reported row that counts what
    must add up (no answer lost, no job missing): nothing when it does."""
    return "" if ok else "**check**"
