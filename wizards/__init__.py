from . import bigcommerce_import_wizard
