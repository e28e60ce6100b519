# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""BigCommerce's codes in words: payment statuses, carriers, providers."""

import pytest

from bigcommerce.labels import (
    PAYMENT_STATUSES,
    carrier_label,
    payment_status_key,
    provider_label,
)
from bigcommerce.shipments import shipment_values


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("captured", "captured"),
        ("Captured", "captured"),
        ("void", "void"),
        ("partially  refunded", "partially refunded"),
        ("", None),
        (None, None),
        ("something new", None),
    ],
)
def test_payment_status_key(value, key):
    assert payment_status_key(value) == key


def test_every_documented_payment_status_has_words():
    # API-NOTES §3.
    documented = (
        "authorized, captured, capture pending, declined, held for review, paid, "
        "partially refunded, pending, refunded, void, void pending"
    ).split(", ")
    assert set(documented) == set(PAYMENT_STATUSES)
    assert all(label[0].isupper() for label in PAYMENT_STATUSES.values())


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("ups", "UPS"),
        ("fedex", "FedEx"),
        ("auspost", "Australia Post"),
        ("carrier_42", "Carrier 42"),
        ("", ""),
        (None, ""),
    ],
)
def test_carrier_label(code, label):
    assert carrier_label(code) == label


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("storecredit", "Store credit"),
        ("braintree", "Braintree"),
        ("paypalexpress", "PayPal"),
        ("some_new_gateway", "Some new gateway"),
        (None, ""),
    ],
)
def test_provider_label(code, label):
    assert provider_label(code) == label


def test_a_shipment_without_a_display_name_names_its_carrier_in_words():
    values = shipment_values(
        {"id": 1, "order_id": 100, "tracking_carrier": "ups", "items": []}, {}
    )
    assert values["carrier"] == "UPS"
    values = shipment_values(
        {
            "id": 2,
            "order_id": 100,
            "shipping_provider_display_name": "My Courier",
            "tracking_carrier": "ups",
            "items": [],
        },
        {},
    )
    assert values["carrier"] == "My Courier"
