"""Configuration: one typed object loaded from ``config.yaml``, secrets from the environment.

Every problem is reported with the key it concerns (``sessions.idle_minutes: …``). Servers bind
to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.content import default_intents_dir

PositiveFloat = Annotated[float, Field(gt=0)]


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


class UrgencyConfig(_Section):
    """How sure the urgent model must be (bot/conversation/policies/urgency.py): clear danger
    from ``clear_probability`` on, possible danger from ``possible_probability`` on, when no
    warning sign decides first."""

    clear_probability: Annotated[float, Field(ge=0, le=1)] = 0.4
    possible_probability: Annotated[float, Field(ge=0, le=1)] = 0.10
    #: a clear warning sign is clear danger from this probability on; below it (the model
    #: reads the message as plainly calm) it is possible danger: the numbers still come
    sign_confirm_probability: Annotated[float, Field(ge=0, le=1)] = 0.10
    #: ... and below this one (the model reads the message as calm beyond doubt: "磨刀石怎么
    #: 用？菜刀钝得切不动肉") the sign is a word in a calm message: the ordinary answer
    sign_dismiss_probability: Annotated[float, Field(ge=0, le=1)] = 0.02

    @model_validator(mode="after")
    def _ordered(self) -> UrgencyConfig:
        if self.possible_probability > self.clear_probability:
            raise ValueError("possible_probability must not exceed clear_probability")
        if self.sign_dismiss_probability > self.sign_confirm_probability:
            raise ValueError("sign_dismiss_probability must not exceed sign_confirm_probability")
        return self


class SessionsConfig(_Section):
    """Where conversations are kept and for how long."""

    store: Literal["memory", "sqlite", "redis"] = "sqlite"
    sqlite_path: str = ""  # empty: a file in the per-user data directory
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: a pause this long ends the open question (and any question the bot was waiting on);
    #: the details stay for ``retention_hours``
    idle_minutes: PositiveFloat = 30
    #: how long what a person told is kept: back within it, the conversation continues with
    #: a one-line recap (and "重新开始" starts afresh); past it, the details are gone and the
    #: bot says so once
    retention_hours: PositiveFloat = 24
    #: past the retention window, a person who comes back within this long is told once that
    #: the earlier details were cleared (the store keeps a conversation that much longer)
    return_notice_minutes: Annotated[float, Field(ge=0)] = 30

    @property
    def retention_seconds(self) -> float:
        """How long a conversation's details are kept (never less than the idle pause)."""
        return max(self.retention_hours * 3600, self.idle_minutes * 60)

    @property
    def keep_seconds(self) -> float:
        """How long a store keeps an idle conversation."""
        return self.retention_seconds + self.return_notice_minutes * 60

    max_sessions: Annotated[int, Field(ge=1)] = 10_000
    #: in a group, keep each person's conversation apart (room_user) or share one (room)
    group_key: Literal["room_user", "room"] = "room_user"
    #: the deadline of each store call (milliseconds); past it the bot answers without memory
    #: (SQLite: also its busy timeout, for a file another process has locked)
    timeout_ms: Annotated[int, Field(ge=10, le=60_000)] = 200


class InsightsConfig(_Section):
    """What the bot keeps to improve its content (read by ``python -m bot report``): the time
    and intent of every handled message, and the masked text of the ones it could not answer.
    Kept in the sessions' store (memory, the SQLite file or Redis)."""

    enabled: bool = True
    #: keep the masked text and best guesses of unanswered messages (else only counts);
    #: clear- and possible-danger messages keep their masked text for the console's safety
    #: view either way
    keep_unanswered_text: bool = True
    #: also keep them (when keeping texts at all) for messages answered with the topic the
    #: classifier ranked first but less likely than this, for the console's inbox; 0: never.
    #: Meant to lie above ``classifier.threshold``, below which the bot does not answer.
    low_confidence_below: Annotated[float, Field(ge=0, le=1)] = 0.6
    #: records older than this are deleted
    retention_days: PositiveFloat = 30
    #: the most records kept (the oldest go first)
    max_records: Annotated[int, Field(ge=100)] = 50_000


