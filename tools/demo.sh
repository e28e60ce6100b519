#!/usr/bin/env bash
# See it work in five minutes: from an empty database to posted invoices.
#
#   bash tools/demo.sh                 demo, then keep Odoo and the store running (Ctrl-C stops)
#   DEMO_EXIT=1 bash tools/demo.sh     demo, stop, exit 0 when invoices were posted and
#                                      nothing failed (for scripts and CI)
#
# 1. drops and recreates the database $DEMO_DB and installs bigcommerce_connector;
# 2. configures it (tools/demo_configure.py, in an Odoo shell): the products,
#    sales taxes, currencies and accounts the demo store needs, and the store;
# 3. starts Odoo on 127.0.0.1:$DEMO_PORT with the job runner (queue_job) in-process;
# 4. starts the simulated BigCommerce store on 127.0.0.1:$DEMO_SIM_PORT, which sends
#    a signed store/order/created webhook for each order (incomplete orders excepted:
#    BigCommerce-side checkouts that were never finished are not invoiced);
# 5. waits until every import job has run and prints what the database holds.
#
# Environment (defaults in brackets):
#   DEMO_DB [bigcommerce_demo]  DEMO_PORT [8069]  DEMO_SIM_PORT [8765]
#   DEMO_ORDERS [36]  DEMO_CUSTOMERS [10]  DEMO_SEED [42]  the generated store
#   DEMO_WAIT [180]             seconds to wait for the import jobs
#   DEMO_EXPECTED_FAILURES []   BigCommerce order ids whose failure is expected
#                               (not counted against DEMO_EXIT's status)
#   DEMO_EXIT [0]               1: stop everything after the summary
#   DEMO_LOG_DIR [.ci/out/demo] logs of the install, Odoo and the simulator
#   ODOO_PYTHON, PGHOST/PGPORT/PGUSER, BIGCOMMERCE_SPEC_DIR: as for tools/test.sh.
#
# It runs tools/setup.sh first (Odoo 19, queue_job and the specs into
# ./.venv; seconds once done). PostgreSQL must be running. Nothing listens
# beyond 127.0.0.1.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1

db=${DEMO_DB:-bigcommerce_demo}
port=${DEMO_PORT:-8069}
sim_port=${DEMO_SIM_PORT:-8765}
orders=${DEMO_ORDERS:-36}
customers=${DEMO_CUSTOMERS:-10}
seed=${DEMO_SEED:-42}
wait_jobs=${DEMO_WAIT:-180}
expected_failures=${DEMO_EXPECTED_FAILURES:-}
exit_after=${DEMO_EXIT:-0}
log_dir=${DEMO_LOG_DIR:-$repo/.ci/out/demo}
store_hash=demo123 token=demo-token client_id=demo-client client_secret=demo-secret
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}
odoo_url="http://127.0.0.1:$port"
sim_url="http://127.0.0.1:$sim_port"
started=$(date +%s)

