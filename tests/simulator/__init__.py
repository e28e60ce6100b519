# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A local BigCommerce store API for tests and demos.

Serves the v2/v3 REST endpoints an order importer uses over real HTTP on
127.0.0.1, validating every request and response against BigCommerce's
official OpenAPI specs. Plain Python, no Odoo: importable both as
``simulator`` and as ``odoo.addons.bigcommerce_connector.simulator``.
"""

from .generator import generate_store
from .server import BigCommerceSimulator
from .spec import SpecDirectoryError

__all__ = ["BigCommerceSimulator", "SpecDirectoryError", "generate_store"]
