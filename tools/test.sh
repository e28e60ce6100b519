#!/usr/bin/env bash
# Runs the test suite: the pure tier always, the Odoo tier where Odoo 19 is
# importable (see tools/odoo-python.sh). Exits non-zero if any tier fails.
#
#   tools/test.sh            both tiers
#   tools/test.sh pure       pure tier only
#   tools/test.sh odoo       Odoo tier only
#
# Environment: ODOO_PYTHON (interpreter with Odoo 19), ODOO_ADDONS_PATH
# (Odoo's addons, default: the "addons" folder beside the odoo package),
# PGHOST/PGPORT/PGUSER (default 127.0.0.1/5432/current user),
# BIGCOMMERCE_SPEC_DIR (default ../shared/bigcommerce/reference).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tiers=${1:-all}
odoo_py=$(bash tools/odoo-python.sh || true)

banner() { printf '\n%s\n%s\n%s\n' "========================================================================" "$1" "========================================================================"; }

pure_passed=0 pure_failed=0 odoo_passed=0 odoo_failed=0 rc=0

run_pure() {
    local py=${odoo_py:-}
    [ -n "$py" ] || { [ -x .venv/bin/python ] && py=.venv/bin/python; } || py=python3
    banner "Pure tier (BigCommerce client, signatures, mapping, simulator) with $py"
    local out
    out=$(mktemp)
    "$py" -P -m pytest --rootdir tests/pure --import-mode=importlib -p no:odoo -p no:cacheprovider -q tests/pure 2>&1 | tee "$out"
    local prc=${PIPESTATUS[0]}
    pure_passed=$(grep -oE '[0-9]+ passed' "$out" | tail -1 | grep -oE '[0-9]+' || echo 0)
    pure_failed=$(grep -oE '[0-9]+ (failed|errors?)' "$out" | awk '{s+=$1} END {print s+0}')
    rm -f "$out"
    if [ "$prc" -ne 0 ]; then
        [ "$pure_failed" -gt 0 ] || pure_failed=1
        rc=1
    fi
}

ensure_postgres() {
    local host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432}
    if command -v pg_isready >/dev/null && ! pg_isready -q -h "$host" -p "$port"; then
        echo "PostgreSQL is not answering on $host:$port; trying to start it."
        command -v pg_ctlcluster >/dev/null && \
            pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start || true
        sleep 2
    fi
}

free_port() {
    "$odoo_py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

psql_value() {
    psql -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-$(id -un)}" -d "$1" -Atc "$2"
}

# Uninstalls the addon from database $1 (log in $2) and checks that it is
# gone: module state, and its tables.
uninstall_cleanly() {
    "$odoo_py" -m odoo module uninstall -c "$tmp/odoo.conf" -d "$1" bigcommerce_connector >"$2" 2>&1 \
        && ! grep -qE " (ERROR|CRITICAL) " "$2" \
        && [ "$(psql_value "$1" "SELECT state FROM ir_module_module WHERE name = 'bigcommerce_connector'")" = uninstalled ] \
        && [ -z "$(psql_value "$1" "SELECT to_regclass('bigcommerce_backend')")" ]
}

