"""Pure tier: the BigCommerce side of the connector, without Odoo.

A pytest plugin, loaded by the configuration in ``pyproject.toml``, so that
plain ``pytest`` from the repository root runs this tier.

The repository root is the addon itself, and its ``__init__`` (like
``tests/__init__``) imports Odoo's models, which only Odoo can import. So:

- those two folders are collected as plain directories, never imported as
  packages (pytest would import a package's ``__init__`` for its set-up);
- the pure packages (``bigcommerce``, ``tests/simulator``) use relative
  imports only, and are registered here as top-level packages straight from
  their folders; nothing else of the addon is imported.
"""

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[2]

# The property tests try the same examples on every run (as in the Odoo
# tier's tests/__init__.py).
settings.register_profile("bigcommerce", derandomize=True, database=None)
settings.load_profile("bigcommerce")
ODOO_PACKAGES = {ROOT, ROOT / "tests"}


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path, parent):
    # With pytest-odoo (-p odoo --odoo-database=...), Odoo imports them.
    if parent.config.getoption("odoo_database", None):
        return None
    if path.resolve() in ODOO_PACKAGES:
        return pytest.Dir.from_parent(parent, path=path)
    return None


def _register(name, folder):
    if name in sys.modules:
        return
    folder = ROOT / folder
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


for _package, _folder in (
    ("bigcommerce", "bigcommerce"),
    ("simulator", "tests/simulator"),
):
    if (ROOT / _folder / "__init__.py").exists():
        _register(_package, _folder)
