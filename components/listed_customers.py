# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customers of a page of listed orders, imported before the orders.

A first sync of a store's history (``batch_importer.OrderPeriodListing``)
lists 250 orders a page; their registered customers that Odoo has no
partner for yet are read 250 a call, with their addresses
(``GET /v3/customers?id:in=...&include=addresses``), and imported in the
listing's job, each through the customer importer as its webhook would.
The orders' imports then find every partner bound, and make no call of
their own for it; and two jobs of the page's orders never create the same
new customer at once. The partners of the page's guests are made first, so
that a guest who registered later keeps its partner.
"""

import logging

from odoo.exceptions import UserError, ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce.mapping import MappingError, clean_payload
from ..bigcommerce.payments import ACTION_SKIP
from .customer_importer import CustomerImporter, customer_binder
from .order_importer import OrderImporter

_logger = logging.getLogger(__name__)


class ListedCustomerImporter(CustomerImporter):
    """One customer as a listing of customers returned it, with its
    addresses: imported as :class:`CustomerImporter` does, without a call
    of its own."""

    def __init__(self, backend, bigcommerce_id, customer):
        """:param customer: the customer, with its addresses, as the store
        listed it."""
        super().__init__(backend, bigcommerce_id)
        self.listed = customer

    def _read_customer(self):
        """The listed customer: no call."""
        return self.listed


def new_customer_ids(backend, orders):
    """The ids of the registered customers of ``orders`` (as the store
    listed them) that have no partner in Odoo yet, in ascending order."""
    ids = {int(order.get("customer_id") or 0) for order in orders} - {0}
    if not ids:
        return []
    bound = customer_binder(backend).to_bindings(list(ids)).filtered("partner_id")
    return sorted(ids - set(bound.mapped("bigcommerce_id")))


def make_guest_partners(backend, orders):
    """The partners of the guests of ``orders`` (as the store listed them),
    made first, in the listing's order, as their orders' imports would:
    a guest who registered later (a customer of this page or a later one)
    then keeps its partner, as when the orders are imported in date order.

    A guest whose contact cannot be made (an e-mail too long to be one) is
    left to its order's import, which fails with what to fix.
    """
    for order in orders:
        if int(order.get("customer_id") or 0):
            continue
        importer = OrderImporter(backend, int(order["id"]), prefetched=order)
        importer.fetched["order"] = clean_payload(order)
        try:
            with backend.env.cr.savepoint():
                importer._partner()
        except (MappingError, UserError, ValidationError) as exc:
            _logger.info("Guest of order %s left to its order: %s", order["id"], exc)


def import_order_customers(listing, orders):
    """Make the partners of the guests of ``orders``
    (:func:`make_guest_partners`), then read their new registered customers
    (250 a call) and import each as a partner with its addresses; returns
    how many customers were imported.

    The customers and guests of orders the store's status rules do not
    invoice (cancelled, declined) get no partner, as when their orders are
    imported. A customer whose import fails has its failure record, as from its
    webhook; one another worker imports at the same moment is left to it.
    Either way, its orders find (or make) its partner as they do without
    this.

    :param listing: the listing's importer (its client, and its
        :meth:`~.importer.BigCommerceImporter._call`, whose transient
        faults retry the listing's job).
    :param orders: the listed orders.
    """
    backend = listing.backend
    # Those the status rules do not invoice get no partner, as on import.
    orders = [
        order
        for order in orders
        if backend._status_action(int(order.get("status_id") or 0)) != ACTION_SKIP
    ]
    make_guest_partners(backend, orders)
    ids = new_customer_ids(backend, orders)
    if not ids:
        return 0
    customers = listing._call(listing.client.get_customers, ids)
    imported = 0
    for customer in customers:
        importer = ListedCustomerImporter(backend, int(customer["id"]), customer)
        try:
            importer.run()
        except RetryableJobError as exc:
            _logger.info("Customer %s left to its order: %s", customer["id"], exc)
            continue
        imported += importer.outcome == "done"
    return imported
