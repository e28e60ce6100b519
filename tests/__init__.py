from . import (
    test_backend,
    test_catch_up,
    test_concurrency,
    test_demo_store,
    test_hardening,
    test_order_import,
    test_payments,
    test_refund_concurrency,
    test_refund_import,
    test_refund_payments,
    test_refund_webhook,
    test_webhook,
)
