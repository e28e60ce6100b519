"""Pure tier: the BigCommerce side of the connector, without Odoo.

The repository root is the addon itself, and its ``__init__`` (like
``tests/__init__``) imports Odoo. The pure packages (``bigcommerce``,
``simulator``) use relative imports only, so they are registered here as
top-level packages straight from their folders; nothing else of the addon is
imported. Run as tools/test.sh does: ``python -P -m pytest --rootdir tests/pure
--import-mode=importlib tests/pure`` (no cwd on sys.path, and test module
names that do not pass through ``tests/__init__``).
"""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _register(name):
    if name in sys.modules:
        return
    folder = ROOT / name
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


for _package in ("bigcommerce", "simulator"):
    if (ROOT / _package / "__init__.py").exists():
        _register(_package)
