#!/usr/bin/env bash
# Takes the README's and the Odoo Apps description's screenshots from the
# demo, in headless Chromium (1400 x 900; the lists at 1366 x 768, a
# laptop's screen, on which their columns must fit), into static/description/:
#
#   bash tools/screenshots.sh
#
# Runs the demo (tools/demo.sh, which sets up what it needs), waits until
# its jobs are done and it keeps running, takes the screenshots
# (tools/screenshots.py), then stops the demo. Needs Debian's chromium (the
# browser tests' too). Environment: as tools/demo.sh.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
log=$(mktemp -t bigcommerce-shots.XXXXXX)
trap 'rm -f "$log"' EXIT
DEMO_EXIT=0 setsid bash tools/demo.sh >"$log" 2>&1 &
demo=$!
stop_demo() { kill -INT -- "-$demo" 2>/dev/null; wait "$demo" 2>/dev/null; }
deadline=$(($(date +%s) + ${DEMO_SHOTS_WAIT:-900}))
until grep -q "keep running; press Ctrl-C" "$log"; do
    if ! kill -0 "$demo" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
        tail -n 30 "$log"
        stop_demo
        echo "SCREENSHOTS NOT TAKEN: the demo did not come up (its log is above)." >&2
        exit 1
    fi
    sleep 2
done
py=${ODOO_PYTHON:-$repo/.venv/bin/python}
"$py" tools/screenshots.py --url "http://127.0.0.1:${DEMO_PORT:-8069}" \
    --db "${DEMO_DB:-bigcommerce_demo}" --out static/description
rc=$?
stop_demo
exit $rc
