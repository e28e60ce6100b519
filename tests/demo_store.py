# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo store, configured in Odoo: what tools/demo.sh shows and what the
end-to-end test (test_demo_store) asserts on.

Everything the store sells, charges or bills in is read from the simulator's
generator (the same seed, customers and orders as the simulated store), never
listed here. Idempotent: a second run finds what the first created.
"""

from datetime import date, timedelta
from decimal import Decimal

from odoo import Command

from .simulator.generator import CATALOG, FOREIGN, generate_store
from .simulator.state import StoreState

# Odoo product type of each BigCommerce product type.
PRODUCT_TYPES = {
    "physical": "consu",
    "digital": "service",
    "giftcertificate": "service",
}
# Accounts the demo adds to the chart: backend field -> (code, name, type).
ACCOUNTS = {
    "shipping_account_id": ("400100", "Shipping Income", "income"),
    "handling_account_id": ("400200", "Handling Income", "income"),
    "wrapping_account_id": ("400300", "Gift Wrapping Income", "income"),
    "discount_account_id": ("400900", "Discounts Granted", "income"),
    "gift_certificate_account_id": (
        "212100",
        "Gift Certificates Outstanding",
        "liability_current",
    ),
    "store_credit_account_id": (
        "212200",
        "Store Credit Outstanding",
        "liability_current",
    ),
}


def what_the_store_sells(store_hash, currency, seed, customers, orders):
    """SKUs (with name, price, type), tax rates and currencies of the store.

    The catalog and the foreign currencies come straight from the generator;
    a store generated exactly as the simulator will generate it adds what
    only its orders show (variant SKUs, every rate and currency charged).
    """
    products = {
        sku: {"name": name, "price": price, "type": kind}
        for sku, name, price, _rate, kind in CATALOG
    }
    rates = {Decimal(rate) * 100 for _sku, _name, _price, rate, _kind in CATALOG}
    rates |= {Decimal(vat) * 100 for _rate, vat, _home in FOREIGN.values()}
    currencies = {currency, *FOREIGN}

    state = StoreState(store_hash=store_hash, currency=currency)
    generate_store(state, seed=seed, customers=customers, orders=orders)
    by_product_id = {p["id"]: p for p in state.products.values()}
    for record in state.orders.values():
        currencies.add(record.data["currency_code"])
        rates |= {Decimal(row["rate"]) for row in record.taxes}
        for item in record.products:
            if not item["sku"] or item["sku"] in products:
                continue
            base = by_product_id.get(item["product_id"], {})
            options = ", ".join(
                f"{o['display_name']}: {o['display_value']}"
                for o in item.get("product_options") or []
            )
            products[item["sku"]] = {
                "name": f"{item['name']} ({options})" if options else item["name"],
                "price": base.get("price") or item["base_price"],
                "type": item["type"],
            }
    # A line at 0% carries no tax in Odoo: no 0% tax is needed.
    rates = sorted(rate.normalize() for rate in rates if rate)
    return products, rates, sorted(currencies)


def ensure_products(env, products):
    Product = env["product.product"].with_context(active_test=False)
    for sku, info in sorted(products.items()):
        values = {
            "name": info["name"],
            "default_code": sku,
            "list_price": float(info["price"]),
            "type": PRODUCT_TYPES.get(info["type"], "consu"),
            "sale_ok": True,
            "active": True,
        }
        product = Product.search([("default_code", "=", sku)], limit=1)
        if product:
            product.write(values)
        else:
            Product.create(values)


def ensure_taxes(env, company, rates):
    Tax = env["account.tax"].with_context(active_test=False)
    taxes = Tax
    for rate in rates:
        label = f"{rate:f}"
        if "." in label:
            label = label.rstrip("0").rstrip(".")
        domain = [
            ("company_id", "=", company.id),
            ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent"),
            ("amount", "=", float(rate)),
            ("price_include", "=", False),
        ]
        tax = Tax.search(domain, order="sequence, id", limit=1)
        if not tax:
            tax = Tax.create(
                {
                    "name": f"Sales tax {label}%",
                    "amount": float(rate),
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                    "company_id": company.id,
                }
            )
        tax.active = True
        taxes |= tax
    return taxes


def ensure_currencies(env, company, codes, store_currency):
    Currency = env["res.currency"].with_context(active_test=False)
    Rate = env["res.currency.rate"]
    for code in codes:
        currency = Currency.search([("name", "=", code)], limit=1)
        if not currency:
            raise ValueError(f"Currency {code} does not exist in Odoo.")
        currency.active = True
        # The generator's rates are per unit of the store currency; they are
        # Odoo's rates only when the company books in that currency.
        if code in FOREIGN and company.currency_id.name == store_currency:
            day = date.today() - timedelta(days=365)
            rate = Rate.search(
                [
                    ("currency_id", "=", currency.id),
                    ("company_id", "=", company.id),
                    ("name", "=", day),
                ],
                limit=1,
            )
            values = {"rate": float(FOREIGN[code][0])}
            if rate:
                rate.write(values)
            else:
                Rate.create(
                    dict(
                        values, currency_id=currency.id, company_id=company.id, name=day
                    )
                )


def ensure_accounts(env, company):
    Account = env["account.account"].with_company(company)
    found = {}
    for field, (code, name, account_type) in ACCOUNTS.items():
        account = Account.search([("code", "=", code)], limit=1)
        if not account:
            account = Account.create(
                {"code": code, "name": name, "account_type": account_type}
            )
        found[field] = account
    return found


def configure_demo_store(
    env,
    *,
    api_base_url,
    store_hash="demo123",
    access_token="demo-token",
    client_secret="demo-secret",
    currency="USD",
    seed=42,
    customers=10,
    orders=36,
    company=None,
):
    """Products, taxes, currencies, accounts and the store of the demo.

    :return: ``(backend, summary)``, the store and a dict of what was set up.
    """
    company = company or env.company
    products, rates, currencies = what_the_store_sells(
        store_hash, currency, seed, customers, orders
    )
    ensure_products(env, products)
    taxes = ensure_taxes(env, company, rates)
    ensure_currencies(env, company, currencies, currency)
    accounts = ensure_accounts(env, company)
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)],
        order="sequence, id",
        limit=1,
    )
    revenue = company.income_account_id or env["account.account"].with_company(
        company
    ).search([("account_type", "=", "income")], order="code", limit=1)
    if not journal or not revenue:
        raise ValueError("The company has no chart of accounts (no sales journal).")
    values = {
        "name": "Demo Store (simulated BigCommerce)",
        "company_id": company.id,
        "store_hash": store_hash,
        "access_token": access_token,
        "client_secret": client_secret,
        "api_base_url": api_base_url.rstrip("/"),
        "journal_id": journal.id,
        "revenue_account_id": revenue.id,
        "tax_ids": [Command.set(taxes.ids)],
        "posting_policy": "post",
        "active": True,
        **{field: account.id for field, account in accounts.items()},
    }
    Backend = env["bigcommerce.backend"].with_context(active_test=False)
    backend = Backend.search(
        [("store_hash", "=", store_hash), ("company_id", "=", company.id)], limit=1
    )
    if backend:
        backend.write(values)
    else:
        backend = Backend.create(values)
    summary = {
        "products": sorted(products),
        "taxes": taxes.mapped("name"),
        "currencies": currencies,
        "accounts": [f"{a.code} {a.name}" for a in [revenue, *accounts.values()]],
        "journal": journal.name,
    }
    return backend, summary
