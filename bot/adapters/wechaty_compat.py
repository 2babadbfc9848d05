"""Make python-wechaty 0.10.7 importable and quiet on Python 3.11.

python-wechaty has been unmaintained since 2022–2023 and ``import wechaty`` misbehaves here:

* Python 3.11 rejects a dataclass field whose default is an unhashable instance, and
  ``WechatyOptions.puppet_options`` defaults to a ``PuppetOptions()`` (a dataclass with
  ``eq=True`` and therefore ``__hash__ = None``): the import dies with "mutable default ...
  for field puppet_options". Giving ``PuppetOptions`` the identity hash of ``object`` before
  ``wechaty`` is imported lets the import succeed. (That default instance is shared by every
  ``WechatyOptions``, which is why the adapter passes a fresh ``PuppetOptions`` to each bot.)
* Importing wechaty creates ``./.wechaty/`` in the current directory unless ``CACHE_DIR`` is
  set: we point it at the bot's per-user cache directory (an explicit ``CACHE_DIR`` wins).
* ``WECHATY_LOG`` accepts only silly/verbose/info/warn/error/silent; ``debug`` raises at import.
* Its loggers bypass the application's logging (own handlers, no propagation) and log message
  texts and contact names at INFO, and the token at WARNING. We route them through the normal
  logging tree at WARNING (unless ``WECHATY_LOG`` asks for more) and mask secrets.
* It reads the token from the environment (WECHATY_PUPPET_SERVICE_TOKEN, TOKEN, token) even
  when given one, and then logs both in full: the adapter resolves the settings itself, so the
  library's own environment lookup is switched off. The HTTP/2 loggers (hpack, h2) print every
  header at DEBUG, the token (sent as ``:authority``) included: they stay at WARNING.
* python-wechaty uses ``pyee.AsyncIOEventEmitter``, a deprecated alias that warns on every
  instance (every bot, puppet and contact): we point the alias at the class it wraps,
  ``pyee.asyncio.AsyncIOEventEmitter``. ``telnetlib`` warns once at import; we silence that.
* Contacts and rooms are cached on class attributes shared by every bot instance:
  :func:`isolate_user_caches` gives each new bot its own (see there).
* Its two port probes (``ping_endpoint`` before connecting, ``_check_local_port`` at login)
  open a Telnet connection and never close it: on every (re)connect a socket leaks. We swap in
  probes that behave the same and close their socket.

Everything else in the bot must import python-wechaty through :func:`import_wechaty`, and only
the WeChat adapter does (the import costs about a second).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import socket
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "cuishou-bot"  # the per-user directory name the rest of the bot uses too

#: ``WECHATY_LOG`` values python-wechaty accepts, and the logging level each one means here
_WECHATY_LOG_LEVELS = {
    "silly": logging.DEBUG,
    "verbose": logging.INFO,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "silent": logging.CRITICAL + 1,
}


class WechatyModules(NamedTuple):
    """The python-wechaty modules the adapter uses, imported after patching."""

    wechaty: ModuleType  # Wechaty, WechatyOptions, user classes
    puppet: ModuleType  # wechaty_puppet: PuppetOptions, MessageType, EventType
    puppet_service: ModuleType  # wechaty_puppet_service: PuppetService
    puppet_service_utils: ModuleType  # extract_host_and_port
    scheduler: ModuleType  # apscheduler.schedulers.asyncio: AsyncIOScheduler


class LibraryLogFilter(logging.Filter):
    """Mask secrets (the gateway token) in python-wechaty's log records and drop its noise."""

    #: warnings python-wechaty logs on every connect that mean nothing for this bot
    NOISE = (
        "there are endpoint<",  # both endpoint and token given: always the case here
        "there is not registed blueprint",  # no plugin web server: intended
    )

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add_secret(self, secret: str | None) -> None:
        """Mask ``secret`` from now on (strings shorter than 4 characters are ignored)."""
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(self.NOISE):
            return False
        masked = message
        for secret in self._secrets:
            masked = masked.replace(secret, "***")
        if masked != message:
            record.msg, record.args = masked, None
        return True


#: attached to every python-wechaty logger; the adapter registers the token with it
library_log_filter = LibraryLogFilter()


def wechaty_cache_dir() -> Path:
    """Where python-wechaty may write its cache: ``wechaty/`` in the bot's per-user cache
    directory (``CUISHOU_BOT_CACHE`` when set, as for jieba's cache)."""
    base = os.environ.get("CUISHOU_BOT_CACHE") or platformdirs.user_cache_dir(APP_NAME)
    return Path(base) / "wechaty"


