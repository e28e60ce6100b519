# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import of one registered BigCommerce customer as a partner.

One customer, one partner, whichever arrives first, the customer or one of
its orders: both find the partner through the customer's binding
(:func:`customer_partner`), and both create it the same way when there is
none yet (:func:`new_customer_partner`).
"""

from odoo.tools import email_normalize

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.customers import (
    DELIVERY,
    INVOICE,
    customer_to_partner_values,
    email_key,
    values_digest,
)
from ..bigcommerce.mapping import clean_payload
from .binder import BigCommerceBinder
from .importer import BigCommerceImporter

CUSTOMER_KIND = "customer"
CUSTOMER_BINDING = "bigcommerce.customer"
# Partners of guests (bound by a digest of their e-mail), the address book
# entries (bound by address id) and the billing contact (bound by customer
# id) of customers.
GUEST_KIND = "guest"
ADDRESS_KIND = "customer_address"
BILLING_KIND = "customer_billing"


def customer_binder(backend):
    return BigCommerceBinder(backend, CUSTOMER_KIND, CUSTOMER_BINDING)


def location_values(env, values):
    """``values`` with ``country_code``/``state_name`` resolved into Odoo's
    ``country_id``/``state_id`` (an unknown one is left empty)."""
    values = dict(values)
    country_code = values.pop("country_code", False)
    state_name = values.pop("state_name", False)
    country = (
        env["res.country"].search([("code", "=", country_code)], limit=1)
        if country_code
        else env["res.country"]
    )
    state = env["res.country.state"]
    if country and state_name:
        state = state.search(
            [
                ("country_id", "=", country.id),
                "|",
                ("name", "=ilike", state_name),
                ("code", "=ilike", state_name),
            ],
            limit=1,
        )
    values.update(country_id=country.id or False, state_id=state.id or False)
    return values


def new_customer_partner(backend, customer_id, email, create_values):
    """The partner a customer not yet bound becomes; it is not bound here.

    In this order:

    - the partner of a guest with the same e-mail: a guest who registered
      is the same person, whatever the store's setting;
    - with the store's setting *link*, the one Odoo partner with this
      e-mail (not already another customer's): linked, and said so on its
      chatter;
    - else a new partner. When Odoo has a partner with the same e-mail, the
      new partner's chatter says so: they are kept apart, never merged
      silently.

    :param create_values: the values of a new partner (Odoo fields).
    """
    env = backend.env
    partners = env["res.partner"].with_context(active_test=False)
    normalized = email_normalize(email) if email else False
    if normalized:
        guest = BigCommerceBinder(backend, GUEST_KIND).to_record(
            email_key(normalized), "res.partner"
        )
        if guest:
            guest.message_post(
                body=env._(
                    "This guest registered on BigCommerce store %(store)s as "
                    "customer #%(customer)s: the customer's updates now change "
                    "this contact.",
                    store=backend.name,
                    customer=customer_id,
                )
            )
            return guest
    same_email = partners.browse()
    if normalized:
        same_email = partners.search(
            [
                ("email_normalized", "=", normalized),
                ("parent_id", "=", False),
                ("company_id", "in", [False, backend.company_id.id]),
            ],
            limit=10,
        )
        bound = (
            env[CUSTOMER_BINDING]
            .sudo()
            .search(
                [("backend_id", "=", backend.id), ("partner_id", "in", same_email.ids)]
            )
        )
        same_email -= bound.partner_id
    if backend.customer_email_match == "link" and len(same_email) == 1:
        same_email.message_post(
            body=env._(
                "Linked to BigCommerce customer #%(customer)s of store %(store)s "
                "(same e-mail): the customer's updates now change this contact.",
                customer=customer_id,
                store=backend.name,
            )
        )
        return same_email
    partner = env["res.partner"].create(dict(create_values, customer_rank=1))
    if same_email:
        reason = (
            env._("several partners have it, and the connector does not guess")
            if backend.customer_email_match == "link"
            else env._("the store is set to keep such partners apart")
        )
        partner.message_post(
            body=env._(
                "BigCommerce customer #%(customer)s has the same e-mail as "
                "%(partners)s; kept apart because %(reason)s. If they are the "
                "same person, merge the contacts.",
                customer=customer_id,
                partners=", ".join(same_email.mapped("display_name")),
                reason=reason,
            )
        )
    return partner


def customer_partner(backend, customer_id, email, create_values):
    """The partner of a registered customer, for one of its orders.

    The bound partner when the customer has one; else the partner it
    becomes (:func:`new_customer_partner`), bound at once, and the import of
    the customer queued to bring its address book.
    """
    binder = customer_binder(backend)
    binder.lock(customer_id)
    binding = binder.to_binding(customer_id)
    partner = binder.to_record(customer_id, "res.partner")
    if binding and partner:
        return partner
    if not partner:
        partner = new_customer_partner(backend, customer_id, email, create_values)
    binder.bind(customer_id, partner, {"email": email or False})
    backend._delay_import_customer(customer_id)
    return partner


class CustomerImporter(BigCommerceImporter):
    """One customer: one API call (the customer with its addresses), one
    partner with its invoice and delivery contacts, bound to the customer
    through ``bigcommerce.customer``.

    A customer deleted on BigCommerce is archived in Odoo, with its
    contacts: its invoices keep their partner.
    """

    kind = CUSTOMER_KIND
    binding_model = CUSTOMER_BINDING

    def __init__(self, backend, bigcommerce_id):
        super().__init__(backend, int(bigcommerce_id))
        self.partner = self.env["res.partner"]
        self.changes = []

    def _label(self):
        return f"Customer #{self.bigcommerce_id}"

    # --- fetch and skip -------------------------------------------------
    def _fetch(self):
        customer = self._call(self.client.get_customer, self.bigcommerce_id)
        self.fetched["customer"] = clean_payload(customer) if customer else None
        self.binding = self.binder.to_binding(self.bigcommerce_id)
        self.partner = self.binder.to_record(self.bigcommerce_id, "res.partner")

    def _must_skip(self):
        if self.fetched["customer"] is None and not self.partner:
            return f"{self._label()} is not on the store: nothing to archive."
        return ""

    # --- map and validate -------------------------------------------------
    def _map(self):
        customer = self.fetched["customer"]
        return customer_to_partner_values(customer) if customer else None

    def _validate(self, mapped):
        if mapped is None:
            return
        self.partner_values = location_values(self.env, mapped["partner"])
        self.billing_values = (
            location_values(self.env, mapped["billing"]) if mapped["billing"] else None
        )
        self.address_values = [
            (address_id, location_values(self.env, values))
            for address_id, values in mapped["addresses"]
        ]

    # --- create or update ---------------------------------------------------
    def _create_or_update(self, mapped):
        if mapped is None:
            return self._archive()
        partner = self.partner
        if not partner:
            partner = new_customer_partner(
                self.backend,
                self.bigcommerce_id,
                self.partner_values["email"],
                self.partner_values,
            )
        self.partner = partner
        self._write(partner, dict(self.partner_values, active=True))
        self._sync_billing_contact()
        self._sync_address_contacts()
        return partner

    def _binding_values(self, mapped):
        if mapped is None:
            return {"deleted_on_store": True}
        customer = self.fetched["customer"]
        return {
            "email": mapped["partner"]["email"],
            "date_modified": parse_datetime(customer.get("date_modified")),
            "data_digest": values_digest(mapped),
            "deleted_on_store": False,
        }

    def _after_import(self, mapped):
        if mapped is not None and self.changes:
            self.partner.message_post(
                body=self.env._(
                    "Updated from BigCommerce customer #%(customer)s: %(changes)s.",
                    customer=self.bigcommerce_id,
                    changes=", ".join(self.changes),
                )
            )

    def _bind(self, record, mapped):
        # The binding before this import: was the customer imported before?
        previous_sync = self.binding.sync_date if self.binding else False
        binding = super()._bind(record, mapped)
        self.binding = binding
        if not previous_sync:
            # A first import: nothing to tell as an update.
            self.changes = []
        return binding

    def _result(self):
        if self.fetched["customer"] is None:
            return (
                f"{self._label()}: deleted on the store, "
                f"{self.partner.display_name} archived."
            )
        return f"{self._label()}: {self.partner.display_name}"

    # --- the partner and its contacts --------------------------------------
    def _write(self, record, values, label=None):
        """Write what differs; note it for the chatter."""
        changed = {
            fname: value
            for fname, value in values.items()
            if _differs(record[fname], value)
        }
        if changed:
            record.write(changed)
            if label:
                self.changes.append(label)
            else:
                self.changes.extend(
                    record._fields[fname].get_description(self.env)["string"]
                    for fname in changed
                    if fname != "active"
                )
        return record

    def _contact(self, binder, key, values, contact_type, label):
        """Create or update one child contact of the partner, bound by
        ``key``."""
        contact = binder.to_record(key, "res.partner")
        values = dict(values, parent_id=self.partner.id, type=contact_type, active=True)
        if contact:
            return self._write(contact, values, label)
        contact = self.env["res.partner"].create(values)
        binder.bind(key, contact)
        self.changes.append(self.env._("new %(label)s", label=label))
        return contact

    def _sync_billing_contact(self):
        binder = BigCommerceBinder(self.backend, BILLING_KIND)
        label = self.env._("billing address")
        if self.billing_values:
            self._contact(
                binder, self.bigcommerce_id, self.billing_values, INVOICE, label
            )
            return
        contact = binder.to_record(self.bigcommerce_id, "res.partner")
        if contact.active:
            contact.active = False
            self.changes.append(self.env._("%(label)s removed", label=label))

    def _sync_address_contacts(self):
        binder = BigCommerceBinder(self.backend, ADDRESS_KIND)
        current = set()
        for address_id, values in self.address_values:
            label = self.env._("address #%(address)s", address=address_id)
            current.add(self._contact(binder, address_id, values, DELIVERY, label).id)
        # Active ones: an archived contact has nothing left to archive.
        children = self.partner.child_ids
        gone = [
            (contact_id, address_id)
            for contact_id, address_id in binder.to_bigcommerce_ids(children).items()
            if contact_id not in current
        ]
        for contact_id, address_id in gone:
            contact = children.browse(contact_id)
            if contact.active:
                contact.active = False
                self.changes.append(
                    self.env._("address #%(address)s removed", address=address_id)
                )

    def _archive(self):
        """The customer was deleted on BigCommerce: archive its partner and
        contacts, which its invoices keep."""
        partner = self.partner
        if partner.active:
            partner.child_ids.active = False
            partner.active = False
            partner.message_post(
                body=self.env._(
                    "BigCommerce customer #%(customer)s was deleted on store "
                    "%(store)s: this contact is archived. Its invoices keep it.",
                    customer=self.bigcommerce_id,
                    store=self.backend.name,
                )
            )
        return partner


def _differs(current, value):
    if hasattr(current, "_name"):
        return current.id != (value or False)
    return (current or False) != (value or False)
