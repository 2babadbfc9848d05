"""Command line: ``python -m bot [chat|classify|eval|check|bench|run|report|menu] ...`` (also
installed as ``cuishou-bot``): what each command does. The commands, their options and help
texts are in bot/arguments.py.

Every command reports problems (a broken config, broken content, bad input) as one clear line
on stderr and a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.adapters import registry
from bot.arguments import SERVER_PLATFORMS, chat_by_default, parser
from bot.config import Config, ConfigError, load_config
from bot.content import Content, ContentError, load_content
from bot.storage.errors import StoreUnavailable

if TYPE_CHECKING:
    from bot.storage.turns.base import TurnRecord

DEFAULT_CONFIG = Path("config.yaml")


def _load_config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    config = load_config(path)
    if args.intents is not None:
        config = config.model_copy(update={"intents_dir": str(args.intents)})
    registry.check(config.platforms.enabled)
    return config


def _stdin_lines() -> Iterator[tuple[int, str | None]]:
    """Lines of stdin as text; a line that is not valid UTF-8 gives None."""
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            yield number, raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield number, None


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cmd_classify(config: Config, args: argparse.Namespace) -> int:
    """Classify messages from the arguments or stdin."""
    from bot.engine import Understanding

    classifier = Understanding.build(config).classifier

    def result(text: str) -> dict[str, object]:
        from bot.conversation.policies.urgency import decide

        classified = classifier.classify(text)
        urgency = decide(classified, None, config.urgency)
        return {
            "text": text,
            "intent": classified.top.intent,
            "confidence": round(classified.confidence, 4),
            "intents": [
                {"intent": r.intent, "score": round(r.score, 4)}
                for r in classified.ranking
                if r.score >= 0.01
            ][:5],
            "urgent": list(urgency.intents),
            "tier": urgency.tier.value,
            "tokens": classified.tokens,
        }

    if args.text:
        for text in args.text:
            _print_json(result(text)) if args.jsonl else _print_human(result(text))
        return 0
    status = 0
    for number, line in _stdin_lines():
        if line is None:
            _print_json({"line": number, "error": "input line is not valid UTF-8"})
            status = 1
            continue
        if args.jsonl:
            _print_json(result(line))
        else:
            _print_human(result(line))
    return status


def _print_human(res: dict[str, object]) -> None:
    ranked = ", ".join(f"{r['intent']} {r['score']:.2f}" for r in res["intents"])  # type: ignore[attr-defined]
    print(f"{res['intent']}  ({ranked})  ← {res['text']}")


def cmd_eval(config: Config, args: argparse.Namespace) -> int:
    """Evaluate on a labelled set; print a table and write JSON."""
    from bot.engine import Understanding
    from bot.operations.evaluation import (
        DEFAULT_REDTEAM_SETS,
        DEFAULT_TEST_SET,
        DIRECT_SET_NAME,
        TestSetError,
        evaluate,
        evaluate_direct,
        evaluate_redteam,
        labelled_real_questions,
        read_direct_set,
        read_redteam_set,
        read_test_set,
    )

    direct_file = args.direct or (args.file or DEFAULT_TEST_SET).parent / DIRECT_SET_NAME
    try:
        items = read_test_set(args.file or DEFAULT_TEST_SET)
        redteam = [
            (path, read_redteam_set(path)) for path in (args.redteam or DEFAULT_REDTEAM_SETS)
        ]
        questions = read_direct_set(direct_file) if direct_file.exists() else None
    except TestSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    understanding = Understanding.build(config)
    classifier = understanding.classifier
    report = evaluate(classifier, items)
    print(report.table())
    result = report.to_json()
    result["redteam"] = []
    for path, red_items in redteam:
        red = evaluate_redteam(classifier, red_items, path.name, config.urgency)
        print("\n" + red.table())
        result["redteam"].append(red.to_json())
    if questions is not None:
        direct = evaluate_direct(understanding.reader, questions)
        print()
        print(direct.line())
        for error in direct.errors:
            print(f"  [{error['expected']} → {error['given']}] {error['text']}")
        result["direct_answers"] = direct.to_json()
    real = labelled_real_questions(understanding.reader)
    if real:
        labelled = evaluate_direct(understanding.reader, real)
        print(
            f"\nreal questions labelled with their answer (validation side of corpus/answers, "
            f"{len(real)} never learned):"
        )
        print(labelled.line())
        result["answer_labels"] = labelled.to_json()
    if args.fresh:
        from bot.operations.generalisation import evaluate_styled, read_styled_set

        result["fresh"] = []
        for path in args.fresh:
            try:
                styled = read_styled_set(path)
            except TestSetError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            fresh = evaluate_styled(config, understanding, styled, path.name)
            print("\n" + "\n".join(fresh.lines()))
            result["fresh"].append(fresh.to_json())
    try:
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nJSON report written to {args.json_out}")
    except OSError as exc:
        print(f"error: cannot write {args.json_out}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


def cmd_check(config: Config, args: argparse.Namespace) -> int:
    """Validate the intent content and the settings of the enabled platforms."""
    from bot.adapters.registry import settings_problems

    content = load_content(config.intents_path)  # ContentError is reported by main()
    from bot.facts import check_python_texts

    problems = check_python_texts(content.facts)
    if problems:
        raise ContentError(problems)
    examples = sum(len(spec.examples) for spec in content.intents)
    print(
        f"content OK: {len(content.intents)} intents, {examples} examples, "
        f"{len(content.facts)} facts, {len(content.dictionary)} dictionary words "
        f"(version {content.version}) in {content.directory}"
    )
    status = 0
    problems = settings_problems(config)
    for problem in problems:
        print(f"platform settings: {problem}", file=sys.stderr)
    if problems:
        status = 1
    elif config.platforms.enabled:
        print(f"platforms OK: {', '.join(config.platforms.enabled)} (settings and secrets set)")
    if _check_learning(content, config):
        status = 1
    if getattr(args, "store", False):
        status = max(status, _check_store(config))
    return status


def _check_learning(content: Content, config: Config) -> bool:
    """Validate the corpus's labels and say whether the weights match it; True on a problem."""
    from bot.engine import _addressed_names
    from bot.learning.corpus import CorpusError, default_corpus_dir, load_corpus
    from bot.learning.training import print_corpus_error, readings_status, weights_status

    directory = default_corpus_dir()
    if directory.is_dir():
        try:
            corpus = load_corpus(content, directory)
        except CorpusError as exc:
            print_corpus_error(exc)
            return True
        writers = {m.writer for m in corpus.messages}
        real = sum(m.source is not None for m in corpus.messages)
        print(
            f"corpus OK: {len(corpus.messages)} labelled messages from {len(writers)} writers "
            f"({real} real questions with their source) in {directory}"
        )
        if _check_answer_labels(content, directory):
            return True
    stale = weights_status(content, directory)
    if stale is not None:
        print(f"model error: {stale}", file=sys.stderr)
        return True
    unmatched = readings_status(content, _addressed_names(config))
    if unmatched is not None:
        # start-up reads every example again (slower, never wrong)
        print(
            f"note: {unmatched}; start-up reads the examples again: run python -m bot train"
            " --readings-only"
        )
    return False


