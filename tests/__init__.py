from . import test_backend, test_order_import, test_webhook
