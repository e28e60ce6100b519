# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

from ..components.payment_registrar import RATE_CONTEXT_KEY


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payment_vals_from_wizard(self, batch_result):
        """The payment's values; with a rate in the context
        (:data:`RATE_CONTEXT_KEY`), its company-currency amount at that rate:
        the residual of what it settles in full, else its amount at the rate,
        so that no exchange difference arises."""
        vals = super()._create_payment_vals_from_wizard(batch_result)
        rate = self.env.context.get(RATE_CONTEXT_KEY)
        if not rate or self.currency_id == self.company_currency_id:
            return vals
        lines = batch_result["lines"]
        residual = sum(lines.mapped("amount_residual_currency"))
        if self.currency_id.compare_amounts(abs(residual), self.amount) == 0:
            vals["force_balance"] = abs(sum(lines.mapped("amount_residual")))
        else:
            vals["force_balance"] = self.company_currency_id.round(self.amount / rate)
        return vals
