# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import on demand: orders by number, the orders of a period, or the
catch-up now. The work is queued; the store form shows its progress."""

import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..components import kinds
from ..components.accounting import period_bounds, store_date, store_time_zone

# "1234", "1234, 1240", "1300-1310", one per line...
NUMBERS_RE = re.compile(r"(\d+)(?:\s*-\s*(\d+))?")
SEPARATORS_RE = re.compile(r"[\s,;#]+")
MAX_ORDERS = 10000


def parse_order_numbers(text):
    """The order numbers ``text`` lists (ranges allowed), in order, once.

    :raises ValueError: anything else than numbers, ranges and separators,
        or more than :data:`MAX_ORDERS` orders.
    """
    numbers = []
    for token in SEPARATORS_RE.sub(" ", (text or "").replace(" - ", "-")).split():
        match = NUMBERS_RE.fullmatch(token)
        if not match:
            raise ValueError(token)
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first or last - first >= MAX_ORDERS:
            raise ValueError(token)
        numbers.extend(range(first, last + 1))
        if len(numbers) > MAX_ORDERS:
            raise ValueError(token)
    return [n for n in dict.fromkeys(numbers) if 0 < n < 2**31]


class BigCommerceImportWizard(models.TransientModel):
    _name = "bigcommerce.import.wizard"
    _description = "Import from BigCommerce"

    backend_id = fields.Many2one("bigcommerce.backend", string="Store", required=True)
    mode = fields.Selection(
        [
            ("numbers", "Orders by number"),
            ("period", "Orders of a period"),
            ("catch_up", "Catch up now"),
        ],
        required=True,
        default="numbers",
    )
    order_numbers = fields.Text(
        help="Order numbers, separated by commas, spaces or lines; ranges "
        "such as 1300-1310 are allowed.",
    )
    date_field = fields.Selection(
        [("date_created", "Created"), ("date_modified", "Modified")],
        string="Orders",
        default="date_created",
        required=True,
    )
    date_from = fields.Date(
        string="From",
        help="The period's first day, in the store's time zone.",
    )
    date_to = fields.Date(
        string="To",
        help="The period's last day (included), in the store's time zone.",
    )
    timezone = fields.Selection(related="backend_id.timezone")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            not values.get("backend_id")
            and self.env.context.get("active_model") == "bigcommerce.backend"
        ):
            values["backend_id"] = self.env.context.get("active_id")
        if "date_to" in fields_list and not values.get("date_to"):
            # Today, in the store's time zone.
            backend = self.env["bigcommerce.backend"].browse(values.get("backend_id"))
            values["date_to"] = store_date(backend.exists())
        return values

    def action_import(self):
        """Queue the work, and go back to the store, where it shows."""
        self.ensure_one()
        # Before anything is queued: imports spend the store's request quota.
        self.check_access("write")
        backend = self.backend_id
        backend.check_access("write")
        Run = self.env["bigcommerce.import.run"]
        if self.mode == "numbers":
            try:
                numbers = parse_order_numbers(self.order_numbers)
            except ValueError as exc:
                raise UserError(
                    self.env._(
                        "'%(token)s' is not an order number nor a range of them "
                        "(such as 1300-1310, at most %(max)s orders).",
                        token=exc.args[0],
                        max=MAX_ORDERS,
                    )
                ) from exc
            if not numbers:
                raise UserError(
                    self.env._("Enter the numbers of the orders to import.")
                )
            run = Run.create(
                {
                    "backend_id": backend.id,
                    "mode": "numbers",
                    "name": self.env._(
                        "Orders %(numbers)s",
                        numbers=", ".join(map(str, numbers[:5]))
                        + (", ..." if len(numbers) > 5 else ""),
                    ),
                }
            )
            run._queue_orders(numbers)
        elif self.mode == "period":
            if not self.date_from or not self.date_to or self.date_from > self.date_to:
                raise UserError(
                    self.env._("Give the start and the end of the period, in order.")
                )
            labels = dict(self._fields["date_field"]._description_selection(self.env))
            # The days of the store's time zone; BigCommerce's date filters
            # include their bounds, to the second.
            start, end = period_bounds(backend, self.date_from, self.date_to)
            until = end - timedelta(seconds=1)
            run = Run.create(
                {
                    "backend_id": backend.id,
                    "mode": "period",
                    "name": self.env._(
                        "Orders %(field)s from %(start)s to %(end)s (%(zone)s)",
                        field=labels[self.date_field].lower(),
                        start=fields.Date.to_string(self.date_from),
                        end=fields.Date.to_string(self.date_to),
                        zone=store_time_zone(backend) or "UTC",
                    ),
                    "date_from": start,
                    "date_to": until,
                    "date_field": self.date_field,
                    "listing_state": "listing",
                }
            )
            backend._delay_orders_listing(run, start, until, self.date_field)
        else:
            run = Run.create(
                {
                    "backend_id": backend.id,
                    "mode": "catch_up",
                    "name": self.env._("Catch-up"),
                    "listing_state": "listing",
                }
            )
            # The store's catch-up, with its own identity: a scheduled
            # catch-up waiting in the queue must not swallow this one.
            kinds.delay_batch(
                backend, "order", identity_suffix=f"-run{run.id}", run_id=run.id
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "bigcommerce.backend",
            "res_id": backend.id,
            "view_mode": "form",
            "target": "current",
        }
