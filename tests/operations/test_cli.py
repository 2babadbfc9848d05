"""The command line, run as a real subprocess: classify, eval, check, chat --jsonl, terminal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.harness import ROOT, run


def json_lines(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]


def test_classify_jsonl() -> None:
    proc = run("classify", "--jsonl", stdin="催收的人在门口\n你好\n\n".encode())
    assert proc.returncode == 0, proc.stderr
    rows = json_lines(proc.stdout)
    assert len(rows) == 3
    first = rows[0]
    assert set(first) >= {"text", "intent", "confidence", "intents", "tokens"}
    assert first["intent"] == "collector_at_door"
    assert first["intents"][0]["intent"] == "collector_at_door"
    assert "门口" in first["tokens"]
    assert rows[1]["intent"] == "greeting"
    assert rows[2]["intent"] == "fallback"  # an empty line is out of scope, not an error


def test_classify_invalid_utf8_is_a_clear_error() -> None:
    proc = run("classify", "--jsonl", stdin=b"\xff\xfe broken\n\xe5\x82\xac\xe6\x94\xb6\n")
    assert proc.returncode == 1
    rows = json_lines(proc.stdout)
    assert rows[0] == {"line": 1, "error": "input line is not valid UTF-8"}
    assert rows[1]["text"] == "催收"
    assert b"Traceback" not in proc.stderr


def test_eval_prints_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run("eval", "--json-out", str(out))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    assert "accuracy:" in text
    assert "precision" in text
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["accuracy"] >= 0.9
    assert "collector_at_door" in report["intents"]
    assert {"precision", "recall", "f1", "support", "confused_with"} <= set(
        report["intents"]["collector_at_door"]
    )


def test_eval_missing_file_is_clear() -> None:
    proc = run("eval", "/nonexistent.jsonl")
    assert proc.returncode == 2
    assert b"no such file" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_check_passes_on_shipped_content() -> None:
    proc = run("check")
    assert proc.returncode == 0, proc.stderr
    assert b"content OK" in proc.stdout


def test_check_names_file_intent_and_field(tmp_path: Path) -> None:
    target = tmp_path / "intents"
    shutil.copytree(ROOT / "intents", target)
    path = target / "seek_help.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8"
    )
    proc = run("--intents", str(target), "check")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "seek_help.yaml: intent seek_help: field titel" in err
    assert "seek_help.yaml: intent seek_help: field title" in err
    assert "Traceback" not in err


def test_broken_config_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("sessions:\n  idle_minutes: -5\n", encoding="utf-8")
    proc = run("--config", str(bad), "check")
    assert proc.returncode == 2
    assert b"sessions.idle_minutes" in proc.stderr
    assert b"Traceback" not in proc.stderr
    bad.write_text("sessions: [unclosed\n", encoding="utf-8")
    proc = run("--config", str(bad), "check")
    assert proc.returncode == 2
    assert b"not valid YAML" in proc.stderr


def test_chat_jsonl_keeps_state(tmp_path: Path) -> None:
    lines = [
        {"conversation": "c1", "user": "u1", "text": "怎么和银行协商分期"},
        {"conversation": "c2", "user": "u2", "text": "详细"},
        {"conversation": "c1", "user": "u1", "text": "详细"},
        "not an object",
        {"conversation": "c1", "text": 5},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode() + b"\n{bad\n"
    proc = run("chat", "--jsonl", "--memory", stdin=stdin)
    rows = json_lines(proc.stdout)
    assert rows[0]["conversation"] == "c1"
    assert rows[0]["intent"] == "negotiate_installments"
    assert "菜单" in rows[1]["replies"][0]  # c2 has no topic yet
    assert "第七十条" in "\n".join(rows[2]["replies"])  # c1 remembered its topic
    assert rows[3]["error"] == "expected a JSON object"
    assert "text" in rows[4]["error"]
    assert "not valid JSON" in rows[5]["error"]
    assert proc.returncode == 1  # bad lines are reported, the good ones answered


@pytest.mark.parametrize("stdin", ["催收上门了\n详细\n再见\n", "你好\n"])
def test_terminal_chat(stdin: str, tmp_path: Path) -> None:
    proc = run("chat", "--memory", stdin=stdin.encode())
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "助手：" in out
    assert "Traceback" not in proc.stderr.decode()


def test_default_command_is_terminal_chat(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    proc = run(stdin="催收的人在门口\n".encode(), env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "委托书" in proc.stdout.decode()


def test_run_wechaty_without_settings_names_them(tmp_path: Path) -> None:
    env = {
        "WECHATY_PUPPET_SERVICE_ENDPOINT": "",
        "WECHATY_PUPPET_SERVICE_TOKEN": "",
        "XDG_DATA_HOME": str(tmp_path),
    }
    proc = run("run", "--platform", "wechaty", env=env, cwd=tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1, err
    assert "WECHATY_PUPPET_SERVICE_ENDPOINT" in err[0]
    assert "Traceback" not in proc.stderr.decode()


# ----- the first five minutes (issue 16) -------------------------------------------------------


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    proc = run("--version")
    assert proc.returncode == 0
    assert version("cuishou-assistant") in proc.stdout.decode()


def test_global_options_after_the_command(tmp_path: Path) -> None:
    intents = tmp_path / "intents"
    shutil.copytree(ROOT / "intents", intents)
    proc = run("check", "--intents", str(intents), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert str(intents) in proc.stdout.decode()
    config = tmp_path / "bad.yaml"
    config.write_text("sessions: {idle_minutes: 0}\n", encoding="utf-8")
    proc = run("check", "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 2
    assert "idle_minutes" in proc.stderr.decode()


@pytest.mark.parametrize("seconds", ["0", "-1", "nan"])
def test_bench_refuses_no_time(seconds: str) -> None:
    proc = run("bench", "--seconds", seconds)
    assert proc.returncode == 2
    assert "--seconds" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


def test_eval_on_an_empty_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    proc = run("eval", str(empty), "--json-out", str(tmp_path / "r.json"))
    assert proc.returncode == 2
    assert "no labelled messages" in proc.stderr.decode()


def test_eval_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        f"'{sys.executable}' -m bot eval --json-out '{tmp_path / 'r.json'}' | head -n 1",
        shell=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.stdout.decode().strip()
    assert proc.stderr.decode() == ""


def test_help_texts_match_the_code() -> None:
    from bot.adapters.terminal import JSONL_OUTPUT_FIELDS
    from bot.operations.report import parse_time

    chat_help = " ".join(run("chat", "--help").stdout.decode().split())
    assert "{" + ", ".join(JSONL_OUTPUT_FIELDS) + "}" in chat_help
    assert "choices" in chat_help
    report_help = " ".join(run("report", "--help").stdout.decode().split())
    assert "YYYY-MM-DD" in report_help
    parse_time("2026-01-31")
    for form in ("7d", "24h", "30m", "2w"):
        assert form in report_help
        parse_time(form)  # every form the help names is read
    assert "ago" not in report_help  # the old help suggested "2w ago", which is refused


@pytest.mark.parametrize("word", ["退出", "exit", "quit"])
def test_leaving_words_leave_the_terminal_chat(word: str) -> None:
    proc = run("chat", "--memory", stdin=f"{word}\n催收的人在门口\n".encode())
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "保重" in out
    assert "委托书" not in out  # nothing after the word was answered


def test_terminal_chat_says_it_continues_and_new_starts_afresh(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    first = run("chat", stdin="怎么和银行协商分期\n".encode(), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "接着你" not in first.stdout.decode()
    again = run("chat", stdin="详细\n".encode(), env=env, cwd=tmp_path)
    assert "接着你" in again.stdout.decode()
    assert "第七十条" in again.stdout.decode()  # the earlier topic is remembered
    fresh = run("chat", "--new", stdin="详细\n".encode(), env=env, cwd=tmp_path)
    assert "接着你" not in fresh.stdout.decode()
    assert "第七十条" not in fresh.stdout.decode()


def _interrupt(args: list[str], tmp_path: Path, *, ignored: bool = False) -> tuple[int, str, str]:
    """Start the bot with an open stdin, wait for the prompt, press Ctrl-C (SIGINT);
    ``ignored``: started as a non-interactive shell starts an "&" job, SIGINT ignored."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignored else None,
    )
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 60
    while "你：".encode() not in seen and time.monotonic() < deadline:
        seen += os.read(proc.stdout.fileno(), 4096)
    proc.send_signal(signal.SIGINT)
    try:
        # stdin stays open: no Enter is ever sent (communicate() would close it, and the chat
        # could read that end of input before the interrupt and leave without its goodbye)
        proc.wait(timeout=10)
        assert proc.stderr is not None
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        proc.kill()
        assert proc.stdin is not None
        proc.stdin.close()
    return proc.returncode, (seen + out).decode(), err.decode()


