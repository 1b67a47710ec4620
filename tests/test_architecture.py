"""The pipeline's shape is checked, not hoped for: layers, one-way imports, and the README's map.

The layers contract lives in ``pyproject.toml`` (``[tool.importlinter]``); import-linter counts
imports inside functions too, so a backward import anywhere fails this test.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

import derive

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "derive"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("derive", cache_dir=None)


def test_the_layers_contract_holds() -> None:
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_the_contract_names_every_module_of_the_top_level() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    named = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    present = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    present |= {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert present == named


@pytest.mark.parametrize("stage", ["derive.differentiate", "derive.verify", "derive.checker", "derive.facts"])
def test_the_renderer_never_imports_a_stage_that_computes(graph: grimp.ImportGraph, stage: str) -> None:
    renderer = {m for m in graph.modules if m == "derive.renderer" or m.startswith("derive.renderer.")}
    for module in renderer:
        chain = graph.find_shortest_chain(importer=module, imported=stage, as_packages=True)
        assert chain is None, f"{module} reaches {stage}: {' -> '.join(chain)}"


def test_there_is_no_import_cycle(graph: grimp.ImportGraph) -> None:
    modules = sorted(m for m in graph.modules if m.startswith("derive"))
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not imported.startswith("derive"):
                continue
            if state.get(imported) == 1:
                cycle = path[path.index(imported):] + [imported] if imported in path else [module, imported]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if imported not in state:
                visit(imported, [*path, imported])
        state[module] = 2

    for module in modules:
        if module not in state:
            visit(module, [module])


def test_no_subpackage_shadows_a_public_function() -> None:
    for name in derive.__all__:
        assert not (PACKAGE / name).is_dir() and not (PACKAGE / f"{name}.py").is_file(), name


def test_the_readme_maps_every_folder_of_the_package() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The pipeline", 1)[1].split("\n## ", 1)[0]
    mapped = set(re.findall(r"^\s*(derive/[\w/]+?)/?\s", section, flags=re.MULTILINE))
    folders = {f"derive/{path.name}" for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert folders <= mapped, folders - mapped
    modules = {f"derive/{path.stem}" for path in PACKAGE.glob("*.py") if path.stem not in ("__init__", "__main__")}
    assert modules <= {m.removesuffix(".py") for m in re.findall(r"(derive/\w+\.py)", section)}, modules


def test_tests_mirror_the_stages() -> None:
    for stage in ("parse", "differentiate", "verify", "facts", "checker", "renderer"):
        assert list((ROOT / "tests" / stage).glob("test_*.py")), f"tests/{stage}/ has no tests"