class LearningConfig(_Section):
    """The learned models (bot/learning)."""

    #: after the content changes (the console teaches, a file is edited), retrain the models in
    #: the background and swap them in when ready; the old ones answer until then
    retrain_on_change: bool = True
    #: where retrained weights are kept; empty: ``models/`` in the per-user data directory
    models_dir: str = ""


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
    #: answer an urgent message (a threat, someone in despair) in the group even when nobody
    #: addressed the bot: briefly, the emergency numbers and one or two steps
    answer_urgent_unaddressed: bool = True
    #: also answer an unaddressed message that is a confident in-scope question
    answer_confident_questions: bool = False
    confident_threshold: Annotated[float, Field(ge=0, le=1)] = 0.8
    #: how often (seconds) a non-text message may get the "please type text" note
    non_text_note_interval: PositiveFloat = 300


class SendingConfig(_Section):
    """Rate limits for sending (defaults are safe for a personal WeChat account)."""

    per_room_per_minute: Annotated[int, Field(ge=1)] = 12
    overall_per_minute: Annotated[int, Field(ge=1)] = 30
    #: urgent replies' reserved share: this many more messages a minute (in all, and to any one
    #: conversation) once the ordinary budget is spent, so an urgent reply never waits for it
    urgent_reserve_per_minute: Annotated[int, Field(ge=1)] = 10
    max_message_chars: Annotated[int, Field(ge=100, le=5000)] = 1500
    #: the most chat messages queued for one conversation (older ordinary ones are dropped
    #: beyond it; urgent ones never are)
    max_queued_per_conversation: Annotated[int, Field(ge=1)] = 30
    #: the most chat messages queued in total (same rule)
    max_queued: Annotated[int, Field(ge=1)] = 2000
    #: on stop, wait this long for the queue to drain; what is left is saved and sent on the
    #: next start
    stop_drain_seconds: Annotated[float, Field(ge=0, le=60)] = 3
    #: where replies still unsent at a stop are saved (empty: the per-user data directory;
    #: with sessions.store "memory" and no directory set they are counted in the log only)
    unsent_dir: str = ""


class WechatyConfig(_Section):
    """The WeChat adapter (python-wechaty against a puppet-service gateway)."""

    endpoint: str | None = None  # else WECHATY_PUPPET_SERVICE_ENDPOINT
    token: str | None = None  # else WECHATY_PUPPET_SERVICE_TOKEN
    reconnect_initial_seconds: PositiveFloat = 1
    reconnect_max_seconds: PositiveFloat = 60
    #: how often the bot pings the gateway (Ding); nothing from the gateway for two intervals
    #: counts as a silent gateway and the bot reconnects (at most 25: found within a minute)
    heartbeat_seconds: Annotated[float, Field(gt=0, le=25)] = 20


class HttpConfig(_Section):
    """The HTTP API and web chat page."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    token: str | None = None  # else BOT_HTTP_TOKEN
    #: false only when something in front of the bot checks who may use it (see README)
    require_token: bool = True
    max_body_bytes: Annotated[int, Field(ge=256)] = 64 * 1024
    #: Host header values accepted (empty: the bound host, localhost, 127.0.0.1, [::1])
    allowed_hosts: list[str] = Field(default_factory=list)
    #: peers (reverse proxies) whose forwarded client address is believed (rate limits, logs)
    trusted_proxies: list[str] = Field(default_factory=list)
    #: the header a trusted proxy puts the client's address in (X-Forwarded-For: the
    #: right-most address that is not itself a trusted proxy; any other: its last value)
    client_address_header: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")] = (
        "X-Forwarded-For"
    )
    #: API requests per client per minute (429 with Retry-After beyond it)
    rate_limit_per_minute: Annotated[int, Field(ge=1)] = 60
    #: a public web page: anonymous visitors get server-signed ids (a cookie) instead of the
    #: shared token, which the page never holds (README "A public web page")
    public_page: bool = False
    #: signs the visitor ids (else env BOT_VISITOR_SECRET; unset: random per process, so
    #: visitors start afresh after a restart; set it when several processes serve the page)
    visitor_secret: SecretStr | None = None
    #: messages per visitor per minute on a public page (429 with Retry-After beyond it)
    visitor_rate_limit_per_minute: Annotated[int, Field(ge=1)] = 20
    #: a connection that sends no complete request head for this long is closed
    idle_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 15
    #: a request body that takes longer than this to arrive gets 408
    body_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 20
    #: connections open at the same time (past it an idle one is evicted, else 503)
    max_connections: Annotated[int, Field(ge=1)] = 256
    #: connections open at once from one address (default: an eighth of max_connections);
    #: behind a proxy every client has the proxy's address: raise it there
    max_connections_per_client: Annotated[int, Field(ge=1)] | None = None
    #: the counsellors' console at /admin: the token counsellors log in with (else env
    #: BOT_ADMIN_TOKEN; at least 16 characters); unset: the console is off (404)
    admin_token: SecretStr | None = None
    #: a console login ends after this long without a request (and after 12 hours at most)
    admin_session_minutes: Annotated[int, Field(ge=1, le=720)] = 60
    #: wrong console logins per client a minute answered at once; each one beyond waits
    #: longer (1 s, 2 s, 4 s … a minute), one at a time; a right token never waits
    admin_login_per_minute: Annotated[int, Field(ge=1, le=100)] = 5


class OneBotConfig(_Section):
    """QQ through a OneBot v11 implementation connecting by reverse WebSocket."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8081
    path: str = "/onebot/v11/ws"
    access_token: str | None = None  # else ONEBOT_ACCESS_TOKEN
    #: allow connections without a token when the server listens on loopback only
    allow_without_token_on_loopback: bool = False


