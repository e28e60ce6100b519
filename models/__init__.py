from . import (
    account_move,
    bigcommerce_backend,
    bigcommerce_binding,
    bigcommerce_customer,
    bigcommerce_failure,
    bigcommerce_order,
    bigcommerce_order_fulfilment,
    bigcommerce_refund,
    bigcommerce_shipment,
    bigcommerce_webhook_delivery,
    ir_http,
)
