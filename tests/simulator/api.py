# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The REST endpoints: routing, query parsing and response shapes.

``Api`` is a WSGI application. It answers for one store at
``/stores/{store_hash}/v2|v3/...`` after the gate in :mod:`.server` has dealt
with authentication, rate limiting and injected faults.
"""

import base64
import json
import math
from urllib.parse import quote

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from . import views
from .api_updates import UpdateEndpoints
from .dates import parse_date
from .money import dec
from .state import HookError
from .statuses import ORDER_STATUSES, status_object

MAX_LIMIT = 250
DEFAULT_LIMIT = 50
STATUS_CODES_URL = (
    "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
)
ORDER_SORT_KEYS = (
    "id",
    "customer_id",
    "date_created",
    "date_modified",
    "status_id",
    "channel_id",
    "external_id",
)


class BadRequest(Exception):
    """A query the API refuses: 400 (v2) / 422 (v3) unless ``status`` says so."""

    def __init__(self, message: str, status: int | None = None, field: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


# --------------------------------------------------------------------------
# responses


def json_response(data, status=200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def no_content() -> Response:
    return Response(b"", status=204)


def v2_error(status: int, message: str) -> Response:
    """``[{"status": 404, "message": "..."}]``."""
    return json_response([{"status": status, "message": message}], status)


def v3_error(status: int, title: str, errors: dict | None = None) -> Response:
    """``{status, title, type, errors}``."""
    body = {"status": status, "title": title, "type": STATUS_CODES_URL}
    if errors is not None:
        body["errors"] = errors
    return json_response(body, status)


def error_response(version: str, status: int, message: str, errors=None) -> Response:
    if version == "v2":
        return v2_error(status, message)
    return v3_error(status, message, errors)


# --------------------------------------------------------------------------
# query parsing


def int_arg(args, name: str, default=None, minimum=None):
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(float(value))
    except ValueError as exc:
        raise BadRequest(f"{name} must be a number", field=name) from exc
    if minimum is not None and number < minimum:
        raise BadRequest(f"{name} must be at least {minimum}", field=name)
    return number


def list_arg(args, name: str) -> list:
    value = args.get(name)
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def int_list_arg(args, name: str) -> list:
    try:
        return [int(v) for v in list_arg(args, name)]
    except ValueError as exc:
        raise BadRequest(f"{name} must list integers", field=name) from exc


def date_arg(args, name: str):
    value = args.get(name)
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise BadRequest(f"{name}: {exc}", field=name) from exc


def paging(args) -> tuple:
    """``(page, limit)``; a limit above 250 is 413, as on the real API."""
    page = int_arg(args, "page", 1, minimum=1)
    limit = int_arg(args, "limit", DEFAULT_LIMIT, minimum=1)
    if limit > MAX_LIMIT:
        raise BadRequest(f"limit may not exceed {MAX_LIMIT}", status=413)
    return page, limit


def page_of(items: list, page: int, limit: int) -> list:
    return items[(page - 1) * limit : page * limit]


def v2_page(items: list, args) -> Response:
    """A v2 collection page: a plain array, or 204 when it is empty."""
    page, limit = paging(args)
    chunk = page_of(items, page, limit)
    return json_response(chunk) if chunk else no_content()


def pagination(total: int, page: int, limit: int, count: int) -> dict:
    """v3 ``meta.pagination``."""
    total_pages = math.ceil(total / limit) if total else 0
    links = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < total_pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    return {
        "total": total,
        "count": count,
        "per_page": limit,
        "current_page": page,
        "total_pages": total_pages,
        "links": links,
    }


def v3_page(items: list, args, render) -> Response:
    page, limit = paging(args)
    chunk = page_of(items, page, limit)
    return json_response(
        {
            "data": [render(item) for item in chunk],
            "meta": {"pagination": pagination(len(items), page, limit, len(chunk))},
        }
    )


def encode_cursor(item_id: int) -> str:
    return base64.b64encode(f"id:{item_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        kind, _sep, value = text.partition(":")
        if kind != "id":
            raise ValueError(text)
        return int(value)
    except ValueError as exc:
        raise BadRequest("invalid cursor", field="after/before") from exc


# --------------------------------------------------------------------------
# filters


def _between(value, low, high) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def order_filter(args, every_status=False):
    """A predicate over order records for the ``GET /orders`` filters.

    Like the real list, it leaves out incomplete orders (status 0) unless
    ``status_id=0`` asks for them; the count endpoint (``every_status``)
    counts them.
    """
    status_id = int_arg(args, "status_id")
    wanted = {
        "customer_id": int_arg(args, "customer_id"),
        "channel_id": int_arg(args, "channel_id"),
        "cart_id": args.get("cart_id"),
        "payment_method": args.get("payment_method"),
        "external_order_id": args.get("external_order_id"),
    }
    ids = (int_arg(args, "min_id"), int_arg(args, "max_id"))
    totals = tuple(
        dec(args[key]) if args.get(key) else None for key in ("min_total", "max_total")
    )
    created = (date_arg(args, "min_date_created"), date_arg(args, "max_date_created"))
    modified = (
        date_arg(args, "min_date_modified"),
        date_arg(args, "max_date_modified"),
    )
    email = (args.get("email") or "").lower()

    def keep(record) -> bool:
        data = record.data
        if data["is_deleted"]:
            return False
        if status_id is None and data["status_id"] == 0 and not every_status:
            return False
        if status_id is not None and data["status_id"] != status_id:
            return False
        if any(v is not None and data[k] != v for k, v in wanted.items()):
            return False
        if email and data["billing_address"]["email"].lower() != email:
            return False
        return (
            _between(data["id"], *ids)
            and _between(dec(data["total_inc_tax"]), *totals)
            and _between(data["date_created"], *created)
            and _between(data["date_modified"], *modified)
        )

    return keep


def order_sort(args):
    """``(key function, reverse)`` for ``sort=field[:asc|:desc]``."""
    field, _sep, direction = (args.get("sort") or "id").partition(":")
    if field not in ORDER_SORT_KEYS or direction not in ("", "asc", "desc"):
        raise BadRequest(f"cannot sort by {args.get('sort')!r}", field="sort")

    def key(record):
        value = record.data.get(field)
        return (value is None, value if value is not None else "", record.id)

    return key, direction == "desc"


def customer_filter(args):
    ids = set(int_list_arg(args, "id:in"))
    emails = {e.lower() for e in list_arg(args, "email:in")}
    companies = {c.lower() for c in list_arg(args, "company:in")}
    groups = set(int_list_arg(args, "customer_group_id:in"))
    names = {n.lower() for n in list_arg(args, "name:in")}
    likes = [n.lower() for n in list_arg(args, "name:like")]
    created = (date_arg(args, "date_created:min"), date_arg(args, "date_created:max"))
    modified = (
        date_arg(args, "date_modified:min"),
        date_arg(args, "date_modified:max"),
    )
    exact_created = date_arg(args, "date_created")
    exact_modified = date_arg(args, "date_modified")

    def keep(customer) -> bool:
        full_name = f"{customer['first_name']} {customer['last_name']}".lower()
        checks = (
            not ids or customer["id"] in ids,
            not emails or customer["email"].lower() in emails,
            not companies or customer["company"].lower() in companies,
            not groups or customer["customer_group_id"] in groups,
            not names or full_name in names,
            not likes or any(like in full_name for like in likes),
            _between(customer["date_created"], *created),
            _between(customer["date_modified"], *modified),
            exact_created is None or customer["date_created"] == exact_created,
            exact_modified is None or customer["date_modified"] == exact_modified,
        )
        return all(checks)

    return keep


# --------------------------------------------------------------------------
# the application


def _rules() -> list:
    v2, v3, order = "/v2", "/v3", "/v2/orders/<int:order_id>"
    return [
        Rule(f"{v2}/store", endpoint="store"),
        Rule(f"{v2}/time", endpoint="time"),
        Rule(f"{v2}/orders", endpoint="orders"),
        Rule(f"{v2}/orders/count", endpoint="orders_count"),
        Rule(order, endpoint="order", methods=["GET"]),
        Rule(order, endpoint="update_order", methods=["PUT"]),
        Rule(f"{order}/products", endpoint="order_products"),
        Rule(f"{order}/products/<int:line_id>", endpoint="order_product"),
        Rule(f"{order}/shipping_addresses", endpoint="order_addresses"),
        Rule(f"{order}/shipping_addresses/<int:address_id>", endpoint="order_address"),
        Rule(f"{order}/coupons", endpoint="order_coupons"),
        Rule(f"{order}/taxes", endpoint="order_taxes"),
        Rule(f"{order}/fees", endpoint="order_fees"),
        Rule(f"{order}/consignments", endpoint="order_consignments"),
        Rule(f"{order}/shipments", endpoint="order_shipments"),
        Rule(f"{order}/shipments/count", endpoint="order_shipments_count"),
        Rule(f"{order}/shipments/<int:shipment_id>", endpoint="order_shipment"),
        Rule(f"{v2}/order_statuses", endpoint="order_statuses"),
        Rule(f"{v2}/order_statuses/<int:status_id>", endpoint="order_status"),
        Rule(
            f"{v3}/orders/<int:order_id>/payment_actions/refunds",
            endpoint="order_refunds",
        ),
        Rule(f"{v3}/orders/payment_actions/refunds", endpoint="refunds"),
        Rule(f"{v3}/orders/<int:order_id>/transactions", endpoint="transactions"),
        Rule(f"{v3}/orders/payment_actions/refunds/<int:refund_id>", endpoint="refund"),
        Rule(f"{v3}/customers", endpoint="customers"),
        Rule(f"{v3}/customers/addresses", endpoint="customer_addresses"),
        Rule(f"{v3}/hooks", endpoint="hooks", methods=["GET"]),
        Rule(f"{v3}/hooks", endpoint="create_hook", methods=["POST"]),
        Rule(f"{v3}/hooks/<int:hook_id>", endpoint="hook", methods=["GET"]),
        Rule(f"{v3}/hooks/<int:hook_id>", endpoint="update_hook", methods=["PUT"]),
        Rule(f"{v3}/hooks/<int:hook_id>", endpoint="delete_hook", methods=["DELETE"]),
    ]


class Api(UpdateEndpoints):
    """Dispatch ``(request, version, subpath)`` to the endpoint handlers."""

    def __init__(self, state):
        self.state = state
        self.url_map = Map(_rules(), strict_slashes=False)

    def handle(self, request, version: str, subpath: str) -> Response:
        adapter = self.url_map.bind("localhost", path_info=subpath)
        try:
            endpoint, kwargs = adapter.match(method=request.method)
        except MethodNotAllowed:
            return error_response(version, 405, "The method is not allowed.")
        except (NotFound, HTTPException):
            return error_response(version, 404, "The requested resource was not found.")
        handler = getattr(self, f"get_{endpoint}", None) or getattr(self, endpoint)
        try:
            with self.state.lock:
                return handler(request, **kwargs)
        except BadRequest as exc:
            status = exc.status or (400 if version == "v2" else 422)
            errors = {exc.field: exc.message} if exc.field else None
            return error_response(version, status, exc.message, errors)
        except KeyError:
            return error_response(version, 404, "The requested resource was not found.")

    # -- v2: store -----------------------------------------------------

    def get_store(self, request):
        return json_response(self.state.store_information())

    def get_time(self, request):
        return json_response({"time": int(self.state.now().timestamp())})

    # -- v2: orders ----------------------------------------------------

    def _filtered_orders(self, args) -> list:
        keep = order_filter(args)
        return [o for o in self.state.orders.values() if keep(o)]

    def get_orders(self, request):
        args = request.args
        key, reverse = order_sort(args)
        orders = sorted(self._filtered_orders(args), key=key, reverse=reverse)
        page, limit = paging(args)
        chunk = page_of(orders, page, limit)
        if not chunk:
            return no_content()
        options = self._order_options(args)
        return json_response(
            [views.order(o, self.state.v2_base, **options) for o in chunk]
        )

    @staticmethod
    def _order_options(args) -> dict:
        return {
            "include": list_arg(args, "include"),
            "consignment_structure": args.get("consignment_structure"),
        }

    def get_orders_count(self, request):
        keep = order_filter(request.args, every_status=True)
        orders = [o for o in self.state.orders.values() if keep(o)]
        statuses = []
        for sid, _name, _desc, sort_order in ORDER_STATUSES:
            status = status_object(sid)
            status.pop("order")
            status["count"] = sum(1 for o in orders if o.data["status_id"] == sid)
            status["sort_order"] = sort_order
            statuses.append(status)
        return json_response({"statuses": statuses, "count": len(orders)})

    def get_order(self, request, order_id):
        return json_response(
            self.state.render_order(order_id, **self._order_options(request.args))
        )

    def get_order_products(self, request, order_id):
        record = self.state.order_record(order_id)
        return v2_page([views.product(p) for p in record.products], request.args)

    def get_order_product(self, request, order_id, line_id):
        record = self.state.order_record(order_id)
        for product in record.products:
            if product["id"] == line_id:
                return json_response(views.product(product))
        raise KeyError(line_id)

    def get_order_addresses(self, request, order_id):
        record = self.state.order_record(order_id)
        return v2_page(
            [
                views.shipping_address(record, a, self.state.v2_base)
                for a in record.shipping_addresses
            ],
            request.args,
        )

    def get_order_address(self, request, order_id, address_id):
        record = self.state.order_record(order_id)
        for address in record.shipping_addresses:
            if address["id"] == address_id:
                return json_response(
                    views.shipping_address(record, address, self.state.v2_base)
                )
        raise KeyError(address_id)

    def get_order_coupons(self, request, order_id):
        record = self.state.order_record(order_id)
        return v2_page([dict(c) for c in record.coupons], request.args)

    def get_order_taxes(self, request, order_id):
        record = self.state.order_record(order_id)
        details = request.args.get("details", "false").lower() == "true"
        return v2_page([views.tax(t, details) for t in record.taxes], request.args)

    def get_order_fees(self, request, order_id):
        # The spec's example: the fees in an object under ``fees``.
        return json_response({"fees": self.state.order_fees(order_id)})

    def get_order_consignments(self, request, order_id):
        record = self.state.order_record(order_id)
        line_items = "consignments.line_items" in list_arg(request.args, "include")
        return json_response(
            views.consignments(record, self.state.v2_base, line_items=line_items)
        )

    def get_order_shipments(self, request, order_id):
        record = self.state.order_record(order_id)
        return v2_page([views.shipment(s) for s in record.shipments], request.args)

    def get_order_shipments_count(self, request, order_id):
        return json_response(
            {"count": len(self.state.order_record(order_id).shipments)}
        )

    def get_order_shipment(self, request, order_id, shipment_id):
        for shipment in self.state.order_record(order_id).shipments:
            if shipment["id"] == shipment_id:
                return json_response(views.shipment(shipment))
        raise KeyError(shipment_id)

    def get_order_statuses(self, request):
        return json_response([status_object(s[0]) for s in ORDER_STATUSES])

    def get_order_status(self, request, status_id):
        return json_response(status_object(status_id))

    # -- v3: refunds ---------------------------------------------------

    def get_order_refunds(self, request, order_id):
        self.state.order_record(order_id)
        refunds = sorted(
            (r for r in self.state.refunds.values() if r["order_id"] == order_id),
            key=lambda r: r["id"],
        )
        if request.args.get("transaction_id"):
            refunds = []  # simulated payments carry no transaction ids
        return json_response({"data": [views.refund(r) for r in refunds], "meta": {}})

    def get_refunds(self, request):
        args = request.args
        order_ids = set(int_list_arg(args, "order_id:in"))
        refund_ids = set(int_list_arg(args, "id:in"))
        created = (date_arg(args, "created:min"), date_arg(args, "created:max"))
        refunds = sorted(
            (
                r
                for r in self.state.refunds.values()
                if (not order_ids or r["order_id"] in order_ids)
                and (not refund_ids or r["id"] in refund_ids)
                and _between(r["created"], *created)
                and not args.get("transaction_id")
            ),
            key=lambda r: r["id"],
        )
        return v3_page(refunds, args, views.refund)

    def get_refund(self, request, refund_id):
        refund = self.state.refunds[refund_id]
        return json_response({"data": views.refund(refund, single=True), "meta": {}})

    # -- v3: transactions ----------------------------------------------

    def get_transactions(self, request, order_id):
        """An order's transactions: all of them in one page (the endpoint
        takes no paging); 204 before any payment."""
        record = self.state.order_record(order_id)
        rows = record.transactions or []
        if not rows:
            return Response(status=204)
        data = [views.transaction(record, i, row) for i, row in enumerate(rows)]
        meta = {
            "pagination": {
                "total": len(data),
                "count": len(data),
                "per_page": len(data),
                "current_page": 1,
                "total_pages": 1,
                "links": {"current": "?page=1"},
            }
        }
        return json_response({"data": data, "meta": meta})

    # -- v3: customers -------------------------------------------------

    def get_customers(self, request):
        args = request.args
        keep = customer_filter(args)
        include = set(list_arg(args, "include"))
        customers = [c for c in self.state.customers.values() if keep(c)]

        def render(customer):
            data = views.customer(customer, include)
            if "attributes" in include:
                data["attributes"] = []
            if "formfields" in include:
                data["form_fields"] = []
            return data

        if args.get("after") or args.get("before"):
            return self._customer_cursor_page(customers, args, render)
        return self._customer_page(customers, args, render)

    @staticmethod
    def _customer_sort(customers: list, args) -> list:
        field, _sep, direction = (args.get("sort") or "id:asc").partition(":")
        if field not in ("id", "date_created", "date_modified", "last_name"):
            raise BadRequest(f"cannot sort by {field!r}", field="sort")
        return sorted(
            customers,
            key=lambda c: (c[field], c["id"]),
            reverse=direction == "desc",
        )

    def _customer_page(self, customers, args, render):
        page, limit = paging(args)
        ordered = self._customer_sort(customers, args)
        chunk = page_of(ordered, page, limit)
        meta = {"pagination": pagination(len(ordered), page, limit, len(chunk))}
        if page == 1:
            meta["cursor_pagination"] = cursor_meta(ordered, chunk, limit, None)
        return json_response({"data": [render(c) for c in chunk], "meta": meta})

    def _customer_cursor_page(self, customers, args, render):
        _page, limit = paging(args)
        ordered = sorted(customers, key=lambda c: c["id"])
        if args.get("after") and args.get("before"):
            raise BadRequest("use either after or before", field="after")
        if args.get("after"):
            after = decode_cursor(args["after"])
            chunk = [c for c in ordered if c["id"] > after][:limit]
            current = f"?limit={limit}&after={quote(args['after'])}"
        else:
            before = decode_cursor(args["before"])
            chunk = [c for c in ordered if c["id"] < before][-limit:]
            current = f"?limit={limit}&before={quote(args['before'])}"
        meta = {"cursor_pagination": cursor_meta(ordered, chunk, limit, current)}
        return json_response({"data": [render(c) for c in chunk], "meta": meta})

    def get_customer_addresses(self, request):
        args = request.args
        customer_ids = set(int_list_arg(args, "customer_id:in"))
        address_ids = set(int_list_arg(args, "id:in"))
        companies = {c.lower() for c in list_arg(args, "company:in")}
        names = {n.lower() for n in list_arg(args, "name:in")}
        addresses = [
            a
            for c in sorted(self.state.customers.values(), key=lambda c: c["id"])
            for a in c["addresses"]
            if (not customer_ids or a["customer_id"] in customer_ids)
            and (not address_ids or a["id"] in address_ids)
            and (not companies or a["company"].lower() in companies)
            and (not names or f"{a['first_name']} {a['last_name']}".lower() in names)
        ]
        return v3_page(addresses, args, views.customer_address)

    # -- v3: webhooks --------------------------------------------------

    def get_hooks(self, request):
        args = request.args
        active = args.get("is_active")
        hooks = [
            h
            for h in sorted(self.state.hooks.values(), key=lambda h: h["id"])
            if (active is None or h["is_active"] == (active.lower() == "true"))
            and (not args.get("scope") or h["scope"] == args["scope"])
            and (not args.get("destination") or h["destination"] == args["destination"])
        ]
        return v3_page(hooks, args, views.hook)

    @staticmethod
    def _json_body(request) -> dict:
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError as exc:
            raise BadRequest("The request body is not valid JSON.", status=400) from exc
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.", status=400)
        return body

    def create_hook(self, request):
        body = self._json_body(request)
        try:
            hook = self.state.create_hook(
                body.get("scope"),
                body.get("destination"),
                body.get("is_active", True),
                body.get("headers"),
            )
        except HookError as exc:
            return v3_error(
                422, "JSON data is missing or invalid", {exc.field: exc.message}
            )
        return json_response({"data": views.hook(hook), "meta": {}})

    def get_hook(self, request, hook_id):
        hook = self.state.hooks.get(hook_id)
        if hook is None:
            return v3_error(404, f"Webhook with id [{hook_id}] not found")
        return json_response({"data": views.hook(hook), "meta": {}})

    def update_hook(self, request, hook_id):
        if hook_id not in self.state.hooks:
            return v3_error(404, f"Webhook with id [{hook_id}] not found")
        body = self._json_body(request)
        if not body:
            return v3_error(
                422, "At least one field is required to update", {"body": "empty"}
            )
        try:
            hook = self.state.update_hook(hook_id, **body)
        except HookError as exc:
            return v3_error(
                422, "JSON data is missing or invalid", {exc.field: exc.message}
            )
        return json_response({"data": views.hook(hook), "meta": {}})

    def delete_hook(self, request, hook_id):
        if hook_id not in self.state.hooks:
            return v3_error(404, f"Webhook with id [{hook_id}] not found")
        return json_response(
            {"data": views.hook(self.state.delete_hook(hook_id)), "meta": {}}
        )


def cursor_meta(ordered: list, chunk: list, limit: int, current) -> dict:
    """``meta.cursor_pagination`` for ``chunk`` taken from id-ordered ``ordered``."""
    meta = {"count": len(chunk), "per_page": limit, "links": {}}
    if chunk:
        first, last = chunk[0]["id"], chunk[-1]["id"]
        meta["start_cursor"] = encode_cursor(first)
        meta["end_cursor"] = encode_cursor(last)
        ids = [c["id"] for c in ordered]
        if any(i > last for i in ids):
            meta["links"]["next"] = f"?limit={limit}&after={quote(meta['end_cursor'])}"
        if any(i < first for i in ids):
            meta["links"]["previous"] = (
                f"?limit={limit}&before={quote(meta['start_cursor'])}"
            )
    meta["links"]["current"] = current or f"?limit={limit}"
    return meta
