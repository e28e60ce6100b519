#!/usr/bin/env bash
# Runs the test suite: both tiers, always. Set-up (tools/setup.sh) runs first;
# it takes seconds once done. Exits non-zero when a tier fails, and when Odoo
# 19 cannot be had: the Odoo side is never reported green untested.
#
#   tools/test.sh            both tiers
#   tools/test.sh pure       pure tier only (BigCommerce client, signatures,
#                            mapping, simulator; no database)
#   tools/test.sh odoo       Odoo tier only
#   tools/test.sh odoo TAGS  Odoo tier, only the tests Odoo's --test-tags
#                            TAGS select (e.g. /bigcommerce_connector:TestStoreTour),
#                            without the translation, uninstall and upgrade
#                            checks: the fast loop while working on a test
#
# The Odoo tier installs the addon on a fresh database and runs its tests
# with Odoo's own runner. The database starts as a copy of a cached template
# holding account and queue_job (click-odoo-initdb, keyed on those addons'
# content), so only the addon itself is installed each run. Then it checks
# that the addon uninstalls cleanly and installs with demo data.
#
# Environment: ODOO_PYTHON (an interpreter that runs Odoo 19; default
# ./.venv), PGHOST/PGPORT/PGUSER (default 127.0.0.1/5432/current user),
# BIGCOMMERCE_SPEC_DIR (see tools/setup.sh).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tiers=${1:-all}
test_tags=${2:-}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}

banner() { printf '\n%s\n%s\n%s\n' "========================================================================" "$1" "========================================================================"; }

pure_passed=0 pure_failed=0 odoo_passed=0 odoo_failed=0 rc=0
# The last release whose data the upgrade check migrates (19.0.1.0.0).
UPGRADE_FROM=5d2dab2

banner "Set-up (tools/setup.sh)"
if ! bash tools/setup.sh; then
    banner "TESTS NOT RUN: the set-up failed (its last lines above say why and what to do)."
    echo "0 passed, 1 failed"
    exit 1
fi
py=${ODOO_PYTHON:-$repo/.venv/bin/python}
export BIGCOMMERCE_SPEC_DIR=${BIGCOMMERCE_SPEC_DIR:-$(readlink -f .cache/bigcommerce-reference)}
tmp=$(mktemp -d -t bigcommerce-tests.XXXXXX)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

run_pure() {
    banner "Pure tier (BigCommerce client, signatures, mapping, simulator)"
    local out="$tmp/pure.log" prc
    # Configuration in pyproject.toml: plain "pytest" runs the same.
    "$py" -m pytest -q -p no:cacheprovider 2>&1 | tee "$out"
    prc=${PIPESTATUS[0]}
    pure_passed=$(grep -oE '[0-9]+ passed' "$out" | tail -1 | grep -oE '[0-9]+' || echo 0)
    pure_failed=$(tail -1 "$out" | grep -oE '[0-9]+ (failed|errors?)' | awk '{s+=$1} END {print s+0}')
    if [ "$prc" -ne 0 ]; then
        [ "$pure_failed" -gt 0 ] || pure_failed=1
        rc=1
    fi
}

ensure_postgres() {
    if command -v pg_isready >/dev/null && ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
        echo "PostgreSQL is not answering on $PGHOST:$PGPORT; trying to start it."
        command -v pg_ctlcluster >/dev/null && \
            pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start || true
        sleep 2
    fi
    pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null || psql -d postgres -Atc 'SELECT 1' >/dev/null 2>&1
}

