from hypothesis import settings

# The property tests try the same examples on every run (a new example is
# found by raising max_examples, never by chance in CI); loaded before the
# test modules, whose own settings inherit it.
settings.register_profile("bigcommerce", derandomize=True, database=None)
settings.load_profile("bigcommerce")

# ruff: noqa: E402
from . import (
    test_access,
    test_api_calls,
    test_backend,
    test_cancelled_orders,
    test_catch_up,
    test_catch_up_concurrency,
    test_concurrency,
    test_customer_existence,
    test_customer_linking,
    test_customer_webhooks,
    test_customers,
    test_demo_store,
    test_fault_input,
    test_fault_sync,
    test_first_sync_calls,
    test_hardening,
    test_import_wizard,
    test_jobs,
    test_killed_worker,
    test_late_capture,
    test_order_batch,
    test_order_fees,
    test_order_form,
    test_order_import,
    test_order_list,
    test_overview,
    test_payment_floor,
    test_payments,
    test_reconciliation,
    test_reconciliation_fixes,
    test_reconciliation_outputs,
    test_refund_cap,
    test_refund_concurrency,
    test_refund_import,
    test_refund_payments,
    test_refund_webhook,
    test_setup_checks,
    test_shared_rate_limit,
    test_shipments,
    test_store_exchange_rate,
    test_store_health,
    test_store_timezone,
    test_tour,
    test_unknown_products,
    test_webhook,
    test_webhook_log,
)
