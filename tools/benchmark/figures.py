# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The figures that the report's table and its explanations both derive
from the raw numbers of a run."""

import statistics
from dataclasses import dataclass

from .common import invoice_calls

NAN = float("nan")


@dataclass(frozen=True)
class Figures:
    """Medians of the import cost against its floors, the scaling from 1 to
    2 job workers, and the invoice calls of the webhook orders."""

    median_ratio: float  # import / ORM floor
    median_import: float  # seconds
    median_floor: float  # seconds: create and post the identical invoice
    mean_lines: float  # invoice lines of the orders compared
    ledger_ratio: float  # import / ORM floor with the same payments
    ledger_floor: float  # seconds
    scaling: float  # invoices per minute, 2 job workers / 1
    hook_invoice_calls: int  # calls of the invoices, with 2 job workers
    batch_floor: float  # seconds per invoice, created and posted in batches
    batch_ledger_floor: float  # the same with their payments, in batches

    @classmethod
    def of(cls, results):
        """The figures of ``results``, the raw numbers of a run."""
        pairs = results["cost"]["pairs"]
        ratios = [p["import"] / p["floor"] for p in pairs if p["floor"] > 0]
        ledger = [p for p in pairs if p.get("ledger_floor")]
        one, two = results["throughput_1"], results["throughput_2"]

        def median(key, of=pairs):
            """The median of ``key`` over the pairs ``of`` (0 if none)."""
            return statistics.median(p[key] for p in of) if of else 0

        return cls(
            median_ratio=statistics.median(ratios) if ratios else NAN,
            median_import=median("import"),
            median_floor=median("floor"),
            mean_lines=statistics.mean(p["lines"] for p in pairs) if pairs else 0,
            ledger_ratio=(
                statistics.median(p["import"] / p["ledger_floor"] for p in ledger)
                if ledger
                else NAN
            ),
            ledger_floor=median("ledger_floor", ledger),
            scaling=(two["per_minute"] / one["per_minute"] if one["per_minute"] else 0),
            hook_invoice_calls=invoice_calls(two["endpoints"]),
            batch_floor=per_invoice(results, "floor"),
            batch_ledger_floor=per_invoice(results, "ledger_floor"),
        )


def per_invoice(results, key):
    """Seconds per invoice of the batched floor ``key`` (``floor``: the
    invoices; ``ledger_floor``: with their payments); NaN for a run that
    did not measure it."""
    batches = results["cost"].get("batches") or []
    invoices = sum(batch["invoices"] for batch in batches)
    return sum(batch[key] for batch in batches) / invoices if invoices else NAN


def rate(seconds):
    """Invoices per second at ``seconds`` per invoice (NaN if unknown)."""
    return 1 / seconds if seconds and seconds == seconds else NAN


LABELS = {"single": "single instance", "two-tier": "two tiers"}


def ack_deployments(results):
    """``{deployment: {"open_loop", "closed_loop", "ack_lost",
    "hook_failures"}}`` of a run; a run from before the two deployments
    measured the single instance only, under the keys of its own."""
    if "deployments" in results:
        return results["deployments"]
    return {
        "single": {
            key: results[key]
            for key in ("open_loop", "closed_loop", "ack_lost", "hook_failures")
        }
    }
