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


def _check_http(config: Config) -> None:
    from bot.adapters.visitors import api_token
    from bot.console.auth import admin_token

    settings = config.platforms.http
    api_token(settings)
    admin_token(settings.admin_token.get_secret_value() if settings.admin_token else None)


def _check_onebot(config: Config) -> None:
    from bot.adapters.webserver import required_token

    settings = config.platforms.onebot
    required_token(
        settings.host,
        settings.access_token,
        key="platforms.onebot.access_token",
        env="ONEBOT_ACCESS_TOKEN",
        optional_on_loopback=settings.allow_without_token_on_loopback,
        opt_out="platforms.onebot.allow_without_token_on_loopback: true",
    )


def _check_wechaty(config: Config) -> None:
    from bot.adapters.wechaty import gateway_settings

    gateway_settings(config)


def _check_official(config: Config) -> None:
    config.platforms.official.check_ready()
    config.platforms.official.check_api()


#: platform name → the check of its settings (the same the adapter makes when it starts)
_SETTINGS_CHECKS = {
    "http": _check_http,
    "onebot": _check_onebot,
    "wechaty": _check_wechaty,
    "official": _check_official,
}


def settings_problems(config: Config, platforms: Iterable[str] | None = None) -> list[str]:
    """What keeps each of ``platforms`` (default: those enabled) from starting — a secret or
    setting missing or wrong — one sentence each, naming the platform and the setting; [] when
    they all can start. Nothing is started or opened."""
    problems = []
    chosen = check(config.platforms.enabled if platforms is None else platforms)
    for name in chosen:
        checker = _SETTINGS_CHECKS.get(name)
        if checker is None:
            continue
        try:
            checker(config)
        except ConfigError as exc:
            problems.append(f"{name}: {exc}")
        except ValueError as exc:  # a setting's own check
            problems.append(f"{name}: {exc}")
    return problems


def build(name: str, config: Config, engine: Engine) -> Adapter:
    """The adapter for platform ``name`` (its settings are checked here: ConfigError)."""
    module, _, cls = PLATFORMS[check([name])[0]].partition(":")
    adapter: type[Adapter] = getattr(importlib.import_module(module), cls)
    return adapter(config, engine)  # type: ignore[call-arg]