# ----- the WeChat Official Account (公众号, issue 18) --------------------------------------

#: WeChat's limits on a custom menu (自定义菜单): buttons and their names in UTF-8 bytes
MENU_TOP_BUTTONS = 3
MENU_SUB_BUTTONS = 5
MENU_TOP_NAME_BYTES = 16
MENU_SUB_NAME_BYTES = 60
MENU_KEY_BYTES = 128
MENU_URL_BYTES = 1024


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


class MenuButton(_Section):
    """One button of the Official Account's menu: ``text`` asks the bot that text when tapped
    (a "click" button whose key is the text), ``url`` opens a page, ``sub_buttons`` opens a
    list of up to five buttons (with ``text`` or ``url``)."""

    name: Annotated[str, Field(min_length=1)]
    text: str | None = None
    url: str | None = None
    sub_buttons: list[MenuButton] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_action(self) -> MenuButton:
        actions = [a for a in ("text", "url") if getattr(self, a)]
        if self.sub_buttons:
            actions.append("sub_buttons")
        if len(actions) != 1:
            raise ValueError(
                f"button {self.name!r} needs exactly one of text, url or "
                f"sub_buttons (has {', '.join(actions) or 'none'})"
            )
        if self.text and _utf8_len(self.text) > MENU_KEY_BYTES:
            raise ValueError(
                f"button {self.name!r}: text is longer than {MENU_KEY_BYTES} "
                "UTF-8 bytes (about 42 Chinese characters)"
            )
        if self.url and not self.url.startswith(("https://", "http://")):
            raise ValueError(f"button {self.name!r}: url must start with https://")
        if self.url and _utf8_len(self.url) > MENU_URL_BYTES:
            raise ValueError(f"button {self.name!r}: url is longer than {MENU_URL_BYTES} bytes")
        if len(self.sub_buttons) > MENU_SUB_BUTTONS:
            raise ValueError(
                f"button {self.name!r} has {len(self.sub_buttons)} sub_buttons; "
                f"WeChat allows {MENU_SUB_BUTTONS}"
            )
        for sub in self.sub_buttons:
            if sub.sub_buttons:
                raise ValueError(f"button {sub.name!r}: sub_buttons cannot have sub_buttons")
            if _utf8_len(sub.name) > MENU_SUB_NAME_BYTES:
                raise ValueError(
                    f"button {sub.name!r}: the name is longer than "
                    f"{MENU_SUB_NAME_BYTES} UTF-8 bytes"
                )
        return self

    def to_wechat(self) -> dict[str, object]:
        """The button as /cgi-bin/menu/create takes it."""
        if self.sub_buttons:
            return {"name": self.name, "sub_button": [b.to_wechat() for b in self.sub_buttons]}
        if self.url:
            return {"type": "view", "name": self.name, "url": self.url}
        return {"type": "click", "name": self.name, "key": self.text}


