#!/usr/bin/env bash
# Sets up everything the tests and the demo need, into this checkout:
#
#   1. checks the system packages that Odoo's requirements build against;
#   2. Odoo 19.0 Community source, from the first that exists:
#        $ODOO_SRC (a source folder, or a .tar.xz/.tar.gz archive of one),
#        ../shared/odoo/odoo-19.0.tar.xz (checked by sha256),
#        git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo;
#      unpacked into .cache/ (gitignored), never committed;
#   3. ./.venv with Odoo and its requirements (python-ldap left out), OCA
#      queue_job 19.0, the addon's runtime and test requirements and the
#      OCA tooling (click-odoo-contrib, pytest-odoo, whool);
#   4. BigCommerce's OpenAPI specs, from the first that exists:
#        $BIGCOMMERCE_SPEC_DIR, ../shared/bigcommerce/reference, or a download
#        of the reference/ folder of bigcommerce/docs at a pinned commit,
#        checked by sha256; .cache/bigcommerce-reference points at them.
#
# ODOO_PYTHON: an interpreter that already runs Odoo 19. It is used as it is
# (Odoo is not installed into it; the addon's requirements and queue_job are).
# Without it, only ./.venv is used: nothing else on the machine is probed.
#
# Idempotent: every step leaves a stamp keyed on its inputs, so a second run
# with nothing to do takes seconds, and an interrupted run is completed by the
# next one.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
cache="$repo/.cache"
stamps="$cache/stamps"
mkdir -p "$stamps"

ODOO_ARCHIVE_SHA256=fec1b0e0dad85b5d917deba5901c4a6b43511d7681f4d39cab8b6ac391427eec
ODOO_GIT_URL=https://github.com/odoo/odoo
SPEC_COMMIT=24f580ca6d29
SPEC_URL="https://codeload.github.com/bigcommerce/docs/tar.gz/$SPEC_COMMIT"
# sha256 of the spec files the connector and its simulator read, as
# "sha256sum" prints them for the copy taken from that commit.
SPEC_FILES_SHA256="
5b3acbda9e327c91af632cac67547151cba129d7f4b85e564d3e865eb2134a22  customers.v2.yml
d30de02ecc6c2ae0136c698e29d60e5e8351441a66b5422651befa6005fed481  customers.v3.yml
f85ba9dd682ddc0f4547bda456fe1cf416da0e67ac3e8597238d5a1c71912d43  orders.v2.oas2.yml
991d40dc25ed4be57b1e3128a2dc6f3d92371f82aaa2f1e9dd65947051f1e383  orders.v3.yml
aefdc7743f99687a96523e0077c8083b09aa4f112035a157d0b7267566541d3d  store_information.v2.yml
6aaed2e7a56f852de782222a7edd24a21d73401826e4d41c08bbb7f4b14d3831  webhooks.v3.yml"

