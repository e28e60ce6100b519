# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import of one registered BigCommerce customer as a partner.

One customer, one partner, whichever arrives first, the customer or one of
its orders: both find the partner through the customer's binding
(:func:`customer_partner`), and both create it the same way when there is
none yet (:func:`new_customer_partner`).

A customer's partner is the connector's own (it created it, or the guest
partner it created) or *linked*: a partner Odoo had, with the customer's
e-mail, which the store's setting lets the customer use. A linked partner
is never changed: its name, company, addresses and phone are the Odoo
side's; the store's data goes to a contact of its own under it. And some
partners are never linked at all (:func:`protected_partners`): those of
Odoo users and companies, and those of other companies.
"""

from odoo.tools import email_normalize

from ..bigcommerce.client import parse_datetime
from ..bigcommerce.customers import (
    DELIVERY,
    DROPPED,
    INVOICE,
    REFUSED,
    customer_to_partner_values,
    email_key,
    fit_contact_values,
    values_digest,
)
from ..bigcommerce.mapping import MappingError, clean_payload
from . import kinds
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
    return kinds.binder(backend, CUSTOMER_KIND)


def refuse_too_long(env, too_long, label):
    """Raise the failure a refused value (an e-mail too long to be one)
    makes of the import of ``label`` (e.g. "Customer #32")."""
    for value in too_long:
        if value.action == REFUSED:
            raise MappingError(
                env._(
                    "%(record)s: its e-mail address is %(length)s characters "
                    "long, and an e-mail address has at most %(limit)s. Correct "
                    "it on BigCommerce, then reprocess.",
                    record=label,
                    length=f"{value.length:,}",
                    limit=value.limit,
                )
            )


def location_values(env, values, label=None):
    """``values`` within their lengths (:func:`fit_contact_values`), with
    ``country_code``/``state_name`` resolved into Odoo's
    ``country_id``/``state_id`` (an unknown one is left empty).

    A customer's values were fitted by its mapping already (which told what
    it cut); an order's contacts are fitted here. An e-mail too long to be
    one is refused: :class:`MappingError`.

    :param label: what the values come from, for the failure's message.
    """
    return fitted_location_values(env, values, label)[0]


def fitted_location_values(env, values, label=None):
    """:func:`location_values`, and the :class:`TooLong` values it cut
    (for the chatter of the contact they make, see :func:`cut_note`)."""
    values, too_long = fit_contact_values(values)
    refuse_too_long(env, too_long, label or env._("A contact from the store"))
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
    return values, too_long


def cut_note(env, too_long, origin):
    """The chatter line of a contact whose data from ``origin`` (e.g.
    "BigCommerce customer #32") was cut to fit: which fields, how long they
    were, and what to do."""
    return env._(
        "Some of %(origin)s's data was longer than a contact holds, and was "
        "cut: %(values)s. If it matters, correct it on BigCommerce; its next "
        "update brings it in.",
        origin=origin,
        values="; ".join(too_long_text(env, value) for value in too_long),
    )


def too_long_text(env, value):
    """One :class:`TooLong`, in words for the chatter."""
    fname = {"country_code": "country_id", "state_name": "state_id"}.get(
        value.field, value.field
    )
    field = env["res.partner"]._fields[fname].get_description(env)["string"]
    if value.address_id:
        field = env._(
            "address #%(address)s, %(field)s",
            address=value.address_id,
            field=field,
        )
    if value.action == DROPPED:
        return env._(
            "%(field)s: %(length)s characters, not a code, left empty",
            field=field,
            length=f"{value.length:,}",
        )
    return env._(
        "%(field)s: %(length)s characters, the first %(limit)s kept",
        field=field,
        length=f"{value.length:,}",
        limit=value.limit,
    )


def protected_partners(backend, partners):
    """Those of ``partners`` a store's customer never takes over: the
    partners of Odoo users (internal or portal, active or archived), of
    companies, and of another company than the store's.

    Storefront sign-up is open and its e-mails are unverified: anyone may
    register with the admin's or the company's e-mail.
    """
    if not partners:
        return partners
    env = backend.env
    users = (
        env["res.users"]
        .sudo()
        .with_context(active_test=False)
        .search([("partner_id", "in", partners.ids)])
    )
    companies = (
        env["res.company"]
        .sudo()
        .with_context(active_test=False)
        .search([("partner_id", "in", partners.ids)])
    )
    taken = set(users.partner_id.ids) | set(companies.partner_id.ids)
    return partners.filtered(
        lambda p: p.id in taken or (p.company_id and p.company_id != backend.company_id)
    )


def new_customer_partner(backend, customer_id, email, create_values):
    """The partner a customer not yet bound becomes, and whether it is
    *linked* (a partner Odoo had, never changed by the store's data); it is
    not bound here.

    In this order:

    - the partner of a guest with the same e-mail: a guest who registered
      is the same person, whatever the store's setting (the connector made
      that partner, and the customer's updates change it);
    - with the store's setting *link*, the one Odoo partner with this
      e-mail (not already another customer's, not archived, and not one of
      :func:`protected_partners`): linked, and said so on its chatter;
    - else a new partner. When Odoo has a partner with the same e-mail, the
      new partner's chatter says so: they are kept apart, never merged
      silently.

    :param create_values: the values of a new partner (Odoo fields).
    :return: ``(partner, linked)``
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
            return guest, bool(protected_partners(backend, guest))
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
    protected = protected_partners(backend, same_email)
    linkable = same_email - protected
    if (
        backend.customer_email_match == "link"
        and len(same_email) == 1
        and linkable.active
    ):
        linkable.message_post(
            body=env._(
                "Linked to BigCommerce customer #%(customer)s of store %(store)s "
                "(same e-mail): the customer's orders are invoiced to this "
                "contact. Its name, company, addresses and phone stay as they "
                "are: what the store says of the customer goes to a contact of "
                "its own under this one.",
                customer=customer_id,
                store=backend.name,
            )
        )
        return linkable, True
    partner = env["res.partner"].create(dict(create_values, customer_rank=1))
    if same_email:
        if backend.customer_email_match != "link":
            reason = env._("the store is set to keep such partners apart")
        elif protected:
            reason = env._(
                "the contact of an Odoo user or a company is never linked to a "
                "store's customer (anyone may sign up on the storefront with "
                "any e-mail)"
            )
        elif len(same_email) > 1:
            reason = env._("several partners have it, and the connector does not guess")
        else:
            reason = env._("that partner is archived")
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
    return partner, False


def customer_partner(backend, customer_id, email, create_values):
    """The partner of a registered customer, for one of its orders.

    The bound partner when the customer has one, read without the
    customer's lock (nothing is written: the orders of one customer in
    several jobs at once, such as a first sync's pages, do not wait for each
    other); else, under the lock, the partner it becomes
    (:func:`new_customer_partner`), bound at once, and the import of the
    customer queued to bring its address book.
    """
    binder = customer_binder(backend)
    binding = binder.to_binding(customer_id)
    partner = binder.to_record(customer_id, "res.partner")
    if binding and partner:
        return partner
    binder.lock(customer_id)
    binding = binder.to_binding(customer_id)
    partner = binder.to_record(customer_id, "res.partner")
    if binding and partner:
        return partner
    values = {"email": email or False}
    if not partner:
        partner, values["partner_linked"] = new_customer_partner(
            backend, customer_id, email, create_values
        )
    binder.bind(customer_id, partner, values)
    kinds.delay_import(backend, CUSTOMER_KIND, customer_id)
    return partner


class CustomerImporter(BigCommerceImporter):
    """One customer: one API call (the customer with its addresses), one
    partner with its invoice and delivery contacts, bound to the customer
    through ``bigcommerce.customer``.

    A linked partner (one Odoo had, see :func:`new_customer_partner`) is
    never written: the store's data of the customer goes to its invoice
    contact, and its address book to its delivery contacts, all under it.

    A customer deleted on BigCommerce is archived in Odoo, with its
    contacts: its invoices keep their partner. A linked partner stays as it
    is; only the contacts the store added under it are archived.
    """

    kind = CUSTOMER_KIND
    binding_model = CUSTOMER_BINDING

    def __init__(self, backend, bigcommerce_id):
        super().__init__(backend, int(bigcommerce_id))
        self.partner = self.env["res.partner"]
        self.changes = []
        # Is the partner a linked one, never written?
        self.linked = False
        # What was too long (bigcommerce.customers.TooLong), and whether
        # this import wrote anything (the note on it is told then only).
        self.too_long = []
        self.wrote = False
        self.first_import = False

    def _label(self):
        return f"Customer #{self.bigcommerce_id}"

    # --- fetch and skip -------------------------------------------------
    def _fetch(self):
        customer = self._read_customer()
        self.fetched["customer"] = clean_payload(customer) if customer else None
        self.binding = self.binder.to_binding(self.bigcommerce_id)
        self.partner = self.binder.to_record(self.bigcommerce_id, "res.partner")

    def _read_customer(self):
        """The customer with its addresses, as the store gives it (one
        call), or ``None`` when the store has none of this id."""
        return self._call(self.client.get_customer, self.bigcommerce_id)

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
        refuse_too_long(self.env, mapped["too_long"], self._label())
        self.too_long = mapped["too_long"]
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
        partner = self.partner
        if partner:
            # Linked, or bound by an earlier version to a partner it must
            # not change (a user's, a company's).
            self.linked = self.binding.partner_linked or bool(
                protected_partners(self.backend, partner)
            )
        if mapped is None:
            return self._archive()
        if not partner:
            partner, self.linked = new_customer_partner(
                self.backend,
                self.bigcommerce_id,
                self.partner_values["email"],
                self.partner_values,
            )
        self.partner = partner
        if self.linked:
            self._sync_customer_contact()
        else:
            self._write(partner, dict(self.partner_values, active=True))
            self._sync_billing_contact()
        self._sync_address_contacts()
        return partner

    def _binding_values(self, mapped):
        if mapped is None:
            return {"deleted_on_store": True}
        customer = self.fetched["customer"]
        return {
            "partner_linked": self.linked,
            "email": mapped["partner"]["email"],
            "date_modified": parse_datetime(customer.get("date_modified")),
            "data_digest": values_digest(mapped),
            "deleted_on_store": False,
        }

    def _after_import(self, mapped):
        if mapped is not None and self.too_long and (self.first_import or self.wrote):
            self.partner.message_post(
                body=cut_note(
                    self.env,
                    self.too_long,
                    self.env._(
                        "BigCommerce customer #%(customer)s",
                        customer=self.bigcommerce_id,
                    ),
                )
            )
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
            self.first_import = True
        return binding

    def _result(self):
        if self.fetched["customer"] is None and self.linked:
            return (
                f"{self._label()}: deleted on the store; "
                f"{self.partner.display_name} kept, as it was in Odoo before "
                "it was linked."
            )
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
            self.wrote = True
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
        # Created first without its address, then given it: Odoo gives the
        # first contact's address to a partner that has none, and the
        # partner's address is not the store's to set.
        address_fields = self.env["res.partner"]._address_fields()
        address = {f: values.pop(f) for f in address_fields if f in values}
        contact = self.env["res.partner"].create(values)
        contact.write(address)
        binder.bind(key, contact)
        self.wrote = True
        self.changes.append(self.env._("new %(label)s", label=label))
        return contact

    def _sync_customer_contact(self):
        """A linked partner's contact from the store: the customer's name,
        e-mail, phone and company, with its billing address; an invoice
        contact, bound as the billing contact is."""
        values = dict(self.partner_values)
        if self.billing_values:
            values.update(
                (fname, value) for fname, value in self.billing_values.items() if value
            )
        self._contact(
            BigCommerceBinder(self.backend, BILLING_KIND),
            self.bigcommerce_id,
            values,
            INVOICE,
            self.env._("contact from the store"),
        )

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
        contacts, which its invoices keep; of a linked partner, only the
        contacts the store added."""
        partner = self.partner
        if self.linked:
            return self._archive_store_contacts()
        if partner.active:
            store_contacts = self._store_contacts()
            store_contacts.active = False
            partner.active = False
            kept = partner.child_ids - store_contacts
            if kept:
                body = self.env._(
                    "BigCommerce customer #%(customer)s was deleted on store "
                    "%(store)s: this contact is archived, with the %(count)s "
                    "contact(s) the store added under it. Its invoices keep it. "
                    "The contacts added in Odoo stay active: %(kept)s.",
                    customer=self.bigcommerce_id,
                    store=self.backend.name,
                    count=len(store_contacts),
                    kept=", ".join(kept.mapped("display_name")),
                )
            else:
                body = self.env._(
                    "BigCommerce customer #%(customer)s was deleted on store "
                    "%(store)s: this contact is archived. Its invoices keep it.",
                    customer=self.bigcommerce_id,
                    store=self.backend.name,
                )
            partner.message_post(body=body)
        return partner

    def _store_contacts(self):
        """The active contacts the store added under the partner (its
        billing contact and its addresses), not those added in Odoo."""
        children = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("parent_id", "=", self.partner.id)])
        )
        billing = BigCommerceBinder(self.backend, BILLING_KIND).to_record(
            self.bigcommerce_id, "res.partner"
        )
        addresses = BigCommerceBinder(self.backend, ADDRESS_KIND).to_bigcommerce_ids(
            children
        )
        return (billing | children.browse(list(addresses))).filtered("active")

    def _archive_store_contacts(self):
        """A linked partner's customer was deleted: the partner stays as it
        is, the contacts the store added under it are archived; told once."""
        partner = self.partner
        if self.binding.deleted_on_store:
            return partner
        store_contacts = self._store_contacts()
        store_contacts.active = False
        partner.message_post(
            body=self.env._(
                "BigCommerce customer #%(customer)s was deleted on store "
                "%(store)s. This contact was in Odoo before it was linked to the "
                "customer, so it stays active, as it is; the %(count)s contact(s) "
                "the store added under it are archived.",
                customer=self.bigcommerce_id,
                store=self.backend.name,
                count=len(store_contacts),
            )
        )
        return partner


def _differs(current, value):
    if hasattr(current, "_name"):
        return current.id != (value or False)
    return (current or False) != (value or False)
