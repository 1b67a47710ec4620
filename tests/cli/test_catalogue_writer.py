"""derive.output.write_catalogue: every handout and the comparison table, shared among processes,
byte for byte what one process writes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import derive.output
from derive.differentiate.catalogue import ENTRIES, lookup
from derive.errors import DeriveError, InputError
from derive.output import DOCUMENT_FORMATS, write_catalogue


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def shared_and_alone(tmp_path_factory) -> tuple[tuple[list[Path], Path], tuple[list[Path], Path]]:
    shared, alone = tmp_path_factory.mktemp("two-jobs"), tmp_path_factory.mktemp("one-job")
    return (write_catalogue(shared, DOCUMENT_FORMATS, jobs=2), shared), (write_catalogue(alone, DOCUMENT_FORMATS), alone)


def test_two_jobs_write_the_bytes_one_job_writes(shared_and_alone) -> None:
    (_, shared), (_, alone) = shared_and_alone
    assert _files(shared) == _files(alone)


def test_every_entry_and_the_comparison_in_every_format(shared_and_alone) -> None:
    (written, folder), _ = shared_and_alone
    names = {path.name for path in written}
    for entry in ENTRIES:
        for extension in ("tex", "md", "html"):
            assert f"{entry.name}.{extension}" in names
    assert {"catalogue.tex", "catalogue.md", "catalogue.html"} <= names
    assert sorted(names) == sorted(_files(folder))  # nothing else, no temporary file left behind


def test_paths_come_in_the_catalogue_order_then_the_comparison(shared_and_alone) -> None:
    (shared, _), (alone, _) = shared_and_alone
    assert [path.name for path in shared] == [path.name for path in alone]
    stems = list(dict.fromkeys(path.stem for path in shared))
    assert stems == [*(entry.name for entry in ENTRIES), "catalogue"]


def test_the_sigmoid_handout_is_the_golden_file(shared_and_alone) -> None:
    (_, folder), _ = shared_and_alone
    golden = Path(__file__).resolve().parents[2] / "output"
    for path in golden.iterdir():
        assert (folder / path.name).read_bytes() == path.read_bytes(), path.name


def test_an_error_in_a_worker_reaches_the_caller(tmp_path: Path, monkeypatch) -> None:
    def refuse(name: str, folder: Path, formats: tuple[str, ...], **_: object) -> list[Path]:
        raise InputError(f"cannot write {name}")

    monkeypatch.setattr(derive.output, "write_handout", refuse)  # the forked workers inherit it
    with pytest.raises(DeriveError, match="cannot write") as raised:
        write_catalogue(tmp_path, ("markdown",), jobs=2)
    assert raised.value.exit_code == InputError.exit_code


def test_a_process_that_runs_threads_is_not_forked(tmp_path: Path, monkeypatch) -> None:
    """Forking while another thread may hold a lock is unsafe: then the work is done in-process."""
    seen = []

    def alone(name: str, folder: Path, formats: tuple[str, ...], **_: object) -> list[Path]:
        seen.append(name)  # recorded only when it runs in this process
        return []

    monkeypatch.setattr(derive.output, "write_handout", alone)
    monkeypatch.setattr(derive.output, "write_comparison", lambda folder, formats, **_: [])
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert write_catalogue(tmp_path, ("markdown",), jobs=2) == []
    finally:
        stop.set()
        other.join()
    assert sorted(seen) == sorted(entry.name for entry in ENTRIES)
    kinds = [lookup(name).document == "handout" for name in seen]
    assert kinds == sorted(kinds)  # the longest shares first: gradients and the Jacobian, then the handouts


def test_two_jobs_share_the_work_among_worker_processes(tmp_path: Path, monkeypatch) -> None:
    import os

    def where(name: str, folder: Path, formats: tuple[str, ...], **_: object) -> list[Path]:
        (folder / f"{name}.pid").write_text(str(os.getpid()))
        return []

    monkeypatch.setattr(derive.output, "write_handout", where)  # the forked workers inherit it
    monkeypatch.setattr(derive.output, "write_comparison", lambda folder, formats, **_: [])
    write_catalogue(tmp_path, ("markdown",), jobs=2)
    workers = {path.read_text() for path in tmp_path.glob("*.pid")}
    assert len(list(tmp_path.glob("*.pid"))) == len(ENTRIES)
    assert str(os.getpid()) not in workers and 1 <= len(workers) <= 2


def test_derive_catalogue_writes_what_the_library_writes(shared_and_alone, tmp_path: Path, capsys) -> None:
    """The command line: `derive catalogue` prints each path it wrote, the same files as
    write_catalogue (whose sigmoid handouts are the committed goldens)."""
    from derive.cli import main

    (written, folder), _ = shared_and_alone
    assert main(["catalogue", "--out", str(tmp_path), "--jobs", "2"]) == 0
    printed = capsys.readouterr().out.split()
    assert [Path(line).name for line in printed] == [path.name for path in written]
    assert _files(tmp_path) == _files(folder)


@pytest.mark.parametrize("jobs", ["0", "65", "-1"])
def test_derive_catalogue_refuses_a_number_of_jobs_out_of_range(tmp_path: Path, capsys, jobs: str) -> None:
    from derive.cli import main

    assert main(["catalogue", "--out", str(tmp_path), "--jobs", jobs]) == 2
    assert capsys.readouterr().err == "derive: error: --jobs must be between 1 and 64\n"
    assert list(tmp_path.iterdir()) == []


def test_each_derivation_is_made_once_and_the_table_is_written_from_the_workers_rows(tmp_path: Path, monkeypatch) -> None:
    """The comparison table needs every activation function with its properties, as their handouts
    do: each is derived once, in the worker that writes its handout, and this process writes the
    table from the rows the workers send back, deriving nothing itself."""
    import os

    made = tmp_path / "made"
    made.mkdir()
    derived = derive.output._derived

    def noted(known, name: str, route: str, *, properties: bool, detail: str) -> object:
        with open(made / f"{name}-{route}-{properties}-{detail}", "a") as note:
            note.write(f"{os.getpid()}\n")
        return derived(known, name, route, properties=properties, detail=detail)

    monkeypatch.setattr(derive.output, "_derived", noted)  # the forked workers inherit it
    written = write_catalogue(tmp_path / "out", ("markdown",), jobs=2)
    assert (tmp_path / "out" / "catalogue.md") in written
    notes = {path.name: path.read_text().split() for path in made.iterdir()}
    assert all(len(pids) == 1 for pids in notes.values()), notes
    assert str(os.getpid()) not in {pid for pids in notes.values() for pid in pids}
    for entry in ENTRIES:
        if entry.activation:
            assert f"{entry.name}-{entry.default_route}-True-standard" in notes
