"""scripts/chat.sh and scripts/test.sh (through scripts/python-env.sh): a wrong Python is named
with the one needed, a .venv made by another Python is rebuilt, and the project is installed
only when pyproject.toml changed, quietly unless the install fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV_SCRIPT = ROOT / "scripts" / "python-env.sh"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def fake_python(path: Path, version: str) -> Path:
    """An 'interpreter' that only answers the version question."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {version}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env}
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail; source '{ENV_SCRIPT}'; {script}"],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("script", ["chat.sh", "test.sh"])
def test_a_wrong_python_is_named_with_the_one_needed(tmp_path: Path, script: str) -> None:
    wrong = fake_python(tmp_path / "python3.12", "3.12")
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / script), "--version"],
        env={**os.environ, "PYTHON": str(wrong)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert "needs Python 3.11" in proc.stderr
    assert f"{wrong} is 3.12" in proc.stderr
    assert "PYTHON=/path/to/python3.11" in proc.stderr


def test_a_venv_made_by_another_python_is_rebuilt(tmp_path: Path) -> None:
    fake_python(tmp_path / ".venv" / "bin" / "python", "3.12")
    proc = bash("find_python; ensure_venv", tmp_path, PYTHON=sys.executable)
    assert proc.returncode == 0, proc.stderr
    assert ".venv was made by Python 3.12; rebuilding it" in proc.stderr
    version = subprocess.run(
        [
            str(tmp_path / ".venv" / "bin" / "python"),
            "-c",
            "import sys; print(sys.version_info[:2])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert version.strip() == "(3, 11)"
    again = bash("find_python; ensure_venv", tmp_path, PYTHON=sys.executable)
    assert again.returncode == 0
    assert "rebuilding" not in again.stderr  # a good .venv is kept


def test_installs_only_when_pyproject_changes_and_hides_the_noise(tmp_path: Path) -> None:
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv").mkdir()
    calls = tmp_path / "calls"
    pip = tmp_path / "fake-pip"
    pip.write_text(
        f"#!/bin/sh\necho \"$*\" >> '{calls}'\n"
        "echo 'SetuptoolsDeprecationWarning: noise' >&2\n"
        '[ -z "$FAIL" ]\n',
        encoding="utf-8",
    )
    pip.chmod(0o755)

    def install(**env: str) -> subprocess.CompletedProcess[str]:
        return bash("install_project .", tmp_path, PIP_INSTALL=str(pip), **env)

    first = install()
    assert first.returncode == 0, first.stderr
    assert "installing the bot" in first.stderr
    assert "SetuptoolsDeprecationWarning" not in first.stderr + first.stdout
    assert calls.read_text().count("-e .") == 1
    second = install()
    assert second.returncode == 0
    assert second.stderr == ""
    assert calls.read_text().count("-e .") == 1  # nothing changed: no install
    with (tmp_path / "pyproject.toml").open("a") as file:
        file.write("\n# changed\n")
    failed = install(FAIL="1")
    assert failed.returncode == 1
    assert "SetuptoolsDeprecationWarning: noise" in failed.stderr  # shown when it fails
    assert calls.read_text().count("-e .") == 1  # it stopped at the failing first pip call
    third = install()
    assert third.returncode == 0
    assert calls.read_text().count("-e .") == 2  # a failed install is tried again


def test_the_first_install_says_how_far_it_has_got(tmp_path: Path) -> None:
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv").mkdir()
    pip = tmp_path / "fake-pip"
    pip.write_text(
        "#!/bin/sh\n"
        'case "$*" in *-e*) ;; *) exit 0 ;; esac\n'
        "echo 'Collecting jieba'; sleep 1.5; echo 'Collecting onnxruntime'; sleep 1.5\n"
        "echo 'Installing collected packages: jieba, onnxruntime'\n",
        encoding="utf-8",
    )
    pip.chmod(0o755)
    proc = bash("install_project .", tmp_path, PIP_INSTALL=str(pip), PROGRESS_SECONDS="1")
    assert proc.returncode == 0, proc.stderr
    progress = [line for line in proc.stderr.splitlines() if line.startswith("  ... ")]
    assert len(progress) >= 2, proc.stderr  # a line a second here (15 s by default)
    assert "packages collected" in progress[-1] and "now: Collecting" in proc.stderr
    assert "Installing collected" not in proc.stdout


def test_chat_sh_new_starts_a_new_chat(tmp_path: Path) -> None:
    """The bot's own text suggests `chat --new`; `./scripts/chat.sh --new` works too (chat is
    the default command, so its options may come without it)."""
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "chat.sh"), "--new", "--memory"],
        input="退出\n",
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path), "PYTHON": sys.executable},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "unrecognized arguments" not in proc.stderr
    from bot.arguments import chat_by_default as _chat_by_default

    assert _chat_by_default(["--new"]) == ["chat", "--new"]
    assert _chat_by_default(["--config", "c.yaml", "--new"]) == [
        "chat",
        "--config",
        "c.yaml",
        "--new",
    ]
    assert _chat_by_default(["run", "--new"]) == ["run", "--new"]  # run's own error stays
    assert _chat_by_default(["check"]) == ["check"]


def test_waits_for_the_package_managers_lock_instead_of_failing(tmp_path: Path) -> None:
    """Another program (a first-boot update) holds dpkg's lock — a POSIX lock, as dpkg takes
    it — for two seconds: the script says it waits, then goes on."""
    lock = tmp_path / "lock-frontend"
    lock.write_text("")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'w'); fcntl.lockf(f, fcntl.LOCK_EX);"
            " print('held', flush=True); time.sleep(2)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        proc = bash(
            "wait_for_package_manager && echo went-on",
            tmp_path,
            PYTHON=sys.executable,
            APT_LOCK_FILES=f"{lock} {tmp_path / 'missing'}",
            APT_LOCK_POLL_SECONDS="1",
        )
    finally:
        holder.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "waiting for another program to finish with the package manager" in proc.stderr
    assert str(lock) in proc.stderr and f"process {holder.pid}" in proc.stderr
    assert "free again" in proc.stderr and proc.stdout.strip() == "went-on"
    # a lock held past the limit: a clear error, not a hang
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'w'); fcntl.lockf(f, fcntl.LOCK_EX);"
            " print('held', flush=True); time.sleep(5)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        proc = bash(
            "wait_for_package_manager",
            tmp_path,
            PYTHON=sys.executable,
            APT_LOCK_FILES=str(lock),
            APT_LOCK_POLL_SECONDS="1",
            APT_LOCK_WAIT_SECONDS="1",
        )
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert proc.returncode == 1 and "still busy after 1s" in proc.stderr
    assert "DPkg::Lock::Timeout" in (ROOT / "scripts" / "test.sh").read_text()
