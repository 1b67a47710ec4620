"""Helpers that drive the real external tools for output tests.

LaTeX output is compiled with latexmk/pdflatex and rasterised with pdftoppm,
HTML output is loaded in headless Chromium (through Playwright, using the
*system* browser, with all network access blocked), and Markdown output is
parsed with pandoc.

Whether a missing tool skips or fails a test is decided in exactly one place,
:func:`require_tool`: locally a missing tool skips, but when
``DERIVE_REQUIRE_TOOLS`` is truthy (or, if that is unset, when ``CI`` is
truthy) it fails, so CI can never go green by skipping.

Test modules import it as ``from tooling import ...``: tests/ has no
``__init__.py``, so pytest puts tests/ itself on ``sys.path`` (rootdir conftest).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Executables the output tests need (the playwright Python module is checked separately).
REQUIRED_TOOLS = ("latexmk", "pdflatex", "pdftoppm", "chromium", "pandoc")

LATEX_TIMEOUT_S = 120
PAGE_TIMEOUT_MS = 30_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: even traffic that bypasses request interception
    # (preconnect, DNS prefetch) cannot resolve any host name.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

_TRUTHY = {"1", "true", "yes", "on"}
_UNDEFINED_PATTERNS = (
    re.compile(r"undefined references"),
    re.compile(r"Reference .* undefined"),
    re.compile(r"Citation .* undefined"),
    re.compile(r"LaTeX Warning: There were undefined"),
)


def tools_required() -> bool:
    """True when missing tools must fail rather than skip.

    ``DERIVE_REQUIRE_TOOLS`` wins when set (so ``DERIVE_REQUIRE_TOOLS=0`` can
    relax a CI machine); otherwise ``CI`` decides.
    """
    explicit = os.environ.get("DERIVE_REQUIRE_TOOLS")
    if explicit is not None and explicit.strip() != "":
        return explicit.strip().lower() in _TRUTHY
    return os.environ.get("CI", "").strip().lower() in _TRUTHY


def find_tool(name: str) -> str | None:
    """Locate ``name`` without skipping or failing; ``None`` when absent.

    ``"playwright"`` means the Python package; its path is the driver
    (a bundled node executable) shipped inside the wheel.
    """
    if name == "playwright":
        spec = importlib.util.find_spec("playwright")
        if spec is None or spec.origin is None:
            return None
        package = Path(spec.origin).parent
        node = package / "driver" / "node"
        return str(node if node.exists() else package)
    found = shutil.which(name)
    if found is None and name == "chromium" and os.access("/usr/bin/chromium", os.X_OK):
        found = "/usr/bin/chromium"
    return found


def require_tool(name: str) -> str:
    """Return the path of tool ``name``; skip the test if absent (fail in CI).

    See :func:`find_tool` for the special name ``"playwright"``.
    """
    path = find_tool(name)
    if path is not None:
        return path
    message = f"required tool {name!r} is not installed"
    if tools_required():
        pytest.fail(f"{message} (DERIVE_REQUIRE_TOOLS/CI demands every tool)", pytrace=False)
    pytest.skip(message)


def artifact_dir(name: str) -> Path:
    """Return ``<repo>/test-artifacts/<name>/`` (gitignored), creating it."""
    if not name or Path(name).is_absolute() or ".." in Path(name).parts:
        raise ValueError(f"bad artifact directory name: {name!r}")
    # one folder per pytest-xdist worker: two workers that build the same document never share files
    path = REPO_ROOT / "test-artifacts" / os.environ.get("PYTEST_XDIST_WORKER", "main") / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run ``cmd`` in its own process group; kill the whole group on timeout."""
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(
            f"{cmd[0]} timed out after {timeout:.0f} s\n{_tail(out)}"
        ) from None
    return proc.returncode, out


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