def test_ctrl_c_leaves_the_chat_at_once(tmp_path: Path) -> None:
    code, out, err = _interrupt(["chat", "--memory"], tmp_path)
    assert code == 0, err
    assert "保重" in out
    assert "Traceback" not in err


def test_ctrl_c_leaves_the_chat_even_when_started_with_the_interrupt_ignored(
    tmp_path: Path,
) -> None:
    code, out, err = _interrupt(["chat", "--memory"], tmp_path, ignored=True)
    assert code == 0, err
    assert "保重" in out


def test_ctrl_c_stops_run_with_the_terminal_and_logs_stay_out_of_the_prompt(tmp_path: Path) -> None:
    code, out, err = _interrupt(
        ["--config", str(_memory_config(tmp_path)), "run", "--platform", "terminal"], tmp_path
    )
    assert code == 0, err
    assert "Traceback" not in err
    assert "INFO" not in out
    log = tmp_path / "data" / "cuishou-bot" / "bot.log"
    assert f"logs are written to {log}" in err
    assert "running: terminal" in log.read_text(encoding="utf-8")


def _memory_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("sessions: {store: memory}\nreload: {watch: false}\n", encoding="utf-8")
    return path


#: the environment variables that carry the platforms' secrets (cleared for the check below)
_SECRETS = (
    "BOT_HTTP_TOKEN",
    "BOT_ADMIN_TOKEN",
    "ONEBOT_ACCESS_TOKEN",
    "WECHATY_PUPPET_SERVICE_TOKEN",
    "WECHATY_PUPPET_SERVICE_ENDPOINT",
    "WECHAT_OFFICIAL_TOKEN",
    "WECHAT_OFFICIAL_APP_ID",
    "WECHAT_OFFICIAL_APP_SECRET",
    "WECHAT_OFFICIAL_ENCODING_AES_KEY",
)