odoo_pid='' sim_pid='' tmp=''
step() { printf '\n==> [%3ss] %s\n' "$(($(date +%s) - started))" "$*"; }
die() {
    echo "DEMO FAILED: $*" >&2
    exit 1
}
stop_all() {
    local pid
    for pid in $sim_pid $odoo_pid; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in $sim_pid $odoo_pid; do
        for _ in $(seq 1 40); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    sim_pid='' odoo_pid=''
}
cleanup() {
    stop_all
    [ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo; echo "Stopping Odoo and the simulator."; exit 130' INT TERM

sql() { psql -X -q -At -F $'\t' -d "$db" -c "$1"; }
port_busy() {
    "$odoo_py" -c 'import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}
# wait_for SECONDS PID COMMAND...: 0 once COMMAND succeeds, 1 when the time is
# up, 2 when process PID has ended.
wait_for() {
    local limit=$1 pid=$2 deadline
    shift 2
    deadline=$(($(date +%s) + limit))
    until "$@" >/dev/null 2>&1; do
        [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 2
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 1
    done
}

# ---------------------------------------------------------------------------
step "Set-up (tools/setup.sh: Odoo 19, queue_job and the specs; seconds once done)"
bash tools/setup.sh || die "the set-up failed; its last lines above say why and what to do."
odoo_py=${ODOO_PYTHON:-$repo/.venv/bin/python}
export BIGCOMMERCE_SPEC_DIR=${BIGCOMMERCE_SPEC_DIR:-$(readlink -f .cache/bigcommerce-reference)}

step "Checking the machine"
odoo_root=$("$odoo_py" -c 'import odoo.release as r, os; print(os.path.dirname(os.path.dirname(os.path.realpath(r.__file__))))')
echo "Odoo: $odoo_py ($odoo_root)"
if command -v pg_isready >/dev/null && ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
    die "PostgreSQL does not answer on $PGHOST:$PGPORT."
fi
for p in "$port" "$sim_port"; do
    port_busy "$p" && die "port $p on 127.0.0.1 is in use (an earlier demo still running? set DEMO_PORT / DEMO_SIM_PORT)."
done
mkdir -p "$log_dir"
tmp=$(mktemp -d -t bigcommerce-demo.XXXXXX)
# The addon's technical name does not depend on the checkout folder.
ln -s "$repo" "$tmp/bigcommerce_connector"
conf=$tmp/odoo.conf
cat >"$conf" <<CONF
[options]
addons_path = $tmp,$odoo_root/addons
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
log_level = info
; the simulated store's API answers on this host, not on BigCommerce's
bigcommerce_api_hosts = http://127.0.0.1:$sim_port

[queue_job]
channels = root:2
CONF

# ---------------------------------------------------------------------------
step "Creating database $db and installing bigcommerce_connector"
PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists --force "$db" || die "could not drop database $db."
data_dir=$("$odoo_py" -c 'import sys; from odoo.tools import config; config.parse_config(["-c", sys.argv[1]]); print(config["data_dir"])' "$conf" 2>/dev/null)
[ -n "$data_dir" ] && rm -rf "${data_dir:?}/filestore/$db"
# account and queue_job come from a cached template database (click-odoo-initdb,
# keyed on those addons' content): only the connector is installed each time.
"$odoo_py" -m click_odoo_contrib.initdb -c "$conf" -n "$db" -m account,queue_job --no-demo \
    --cache-prefix bctpl --cache-max-size 4 >"$log_dir/install.log" 2>&1 \
    || { tail -n 30 "$log_dir/install.log"; die "could not create database $db, see $log_dir/install.log"; }
"$odoo_py" -m odoo server -c "$conf" -d "$db" -i bigcommerce_connector --stop-after-init \
    >>"$log_dir/install.log" 2>&1
install_rc=$?
if [ "$install_rc" -ne 0 ] || grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log_dir/install.log"; then
    grep -E ' (ERROR|CRITICAL) ' "$log_dir/install.log" | head -20
    tail -n 30 "$log_dir/install.log"
    die "installation failed (exit $install_rc), see $log_dir/install.log"
fi
echo "installed: $(sql "SELECT string_agg(name, ', ' ORDER BY name) FROM ir_module_module WHERE state = 'installed' AND name IN ('account', 'queue_job', 'bigcommerce_connector')")"

# ---------------------------------------------------------------------------
step "Configuring products, taxes, currencies, accounts and the store"
configure_out=$(
    DEMO_ODOO_URL=$odoo_url DEMO_SIM_URL=$sim_url DEMO_STORE_HASH=$store_hash \
    DEMO_TOKEN=$token DEMO_CLIENT_ID=$client_id DEMO_CLIENT_SECRET=$client_secret \
    DEMO_SEED=$seed DEMO_CUSTOMERS=$customers DEMO_ORDERS=$orders \
        "$odoo_py" -m odoo shell -c "$conf" -d "$db" --log-level=warn \
        <tools/demo_configure.py 2>"$log_dir/configure.log"
) || {
    echo "$configure_out"
    tail -n 30 "$log_dir/configure.log"
    die "configuration failed, see $log_dir/configure.log"
}
echo "$configure_out" | grep -v '^webhook_url='
webhook_url=$(echo "$configure_out" | sed -n 's/^webhook_url=//p' | tail -1)
[ -n "$webhook_url" ] || die "the configuration printed no webhook URL."
echo "webhook URL   $webhook_url"

# ---------------------------------------------------------------------------
step "Starting Odoo on $odoo_url (job runner in-process)"
"$odoo_py" -m odoo server -c "$conf" >"$log_dir/odoo.log" 2>&1 &
odoo_pid=$!
wait_for 120 "$odoo_pid" curl -sf -o /dev/null "$odoo_url/web/health"
case $? in
    0) echo "Odoo answers (pid $odoo_pid, log $log_dir/odoo.log)" ;;
    2) tail -n 30 "$log_dir/odoo.log"; die "Odoo stopped, see $log_dir/odoo.log" ;;
    *) die "Odoo did not answer within 120 s, see $log_dir/odoo.log" ;;
esac

# ---------------------------------------------------------------------------
step "Starting the simulated store on $sim_url; it sends the order webhooks"
"$odoo_py" -m simulator --port "$sim_port" --seed "$seed" --orders "$orders" \
    --customers "$customers" --store-hash "$store_hash" --token "$token" \
    --client-id "$client_id" --client-secret "$client_secret" \
    --deliver-webhooks-to "$webhook_url" >"$log_dir/simulator.log" 2>&1 &
sim_pid=$!
wait_for 180 "$sim_pid" grep -q '^Serving; press Ctrl+C' "$log_dir/simulator.log"
case $? in
    0) ;;
    2) cat "$log_dir/simulator.log"; die "the simulator stopped, see $log_dir/simulator.log" ;;
    *) die "the simulator did not finish sending webhooks within 180 s, see $log_dir/simulator.log" ;;
