from . import (
    test_backend,
    test_catch_up,
    test_concurrency,
    test_demo_store,
    test_hardening,
    test_import_wizard,
    test_order_import,
    test_shared_rate_limit,
    test_store_health,
    test_tour,
    test_webhook,
    test_webhook_log,
)
