# Shared by scripts/chat.sh and scripts/test.sh (sourced, from the repository root): find a
# Python 3.11, keep .venv made by it, and install into .venv only when pyproject.toml changed.
#   PYTHON=/path/to/python3.11   use this interpreter (it must be 3.11)
#   VENV=dir                     the virtual environment (default .venv)

REQUIRED_PYTHON="3.11"
VENV="${VENV:-.venv}"

# The "major.minor" of interpreter $1, or nothing when it does not run.
python_version() {
  "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

# Set PYTHON to a Python 3.11, or say which one is needed and return 1.
find_python() {
  local candidates=() candidate version found=()
  if [ -n "${PYTHON:-}" ]; then
    candidates=("$PYTHON")
  else
    candidates=(python3.11 python3 python)
  fi
  for candidate in "${candidates[@]}"; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    version=$(python_version "$candidate")
    if [ "$version" = "$REQUIRED_PYTHON" ]; then
      PYTHON="$candidate"
      return 0
    fi
    found+=("$candidate is ${version:-not runnable}")
  done
  {
    echo "error: this bot needs Python $REQUIRED_PYTHON (pyproject.toml: requires-python)."
    if [ ${#found[@]} -gt 0 ]; then
      echo "  found: $(IFS=';'; echo "${found[*]}" | sed 's/;/; /g')"
    else
      echo "  found: no ${candidates[*]} on PATH"
    fi
    echo "  install Python $REQUIRED_PYTHON (e.g. 'apt-get install python3.11 python3.11-venv',"
    echo "  or 'pyenv install 3.11'), or point PYTHON at one: PYTHON=/path/to/python3.11 $0"
  } >&2
  return 1
}

# Make $VENV with $PYTHON; a $VENV made by another Python (or broken) is rebuilt.
ensure_venv() {
  if [ -e "$VENV" ]; then
    local version
    version=$(python_version "$VENV/bin/python")
    if [ "$version" = "$REQUIRED_PYTHON" ]; then
      return 0
    fi
    echo "$VENV was made by ${version:+Python }${version:-a Python that no longer runs}; rebuilding it with $PYTHON" >&2
    rm -rf "$VENV"
  fi
  if ! "$PYTHON" -m venv "$VENV" >&2; then
    rm -rf "$VENV"
    echo "error: '$PYTHON -m venv' failed (on Debian/Ubuntu: apt-get install python3.11-venv)" >&2
    return 1
  fi
}

# While process $1 runs, say every PROGRESS_SECONDS (15) how far pip's log $2 has got: the
# seconds so far, the packages collected, and what it does now (pip's own chatter stays hidden).
install_progress() {
  local pid="$1" log="$2" every="${PROGRESS_SECONDS:-15}" waited=0 count now
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    waited=$((waited + 1))
    if [ $((waited % every)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
      count=$(grep -c '^Collecting ' "$log" 2>/dev/null || true)
      now=$(grep -E '^(Collecting|Downloading|Installing collected|Building|Successfully)' "$log" 2>/dev/null \
            | tail -n 1 | cut -c1-60 || true)
      echo "  ... ${waited}s: ${count:-0} packages collected${now:+; now: $now}" >&2
    fi
  done
}

# Install the project with extras spec $1 (e.g. "." or ".[test]", editable) into $VENV,
# only when pyproject.toml (or the spec) changed since the last install; pip's and
# setuptools' chatter is shown only when the install fails.
install_project() {
  local spec="$1" stamp="$VENV/.installed" want log
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) $spec"
  if [ -f "$stamp" ] && grep -qxF "$want" "$stamp"; then
    return 0
  fi
  echo "installing the bot into $VENV (first run, or pyproject.toml changed; a few minutes the first time) ..." >&2
  log=$(mktemp)
  { ${PIP_INSTALL:-"$VENV/bin/python" -m pip install} -q --upgrade pip \
    && ${PIP_INSTALL:-"$VENV/bin/python" -m pip install} --progress-bar off -e "$spec"; } >"$log" 2>&1 &
  local pid=$! status=0
  install_progress "$pid" "$log"
  wait "$pid" || status=$?
  if [ "$status" -ne 0 ]; then
    cat "$log" >&2
    rm -f "$log"
    echo "error: installing into $VENV failed (see above)" >&2
    return 1
  fi
  rm -f "$log"
  # a spec covering the other's needs counts for both ("." is part of ".[test]")
  { [ "$spec" = ".[test]" ] && echo "$(sha256sum pyproject.toml | cut -d' ' -f1) ."; echo "$want"; } >"$stamp"
}

# Wait while another program holds the package manager's lock (a fresh machine often runs its
# own updates at first boot), saying so once; give up after APT_LOCK_WAIT_SECONDS (600).
# APT_LOCK_FILES: the lock files to watch (dpkg's and apt's by default). dpkg and apt take
# POSIX (fcntl) locks, which this asks about with Python without taking one.
wait_for_package_manager() {
  local files="${APT_LOCK_FILES:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}"
  local limit="${APT_LOCK_WAIT_SECONDS:-600}" waited=0 holder
  while holder=$("${PYTHON:-python3}" - $files <<'PY'
import fcntl, os, struct, sys
for path in sys.argv[1:]:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        continue
    try:  # F_GETLK: who would block a write lock (without taking one)
        query = struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0)
        kind, _, _, _, pid = struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, query))
    finally:
        os.close(fd)
    if kind != fcntl.F_UNLCK:
        print(f"{path} (process {pid})")
        sys.exit(0)
sys.exit(1)
PY
  ); do
    if [ "$waited" -eq 0 ]; then
      echo "waiting for another program to finish with the package manager (lock: $holder) ..." >&2
    fi
    if [ "$waited" -ge "$limit" ]; then
      echo "error: the package manager is still busy after ${limit}s (lock: $holder); try again later" >&2
      return 1
    fi
    sleep "${APT_LOCK_POLL_SECONDS:-5}"
    waited=$((waited + ${APT_LOCK_POLL_SECONDS:-5}))
  done
  if [ "$waited" -gt 0 ]; then
    echo "the package manager is free again (waited ${waited}s)" >&2
  fi
}
