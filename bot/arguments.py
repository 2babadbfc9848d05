"""The command line's grammar: every command, its options and their help texts (argparse),
written once, here, from the constants of the modules they describe (the JSONL fields, the
report's time forms). What each command does is in bot/cli.py."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.adapters import registry

#: the distribution name in pyproject.toml (``--version`` reads its installed metadata)
DISTRIBUTION = "cuishou-assistant"
#: the platforms that serve on a host and port (``run --host/--port``)
SERVER_PLATFORMS = ("http", "onebot", "official")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown (not installed)"


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds (got {text})")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def _common(defaults: bool) -> argparse.ArgumentParser:
    """--config and --intents, accepted before and after the command; after the command they
    must not overwrite what was given before it (hence SUPPRESS there)."""
    common = argparse.ArgumentParser(add_help=False)
    default = None if defaults else argparse.SUPPRESS
    common.add_argument(
        "--config",
        type=Path,
        default=default,
        help="configuration file (default: ./config.yaml if it exists)",
    )
    common.add_argument(
        "--intents",
        type=Path,
        default=default,
        help="intent content directory (default: the shipped intents/)",
    )
    return common


def parser() -> argparse.ArgumentParser:
    """The parser of ``python -m bot``."""
    from bot.adapters.terminal import JSONL_INPUT_FIELDS, JSONL_OUTPUT_FIELDS
    from bot.operations.report import TIME_FORMS

    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="催收应对助手: answers people facing debt collectors, in Chinese. "
        "Also installed as the command cuishou-bot.",
        parents=[_common(defaults=True)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    after = [_common(defaults=False)]

    chat = sub.add_parser(
        "chat",
        parents=after,
        help="chat in the terminal (the default)",
        description="Chat in the terminal. Leave with 退出, exit, quit, Ctrl-C or Ctrl-D.",
    )
    chat.add_argument(
        "--jsonl",
        action="store_true",
        help="read a JSON object {"
        + ", ".join(JSONL_INPUT_FIELDS)
        + "} per line (room and addressed optional), write {"
        + ", ".join(JSONL_OUTPUT_FIELDS)
        + "} per line",
    )
    chat.add_argument(
        "--memory",
        action="store_true",
        help="keep conversations in memory only (nothing written to disk)",
    )
    chat.add_argument(
        "--new",
        action="store_true",
        help="start afresh instead of continuing an earlier conversation",
    )
    chat.add_argument(
        "--explain",
        action="store_true",
        help="after each reply, print which decision answered and why the ones before it "
        'declined, with the scores they used (with --jsonl: a "trace" field)',
    )

    classify = sub.add_parser("classify", parents=after, help="classify messages")
    classify.add_argument(
        "--jsonl",
        action="store_true",
        help="one message per input line, one JSON object per output line",
    )
    classify.add_argument("text", nargs="*", help="messages to classify (else read stdin)")

    evaluate = sub.add_parser(
        "eval", parents=after, help="evaluate the classifier on a labelled set"
    )
    evaluate.add_argument(
        "file",
        nargs="?",
        type=Path,
        default=None,
        help="JSONL of {text, intent} (default: the labelled set shipped with the package)",
    )
    evaluate.add_argument(
        "--redteam",
        type=Path,
        action="append",
        default=None,
        metavar="FILE",
        help="red-team JSONL of {text, urgent, kind} whose urgent recall and "
        "false-alarm rate are printed (repeatable; default: the sets "
        "shipped in bot/operations/data/)",
    )
    evaluate.add_argument(
        "--direct",
        type=Path,
        default=None,
        help="the direct-answer set (default: direct_answers.jsonl beside "
        "the test set; skipped when absent)",
    )
    evaluate.add_argument(
        "--json-out",
        type=Path,
        default=Path("eval-report.json"),
        help="where to write the JSON report (default: eval-report.json)",
    )

    evaluate.add_argument(
        "--fresh",
        type=Path,
        action="append",
        metavar="FILE",
        help="also measure a styled set in the corpus's format (e.g. a frozen set): accuracy "
        "per style with intervals, per-topic precision and recall, the in-scope fallback rate "
        "through the whole bot, and calibration (repeatable)",
    )

    check = sub.add_parser("check", parents=after, help="validate the intent content")
    check.add_argument(
        "--store",
        action="store_true",
        help="also check the configured session store (file or Redis)",
    )

    train = sub.add_parser(
        "train",
        parents=after,
        help="train the topic and urgency models on corpus/ and the intents' examples",
    )
    train.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the weights (default: the shipped bot/learning/weights)",
    )
    train.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="the corpus folder (default: corpus/ beside the package)",
    )
    train.add_argument(
        "--readings-only",
        action="store_true",
        help="only export the readings of the fixed texts (examples, labelled questions) that "
        "start-up reuses: after a change to the reading code, the lexicon or the bot's names",
    )
    train.add_argument(
        "--verify",
        action="store_true",
        help="train afresh into a temporary folder and fail when a model's validation "
        "accuracy differs from the committed weights' by more than one point",
    )
    train.add_argument(
        "--quick",
        action="store_true",
        help="train only the candidate the committed weights chose (with --verify)",
    )

    bench = sub.add_parser("bench", parents=after, help="measure speed and memory")
    bench.add_argument(
        "--seconds",
        type=_positive_seconds,
        default=3.0,
        help="how long to run each throughput measurement (more than 0; default: 3)",
    )
    bench.add_argument(
        "--baseline",
        action="store_true",
        help="also measure a scikit-learn TF-IDF + logistic regression baseline",
    )
    bench.add_argument(
        "--photo",
        action="store_true",
        help="also measure the photo check: seconds per 1600-pixel photo and "
        "the memory the OCR adds (loads the OCR model)",
    )

    report = sub.add_parser(
        "report",
        parents=after,
        help="the most asked topics, the fallback rate and the "
        "unanswered messages grouped, from the store",
    )
    report.add_argument(
        "--since", default="7d", help=f"start of the period: {TIME_FORMS} (default: 7d)"
    )
    report.add_argument(
        "--until", default=None, help="end of the period (same forms; default: now)"
    )
    report.add_argument("--json", action="store_true", help="print the report as JSON")

    run = sub.add_parser(
        "run",
        parents=after,
        help="run the platforms enabled in config.yaml",
        description="Run the platforms; stop with Ctrl-C (or SIGTERM).",
    )
    run.add_argument(
        "--platform",
        action="append",
        choices=registry.names(),
        help="run this platform (repeatable); overrides platforms.enabled",
    )
    servers = ", ".join(SERVER_PLATFORMS)
    run.add_argument(
        "--host",
        default=None,
        help=f"the address the server platforms ({servers}) listen on; "
        "overrides platforms.<name>.host",
    )
    run.add_argument(
        "--port",
        type=_port,
        default=None,
        help=f"the port of the one server platform ({servers}) being run; "
        "overrides platforms.<name>.port",
    )

    backup = sub.add_parser(
        "backup",
        parents=after,
        help="copy the SQLite session file consistently (also while the bot runs)",
        description="Copy the SQLite file (sessions and the report's records) with SQLite's "
        "online backup: a consistent copy, safe while a bot server writes to it.",
    )
    backup.add_argument("destination", type=Path, help="the new file (must not exist)")

    menu = sub.add_parser(
        "menu",
        parents=after,
        help="set the WeChat Official Account's custom menu from platforms.official.menu",
    )
    menu.add_argument(
        "--show", action="store_true", help="print the menu as WeChat gets it, without sending it"
    )
    return parser


COMMANDS = ("chat", "classify", "eval", "check", "bench", "run", "report", "menu", "backup")
#: the chat command's own options
_CHAT_OPTIONS = ("--new", "--memory", "--jsonl", "--explain")


def chat_by_default(argv: list[str]) -> list[str]:
    """``argv`` with "chat" put first when no command is named but a chat option is
    (``python -m bot --new``, ``./scripts/chat.sh --new``: chat is the default command)."""
    words = [a for a in argv if a != "--" and not a.startswith("-")]
    if any(w in COMMANDS for w in words) or not any(a in _CHAT_OPTIONS for a in argv):
        return list(argv)
    return ["chat", *argv]