def compile_latex(tex_source: str, workdir: Path, *, name: str = "document") -> Path:
    """Compile ``tex_source`` with latexmk/pdflatex in ``workdir``; return the PDF.

    Shell escape is off and TeX may only read/write below the working
    directory (``openin_any=p``/``openout_any=p``). Raises ``AssertionError``
    carrying the end of the ``.log`` if compilation fails, times out, or leaves
    undefined references or citations behind.
    """
    latexmk = require_tool("latexmk")
    require_tool("pdflatex")
    workdir.mkdir(parents=True, exist_ok=True)
    tex = workdir / f"{name}.tex"
    tex.write_text(tex_source, encoding="utf-8")
    env = {
        **os.environ,
        "openin_any": "p",
        "openout_any": "p",
        "max_print_line": "10000",  # no wrapped log lines, so the patterns below match
    }
    cmd = [
        latexmk, "-g", "-pdf", "-no-shell-escape",
        "-interaction=nonstopmode", "-halt-on-error", tex.name,
    ]
    returncode, output = _run(cmd, cwd=workdir, env=env, timeout=LATEX_TIMEOUT_S)
    log_path = workdir / f"{name}.log"
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    pdf = workdir / f"{name}.pdf"
    if returncode != 0 or not pdf.exists():
        raise AssertionError(
            f"latexmk failed (exit {returncode}) for {tex}\n"
            f"--- {log_path.name} (tail) ---\n{_tail(log)}\n"
            f"--- latexmk output (tail) ---\n{_tail(output, 20)}"
        )
    overfull = [line for line in log.splitlines() if line.startswith("Overfull \\hbox")]
    if overfull:
        raise AssertionError(
            f"{tex} has overfull boxes (text running into the margin):\n" + "\n".join(overfull)
        )
    problems = [
        line for line in log.splitlines()
        if any(p.search(line) for p in _UNDEFINED_PATTERNS)
    ]
    if problems:
        raise AssertionError(
            f"{tex} compiled with undefined references/citations:\n"
            + "\n".join(problems)
            + f"\n--- {log_path.name} (tail) ---\n{_tail(log)}"
        )
    return pdf


def pdf_to_png(pdf: Path, out_prefix: Path, *, dpi: int = 80) -> list[Path]:
    """Render every page of ``pdf`` to ``<out_prefix>-<page>.png``; return them in page order."""
    pdftoppm = require_tool("pdftoppm")
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(re.escape(out_prefix.name) + r"-(\d+)\.png$")

    def pages() -> list[Path]:
        found = [p for p in out_prefix.parent.iterdir() if pattern.match(p.name)]
        return sorted(found, key=lambda p: int(pattern.match(p.name).group(1)))  # type: ignore[union-attr]

    for stale in pages():
        stale.unlink()
    result = subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), str(pdf), str(out_prefix)],
        capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0:
        raise AssertionError(f"pdftoppm failed (exit {result.returncode}): {result.stderr}")
    images = pages()
    if not images:
        raise AssertionError(f"pdftoppm produced no pages for {pdf}")
    return images


@dataclass
class PageReport:
    """What happened while headless Chromium loaded one HTML file."""

    requests: list[str] = field(default_factory=list)
    #: "url: error text"; includes external requests, which are aborted
    failed_requests: list[str] = field(default_factory=list)
    #: requests whose URL is neither file: nor data: (all of them were aborted)
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    text: str = ""
    mathml_count: int = 0
    screenshot: Path = Path()


def _is_local(url: str) -> bool:
    return url.startswith(("file:", "data:"))