def test_check_validates_the_enabled_platforms_settings(tmp_path: Path) -> None:
    """`check` used to say "content OK" with platforms enabled and their secrets missing;
    `run` then failed. It now names each missing secret, and exits 1."""
    config = tmp_path / "config.yaml"
    config.write_text(
        "platforms:\n  enabled: [terminal, http, onebot, wechaty, official]\n"
        "  http:\n    host: 0.0.0.0\n    admin_token: short\n",
        encoding="utf-8",
    )
    env = {name: "" for name in _SECRETS}
    proc = run("--config", str(config), "check", env=env, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "content OK" in proc.stdout.decode()  # the content itself is fine
    for named in (
        "http: platforms.http.token (or env BOT_HTTP_TOKEN) must be set",
        "onebot: platforms.onebot.access_token (or env ONEBOT_ACCESS_TOKEN) must be set",
        "wechaty: WeChat adapter: set WECHATY_PUPPET_SERVICE_ENDPOINT",
        "official: ",
    ):
        assert named in err, err
    assert "Traceback" not in err

    config.write_text(
        "platforms:\n  enabled: [http, onebot]\n"
        "  http:\n    token: a-token-for-the-api\n"
        "  onebot:\n    access_token: a-token-for-qq\n",
        encoding="utf-8",
    )
    proc = run("--config", str(config), "check", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "platforms OK: http, onebot" in proc.stdout.decode()
