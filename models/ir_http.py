# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io

from werkzeug.exceptions import abort

from odoo import models
from odoo.http import request

from ..bigcommerce.webhook import MAX_BODY_BYTES, read_body
from .bigcommerce_backend import WEBHOOK_ROUTE


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        """Before Odoo parses a webhook request's form parameters, which
        reads a form-encoded body whole (chunked, it has no length to refuse
        it by): read at most the size limit, refuse a larger body unread,
        and leave Odoo only the bytes that were read."""
        super()._pre_dispatch(rule, args)
        if not rule.rule.startswith(f"{WEBHOOK_ROUTE}/"):
            return
        httprequest = request.httprequest
        body = read_body(httprequest)
        if body is None:
            abort(
                request.make_json_response({"status": "payload too large"}, status=413)
            )
        wrapped = getattr(httprequest, "_HTTPRequest__wrapped", httprequest)
        # werkzeug caches the stream it parses the form from.
        wrapped.__dict__["stream"] = io.BytesIO(body)
        httprequest.max_content_length = MAX_BODY_BYTES
