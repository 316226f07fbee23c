"""The README documents every setting and every command, so the docs cannot drift."""

from pathlib import Path

import typer.main

from app.cli import cli
from app.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_documented():
    variables = [field.validation_alias for field in Settings.model_fields.values()]
    assert [name for name in variables if f"`{name}`" not in README] == []


def _command_paths(group, prefix=()):
    click_group = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, command in click_group.commands.items():
        if hasattr(command, "commands"):
            yield from _command_paths(command, (*prefix, name))
        else:
            yield " ".join(("winnow", *prefix, name))


def test_every_command_is_documented():
    commands = list(_command_paths(cli))
    assert "winnow db upgrade" in commands
    assert [command for command in commands if f"`{command}" not in README] == []


def test_readme_gives_the_two_setup_commands():
    assert "make run" in README and "make test" in README


def test_the_readme_links_the_guide():
    assert "(docs/guide.md)" in README


def test_the_guide_shows_only_screenshots_the_browser_tests_take():
    """Every picture the guide shows exists, and every picture in docs/images is one that
    tests/browser/test_guide.py writes, so no screenshot is drawn by hand or left to go stale."""
    import re

    from tests.browser.test_guide import IMAGES, SHOTS

    guide = (IMAGES.parent / "guide.md").read_text()
    shown = set(re.findall(r"!\[[^\]]*\]\(images/([^)]+)\)", guide))
    on_disk = {path.name for path in IMAGES.iterdir()}
    taken = {f"{name}.png" for name in SHOTS}
    assert shown, "the guide shows no screenshot"
    assert sorted(shown - on_disk) == []
    assert sorted(on_disk - taken) == []
    assert sorted(taken - shown) == []
