"""``python -m bot``: poll Telegram when TELEGRAM_BOT_TOKEN is set, otherwise answer in the terminal."""

from __future__ import annotations

import logging
import sys

from bot.settings import BotSettings, ConfigError
from index import load_dotenv_file


class RedactingFormatter(logging.Formatter):
    """Replaces secrets in every formatted line, tracebacks included.

    httpx and PTB put the request URL, which contains the bot token, into some
    messages and exceptions; whatever reaches a log line goes through here.
    """

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<TOKEN>")
        return text


def configure_logging(level: str, secrets: list[str]) -> None:
    logging.basicConfig(level=level, stream=sys.stderr)
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
    # Their request lines at INFO/DEBUG contain https://…/bot<TOKEN>/method.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.captureWarnings(True)


def main() -> int:
    load_dotenv_file()
    try:
        settings = BotSettings.from_env()
    except ConfigError as exc:
        print(f"Cấu hình không hợp lệ: {exc}", file=sys.stderr)
        return 2
    # The terminal is for reading answers: only warnings there unless LOG_LEVEL says otherwise.
    level = settings.log_level or ("INFO" if settings.token else "WARNING")
    configure_logging(level, [settings.token or ""])
    if settings.token:
        from bot.telegram.app import run

        run(settings)
        return 0
    from bot.terminal import run as run_terminal

    return run_terminal(settings)


if __name__ == "__main__":
    sys.exit(main())
