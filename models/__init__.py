from . import (
    bigcommerce_backend,
    bigcommerce_binding,
    bigcommerce_failure,
    bigcommerce_import_run,
    bigcommerce_order,
    bigcommerce_rate_limit,
    bigcommerce_webhook_delivery,
    bigcommerce_webhook_log,
    bigcommerce_webhook_subscription,
)
