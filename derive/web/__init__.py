"""``derive serve``: the checker, the derivations and the worksheets in a browser, and class mode.

A Starlette application (:mod:`.app`) under uvicorn (:mod:`.server`). The server process only
handles requests: every check and derivation runs in the sandbox pool (:mod:`.work`), the
class's submissions are kept in SQLite (:mod:`.store`), and every request goes through the
bounds, the cross-site guard and the CSRF and teacher tokens of :mod:`.security`.
"""

from __future__ import annotations

from derive.web.options import ServeOptions

__all__ = ["ServeOptions", "create_app", "serve"]


def create_app(options: ServeOptions | None = None):  # noqa: ANN201 - a Starlette application
    from derive.web.app import create_app as build

    return build(options)


def serve(options: ServeOptions) -> int:
    from derive.web.server import serve as run

    return run(options)