def _check_answer_labels(content: Content, directory: Path) -> bool:
    """Validate corpus/answers (real questions and the answer for each); True on a problem."""
    from bot.learning.answer_labels import GENERAL, MISSING, load_answer_labels

    ids = [answer.id for spec in content.intents for answer in spec.answers]
    labels = load_answer_labels(ids, directory)
    if labels.problems:
        for problem in labels.problems[:50]:
            print(f"answer labels error: {problem}", file=sys.stderr)
        return True
    if labels.labels:
        answered = {x.answer for x in labels.labels} - {GENERAL, MISSING}
        missing = labels.missing_classes()
        real = sum(x.source is not None for x in labels.labels)
        print(
            f"answer labels OK: {real} real questions and {len(labels.labels) - real} written "
            f"messages labelled with the answer that answers them ({len(answered)} of {len(ids)} "
            "answers used; "
            f"{sum(missing.values())} ask a point no answer states yet, in {len(missing)} classes)"
        )
    return False


def _check_store(config: Config) -> int:
    """Say whether the configured store can be used, and if not what is wrong and the fix."""
    from bot.storage.errors import StoreUnavailable
    from bot.storage.factory import sqlite_path
    from bot.storage.sqlite_file import diagnose

    store = config.sessions.store
    if store == "memory":
        print("store OK: memory (nothing to check; nothing survives a restart)")
        return 0
    if store == "sqlite":
        path = sqlite_path(config.sessions)
        problem = diagnose(path)
        if problem is not None:
            print(f"store error: {problem}", file=sys.stderr)
            return 1
        print(f"store OK: sqlite {path}" + ("" if path.exists() else " (not created yet)"))
        return 0
    from bot.storage.sessions.redis import RedisStore

    async def ping() -> str:
        redis = RedisStore(config.sessions.redis_url, 60, timeout=2.0)
        try:
            await redis.ping()
            return redis.where
        finally:
            await redis.close()

    try:
        where = asyncio.run(ping())
    except StoreUnavailable as exc:
        print(f"store error: {exc}", file=sys.stderr)
        return 1
    print(f"store OK: redis {where}")
    return 0


