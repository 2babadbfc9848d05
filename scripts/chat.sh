#!/usr/bin/env bash
# Set up the bot on a fresh machine and chat with it in the terminal.
#   ./scripts/chat.sh             chat in the terminal
#   ./scripts/chat.sh run ...     any other "python -m bot" command, e.g. run --platform wechaty
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >&2
.venv/bin/python -m pip install -q -e . >&2
exec .venv/bin/python -m bot "$@"
