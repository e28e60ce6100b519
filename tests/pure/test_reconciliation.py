# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's side of a reconciliation: period bounds, figures in Decimal."""

from datetime import date, datetime
from decimal import Decimal

from bigcommerce.reconciliation import (
    order_figures,
    refund_figures,
    summary_amount,
    totals_by_currency,
)
from bigcommerce.store_time import local_date, utc_bounds

D = Decimal


def test_a_month_in_utc_is_its_days_from_midnight_to_midnight():
    assert utc_bounds(date(2026, 4, 1), date(2026, 4, 30)) == (
        datetime(2026, 4, 1),
        datetime(2026, 5, 1),
    )


def test_a_month_in_a_store_time_zone_moves_its_bounds():
    # New York is UTC-4 in April (daylight saving time).
    start, end = utc_bounds(date(2026, 4, 1), date(2026, 4, 30), "America/New_York")
    assert (start, end) == (datetime(2026, 4, 1, 4), datetime(2026, 5, 1, 4))
    # 23:30 on 30 April in New York is 03:30 on 1 May in UTC: April's.
    late = datetime(2026, 5, 1, 3, 30)
    assert start <= late < end
    assert local_date(late, "America/New_York") == date(2026, 4, 30)
    assert local_date(late) == date(2026, 5, 1)


def test_order_figures_count_the_fees_untaxed():
    order = {
        "id": 8,
        "status_id": 11,
        "currency_code": "USD",
        "total_ex_tax": "12.5000",
        "total_tax": "0.2063",
        "total_inc_tax": "12.7063",
        "fees": [
            {
                "id": 1,
                "display_name_merchant": "Packaging",
                "cost_ex_tax": "2.5000",
                "cost_inc_tax": "2.7063",
                "cost_tax": "0.2063",
            },
            {"id": 2, "cost_ex_tax": "1.0000", "cost_tax": "0.0000"},
        ],
    }
    assert order_figures(order).fees == D("3.50")
    totals = totals_by_currency([order_figures(order)] * 2, [], lambda r: "USD")
    assert totals["USD"].fees == D("7.00")
    # Listed without fees (an older listing), or with a link instead: none.
    assert order_figures(dict(order, fees=None)).fees == D("0")
    assert order_figures(dict(order, fees={"url": "x"})).fees == D("0")


def test_order_figures_are_exact_decimals():
    order = {
        "id": 7,
        "status_id": 11,
        "default_currency_code": "EUR",
        "currency_code": "USD",
        "date_created": "Thu, 30 Apr 2026 23:30:00 +0000",
        "date_modified": "Fri, 01 May 2026 08:00:00 +0000",
        "total_ex_tax": "91.7400",
        "total_tax": "7.5686",
        "total_inc_tax": "99.3086",
        "shipping_cost_ex_tax": "5.0000",
        "discount_amount": "6.5000",
        "coupon_discount": "5.0000",
        "gift_certificate_amount": "10.0000",
        "store_credit_amount": "0.0000",
        "payment_method": "Credit Card",
        "payment_status": "captured",
    }
    figures = order_figures(order)
    assert figures.currency == "EUR"
    assert (figures.untaxed, figures.tax, figures.total) == (
        D("91.74"),
        D("7.57"),
        D("99.31"),
    )
    assert figures.discount == D("6.50")
    assert figures.date_created == datetime(2026, 4, 30, 23, 30)
    assert figures.paid
    assert figures.gateway_parts == [("Credit Card", D("89.31"))]
    assert figures.gateway_total == D("89.31")


def test_refund_figures_count_the_money_a_gateway_paid_back():
    refund = {
        "id": 3,
        "order_id": 7,
        "created": "2026-04-25T10:00:00+00:00",
        "total_amount": "30.00",
        "total_tax": "2.29",
        "payments": [
            {"provider_id": "braintree", "amount": "20.00", "offline": False},
            {"provider_id": "cash", "amount": "5.00", "offline": True},
            {"provider_id": "storecredit", "amount": "5.00", "offline": False},
        ],
    }
    figures = refund_figures(refund)
    assert figures.total == D("30.00")
    assert figures.paid_back == [("braintree", D("20.00"))]


def test_totals_are_kept_per_currency():
    def order(order_id, currency, total):
        return order_figures(
            {
                "id": order_id,
                "default_currency_code": currency,
                "total_inc_tax": total,
                "total_ex_tax": total,
            }
        )

    refund = refund_figures({"id": 1, "order_id": 1, "total_amount": "0.10"})
    totals = totals_by_currency(
        [order(1, "USD", "0.10"), order(2, "USD", "0.20"), order(3, "EUR", "1")],
        [refund],
        lambda refund: "USD",
    )
    # 0.1 + 0.2 is 0.3 exactly.
    assert totals["USD"].total == D("0.30")
    assert totals["USD"].net == D("0.20")
    assert totals["EUR"].count == 1
    assert summary_amount(D("183420.17")) == "183,420.17"
