# Shared by scripts/serve and scripts/test: a project venv in .venv, reinstalled only when the
# packaging files change (a stamp holds their hash), so repeated runs start fast.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "synth-ai needs Python >= 3.11 (found: $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
ensure_venv() {
  local extras="$1"
  local stamp=".venv/.synth-stamp-$extras"
  local want
  want="$(cat pyproject.toml setup.py | sha256sum | cut -c1-16)"
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "==> installing synth-ai$extras into .venv" >&2
    if ! { .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip &&
           .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"; } >.venv/install.log 2>&1; then
      cat .venv/install.log >&2
      echo "ERROR: installing synth-ai$extras failed (log above, also in .venv/install.log)" >&2
      exit 1
    fi
    echo "$want" > "$stamp"
  fi
}
