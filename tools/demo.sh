#!/usr/bin/env bash
# See it work: from an empty database to posted invoices.
#
#   bash tools/demo.sh                 demo, then keep Odoo and the store running (Ctrl-C stops)
#   DEMO_EXIT=1 bash tools/demo.sh     demo, stop, and exit 0 when invoices were posted,
#                                      nothing failed, the books are right, the first
#                                      reconciliation is clean and the second shows
#                                      the provoked failure
#
# 1. runs tools/setup.sh (seconds once done);
# 2. drops and recreates the database $DEMO_DB, installs the connector and
#    configures a store against the simulator (tools/demo_configure.py);
# 3. starts Odoo on 127.0.0.1:$DEMO_PORT with the job runner, and the
#    simulated store on 127.0.0.1:$DEMO_SIM_PORT, which sends a signed
#    webhook for each of its orders; tests the store's connection again now
#    that the store answers (tools/demo_connect.py);
# 4. when the jobs have run, deals with what the store holds as an
#    accountant does before closing the month: the orders its status rules
#    hold released on the store, the three orders of unknown SKUs held as
#    failures cleared one way each (tools/demo_month_end.py);
# 5. prints what became of every order of the store
#    and the trial balance of the demo period, checked against the store
#    (tools/demo_summary.py), with a line for each order that shows a
#    less common case (a fee, the store's exchange rate, unknown SKUs),
#    and where to look;
# 6. reconciles the demo period (month-end), clean, then again after a
#    failure provoked on purpose, which it shows (tools/demo_reconcile.py).
#
# It shows; the end-to-end test (tests/test_demo_store.py) asserts.
#
# Environment (defaults in brackets): DEMO_DB [bigcommerce_demo],
# DEMO_PORT [8069], DEMO_SIM_PORT [8765], DEMO_ORDERS [36], DEMO_CUSTOMERS
# [10], DEMO_SEED [42], DEMO_WAIT [180] seconds for the jobs, DEMO_EXIT [0],
# DEMO_LOG_DIR [.ci/out/demo]; ODOO_PYTHON, PGHOST/PGPORT/PGUSER as for
# tools/test.sh. Nothing listens beyond 127.0.0.1.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
db=${DEMO_DB:-bigcommerce_demo} port=${DEMO_PORT:-8069} sim_port=${DEMO_SIM_PORT:-8765}
log_dir=${DEMO_LOG_DIR:-$repo/.ci/out/demo}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}
store=(--store-hash demo123 --token demo-token --client-secret demo-secret)
started=$(date +%s) odoo_pid='' sim_pid='' tmp=''

step() { printf '\n==> [%3ss] %s\n' "$(($(date +%s) - started))" "$*"; }
die() { echo "DEMO FAILED: $*" >&2; exit 1; }
stop_all() {
    for pid in $sim_pid $odoo_pid; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    sim_pid='' odoo_pid=''
}
trap 'stop_all; [ -n "$tmp" ] && rm -rf "$tmp"' EXIT
trap 'echo; echo "Stopping Odoo and the simulator."; exit 130' INT TERM
# until_ok SECONDS PID COMMAND...: 0 once COMMAND succeeds, 1 on time-out or when PID ended.
until_ok() {
    local deadline=$(($(date +%s) + $1)) pid=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 1
    done
}
export DEMO_SEED=${DEMO_SEED:-42} DEMO_CUSTOMERS=${DEMO_CUSTOMERS:-10} DEMO_ORDERS=${DEMO_ORDERS:-36}
shell() { "$odoo_py" -m odoo shell -c "$conf" -d "$db" --log-level=warn <"$1" 2>>"$log_dir/shell.log"; }

step "Set-up (tools/setup.sh)"
bash tools/setup.sh || die "the set-up failed; its last lines above say why and what to do."
odoo_py=${ODOO_PYTHON:-$repo/.venv/bin/python}
export BIGCOMMERCE_SPEC_DIR=${BIGCOMMERCE_SPEC_DIR:-$(readlink -f .cache/bigcommerce-reference)}
for p in "$port" "$sim_port"; do
    ! curl -s -o /dev/null "http://127.0.0.1:$p" || die "port $p is in use (set DEMO_PORT / DEMO_SIM_PORT)."
done
mkdir -p "$log_dir" && tmp=$(mktemp -d -t bigcommerce-demo.XXXXXX)
ln -s "$repo" "$tmp/bigcommerce_connector"
conf=$tmp/odoo.conf
cat >"$conf" <<CONF
[options]
addons_path = $tmp,$("$odoo_py" -c 'import odoo.release as r, os; print(os.path.dirname(os.path.dirname(os.path.realpath(r.__file__))))')/addons
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_name = $db
dbfilter = ^$db\$
list_db = False
http_interface = 127.0.0.1
http_port = $port
workers = 0
max_cron_threads = 1
server_wide_modules = base,web,queue_job

[bigcommerce_connector]
; the simulated store's API answers on this host, not on BigCommerce's
api_hosts = http://127.0.0.1:$sim_port

[queue_job]
channels = root:2,root.bigcommerce:2,root.bigcommerce.history:1
CONF

