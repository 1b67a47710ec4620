"""derive serve in headless Chromium (the system browser, no network beyond the server on
loopback): live verdicts as a student types, a shared exercise link, a PDF download, a class
submission that appears in the teacher's gradebook, keyboard only; screenshots of every page
at 1000 and 390 px into test-artifacts/web/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import live_server
from tooling import CHROMIUM_ARGS, PAGE_TIMEOUT_MS, artifact_dir, require_tool

pytestmark = pytest.mark.tools

CORRECT_LINES = [
    r"\sigma'(x) = \frac{d}{dx}\left(1+e^{-x}\right)^{-1}",
    r"= -\left(1+e^{-x}\right)^{-2}\cdot\left(-e^{-x}\right)",
    r"= \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
    r"= \sigma(x)\left(1-\sigma(x)\right)",
]
MISTAKEN_LINES = [
    r"\sigma'(x) = \frac{d}{dx}\left(1+e^{-x}\right)^{-1}",
    r"= -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}",
    r"= \sigma(x)\left(1-\sigma(x)\right)",
]
WIDTHS = (1000, 390)
#: The project's Chromium flags, with loopback (where the server under test listens) let through.
ARGS = [argument if not argument.startswith("--host-resolver-rules=") else
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" for argument in CHROMIUM_ARGS]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[object]:
    folder = tmp_path_factory.mktemp("serve")
    with live_server(folder, "--class", "ML101", "--database", str(folder / "ml101.sqlite3")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = require_tool("chromium")
    require_tool("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Visit:
    """One browser context on the server: every request to another host is recorded and aborted."""

    def __init__(self, browser, server, *, width: int = 1000) -> None:
        self.server = server
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True,
                                           service_workers="block")
        self.page = self.context.new_page()
        self.page.set_default_timeout(PAGE_TIMEOUT_MS)
        self.page.route("**/*", self._route)
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route) -> None:
        if route.request.url.startswith(self.server.url) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort("blockedbyclient")

    def open(self, path: str) -> object:
        self.page.goto(self.server.url + path, wait_until="load")
        return self.page

    def type_derivation(self, lines: list[str]) -> None:
        box = self.page.locator("#text")
        box.click()
        box.fill("")
        box.press_sequentially("\n".join(lines), delay=0)

    def close(self) -> None:
        assert self.foreign == [], self.foreign
        assert self.errors == [], self.errors
        self.context.close()


@pytest.fixture()
def visit(browser, server) -> Iterator[Visit]:
    opened = Visit(browser, server)
    yield opened
    opened.close()


def shoot(visit: Visit, name: str) -> None:
    for width in WIDTHS:
        visit.page.set_viewport_size({"width": width, "height": 900})
        path = artifact_dir("web") / f"{name}-{width}.png"
        visit.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        overflow = visit.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width} px"


def test_a_correct_derivation_is_checked_as_it_is_typed(visit: Visit) -> None:
    page = visit.open("/check?function=sigmoid")
    visit.type_derivation(CORRECT_LINES)
    expect(page.locator("#results li.verdict")).to_have_count(4)
    status = page.locator("#live-status")
    expect(status).to_have_text(re.compile("^Valid"))
    assert status.get_attribute("aria-live") == "polite"
    assert page.locator("#results li.status-correct").count() == 4
    assert page.locator("#results li.first-error").count() == 0
    assert page.locator("#results math").count() >= 4
    shoot(visit, "check-correct")


def test_a_mistaken_derivation_shows_the_first_error(visit: Visit) -> None:
    page = visit.open("/check")
    visit.type_derivation(MISTAKEN_LINES)
    expect(page.locator("#results li.verdict")).to_have_count(3)
    expect(page.locator("#results li.first-error")).to_have_count(1)
    first = page.locator("#results li.first-error")
    assert first.get_attribute("id") == "line-2"
    assert "first error" in first.inner_text()
    assert "Likely mistake" in first.inner_text() and "Counterexample" in first.inner_text()
    assert page.locator("#live-status").inner_text().startswith("Not valid")
    assert "First error on line 2" in page.locator("#live-status").inner_text()
    shoot(visit, "check-mistaken")


def test_a_shared_link_opens_the_exercise(visit: Visit) -> None:
    page = visit.open("/check?function=bce")
    assert page.locator("#function").input_value() == "bce"
    assert "exercise" in page.locator(".exercise").inner_text().lower()
    assert page.locator(".exercise math:not([aria-hidden])").count() == 1  # a long formula wraps: its other pieces are hidden
    shoot(visit, "check-shared-bce")


def test_the_check_page_works_with_the_keyboard_only(visit: Visit) -> None:
    page = visit.open("/check")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "text":
            break
    assert page.evaluate("document.activeElement.id") == "text"
    page.keyboard.type("sigma(0) = 1/2\nsigma(0) = 1/3")
    expect(page.locator("#results li.verdict")).to_have_count(2)
    assert page.locator("#results li.first-error").get_attribute("id") == "line-2"


def test_the_check_form_works_without_javascript(browser, server) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server.url + "/check", wait_until="load")
        page.locator("#text").fill("\n".join(MISTAKEN_LINES))
        page.locator("button[type=submit]").click()
        page.wait_for_load_state("load")
        assert page.locator("li.first-error").count() == 1, page.content()[-3000:]
        assert page.locator("li.first-error").get_attribute("id") == "line-2"
    finally:
        context.close()


def test_the_derive_page_and_its_pdf(visit: Visit, tmp_path: Path) -> None:
    require_tool("latexmk")
    page = visit.open("/derive")
    page.locator("#name").select_option("sigmoid")
    page.locator("#level-full").check()
    page.locator("form.derive-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("li.step").count() > 20 and page.locator("figure.plot svg").count() == 1
    shoot(visit, "derive-sigmoid")
    with page.expect_download(timeout=180_000) as download:
        page.locator("a", has_text="PDF handout").click()
    saved = tmp_path / "sigmoid.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF") and download.value.suggested_filename == "sigmoid.pdf"


def test_the_worksheets_page_downloads_a_zip(visit: Visit, tmp_path: Path) -> None:
    page = visit.open("/worksheets")
    page.locator("#students").fill("3")
    shoot(visit, "worksheets")
    with page.expect_download(timeout=180_000) as download:
        page.locator("button[type=submit]").click()
    saved = tmp_path / "set.zip"
    download.value.save_as(saved)
    import zipfile

    assert len(zipfile.ZipFile(saved).namelist()) == 3 * 2 * 3


def test_a_submission_appears_in_the_teachers_gradebook(browser, server) -> None:
    teacher = Visit(browser, server)
    student = Visit(browser, server, width=390)
    try:
        teacher.page.goto(server.teacher_url, wait_until="load")
        assert teacher.page.url == server.url + "/teacher"
        before = teacher.page.locator("table.gradebook tbody tr").count()
        page = student.open("/class")
        page.locator("#student").fill("Phone Student")
        student.type_derivation(MISTAKEN_LINES)
        expect(page.locator("#results li.first-error")).to_have_count(1)
        shoot(student, "class-typing")
        page.locator("button[type=submit]").click()
        page.wait_for_load_state("load")
        assert "/class/submissions/" in page.url and "first error on line 2" in page.inner_text("main")
        shoot(student, "class-submission")
        row = teacher.page.locator("table.gradebook tbody tr", has_text="Phone Student")
        expect(row).to_have_count(1, timeout=30_000)  # the page polls; no reload
        assert teacher.page.locator("table.gradebook tbody tr").count() == before + 1
        # the row appears while "being checked", and fills in when its check and score are done
        expect(row).to_contain_text("✗ no", timeout=60_000)
        assert "exp_derivative_without_chain" in row.inner_text()
        shoot(teacher, "teacher-gradebook")
        teacher.page.goto(server.url + "/teacher/report.html?view=1", wait_until="load")
        shoot(teacher, "class-report")
    finally:
        teacher.close()
        student.close()


def test_the_gradebook_is_refused_without_the_token(visit: Visit) -> None:
    response = visit.page.goto(visit.server.url + "/teacher", wait_until="load")
    assert response.status == 401
    assert visit.errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
    visit.errors.clear()
    assert "teacher" in visit.page.inner_text("main").lower()
    shoot(visit, "teacher-refused")


def test_the_home_page(visit: Visit) -> None:
    page = visit.open("/")
    assert page.locator("table math").count() >= 10
    shoot(visit, "home")


def test_the_catalogue_links_are_on_a_phones_screen(browser, server) -> None:
    """At 390 px the catalogue's three columns put its check and derive links off-screen (the
    table scrolled inside its box) and cut names such as logistic_regression mid-word: on a
    phone each entry is a block, its name and links on one line, its function below."""
    phone = Visit(browser, server, width=390)
    page = phone.open("/")
    links = page.locator("table.catalogue td a")
    assert links.count() > 20
    outside = page.evaluate("""() => [...document.querySelectorAll('table.catalogue td a, table.catalogue td code')]
        .filter(element => { const box = element.getBoundingClientRect(); return box.right > innerWidth || box.left < 0
                             || element.scrollWidth > element.clientWidth || element.getClientRects().length > 1; })
        .map(element => element.textContent)""")
    assert outside == []
    phone.close()


def test_a_class_submits_at_once_while_the_teacher_watches(browser, server) -> None:
    """The issue's 'done when': several students, on phones and laptops, check and submit at the
    same time; the teacher's open gradebook fills in without a reload."""
    teacher = Visit(browser, server)
    students = [Visit(browser, server, width=390 if index % 2 else 1000) for index in range(6)]
    try:
        teacher.page.goto(server.teacher_url, wait_until="load")
        for index, student in enumerate(students):
            page = student.open("/class")
            page.locator("#student").fill(f"student {index + 1}")
            student.type_derivation(CORRECT_LINES if index % 3 else MISTAKEN_LINES)
        for student in students:
            expect(student.page.locator("#results li.verdict")).not_to_have_count(0)
        for student in students:  # all six press "Submit" before any answer is awaited
            student.page.locator("button[type=submit]").dispatch_event("click")
        for index, student in enumerate(students):
            student.page.wait_for_url("**/class/submissions/*")
            expect(student.page.locator("main")).to_contain_text("Submitted by student %d" % (index + 1))
        for index in range(6):
            row = teacher.page.locator("table.gradebook tbody tr", has_text=f"student {index + 1}")
            expect(row).to_have_count(1, timeout=30_000)
            expect(row).to_contain_text("✗ no" if index % 3 == 0 else "✓ yes")
        shoot(teacher, "teacher-class-of-six")
    finally:
        teacher.close()
        for student in students:
            student.close()


