from . import bigcommerce_backend
