from . import (
    test_backend,
    test_concurrency,
    test_hardening,
    test_order_import,
    test_poll,
    test_webhook,
)
