"""The bot's configuration, read once from the environment (and ``.env``) by ``python -m bot``.

Secrets come only from the environment: the token is kept out of ``repr`` so
that a settings object printed in a log line or a traceback never shows it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from index import ROOT, Settings

DEFAULT_STATE_DIR = ROOT / "var" / "bot"
DEFAULT_MAX_UPLOAD_MB = 20
DEFAULT_REMINDER_EVERY = 300.0  # a reminder is due at 7:30; five minutes late is still on time


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable for the operator."""


def _ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    raw = env.get(name, "") or ""
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(f"{name}: {part!r} is not a Telegram user id (expected comma-separated integers)")
    return frozenset(ids)


def _path(value: str | None, default: Path) -> Path:
    if not value:
        return default
    p = Path(value).expanduser()
    return p if p.is_absolute() else Path.cwd() / p


@dataclass(frozen=True)
class BotSettings:
    """Everything ``python -m bot`` needs; ``index`` is the engine's own ``Settings``."""

    index: Settings
    token: str | None = field(default=None, repr=False)
    base_url: str | None = None  # None = Telegram's own
    base_file_url: str | None = None
    admin_ids: frozenset[int] = frozenset()
    allowed_ids: frozenset[int] = frozenset()  # empty = anyone may ask
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    state_dir: Path = DEFAULT_STATE_DIR
    log_level: str | None = None  # None = the entry point's default
    today: str | None = None  # BOT_TODAY: test/ops override of the date the deadlines count from
    reminder_every: float = DEFAULT_REMINDER_EVERY  # BOT_REMINDER_EVERY: seconds between reminder checks

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BotSettings:
        env = os.environ if env is None else env
        index = Settings.from_env(env)
        try:
            max_mb = float(env.get("MAX_UPLOAD_MB") or DEFAULT_MAX_UPLOAD_MB)
        except ValueError:
            raise ConfigError(f"MAX_UPLOAD_MB: {env.get('MAX_UPLOAD_MB')!r} is not a number") from None
        if max_mb <= 0:
            raise ConfigError("MAX_UPLOAD_MB must be positive")
        state_dir = _path(env.get("BOT_STATE_DIR"), DEFAULT_STATE_DIR).resolve()
        index_dir = index.index_dir.resolve()
        # The index folder is replaced wholesale by builds and garbage-collected;
        # the bot's own state must survive that.
        if state_dir == index_dir or index_dir in state_dir.parents:
            raise ConfigError(f"BOT_STATE_DIR ({state_dir}) must not be inside INDEX_DIR ({index_dir})")
        level = (env.get("LOG_LEVEL") or "").strip().upper() or None
        if level is not None and level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(f"LOG_LEVEL: {level!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        try:
            every = float(env.get("BOT_REMINDER_EVERY") or DEFAULT_REMINDER_EVERY)
        except ValueError:
            raise ConfigError(f"BOT_REMINDER_EVERY: {env.get('BOT_REMINDER_EVERY')!r} is not a number") from None
        if every <= 0:
            raise ConfigError("BOT_REMINDER_EVERY must be positive")
        today = (env.get("BOT_TODAY") or "").strip() or None
        if today is not None:
            from bot.clock import Clock, ClockError

            try:
                Clock.from_setting(today)
            except ClockError as exc:
                raise ConfigError(str(exc)) from None
        return cls(
            index=index,
            token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
            base_url=(env.get("TELEGRAM_BASE_URL") or "").strip() or None,
            base_file_url=(env.get("TELEGRAM_BASE_FILE_URL") or "").strip() or None,
            admin_ids=_ids(env, "ADMIN_USER_IDS"),
            allowed_ids=_ids(env, "ALLOWED_USER_IDS"),
            max_upload_mb=max_mb,
            state_dir=state_dir,
            log_level=level,
            today=today,
            reminder_every=every,
        )

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