def test_a_class_with_a_typed_exercise(browser, tmp_path: Path) -> None:
    """``derive serve --class ML102 --exercise "f(x) = x^2 sin(x)"``: the students see the teacher's
    function, their lines use f without defining it, and the gradebook grades them against it."""
    with live_server(tmp_path, "--class", "ML102", "--exercise", r"f(x) = x^2 \sin(x)",
                     "--database", str(tmp_path / "ml102.sqlite3")) as typed:
        teacher, student = Visit(browser, typed), Visit(browser, typed, width=390)
        try:
            teacher.page.goto(typed.teacher_url, wait_until="load")
            expect(teacher.page.locator(".exercise math:not([aria-hidden])")).to_have_count(1)
            page = student.open("/class")
            expect(page.locator(".exercise math:not([aria-hidden])")).to_have_count(1)
            assert "sin" in page.locator(".exercise").inner_text()
            page.locator("#student").fill("Typed Student")
            student.type_derivation([r"f'(x) = 2x\sin(x) + x^2\cos(x)", r"= x\left(2\sin(x) + x\cos(x)\right)"])
            expect(page.locator("#results li.status-correct")).to_have_count(2)
            expect(page.locator("#live-status")).to_have_text(re.compile("^Valid"))
            shoot(student, "class-typed-exercise")
            page.locator("button[type=submit]").click()
            page.wait_for_load_state("load")
            row = teacher.page.locator("table.gradebook tbody tr", has_text="Typed Student")
            expect(row).to_contain_text("✓ yes", timeout=60_000)
            shoot(teacher, "teacher-typed-exercise")
        finally:
            teacher.close()
            student.close()
