"""The admin desk: admin commands in a private chat ("状态", "重新加载") and the state they
report — message counters, the platforms and their states, the content's load and reload
history, and notices waiting for admins.

Admins are listed in ``admins`` (ids as ``platform:user`` or a bare user id). Anyone else
saying these words, and admins in a group, get the normal answers. This module reads the
commands and writes the replies; the engine carries out a reload (it owns the content).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.messages import Outcome, SessionKey
from bot.understanding.short_answers import compact


class AdminCommand(StrEnum):
    """What an admin may ask for."""

    STATUS = "status"
    RELOAD = "reload"


log = logging.getLogger(__name__)

#: The outcomes of admin commands (not counted as messages handled).
ADMIN_INTENTS = frozenset({Outcome.ADMIN_STATUS, Outcome.ADMIN_RELOAD})
#: At most this many content problems are listed in a chat message.
MAX_PROBLEMS_SHOWN = 10

_COMMANDS = (
    (AdminCommand.STATUS, re.compile(r"^/?(状态|运行状态|机器人状态|status)$")),
    (AdminCommand.RELOAD, re.compile(r"^/?(重新加载|重载|重新载入|reload)$")),
)


def read_admin_command(text: str) -> AdminCommand | None:
    """The admin command ``text`` is (the whole message only), if any."""
    short = compact(text).lower()
    for command, pattern in _COMMANDS:
        if pattern.match(short):
            return command
    return None


def is_admin(admins: Collection[str], key: SessionKey) -> bool:
    """True when the sender is listed, as ``platform:user`` or as the bare user id."""
    return key.listed_in(admins)


@dataclass(frozen=True)
class ReloadOutcome:
    """How one reload went: ``problems`` is empty when the new content was swapped in."""

    at: float
    trigger: str  # "admin" or "files"
    old_version: str
    version: str  # the version served now
    intents: int
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Stats:
    """Counters for the admin status."""

    started_at: float = field(default_factory=time.time)
    handled: int = 0
    fallbacks: int = 0
    low_confidence: int = 0  # answered with a clarifying question
    errors: int = 0

    def count(self, outcome: str | None) -> None:
        """Count one answered message by its intent or outcome."""
        if outcome in ADMIN_INTENTS:
            return
        self.handled += 1
        if outcome == Outcome.FALLBACK:
            self.fallbacks += 1
        elif outcome == Outcome.CLARIFY:
            self.low_confidence += 1


class AdminDesk:
    """What admins see and are told: counters, platform states, content reloads, notices."""

    def __init__(self, admins: Collection[str]) -> None:
        self.admins = frozenset(admins)
        self.stats = Stats()
        #: platform name → its state now ("logged_in", "running", …)
        self.platforms: dict[str, Callable[[], str]] = {}
        #: called with each notice (adapters register these to push it to admins)
        self.on_notice: list[Callable[[str], Awaitable[None]]] = []
        #: a notice waiting to be put before the next reply to an admin in a private chat
        self.notice: str | None = None
        self.loaded_at = time.time()  # when the content served now was loaded
        self.last_reload: ReloadOutcome | None = None

    def is_admin(self, key: SessionKey) -> bool:
        """True when ``key``'s person is an admin."""
        return is_admin(self.admins, key)

    def register_platform(self, name: str, state: Callable[[], str]) -> None:
        """Show platform ``name`` in the status, with ``state()`` as its state."""
        self.platforms[name] = state

    def platform_states(self) -> dict[str, str]:
        """Each platform's state now (a failing state callback shows as unknown)."""
        states = {}
        for name, state in self.platforms.items():
            try:
                states[name] = str(state())
            except Exception as exc:
                states[name] = f"unknown ({type(exc).__name__})"
        return states

    def status(self, version: str, intents: int) -> str:
        """The reply to "状态"."""
        stats = self.stats
        return status_text(
            started_at=stats.started_at,
            handled=stats.handled,
            fallbacks=stats.fallbacks,
            low_confidence=stats.low_confidence,
            errors=stats.errors,
            platforms=self.platform_states(),
            version=version,
            intents=intents,
            loaded_at=self.loaded_at,
            last_reload=self.last_reload,
        )

    def reloaded(self, outcome: ReloadOutcome) -> None:
        """Record a reload; an earlier notice is stale now."""
        if outcome.ok:
            self.loaded_at = outcome.at
        self.last_reload = outcome
        self.notice = None

    def take_notice(self, key: SessionKey, in_group: bool) -> str | None:
        """The waiting notice, once, if this message is from an admin in a private chat."""
        if self.notice is None or in_group or not self.is_admin(key):
            return None
        notice, self.notice = self.notice, None
        return notice

    async def notify(self, text: str) -> None:
        """Keep ``text`` for the next reply to an admin in a private chat, and hand it to
        every ``on_notice`` callback (a failing one is logged)."""
        self.notice = text
        for callback in list(self.on_notice):
            try:
                await callback(text)
            except Exception:
                log.exception("an admin notice callback failed")


