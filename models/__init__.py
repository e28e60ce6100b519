from . import (
    account_move,
    bigcommerce_backend,
    bigcommerce_binding,
    bigcommerce_failure,
    bigcommerce_order,
    bigcommerce_payment_journal,
    bigcommerce_refund,
    bigcommerce_status_rule,
    bigcommerce_webhook_delivery,
    ir_http,
)
