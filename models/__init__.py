from . import (
    bigcommerce_backend,
    bigcommerce_backend_import,
    bigcommerce_backend_poll,
    bigcommerce_failure,
    bigcommerce_order,
    bigcommerce_webhook_delivery,
)
