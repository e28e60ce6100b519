# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the benchmark takes from the addon's repository: its simulator.

A plain Python package of the repository (``tests/simulator``, relative
imports only, no Odoo), loaded here from its folder as the pure test tier
loads it. The repository itself is never put
on ``sys.path``: its ``__init__`` imports Odoo's models.
"""

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _load_package(name, folder):
    """Import the package in ``folder`` as the top-level package ``name``,
    once; the later imports of it and of its modules find it registered."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_load_package("simulator", REPO / "tests" / "simulator")

from simulator import BigCommerceSimulator, generate_store  # noqa: E402
from simulator import webhooks as sim_webhooks  # noqa: E402

__all__ = [
    "REPO",
    "BigCommerceSimulator",
    "generate_store",
    "sim_webhooks",
]
