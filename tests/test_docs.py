"""The docs stay complete: the CLI reference is generated from --help and checked here.

Regenerate after changing a command: ``DISTILLGUARD_UPDATE_DOCS=1 pytest tests/test_docs.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from distillguard.cli import app

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = ROOT / "docs" / "cli.md"


def _command_paths() -> list[list[str]]:
    group = typer.main.get_command(app)
    paths: list[list[str]] = [[]]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        paths.append([name])
        paths.extend([name, sub] for sub in getattr(command, "commands", {}))
    return paths


def render_cli_reference() -> str:
    runner = CliRunner()
    parts = [
        "# CLI reference",
        "",
        "Generated from `--help` by `tests/test_docs.py`; do not edit by hand.",
        "",
    ]
    for path in _command_paths():
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1",
                                                            "TERM": "dumb"}, color=False)
        assert result.exit_code == 0, result.output
        title = " ".join(["distillguard", *path])
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        parts += [f"## `{title}`", "", "```text", text, "```", ""]
    return "\n".join(parts)


def test_cli_reference_is_up_to_date() -> None:
    expected = render_cli_reference()
    if os.environ.get("DISTILLGUARD_UPDATE_DOCS"):
        CLI_DOC.write_text(expected)
    assert CLI_DOC.read_text() == expected, (
        "docs/cli.md is stale: run DISTILLGUARD_UPDATE_DOCS=1 pytest tests/test_docs.py"
    )


def test_readme_mentions_every_command() -> None:
    readme = (ROOT / "README.md").read_text()
    for path in _command_paths()[1:]:
        if len(path) == 1:
            assert f"distillguard {path[0]}" in readme, path


def test_every_doc_linked_from_the_readme_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{doc.name}" in readme, f"README does not link docs/{doc.name}"
