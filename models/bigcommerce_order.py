# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from decimal import Decimal

from markupsafe import Markup, escape

from odoo import Command, api, fields, models

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.const import NOT_INVOICED_STATUS_IDS, ORDER_STATUSES
from ..bigcommerce.mapping import (
    KIND_DISCOUNT,
    KIND_GIFT_CERTIFICATE,
    KIND_HANDLING,
    KIND_PRODUCT,
    KIND_SHIPPING,
    KIND_WRAPPING,
    MappingError,
    cents,
    order_to_invoice_plan,
)

# Invoice line kind -> backend field of its account.
CHARGE_ACCOUNTS = {
    KIND_SHIPPING: "shipping_account_id",
    KIND_HANDLING: "handling_account_id",
    KIND_WRAPPING: "wrapping_account_id",
    KIND_DISCOUNT: "discount_account_id",
    KIND_GIFT_CERTIFICATE: "gift_certificate_account_id",
}
# Fields whose change on a posted invoice's order is noted on its chatter.
TRACKED_CHANGES = (
    ("status_label", "Status"),
    ("payment_status", "Payment status"),
    ("total_ex_tax", "Untaxed"),
    ("total_tax", "Tax"),
    ("total_inc_tax", "Total"),
)


class BigCommerceOrder(models.Model):
    """A BigCommerce order and the invoice it became."""

    _name = "bigcommerce.order"
    _description = "BigCommerce Order"
    _order = "date_created desc, id desc"
    _check_company_auto = True

    backend_id = fields.Many2one(
        "bigcommerce.backend",
        string="Store",
        required=True,
        ondelete="restrict",
        index=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="Order ID", required=True, readonly=True)
    name = fields.Char(compute="_compute_name", store=True)
    status_id = fields.Integer(string="Status ID", readonly=True)
    status = fields.Selection(
        [(str(key), label) for key, label in ORDER_STATUSES.items()],
        compute="_compute_status",
        store=True,
    )
    status_label = fields.Char(
        string="Store Status", readonly=True, help="The status as the store names it."
    )
    payment_status = fields.Char(readonly=True)
    customer_bigcommerce_id = fields.Integer(
        string="Customer ID", readonly=True, help="0 for guest checkouts."
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date_created = fields.Datetime(string="Order Date", readonly=True)
    date_modified = fields.Datetime(string="Modified on BigCommerce", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    total_ex_tax = fields.Monetary(string="Untaxed", readonly=True)
    total_tax = fields.Monetary(string="Tax", readonly=True)
    total_inc_tax = fields.Monetary(string="Total", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, copy=False
    )
    move_state = fields.Selection(related="move_id.state", string="Invoice Status")
    last_import_at = fields.Datetime(readonly=True)

    _bigcommerce_uniq = models.Constraint(
        "unique(backend_id, bigcommerce_id)",
        "This BigCommerce order is already linked.",
    )

    @api.depends("bigcommerce_id")
    def _compute_name(self):
        for order in self:
            order.name = f"#{order.bigcommerce_id}"

    @api.depends("status_id")
    def _compute_status(self):
        for order in self:
            order.status = (
                str(order.status_id) if order.status_id in ORDER_STATUSES else False
            )

    def action_open_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    def action_reimport(self):
        for order in self:
            order.backend_id._delay_import_order(order.bigcommerce_id)
        return True

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------
    @api.model
    def _import_from_bigcommerce(self, backend, order, taxes):
        """Create or update the binding and invoice of one order.

        Runs inside the import job's savepoint: any exception leaves nothing
        behind.
        """
        plan = order_to_invoice_plan(order, taxes)
        currency = backend._currency(plan.currency)
        binding = self.search(
            [("backend_id", "=", backend.id), ("bigcommerce_id", "=", plan.order_id)]
        )
        move = binding.move_id or backend._find_bound(
            "account.move", "order", plan.order_id
        )
        cancel_draft = int(order.get("status_id") or 0) in NOT_INVOICED_STATUS_IDS
        if move and (move.state != "draft" or cancel_draft):
            # A posted (or cancelled) invoice is never rewritten, its customer
            # included; a draft one of an order cancelled or declined on the
            # store is cancelled.
            values = self._binding_values(order, plan, currency, move.partner_id)
            binding = binding or self.create(
                dict(values, backend_id=backend.id, move_id=move.id)
            )
            cancel = move.state == "draft"
            binding._note_changes_on_invoice(
                values, "the draft invoice was cancelled." if cancel else None
            )
            binding.write(values)
            if cancel:
                move.button_cancel()
            return binding
        partner = backend._partner_for_order(order)
        values = self._binding_values(order, plan, currency, partner)
        tax_by_rate = backend._sale_tax_by_rate(
            {rate for line in plan.lines for rate in line.tax_rates}
        )
        line_commands = self._invoice_line_commands(backend, plan, tax_by_rate)
        if move:
            move.write(
                {
                    "partner_id": partner.id,
                    "currency_id": currency.id,
                    "invoice_date": plan.date.date() if plan.date else False,
                    "invoice_line_ids": [Command.clear(), *line_commands],
                }
            )
        else:
            move = self.env["account.move"].create(
                self._invoice_values(backend, plan, partner, currency, line_commands)
            )
            backend._bind(move, "order", plan.order_id)
        self._set_bigcommerce_taxes(move, plan, tax_by_rate)
        self._check_totals(move, plan)
        values["move_id"] = move.id
        if binding:
            binding.write(values)
        else:
            binding = self.create(dict(values, backend_id=backend.id))
        if backend.invoice_policy == "post" and move.state == "draft":
            move.action_post()
        return binding

    @api.model
    def _binding_values(self, order, plan, currency, partner):
        return {
            "bigcommerce_id": plan.order_id,
            "status_id": int(order.get("status_id") or 0),
            "status_label": order.get("custom_status") or order.get("status"),
            "payment_status": order.get("payment_status") or False,
            "customer_bigcommerce_id": plan.customer_id,
            "partner_id": partner.id,
            "date_created": plan.date,
            "date_modified": parse_datetime(order.get("date_modified")),
            "currency_id": currency.id,
            "total_ex_tax": float(plan.untaxed),
            "total_tax": float(plan.tax),
            "total_inc_tax": float(plan.total),
            "last_import_at": fields.Datetime.now(),
        }

    @api.model
    def _invoice_values(self, backend, plan, partner, currency, line_commands):
        invoice_date = (
            plan.date.date() if plan.date else fields.Date.context_today(self)
        )
        return {
            "move_type": "out_invoice",
            "company_id": backend.company_id.id,
            "journal_id": backend._sale_journal().id,
            "partner_id": partner.id,
            "currency_id": currency.id,
            "invoice_date": invoice_date,
            # Store orders are paid at checkout: due on the order date, unless
            # the customer's payment terms say otherwise.
            "invoice_date_due": invoice_date,
            "ref": str(plan.order_id),
            "invoice_origin": f"BigCommerce order #{plan.order_id}",
            "invoice_line_ids": line_commands,
        }

    @api.model
    def _invoice_line_commands(self, backend, plan, tax_by_rate):
        commands = []
        products = {}
        for line in plan.lines:
            taxes = self.env["account.tax"].union(
                *(tax_by_rate[rate] for rate in line.tax_rates)
            )
            values = {
                "name": line.name,
                "quantity": float(line.quantity),
                "price_unit": float(line.price_unit),
                "tax_ids": [Command.set(taxes.ids)],
            }
            if line.kind == KIND_PRODUCT:
                if line.sku not in products:
                    products[line.sku] = backend._product_by_sku(line.sku, line.name)
                product = products[line.sku]
                values["product_id"] = product.id
                values["product_uom_id"] = product.uom_id.id
                values["account_id"] = backend._revenue_account(product).id
            else:
                values["account_id"] = backend._account(CHARGE_ACCOUNTS[line.kind]).id
            if backend.analytic_distribution:
                values["analytic_distribution"] = backend.analytic_distribution
            commands.append(Command.create(values))
        return commands

    @api.model
    def _set_bigcommerce_taxes(self, move, plan, tax_by_rate):
        """Make each tax group carry exactly BigCommerce's tax amount.

        Odoo computes tax from the lines; BigCommerce (or its tax provider)
        rounds per line after discounts. The difference is rounding, never
        more than a cent per taxed line: a larger one means the taxes do not
        match and the order is refused rather than booked wrong.
        """
        target_by_group = {}
        for rate, amount in plan.tax_by_rate.items():
            group = tax_by_rate[rate].tax_group_id.id
            target_by_group[group] = target_by_group.get(group, Decimal(0)) + amount
        totals = move.tax_totals
        if not totals:
            return
        changed = False
        taxed_lines = sum(1 for line in plan.lines if line.tax_rates)
        tolerance = Decimal("0.01") * max(1, taxed_lines)
        for subtotal in totals.get("subtotals", []):
            for group in subtotal.get("tax_groups", []):
                current = cents(group["tax_amount_currency"])
                target = target_by_group.get(group["id"], Decimal(0))
                if current == target:
                    continue
                if abs(current - target) > tolerance:
                    raise MappingError(
                        f"Order {plan.order_id}: Odoo computes {current} of "
                        f"{group.get('group_name')}, BigCommerce charged {target}; "
                        f"the difference {current - target} is more than rounding. "
                        "Check the taxes of the lines."
                    )
                group["tax_amount_currency"] = float(target)
                changed = True
        if changed:
            move.tax_totals = totals

    @api.model
    def _check_totals(self, move, plan):
        got = (
            cents(move.amount_untaxed),
            cents(move.amount_tax),
            cents(move.amount_total),
        )
        want = (plan.untaxed, plan.tax, plan.total)
        if got != want:
            raise MappingError(
                f"Order {plan.order_id}: the invoice would show untaxed/tax/total "
                f"{got[0]}/{got[1]}/{got[2]} but BigCommerce says "
                f"{want[0]}/{want[1]}/{want[2]} (differences "
                f"{got[0] - want[0]}/{got[1] - want[1]}/{got[2] - want[2]}). "
                "It was not posted."
            )

    def _unchanged_invoice_note(self):
        states = dict(self.move_id._fields["state"]._description_selection(self.env))
        return f"the {states[self.move_id.state].lower()} invoice was not modified."

    def _note_changes_on_invoice(self, values, outcome=None):
        """Say on the invoice's chatter what changed on BigCommerce.

        A posted invoice is not rewritten; ``outcome`` says what was done
        instead (default: nothing).
        """
        self.ensure_one()
        changes = []
        for fname, label in TRACKED_CHANGES:
            old, new = self[fname], values.get(fname)
            if isinstance(old, float):
                changed = self.currency_id.compare_amounts(old, new or 0.0) != 0
            else:
                changed = (old or False) != (new or False)
            if changed:
                changes.append(Markup("<li>%s: %s &#8594; %s</li>") % (label, old, new))
        if changes:
            self.move_id.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    escape(
                        f"BigCommerce order #{self.bigcommerce_id} changed: "
                        + (outcome or self._unchanged_invoice_note())
                    ),
                    Markup("").join(changes),
                )
            )