def _default_menu() -> list[MenuButton]:
    return [
        MenuButton(name="有人上门", text="催收的人在门口怎么办"),
        MenuButton(
            name="常见问题",
            sub_buttons=[
                MenuButton(name="核实身份", text="怎么核实催收人员的身份"),
                MenuButton(name="协商分期", text="怎么和银行协商分期还款"),
                MenuButton(name="安全还款", text="怎样安全还款不被骗"),
                MenuButton(name="投诉骚扰", text="被催收骚扰了怎么投诉"),
            ],
        ),
        MenuButton(name="全部话题", text="菜单"),
    ]


class OfficialConfig(_Section):
    """The WeChat Official Account (公众号): the callback server WeChat posts messages to and
    the API it sends the slow answers through. Secrets come from the environment."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8082
    path: str = "/wechat/official"
    app_id: str | None = None  # else env WECHAT_OFFICIAL_APP_ID
    app_secret: SecretStr | None = None  # env WECHAT_OFFICIAL_APP_SECRET
    token: SecretStr | None = None  # env WECHAT_OFFICIAL_TOKEN
    encoding_aes_key: SecretStr | None = None  # env WECHAT_OFFICIAL_AES_KEY
    #: safe: AES-encrypted messages only; compatible: encrypted or plain; plain: no AES
    mode: Literal["safe", "compatible", "plain"] = "safe"
    api_base_url: str = "https://api.weixin.qq.com"
    #: answer in the HTTP reply when ready this soon (WeChat waits 5 s, then retries)
    passive_reply_seconds: Annotated[float, Field(gt=0, le=4.5)] = 4.0
    #: the passive reply when the answer is not ready in time (empty: none, only "success")
    ack_text: str = "收到，正在为你整理回答，请稍等几秒。如果有人威胁你或不肯离开，请先拨打110。"
    #: what a new follower's subscribe event asks the bot, in order: the welcome and the menu
    #: come from the content
    welcome_messages: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=lambda: ["你好", "菜单"]
    )
    #: the longest message in UTF-8 bytes (WeChat: 2048 for a text message)
    max_message_bytes: Annotated[int, Field(ge=300, le=2048)] = 2048
    #: the account may send customer-service messages (客服消息; verified accounts can):
    #: false: every answer goes in a passive reply, whole, and what is not ready in time (a
    #: photo being read) comes with the person's next message
    customer_service: bool = True
    #: callbacks whose timestamp is further than this from the server's clock are refused
    max_clock_skew_seconds: Annotated[int, Field(ge=30, le=3600)] = 300
    api_timeout_seconds: PositiveFloat = 10
    menu: Annotated[list[MenuButton], Field(max_length=MENU_TOP_BUTTONS)] = Field(
        default_factory=_default_menu
    )

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or any(c in value for c in "?# "):
            raise ValueError("must start with / and hold no ?, # or space, e.g. /wechat/official")
        return value

    @field_validator("api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (http:// only for a local test server)")
        return value.rstrip("/")

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9]{3,32}", value.get_secret_value()):
            raise ValueError("must be 3 to 32 letters or digits, as set in the WeChat console")
        return value

    @field_validator("encoding_aes_key")
    @classmethod
    def _aes_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9]{43}", value.get_secret_value()):
            raise ValueError(
                "must be the 43 letters and digits of EncodingAESKey from the WeChat console"
            )
        return value

    @field_validator("menu")
    @classmethod
    def _menu_names(cls, value: list[MenuButton]) -> list[MenuButton]:
        for button in value:
            if _utf8_len(button.name) > MENU_TOP_NAME_BYTES:
                raise ValueError(
                    f"button {button.name!r}: the name is longer than "
                    f"{MENU_TOP_NAME_BYTES} UTF-8 bytes (4 Chinese characters)"
                )
        return value

    def check_ready(self) -> None:
        """Raise :class:`ConfigError` naming the first key the account cannot run without."""
        needed = [
            ("app_id", "WECHAT_OFFICIAL_APP_ID", self.app_id),
            ("app_secret", "WECHAT_OFFICIAL_APP_SECRET", self.app_secret),
            ("token", "WECHAT_OFFICIAL_TOKEN", self.token),
        ]
        if self.mode != "plain":
            needed.append(("encoding_aes_key", "WECHAT_OFFICIAL_AES_KEY", self.encoding_aes_key))
        for key, env, value in needed:
            plain = value.get_secret_value() if isinstance(value, SecretStr) else value
            if not (plain or "").strip():
                raise ConfigError(
                    f"platforms.official.{key} (env {env}) must be set for the "
                    f"Official Account ({self.mode} mode)"
                )

    def check_api(self) -> None:
        """Raise :class:`ConfigError` when the API cannot be called (no AppID or AppSecret)."""
        for key, env, value in (
            ("app_id", "WECHAT_OFFICIAL_APP_ID", self.app_id),
            ("app_secret", "WECHAT_OFFICIAL_APP_SECRET", self.app_secret),
        ):
            plain = value.get_secret_value() if isinstance(value, SecretStr) else value
            if not (plain or "").strip():
                raise ConfigError(
                    f"platforms.official.{key} (env {env}) must be set to call the WeChat API"
                )


OFFICIAL_ENV = {
    "app_id": "WECHAT_OFFICIAL_APP_ID",
    "app_secret": "WECHAT_OFFICIAL_APP_SECRET",
    "token": "WECHAT_OFFICIAL_TOKEN",
    "encoding_aes_key": "WECHAT_OFFICIAL_AES_KEY",
}


def _official_from_env(official: OfficialConfig, env: dict[str, str]) -> OfficialConfig:
    """The section with the environment's values, validated like the file's."""
    updates = {key: env[name] for key, name in OFFICIAL_ENV.items() if env.get(name)}
    if not updates:
        return official
    data = official.model_dump()
    for key, value in data.items():
        if isinstance(value, SecretStr):
            data[key] = value.get_secret_value()
    try:
        return OfficialConfig.model_validate({**data, **updates})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        source = f"env {OFFICIAL_ENV[key]}" if key in updates else "config"
        raise ConfigError(f"{source}: platforms.official.{key}: {err['msg']}") from None


class PlatformsConfig(_Section):
    """Which platforms ``python -m bot run`` starts, and their settings."""

    enabled: list[str] = Field(default_factory=lambda: ["terminal"])  # see adapters/registry.py
    wechaty: WechatyConfig = WechatyConfig()
    http: HttpConfig = HttpConfig()
    onebot: OneBotConfig = OneBotConfig()
    official: OfficialConfig = OfficialConfig()  # issue 18


class Config(_Section):
    """The whole configuration."""

    bot_name: str = "催收应对助手"
    intents_dir: str = ""  # empty: the intents/ shipped with the bot
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    classifier: ClassifierConfig = ClassifierConfig()
    urgency: UrgencyConfig = UrgencyConfig()
    sessions: SessionsConfig = SessionsConfig()
    insights: InsightsConfig = InsightsConfig()
    reload: ReloadConfig = ReloadConfig()
    learning: LearningConfig = LearningConfig()
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
    wechaty = platforms.wechaty.model_copy(
        update={
            "endpoint": env.get("WECHATY_PUPPET_SERVICE_ENDPOINT") or platforms.wechaty.endpoint,
            "token": env.get("WECHATY_PUPPET_SERVICE_TOKEN") or platforms.wechaty.token,
        }
    )
    http = platforms.http.model_copy(
        update={
            "token": env.get("BOT_HTTP_TOKEN") or platforms.http.token,
            "visitor_secret": SecretStr(env["BOT_VISITOR_SECRET"])
            if env.get("BOT_VISITOR_SECRET")
            else platforms.http.visitor_secret,
            "admin_token": SecretStr(env["BOT_ADMIN_TOKEN"])
            if env.get("BOT_ADMIN_TOKEN")
            else platforms.http.admin_token,
        }
    )
    onebot = platforms.onebot.model_copy(
        update={
            "access_token": env.get("ONEBOT_ACCESS_TOKEN") or platforms.onebot.access_token,
        }
    )
    sessions = config.sessions
    if env.get("BOT_REDIS_URL"):
        sessions = sessions.model_copy(update={"redis_url": env["BOT_REDIS_URL"]})
    return config.model_copy(
        update={
            "platforms": platforms.model_copy(
                update={
                    "wechaty": wechaty,
                    "http": http,
                    "onebot": onebot,
                    "official": _official_from_env(platforms.official, env),
                }
            ),
            "sessions": sessions,
        }
    )
