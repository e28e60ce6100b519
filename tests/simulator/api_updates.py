# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The simulator's API endpoints that change the store, as its merchant does
in the control panel (the rest of the API reads it: ``api.py``)."""


class UpdateEndpoints:
    """Endpoint handlers mixed into :class:`~.api.Api` (``self.state``,
    ``self._json_body``)."""

    def update_order(self, request, order_id):
        """``PUT /v2/orders/{id}``: of an order's fields, only its status
        changes here."""
        from .api import BadRequest, json_response  # noqa: PLC0415 (api imports this)

        self.state.order_record(order_id)
        body = self._json_body(request)
        if set(body) != {"status_id"}:
            raise BadRequest("Only status_id can be updated here.", status=400)
        try:
            return json_response(
                self.state.set_order_status(order_id, int(body["status_id"]))
            )
        except (TypeError, ValueError) as exc:
            raise BadRequest(str(exc), status=400) from exc