step "Database $db: drop, create, install the connector, configure the store"
dropdb --if-exists --force "$db" || die "could not drop database $db."
# account and queue_job come from a cached template (click-odoo-initdb).
"$odoo_py" -m click_odoo_contrib.initdb -c "$conf" -n "$db" -m account,queue_job --no-demo \
    --cache-prefix bctpl --cache-max-size 4 >"$log_dir/install.log" 2>&1 \
    && "$odoo_py" -m odoo server -c "$conf" -d "$db" -i bigcommerce_connector --stop-after-init \
        >>"$log_dir/install.log" 2>&1 \
    || die "installation failed, see $log_dir/install.log"
DEMO_ODOO_URL="http://127.0.0.1:$port" DEMO_SIM_URL="http://127.0.0.1:$sim_port" \
    shell tools/demo_configure.py | tee "$log_dir/configure.out" | grep -v '^webhook_url=' \
    || die "configuration failed, see $log_dir/shell.log"
webhook_url=$(sed -n 's/^webhook_url=//p' "$log_dir/configure.out")
[ -n "$webhook_url" ] || die "the configuration printed no webhook URL, see $log_dir/shell.log"

step "Odoo on http://127.0.0.1:$port (with the job runner), then the store on :$sim_port"
"$odoo_py" -m odoo server -c "$conf" >"$log_dir/odoo.log" 2>&1 &
odoo_pid=$!
until_ok 120 "$odoo_pid" curl -sf -o /dev/null "http://127.0.0.1:$port/web/health" \
    || die "Odoo did not start, see $log_dir/odoo.log"
PYTHONPATH="$repo/tests" "$odoo_py" -m simulator --port "$sim_port" --seed "$DEMO_SEED" \
    --orders "$DEMO_ORDERS" --customers "$DEMO_CUSTOMERS" "${store[@]}" \
    --deliver-webhooks-to "$webhook_url" --customer-activity --showcase >"$log_dir/simulator.log" 2>&1 &
sim_pid=$!
until_ok 180 "$sim_pid" grep -q '^Serving; press Ctrl+C' "$log_dir/simulator.log" \
    || die "the simulator did not send its webhooks, see $log_dir/simulator.log"
sed -n 's/^  data  */store: /p; s/^  customers  */store: /p; /^webhooks delivered per status:/,/^Serving/p' "$log_dir/simulator.log" | sed '$d'
# The store was saved before its simulator ran: its connection test failed.
shell tools/demo_connect.py | tee "$log_dir/connect.out" | grep -v '^state=' \
    || die "the store does not answer, see $log_dir/connect.out and $log_dir/shell.log"

step "Waiting for the import jobs (at most ${DEMO_WAIT:-180} s)"
# The summary is run until no job is left; its last run is the one shown.
jobs_done() {
    shell tools/demo_summary.py >"$log_dir/summary.out"
    echo $? >"$log_dir/summary.rc"
    grep -q '^jobs_pending=0 ' "$log_dir/summary.out"
}
until_ok "${DEMO_WAIT:-180}" "$odoo_pid" jobs_done || echo "Some jobs are still waiting."

step "Before the month-end: what the store holds, dealt with"
shell tools/demo_month_end.py | tee "$log_dir/month_end.out"
[ "${PIPESTATUS[0]}" = 0 ] || die "the month-end fixes failed, see $log_dir/shell.log"

step "What became of every order, and the books"
until_ok "${DEMO_WAIT:-180}" "$odoo_pid" jobs_done || echo "Some jobs are still waiting."
cat "$log_dir/summary.out"
summary_rc=$(cat "$log_dir/summary.rc")
[ "$summary_rc" = 0 ] || echo "THE DEMO'S BOOKS DO NOT MATCH THE STORE: see the WRONG lines above." >&2
step "Month-end: the demo period reconciled, then again after a failure provoked on purpose"
shell tools/demo_reconcile.py | tee "$log_dir/reconcile.out"
reconcile_rc=${PIPESTATUS[0]}
[ "$reconcile_rc" = 0 ] || echo "THE RECONCILIATION DID NOT SHOW WHAT IT SHOULD: see above." >&2
read -r posted failures books state <<<"$(sed -n 's/^jobs_pending=[0-9]* posted=\([0-9]*\) failures=\([0-9]*\) books=\([a-z]*\) state=\([a-z]*\)$/\1 \2 \3 \4/p' "$log_dir/summary.out")"
cat <<OPEN

Took $(($(date +%s) - started)) s; logs in $log_dir. Open
http://127.0.0.1:$port/odoo/action-bigcommerce_connector.bigcommerce_order_action
and log in as admin / admin.
OPEN

if [ "${DEMO_EXIT:-0}" = 1 ]; then
    [ "${posted:-0}" -ge 1 ] && [ "${failures:-1}" = 0 ] && [ "$summary_rc" = 0 ] \
        && [ "${books:-}" = ok ] && [ "${state:-}" = connected ] && [ "$reconcile_rc" = 0 ] \
        && { echo "DEMO OK"; exit 0; }
    die "${posted:-0} invoice(s) posted, ${failures:-?} failure(s), books ${books:-?}, store ${state:-?}."
fi
echo "Odoo and the simulated store keep running; press Ctrl-C to stop both."
wait -n "$odoo_pid" "$sim_pid"
echo "Odoo or the simulator stopped on its own; see $log_dir."
exit 1
