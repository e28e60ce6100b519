from . import (
    bigcommerce_backend,
    bigcommerce_backend_import,
    bigcommerce_failure,
    bigcommerce_order,
)
