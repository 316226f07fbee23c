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
