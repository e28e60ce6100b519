# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Customers and their address books, as contact values (plain Python).

A registered customer (``GET /v3/customers?include=addresses``) becomes a
partner: :func:`customer_to_partner_values` gives its values and those of
its contacts. Country and state come back as a code and a name for the Odoo
side to resolve (``country_code``, ``state_name``).
"""

import hashlib
import json

from .client import clean_text

# Contact types of the child contacts (res.partner ``type``).
INVOICE = "invoice"
DELIVERY = "delivery"


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
    "addresses": [(address id, values), ...]}``:

    - the partner holds the name, e-mail, phone and company, and the
      location of the billing address, so that invoices show it;
    - BigCommerce's address book has no billing flag: the first address (the
      one the storefront offers first) is the billing address, an *invoice*
      contact;
    - every address of the book is a *delivery* contact, bound by its id.
    """
    customer = customer or {}
    email = _text(customer, "email").lower()
    first, last = _text(customer, "first_name"), _text(customer, "last_name")
    company = _text(customer, "company")
    addresses = sorted(
        (a for a in customer.get("addresses") or () if isinstance(a, dict)),
        key=lambda a: int(a.get("id") or 0),
    )
    contacts = [
        (int(a["id"]), address_to_contact_values(a)) for a in addresses if a.get("id")
    ]
    billing = dict(contacts[0][1]) if contacts else None
    partner = {
        "name": " ".join(p for p in (first, last) if p) or company or email,
        "email": email or False,
        "phone": _text(customer, "phone") or False,
        "company_name": company or False,
    }
    for key in ("street", "street2", "city", "zip", "country_code", "state_name"):
        partner[key] = billing[key] if billing else False
    for _id, values in contacts:
        values["name"] = values["name"] or partner["name"]
    if billing:
        billing["name"] = billing["name"] or partner["name"]
    return {"partner": partner, "billing": billing, "addresses": contacts}


def values_digest(values):
    """A short, stable digest of mapped values: what the catch-up compares
    to tell a changed customer from one already imported."""
    body = json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha1(body.encode()).hexdigest()
