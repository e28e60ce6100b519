from . import bigcommerce_backend
from . import bigcommerce_backend_import
from . import bigcommerce_order
from . import bigcommerce_failure