esac
sed -n 's/^  data  */store: /p' "$log_dir/simulator.log"
webhooks_sent=$(grep -c '^webhook order ' "$log_dir/simulator.log")
webhooks_ok=$(grep -c '^webhook order .*: HTTP 2' "$log_dir/simulator.log")
echo "webhooks: $webhooks_ok of $webhooks_sent accepted by Odoo (incomplete orders are not sent)"
sed -n '/^webhooks delivered per status:/,/^Serving/p' "$log_dir/simulator.log" | sed '1d;$d'

# ---------------------------------------------------------------------------
step "Waiting for the import jobs (at most $wait_jobs s)"
active_jobs() { sql "SELECT count(*) FROM queue_job WHERE state IN ('wait_dependencies', 'pending', 'enqueued', 'started')"; }
drained=0 shown=
deadline=$(($(date +%s) + wait_jobs))
while :; do
    progress=$(sql "SELECT count(*) FILTER (WHERE state IN ('done', 'failed', 'cancelled')),
                           count(*) FILTER (WHERE state IN ('wait_dependencies', 'pending', 'enqueued', 'started'))
                      FROM queue_job")
    IFS=$'\t' read -r done_n n <<<"$progress"
    if [ "$progress" != "$shown" ]; then
        if [ -t 1 ]; then printf '\r%s jobs done, %s to go   ' "$done_n" "$n"; else echo "$done_n jobs done, $n to go"; fi
        shown=$progress
    fi
    if [ "${n:-1}" = 0 ]; then drained=1; break; fi
    kill -0 "$odoo_pid" 2>/dev/null || { echo; die "Odoo stopped, see $log_dir/odoo.log"; }
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 2
done
[ -t 1 ] && echo

# ---------------------------------------------------------------------------
step "Summary (read from database $db)"
n_orders=$(sql "SELECT count(*) FROM bigcommerce_order")
n_posted=$(sql "SELECT count(*) FROM bigcommerce_order o JOIN account_move m ON m.id = o.move_id WHERE m.state = 'posted'")
echo "BigCommerce orders imported: $n_orders"
echo "Invoices posted:             $n_posted"
sql "SELECT c.name, count(*), to_char(sum(m.amount_total), 'FM999G999G990D00')
       FROM bigcommerce_order o
       JOIN account_move m ON m.id = o.move_id
       JOIN res_currency c ON c.id = m.currency_id
      WHERE m.state = 'posted'
      GROUP BY c.name ORDER BY c.name" |
    while IFS=$'\t' read -r cur count total; do
        printf '    %s  %3s invoices  total %12s\n' "$cur" "$count" "$total"
    done
n_draft=$(sql "SELECT count(*) FROM bigcommerce_order o JOIN account_move m ON m.id = o.move_id WHERE m.state <> 'posted'")
[ "$n_draft" = 0 ] || echo "Invoices not posted:         $n_draft"

expected_ids=" $(echo "$expected_failures" | tr ',' ' ') "
unexpected=0
failures=$(sql "SELECT external_id, regexp_replace(reason, '\s+', ' ', 'g') FROM bigcommerce_failure WHERE state <> 'resolved' ORDER BY external_id::int")
echo "Import failures:             $(printf '%s' "$failures" | grep -c .)"
while IFS=$'\t' read -r ext reason; do
    [ -n "$ext" ] || continue
    if [[ $expected_ids == *" $ext "* ]]; then
        echo "    order #$ext (expected): $reason"
    else
        echo "    order #$ext: $reason"
        unexpected=$((unexpected + 1))
    fi
done <<<"$failures"
failed_jobs=$(sql "SELECT coalesce(exc_name, ''), regexp_replace(coalesce(exc_message, ''), '\s+', ' ', 'g'), name FROM queue_job WHERE state = 'failed' ORDER BY id")
if [ -n "$failed_jobs" ]; then
    echo "Jobs failed (unexpected errors, see $log_dir/odoo.log):"
    while IFS=$'\t' read -r exc message name; do
        echo "    $name: $exc: $message"
        unexpected=$((unexpected + 1))
    done <<<"$failed_jobs"
fi
# Independent check against the store itself: every order it lists (it leaves
# incomplete ones out), but the cancelled or declined ones the connector does
# not invoice, has a posted invoice with the store's total.
store_totals=$("$odoo_py" - "$sim_url/stores/$store_hash/v2/orders" "$token" "$repo" <<'PY'
import sys
from decimal import Decimal

import requests

url, token, repo = sys.argv[1:4]
sys.path.insert(0, repo)
from bigcommerce.const import NOT_INVOICED_STATUS_IDS  # noqa: E402

headers = {"X-Auth-Token": token, "Accept": "application/json"}
for page in range(1, 100):
    response = requests.get(url, params={"page": page, "limit": 250}, headers=headers, timeout=30)
    response.raise_for_status()
    if response.status_code == 204 or not response.content:
        break
    for order in response.json():
        if order["status_id"] in NOT_INVOICED_STATUS_IDS:
            continue
        total = Decimal(order["total_inc_tax"]).quantize(Decimal("0.01"))
        print(f"{order['id']}\t{order['currency_code']}\t{total}")
PY
) || { echo "Could not read the orders from the store."; unexpected=$((unexpected + 1)); }
odoo_totals=$(sql "SELECT o.bigcommerce_id, c.name, to_char(m.amount_total, 'FM999999990D00')
                     FROM bigcommerce_order o
                     JOIN account_move m ON m.id = o.move_id
                     JOIN res_currency c ON c.id = m.currency_id
                    WHERE m.state = 'posted'")
mismatches=$(diff <(echo "$store_totals" | sort) <(echo "$odoo_totals" | sort) | grep '^[<>]')
store_count=$(printf '%s' "$store_totals" | grep -c .)
if [ -z "$mismatches" ]; then
    echo "Checked against the store:   all $store_count orders have a posted invoice for the store's total"
else
    echo "Checked against the store:   differences (< store, > Odoo; id, currency, total):"
    echo "$mismatches" | sed 's/^/    /'
    while read -r line; do
        [[ $expected_ids == *" $(echo "${line#[<>] }" | cut -f1) "* ]] || unexpected=$((unexpected + 1))
    done <<<"$mismatches"
fi
if [ "$drained" != 1 ]; then
    echo "Jobs still waiting after $wait_jobs s: $(active_jobs)"
    unexpected=$((unexpected + 1))
fi
skipped=$(sql "SELECT count(*) FROM queue_job WHERE state = 'done' AND result LIKE '%: not invoiced.%'")
[ "$skipped" = 0 ] || echo "Not invoiced (cancelled, declined, incomplete): $skipped"
echo "Took $(($(date +%s) - started)) s. Logs: $log_dir"
cat <<OPEN

Open $odoo_url/odoo/action-bigcommerce_connector.bigcommerce_order_action
and log in as admin / admin.
OPEN

ok=0
if [ "$n_posted" -ge 1 ] 2>/dev/null && [ "$unexpected" -eq 0 ]; then ok=1; fi

if [ "$exit_after" = 1 ]; then
    stop_all
    if [ "$ok" = 1 ]; then
        echo "DEMO OK"
        exit 0
    fi
    echo "DEMO FAILED: $n_posted invoice(s) posted, $unexpected unexpected problem(s)." >&2
    exit 1
fi

echo
echo "Odoo and the simulated store keep running; press Ctrl-C to stop both."
while kill -0 "$odoo_pid" 2>/dev/null && kill -0 "$sim_pid" 2>/dev/null; do
    wait -n "$odoo_pid" "$sim_pid" 2>/dev/null || sleep 1
done
echo "Odoo or the simulator stopped on its own; see $log_dir."
exit 1
