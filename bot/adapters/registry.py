"""The platforms the bot can run on: name → adapter class, in one place.

``run --platform`` takes its choices from here, the configuration's ``platforms.enabled`` is
checked against it, and the runner builds adapters through it. Adapter modules are imported
only when their platform is used (python-wechaty alone costs ~0.4 s to import).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.config import Config, ConfigError

if TYPE_CHECKING:
    from bot.adapters.base import Adapter
    from bot.engine import Engine

#: platform name → "module:class"
PLATFORMS: dict[str, str] = {
    "terminal": "bot.adapters.terminal:TerminalAdapter",
    "wechaty": "bot.adapters.wechaty:WechatyAdapter",
    "http": "bot.adapters.http:HttpAdapter",
    "onebot": "bot.adapters.onebot:OneBotAdapter",
    "official": "bot.adapters.official:OfficialAdapter",
}


def names() -> list[str]:
    """Every platform's name."""
    return list(PLATFORMS)


def check(platforms: Iterable[str], key: str = "platforms.enabled") -> list[str]:
    """``platforms`` without repeats; ConfigError naming ``key`` for an unknown one."""
    chosen = list(dict.fromkeys(platforms))
    unknown = [p for p in chosen if p not in PLATFORMS]
    if unknown:
        raise ConfigError(f"{key}: unknown platform {unknown[0]!r} (known: {', '.join(PLATFORMS)})")
    return chosen


def build(name: str, config: Config, engine: Engine) -> Adapter:
    """The adapter for platform ``name`` (its settings are checked here: ConfigError)."""
    module, _, cls = PLATFORMS[check([name])[0]].partition(":")
    adapter: type[Adapter] = getattr(importlib.import_module(module), cls)
    return adapter(config, engine)  # type: ignore[call-arg]
