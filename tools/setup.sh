#!/usr/bin/env bash
# Installs the connector's Python dependencies.
#
# Into the Python that runs Odoo 19 when there is one (ODOO_PYTHON, or found
# as tools/odoo-python.sh finds it), so that both test tiers can run; else
# into ./.venv, for the pure tier only. Odoo itself is a prerequisite, see
# README.rst.
set -euo pipefail
cd "$(dirname "$0")/.."

py=$(bash tools/odoo-python.sh || true)
if [ -n "$py" ]; then
    echo "Odoo 19 found: installing into $py"
    # queue_job's wheel requires "odoo==19.0.*", which would drag Odoo's
    # unpinned dependencies along; Odoo is installed already, so skip them.
    "$py" -m pip install --quiet -r requirements.txt -r requirements-test.txt \
        "Werkzeug==2.2.2" "requests==2.31.0" "cryptography==3.4.8" "freezegun==1.2.1" \
        openupgradelib
    "$py" -m pip install --quiet --no-deps "odoo-addon-queue-job>=19.0.2,<19.1"
else
    echo "Odoo 19 not found: setting up ./.venv for the pure tier only"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/python -m pip install --quiet -r requirements.txt -r requirements-test.txt \
        "Werkzeug>=2.2,<3.1"
fi
echo "Set-up done."
