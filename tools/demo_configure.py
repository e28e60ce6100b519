# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Configure a demo database for the simulated BigCommerce store.

Run by tools/demo.sh inside an Odoo shell, which provides ``env``:

    python -m odoo shell -c odoo.conf -d DB < tools/demo_configure.py

Idempotent: running it again finds what it created before and updates it.
Everything the demo store sells, charges or bills in is read from the
simulator's generator (the same seed, customers and orders as the simulator
that tools/demo.sh starts), never listed here. Settings come from the
environment (defaults in brackets):

    DEMO_ODOO_URL       the demo's Odoo URL, for web.base.url [http://127.0.0.1:8069]
    DEMO_SIM_URL        the simulator's URL: the store's API base URL
                        [http://127.0.0.1:8765]
    DEMO_STORE_HASH, DEMO_TOKEN, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
                        the store's API account
                        [demo123, demo-token, demo-client, demo-secret]
    DEMO_CURRENCY       the store's currency [USD]
    DEMO_SEED, DEMO_CUSTOMERS, DEMO_ORDERS
                        the generated store [42, 10, 36]

Prints ``webhook_url=<url>`` on a line of its own.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

import os
from datetime import date, timedelta
from decimal import Decimal

from odoo import Command

from odoo.addons.bigcommerce_connector.simulator.generator import (
    CATALOG,
    FOREIGN,
    generate_store,
)
from odoo.addons.bigcommerce_connector.simulator.state import StoreState

if "env" not in globals():
    raise SystemExit(
        "Run it in an Odoo shell: python -m odoo shell -d DB < tools/demo_configure.py"
    )
env = globals()["env"]  # the shell's environment: superuser, main company

SETTINGS = {
    "odoo_url": os.environ.get("DEMO_ODOO_URL", "http://127.0.0.1:8069"),
    "sim_url": os.environ.get("DEMO_SIM_URL", "http://127.0.0.1:8765"),
    "store_hash": os.environ.get("DEMO_STORE_HASH", "demo123"),
    "token": os.environ.get("DEMO_TOKEN", "demo-token"),
    "client_id": os.environ.get("DEMO_CLIENT_ID", "demo-client"),
    "client_secret": os.environ.get("DEMO_CLIENT_SECRET", "demo-secret"),
    "currency": os.environ.get("DEMO_CURRENCY", "USD"),
    "seed": int(os.environ.get("DEMO_SEED", "42")),
    "customers": int(os.environ.get("DEMO_CUSTOMERS", "10")),
    "orders": int(os.environ.get("DEMO_ORDERS", "36")),
}
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
}


def what_the_store_sells():
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
    currencies = {SETTINGS["currency"], *FOREIGN}

    state = StoreState(store_hash=SETTINGS["store_hash"], currency=SETTINGS["currency"])
    generate_store(
        state,
        seed=SETTINGS["seed"],
        customers=SETTINGS["customers"],
        orders=SETTINGS["orders"],
    )
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


def ensure_products(products):
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


def ensure_taxes(company, rates):
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


def ensure_currencies(company, codes, store_currency):
    Currency = env["res.currency"].with_context(active_test=False)
    Rate = env["res.currency.rate"]
    for code in codes:
        currency = Currency.search([("name", "=", code)], limit=1)
        if not currency:
            raise SystemExit(f"Currency {code} does not exist in Odoo.")
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


def ensure_accounts(company):
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


def main():
    company = env.company
    products, rates, currencies = what_the_store_sells()
    ensure_products(products)
    taxes = ensure_taxes(company, rates)
    ensure_currencies(company, currencies, SETTINGS["currency"])
    accounts = ensure_accounts(company)
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)],
        order="sequence, id",
        limit=1,
    )
    revenue = company.income_account_id or env["account.account"].with_company(
        company
    ).search([("account_type", "=", "income")], order="code", limit=1)
    if not journal or not revenue:
        raise SystemExit("The company has no chart of accounts (no sales journal).")

    env["ir.config_parameter"].sudo().set_param(
        "web.base.url", SETTINGS["odoo_url"].rstrip("/")
    )
    values = {
        "name": "Demo Store (simulated BigCommerce)",
        "store_hash": SETTINGS["store_hash"],
        "access_token": SETTINGS["token"],
        "client_secret": SETTINGS["client_secret"],
        "client_id": SETTINGS["client_id"],
        "api_base_url": SETTINGS["sim_url"].rstrip("/"),
        "journal_id": journal.id,
        "revenue_account_id": revenue.id,
        "tax_ids": [Command.set(taxes.ids)],
        "invoice_policy": "post",
        "active": True,
        **{field: account.id for field, account in accounts.items()},
    }
    Backend = env["bigcommerce.backend"].with_context(active_test=False)
    backend = Backend.search(
        [("store_hash", "=", SETTINGS["store_hash"]), ("company_id", "=", company.id)],
        limit=1,
    )
    if backend:
        backend.write(values)
    else:
        backend = Backend.create(values)
    env.cr.commit()
    backend.invalidate_recordset(["webhook_url"])

    print(f"products      {len(products)}: {', '.join(sorted(products))}")
    print(f"sales taxes   {', '.join(t.name for t in taxes)}")
    print(f"currencies    {', '.join(currencies)}")
    print(
        "accounts      "
        + ", ".join(f"{a.code} {a.name}" for a in [revenue, *accounts.values()])
    )
    print(f"journal       {journal.name}")
    print(f"store         {backend.name} (id {backend.id}) -> {backend.api_base_url}")
    print(f"webhook_url={backend.webhook_url}")


main()
