"""The package ships everything it needs, and the README documents every command."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from derive.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_subpackage_is_listed() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.relative_to(ROOT).parent.parts)
        for path in (ROOT / "derive").rglob("__init__.py")
    }
    assert found | {"derive.templates"} <= listed


def test_every_template_file_is_package_data() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["derive.templates"]
    templates = ROOT / "templates"
    for path in templates.rglob("*"):
        if path.is_file() and path.name != "__init__.py" and "__pycache__" not in path.parts:
            relative = str(path.relative_to(templates))
            assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative


def test_console_script_points_at_the_cli() -> None:
    assert PYPROJECT["project"]["scripts"]["derive"] == "derive.cli:run"


def test_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"derive {command}" in readme, f"'derive {command}' is not in the README"


def test_readme_quick_start_commands_are_the_ones_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install -e . && derive sigmoid" in readme
    assert "python3 -m pip install -e '.[test]' && python3 -m pytest" in readme
    assert "python3 -m pip install -e '.[test]'" in ci and "python3 -m pytest" in ci
