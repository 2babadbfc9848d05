"""Every documented command works from a regular (non-editable) install, run from another
directory: the wheel is built from a copy of the sources, installed into a fresh venv, and the
console script ``cuishou-bot`` runs there with neither the checkout nor ``tests/`` in reach.

Offline: the wheel is built without build isolation (setuptools and wheel come from the test
extras) and installed without its dependencies, which the fresh venv borrows from the running
environment through a plain ``.pth`` path line (that does not process the running
environment's own ``.pth`` files, so an editable install of the checkout stays out of reach).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from bot.adapters.terminal import JSONL_OUTPUT_FIELDS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "bot", "intents")


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        args, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(the console script, the environment to run it in, a working directory elsewhere)."""
    pytest.importorskip("setuptools")
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = base / "wheels"
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(source),
        ],
        cwd=base,
    )
    assert built.returncode == 0, built.stderr.decode()
    (wheel,) = wheels.glob("cuishou_assistant-*.whl")

    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    assert made.returncode == 0, made.stderr.decode()
    python = venv / "bin" / "python"
    done = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        cwd=base,
    )
    assert done.returncode == 0, done.stderr.decode()
    purelib = (
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=base
        )
        .stdout.decode()
        .strip()
    )
    (Path(purelib) / "_borrowed_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )

    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update({"XDG_DATA_HOME": str(base / "data"), "PATH": f"{venv / 'bin'}:{env['PATH']}"})
    where = _run(
        [
            str(python),
            "-c",
            "import bot, bot.content as c; print(bot.__file__); print(c.default_intents_dir())",
        ],
        cwd=elsewhere,
        env=env,
    )
    package, intents = where.stdout.decode().split()
    assert package.startswith(str(venv)), package  # not the checkout
    assert intents.startswith(str(venv)), intents
    return venv / "bin" / "cuishou-bot", env, elsewhere


def test_the_installed_package_leaves_tests_behind(
    installed: tuple[Path, dict[str, str], Path],
) -> None:
    script, _, _ = installed
    venv = script.parents[1]
    assert not list(venv.rglob("tests/data"))
    assert list(venv.rglob("bot/operations/data/testset.jsonl"))


def test_the_installed_package_ships_the_console_page(
    installed: tuple[Path, dict[str, str], Path],
) -> None:
    script, _, _ = installed
    venv = script.parents[1]
    (static,) = venv.rglob("bot/console/static")
    shipped = {path.name for path in static.iterdir()}
    assert {
        "admin.html",
        "admin.js",
        "admin.css",
        "login.html",
        "overview.js",
        "health.js",
        "chart.umd.js",
        "chart.umd.js.LICENSE.txt",
    } <= shipped
    assert "Chart.js v4" in (static / "chart.umd.js").read_text(encoding="utf-8")[:200]


@pytest.mark.parametrize(
    ("args", "stdin", "expect"),
    [
        (["--version"], "", "0.1.0"),
        (["check"], "", "content OK"),
        (["classify", "--jsonl", "催收的人在门口"], "", '"urgent"'),
        (["chat", "--jsonl"], '{"conversation": "c", "text": "催收的人在门口"}\n', '"replies"'),
        (["chat"], "催收的人在门口\n退出\n", "委托书"),
        (["eval"], "", "accuracy"),
        (["bench", "--seconds", "0.2"], "", "peak RSS"),
        (["run", "--platform", "terminal"], "你好\nexit\n", "保重"),
        (["menu", "--show"], "", '"button"'),
    ],
)
def test_documented_commands_work_from_the_install(
    installed: tuple[Path, dict[str, str], Path], args: list[str], stdin: str, expect: str
) -> None:
    script, env, elsewhere = installed
    proc = _run([str(script), *args], cwd=elsewhere, env=env, stdin=stdin.encode())
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, err
    assert expect in out, out[-2000:]
    assert "Traceback" not in err
    if args[:2] == ["chat", "--jsonl"]:
        assert set(json.loads(out)) == set(JSONL_OUTPUT_FIELDS)


def test_report_reads_what_the_installed_chat_recorded(
    installed: tuple[Path, dict[str, str], Path],
) -> None:
    script, env, elsewhere = installed
    chat = _run([str(script), "chat"], cwd=elsewhere, env=env, stdin="怎么投诉催收\n".encode())
    assert chat.returncode == 0, chat.stderr.decode()
    proc = _run([str(script), "report", "--since", "1h", "--json"], cwd=elsewhere, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["total"] >= 1
