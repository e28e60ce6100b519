from . import (
    bigcommerce_backend,
    bigcommerce_binding,
    bigcommerce_failure,
    bigcommerce_order,
    bigcommerce_webhook_delivery,
    ir_http,
)
