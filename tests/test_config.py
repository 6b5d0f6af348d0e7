"""The config is checked in one place and errors say file, line, key and what was expected."""

from __future__ import annotations

import pytest

from scraper import config
from scraper.errors import ConfigError


def test_a_config_with_only_allow_private_addresses_is_valid():
    cfg = config.loads("[fetch]\nallow_private_addresses = true\n")
    assert cfg.fetch.allow_private_addresses is True
    assert cfg.fetch.host_delay == 1.0
    assert cfg.revisit.ladder == [3600, 21600, 86400, 259200, 604800]
    assert cfg.sources == []


def test_an_empty_config_has_safe_defaults():
    cfg = config.loads("")
    assert cfg.fetch.allow_private_addresses is False
    assert cfg.fetch.obey_robots is True
    assert "scraper/" in cfg.fetch.user_agent_header and cfg.fetch.contact in cfg.fetch.user_agent_header


@pytest.mark.parametrize("text, key, line, expected", [
    ("[fetch]\nallow_private_addresses = \"yes\"\n", "fetch.allow_private_addresses", 2, "true or false"),
    ("# c\n[fetch]\nhost_dely = \"1s\"\n", "fetch.host_dely", 3, "did you mean 'host_delay'"),
    ("[revisit]\nladder = [\"1h\", \"soon\"]\n", "revisit.ladder", 2, "a duration"),
    ("[fetch]\nmax_in_flight = 1.5\n", "fetch.max_in_flight", 2, "a whole number"),
    ("[fetch]\nmax_bytes = \"lots\"\n", "fetch.max_bytes", 2, "a size"),
    ("[fech]\n", "fech", 1, "did you mean 'fetch'"),
    ("[[sources]]\nname = \"a\"\n\n[[sources]]\nname = \"b\"\nevery = \"5 minutes\"\n", "sources[1].every", 6,
     "a duration"),
    ("[[sources]]\nname = \"a\"\nlistings = [{ url = \"https://x.vn/\" }]\n", "sources[0].listings", 3,
     "links or pattern"),
    ("[[sources]]\nname = \"a\"\ndeny = [\"(\"]\n", "sources[0].deny", 3, "bad regular expression"),
    ("[[sites]]\nname = \"x\"\noffset = \"GMT+7\"\n", "sites[0].offset", 3, "+07:00"),
])
def test_bad_values_name_file_line_key_and_expectation(text, key, line, expected):
    with pytest.raises(ConfigError) as info:
        config.loads(text, "my.toml")
    message = str(info.value)
    assert message.startswith(f"my.toml:{line}: [{key}]"), message
    assert expected in message


def test_broken_toml_names_the_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[fetch]\nhost_delay = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.toml:2: not valid TOML"):
        config.load(path)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        config.load(tmp_path / "nope.toml")


def test_durations_and_sizes():
    assert [config.parse_duration(v) for v in ("30s", "15m", "6h", "7d", 2)] == [30, 900, 21600, 604800, 2]
    assert config.parse_size("10MiB") == 10 * 2**20 and config.parse_size("500KiB") == 512000


def test_archive_path_is_beside_the_config(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    path.parent.mkdir()
    path.write_text("", encoding="utf-8")
    assert config.load(path).db_path == path.parent.resolve() / "archive.db"