def cmd_chat(config: Config, args: argparse.Namespace) -> int:
    """Chat in the terminal, or script conversations as JSON lines."""
    from bot.adapters.terminal import chat_jsonl, chat_terminal

    if args.memory:
        config = config.model_copy(
            update={"sessions": config.sessions.model_copy(update={"store": "memory"})}
        )
    if args.jsonl:
        return asyncio.run(chat_jsonl(config, explain=args.explain))
    # Ctrl-C leaves the chat even when it was started from a place that ignores the interrupt
    # (a non-interactive shell's "&" job passes SIGINT on ignored, and asyncio then leaves it so)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return asyncio.run(chat_terminal(config, new=args.new, explain=args.explain))
    except KeyboardInterrupt:  # Ctrl-C: leave as 退出 does
        print("\n助手：保重。需要时随时回来。遇到危险请拨打110。", flush=True)
        return 0


def cmd_train(config: Config, args: argparse.Namespace) -> int:
    """Train, compare, calibrate and export the learned models."""
    from bot.engine import _addressed_names
    from bot.learning.training import export_readings, run_training, verify_training

    content = load_content(config.intents_path)
    if args.verify:
        return verify_training(content, quick=args.quick)
    if not args.readings_only:
        code = run_training(content, args.out, args.corpus)
        if code:
            return code
    path = export_readings(content, _addressed_names(config), args.out)
    print(f"readings of the fixed texts written to {path}")
    return 0


def cmd_bench(config: Config, args: argparse.Namespace) -> int:
    """Print speed and memory figures."""
    from bot.operations.bench import run_bench

    return run_bench(config, seconds=args.seconds, baseline=args.baseline, photo=args.photo)


def cmd_report(config: Config, args: argparse.Namespace) -> int:
    """Print the report on the turns recorded in the configured store."""
    from bot.operations.grouping import Grouper
    from bot.operations.report import build_report, parse_time

    now = time.time()
    try:
        since = parse_time(args.since, now)
        until = now if args.until is None else parse_time(args.until, now)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    records = asyncio.run(_read_turns(config, since, until))
    if records is None:
        return 1
    grouper = None
    try:
        content = load_content(config.intents_path)
        titles = {spec.id: spec.title for spec in content.intents}
        grouper = Grouper.for_content(content)  # texts read as the bot reads them
    except ContentError as exc:
        print(
            f"warning: intent titles unavailable ({len(exc.problems)} content problem(s); "
            f"see 'check')",
            file=sys.stderr,
        )
        titles = {}
    report = build_report(records, titles, since=since, until=until, grouper=grouper)
    if args.json:
        _print_json(report.to_json())
    else:
        print(report.format())
    return 0


async def _read_turns(config: Config, since: float, until: float) -> list[TurnRecord] | None:
    """The turns of the period from the configured store; None (after saying why) when the
    store cannot be read."""
    from bot.storage.errors import StoreUnavailable
    from bot.storage.factory import open_turn_log, sqlite_path

    store = config.sessions.store
    if store == "memory":
        print(
            "note: sessions.store is memory: a running bot keeps its records to itself",
            file=sys.stderr,
        )
        return []
    if store == "sqlite" and not sqlite_path(config.sessions).exists():
        return []  # nothing recorded yet (and a report creates no files)
    try:
        turn_log = await open_turn_log(config)
        try:
            return list(await turn_log.query(since, until))
        finally:
            await turn_log.close()
    except StoreUnavailable as exc:
        print(f"error: cannot read the {store} store: {exc}", file=sys.stderr)
        return None


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    """Run the configured platforms."""
    from bot.operations.runner import run_platforms

    platforms = args.platform or list(config.platforms.enabled)
    config = _with_address(config, platforms, args.host, args.port)
    return asyncio.run(run_platforms(config, platforms))


def _with_address(
    config: Config, platforms: list[str], host: str | None, port: int | None
) -> Config:
    """``config`` with ``run --host/--port`` applied to the server platforms being run."""
    if host is None and port is None:
        return config
    servers = [name for name in dict.fromkeys(platforms) if name in SERVER_PLATFORMS]
    if not servers:
        raise ConfigError(
            f"--host/--port: none of the platforms run ({', '.join(platforms)}) "
            f"is a server ({', '.join(SERVER_PLATFORMS)})"
        )
    if port is not None and len(servers) > 1:
        raise ConfigError(
            f"--port: several server platforms run ({', '.join(servers)}); "
            "set platforms.<name>.port in config.yaml instead"
        )
    update: dict[str, object] = {}
    if host is not None:
        update["host"] = host
    if port is not None:
        update["port"] = port
    sections = {name: getattr(config.platforms, name).model_copy(update=update) for name in servers}
    return config.model_copy(update={"platforms": config.platforms.model_copy(update=sections)})


