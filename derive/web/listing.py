"""What the pages list before any check (the catalogue with each definition as MathML, the
gradebook's columns), remembered between starts of ``derive serve``.

Reading the catalogue needs SymPy, so a worker reads it, after the workers' fork server has
imported the engine: about a second of CPU before the first page. The first start of an
installation waits for it and keeps the listing as JSON in derive's cache folder
(``$XDG_CACHE_HOME/derive``, else ``~/.cache/derive``), under a digest of derive's source and of
the versions of the libraries that render it; every later start answers its first page while
the workers are still starting. Any change to derive or to those libraries is a new digest, so
a listing is never used with code other than the code that made it. The file is JSON of plain
data, checked when read (a file that is not a listing is ignored and made again).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from derive.markup import UnsafeMarkupError, check_embedded

#: The libraries whose versions the listing depends on (SymPy prints the definitions, latex2mathml
#: turns them into MathML).
RENDERING_LIBRARIES = ("sympy", "mpmath", "latex2mathml")
#: Listings kept in the cache folder (of as many versions of derive), the newest.
KEPT = 8
_ENTRY_KEYS = {"name": str, "title": str, "summary": str, "aliases": list, "routes": list, "default_route": str,
               "document": str, "variable": str, "definition_mathml": str, "definition_plain": str}


@dataclass(frozen=True, kw_only=True)
class Listing:
    """The catalogue as the pages list it (``derive.jobs.catalogue_listing``) and the columns of
    ``derive grade``'s gradebook."""

    catalogue: list[dict[str, Any]]
    columns: list[str]


def cache_folder() -> Path:
    """Where derive keeps what it can make again: ``$XDG_CACHE_HOME/derive`` or ``~/.cache/derive``."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "derive"


def source_digest() -> str:
    """A digest of what the listing is made from: derive's source, Python's and the rendering
    libraries' versions."""
    import derive

    digest = hashlib.sha256(sys.version.encode())
    for library in RENDERING_LIBRARIES:
        try:
            version = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"\n{library}={version}".encode())
    root = Path(derive.__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        digest.update(f"\n{path.relative_to(root).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _path(folder: Path, digest: str) -> Path:
    return folder / f"serve-listing-{digest}.json"


def read_listing(folder: Path, digest: str) -> Listing | None:
    """The listing kept for ``digest``, or None (none kept, unreadable, or not a listing)."""
    try:
        data = json.loads(_path(folder, digest).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("catalogue"), list) and data["catalogue"]
            and isinstance(data.get("columns"), list) and all(isinstance(column, str) for column in data["columns"])):
        return None
    for entry in data["catalogue"]:
        if not (isinstance(entry, dict) and all(isinstance(entry.get(key), kind) for key, kind in _ENTRY_KEYS.items())):
            return None
        try:  # a page embeds it as it is: a file edited by someone else is no listing of derive's
            check_embedded(entry["definition_mathml"], "mathml")
        except UnsafeMarkupError:
            return None
    return Listing(catalogue=data["catalogue"], columns=data["columns"])


def write_listing(folder: Path, digest: str, listing: Listing) -> None:
    """Keep ``listing`` for ``digest`` (atomically), and the :data:`KEPT` most recent others (several
    installations may share a cache folder). A folder that cannot be written is no error: the next
    start reads the catalogue again."""
    target = _path(folder, digest)
    partial = folder / f".{target.name}.{os.getpid()}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"catalogue": listing.catalogue, "columns": listing.columns}, ensure_ascii=False),
                           encoding="utf-8")
        os.replace(partial, target)
        others = sorted((path for path in folder.glob("serve-listing-*.json") if path != target),
                        key=lambda path: path.stat().st_mtime, reverse=True)
        for old in others[KEPT - 1:]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