t0=$(date +%s)
step_start=$t0
step() {
    local now
    now=$(date +%s)
    printf '==> %s\n' "$*"
    step_start=$now
}
done_step() { printf '    done in %ss\n' "$(($(date +%s) - step_start))"; }
die() {
    printf '\nSET-UP STOPPED: %s\n' "$*" >&2
    exit 1
}
# pip, without the warnings of index locations that this machine lacks.
pip_install() { "$py" -m pip install --quiet --disable-pip-version-check "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# --- 1. The interpreter and the system packages --------------------------------
if [ -n "${ODOO_PYTHON:-}" ]; then
    py=$ODOO_PYTHON
    [ -x "$py" ] || die "ODOO_PYTHON=$py is not an executable interpreter."
    "$py" -c "import odoo.release as r; assert r.version_info[0] == 19" 2>/dev/null \
        || die "ODOO_PYTHON=$py cannot import Odoo 19. Unset ODOO_PYTHON to let set-up install Odoo into ./.venv."
    step "Using ODOO_PYTHON=$py as it is (Odoo is not installed into it)"
    own_venv=0
else
    py="$repo/.venv/bin/python"
    own_venv=1
    base=""
    for cand in python3.11 python3; do
        if command -v "$cand" >/dev/null \
            && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            base=$(command -v "$cand")
            break
        fi
    done
    [ -n "$base" ] || die "Python 3.11 is needed (Odoo 19's pins are for it): apt-get install -y python3.11 python3.11-venv python3.11-dev"
    step "Checking the system packages that Odoo's requirements build against"
    missing=()
    command -v pg_config >/dev/null || missing+=(libpq-dev)
    command -v gcc >/dev/null || missing+=(gcc)
    "$base" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
        || missing+=(python3.11-dev)
    "$base" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3.11-venv)
    command -v psql >/dev/null || missing+=(postgresql-client)
    if [ ${#missing[@]} -gt 0 ]; then
        die "system packages are missing. Run, as root:
    apt-get update && apt-get install -y ${missing[*]}
then run this set-up again."
    fi
    done_step
fi

# --- 2. Odoo 19.0 source ---------------------------------------------------------
odoo_src=""
if [ "$own_venv" = 1 ]; then
    unpack() { # archive -> $cache/odoo-src-<name>, prints the source root
        local archive=$1 name dest top
        name=$(basename "$archive" | sed -E 's/\.tar\.(xz|gz)$//')
        dest="$cache/odoo-src-$name"
        if [ ! -f "$dest/.unpacked" ]; then
            rm -rf "$dest" "$dest.part"
            mkdir -p "$dest.part"
            tar -xf "$archive" -C "$dest.part"
            touch "$dest.part/.unpacked"
            mv "$dest.part" "$dest"
        fi
        top=$(find "$dest" -mindepth 1 -maxdepth 2 -name setup.py -path '*/setup.py' -printf '%h\n' | head -1)
        [ -n "$top" ] || die "$archive holds no Odoo source tree (no setup.py)."
        echo "$top"
    }
    step "Odoo 19.0 source"
    shared_archive="$repo/../shared/odoo/odoo-19.0.tar.xz"
    if [ -n "${ODOO_SRC:-}" ]; then
        if [ -d "$ODOO_SRC" ]; then
            odoo_src=$(cd "$ODOO_SRC" && pwd)
        elif [ -f "$ODOO_SRC" ]; then
            odoo_src=$(unpack "$ODOO_SRC")
        else
            die "ODOO_SRC=$ODOO_SRC is neither a folder nor an archive."
        fi
        echo "    from ODOO_SRC: $odoo_src"
    elif [ -f "$shared_archive" ]; then
        if [ ! -f "$stamps/odoo-archive-$ODOO_ARCHIVE_SHA256" ]; then
            echo "$ODOO_ARCHIVE_SHA256  $shared_archive" | sha256sum --quiet -c - \
                || die "$shared_archive does not have the sha256 given in ../shared/odoo/README.md."
            touch "$stamps/odoo-archive-$ODOO_ARCHIVE_SHA256"
        fi
        odoo_src=$(unpack "$shared_archive")
        echo "    from ../shared/odoo/odoo-19.0.tar.xz: $odoo_src"
    else
        dest="$cache/odoo-src-git"
        if [ ! -f "$dest/.cloned" ]; then
            rm -rf "$dest"
            git clone --quiet --depth 1 --branch 19.0 "$ODOO_GIT_URL" "$dest" \
                || die "no Odoo 19.0 source could be had: set ODOO_SRC to an Odoo 19.0 source folder or archive, put Odoo's archive at ../shared/odoo/odoo-19.0.tar.xz, or give this machine access to $ODOO_GIT_URL."
            touch "$dest/.cloned"
        fi
        odoo_src=$dest
        echo "    from $ODOO_GIT_URL: $odoo_src"
    fi
    "$base" - "$odoo_src" <<'PY' || die "$odoo_src is not Odoo 19.0."
import re, sys, pathlib
text = (pathlib.Path(sys.argv[1]) / "odoo/release.py").read_text()
sys.exit(not re.search(r"version_info\s*=\s*\(19,\s*0,", text))
PY
    ln -sfn "$odoo_src" "$cache/odoo"
    done_step

    # --- 3a. The virtualenv with Odoo ---------------------------------------------
    step "Odoo and its requirements in ./.venv"
    [ -x "$py" ] || "$base" -m venv "$repo/.venv"
    key=$(hash_of "$odoo_src/requirements.txt" "$odoo_src/setup.py" <(echo "$odoo_src editable_mode=compat"))
    if [ ! -f "$stamps/odoo-venv-$key" ]; then
        grep -vi '^python-ldap' "$odoo_src/requirements.txt" >"$cache/odoo-requirements.txt"
        echo 'setuptools<70' >"$cache/odoo-constraints.txt"
        PIP_CONSTRAINT="$cache/odoo-constraints.txt" pip_install -r "$cache/odoo-requirements.txt"
        # A plain path entry (compat mode): Odoo then sees only real folders
        # in odoo.addons.__path__.
        pip_install --no-deps -e "$odoo_src" --config-settings editable_mode=compat
        rm -f "$stamps"/odoo-venv-*
        touch "$stamps/odoo-venv-$key"
    else
        echo "    already installed"
    fi
    done_step
fi

# --- 3b. queue_job, the addon's requirements and the tooling ------------------------
step "queue_job 19.0, the addon's requirements and OCA tooling"
key=$(hash_of requirements.txt requirements-test.txt tools/setup.sh <(echo "$py"))
if [ ! -f "$stamps/addon-deps-$key" ]; then
    # Odoo 19's own pins win where both name a package: its requirements are
    # the constraints of everything installed next to it.
    if [ "$own_venv" = 1 ]; then
        pins="$cache/odoo-requirements.txt"
    else
        pins="$cache/odoo-pins.txt"
        printf '%s\n' "cryptography==3.4.8" "requests==2.31.0" "urllib3==1.26.5" \
            "Werkzeug==2.2.2" "freezegun==1.2.1" >"$pins"
    fi
    pip_install -c "$pins" \
        -r requirements.txt -r requirements-test.txt \
        "click-odoo-contrib>=1.24" "pytest-odoo>=2.3" "whool>=1.3" "build>=1.2" openupgradelib
    # queue_job's wheel requires "odoo==19.0.*", which is installed from source.
    pip_install --no-deps "odoo-addon-queue-job>=19.0.2,<19.1"
    rm -f "$stamps"/addon-deps-*
    touch "$stamps/addon-deps-$key"
else
    echo "    already installed"
fi
"$py" -c "
import os, sys, odoo.addons, odoo.release as r
assert r.version_info[0] == 19
sys.exit(not any(os.path.exists(os.path.join(p, 'queue_job', '__manifest__.py')) for p in odoo.addons.__path__))
" \
    || die "$py cannot import Odoo 19 and queue_job after set-up."
done_step

# --- 4. BigCommerce's OpenAPI specs ------------------------------------------------
step "BigCommerce's OpenAPI specs"
spec_ok() { [ -n "$1" ] && [ -f "$1/orders.v2.oas2.yml" ] && [ -f "$1/orders.v3.yml" ]; }
spec_dir=""
if spec_ok "${BIGCOMMERCE_SPEC_DIR:-}"; then
    spec_dir=$BIGCOMMERCE_SPEC_DIR
    echo "    from BIGCOMMERCE_SPEC_DIR: $spec_dir"
elif spec_ok "$repo/../shared/bigcommerce/reference"; then
    spec_dir=$(cd "$repo/../shared/bigcommerce/reference" && pwd)
    echo "    from ../shared/bigcommerce/reference"
else
    dest="$cache/bigcommerce-docs-$SPEC_COMMIT/reference"
    if ! spec_ok "$dest"; then
        echo "    downloading reference/ of bigcommerce/docs at $SPEC_COMMIT"
        rm -rf "$cache/bigcommerce-docs-$SPEC_COMMIT" "$cache/spec.tar.gz"
        mkdir -p "$cache/bigcommerce-docs-$SPEC_COMMIT"
        if curl -fsSL --max-time 300 -o "$cache/spec.tar.gz" "$SPEC_URL" \
            && tar -xzf "$cache/spec.tar.gz" -C "$cache/bigcommerce-docs-$SPEC_COMMIT" \
                --strip-components=1 --wildcards '*/reference/*'; then
            rm -f "$cache/spec.tar.gz"
            (cd "$dest" && echo "$SPEC_FILES_SHA256" | sed '/^$/d' | sha256sum --quiet -c -) \
                || { rm -rf "$cache/bigcommerce-docs-$SPEC_COMMIT"; die "the downloaded specs do not match their sha256; nothing was kept."; }
        else
            rm -rf "$cache/bigcommerce-docs-$SPEC_COMMIT" "$cache/spec.tar.gz"
        fi
    fi
    spec_ok "$dest" && spec_dir=$dest && echo "    from bigcommerce/docs at $SPEC_COMMIT"
fi
spec_ok "$spec_dir" || die "BigCommerce's OpenAPI specs could not be had: put the reference/ folder of github.com/bigcommerce/docs (commit $SPEC_COMMIT) at ../shared/bigcommerce/reference, or set BIGCOMMERCE_SPEC_DIR to a folder holding it."
ln -sfn "$spec_dir" "$cache/bigcommerce-reference"
done_step

# --- 5. Chromium, for the browser tour of the Odoo tier ----------------------------
step "Chromium (Odoo's browser tests drive it headless)"
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
    || command -v google-chrome >/dev/null; then
    echo "    found"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "    installing Debian's chromium package"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null \
        || die "Chromium could not be installed: run apt-get update && apt-get install -y chromium, then this set-up again."
else
    die "Chromium is needed for the browser tour of the Odoo tier. Run, as root:
    apt-get update && apt-get install -y chromium
then run this set-up again."
fi
done_step

printf 'Set-up done in %ss: %s\n' "$(($(date +%s) - t0))" "$py"