def load_html(html_path: Path, screenshot: Path) -> PageReport:
    """Load ``html_path`` in headless system Chromium with no network access.

    Every non-``file:``/``data:`` request is recorded as external and aborted
    before it leaves the browser. Waits for ``load`` (and web fonts), saves a
    full-page screenshot to ``screenshot`` and returns a :class:`PageReport`.
    """
    chromium = require_tool("chromium")
    require_tool("playwright")
    from playwright.sync_api import ConsoleMessage, Request, Route, sync_playwright

    report = PageReport(screenshot=screenshot)
    screenshot.parent.mkdir(parents=True, exist_ok=True)

    def on_route(route: Route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def on_request(request: Request) -> None:
        report.requests.append(request.url)
        if not _is_local(request.url):
            report.external_requests.append(request.url)

    def on_failed(request: Request) -> None:
        report.failed_requests.append(f"{request.url}: {request.failure}")

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            where = f"{msg.location.get('url', '')}:{msg.location.get('lineNumber', '')}"
            report.console_errors.append(f"{msg.text} ({where})")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(service_workers="block")
            page = context.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.route("**/*", on_route)
            page.on("request", on_request)
            page.on("requestfailed", on_failed)
            page.on("console", on_console)
            page.on("pageerror", lambda exc: report.page_errors.append(str(exc)))
            page.goto(html_path.resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            page.screenshot(path=str(screenshot), full_page=True)
            report.text = page.evaluate("document.body ? document.body.innerText : ''")
            report.mathml_count = page.evaluate("document.getElementsByTagName('math').length")
        finally:
            browser.close()
    return report


@dataclass(frozen=True)
class MathNode:
    """One pandoc ``Math`` inline: ``display`` is True for ``DisplayMath``."""

    display: bool
    tex: str


@dataclass
class PandocReport:
    """The interesting leaves of pandoc's AST for a Markdown document."""

    math: list[MathNode]
    #: text of every ``Str`` node
    strings: list[str]
    #: ``(format, text)`` of every RawInline/RawBlock: pandoc turns a stray
    #: ``\frac{1}{2}`` outside math into raw TeX, *not* into a Str
    raw: list[tuple[str, str]]

    @property
    def inline_math(self) -> list[str]:
        return [m.tex for m in self.math if not m.display]

    @property
    def display_math(self) -> list[str]:
        return [m.tex for m in self.math if m.display]


def pandoc_math(markdown: str) -> PandocReport:
    """Parse ``markdown`` with ``pandoc -f markdown+tex_math_dollars -t json``."""
    pandoc = require_tool("pandoc")
    result = subprocess.run(
        [pandoc, "-f", "markdown+tex_math_dollars", "-t", "json"],
        input=markdown, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    if result.returncode != 0:
        raise AssertionError(f"pandoc failed (exit {result.returncode}): {result.stderr}")
    report = PandocReport(math=[], strings=[], raw=[])

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            kind = node.get("t")
            if kind == "Math":
                mode, tex = node["c"]
                report.math.append(MathNode(display=mode["t"] == "DisplayMath", tex=tex))
            elif kind == "Str":
                report.strings.append(node["c"])
            elif kind in ("RawInline", "RawBlock"):
                fmt, text = node["c"]
                report.raw.append((fmt, text))
            else:
                walk(node.get("c"))

    walk(json.loads(result.stdout)["blocks"])
    return report


def cli_stdout(*arguments: str) -> str:
    """What `derive ARGUMENTS` prints, run in this process; the command must succeed."""
    import contextlib
    import io

    from derive.cli import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(arguments))
    assert code == 0, f"derive {' '.join(arguments)} exited {code}"
    return buffer.getvalue()


#: Viewports: a phone, a laptop, and A4 and Letter paper inside 16 mm margins at 96 px/inch (print media).
VIEWPORTS = {"390 px": (390, "screen"), "1000 px": (1000, "screen"), "A4": (673, "print"), "Letter": (695, "print")}

#: Script that finds every element matching a selector whose content is wider than its own box (it
#: scrolls sideways inside the page, or is cut off): ``[how much wider, "tag.class"]`` for each.
_SCROLLED_BOXES = """selector => [...document.querySelectorAll(selector)]
  .filter(element => element.scrollWidth > element.clientWidth + 1)
  .map(element => [element.scrollWidth - element.clientWidth, `${element.tagName.toLowerCase()}.${element.className}`])"""


def page_widths(page: Path, *, boxes: str | None = None,
                viewports: dict[str, tuple[int, str]] | None = None) -> dict[str, tuple[int, int]]:
    """document.scrollWidth and the viewport's width for each of ``viewports`` (default
    :data:`VIEWPORTS`: a phone's and a laptop's width, A4 and Letter paper with the print
    stylesheet), with a screenshot of each in test-artifacts/typesetting/html.

    With ``boxes`` (a CSS selector, such as ``"table"``), an element it matches whose content is
    wider than its own box (scrolled sideways inside the page, or cut) counts too: the width
    reported is then what the page would be if that box did not scroll, so a table that fits
    only by scrolling inside itself is as wide as its content."""
    chromium = require_tool("chromium")
    require_tool("playwright")
    from playwright.sync_api import sync_playwright

    widths = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for name, (width, media) in (viewports or VIEWPORTS).items():
                context = browser.new_context(viewport={"width": width, "height": 800}, service_workers="block")
                tab = context.new_page()
                tab.emulate_media(media=media)
                tab.route("**/*", lambda route: route.continue_() if _is_local(route.request.url)
                          else route.abort("blockedbyclient"))
                tab.goto(page.resolve().as_uri(), wait_until="load")
                tab.evaluate("document.fonts.ready.then(() => true)")
                scroll, client = tab.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                for overflow, what in tab.evaluate(_SCROLLED_BOXES, boxes) if boxes else ():
                    scroll = max(scroll, client + overflow)  # as wide as the page would be if the box did not scroll
                    print(f"{page.name} at {name}: {what} is {overflow} px wider than its box")  # shown when a test fails
                widths[name] = (scroll, client)
                tab.screenshot(path=str(artifact_dir("typesetting/html") / f"{page.stem}-{name.replace(' ', '')}.png"),
                               full_page=False)
                context.close()
        finally:
            browser.close()
    return widths
