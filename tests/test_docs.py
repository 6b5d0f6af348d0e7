"""Every command and every config key is documented; the shipped configs load."""

from __future__ import annotations

import re

import pytest

from scraper import config as config_mod
from scraper.cli import cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_in_the_readme(name):
    assert f"`scraper {name}" in README, f"README does not document `scraper {name}`"


def _section(title: str) -> str:
    match = re.search(rf"^### `{re.escape(title)}`.*?(?=^### |^## |\Z)", README, re.M | re.S)
    assert match, f"README has no section ### `{title}`"
    return match.group(0)


@pytest.mark.parametrize("section, keys", sorted(config_mod.documented_keys().items()))
def test_every_config_key_is_documented_with_help(section, keys):
    heading = {"sources": "[[sources]]", "sites": "[[sites]]", "sources.listings": "[[sources]]"}.get(
        section, f"[{section}]")
    text = _section(heading)
    for key, help_text in keys.items():
        assert help_text, f"{section}.{key} has no help text"
        if section == "sources.listings":
            assert f"{key} = " in text or f"`{key}`" in text, f"listing key {key} undocumented"
        else:
            assert f"`{key}`" in text, f"README section {heading} does not document `{key}`"


@pytest.mark.parametrize("name", ["config.toml", "demo.toml"])
def test_shipped_configs_load(name):
    loaded = config_mod.load(REPO / name)
    assert loaded.sources


def test_readme_opens_with_the_two_commands():
    head = README[:400]
    assert "make run" in head and "make test" in head