def _clock(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时{minutes}分"
    if hours:
        return f"{hours}小时{minutes}分"
    return f"{minutes}分{secs}秒"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0%"


def _problem_lines(problems: list[str]) -> list[str]:
    lines = [f"· {p}" for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(
            f"……还有 {len(problems) - MAX_PROBLEMS_SHOWN} 个问题（运行 python -m bot check 看全部）"
        )
    return lines


def status_text(
    *,
    started_at: float,
    handled: int,
    fallbacks: int,
    low_confidence: int,
    errors: int,
    platforms: Mapping[str, str],
    version: str,
    intents: int,
    loaded_at: float,
    last_reload: ReloadOutcome | None,
    now: float | None = None,
) -> str:
    """The reply to "状态"."""
    now = time.time() if now is None else now
    connected = "、".join(f"{name}（{state}）" for name, state in platforms.items()) or "无"
    lines = [
        "【运行状态】",
        f"运行时间：{_duration(now - started_at)}（启动于 {_clock(started_at)}）",
        f"已处理消息：{handled} 条",
        f"兜底回复率：{_share(fallbacks, handled)}（{fallbacks} 条）；"
        f"低置信度（澄清）率：{_share(low_confidence, handled)}（{low_confidence} 条）；"
        f"出错：{errors} 次",
        f"平台：{connected}",
        f"内容版本：{version}（{intents} 个意图）",
    ]
    if last_reload is None:
        lines.append(f"上次重新加载：无（内容加载于 {_clock(loaded_at)}）")
    elif last_reload.ok:
        lines.append(f"上次重新加载：{_clock(last_reload.at)}，成功")
    else:
        lines.append(
            f"上次重新加载：{_clock(last_reload.at)}，失败"
            f"（{len(last_reload.problems)} 个问题），仍在用版本 {version}"
            f"（加载于 {_clock(loaded_at)}）"
        )
    return "\n".join(lines)


def reload_reply(outcome: ReloadOutcome) -> str:
    """The reply to "重新加载"."""
    if outcome.ok:
        change = (
            f"版本 {outcome.version} 没有变化"
            if outcome.version == outcome.old_version
            else f"版本 {outcome.old_version} → {outcome.version}"
        )
        return (
            f"已重新加载内容：{change}（{outcome.intents} 个意图，用时 {outcome.seconds:.1f} 秒）。"
        )
    return "\n".join(
        [
            f"内容有问题，没有重新加载，继续使用版本 {outcome.version}。改好后再发“重新加载”：",
            *_problem_lines(outcome.problems),
        ]
    )


def reload_notice(outcome: ReloadOutcome) -> str:
    """The notice for admins when a reload after a file change was rejected."""
    return "\n".join(
        [
            f"【管理员提醒】内容文件改动后没能重新加载，仍在使用版本 {outcome.version}：",
            *_problem_lines(outcome.problems),
        ]
    )
