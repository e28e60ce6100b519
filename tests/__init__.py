from . import (
    test_api_calls,
    test_backend,
    test_catch_up,
    test_concurrency,
    test_demo_store,
    test_fault_input,
    test_fault_sync,
    test_hardening,
    test_killed_worker,
    test_order_import,
    test_webhook,
)
