# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the benchmark takes from the addon's repository: its simulator and
its status policy.

Both are plain Python packages of the repository (``tests/simulator`` and
``bigcommerce``, relative imports only, no Odoo), loaded here from their
folders as the pure test tier loads them. The repository itself is never put
on ``sys.path``: its ``__init__`` imports Odoo's models.

Which orders get a posted invoice is the addon's decision, not the
benchmark's: :func:`posts_invoice` asks ``bigcommerce.payments`` (the
default status rules and what counts as paid) and applies the store's own
rules, read from its database.
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


_load_package("bigcommerce", REPO / "bigcommerce")
_load_package("simulator", REPO / "tests" / "simulator")

from bigcommerce.payments import (  # noqa: E402
    ACTION_DRAFT,
    ACTION_POST,
    is_paid,
    status_action,
)
from simulator import BigCommerceSimulator, generate_store  # noqa: E402
from simulator import webhooks as sim_webhooks  # noqa: E402

__all__ = [
    "REPO",
    "BigCommerceSimulator",
    "generate_store",
    "posts_invoice",
    "sim_webhooks",
]


def posts_invoice(order, rules=None):
    """Whether the connector posts the invoice of ``order`` (a v2 order as
    BigCommerce serves it), with the store's posting policy at "post".

    The status decides (``bigcommerce.payments.status_action``: the store's
    ``rules``, ``{status id: action}``, else the default): posted at once,
    or in draft until BigCommerce reports the order paid, as the order
    importer's ``_after_import`` does; held and skipped orders get none.
    """
    action = status_action(order["status_id"], rules)
    return action == ACTION_POST or (action == ACTION_DRAFT and is_paid(order))
