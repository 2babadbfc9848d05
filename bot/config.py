"""Configuration: one typed object loaded from ``config.yaml``, secrets from the environment.

Every problem is reported with the key it concerns (``sessions.idle_minutes: …``). Servers bind
to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.content import default_intents_dir

PositiveFloat = Annotated[float, Field(gt=0)]
PlatformName = Literal["terminal", "wechaty", "http", "onebot"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassifierConfig(_Section):
    """When to answer, when to ask which topic was meant, and when to fall back."""

    #: below this confidence the bot asks a clarifying question instead of answering
    threshold: Annotated[float, Field(ge=0, le=1)] = 0.45
    #: topics at least this likely are offered in a clarifying question; when none is, the
    #: message is out of scope and gets the fallback
    clarify_floor: Annotated[float, Field(ge=0, le=1)] = 0.15
    #: a second topic is answered too when its score reaches this share of the first one's
    secondary_ratio: Annotated[float, Field(ge=0, le=1)] = 0.6
    #: after urgent advice, the other topic the message asks about is answered too when it
    #: is at least this likely among the non-urgent topics
    urgent_secondary_floor: Annotated[float, Field(ge=0, le=1)] = 0.4


class SessionsConfig(_Section):
    """Where conversations are kept and for how long."""

    store: Literal["memory", "sqlite", "redis"] = "sqlite"
    sqlite_path: str = ""  # empty: a file in the per-user data directory
    redis_url: str = "redis://127.0.0.1:6379/0"
    idle_minutes: PositiveFloat = 30
    max_sessions: Annotated[int, Field(ge=1)] = 10_000
    #: in a group, keep each person's conversation apart (room_user) or share one (room)
    group_key: Literal["room_user", "room"] = "room_user"


class InsightsConfig(_Section):
    """What the bot keeps to improve its content (read by ``python -m bot report``): the time
    and intent of every handled message, and the masked text of the ones it could not answer.
    Kept in the sessions' store (memory, the SQLite file or Redis)."""

    enabled: bool = True
    #: keep the masked text and best guesses of unanswered messages (else only counts)
    keep_unanswered_text: bool = True
    #: records older than this are deleted
    retention_days: PositiveFloat = 30
    #: the most records kept (the oldest go first)
    max_records: Annotated[int, Field(ge=100)] = 50_000


class ReloadConfig(_Section):
    """Reloading the content while ``python -m bot run`` runs."""

    #: reload when a file in the intents directory changes
    watch: bool = True
    #: wait this long (milliseconds) for a burst of file changes to end before reloading
    debounce_ms: Annotated[int, Field(ge=10, le=60_000)] = 1000


class CalculatorConfig(_Section):
    """The repayment calculator's example interest rate (shown in every reply that uses it)."""

    default_annual_rate: Annotated[float, Field(ge=0, le=1)] = 0.10


class PhotoConfig(_Section):
    """The photo check (bot/photo): reading letters, IDs, SMS screenshots and payment codes."""

    #: read photos; when off, a photo gets the "please type text" note
    enabled: bool = True
    #: photos read at the same time (each OCR keeps ``ocr_threads`` cores busy)
    concurrency: Annotated[int, Field(ge=1, le=16)] = 1
    #: cores one OCR uses; 0: as many as the machine has, at most 2
    ocr_threads: Annotated[int, Field(ge=0, le=64)] = 0
    #: photos that may wait for a turn; more get "please send it again in a minute"
    max_waiting: Annotated[int, Field(ge=0, le=1000)] = 8


class GroupsConfig(_Section):
    """How the bot behaves in group chats."""

    #: a message starting with one of these is addressed to the bot
    triggers: list[str] = Field(default_factory=lambda: ["助手", "#"])
    #: also answer an unaddressed message that is a confident in-scope question
    answer_confident_questions: bool = False
    confident_threshold: Annotated[float, Field(ge=0, le=1)] = 0.8
    #: how often (seconds) a non-text message may get the "please type text" note
    non_text_note_interval: PositiveFloat = 300


class SendingConfig(_Section):
    """Rate limits for sending (defaults are safe for a personal WeChat account)."""

    per_room_per_minute: Annotated[int, Field(ge=1)] = 12
    overall_per_minute: Annotated[int, Field(ge=1)] = 30
    max_message_chars: Annotated[int, Field(ge=100, le=5000)] = 1500


