#!/usr/bin/env bash
# Exports the addon's translatable terms to i18n/bigcommerce_connector.pot.
#
# From a copy of the addon's own files (what git would ship: the checkout
# also holds .venv and .cache, whose terms are not the addon's), installed on
# a database copied from the tests' cached template. The Odoo tier of
# tools/test.sh fails when the committed file is not what this gives.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash tools/setup.sh >/dev/null
py=${ODOO_PYTHON:-$repo/.venv/bin/python}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}
tmp=$(mktemp -d -t bigcommerce-pot.XXXXXX)
db="bc_pot_$$"
trap 'dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/addons/bigcommerce_connector"
git ls-files -co --exclude-standard -z \
        | while IFS= read -r -d "" f; do [ -f "$f" ] && printf "%s\0" "$f"; done \
        | xargs -0 cp --parents -t "$tmp/addons/bigcommerce_connector"
odoo_root=$("$py" -c 'import odoo.release as r, os; print(os.path.dirname(os.path.dirname(os.path.realpath(r.__file__))))')
cat >"$tmp/odoo.conf" <<CONF
[options]
addons_path = $tmp/addons,$odoo_root/addons
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
CONF
"$py" -m click_odoo_contrib.initdb -c "$tmp/odoo.conf" -n "$db" -m account,queue_job --no-demo \
    --cache-prefix bctpl --cache-max-size 4 >"$tmp/log" 2>&1
"$py" -m odoo server -c "$tmp/odoo.conf" -d "$db" -i bigcommerce_connector --stop-after-init >>"$tmp/log" 2>&1
mkdir -p i18n
"$py" -m odoo i18n export -c "$tmp/odoo.conf" -d "$db" -o i18n/bigcommerce_connector.pot \
    bigcommerce_connector >>"$tmp/log" 2>&1
echo "i18n/bigcommerce_connector.pot: $(grep -c '^msgid ' i18n/bigcommerce_connector.pot) terms"