def _prepare_environment() -> int:
    """Set the environment python-wechaty reads at import; return its wanted log level."""
    if not os.environ.get("CACHE_DIR"):
        cache_dir = wechaty_cache_dir()
        cache_dir.mkdir(parents=True, exist_ok=True)
        os.environ["CACHE_DIR"] = str(cache_dir)
    wanted = os.environ.get("WECHATY_LOG")
    if wanted is None:
        return logging.WARNING
    level = _WECHATY_LOG_LEVELS.get(wanted.strip().lower())
    if level is None:
        replacement = "silly" if wanted.strip().lower() == "debug" else "warn"
        log.warning(
            "WECHATY_LOG=%r is not a python-wechaty log level; using %r instead",
            wanted,
            replacement,
        )
        os.environ["WECHATY_LOG"] = replacement
        level = _WECHATY_LOG_LEVELS[replacement]
    else:
        os.environ["WECHATY_LOG"] = wanted.strip().lower()
    return level


def _use_non_deprecated_pyee_emitter() -> None:
    import pyee
    import pyee.asyncio

    pyee.AsyncIOEventEmitter = pyee.asyncio.AsyncIOEventEmitter  # type: ignore[misc,assignment]


def _make_puppet_options_hashable() -> None:
    from wechaty_puppet.schemas.puppet import PuppetOptions

    if getattr(PuppetOptions, "__hash__", None) is None:
        PuppetOptions.__hash__ = object.__hash__


def _route_library_loggers(names: set[str], level: int) -> None:
    """Send python-wechaty's private loggers through the normal logging tree."""
    for name in names:
        logger = logging.getLogger(name)
        if logger.propagate:
            continue  # not one of python-wechaty's get_logger() loggers
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(level)
        logger.addFilter(library_log_filter)


#: HTTP/2 header loggers: at DEBUG they print every header, and the gateway token travels as
#: the ``:authority`` header. Kept at WARNING, and masked like the library's own loggers.
WIRE_LOGGERS = ("hpack", "h2")


def _quiet_wire_loggers() -> None:
    for name in WIRE_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
        if library_log_filter not in logger.filters:
            logger.addFilter(library_log_filter)


def _ignore_the_environment(puppet_service_module: ModuleType) -> None:
    """The adapter resolves the endpoint and token itself (environment first, then
    config.yaml: bot/adapters/wechaty.gateway_settings) and passes them as options. Left to
    itself, python-wechaty also reads WECHATY_PUPPET_SERVICE_TOKEN, TOKEN and token from the
    environment and logs both tokens in full when it finds one there
    ("there are two tokens from options[adopted]<…> and environment<…>")."""
    puppet_service_module.get_token = lambda: None  # type: ignore[attr-defined]
    puppet_service_module.get_endpoint = lambda: None  # type: ignore[attr-defined]


def _can_connect(host: str, port: int, timeout: float = 3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _close_probe_sockets(
    puppet_service_module: ModuleType, plugin_module: ModuleType, utils: ModuleType
) -> None:
    def ping_endpoint(end_point: str) -> bool:
        """True when something accepts TCP connections at ``end_point`` (host:port)."""
        return _can_connect(*utils.extract_host_and_port(end_point))

    def check_local_port(port: int) -> bool:
        """True when the local ``port`` is in use."""
        return _can_connect("127.0.0.1", port)

    puppet_service_module.ping_endpoint = ping_endpoint  # type: ignore[attr-defined]
    plugin_module._check_local_port = check_local_port  # type: ignore[attr-defined]


@functools.cache
def import_wechaty() -> WechatyModules:
    """Patch what python-wechaty needs on Python 3.11, import it once and return its modules."""
    level = _prepare_environment()
    before = set(logging.root.manager.loggerDict)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        _use_non_deprecated_pyee_emitter()
        _make_puppet_options_hashable()
        import apscheduler.schedulers.asyncio as scheduler
        import wechaty
        import wechaty_puppet
        import wechaty_puppet_service
        import wechaty_puppet_service.utils as puppet_service_utils
    puppet_service_module = importlib.import_module("wechaty_puppet_service.puppet")
    _close_probe_sockets(
        puppet_service_module, importlib.import_module("wechaty.plugin"), puppet_service_utils
    )
    _ignore_the_environment(puppet_service_module)
    _quiet_wire_loggers()
    created = set(logging.root.manager.loggerDict) - before
    _route_library_loggers(created, level)
    return WechatyModules(
        wechaty=wechaty,
        puppet=wechaty_puppet,
        puppet_service=wechaty_puppet_service,
        puppet_service_utils=puppet_service_utils,
        scheduler=scheduler,
    )


def isolate_user_caches(bot: Any) -> None:
    """Give a freshly started bot its own Contact/Room/Tag caches.

    python-wechaty keeps loaded contacts and rooms in dicts on the base classes, shared by
    the per-bot subclasses ``Wechaty.init_puppet()`` creates. After a reconnect a new bot would
    get the old bot's objects, bound to the old puppet: ``room.say()`` would go through the old
    puppet, whose closed gRPC channel quietly opens a second connection (or fails outright
    once that puppet is stopped). Call this right after ``bot.init_puppet()``.
    """
    for cls in (bot.Contact, bot.ContactSelf, bot.Room, bot.Tag):
        cls._pool = {}