class WechatyConfig(_Section):
    """The WeChat adapter (python-wechaty against a puppet-service gateway)."""

    endpoint: str | None = None  # else WECHATY_PUPPET_SERVICE_ENDPOINT
    token: str | None = None  # else WECHATY_PUPPET_SERVICE_TOKEN
    reconnect_initial_seconds: PositiveFloat = 1
    reconnect_max_seconds: PositiveFloat = 60


class HttpConfig(_Section):
    """The HTTP API and web chat page."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    token: str | None = None  # else BOT_HTTP_TOKEN
    max_body_bytes: Annotated[int, Field(ge=256)] = 64 * 1024


class OneBotConfig(_Section):
    """QQ through a OneBot v11 implementation connecting by reverse WebSocket."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8081
    path: str = "/onebot/v11/ws"
    access_token: str | None = None  # else ONEBOT_ACCESS_TOKEN


class PlatformsConfig(_Section):
    """Which platforms ``python -m bot run`` starts, and their settings."""

    enabled: list[PlatformName] = Field(default_factory=lambda: list[PlatformName](["terminal"]))
    wechaty: WechatyConfig = WechatyConfig()
    http: HttpConfig = HttpConfig()
    onebot: OneBotConfig = OneBotConfig()


class Config(_Section):
    """The whole configuration."""

    bot_name: str = "催收应对助手"
    intents_dir: str = ""  # empty: the intents/ shipped with the bot
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    classifier: ClassifierConfig = ClassifierConfig()
    sessions: SessionsConfig = SessionsConfig()
    insights: InsightsConfig = InsightsConfig()
    reload: ReloadConfig = ReloadConfig()
    calculator: CalculatorConfig = CalculatorConfig()
    groups: GroupsConfig = GroupsConfig()
    photo: PhotoConfig = PhotoConfig()
    sending: SendingConfig = SendingConfig()
    platforms: PlatformsConfig = PlatformsConfig()
    #: user ids (per platform "platform:user" or bare) of counsellors: their messages get
    #: counsellor-mode answers
    counsellors: list[str] = Field(default_factory=list)
    #: user ids of admins who may ask for status and reload content in a private chat
    admins: list[str] = Field(default_factory=list)

    @property
    def intents_path(self) -> Path:
        """The directory the intent content is loaded from."""
        return Path(self.intents_dir).expanduser() if self.intents_dir else default_intents_dir()


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the key."""


def _format_errors(source: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{source}: {key}: {err['msg']}")
    return "\n".join(lines)


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Load ``path`` (or defaults when None), then apply secrets from the environment.

    Raises :class:`ConfigError` naming the file and key of every problem.
    """
    env = dict(os.environ if env is None else env)
    raw: object = {}
    source = "defaults"
    if path is not None:
        source = str(path)
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ConfigError(f"{source}: the configuration file does not exist") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{source}: the file is not valid UTF-8") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source}: not valid YAML: {str(exc).splitlines()[0]}") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: expected a mapping of keys at the top level")
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(source, exc)) from None
    return _apply_env(config, env)


def _apply_env(config: Config, env: dict[str, str]) -> Config:
    platforms = config.platforms
    wechaty = platforms.wechaty.model_copy(update={
        "endpoint": env.get("WECHATY_PUPPET_SERVICE_ENDPOINT") or platforms.wechaty.endpoint,
        "token": env.get("WECHATY_PUPPET_SERVICE_TOKEN") or platforms.wechaty.token,
    })
    http = platforms.http.model_copy(update={
        "token": env.get("BOT_HTTP_TOKEN") or platforms.http.token,
    })
    onebot = platforms.onebot.model_copy(update={
        "access_token": env.get("ONEBOT_ACCESS_TOKEN") or platforms.onebot.access_token,
    })
    sessions = config.sessions
    if env.get("BOT_REDIS_URL"):
        sessions = sessions.model_copy(update={"redis_url": env["BOT_REDIS_URL"]})
    return config.model_copy(update={
        "platforms": platforms.model_copy(update={"wechaty": wechaty, "http": http,
                                                  "onebot": onebot}),
        "sessions": sessions,
    })
