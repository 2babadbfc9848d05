#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run lint, type checks and tests.
#   ./scripts/test.sh            all tests
#   ./scripts/test.sh -k calc    extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/python-env.sh
find_python

# System programs the tests start themselves: a real redis-server (session store tests) and a
# headless Chromium with a Chinese font (the web chat page test, tests/test_web_page.py).
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
# OpenCV (opencv-python, required by rapidocr_onnxruntime for the photo check) links libGL and
# glib even when no window is ever opened.
libraries=$({ command -v ldconfig >/dev/null && ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null || true)
grep 'libGL\.so\.1' <<<"$libraries" >/dev/null || missing+=(libgl1)
grep 'libglib-2\.0\.so\.0' <<<"$libraries" >/dev/null || missing+=(libglib2.0-0)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing ${missing[*]} ..."
    # wait for another apt/dpkg (first-boot updates) instead of failing at once
    wait_for_package_manager
    lock_wait=(-o "DPkg::Lock::Timeout=${APT_LOCK_WAIT_SECONDS:-600}")
    apt-get "${lock_wait[@]}" update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get "${lock_wait[@]}" install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} not installed (needs root to install); those tests will skip" >&2
  fi
fi

ensure_venv
install_project '.[test]'

.venv/bin/python -m ruff check bot tests
.venv/bin/python -m ruff format --check bot tests
.venv/bin/python -m mypy
.venv/bin/python -m bot check
.venv/bin/python -m pytest "$@"
