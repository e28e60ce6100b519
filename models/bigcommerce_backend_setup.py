# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's set-up checks: what is left to set, each with a button that
opens the place to set it, as Odoo's onboarding panels do.

The checks are computed when asked (*Check Set-up*, and each *Test
connection*) and kept as lines of the store, so that their buttons work on
records. Each says what it found, in plain words, and what to do.
"""

from odoo import api, fields, models

from ..components import actions

#: The store's accounts a check names when unset: field, and whether an
#: order needs it whatever it carries (the others only when it carries the
#: charge).
CHECKED_ACCOUNTS = (
    ("journal_id", True),
    ("shipping_account_id", True),
    ("discount_account_id", True),
    ("handling_account_id", False),
    ("wrapping_account_id", False),
    ("fee_account_id", False),
)


class BigCommerceSetupCheck(models.Model):
    """One set-up check of one store, as last computed."""

    _name = "bigcommerce.setup.check"
    _description = "BigCommerce Set-up Check"
    _order = "backend_id, sequence, id"

    # === FIELDS === #
    backend_id = fields.Many2one(
        "bigcommerce.backend", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    code = fields.Selection(
        [
            ("taxes", "Taxes"),
            ("gateways", "Payment journals"),
            ("accounts", "Accounts"),
            ("webhooks", "Webhooks"),
            ("encryption_key", "Encryption key"),
        ],
        required=True,
    )
    state = fields.Selection(
        [("ok", "Done"), ("todo", "To Do")], required=True, default="todo"
    )
    message = fields.Char(required=True)
    record_ids = fields.Json(
        help="The records the check found (taxes), for its button."
    )
    fix_label = fields.Char(string="Fix")

    # === ACTION METHODS === #
    def action_fix(self):
        """Open the place that fixes the check."""
        self.ensure_one()
        backend = self.backend_id
        backend.check_access("write")
        if self.code == "taxes":
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "account.action_tax_form"
            )
            action["domain"] = [("id", "in", self.record_ids or [])]
            return action
        if self.code == "webhooks":
            return backend.action_register_webhooks()
        return actions.open_form(backend)


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    # === FIELDS === #
    setup_check_ids = fields.One2many(
        "bigcommerce.setup.check", "backend_id", string="Set-up Checks"
    )
    setup_todo_count = fields.Integer(
        compute="_compute_setup_todo_count", string="Set-up Steps Left"
    )

    # === COMPUTE METHODS === #
    @api.depends("setup_check_ids.state")
    def _compute_setup_todo_count(self):
        """How many set-up checks are still to do."""
        for backend in self:
            backend.setup_todo_count = len(
                backend.setup_check_ids.filtered(lambda check: check.state == "todo")
            )

    # === ACTION METHODS === #
    def action_check_setup(self):
        """Compute the store's set-up checks again, and say how many are left."""
        self.ensure_one()
        self.check_access("write")
        self._refresh_setup_checks()
        left = self.setup_todo_count
        return actions.notification(
            self.env._("Set-up checked"),
            self.env._("%(count)s set-up step(s) left: see the Set-up tab.", count=left)
            if left
            else self.env._("The store's set-up is complete."),
            "warning" if left else "success",
            next_action={"type": "ir.actions.client", "tag": "soft_reload"},
        )

    def action_test_connection(self):
        """Test the connection, then check the set-up."""
        result = super().action_test_connection()
        self._refresh_setup_checks()
        return result

    # === BUSINESS METHODS === #
    def _refresh_setup_checks(self):
        """Compute each set-up check of the stores again (their lines)."""
        Check = self.env["bigcommerce.setup.check"].sudo()
        for backend in self:
            backend.sudo().setup_check_ids.unlink()
            Check.create(
                [
                    dict(values, backend_id=backend.id, sequence=index)
                    for index, values in enumerate(backend._setup_checks())
                ]
            )

    def _setup_checks(self):
        """The values of each set-up check of the store, in order."""
        self.ensure_one()
        return [
            self._setup_check_taxes(),
            self._setup_check_gateways(),
            self._setup_check_accounts(),
            self._setup_check_webhooks(),
            self._setup_check_encryption_key(),
        ]

    def _setup_check_taxes(self):
        """Sales taxes that book their tax without an account or a grid: the
        tax lands in revenue, or outside the tax report."""
        taxes = self.env["account.tax"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "!=", 0),
            ]
        )

        def books_its_tax(tax):
            lines = tax.repartition_line_ids.filtered(
                lambda line: line.repartition_type == "tax"
            )
            return bool(lines) and all(
                line.account_id and line.tag_ids for line in lines
            )

        lacking = taxes.filtered(lambda tax: not books_its_tax(tax))
        if not lacking:
            return {
                "code": "taxes",
                "state": "ok",
                "message": self.env._(
                    "Every sales tax books its tax on a tax account, with its tax grid."
                ),
            }
        return {
            "code": "taxes",
            "state": "todo",
            "record_ids": lacking.ids,
            "fix_label": self.env._("Open the taxes"),
            "message": self.env._(
                "%(count)s sales tax(es) book their tax without a tax account or "
                "a tax grid (%(names)s): the tax would land in revenue, or outside "
                "the tax report. Set both on each tax's distribution.",
                count=len(lacking),
                names=", ".join(lacking.mapped("name")[:5]),
            ),
        }

    def _setup_check_gateways(self):
        """Payment methods of the store's orders that the payment journal
        list does not name: their money lands in the default journal."""
        mapping = self.env["bigcommerce.payment.journal"]
        named = {
            mapping._normalize(line.payment_method)
            for line in self.payment_journal_map_ids
        }
        # One row per method, not every order of the store's history.
        seen = [
            method
            for (method,) in self.env["bigcommerce.order"]._read_group(
                [
                    ("backend_id", "=", self.id),
                    ("payment_method", "not in", (False, "")),
                ],
                ["payment_method"],
            )
        ]
        missing = sorted(
            {method for method in seen if mapping._normalize(method) not in named}
        )
        if not missing:
            return {
                "code": "gateways",
                "state": "ok",
                "message": self.env._(
                    "Each payment method of the store's orders has its clearing "
                    "journal."
                ),
            }
        return {
            "code": "gateways",
            "state": "todo",
            "fix_label": self.env._("Open the store"),
            "message": self.env._(
                "Payments by %(methods)s go to the default payment journal: give "
                "each its clearing journal on the Payments tab, so that each "
                "payout empties a journal of its own.",
                methods=", ".join(missing),
            ),
        }

    def _setup_check_accounts(self):
        """The store's journal and accounts left unset."""
        unset = [
            (self._fields[fname].get_description(self.env)["string"], needed)
            for fname, needed in CHECKED_ACCOUNTS
            if not self[fname]
        ]
        needed = [label for label, is_needed in unset if is_needed]
        optional = [label for label, is_needed in unset if not is_needed]
        if not needed:
            return {
                "code": "accounts",
                "state": "ok",
                "message": self.env._(
                    "The sales journal and the accounts every order needs are set."
                )
                + (
                    " "
                    + self.env._(
                        "Not set, needed only by orders that carry them: %(names)s.",
                        names=", ".join(optional),
                    )
                    if optional
                    else ""
                ),
            }
        return {
            "code": "accounts",
            "state": "todo",
            "fix_label": self.env._("Open the store"),
            "message": self.env._(
                "Not set: %(names)s. Orders fail until they are (Accounting tab).",
                names=", ".join(needed + optional),
            ),
        }

    def _setup_check_webhooks(self):
        """Hooks not registered on BigCommerce, or deactivated by it."""
        ours = self.webhook_subscription_ids.filtered("is_ours")
        inactive = ours.filtered(lambda hook: not hook.is_active)
        if ours and not inactive:
            return {
                "code": "webhooks",
                "state": "ok",
                "message": self.env._(
                    "%(count)s webhooks are registered and active.", count=len(ours)
                ),
            }
        return {
            "code": "webhooks",
            "state": "todo",
            "fix_label": self.env._("Register webhooks"),
            "message": self.env._(
                "%(count)s of the store's webhooks are inactive on BigCommerce: "
                "register them again.",
                count=len(inactive),
            )
            if ours
            else self.env._(
                "No webhook is registered: orders arrive only with the catch-up. "
                "Register the webhooks."
            ),
        }

    def _setup_check_encryption_key(self):
        """The secrets' key kept in the database, beside the secrets."""
        if not self.encryption_key_in_database:
            return {
                "code": "encryption_key",
                "state": "ok",
                "message": self.env._(
                    "The secrets' key is in the server's configuration file."
                ),
            }
        return {
            "code": "encryption_key",
            "state": "todo",
            "message": self.env._(
                "The key of the store's secrets is kept in the database, beside "
                "them: set encryption_key in the [bigcommerce_connector] section "
                "of the server's configuration file (see Installation in the "
                "README), then enter the access token and client secret again."
            ),
        }
