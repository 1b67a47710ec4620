"""A Gradescope autograder: the bundle derive writes, and what it runs for each submission.

Gradescope's autograder specification (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): the uploaded zip holds ``setup.sh`` (run once, as root, when the image is
built) and ``run_autograder`` (run for every submission, in ``/autograder``) at its root; the zip
is extracted to ``/autograder/source``, ``run_autograder`` is copied to ``/autograder``; the
student's files are in ``/autograder/submission``; the result must be written to
``/autograder/results/results.json``: ``score``, ``execution_time``, ``output``, ``visibility``,
``stdout_visibility`` and ``tests``, each test with ``name``, ``number``, ``score``,
``max_score``, ``status``, ``output`` and ``visibility``; output formats default to rendered
HTML (``simple_format``) for the top-level output, so derive sets every format to ``text``:
nothing a student wrote can become markup on Gradescope's page.

:func:`write_bundle` writes the bundle (with a copy of derive itself, so the image needs only
the Python packages from PyPI); :func:`run_autograder` is what ``run_autograder`` calls
(``derive gradescope-autograder --run CONFIG``). It always writes a ``results.json``, whatever
the submission holds.
"""

from __future__ import annotations

import json
import time
import tomllib
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from derive import __version__
from derive.checker.grade import Found, check_grade_options, grade_one, not_a_submission
from derive.checker.worker import ProofWorker
from derive.errors import DeriveError, InputError
from derive.grading.gradebook import Settings
from derive.grading.reference import reference_for
from derive.grading.rubric import DEFAULT_RUBRIC, Rubric, rubric_from
from derive.grading.scoring import Score, number, score
from derive.output import write_text
from derive.sandbox import failure

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
CONFIG_NAME = "derive-autograder.toml"
FALLBACK_REQUIREMENTS = ("sympy>=1.12", "mpmath>=1.3", "jinja2>=3.1", "lark>=1.1", "latex2mathml>=3.77")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries carry no date of their own: the same bundle, the same bytes

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (derive {version}).
# derive needs Python 3.11 or later; its own code is in source/derive, the packages it uses come from PyPI.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
python=""
for candidate in python3 python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  apt-get install -y python3.11 python3.11-venv
  python=python3.11
