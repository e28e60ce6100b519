# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Customers and their address books, as contact values (plain Python).

A registered customer (``GET /v3/customers?include=addresses``) becomes a
partner: :func:`customer_to_partner_values` gives its values and those of
its contacts. Country and state come back as a code and a name for the Odoo
side to resolve (``country_code``, ``state_name``).

Text longer than a contact can sensibly hold (a faulty answer, or a
merchant's override: BigCommerce's own limits are below these) is cut to
:data:`TEXT_LIMITS` by :func:`fit_contact_values`, which says what it cut
(:class:`TooLong`) for the Odoo side to note. An e-mail address longer than
:data:`EMAIL_MAX_LENGTH` is not one: it is refused, never cut.
"""

import hashlib
import json
from typing import NamedTuple

from .client import clean_text

# Contact types of the child contacts (res.partner ``type``).
INVOICE = "invoice"
DELIVERY = "delivery"


#: The longest text each contact value keeps, in characters: the largest
#: of BigCommerce's own maximums for it (customers v3, orders v2), so that
#: no genuine value is cut, and far below what PostgreSQL can index (a
#: contact's full name, "company, name", stays under its 2,704 bytes).
TEXT_LIMITS = {
    "name": 255,
    "company_name": 255,
    "street": 255,
    "street2": 255,
    "city": 255,
    "zip": 50,
    "phone": 125,
    "state_name": 255,
}
#: An e-mail address has at most 254 characters (RFC 5321's path, less its
#: angle brackets): a longer one is refused.
EMAIL_MAX_LENGTH = 254
#: ISO 3166-1 alpha-2: a longer country code is no code, and is left empty
#: (cutting "AUT" would make Austria Australia).
COUNTRY_CODE_LENGTH = 2

CUT = "cut"
DROPPED = "dropped"
REFUSED = "refused"


class TooLong(NamedTuple):
    """One value longer than its limit, and what became of it: ``cut`` to
    ``limit`` characters, ``dropped`` (left empty) or ``refused`` (the
    record cannot be imported as it is). ``address_id`` is the address of
    the book it came from, ``None`` for the customer itself."""

    field: str
    length: int
    limit: int
    action: str
    address_id: int | None = None


def fit_contact_values(values, address_id=None):
    """``(values, too_long)``: contact ``values`` (as the mapping functions
    give them, e.g. :func:`address_to_contact_values`) with every text
    within its limit, and the list of :class:`TooLong` saying what was cut,
    dropped or refused. A refused e-mail is left empty in ``values``.

    Values already within their limits come back unchanged: fitting twice
    is fitting once.
    """
    values = dict(values)
    too_long = []
    for fname, value in values.items():
        if not isinstance(value, str):
            continue
        if fname == "email":
            limit, action = EMAIL_MAX_LENGTH, REFUSED
        elif fname == "country_code":
            limit, action = COUNTRY_CODE_LENGTH, DROPPED
        elif fname in TEXT_LIMITS:
            limit, action = TEXT_LIMITS[fname], CUT
        else:
            continue
        if len(value) <= limit:
            continue
        too_long.append(TooLong(fname, len(value), limit, action, address_id))
        values[fname] = value[:limit].rstrip() if action == CUT else False
    return values, too_long


def _text(record, key):
    value = (record or {}).get(key)
    if value in (None, False):
        return ""
    return clean_text(str(value)).strip()


def email_key(email):
    """The key a guest's partner is bound by: a digest of the e-mail
    address, lower-cased (the same e-mail in any case is the same guest)."""
    return hashlib.sha1(email.strip().lower().encode()).hexdigest()[:24]


def address_to_contact_values(address):
    """Contact values of one v3 address of an address book."""
    first, last = _text(address, "first_name"), _text(address, "last_name")
    company = _text(address, "company")
    return {
        "name": " ".join(p for p in (first, last) if p) or company or False,
        "company_name": company or False,
        "phone": _text(address, "phone") or False,
        "street": _text(address, "address1") or False,
        "street2": _text(address, "address2") or False,
        "city": _text(address, "city") or False,
        "zip": _text(address, "postal_code") or False,
        "country_code": _text(address, "country_code").upper() or False,
        "state_name": _text(address, "state_or_province") or False,
    }


def customer_to_partner_values(customer):
    """What a v3 customer (with ``include=addresses``) becomes in Odoo.

    Returns ``{"partner": values, "billing": values or None,
    "addresses": [(address id, values), ...], "too_long": [TooLong, ...]}``:

    - the partner holds the name, e-mail, phone and company, and the
      location of the billing address, so that invoices show it;
    - BigCommerce's address book has no billing flag: the first address (the
      one the storefront offers first) is the billing address, an *invoice*
      contact;
    - every address of the book is a *delivery* contact, bound by its id;
    - every text is within its limit (:func:`fit_contact_values`);
      ``too_long`` says what was cut, dropped or refused.
    """
    customer = customer or {}
    email = _text(customer, "email").lower()
    first, last = _text(customer, "first_name"), _text(customer, "last_name")
    company = _text(customer, "company")
    addresses = sorted(
        (a for a in customer.get("addresses") or () if isinstance(a, dict)),
        key=lambda a: int(a.get("id") or 0),
    )
    too_long = []
    contacts = []
    for address in addresses:
        if not address.get("id"):
            continue
        address_id = int(address["id"])
        values, cut = fit_contact_values(address_to_contact_values(address), address_id)
        contacts.append((address_id, values))
        too_long += cut
    billing = dict(contacts[0][1]) if contacts else None
    partner, cut = fit_contact_values(
        {
            "name": " ".join(p for p in (first, last) if p) or company or email,
            "email": email or False,
            "phone": _text(customer, "phone") or False,
            "company_name": company or False,
        }
    )
    too_long = cut + too_long
    for key in ("street", "street2", "city", "zip", "country_code", "state_name"):
        partner[key] = billing[key] if billing else False
    for _id, values in contacts:
        values["name"] = values["name"] or partner["name"]
    if billing:
        billing["name"] = billing["name"] or partner["name"]
    return {
        "partner": partner,
        "billing": billing,
        "addresses": contacts,
        "too_long": too_long,
    }


def values_digest(values):
    """A short, stable digest of mapped values: what the catch-up compares
    to tell a changed customer from one already imported.

    What :func:`customer_to_partner_values` says it cut (``too_long``) is
    left out: it tells of the values, which are in the digest, and digests
    made before it was said still match."""
    if isinstance(values, dict):
        values = {key: value for key, value in values.items() if key != "too_long"}
    body = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha1(body.encode()).hexdigest()
