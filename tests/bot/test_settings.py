"""Bot settings from the environment."""

from __future__ import annotations

import pytest

from bot.settings import DEFAULT_STATE_DIR, BotSettings, ConfigError


def test_from_env(tmp_path) -> None:
    s = BotSettings.from_env({
        "TELEGRAM_BOT_TOKEN": "123:secret", "ADMIN_USER_IDS": "1, 2", "ALLOWED_USER_IDS": "3",
        "MAX_UPLOAD_MB": "5", "BOT_STATE_DIR": str(tmp_path / "st"), "INDEX_DIR": str(tmp_path / "ix"),
        "TELEGRAM_BASE_URL": "http://127.0.0.1:1/bot", "LOG_LEVEL": "debug",
    })
    assert s.admin_ids == {1, 2} and s.allowed_ids == {3}
    assert s.max_upload_bytes == 5 * 1024 * 1024
    assert s.state_dir == (tmp_path / "st").resolve()
    assert s.base_url == "http://127.0.0.1:1/bot" and s.base_file_url is None
    assert s.log_level == "DEBUG"
    assert "secret" not in repr(s)


def test_defaults() -> None:
    s = BotSettings.from_env({})
    assert s.token is None and s.admin_ids == frozenset() and s.allowed_ids == frozenset()
    assert s.max_upload_mb == 20 and s.state_dir == DEFAULT_STATE_DIR.resolve()


@pytest.mark.parametrize("env", [
    {"ADMIN_USER_IDS": "12,abc"},
    {"MAX_UPLOAD_MB": "lots"},
    {"LOG_LEVEL": "LOUD"},
])
def test_bad_values_name_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=next(iter(env))):
        BotSettings.from_env(env)


def test_state_dir_must_not_be_inside_the_index(tmp_path) -> None:
    with pytest.raises(ConfigError, match="BOT_STATE_DIR"):
        BotSettings.from_env({"INDEX_DIR": str(tmp_path / "ix"), "BOT_STATE_DIR": str(tmp_path / "ix" / "bot")})