run_odoo() {
    if [ -z "$odoo_py" ]; then
        banner "ODOO TIER SKIPPED: Odoo 19 is not importable on this machine.
No Python here can 'import odoo' at version 19 (tried \$ODOO_PYTHON, ./.venv,
/opt/*/bin/python3, python3). The Odoo-side behaviour was NOT tested.
Install Odoo 19.0 (README.rst, 'Prerequisites'), then tools/setup.sh."
        return
    fi
    ensure_postgres
    local odoo_root addons_path tmp db db_demo port log
    odoo_root=$("$odoo_py" -c 'import odoo.release as r, os; print(os.path.dirname(os.path.dirname(os.path.realpath(r.__file__))))')
    tmp=$(mktemp -d)
    # The addon's technical name does not depend on the checkout folder.
    ln -s "$repo" "$tmp/bigcommerce_connector"
    addons_path="$tmp,${ODOO_ADDONS_PATH:-$odoo_root/addons}"
    db="bc_test_$(date +%s)_$$"
    db_demo="${db}_demo"
    port=$(free_port)
    log="$tmp/odoo-tests.log"
    # A configuration file, so that every odoo command (server, module) sees
    # the same addons path and database.
    cat >"$tmp/odoo.conf" <<CONF
[options]
addons_path = $addons_path
db_host = ${PGHOST:-127.0.0.1}
db_port = ${PGPORT:-5432}
db_user = ${PGUSER:-$(id -un)}
http_interface = 127.0.0.1
http_port = $port
workers = 0
max_cron_threads = 0
log_level = info
CONF
    local common=(-c "$tmp/odoo.conf")

    banner "Odoo tier: install bigcommerce_connector on a fresh database ($db) and run its tests"
    "$odoo_py" -m odoo server "${common[@]}" -d "$db" -i bigcommerce_connector \
        --test-tags /bigcommerce_connector --stop-after-init >"$log" 2>&1
    local orc=$?
    # Errors, failures and warnings with their tracebacks, then the counts.
    awk '/^[0-9]{4}-[0-9]{2}-[0-9]{2} / { show = ($0 ~ / (ERROR|CRITICAL|WARNING) /) } show' "$log" | tail -n 400
    local stats total failures errors
    # Odoo's own report: "N failed, N error(s) of N tests when loading database"
    stats=$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests when loading database" "$log" | tail -1)
    echo "Odoo's report: ${stats:-none}"
    if [ -n "$stats" ]; then
        read -r failures errors total <<<"$(echo "$stats" | grep -oE '[0-9]+' | head -3 | paste -sd' ')"
    else
        failures=0 errors=0 total=0
    fi
    odoo_failed=$((failures + errors))
    odoo_passed=$((total - odoo_failed))
    if [ "$orc" -ne 0 ] || [ "$total" -eq 0 ]; then
        echo "Odoo run exited $orc with $total tests; last lines of its log:"
        tail -n 60 "$log"
        [ "$odoo_failed" -gt 0 ] || odoo_failed=1
        rc=1
    fi
    echo "odoo tests: $odoo_passed passed, $odoo_failed failed"

    banner "Odoo tier: uninstall (database of the tests), install with demo data and uninstall ($db_demo)"
    if uninstall_cleanly "$db" "$tmp/uninstall.log" \
        && "$odoo_py" -m odoo server "${common[@]}" -d "$db_demo" --with-demo \
            -i bigcommerce_connector --stop-after-init >"$tmp/demo.log" 2>&1 \
        && ! grep -qE " (ERROR|CRITICAL) " "$tmp/demo.log" \
        && uninstall_cleanly "$db_demo" "$tmp/uninstall-demo.log"; then
        echo "uninstall, install with demo data and uninstall: ok"
        odoo_passed=$((odoo_passed + 1))
    else
        echo "uninstall, or install with demo data, FAILED:"
        grep -hE " (ERROR|CRITICAL) " "$tmp"/uninstall*.log "$tmp/demo.log" 2>/dev/null | head -40
        tail -n 30 "$tmp"/uninstall*.log "$tmp/demo.log" 2>/dev/null
        odoo_failed=$((odoo_failed + 1))
        rc=1
    fi

    banner "Odoo tier: the README's demo, end to end (tools/demo.sh on a fresh database)"
    local demo_db="${db}_e2e"
    if DEMO_EXIT=1 DEMO_DB="$demo_db" DEMO_PORT="$(free_port)" DEMO_SIM_PORT="$(free_port)" \
            DEMO_LOG_DIR="$tmp/demo" ODOO_PYTHON="$odoo_py" bash tools/demo.sh >"$tmp/demo-e2e.log" 2>&1; then
        sed -n '/Summary/,/Took/p' "$tmp/demo-e2e.log"
        echo "demo: ok"
        odoo_passed=$((odoo_passed + 1))
    else
        echo "demo FAILED:"
        tail -n 40 "$tmp/demo-e2e.log"
        odoo_failed=$((odoo_failed + 1))
        rc=1
    fi
    dropdb --if-exists -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-$(id -un)}" "$demo_db" >/dev/null 2>&1

    # Keep the full log of the last run for reading after the fact.
    mkdir -p .ci/out && cp "$log" .ci/out/odoo-tests.log

    dropdb --if-exists -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-$(id -un)}" "$db" >/dev/null 2>&1
    dropdb --if-exists -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-$(id -un)}" "$db_demo" >/dev/null 2>&1
    rm -rf "$tmp"
}

case "$tiers" in
    pure) run_pure ;;
    odoo) run_odoo ;;
    *) run_pure; run_odoo ;;
esac

banner "Summary"
echo "pure tier: $pure_passed passed, $pure_failed failed"
if [ -n "$odoo_py" ]; then
    echo "odoo tier: $odoo_passed passed, $odoo_failed failed"
else
    echo "odoo tier: SKIPPED (Odoo 19 not importable)"
fi
echo "$((pure_passed + odoo_passed)) passed, $((pure_failed + odoo_failed)) failed"
exit $rc