def log_file() -> Path:
    """Where ``run`` logs while the terminal platform holds stdin and stdout."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("cuishou-bot")) / "bot.log"


#: Libraries whose INFO and DEBUG lines are not the bot's to log: Pillow logs a photo's EXIF
#: (GPS included) at DEBUG, aiohttp.access every request line (an OneBot token travels in the
#: query string), the OCR and gRPC stacks their internals. They log warnings and errors only,
#: whatever ``log_level`` says.
THIRD_PARTY_LOGGERS = (
    "PIL",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.websocket",
    "urllib3",
    "httpx",
    "httpcore",
    "grpc",
    "hpack",
    "h2",
    "websockets",
    "rapidocr_onnxruntime",
    "RapidOCR",
    "onnxruntime",
    "jieba",
    "redis",
    "multipart",
)


def quiet_third_party_loggers() -> None:
    """Hold :data:`THIRD_PARTY_LOGGERS` at WARNING (the bot's own loggers keep ``log_level``)."""
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _setup_logging(config: Config, command: str, args: argparse.Namespace) -> None:
    """Logs go to stderr, or to :func:`log_file` when ``run`` has the terminal platform (so
    they never land in the prompt); ``chat`` and ``bench`` show warnings only. Other
    libraries log warnings and errors only (:func:`quiet_third_party_loggers`)."""
    quiet_third_party_loggers()
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    platforms = (args.platform or list(config.platforms.enabled)) if command == "run" else []
    if "terminal" in platforms:
        path = log_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            logging.basicConfig(level=config.log_level, format=fmt, filename=path, encoding="utf-8")
            print(f"logs are written to {path}", file=sys.stderr, flush=True)
            return
        except OSError as exc:
            print(
                f"warning: cannot write {path} ({exc.strerror}); logging warnings only",
                file=sys.stderr,
            )
            logging.basicConfig(level=logging.WARNING, format=fmt, stream=sys.stderr)
            return
    logging.basicConfig(level=config.log_level, format=fmt, stream=sys.stderr)
    if command in ("chat", "bench"):
        # The terminal is for the conversation (or the figures); keep INFO lines out.
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))


def cmd_backup(config: Config, args: argparse.Namespace) -> int:
    """Copy the SQLite file with SQLite's online backup (bot/storage/sqlite_file.py)."""
    from bot.storage.factory import sqlite_path
    from bot.storage.sqlite_file import backup

    if config.sessions.store != "sqlite":
        print(
            f"error: sessions.store is {config.sessions.store!r}; backup copies the SQLite "
            "file (back Redis up with its own tools)",
            file=sys.stderr,
        )
        return 2
    source = sqlite_path(config.sessions)
    destination = args.destination.expanduser()
    try:
        pages = backup(source, destination)
    except FileExistsError:
        print(f"error: {destination} exists; name a new file", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as exc:
        print(f"error: cannot back up {source}: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {source} to {destination} ({pages} pages)")
    return 0


def cmd_menu(config: Config, args: argparse.Namespace) -> int:
    """Set (or with --show print) the Official Account's custom menu (bot/adapters/official.py)."""
    from bot.adapters.official import set_menu
    from bot.adapters.official_api import OfficialApiError

    settings = config.platforms.official
    if args.show:
        _print_json({"button": [button.to_wechat() for button in settings.menu]})
        return 0
    try:
        buttons = asyncio.run(set_menu(settings))
    except OfficialApiError as exc:
        print(f"error: WeChat did not take the menu: {exc}", file=sys.stderr)
        return 1
    print(f"menu set: {len(buttons)} button(s) on account {settings.app_id}")
    return 0


#: the commands (the first of them in the arguments is the command)
def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    args = parser().parse_args(chat_by_default(sys.argv[1:] if argv is None else argv))
    command = args.command or "chat"
    if command == "chat" and not hasattr(args, "jsonl"):
        args.jsonl = False
        args.memory = False
        args.new = False
        args.explain = False
    try:
        config = _load_config(args)
        _setup_logging(config, command, args)
        handler = {
            "chat": cmd_chat,
            "classify": cmd_classify,
            "eval": cmd_eval,
            "check": cmd_check,
            "bench": cmd_bench,
            "train": cmd_train,
            "run": cmd_run,
            "report": cmd_report,
            "menu": cmd_menu,
            "backup": cmd_backup,
        }[command]
        return handler(config, args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print(f"content error ({len(exc.problems)} problem(s)):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except StoreUnavailable as exc:  # at start-up: one line naming the file and the fix
        print(f"storage error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``eval | head``): no "Exception ignored" noise when Python
        # flushes stdout at exit.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
