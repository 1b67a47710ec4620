"""Tests of the tool harness in tests/tooling.py on tiny hand-written inputs."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tooling import (
    artifact_dir,
    compile_latex,
    load_html,
    pandoc_math,
    pdf_to_png,
    require_tool,
    tools_required,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

MINIMAL_TEX = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
\begin{equation}\label{eq:one}
  \frac{d}{dx} x^2 = 2x
\end{equation}
Equation~\eqref{eq:one} holds.
\end{document}
"""


# --- require_tool policy ---------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),
        ({"CI": "true"}, True),
        ({"DERIVE_REQUIRE_TOOLS": "1"}, True),
        ({"CI": "true", "DERIVE_REQUIRE_TOOLS": "0"}, False),
    ],
)
def test_tools_required_reads_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DERIVE_REQUIRE_TOOLS", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert tools_required() is expected


def test_missing_tool_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_REQUIRE_TOOLS", "0")
    with pytest.raises(pytest.skip.Exception, match="no-such-tool-xyz"):
        require_tool("no-such-tool-xyz")


def test_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_REQUIRE_TOOLS", "1")
    with pytest.raises(pytest.fail.Exception, match="no-such-tool-xyz"):
        require_tool("no-such-tool-xyz")


# --- LaTeX -----------------------------------------------------------------


@pytest.mark.tools
def test_minimal_amsmath_document_compiles_to_png() -> None:
    out = artifact_dir("tooling/latex-ok")
    pdf = compile_latex(MINIMAL_TEX, out)
    assert pdf == out / "document.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    pages = pdf_to_png(pdf, out / "page")
    assert [p.name for p in pages] == ["page-1.png"]
    assert pages[0].read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.tools
def test_undefined_reference_fails(tmp_path: Path) -> None:
    source = MINIMAL_TEX.replace(r"\eqref{eq:one}", r"\ref{eq:missing}")
    with pytest.raises(AssertionError, match=r"Reference `eq:missing' on page 1 undefined"):
        compile_latex(source, tmp_path, name="broken-ref")


@pytest.mark.tools
def test_overfull_line_fails(tmp_path: Path) -> None:
    """Every document derive writes is compiled with this helper: a line into the margin fails."""
    source = MINIMAL_TEX.replace(r"\end{document}", r"\mbox{" + "x" * 200 + "}\n\\end{document}")
    with pytest.raises(AssertionError, match=r"overfull boxes .*\n?Overfull \\hbox"):
        compile_latex(source, tmp_path, name="overfull")


@pytest.mark.tools
def test_latex_error_reports_log_tail(tmp_path: Path) -> None:
    source = MINIMAL_TEX.replace(r"\frac{d}{dx}", r"\undefinedmacro")
    with pytest.raises(AssertionError, match=r"Undefined control sequence"):
        compile_latex(source, tmp_path)


# --- HTML in Chromium --------------------------------------------------------


@pytest.mark.tools
def test_html_with_mathml_loads_cleanly() -> None:
    out = artifact_dir("tooling/html-ok")
    html = out / "page.html"
    html.write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>t</title></head>"
        "<body><p>Derivative:</p>"
        "<math display='block'><mi>f</mi><mo>=</mo><msup><mi>x</mi><mn>2</mn></msup></math>"
        "</body></html>",
        encoding="utf-8",
    )
    report = load_html(html, out / "page.png")
    assert report.requests == [html.resolve().as_uri()]
    assert report.failed_requests == []
    assert report.external_requests == []
    assert report.console_errors == []
    assert report.page_errors == []
    assert report.mathml_count == 1
    assert "Derivative:" in report.text
    assert report.screenshot.read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.tools
def test_html_errors_are_reported(tmp_path: Path) -> None:
    html = tmp_path / "errors.html"
    html.write_text(
        "<!doctype html><body><p>x</p>"
        "<script>console.error('boom-console'); throw new Error('boom-page');</script>",
        encoding="utf-8",
    )
    report = load_html(html, tmp_path / "errors.png")
    assert any("boom-console" in e for e in report.console_errors)
    assert any("boom-page" in e for e in report.page_errors)
    assert report.mathml_count == 0


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/javascript")
        self.end_headers()
        self.wfile.write(b"document.title = 'loaded';")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it receives."""
    _CountingHandler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _CountingHandler.hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.tools
def test_external_requests_are_reported_and_blocked(
    tmp_path: Path, local_server: tuple[str, list[str]]
) -> None:
    base, hits = local_server
    cdn = "https://cdn.example.com/x.js"
    probe = f"{base}/probe.js"
    html = tmp_path / "external.html"
    html.write_text(
        f"<!doctype html><head><script src='{cdn}'></script>"
        f"<script src='{probe}'></script></head><body><p>hi</p></body>",
        encoding="utf-8",
    )
    report = load_html(html, tmp_path / "external.png")
    assert cdn in report.external_requests
    assert probe in report.external_requests
    # Both were aborted by the harness's route (not by DNS or a server error)...
    for url in (cdn, probe):
        assert any(
            f.startswith(f"{url}: net::ERR_BLOCKED_BY_CLIENT") for f in report.failed_requests
        )
    # ...and a real server on this machine confirms nothing reached it.
    assert hits == []
    assert report.text.strip() == "hi"


# --- Markdown through pandoc --------------------------------------------------


@pytest.mark.tools
def test_pandoc_math_finds_inline_and_display_math() -> None:
    report = pandoc_math("The square $a^2$ and a half:\n\n$$\\frac{1}{2}$$\n")
    assert report.inline_math == ["a^2"]
    assert report.display_math == [r"\frac{1}{2}"]
    assert not any("$" in s or "\\frac" in s for s in report.strings)
    assert report.raw == []


@pytest.mark.tools
def test_pandoc_math_exposes_stray_tex() -> None:
    # A "$" followed by a space is not math, and bare \frac becomes raw TeX.
    report = pandoc_math("costs $ 5 and \\frac{1}{2}\n")
    assert report.math == []
    assert "$" in report.strings
    assert ("tex", r"\frac{1}{2}") in report.raw
