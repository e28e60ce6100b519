from . import test_backend
from . import test_order_import
from . import test_webhook
