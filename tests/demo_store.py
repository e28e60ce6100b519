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
from .simulator.orders import GATEWAYS
from .simulator.state import StoreState

# Odoo product type of each BigCommerce product type.
PRODUCT_TYPES = {
    "physical": "consu",
    "digital": "service",
    "giftcertificate": "service",
}
# The demo's sales taxes are named as the store names its tax rows
# ("Sales Tax 8.25%"); the tax payable account of each is 2511nn.
TAX_NAME = "Sales Tax"
TAX_ACCOUNT_CODE = 251100
# Accounts the demo adds to the chart: backend field -> (code, name, type).
ACCOUNTS = {
    "shipping_account_id": ("400100", "Shipping Income", "income"),
    "handling_account_id": ("400200", "Handling Income", "income"),
    "wrapping_account_id": ("400300", "Gift Wrapping Income", "income"),
    "fee_account_id": ("400400", "Fee Income", "income"),
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


# The product the store books a line of an unknown SKU on, when its Unknown
# Products setting says so, and its income account.
FALLBACK_PRODUCT = ("UNIDENTIFIED", "Unidentified item")
FALLBACK_ACCOUNT = ("400800", "Sales of Unidentified Items", "income")


# Payment parts that are no gateway's: the store's own liabilities pay them.
NOT_GATEWAYS = {"gift certificate", "store credit", "storecredit", ""}
# Names of the gateways, for their journals; others are named by their code.
GATEWAY_NAMES = {
    "stripe": "Stripe",
    "braintree": "Braintree",
    "paypalexpress": "PayPal",
    "testgateway": "Test Gateway",
    "cod": "Cash on Delivery",
    "bankdeposit": "Bank Deposit",
    "cheque": "Cheque",
    "moneyorder": "Money Order",
}
# The clearing accounts of the gateways' journals are 1014nn.
CLEARING_ACCOUNT_CODE = 101410


def the_store_gateways(state):
    """The gateways the store's money goes through, each with the names the
    store gives it: ``{gateway code: {payment_method or provider id}}``.

    An order's payment names its method (``Credit Card``) and, in its
    transactions, the gateway (``stripe``); a refund paid back names the
    gateway as its provider (``braintree``).
    """
    gateways = {}
    for record in state.orders.values():
        method = record.data["payment_method"] or ""
        if method.strip().lower() in NOT_GATEWAYS:
            continue
        gateway = record.gateway or GATEWAYS.get(method, "custom")
        gateways.setdefault(gateway, set()).update({method, gateway})
    for refund in state.refunds.values():
        for payment in refund["payments"]:
            provider = payment["provider_id"] or ""
            if provider.strip().lower() not in NOT_GATEWAYS:
                gateways.setdefault(provider, set()).add(provider)
    return gateways


def what_the_store_sells(store_hash, currency, seed, customers, orders):
    """SKUs (with name, price, type), tax rates, currencies and gateways
    (:func:`the_store_gateways`) of the store.

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
    return products, rates, sorted(currencies), the_store_gateways(state)


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


def _percent_label(rate):
    label = f"{rate:f}"
    return label.rstrip("0").rstrip(".") if "." in label else label


def _tax_repartition(account):
    """A tax's distribution as an accountant sets it: the base, and all of
    the tax on ``account``."""
    return [
        Command.create({"repartition_type": "base"}),
        Command.create({"repartition_type": "tax", "account_id": account.id}),
    ]


def _tax_account(env, company, code, name):
    Account = env["account.account"].with_company(company)
    account = Account.search([("code", "=", code)], limit=1)
    if not account:
        account = Account.create(
            {"code": code, "name": name, "account_type": "liability_current"}
        )
    return account


def _tax_group(env, company, name, account):
    Group = env["account.tax.group"]
    group = Group.search(
        [("company_id", "=", company.id), ("name", "=", name)], limit=1
    )
    if not group:
        group = Group.create(
            {
                "name": name,
                "company_id": company.id,
                "tax_payable_account_id": account.id,
            }
        )
    return group


def ensure_taxes(env, company, rates):
    """One sales tax per rate the store charges, as an accountant sets it up:
    its tax on a tax payable account of its own (a current liability), in a
    tax group of its own, so that invoices total each rate under its name.

    A sales tax of the company at the rate that already books its tax to an
    account is used as it is.
    """
    Tax = env["account.tax"].with_context(active_test=False)
    taxes = Tax
    for index, rate in enumerate(rates, start=1):
        name = f"{TAX_NAME} {_percent_label(rate)}%"
        domain = [
            ("company_id", "=", company.id),
            ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent"),
            ("amount", "=", float(rate)),
            ("price_include", "=", False),
        ]
        found = Tax.search(domain, order="sequence, id")
        booked = found.filtered(
            lambda t: all(
                line.account_id
                for line in (
                    t.invoice_repartition_line_ids | t.refund_repartition_line_ids
                )
                if line.repartition_type == "tax"
            )
        )
        if booked:
            booked[:1].active = True
            taxes |= booked[:1]
            continue
        tax = found.filtered(lambda t, n=name: t.name == n)[:1]
        account = _tax_account(
            env, company, f"{TAX_ACCOUNT_CODE + index}", f"{name} Payable"
        )
        group = _tax_group(env, company, name, account)
        if tax:
            # Set up without a tax account before: its tax went to revenue.
            (
                tax.invoice_repartition_line_ids | tax.refund_repartition_line_ids
            ).filtered(lambda line: line.repartition_type == "tax").account_id = account
            tax.tax_group_id = group
        else:
            tax = Tax.create(
                {
                    "name": name,
                    "amount": float(rate),
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                    "company_id": company.id,
                    "tax_group_id": group.id,
                    "invoice_repartition_line_ids": _tax_repartition(account),
                    "refund_repartition_line_ids": _tax_repartition(account),
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


def ensure_gateway_journals(env, company, gateways):
    """A clearing journal per gateway, as an accountant sets one up: a bank
    journal of its own whose account holds what the gateway collected until
    it pays out, and in which its payments are booked straight away (their
    outstanding account is the journal's).

    :param gateways: ``{gateway code: names}`` (:func:`the_store_gateways`).
    :return: ``{gateway code: journal}``.
    """
    Account = env["account.account"].with_company(company)
    Journal = env["account.journal"].with_context(active_test=False)
    journals = {}
    for index, gateway in enumerate(sorted(gateways)):
        name = GATEWAY_NAMES.get(gateway, gateway.title())
        code = f"{CLEARING_ACCOUNT_CODE + index}"
        account = Account.search([("code", "=", code)], limit=1)
        if not account:
            account = Account.create(
                {"code": code, "name": f"{name} Clearing", "account_type": "asset_cash"}
            )
        journal = Journal.search(
            [("company_id", "=", company.id), ("default_account_id", "=", account.id)],
            limit=1,
        )
        if not journal:
            journal = Journal.create(
                {
                    "name": name,
                    "code": f"GW{index + 1}",
                    "type": "bank",
                    "company_id": company.id,
                    "default_account_id": account.id,
                }
            )
        journal.active = True
        (
            journal.inbound_payment_method_line_ids
            | journal.outbound_payment_method_line_ids
        ).payment_account_id = account
        journals[gateway] = journal
    return journals


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


def ensure_fallback_product(env, company):
    """The store's fallback product, on an income account of its own (so
    that what was sold under no known SKU reads apart in the books)."""
    Account = env["account.account"].with_company(company)
    code, name, account_type = FALLBACK_ACCOUNT
    account = Account.search([("code", "=", code)], limit=1) or Account.create(
        {"code": code, "name": name, "account_type": account_type}
    )
    Product = env["product.product"].with_context(active_test=False)
    sku, label = FALLBACK_PRODUCT
    values = {
        "name": label,
        "default_code": sku,
        "list_price": 0.0,
        "type": "service",
        "sale_ok": True,
        "active": True,
        "property_account_income_id": account.id,
    }
    product = Product.search([("default_code", "=", sku)], limit=1)
    if product:
        product.with_company(company).write(values)
    else:
        product = Product.with_company(company).create(values)
    return product


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
    """Products, taxes, currencies, accounts, a clearing journal per
    gateway and the store of the demo.

    :return: ``(backend, summary)``, the store and a dict of what was set up.
    """
    company = company or env.company
    products, rates, currencies, gateways = what_the_store_sells(
        store_hash, currency, seed, customers, orders
    )
    ensure_products(env, products)
    taxes = ensure_taxes(env, company, rates)
    ensure_currencies(env, company, currencies, currency)
    accounts = ensure_accounts(env, company)
    gateway_journals = ensure_gateway_journals(env, company, gateways)
    fallback = ensure_fallback_product(env, company)
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
        "register_payments": True,
        # Foreign orders at the rate the store applied; an unknown SKU held
        # as a failure until an accountant sees to it.
        "exchange_rate_source": "store",
        "unknown_product_policy": "hold",
        "fallback_product_id": fallback.id,
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
    # The store as the demo's jobs see it: archived records stay out.
    backend = env["bigcommerce.backend"].browse(backend.id)
    # The store's Payments tab: each gateway's names to its journal.
    mapped = {
        line.payment_method.lower(): line for line in backend.payment_journal_map_ids
    }
    commands = []
    for gateway, names in sorted(gateways.items()):
        clearing = gateway_journals[gateway]
        for name in sorted(names):
            line = mapped.get(name.lower())
            if not line:
                commands.append(
                    Command.create({"payment_method": name, "journal_id": clearing.id})
                )
            elif line.journal_id != clearing:
                commands.append(Command.update(line.id, {"journal_id": clearing.id}))
    if commands:
        backend.payment_journal_map_ids = commands
    summary = {
        "products": sorted(products),
        "taxes": taxes.mapped("name"),
        "currencies": currencies,
        "accounts": [f"{a.code} {a.name}" for a in [revenue, *accounts.values()]],
        "journal": journal.name,
        "fallback": fallback,
        "gateways": {
            gateway: (gateway_journals[gateway], sorted(names))
            for gateway, names in sorted(gateways.items())
        },
    }
    return backend, summary