fi
apt-get install -y "$python-venv" || apt-get install -y python3-venv || true
"$python" -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir -r /autograder/source/requirements.txt
/autograder/venv/bin/python -c 'import sys; sys.path.insert(0, "/autograder/source"); import derive.grading.gradescope'
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (derive {version}): it checks the student's derivation in
# /autograder/submission and writes /autograder/results/results.json. It finds everything relative to
# its own place, so the same script runs in a folder laid out like /autograder (for a try-out).
root="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
python="$root/venv/bin/python"
if [ ! -x "$python" ]; then python="${{DERIVE_PYTHON:-python3}}"; fi
mkdir -p "$root/results"
cd "$root"
PYTHONPATH="$root/source" exec "$python" -m derive gradescope-autograder --run "$root/source/{config}" --root "$root"
"""


@dataclass(frozen=True, kw_only=True)
class AutograderConfig:
    """What the autograder checks (the exercise, as for ``derive grade``), and how Gradescope shows it."""

    settings: Settings = Settings()
    visibility: str = "visible"
    submission_file: str = ""
    rubric: Rubric = DEFAULT_RUBRIC

    def as_toml(self) -> str:
        settings = self.settings
        lines = ["# derive's Gradescope autograder: what it checks (written by derive gradescope-autograder).",
                 f"exercise = {json.dumps(settings.function)}"]
        if settings.variable:
            lines.append(f"variable = {json.dumps(settings.variable)}")
        if settings.syntax:
            lines.append(f"syntax = {json.dumps(settings.syntax)}")
        lines += [f"timeout = {settings.timeout!r}", f"file_timeout = {settings.file_timeout!r}",
                  f"visibility = {json.dumps(self.visibility)}  # of each line's result: {', '.join(VISIBILITIES)}",
                  f"submission_file = {json.dumps(self.submission_file)}  # the file to grade; empty: the one text file uploaded",
                  "", "[rubric]"]
        for key, value in self.rubric.as_json_data().items():
            lines.append(f"{key} = {json.dumps(value)}")
        return "\n".join(lines) + "\n"


def read_config(path: Path) -> AutograderConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{path}: not a derive autograder configuration ({error})") from None
    rubric = rubric_from(data.pop("rubric", {}), f"{path} [rubric]")
    known = {"exercise", "variable", "syntax", "timeout", "file_timeout", "visibility", "submission_file"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{path}: unknown key {unknown[0]!r}")
    settings = Settings(function=data.pop("exercise", "sigmoid"), variable=data.pop("variable", None),
                        syntax=data.pop("syntax", None), timeout=data.pop("timeout", 10.0),
                        file_timeout=data.pop("file_timeout", 120.0))
    config = AutograderConfig(settings=settings, rubric=rubric, **data)
    check_config(config)
    return config


def check_config(config: AutograderConfig) -> None:
    if config.visibility not in VISIBILITIES:
        raise InputError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {config.visibility!r}")
    check_grade_options(timeout=config.settings.timeout, **config.settings.check_options())


def requirements() -> list[str]:
    """derive's runtime requirements (from its installed metadata), for the image's ``pip install``."""
    try:
        found = metadata.requires("derive") or []
    except metadata.PackageNotFoundError:
        return list(FALLBACK_REQUIREMENTS)
    return sorted(requirement.split(";")[0].strip() for requirement in found if "extra ==" not in requirement)


def write_bundle(config: AutograderConfig, folder: Path) -> list[Path]:
    """``setup.sh``, ``run_autograder``, the configuration, ``requirements.txt``, a copy of derive,
    and ``autograder.zip`` holding all of them at its root (what Gradescope wants uploaded)."""
    check_config(config)
    files: dict[str, bytes] = {
        "setup.sh": SETUP_SH.format(version=__version__).encode(),
        "run_autograder": RUN_AUTOGRADER.format(version=__version__, config=CONFIG_NAME).encode(),
        CONFIG_NAME: config.as_toml().encode(),
        "requirements.txt": ("\n".join(requirements()) + "\n").encode(),
        **_derive_sources(),
    }
    written = []
    for name, data in sorted(files.items()):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if name in ("setup.sh", "run_autograder"):
            path.chmod(0o755)
        written.append(path)
    archive = folder / "autograder.zip"
    temporary = archive.with_name(".autograder.zip.partial")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in sorted(files.items()):
            entry = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            entry.external_attr = (0o100755 if name in ("setup.sh", "run_autograder") else 0o100644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(entry, data)
    temporary.replace(archive)
    return [folder / "setup.sh", folder / "run_autograder", folder / CONFIG_NAME, folder / "requirements.txt", archive]


def _derive_sources() -> dict[str, bytes]:
    """derive's own files as the bundle holds them: ``derive/…`` and its templates as ``derive/templates/…``."""
    import derive
    from derive.renderer.environment import templates_folder

    package = Path(derive.__file__).resolve().parent
    found: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if path.is_file() and "__pycache__" not in relative.parts and relative.parts[0] != "templates" and \
                path.suffix in (".py", ".typed"):
            found[f"derive/{relative.as_posix()}"] = path.read_bytes()
    templates = templates_folder()
    for path in sorted(templates.rglob("*")):
        relative = path.relative_to(templates)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix in (".j2", ".css", ".py"):
            found[f"derive/templates/{relative.as_posix()}"] = path.read_bytes()
    return found


