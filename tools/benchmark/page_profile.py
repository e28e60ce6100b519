# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Part of measurement 5: a profile of the first sync's page job, on a
store of its own, by ``tools/bench_page_profile.py`` in an ``odoo shell``
on the same database, the server stopped; and part of measurement 1: an
acknowledgement for that store, alone (``tools/bench_ack_profile.py``).

The script runs the store's simulator in its own process, on the port after
the benchmark's three stores: the configuration allows it as an API host.
"""

import json

from .addon import REPO

SCRIPT = REPO / "tools" / "bench_page_profile.py"
ACK_SCRIPT = REPO / "tools" / "bench_ack_profile.py"


def page_profile_port(args):
    """The port of the page profile's simulated store."""
    return args.sim_port + 3


def phase_page_profile(odoo, args, urls):
    """List a generated store's history and run its page jobs: the first
    unmeasured, some under cProfile, the others timed.

    :param urls: the benchmark's stores (allowed as API hosts with the
        page profile's own).
    :return: what the script measured (its ``top`` is the profile's text).
    """
    port = page_profile_port(args)
    conf = odoo.conf(2, [*urls, f"http://127.0.0.1:{port}"])
    return odoo.run_script(
        conf,
        SCRIPT,
        {
            "BENCH_PAGES": json.dumps(
                {
                    "orders": args.page_orders,
                    "seed": args.seed + 3,
                    "port": port,
                    "span_days": args.sync_span_days,
                    "profiled": args.page_profiled,
                }
            )
        },
    )


def phase_ack_alone(odoo, args, urls):
    """What an acknowledgement costs on its own (``tools/bench_ack_profile.py``):
    signed deliveries for the page profile's store through Odoo's WSGI
    application, in an ``odoo shell``, nothing else running; timed, their
    statements counted, then profiled. The jobs and logs they make are
    deleted after.

    :return: what the script measured.
    """
    conf = odoo.conf(2, [*urls, f"http://127.0.0.1:{page_profile_port(args)}"])
    return odoo.run_script(
        conf,
        ACK_SCRIPT,
        {"BENCH_ACK": json.dumps({"store": "benchpages", "deliveries": 300})},
    )
