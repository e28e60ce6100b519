"""Pure tier: the BigCommerce side of the connector, without Odoo.

The repository root is the addon itself; its ``__init__`` imports Odoo.
The pure packages (``bigcommerce``, ``simulator``) use relative imports
only, so they are importable on their own once the repository root is on
``sys.path``. Run with ``--import-mode=importlib``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