def run_autograder(config_path: Path, root: Path) -> dict[str, Any]:
    """Grade ``root/submission`` and write ``root/results/results.json``; returns what it wrote.
    Never fails without a results file: anything that goes wrong is the result's output."""
    started = time.monotonic()
    results_path = root / "results" / "results.json"
    try:
        config = read_config(config_path)
    except DeriveError as error:
        results = _failed(f"The autograder is not set up correctly: {error}", DEFAULT_RUBRIC.maximum, started)
        write_text(results_path, json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        return results
    try:
        results = _grade(config, root / "submission", started)
    except Exception as error:  # noqa: BLE001 - Gradescope must always get a result; this one says why
        results = _failed(f"derive could not grade this submission: {failure(error, 'grading')}", config.rubric.maximum,
                          started)
    write_text(results_path, json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return results


def _grade(config: AutograderConfig, submission: Path, started: float) -> dict[str, Any]:
    chosen = _submission_file(config, submission)
    if isinstance(chosen, str):
        return _failed(chosen, config.rubric.maximum, started)
    settings = config.settings
    reference = reference_for(settings.function, settings.variable)
    with ProofWorker(timeout=settings.timeout) as worker:
        graded = grade_one(Found(path=chosen, folder=submission), worker, timeout=settings.timeout,
                           next_line=reference.next_line, **settings.check_options())
    name = chosen.relative_to(submission).as_posix()
    if graded.report is None:
        error = (graded.error or "").replace(f"{submission}/", "")  # the student knows their file by its own name
        return _failed(f"{name} could not be graded: {error}", config.rubric.maximum, started)
    points = score(graded.report, config.rubric, recognised_form=reference.recognised_form is not None)
    return _results(graded, points, config, name, started)


def _submission_file(config: AutograderConfig, submission: Path) -> Path | str:
    """The file to grade, or a message for the student when there is none (or more than one)."""
    if config.submission_file:
        path = submission / config.submission_file
        return path if path.exists() or path.is_symlink() else (
            f"No file named {config.submission_file} was submitted: upload your derivation under that name.")
    candidates = sorted(path for path in submission.rglob("*") if not path.name.startswith(".")
                        and (path.is_file() or path.is_symlink()) and not_a_submission(path) is None)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return "No derivation was found: upload one plain-text file (.tex or .txt) with one claim per line."
    names = ", ".join(path.relative_to(submission).as_posix() for path in candidates[:5])
    return f"Upload exactly one .tex or .txt file with your derivation (found several: {names})."


def _results(graded: Any, points: Score, config: AutograderConfig, name: str, started: float) -> dict[str, Any]:
    report = graded.report
    earned = {line.line: line for line in points.lines}
    tests: list[dict[str, Any]] = []
    for index, line in enumerate(report.lines, start=1):
        note = earned.get(line.line)
        output = [line.message]
        if line.diagnosis:
            output.append(f"Likely mistake: {line.diagnosis}")
        output.append(f"({line.relation})")
        if note is not None:
            output.append(f"Points: {number(note.points):+g}: {note.reason}" if note.points else f"Points: 0: {note.reason}")
        suggestion = report.outcome.suggestion
        if line.line == report.first_error and suggestion is not None:
            output.append(f"A correct next line ({suggestion.rule}, proved by derive): = {suggestion.text}")
        tests.append({"name": f"Line {line.line}: {_shorten(line.source)}", "number": f"1.{index}",
                      "status": "passed" if line.status == "correct" else "failed",
                      "output": "\n".join(output), "output_format": "text", "name_format": "text",
                      "visibility": config.visibility})
    for index, component in enumerate(points.components, start=1):
        tests.append({"name": component.name.capitalize(), "number": f"2.{index}", "score": number(component.points),
                      "max_score": number(component.maximum), "output": component.reason, "output_format": "text",
                      "name_format": "text", "visibility": config.visibility})
    summary = (f"{name}: {'every line is correct' if report.valid else 'not valid'} ({report.count('correct')} correct, "
               f"{report.count('wrong')} wrong, {report.count('unparsed')} not read or not decided"
               f"{f'; first error on line {report.first_error}' if report.first_error else ''}). "
               f"Score {number(points.points)} of {number(points.maximum)}.")
    if points.review:
        summary += " derive could not decide every line: your teacher will look at this submission."
    return {
        "score": number(points.points), "execution_time": round(time.monotonic() - started),
        "output": summary, "output_format": "text", "test_output_format": "text", "test_name_format": "text",
        "visibility": config.visibility, "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"derive": __version__, "file": name, "score": points.as_json_data(),
                       "report": report.as_json_data()},
    }


def _failed(message: str, maximum: float, started: float) -> dict[str, Any]:
    return {"score": 0, "execution_time": round(time.monotonic() - started), "output": message,
            "output_format": "text", "test_output_format": "text", "test_name_format": "text",
            "stdout_visibility": "hidden",
            "tests": [{"name": "Derivation", "number": "1", "score": 0, "max_score": number(maximum), "status": "failed",
                       "output": message, "output_format": "text", "name_format": "text"}],
            "extra_data": {"derive": __version__}}


def _shorten(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
