#!/usr/bin/env bash
# shellcheck shell=bash
# Makes <repo>/.venv and installs the project into it, doing only what is missing:
#   - the virtualenv (installing Debian's python3.X-venv first when ensurepip is missing and we
#     may use apt-get: as root or with passwordless sudo);
#   - pip, upgraded only when too old for an editable install from pyproject.toml;
#   - `pip install -e '.[dev]'`, only when pyproject.toml changed since the last good install.
# Sourced by the entry scripts (infra/dev/up, the test command); may also be executed.
# Sets SARABAN_ROOT and SARABAN_VENV. PYTHON picks the interpreter (default python3, >= 3.11).
# Written without `set -e` so that sourcing it never changes the caller's shell options.

SARABAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SARABAN_VENV="$SARABAN_ROOT/.venv"
SARABAN_MIN_PYTHON="3.11"

_saraban_say() { printf 'bootstrap: %s\n' "$*" >&2; }

# True when python "$1" is at least SARABAN_MIN_PYTHON.
_saraban_python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

# Runs a command as root: directly, or through passwordless sudo. Fails if neither is possible.
_saraban_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}

# Debian and Ubuntu ship venv's ensurepip in a separate package: python3.X-venv.
_saraban_install_venv_package() {
    local python="$1" version
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    _saraban_as_root true || return 1
    _saraban_say "installing python${version}-venv with apt-get (ensurepip is missing)"
    _saraban_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    # python3-venv alone would pull the venv of the distribution's default python3 only.
    _saraban_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q "python${version}-venv" python3-venv \
        || _saraban_as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q "python${version}-venv" \
        || _saraban_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
}

_saraban_make_venv() {
    local python="$1"
    _saraban_say "creating $SARABAN_VENV with $("$python" -V 2>&1)"
    if "$python" -m venv "$SARABAN_VENV"; then
        return 0
    fi
    rm -rf "$SARABAN_VENV"  # a failed venv is left half made, without pip
    if _saraban_install_venv_package "$python" && "$python" -m venv "$SARABAN_VENV"; then
        return 0
    fi
    rm -rf "$SARABAN_VENV"
    local version
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    _saraban_say "could not create the virtualenv: $python has no working 'venv'/'ensurepip'."
    _saraban_say "On Debian/Ubuntu, as root:  apt-get install python${version}-venv"
    _saraban_say "then run this command again."
    return 1
}

# pip >= 21.3 installs a pyproject.toml project in editable mode (PEP 660).
_saraban_pip_ready() {
    local python="$SARABAN_VENV/bin/python"
    if ! "$python" -m pip --version >/dev/null 2>&1; then
        _saraban_say "the virtualenv has no pip: installing it"
        "$python" -m ensurepip --upgrade || return 1
    fi
    if ! "$python" - <<'PY'
import sys
from importlib.metadata import version
major, minor = (int(part) for part in version("pip").split(".")[:2])
sys.exit(0 if (major, minor) >= (21, 3) else 1)
PY
    then
        _saraban_say "upgrading pip (too old for an editable install)"
        "$python" -m pip install --upgrade pip || return 1
    fi
}

_saraban_file_hash() {
    "$SARABAN_VENV/bin/python" -c \
        'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' \
        "$1"
}

saraban_bootstrap() {
    local python="${PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1; then
        _saraban_say "'$python' not found. Install Python $SARABAN_MIN_PYTHON or newer"
        _saraban_say "(Debian/Ubuntu: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3.X"
        return 1
    fi
    if ! _saraban_python_ok "$python"; then
        _saraban_say "Saraban Cloud needs Python $SARABAN_MIN_PYTHON or newer; '$python' is $("$python" -V 2>&1)."
        _saraban_say "Install a newer one (e.g. apt-get install python3.11 python3.11-venv) and run"
        _saraban_say "again with PYTHON=python3.11 (remove .venv if it was made with the old one)."
        return 1
    fi
    if [ -e "$SARABAN_VENV" ] && ! _saraban_python_ok "$SARABAN_VENV/bin/python"; then
        # Broken (its interpreter is gone) or made with an older Python: make it again.
        _saraban_say "$SARABAN_VENV is unusable or older than Python $SARABAN_MIN_PYTHON: recreating it"
        rm -rf "$SARABAN_VENV"
    fi
    if [ ! -x "$SARABAN_VENV/bin/python" ]; then
        _saraban_make_venv "$python" || return 1
    fi
    _saraban_pip_ready || return 1

    local stamp="$SARABAN_VENV/.saraban-install-stamp" wanted
    wanted="$(_saraban_file_hash "$SARABAN_ROOT/pyproject.toml")" || return 1
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        _saraban_say "installing Saraban Cloud and its dependencies into $SARABAN_VENV"
        (cd "$SARABAN_ROOT" && "$SARABAN_VENV/bin/python" -m pip install -e '.[dev]') || {
            _saraban_say "pip install failed; fix the error above and run again"
            return 1
        }
        printf '%s\n' "$wanted" >"$stamp"
    fi
    export SARABAN_ROOT SARABAN_VENV
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    saraban_bootstrap
    exit $?
fi
saraban_bootstrap
