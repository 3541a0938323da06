# Shared by scripts/serve and scripts/test: a project venv in .venv, reinstalled only when the
# packaging files change (a stamp holds their hash), so repeated runs start fast.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "synth-ai needs Python >= 3.11 (found: $("$PYTHON" --version 2>&1 | head -1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
# Wheels built here once (llama-cpp-python for the [local] extra compiles from source, ~20 min on
# 2 cores). It lives under the home, not in the clone, so every clone on this machine — another
# worktree, CI's fresh clone — installs the same wheel instead of compiling again.
# The build is portable x86-64 with AVX2 (GGML_NATIVE=OFF): a native build takes every feature
# the CPU reports, and on hosts with Intel AMX (Sapphire Rapids) ggml's AMX matmul segfaults in
# the first decode. The wheelhouse folder is named by the build flags, so a wheel built with
# other flags (or an older native one) is never picked up by mistake.
LOCAL_CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}"
WHEELHOUSE="${SYNTH_AI_WHEELHOUSE:-$HOME/.cache/synth-ai/wheels/$(printf '%s' "$LOCAL_CMAKE_ARGS" | sha256sum | cut -c1-12)}"

local_wheel_version() { grep -o 'llama-cpp-python==[0-9][0-9.]*' pyproject.toml | cut -d= -f3; }

# ensure_local_wheel: a llama-cpp-python wheel of the version pyproject.toml pins, in $WHEELHOUSE.
# Builds it when absent, printing progress every 30 s; a second caller waits on the same build.
ensure_local_wheel() {
  local version wheel_glob log started elapsed step
  version="$(local_wheel_version)"
  wheel_glob="$WHEELHOUSE/llama_cpp_python-$version-*.whl"
  # shellcheck disable=SC2086
  if compgen -G "$wheel_glob" >/dev/null; then return 0; fi
  mkdir -p "$WHEELHOUSE"
  log="$WHEELHOUSE/build-llama-cpp-python-$version.log"
  exec 9>"$WHEELHOUSE/.build.lock"
  if ! flock -n 9; then
    echo "==> another process is building llama-cpp-python $version; waiting (log: $log)" >&2
    flock 9
  fi
  if compgen -G "$wheel_glob" >/dev/null; then flock -u 9; return 0; fi
  rm -rf "$WHEELHOUSE"/.partial.*  # left by a build that was interrupted (we hold the lock; the lock file itself must survive, or a second caller would lock a new file and build alongside us)
  echo "==> building llama-cpp-python $version from source, once per machine (about 20 min on 2 cores)" >&2
  echo "    wheel: $WHEELHOUSE   log: $log" >&2
  local tmp
  tmp="$(mktemp -d "$WHEELHOUSE/.partial.XXXXXX")"
  started=$(date +%s)
  # LLAVA_BUILD=OFF: the multimodal library is not used by the local chat provider.
  CMAKE_ARGS="$LOCAL_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    .venv/bin/python -m pip wheel --no-deps --disable-pip-version-check -v \
    "llama-cpp-python==$version" -w "$tmp" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null || break
    elapsed=$(( $(date +%s) - started ))
    step="$(grep -ao '^ *\[[0-9]*/[0-9]*\]' "$log" 2>/dev/null | tail -1 | tr -d ' ' || true)"
    printf '    %dm%02ds elapsed, compile step %s — log: %s\n' $((elapsed / 60)) $((elapsed % 60)) "${step:-(preparing)}" "$log" >&2
  done
  if ! wait "$pid"; then
    tail -30 "$log" >&2
    rm -rf "$tmp"
    flock -u 9
    echo "ERROR: building llama-cpp-python $version failed (log above, whole log in $log) — it needs a C/C++ compiler and cmake" >&2
    exit 1
  fi
  mv "$tmp"/llama_cpp_python-*.whl "$WHEELHOUSE"/
  rm -rf "$tmp"
  elapsed=$(( $(date +%s) - started ))
  echo "==> built llama-cpp-python $version in $((elapsed / 60))m$(printf '%02d' $((elapsed % 60)))s; later installs reuse $WHEELHOUSE" >&2
  flock -u 9
}

ensure_venv() {
  local extras="$1"
  local stamp=".venv/.synth-stamp-$extras"
  local want
  # The wheelhouse is part of the stamp: a venv that installed llama.cpp from another build
  # (other flags) reinstalls it from this one.
  want="$( (cat pyproject.toml setup.py; echo "$WHEELHOUSE") | sha256sum | cut -c1-16)"
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "==> installing synth-ai$extras into .venv" >&2
    if ! .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >.venv/install.log 2>&1; then
      cat .venv/install.log >&2
      echo "ERROR: upgrading pip in .venv failed (log above, also in .venv/install.log)" >&2
      exit 1
    fi
    case "$extras" in *local*) ensure_local_wheel ;; esac
    if ! .venv/bin/python -m pip install -q --disable-pip-version-check --find-links "$WHEELHOUSE" \
        -e ".$extras" >>.venv/install.log 2>&1; then
      cat .venv/install.log >&2
      echo "ERROR: installing synth-ai$extras failed (log above, also in .venv/install.log)" >&2
      exit 1
    fi
    case "$extras" in *local*)
      # Same version, other build: pip would keep the installed one, so replace it explicitly.
      if ! .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --force-reinstall \
          "$WHEELHOUSE/llama_cpp_python-$(local_wheel_version)-"*.whl >>.venv/install.log 2>&1; then
        cat .venv/install.log >&2
        echo "ERROR: installing llama-cpp-python from $WHEELHOUSE failed (log above)" >&2
        exit 1
      fi ;;
    esac
    echo "$want" > "$stamp"
  fi
}
