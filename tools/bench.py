# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The benchmark: the connector against the limits it lives under.

Run by ``tools/bench.sh`` (which prepares the database); see ``--help``.
The benchmark itself is the package ``tools/benchmark``: its ``__init__``
says what it measures, and which module does what.
"""

from benchmark import __doc__ as about
from benchmark.run import main

if __name__ == "__main__":
    main(about.split("\n\n")[0])
