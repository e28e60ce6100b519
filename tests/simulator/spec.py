# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Validate simulated traffic against BigCommerce's official OpenAPI specs.

openapi-core matches requests on the spec's server URL, so every request is
presented to it as if it had been sent to ``https://api.bigcommerce.com`` with
the real ``/stores/{hash}/v2|v3/...`` path. Each spec is parsed once per
process. A handful of defects in the specs themselves would make correct
responses fail; ``SPEC_PATCHES`` corrects each one narrowly, with the reason.
"""

import logging
import os
import threading
from functools import cache
from pathlib import Path

import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

_logger = logging.getLogger(__name__)

SPEC_DIR_ENV = "BIGCOMMERCE_SPEC_DIR"
API_HOST = "https://api.bigcommerce.com"

STORE_INFORMATION = "store_information.v2.yml"
ORDERS_V2 = "orders.v2.oas2.yml"
ORDERS_V3 = "orders.v3.yml"
CUSTOMERS_V3 = "customers.v3.yml"
WEBHOOKS_V3 = "webhooks.v3.yml"
SPEC_FILES = (STORE_INFORMATION, ORDERS_V2, ORDERS_V3, CUSTOMERS_V3, WEBHOOKS_V3)


class SpecDirectoryError(FileNotFoundError):
    """The reference specs are not where they should be."""


def default_spec_dir() -> Path:
    """Where tools/setup.sh put the specs (``.cache/bigcommerce-reference``
    in the checkout), else ``shared/bigcommerce/reference`` beside the
    repository; symlinks resolved."""
    repository = Path(__file__).resolve().parents[2]
    set_up = repository / ".cache/bigcommerce-reference"
    if set_up.is_dir():
        return set_up.resolve()
    return (repository.parent / "shared/bigcommerce/reference").resolve()


def resolve_spec_dir(spec_dir=None) -> Path:
    """The spec directory to use; raise SpecDirectoryError when it is unusable."""
    chosen = spec_dir or os.environ.get(SPEC_DIR_ENV) or default_spec_dir()
    path = Path(chosen).resolve()
    missing = [name for name in SPEC_FILES if not (path / name).is_file()]
    if missing:
        raise SpecDirectoryError(
            f"BigCommerce OpenAPI specs not found in {path} (missing: "
            f"{', '.join(missing)}). Put the reference specs there or point the "
            f"{SPEC_DIR_ENV} environment variable at their directory; the "
            f"simulator never runs without validation."
        )
    return path


def spec_for_path(path: str) -> str | None:
    """Which spec file governs ``/stores/{hash}/v2|v3/...``; None if none does."""
    parts = path.strip("/").split("/")
    if len(parts) < 4 or parts[0] != "stores":
        return None
    version, resource = parts[2], parts[3]
    if version == "v2":
        if resource in ("store", "time"):
            return STORE_INFORMATION
        return ORDERS_V2
    if version == "v3":
        return {
            "orders": ORDERS_V3,
            "customers": CUSTOMERS_V3,
            "hooks": WEBHOOKS_V3,
        }.get(resource)
    return None


# --------------------------------------------------------------------------
# Spec defects, each corrected narrowly.


def _schemas(spec: dict) -> dict:
    return spec["components"]["schemas"]


def _patch_orders_v2_sort(spec: dict) -> None:
    """``sort`` lists bare field names, yet the operation's own description
    (and the docs) say to append ``:asc`` or ``:desc``; accept those too."""
    param = spec["components"]["parameters"]["sort"]["schema"]
    fields = list(param["enum"])
    param["enum"] = fields + [f"{f}:{d}" for f in fields for d in ("asc", "desc")]


def _patch_orders_v2_tax_product_id(spec: dict) -> None:
    """``orderTaxes_Base.order_product_id`` is documented to be null for
    shipping and gift-wrapping rows but is not declared nullable."""
    _schemas(spec)["orderTaxes_Base"]["properties"]["order_product_id"]["nullable"] = (
        True
    )


def _patch_orders_v2_empty_shipments(spec: dict) -> None:
    """``GET /orders/{id}/shipments`` documents its 204 with ``content: {}``;
    openapi-core reads any ``content`` key as "a body is expected" and reports
    the (correctly) empty 204 as missing data. No ``content`` means no body."""
    operation = spec["paths"]["/orders/{order_id}/shipments"]["get"]
    operation["responses"]["204"].pop("content", None)


def _patch_orders_v3_empty_transactions(spec: dict) -> None:
    """``GET /orders/{id}/transactions`` documents its 204 ("no content") with
    a JSON body schema; a 204 has no body. No ``content`` means no body."""
    operation = spec["paths"]["/orders/{order_id}/transactions"]["get"]
    operation["responses"]["204"].pop("content", None)


STRICT_LINK = {
    "type": "object",
    "required": ["url", "resource"],
    "additionalProperties": False,
    "properties": {"url": {"type": "string"}, "resource": {"type": "string"}},
}


def _strict_links(schema: dict) -> None:
    """Turn a ``oneOf: [links, full]`` into ``anyOf: [strict links, full]``."""
    alternatives = []
    for alternative in schema.pop("oneOf"):
        ref = alternative.get("$ref") or alternative.get("items", {}).get("$ref", "")
        if ref.endswith("_Resource"):
            if alternative.get("type") == "array":
                alternative = {"type": "array", "items": STRICT_LINK}
            else:
                alternative = STRICT_LINK
        alternatives.append(alternative)
    schema["anyOf"] = alternatives


def _patch_orders_v2_consignment_one_of(spec: dict) -> None:
    """``order.consignments`` and every consignment's ``line_items`` are
    ``oneOf`` a *links* shape and a *full* shape. The links shapes
    (``orderConsignments_Resource``, ``products_Resource``) declare no
    required and no forbidden properties, so every object matches them: a
    correct answer matches both alternatives and fails ``oneOf``, and were
    the ``oneOf`` relaxed to ``anyOf``, anything at all would pass. Links are
    required to be exactly ``{url, resource}`` here, and ``anyOf`` lets an
    empty list (which matches both) through."""
    schemas = _schemas(spec)
    _strict_links(schemas["order_RespOnly"]["properties"]["consignments"])
    _strict_links(schemas["giftCertificateConsignment_Get"]["properties"]["line_items"])
    _strict_links(schemas["digitalConsignment_Get"]["properties"]["line_items"])
    for name in ("shippingConsignment_Get", "pickupConsignment_Get"):
        for part in schemas[name]["allOf"]:
            if "line_items" in part.get("properties", {}):
                _strict_links(part["properties"]["line_items"])


def _patch_orders_v3_refund_item_amount(spec: dict) -> None:
    """``RefundItem.requested_amount`` is a non-null number, but the spec's
    own refund example (and the API) give ``null`` for PRODUCT items, whose
    value comes from the order line rather than a requested amount."""
    amount = dict(_schemas(spec)["Amount"], nullable=True)
    _schemas(spec)["RefundItem"]["properties"]["requested_amount"] = amount


def _patch_customers_date_filters(spec: dict) -> None:
    """The customer date filters give ``2024-05-14T09:34:00`` and
    ``2024-05-14`` as examples, yet half of them declare ``format: date-time``,
    which neither example satisfies (no offset; no time). Keep them strings."""
    for param in spec["paths"]["/customers"]["get"]["parameters"]:
        if param.get("name", "").startswith(("date_created", "date_modified")):
            param["schema"].pop("format", None)


def _patch_webhooks_empty_list(spec: dict) -> None:
    """``GET /hooks`` declares ``data`` with ``minItems: 1``; a store without
    webhooks answers ``{"data": []}``."""
    schema = spec["components"]["responses"]["webhooks_Resp"]["content"][
        "application/json"
    ]["schema"]
    schema["properties"]["data"].pop("minItems", None)


SPEC_PATCHES = {
    ORDERS_V2: (
        _patch_orders_v2_sort,
        _patch_orders_v2_tax_product_id,
        _patch_orders_v2_empty_shipments,
        _patch_orders_v2_consignment_one_of,
    ),
    ORDERS_V3: (
        _patch_orders_v3_refund_item_amount,
        _patch_orders_v3_empty_transactions,
    ),
    CUSTOMERS_V3: (_patch_customers_date_filters,),
    WEBHOOKS_V3: (_patch_webhooks_empty_list,),
}


@cache
def load_spec_dict(spec_dir: str, name: str) -> dict:
    """Parse one spec file and apply its patches (cached per process)."""
    with open(Path(spec_dir) / name, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    for patch in SPEC_PATCHES.get(name, ()):
        patch(spec)
    return spec


@cache
def load_openapi(spec_dir: str, name: str) -> OpenAPI:
    """The openapi-core application for one spec (cached per process)."""
    return OpenAPI.from_dict(load_spec_dict(spec_dir, name))


@cache
def callback_validator(spec_dir: str, scope: str) -> OAS30Validator:
    """A validator for the callback body of ``scope`` (webhooks spec schemas
    are named after the scope: ``store/order/created`` -> ``store_order_created``;
    scopes without their own schema get the common envelope)."""
    components = load_spec_dict(spec_dir, WEBHOOKS_V3)["components"]
    name = scope.replace("/", "_")
    if name not in components["schemas"]:
        name = "webhook_callback_base"
    return OAS30Validator(
        {"$ref": f"#/components/schemas/{name}", "components": components},
        format_checker=OAS30Validator.FORMAT_CHECKER,
    )


# --------------------------------------------------------------------------
# openapi-core request/response protocol adapters.


class SpecRequest:
    """A recorded request, presented as if sent to api.bigcommerce.com."""

    host_url = API_HOST

    def __init__(self, method, path, query, headers, body=None, content_type=""):
        self.method = method.lower()
        self.path = path
        self.body = body or None
        self.content_type = content_type or "application/octet-stream"
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(list(headers.items())),
        )


class SpecResponse:
    def __init__(self, status_code, data, content_type="application/json", headers=()):
        self.status_code = status_code
        self.data = data
        self.content_type = content_type or ""
        self.headers = Headers(list(headers))


def _shorten(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def closest_errors(error) -> list:
    """The leaf errors of the alternative that came closest to matching.

    For ``anyOf``/``oneOf`` failures jsonschema reports "not valid under any
    of the given schemas" with each alternative's errors as ``context``; the
    alternative with the fewest errors is the one the document meant.
    """
    if not getattr(error, "context", None):
        return [error]
    branches = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0] if sub.schema_path else 0, []).append(
            sub
        )
    closest = min(branches.values(), key=len)
    return [leaf for sub in closest for leaf in closest_errors(sub)]


def describe_error(exc: Exception) -> str:
    """One readable line for an openapi-core error: where and what, not the
    whole offending document."""
    details = []
    cause, seen = exc.__cause__, {id(exc)}
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        for schema_error in getattr(cause, "schema_errors", None) or ():
            for leaf in closest_errors(schema_error):
                path = getattr(leaf, "absolute_path", getattr(leaf, "path", ()))
                where = "/".join(str(p) for p in path)
                message = getattr(leaf, "message", leaf)
                details.append(f"at /{where}: {_shorten(message)}")
        cause = cause.__cause__
    head = str(exc) if len(str(exc)) <= 120 else type(exc).__name__
    if details:
        return f"{head}: " + "; ".join(details)
    if exc.__cause__ is not None:
        return f"{head}: {_shorten(exc.__cause__)}"
    return _shorten(exc, 400)


class SpecValidator:
    """Validate request/response pairs; returns readable error strings."""

    def __init__(self, spec_dir=None):
        self.spec_dir = str(resolve_spec_dir(spec_dir))
        self._lock = threading.Lock()

    def openapi(self, name: str) -> OpenAPI:
        return load_openapi(self.spec_dir, name)

    def validate(self, request: SpecRequest, response: SpecResponse) -> list:
        """All spec violations of ``request`` and of ``response`` to it."""
        label = f"{request.method.upper()} {request.path}"
        name = spec_for_path(request.path)
        if name is None:
            return self._log(
                [f"{label}: request: no BigCommerce spec covers this path"]
            )
        api = self.openapi(name)
        errors = []
        with self._lock:
            request_errors = list(api.iter_request_errors(request))
            errors += [f"{label}: request: {describe_error(e)}" for e in request_errors]
            if any(isinstance(e, PathError) for e in request_errors):
                return self._log(errors)
            for exc in api.iter_response_errors(request, response):
                if isinstance(exc, ResponseNotFound):
                    # The status (401, 413, 429, 5xx, a v2 204...) is one the
                    # general status-code docs define for every endpoint; the
                    # path spec just does not repeat it. Nothing to check.
                    continue
                errors.append(
                    f"{label}: response {response.status_code}: {describe_error(exc)}"
                )
        return self._log(errors)

    def validate_callback(self, scope: str, payload: dict) -> list:
        """Spec violations of an outgoing webhook callback body."""
        validator = callback_validator(self.spec_dir, scope)
        errors = [
            f"webhook {scope}: at /{'/'.join(map(str, leaf.absolute_path))}: "
            f"{_shorten(leaf.message)}"
            for error in validator.iter_errors(payload)
            for leaf in closest_errors(error)
        ]
        return self._log(errors)

    @staticmethod
    def _log(errors: list) -> list:
        for error in errors:
            _logger.warning("spec violation: %s", error)
        return errors
