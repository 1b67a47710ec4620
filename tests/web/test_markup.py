"""What a worker sends the server goes into pages as it is only when its MathML and SVG hold
nothing but what derive writes (derive/markup.py): real documents pass, hostile markup is
refused, through the server too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import running_app
from derive.markup import UnsafeMarkupError, check_embedded
from derive.sandbox import JobFailed
from derive.web.security import embedded_markup

ROOT = Path(__file__).resolve().parents[2]
MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
HOSTILE = {
    "script": ("mathml", '<math><mi>x</mi><script>alert(1)</script></math>'),
    "event handler": ("mathml", '<math><mi onclick="alert(1)">x</mi></math>'),
    "slash before an attribute": ("svg", '<svg/onload=alert(1)></svg>'),
    "style": ("mathml", '<math><mi style="background:url(x)">x</mi></math>'),
    "link": ("mathml", '<math><mi href="javascript:alert(1)">x</mi></math>'),
    "image in text": ("mathml", '<math><mtext><img src=x onerror=alert(1)></mtext></math>'),
    "foreign object": ("svg", '<svg><foreignObject><body>hi</body></foreignObject></svg>'),
    "comment": ("svg", '<svg><!-- --><g></g></svg>'),
    "processing instruction": ("svg", '<?xml-stylesheet href="x"?><svg></svg>'),
    "CDATA": ("mathml", "<math><![CDATA[<script>]]></math>"),
    "use of another document": ("svg", '<svg><use href="http://example.com/x.svg#a"></use></svg>'),
    "upper-case tag": ("mathml", "<math><SCRIPT>alert(1)</SCRIPT></math>"),
}


def test_what_derive_writes_passes() -> None:
    page = (ROOT / "output" / "sigmoid.html").read_text(encoding="utf-8")
    formulas = MATH.findall(page)
    assert len(formulas) > 50
    for formula in formulas:
        assert check_embedded(formula, "mathml") == formula
    svg = (ROOT / "output" / "sigmoid.svg").read_text(encoding="utf-8")
    assert check_embedded(svg, "svg") == svg


@pytest.mark.parametrize(("kind", "markup"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_markup_is_refused(kind: str, markup: str) -> None:
    with pytest.raises(UnsafeMarkupError, match="which derive never writes"):
        check_embedded(markup, kind)


def test_a_workers_answer_is_checked_wherever_its_markup_is() -> None:
    clean = {"report": {"lines": [{"message": "<script> as a student typed it"}]},
             "mathml": {"1": [["=", "<math><mi>x</mi></math>"]]}, "texts": {"html": "<script src=x></script>"}}
    assert embedded_markup(clean) is clean  # student text and whole documents are not markup pages embed as is
    nested = {"view": {"d": {"steps": [{"before": {"mathml": '<math><mi onmouseover="x">x</mi></math>'}}]}}}
    with pytest.raises(JobFailed, match="a worker sent mathml with onmouseover=, which derive never writes"):
        embedded_markup(nested)
    with pytest.raises(JobFailed, match="svg with <script>"):
        embedded_markup({"svg": "<svg><script>x</script></svg>", "view": {}})


def test_the_server_never_shows_a_workers_hostile_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    with running_app() as client:
        honest = client.app_state.work.pool.run  # type: ignore[attr-defined]

        def tampered(target: str, *args: object, **options: object) -> object:
            result = honest(target, *args, **options)
            if target.endswith(":check_page"):
                result["mathml"]["1"][0][1] = '<math><mi onclick="steal()">x</mi></math>'
            return result

        monkeypatch.setattr(client.app_state.work.pool, "run", tampered)  # type: ignore[attr-defined]
        page = client.post("/check", data={"text": "\\sigma'(x) = \\sigma(x)(1-\\sigma(x))", "function": "sigmoid"})
        assert page.status_code == 500
        assert "steal()" not in page.text and "a worker sent mathml with onclick=" in page.text