free_port() {
    "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

psql_value() { psql -X -d "$1" -Atc "$2"; }

# Uninstalls the addon from database $1 (log in $2) and checks that it is
# gone: module state, its tables, and what its uninstall hook removes (the
# encryption key, and the external IDs of imported records: one is added
# first, as an import would, on a partner).
uninstall_cleanly() {
    psql_value "$1" "INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
                     VALUES ('__bigcommerce__', 'backend1_guest_check', 'res.partner', 1, true)" >/dev/null \
        && [ -n "$(psql_value "$1" "SELECT 1 FROM ir_config_parameter WHERE key = 'bigcommerce_connector.encryption_key'")" ] \
        && "$py" -m odoo module uninstall -c "$tmp/odoo.conf" -d "$1" bigcommerce_connector >"$2" 2>&1 \
        && ! grep -qE " (ERROR|CRITICAL) " "$2" \
        && [ "$(psql_value "$1" "SELECT state FROM ir_module_module WHERE name = 'bigcommerce_connector'")" = uninstalled ] \
        && [ -z "$(psql_value "$1" "SELECT to_regclass('bigcommerce_backend')")" ] \
        && [ "$(psql_value "$1" "SELECT count(*) FROM ir_model_data WHERE module = '__bigcommerce__'")" = 0 ] \
        && [ "$(psql_value "$1" "SELECT count(*) FROM ir_config_parameter WHERE key = 'bigcommerce_connector.encryption_key'")" = 0 ]
}

# A fresh database $1 holding account and queue_job (demo data when $2 is
# "demo"), copied from a cached template.
new_database() {
    local demo_flag=--no-demo
    [ "${2:-}" = demo ] && demo_flag=--demo
    "$py" -m click_odoo_contrib.initdb -c "$tmp/odoo.conf" -n "$1" -m account,queue_job \
        "$demo_flag" --cache-prefix bctpl --cache-max-size 4 >"$tmp/initdb-$1.log" 2>&1 \
        || { tail -n 30 "$tmp/initdb-$1.log"; return 1; }
}

drop() { dropdb --if-exists --force "$1" >/dev/null 2>&1; }

run_odoo() {
    banner "Odoo tier: install bigcommerce_connector on a fresh database and run its tests"
    if ! ensure_postgres; then
        echo "PostgreSQL does not answer on $PGHOST:$PGPORT: start it, then run this again."
        odoo_failed=1 rc=1
        return
    fi
    local addons_path db db_demo log orc t0
    odoo_root=$("$py" -c 'import odoo.release as r, os; print(os.path.dirname(os.path.dirname(os.path.realpath(r.__file__))))')
    # A copy of the addon's own files, as git would ship them, under the
    # addon's technical name (the checkout also holds .venv and .cache).
    mkdir -p "$tmp/addons/bigcommerce_connector"
    git ls-files -co --exclude-standard -z \
        | while IFS= read -r -d "" f; do [ -f "$f" ] && printf "%s\0" "$f"; done \
        | xargs -0 cp --parents -t "$tmp/addons/bigcommerce_connector"
    addons_path="$tmp/addons,$odoo_root/addons"
    db="bc_test_$(date +%s)_$$"
    db_demo="${db}_demo"
    log="$tmp/odoo-tests.log"
    # One configuration file, so that every odoo command (server, module,
    # click-odoo) sees the same addons path and database server.
    cat >"$tmp/odoo.conf" <<CONF
[options]
addons_path = $addons_path
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
http_interface = 127.0.0.1
http_port = $(free_port)
workers = 0
max_cron_threads = 0
log_level = info
CONF
    t0=$(date +%s)
    if ! new_database "$db"; then
        echo "Could not create the test database from the template."
        odoo_failed=1 rc=1
        return
    fi
    echo "database $db ready in $(($(date +%s) - t0))s"
    "$py" -m odoo server -c "$tmp/odoo.conf" -d "$db" -i bigcommerce_connector \
        --test-tags "${test_tags:-/bigcommerce_connector}" --stop-after-init >"$log" 2>&1
    orc=$?
    # Errors, failures and warnings with their tracebacks.
    awk '/^[0-9]{4}-[0-9]{2}-[0-9]{2} / { show = ($0 ~ / (ERROR|CRITICAL|WARNING) /) } show' "$log" | tail -n 400
    # Odoo's own closing report: "N failed, N error(s) of N tests ...".
    local stats total=0 failures=0 errors=0
    stats=$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$log" | tail -1)
    [ -n "$stats" ] && read -r failures errors total <<<"$(echo "$stats" | grep -oE '[0-9]+' | paste -sd' ')"
    odoo_failed=$((failures + errors))
    odoo_passed=$((total - odoo_failed))
    echo "Odoo's runner: ${stats:-no report} (exit $orc, $(($(date +%s) - t0))s)"
    # No test of the Odoo tier may be skipped (a browser tour without a
    # browser, say): a skip would report green what was not tested.
    if grep -E " INFO [^ ]+ odoo\.[^ ]+: skipped " "$log" >"$tmp/skipped.log"; then
        echo "Tests were skipped, which the Odoo tier does not allow:"
        cat "$tmp/skipped.log"
        odoo_failed=$((odoo_failed + $(wc -l <"$tmp/skipped.log")))
        rc=1
    fi
    if [ "$orc" -ne 0 ] || [ "$total" -eq 0 ]; then
        echo "Odoo exited $orc after $total tests; last lines of its log:"
        tail -n 60 "$log"
        [ "$odoo_failed" -gt 0 ] || odoo_failed=1
        rc=1
    fi
    mkdir -p .ci/out && cp "$log" .ci/out/odoo-tests.log
    if [ -n "$test_tags" ]; then
        drop "$db"
        return
    fi

    banner "Odoo tier: the translation template is up to date"
    if "$py" -m odoo i18n export -c "$tmp/odoo.conf" -d "$db" -o "$tmp/check.pot" \
            bigcommerce_connector >"$tmp/i18n.log" 2>&1 \
        && diff <(sed '1,/^$/d' i18n/bigcommerce_connector.pot) <(sed '1,/^$/d' "$tmp/check.pot") >"$tmp/pot.diff"; then
        echo "i18n/bigcommerce_connector.pot: ok"
        odoo_passed=$((odoo_passed + 1))
    else
        echo "i18n/bigcommerce_connector.pot is not what the code gives: run tools/export_pot.sh"
        head -n 40 "$tmp/pot.diff" "$tmp/i18n.log"
        odoo_failed=$((odoo_failed + 1))
        rc=1
    fi

    banner "Odoo tier: uninstall, then install with demo data and uninstall again"
    t0=$(date +%s)
    if uninstall_cleanly "$db" "$tmp/uninstall.log" \
        && new_database "$db_demo" demo \
        && "$py" -m odoo server -c "$tmp/odoo.conf" -d "$db_demo" -i bigcommerce_connector \
            --stop-after-init >"$tmp/demo-install.log" 2>&1 \
        && ! grep -qE " (ERROR|CRITICAL) " "$tmp/demo-install.log" \
        && uninstall_cleanly "$db_demo" "$tmp/uninstall-demo.log"; then
        echo "uninstall, install with demo data and uninstall: ok ($(($(date +%s) - t0))s)"
        odoo_passed=$((odoo_passed + 1))
    else
        echo "uninstall, or install with demo data, FAILED:"
        grep -hE " (ERROR|CRITICAL) " "$tmp"/uninstall*.log "$tmp/demo-install.log" 2>/dev/null | head -40
        tail -n 30 "$tmp"/uninstall*.log "$tmp/demo-install.log" 2>/dev/null
        odoo_failed=$((odoo_failed + 1))
        rc=1
    fi
    drop "$db"
    drop "$db_demo"

    banner "Odoo tier: upgrade from release 19.0.1.0.0 (its data, then this code's migration)"
    t0=$(date +%s)
    if check_upgrade "${db}_upgrade"; then
        echo "upgrade: ok ($(($(date +%s) - t0))s)"
        odoo_passed=$((odoo_passed + 1))
    else
        echo "upgrade FAILED:"
        grep -hE " (ERROR|CRITICAL) |Error|assert" "$tmp"/upgrade-*.log | head -30
        tail -n 20 "$tmp"/upgrade-*.log
        odoo_failed=$((odoo_failed + 1))
        rc=1
    fi
    drop "${db}_upgrade"
}

# Installs release 19.0.1.0.0 (from git history) on database $1, adds data
# of that release (tests/upgrade/seed_*.py), upgrades it to this checkout's
# code, and checks the data (tests/upgrade/check_*.py).
check_upgrade() {
    local old="$tmp/old-addons/bigcommerce_connector"
    mkdir -p "$old" && git archive "$UPGRADE_FROM" | tar -x -C "$old" || return 1
    sed "s|^addons_path = .*|addons_path = $tmp/old-addons,$odoo_root/addons|" "$tmp/odoo.conf" >"$tmp/old.conf"
    new_database "$1" \
        && "$py" -m odoo server -c "$tmp/old.conf" -d "$1" -i bigcommerce_connector \
            --stop-after-init >"$tmp/upgrade-install.log" 2>&1 \
        && "$py" -m odoo shell -c "$tmp/old.conf" -d "$1" --log-level=warn \
            <tests/upgrade/seed_19_0_1_0_0.py >"$tmp/upgrade-seed.log" 2>&1 \
        && grep -q '^seeded$' "$tmp/upgrade-seed.log" \
        && "$py" -m odoo server -c "$tmp/odoo.conf" -d "$1" -u bigcommerce_connector \
            --stop-after-init >"$tmp/upgrade-update.log" 2>&1 \
        && ! grep -qE " (ERROR|CRITICAL) " "$tmp/upgrade-update.log" \
        && "$py" -m odoo shell -c "$tmp/odoo.conf" -d "$1" --log-level=warn \
            <tests/upgrade/check_19_0_2_0_0.py >"$tmp/upgrade-check.log" 2>&1 \
        && grep -q '^upgrade ok$' "$tmp/upgrade-check.log"
}

case "$tiers" in
    pure) run_pure ;;
    odoo) run_odoo ;;
    *) run_pure; run_odoo ;;
esac

banner "Summary"
[ "$tiers" = odoo ] || echo "pure tier: $pure_passed passed, $pure_failed failed"
[ "$tiers" = pure ] || echo "odoo tier: $odoo_passed passed, $odoo_failed failed"
echo "$((pure_passed + odoo_passed)) passed, $((pure_failed + odoo_failed)) failed"
exit $rc
