#!/usr/bin/env bash
# The benchmark: the connector against the limits it lives under, in one run.
#
#   bash tools/bench.sh [--sync-orders 10000] [other options of tools/bench.py]
#
# 1. runs tools/setup.sh (seconds once done);
# 2. drops and recreates the database $BENCH_DB, installs the connector;
# 3. runs tools/bench.py: four simulated stores (seeded generator), a real
#    Odoo 19 server in prefork mode with its queue_job runner (and, for the
#    two-tier deployment, a job tier beside it under nice -n 10), the
#    measurements, the profiles of the import and of the first sync's page
#    job; prints the table and writes it to BENCHMARKS.md with the machine
#    and the date.
#
# Environment (defaults in brackets): BENCH_DB [bigcommerce_bench],
# BENCH_PORT [8455] (Odoo, or the web tier of two; +1 for its gevent port),
# BENCH_JOBS_PORT [BENCH_PORT + 10] (the job tier of two; +1 likewise),
# BENCH_SIM_PORT [8457] (four simulated stores, +0..+3); ODOO_PYTHON,
# PGHOST/PGPORT/PGUSER as for tools/test.sh. Everything listens on
# 127.0.0.1 only. It takes about half an hour with the defaults (300 orders
# in the first sync, both deployments, a burst of 10,000 deliveries; the
# target is --sync-orders 10000).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
db=${BENCH_DB:-bigcommerce_bench} port=${BENCH_PORT:-8455} sim_port=${BENCH_SIM_PORT:-8457}
jobs_port=${BENCH_JOBS_PORT:-$((port + 10))}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}
die() { echo "BENCHMARK FAILED: $*" >&2; exit 1; }

bash tools/setup.sh || die "the set-up failed; its last lines above say why."
odoo_py=${ODOO_PYTHON:-$repo/.venv/bin/python}
export BIGCOMMERCE_SPEC_DIR=${BIGCOMMERCE_SPEC_DIR:-$(readlink -f .cache/bigcommerce-reference)}
for p in "$port" "$((port + 1))" "$jobs_port" "$((jobs_port + 1))" \
    "$sim_port" "$((sim_port + 1))" "$((sim_port + 2))" "$((sim_port + 3))"; do
    ! curl -s -o /dev/null "http://127.0.0.1:$p" \
        || die "port $p is in use (set BENCH_PORT / BENCH_JOBS_PORT / BENCH_SIM_PORT)."
done
tmp=$(mktemp -d -t bigcommerce-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ln -s "$repo" "$tmp/bigcommerce_connector"
addons="$tmp,$("$odoo_py" -c 'import odoo.release as r, os; print(os.path.dirname(os.path.dirname(os.path.realpath(r.__file__))))')/addons"
cat >"$tmp/install.conf" <<CONF
[options]
addons_path = $addons
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
http_interface = 127.0.0.1
http_port = $port
workers = 0
max_cron_threads = 0
CONF

echo "==> Database $db: drop, create, install the connector"
dropdb --if-exists --force "$db" || die "could not drop database $db."
"$odoo_py" -m click_odoo_contrib.initdb -c "$tmp/install.conf" -n "$db" -m account,queue_job \
    --no-demo --cache-prefix bctpl --cache-max-size 4 >"$tmp/install.log" 2>&1 \
    && "$odoo_py" -m odoo server -c "$tmp/install.conf" -d "$db" -i bigcommerce_connector \
        --stop-after-init >>"$tmp/install.log" 2>&1 \
    || { tail -20 "$tmp/install.log"; die "installation failed."; }

echo "==> Measuring"
"$odoo_py" tools/bench.py --db "$db" --addons-path "$addons" --port "$port" \
    --jobs-port "$jobs_port" --sim-port "$sim_port" "$@"
