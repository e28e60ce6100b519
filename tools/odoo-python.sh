#!/usr/bin/env bash
# Prints the path of a Python interpreter that can import Odoo 19, or fails.
# Order: $ODOO_PYTHON, ./.venv, /opt/*/bin (a virtualenv per Odoo), python3.
cd "$(dirname "$0")/.."
for cand in ${ODOO_PYTHON:-} ./.venv/bin/python /opt/*/bin/python3 "$(command -v python3)"; do
    [ -n "$cand" ] && [ -x "$cand" ] || continue
    if "$cand" -c "import odoo.release as r; assert r.version_info[0] == 19" >/dev/null 2>&1; then
        echo "$cand"
        exit 0
    fi
done
exit 1
