#!/usr/bin/env bash
# Set up the bot on a fresh machine and chat with it in the terminal.
#   ./scripts/chat.sh             chat in the terminal (leave with 退出, exit, Ctrl-C or Ctrl-D)
#   ./scripts/chat.sh run ...     any other "python -m bot" command, e.g. run --platform wechaty
# Needs Python 3.11 (PYTHON=/path/to/python3.11 to choose one); installs into .venv only on the
# first run and when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
find_python
ensure_venv
install_project .
exec "$VENV/bin/python" -m bot "$@"
