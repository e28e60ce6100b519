from . import (
    test_backend,
    test_catch_up,
    test_concurrency,
    test_customer_webhooks,
    test_customers,
    test_demo_store,
    test_hardening,
    test_order_import,
    test_shipments,
    test_webhook,
)
