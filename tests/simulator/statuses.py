# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The fifteen v2 order statuses, with the sort order the control panel uses."""

# (id, name, description, sort_order) -- descriptions from the Orders V2 spec.
ORDER_STATUSES = [
    (
        0,
        "Incomplete",
        (
            "An incomplete order happens when a shopper reached the "
            "payment page, but did not complete the transaction."
        ),
        0,
    ),
    (
        1,
        "Pending",
        ("Customer started the checkout process, but did not complete it."),
        1,
    ),
    (
        2,
        "Shipped",
        (
            "Order has been shipped, but receipt has not been "
            "confirmed; seller has used the Ship Items action."
        ),
        8,
    ),
    (
        3,
        "Partially Shipped",
        (
            "Only some items in the order have been shipped, "
            "due to some products being pre-order only or other reasons."
        ),
        6,
    ),
    (4, "Refunded", "Seller has used the Refund action.", 11),
    (
        5,
        "Cancelled",
        (
            "Seller has cancelled an order, due to a stock "
            "inconsistency or other reasons."
        ),
        9,
    ),
    (
        6,
        "Declined",
        (
            "Seller has marked the order as declined for lack of "
            "manual payment, or other reasons."
        ),
        10,
    ),
    (
        7,
        "Awaiting Payment",
        (
            "Customer has completed checkout process, but "
            "payment has yet to be confirmed."
        ),
        2,
    ),
    (
        8,
        "Awaiting Pickup",
        (
            "Order has been pulled, and is awaiting customer "
            "pickup from a seller-specified location."
        ),
        5,
    ),
    (
        9,
        "Awaiting Shipment",
        (
            "Order has been pulled and packaged, and is "
            "awaiting collection from a shipping provider."
        ),
        4,
    ),
    (
        10,
        "Completed",
        (
            "Client has paid for their digital product and their "
            "file(s) are available for download."
        ),
        7,
    ),
    (
        11,
        "Awaiting Fulfillment",
        ("Customer has completed the checkout process and payment has been confirmed."),
        3,
    ),
    (
        12,
        "Manual Verification Required",
        ("Order is on hold while some aspect needs to be manually confirmed."),
        13,
    ),
    (
        13,
        "Disputed",
        (
            "Customer has initiated a dispute resolution process for "
            "the PayPal transaction that paid for the order."
        ),
        12,
    ),
    (14, "Partially Refunded", "Seller has partially refunded the order.", 14),
]

STATUS_NAMES = {sid: name for sid, name, _desc, _order in ORDER_STATUSES}


def status_name(status_id: int) -> str:
    """The system label of ``status_id``; KeyError for unknown ids."""
    return STATUS_NAMES[status_id]


def status_object(status_id: int) -> dict:
    """The ``orderStatus_Base`` shape for one status."""
    for sid, name, desc, sort_order in ORDER_STATUSES:
        if sid == status_id:
            return {
                "id": sid,
                "name": name,
                "system_label": name,
                "custom_label": name,
                "system_description": desc,
                "order": sort_order,
            }
    raise KeyError(status_id)
