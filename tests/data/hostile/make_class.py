#!/usr/bin/env python3
"""Write a class of 300 sigmoid submissions, 30 of them hostile, for `derive grade`.

(A copy of the acceptance corpus's generator, hostile/make_class.py, unchanged but for this note, so
that tests/checker/test_hostile_class.py runs wherever the repository does.)

    python3 make_class.py OUT            # writes OUT/class/ (300 entries) and OUT/manifest.json
    python3 make_class.py OUT --verify   # the same, then checks every expected verdict with SymPy

The class folder holds only submissions (the manifest sits beside it, so that grading OUT/class
gives exactly 300 rows). The output is deterministic: the same bytes, links and pipes on every run
(one fixed seed, no clock, no environment). OUT/class must not exist yet, or must be a class that
this script wrote (it then lists OUT/manifest.json and is rewritten).

* 270 ordinary submissions: variations of the chain-rule, quotient-rule and multiply-by-e^x
  derivations of σ'(x) and of numeric sanity checks, in plain text (ASCII or unicode σ ′ − ·) and
  LaTeX (bare lines, align*, a whole document), with comments, prose lines, blank lines, trailing
  notes, connectives (so, hence, ⇒, \\therefore) and CRLF line ends; about half correct, the others
  with one typical mistake, either carried forward or followed by the right formula again. Each
  has its expected verdict in the manifest ("expected": valid, first_error, every claim line's
  status). Those verdicts come from the hand-labelled step table below, and --verify re-decides
  every step of that table with SymPy at random points (and symbolically).
* 30 hostile files, one per row of HOSTILE below, each with what it tests and what a robust
  grader must do with it ("expect"); where the mathematics is settled the manifest gives the
  verdict too.

Nothing here runs derive.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
import sys
from pathlib import Path

SEED = 20240917
N_ORDINARY = 270

# --------------------------------------------------------------------------------------------
# The step table. A step is (plain, latex, sympy_lhs, sympy_rhs, ok). plain/latex are the line as
# written (continuations start with "="); sympy_* are the grader's transcription, with the names
# sigma, sigmap (σ'), D (d/dx). ok is the hand verdict; --verify re-decides it.

SP = "sigmap(x)"  # the left side of every derivation


def step(plain, latex, rhs, ok, lhs=SP):
    return {"plain": plain, "latex": latex, "lhs": lhs, "rhs": rhs, "ok": ok}


def mistake(tag, description, wrong, carried=()):
    return {"tag": tag, "description": description, "wrong": wrong, "carried": list(carried)}


ROUTES = {
    "chain": {
        "prose_plain": "Using the chain rule:",
        "prose_latex": r"\text{By the chain rule:}",
        "slots": [
            (step("sigma'(x) = d/dx (1+exp(-x))^(-1)",
                  r"\sigma'(x) = \frac{d}{dx}\left(1+e^{-x}\right)^{-1}", "D((1+exp(-x))**-1)", True), []),
            (step("= -(1+exp(-x))^(-2) * (-exp(-x))",
                  r"= -\left(1+e^{-x}\right)^{-2}\cdot\left(-e^{-x}\right)", "-(1+exp(-x))**-2*(-exp(-x))", True), [
                mistake("missing_inner_derivative", "dropped the inner derivative -e^{-x}",
                        step("= -(1+exp(-x))^(-2)", r"= -\left(1+e^{-x}\right)^{-2}", "-(1+exp(-x))**-2", False),
                        [step("= -1/(1+exp(-x))^2", r"= -\frac{1}{\left(1+e^{-x}\right)^{2}}", "-1/(1+exp(-x))**2", False),
                         step("= -sigma(x)^2", r"= -\sigma(x)^{2}", "-sigma(x)**2", False)]),
                mistake("exp_derivative_without_chain", "d/dx e^{-x} taken as e^{-x}",
                        step("= -(1+exp(-x))^(-2) * exp(-x)", r"= -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}",
                             "-(1+exp(-x))**-2*exp(-x)", False),
                        [step("= -exp(-x)/(1+exp(-x))^2", r"= -\frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
                              "-exp(-x)/(1+exp(-x))**2", False),
                         step("= -sigma(x)*(1-sigma(x))", r"= -\sigma(x)\left(1-\sigma(x)\right)",
                              "-sigma(x)*(1-sigma(x))", False)]),
                mistake("power_rule_exponent", "power rule: exponent -1 kept instead of -2",
                        step("= -(1+exp(-x))^(-1) * (-exp(-x))", r"= -\left(1+e^{-x}\right)^{-1}\cdot\left(-e^{-x}\right)",
                             "-(1+exp(-x))**-1*(-exp(-x))", False),
                        [step("= exp(-x)/(1+exp(-x))", r"= \frac{e^{-x}}{1+e^{-x}}", "exp(-x)/(1+exp(-x))", False),
                         step("= 1-sigma(x)", r"= 1-\sigma(x)", "1-sigma(x)", False)]),
            ]),
            (step("= exp(-x)/(1+exp(-x))^2", r"= \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
                  "exp(-x)/(1+exp(-x))**2", True), [
                mistake("lost_square", "lost the square of the denominator",
                        step("= exp(-x)/(1+exp(-x))", r"= \frac{e^{-x}}{1+e^{-x}}", "exp(-x)/(1+exp(-x))", False),
                        [step("= 1-sigma(x)", r"= 1-\sigma(x)", "1-sigma(x)", False)]),
            ]),
            (step("= 1/(1+exp(-x)) * exp(-x)/(1+exp(-x))", r"= \frac{1}{1+e^{-x}}\cdot\frac{e^{-x}}{1+e^{-x}}",
                  "1/(1+exp(-x))*exp(-x)/(1+exp(-x))", True), []),
            (step("= sigma(x)*(1-sigma(x))", r"= \sigma(x)\left(1-\sigma(x)\right)", "sigma(x)*(1-sigma(x))", True), [
                mistake("sigma_one_plus_sigma", "σ(1+σ) instead of σ(1-σ)",
                        step("= sigma(x)*(1+sigma(x))", r"= \sigma(x)\left(1+\sigma(x)\right)", "sigma(x)*(1+sigma(x))", False)),
                mistake("sign_error", "σ(σ-1): the sign of the factor flipped",
                        step("= sigma(x)*(sigma(x)-1)", r"= \sigma(x)\left(\sigma(x)-1\right)", "sigma(x)*(sigma(x)-1)", False)),
            ]),
        ],
    },
    "quotient": {
        "prose_plain": "Using the quotient rule:",
        "prose_latex": r"\text{Using the quotient rule:}",
        "slots": [
            (step("sigma'(x) = (0*(1+exp(-x)) - 1*(-exp(-x)))/(1+exp(-x))^2",
                  r"\sigma'(x) = \frac{0\cdot\left(1+e^{-x}\right) - 1\cdot\left(-e^{-x}\right)}{\left(1+e^{-x}\right)^{2}}",
                  "(0*(1+exp(-x)) - 1*(-exp(-x)))/(1+exp(-x))**2", True), [
                mistake("quotient_rule_reversed", "quotient rule reversed (f g' - f' g)",
                        step("sigma'(x) = (1*(-exp(-x)) - 0*(1+exp(-x)))/(1+exp(-x))^2",
                             r"\sigma'(x) = \frac{1\cdot\left(-e^{-x}\right) - 0\cdot\left(1+e^{-x}\right)}{\left(1+e^{-x}\right)^{2}}",
                             "(1*(-exp(-x)) - 0*(1+exp(-x)))/(1+exp(-x))**2", False),
                        [step("= -exp(-x)/(1+exp(-x))^2", r"= -\frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
                              "-exp(-x)/(1+exp(-x))**2", False),
                         step("= -sigma(x)*(1-sigma(x))", r"= -\sigma(x)\left(1-\sigma(x)\right)",
                              "-sigma(x)*(1-sigma(x))", False)]),
                mistake("quotient_rule_no_square", "quotient rule without squaring the denominator",
                        step("sigma'(x) = (0*(1+exp(-x)) - 1*(-exp(-x)))/(1+exp(-x))",
                             r"\sigma'(x) = \frac{0\cdot\left(1+e^{-x}\right) - 1\cdot\left(-e^{-x}\right)}{1+e^{-x}}",
                             "(0*(1+exp(-x)) - 1*(-exp(-x)))/(1+exp(-x))", False),
                        [step("= exp(-x)/(1+exp(-x))", r"= \frac{e^{-x}}{1+e^{-x}}", "exp(-x)/(1+exp(-x))", False),
                         step("= 1-sigma(x)", r"= 1-\sigma(x)", "1-sigma(x)", False)]),
            ]),
            (step("= exp(-x)/(1+exp(-x))^2", r"= \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
                  "exp(-x)/(1+exp(-x))**2", True), []),
            (step("= (1+exp(-x)-1)/(1+exp(-x))^2", r"= \frac{1+e^{-x}-1}{\left(1+e^{-x}\right)^{2}}",
                  "(1+exp(-x)-1)/(1+exp(-x))**2", True), []),
            (step("= 1/(1+exp(-x)) - 1/(1+exp(-x))^2", r"= \frac{1}{1+e^{-x}} - \frac{1}{\left(1+e^{-x}\right)^{2}}",
                  "1/(1+exp(-x)) - 1/(1+exp(-x))**2", True), [
                mistake("split_sign_slip", "split the fraction with + instead of -",
                        step("= 1/(1+exp(-x)) + 1/(1+exp(-x))^2", r"= \frac{1}{1+e^{-x}} + \frac{1}{\left(1+e^{-x}\right)^{2}}",
                             "1/(1+exp(-x)) + 1/(1+exp(-x))**2", False),
                        [step("= sigma(x) + sigma(x)^2", r"= \sigma(x) + \sigma(x)^{2}", "sigma(x)+sigma(x)**2", False),
                         step("= sigma(x)*(1+sigma(x))", r"= \sigma(x)\left(1+\sigma(x)\right)", "sigma(x)*(1+sigma(x))", False)]),
            ]),
            (step("= sigma(x) - sigma(x)^2", r"= \sigma(x) - \sigma(x)^{2}", "sigma(x)-sigma(x)**2", True), []),
            (step("= sigma(x)*(1-sigma(x))", r"= \sigma(x)\left(1-\sigma(x)\right)", "sigma(x)*(1-sigma(x))", True), []),
        ],
    },
    "exp": {
        "prose_plain": "Multiply numerator and denominator by e^x:",
        "prose_latex": r"Multiply numerator and denominator by $e^{x}$:",
        "slots": [
            (step("sigma(x) = exp(x)/(exp(x)+1)", r"\sigma(x) = \frac{e^{x}}{e^{x}+1}", "exp(x)/(exp(x)+1)", True,
                  lhs="sigma(x)"), []),
            (step("sigma'(x) = (exp(x)*(exp(x)+1) - exp(x)*exp(x))/(exp(x)+1)^2",
                  r"\sigma'(x) = \frac{e^{x}\left(e^{x}+1\right) - e^{x}\cdot e^{x}}{\left(e^{x}+1\right)^{2}}",
                  "(exp(x)*(exp(x)+1) - exp(x)*exp(x))/(exp(x)+1)**2", True), [
                mistake("quotient_rule_dropped_term", "dropped the f g' term of the quotient rule",
                        step("sigma'(x) = exp(x)*(exp(x)+1)/(exp(x)+1)^2",
                             r"\sigma'(x) = \frac{e^{x}\left(e^{x}+1\right)}{\left(e^{x}+1\right)^{2}}",
                             "exp(x)*(exp(x)+1)/(exp(x)+1)**2", False),
                        [step("= exp(x)/(exp(x)+1)", r"= \frac{e^{x}}{e^{x}+1}", "exp(x)/(exp(x)+1)", False),
                         step("= sigma(x)", r"= \sigma(x)", "sigma(x)", False)]),
            ]),
            (step("= exp(x)/(exp(x)+1)^2", r"= \frac{e^{x}}{\left(e^{x}+1\right)^{2}}", "exp(x)/(exp(x)+1)**2", True), [
                mistake("arithmetic_slip", "(e^x+1)^2 expanded as e^{2x}+1",
                        step("= exp(x)/(exp(2*x)+1)", r"= \frac{e^{x}}{e^{2x}+1}", "exp(x)/(exp(2*x)+1)", False),
                        [step("= 1/(exp(x)+exp(-x))", r"= \frac{1}{e^{x}+e^{-x}}", "1/(exp(x)+exp(-x))", False)]),
            ]),
            (step("= exp(x)/(exp(x)+1) * 1/(exp(x)+1)", r"= \frac{e^{x}}{e^{x}+1}\cdot\frac{1}{e^{x}+1}",
                  "exp(x)/(exp(x)+1)*1/(exp(x)+1)", True), []),
            (step("= sigma(x)*(1-sigma(x))", r"= \sigma(x)\left(1-\sigma(x)\right)", "sigma(x)*(1-sigma(x))", True), [
                mistake("sigma_one_plus_sigma", "σ(1+σ) instead of σ(1-σ)",
                        step("= sigma(x)*(1+sigma(x))", r"= \sigma(x)\left(1+\sigma(x)\right)", "sigma(x)*(1+sigma(x))", False)),
            ]),
        ],
    },
}

DEFINITION = step("sigma(x) = 1/(1+exp(-x))", r"\sigma(x) = \frac{1}{1+e^{-x}}", "1/(1+exp(-x))", True, lhs="sigma(x)")
AGAIN = [  # the right formula written again after a mistake (a connective before a claim)
    step("so sigma'(x) = sigma(x)*(1-sigma(x))", r"\Rightarrow \sigma'(x) = \sigma(x)\left(1-\sigma(x)\right)",
         "sigma(x)*(1-sigma(x))", True),
    step("hence sigma'(x) = sigma(x)*(1-sigma(x))", r"\therefore \sigma'(x) = \sigma(x)\left(1-\sigma(x)\right)",
         "sigma(x)*(1-sigma(x))", True),
]
AT_ZERO = step("sigma'(0) = 1/4", r"\sigma'(0) = \frac{1}{4}", "Rational(1,4)", True, lhs="sigmap(0)")

# numeric sanity checks: (correct, wrong) pairs; rhs "~0.7311" means '≈ 0.7311'
NUMERIC = [
    (step("sigma(0) = 1/2", r"\sigma(0) = \frac{1}{2}", "Rational(1,2)", True, lhs="sigma(0)"),
     step("sigma(0) = 1", r"\sigma(0) = 1", "1", False, lhs="sigma(0)")),
    (step("sigma'(0) = 1/4", r"\sigma'(0) = \frac{1}{4}", "Rational(1,4)", True, lhs="sigmap(0)"),
     step("sigma'(0) = 1/2", r"\sigma'(0) = \frac{1}{2}", "Rational(1,2)", False, lhs="sigmap(0)")),
    (step("sigma(1) ≈ 0.7311", r"\sigma(1) \approx 0.7311", "~0.7311", True, lhs="sigma(1)"),
     step("sigma(1) ≈ 0.7310", r"\sigma(1) \approx 0.7310", "~0.7310", False, lhs="sigma(1)")),
    (step("sigma(-1) ≈ 0.2689", r"\sigma(-1) \approx 0.2689", "~0.2689", True, lhs="sigma(-1)"),
     step("sigma(-1) ≈ 0.2690", r"\sigma(-1) \approx 0.2690", "~0.2690", False, lhs="sigma(-1)")),
    (step("sigma(10) ≈ 1.0", r"\sigma(10) \approx 1.0", "~1.0", True, lhs="sigma(10)"),
     step("sigma(10) ≈ 1", r"\sigma(10) \approx 1", "~1", False, lhs="sigma(10)")),
    (step("sigma'(1) ≈ 0.1966", r"\sigma'(1) \approx 0.1966", "~0.1966", True, lhs="sigmap(1)"),
     step("sigma'(1) ≈ 0.1967", r"\sigma'(1) \approx 0.1967", "~0.1967", False, lhs="sigmap(1)")),
    (step("sigma(2) ≈ 0.8808", r"\sigma(2) \approx 0.8808", "~0.8808", True, lhs="sigma(2)"),
     step("sigma(2) ≈ 0.8807", r"\sigma(2) \approx 0.8807", "~0.8807", False, lhs="sigma(2)")),
    (step("sigma(-x) = 1 - sigma(x)", r"\sigma(-x) = 1 - \sigma(x)", "1-sigma(x)", True, lhs="sigma(-x)"),
     step("sigma(-x) = sigma(x) - 1", r"\sigma(-x) = \sigma(x) - 1", "sigma(x)-1", False, lhs="sigma(-x)")),
    (step("sigma'(x) = sigma(x)*(1 - sigma(x))", r"\sigma'(x) = \sigma(x)\left(1-\sigma(x)\right)",
          "sigma(x)*(1-sigma(x))", True),
     step("sigma'(x) = sigma(x)*(1 + sigma(x))", r"\sigma'(x) = \sigma(x)\left(1+\sigma(x)\right)",
          "sigma(x)*(1+sigma(x))", False)),
]

HEADERS_PLAIN = ["# Homework 3, problem 2", "# derivative of the sigmoid", "# sigma'(x)", "# Q2",
                 "# my solution", "# Problem 4 - logistic function"]
HEADERS_LATEX = ["% Homework 3, problem 2", "% derivative of the logistic sigmoid", "% Q2", "% solution",
                 "% Problem 4 -- logistic function"]
NOTES_PLAIN = ["  # chain rule", "  # simplify", "  # power rule", "   # by definition"]
NOTES_LATEX = [r" \quad\text{(chain rule)}", r" \qquad \text{simplify}", r" \tag{2}", r" \quad\checkmark"]
PROSE_PLAIN = ["Now simplify:", "Therefore", "Simplifying,", "Next we rewrite it."]
PROSE_LATEX = [r"\text{Simplify:}", r"\text{Therefore}", r"\textbf{Step 2.}"]

# --------------------------------------------------------------------------------------------
# turning a step into text


def unicode_plain(text: str) -> str:
    text = re.sub(r"exp\(([^()]*)\)", r"e^(\1)", text)
    text = text.replace("sigma", "σ").replace("'", "′").replace("-", "−").replace("*", "·")
    return text


def plain_variant(text: str, rng: random.Random, style: dict) -> str:
    if style["e_caret"]:
        text = re.sub(r"exp\(([^()]*)\)", r"e^(\1)", text)
    if style["implicit"]:
        text = text.replace(")*(", ")(")
    if style["unicode"]:
        text = unicode_plain(text)
    return text


def latex_variant(text: str, style: dict) -> str:
    if style["no_left_right"]:
        text = text.replace(r"\left(", "(").replace(r"\right)", ")")
    if style["dfrac"]:
        text = text.replace(r"\frac{", r"\dfrac{")
    if style["times"]:
        text = text.replace(r"\cdot", r"\times ")
    return text


def render(lines_steps, syntax: str, rng: random.Random) -> tuple[str, dict]:
    """lines_steps: list of ("step", step) / ("prose", text) / ("blank", "") in order.
    Returns the file text and the expected verdict for each physical line that is a claim."""
    out: list[str] = []
    statuses: dict[str, str] = {}
    if syntax == "text":
        style = {"e_caret": rng.random() < 0.4, "implicit": rng.random() < 0.5, "unicode": rng.random() < 0.25}
        if rng.random() < 0.6:
            out.append(rng.choice(HEADERS_PLAIN))
        noted = rng.random() < 0.3
        for kind, item in lines_steps:
            if kind == "step":
                line = plain_variant(item["plain"], rng, style)
                if noted and rng.random() < 0.4:
                    line += rng.choice(NOTES_PLAIN)
                out.append(line)
                statuses[str(len(out))] = "correct" if item["ok"] else "wrong"
            elif kind == "prose":
                out.append(item)
            else:
                out.append("")
        return "\n".join(out) + "\n", statuses
    style = {"no_left_right": rng.random() < 0.3, "dfrac": rng.random() < 0.2, "times": rng.random() < 0.15}
    layout = rng.choice(["bare", "align", "align", "document"])
    if rng.random() < 0.5:
        out.append(rng.choice(HEADERS_LATEX))
    if layout == "document":
        out += [r"\documentclass{article}", r"\usepackage{amsmath}", r"\begin{document}"]
    if layout in ("align", "document"):
        out.append(r"\begin{align*}")
    claims = [i for i, (kind, _) in enumerate(lines_steps) if kind == "step"]
    last_claim = claims[-1] if claims else -1
    noted = rng.random() < 0.3
    for i, (kind, item) in enumerate(lines_steps):
        if kind == "step":
            line = latex_variant(item["latex"], style)
            if layout != "bare":
                line = ("&" + line) if line.startswith("=") else line.replace(" = ", " &= ", 1)
            if noted and rng.random() < 0.4:
                line += rng.choice(NOTES_LATEX)
            if layout != "bare" and i != last_claim:
                line += r" \\"
            out.append(line)
            statuses[str(len(out))] = "correct" if item["ok"] else "wrong"
        elif kind == "prose":
            out.append(rf"\intertext{{{item}}}" if layout != "bare" and not item.startswith("\\") else item)
        elif layout == "bare":
            out.append("")
    if layout in ("align", "document"):
        out.append(r"\end{align*}")
    if layout == "document":
        out.append(r"\end{document}")
    return "\n".join(out) + "\n", statuses


def ordinary(index: int, rng: random.Random) -> tuple[str, bytes, dict]:
    syntax = "text" if rng.random() < 0.5 else "latex"
    correct = rng.random() < 0.48
    route_name = rng.choice(["chain", "chain", "quotient", "exp", "numeric"])
    sequence: list = []
    description = ""
    if route_name == "numeric":
        picks = sorted(rng.sample(range(len(NUMERIC)), rng.randint(3, 6)))
        wrong_at = None if correct else rng.choice(picks)
        for k in picks:
            good, bad = NUMERIC[k]
            sequence.append(("step", bad if k == wrong_at else good))
        description = "numeric sanity checks" + ("" if correct else f": wrong value ({bad_line(NUMERIC[wrong_at][1])})")
    else:
        route = ROUTES[route_name]
        slots = route["slots"]
        if rng.random() < 0.5 and route_name != "exp":
            sequence.append(("step", DEFINITION))
        if rng.random() < 0.5:
            sequence.append(("prose", route["prose_plain"] if syntax == "text" else route["prose_latex"]))
        candidates = [(k, m) for k, (_, ms) in enumerate(slots) for m in ms]
        chosen = None if correct else rng.choice(candidates)
        for k, (good, _) in enumerate(slots):
            if chosen is not None and k == chosen[0]:
                m = chosen[1]
                sequence.append(("step", m["wrong"]))
                policy = rng.choice(["carry", "carry", "again", "stop"])
                if policy != "stop":
                    sequence += [("step", c) for c in m["carried"]]
                if policy == "again":
                    sequence.append(("step", rng.choice(AGAIN)))
                description = f"{route_name} route, mistake {m['tag']} ({m['description']}), {policy}"
                break
            optional = good["plain"].startswith("=") and k < len(slots) - 1 and rng.random() < 0.2
            if not optional:
                sequence.append(("step", good))
            if k == 1 and rng.random() < 0.2:
                sequence.append(("prose", rng.choice(PROSE_PLAIN if syntax == "text" else PROSE_LATEX)))
        else:
            description = f"{route_name} route, correct"
            if rng.random() < 0.3:
                sequence.append(("step", rng.choice(AGAIN)))
        if rng.random() < 0.25:
            sequence.append(("step", AT_ZERO))
    if syntax == "text" and rng.random() < 0.25:
        at = rng.randint(1, len(sequence))
        sequence.insert(at, ("blank", ""))
    text, statuses = render(sequence, syntax, rng)
    crlf = rng.random() < 0.1
    data = text.replace("\n", "\r\n").encode("utf-8") if crlf else text.encode("utf-8")
    wrong = [int(n) for n, v in statuses.items() if v != "correct"]
    ext = ".txt" if syntax == "text" else ".tex"
    name = f"student_{index:03d}{ext}"
    entry = {
        "file": name, "kind": "ordinary", "syntax": syntax,
        "tests": description + (" (CRLF line ends)" if crlf else ""),
        "expected": {"valid": not wrong, "first_error": min(wrong) if wrong else None, "lines": statuses},
        "steps": [item for kind, item in sequence if kind == "step"],
    }
    return name, data, entry


def bad_line(s):
    return s["plain"]


# --------------------------------------------------------------------------------------------
# the hostile files


def expansion_line(offby: int = 0) -> str:
    terms = []
    for k in range(1001):
        coefficient = math.comb(1000, k) * (-1) ** k
        power = 2 * (1000 - k)
        if power == 1000:
            coefficient += offby
        sign = "-" if coefficient < 0 else "+"
        magnitude = abs(coefficient)
        body = f"{magnitude}*x^{power}" if power > 1 else (f"{magnitude}*x" if power == 1 else f"{magnitude}")
        if magnitude == 1 and power > 0:
            body = f"x^{power}"
        terms.append((sign, body))
    first_sign, first = terms[0]
    text = ("-" if first_sign == "-" else "") + first
    for sign, body in terms[1:]:
        text += f" {sign} {body}"
    return f"(x+1)^1000*(x-1)^1000 = {text}\n"


def separated(separator: str, count: int = 520, wrong_at: int = 400) -> str:
    lines = ["sigma(0) = 1" if n == wrong_at else "sigma(0) = 1/2" for n in range(1, count + 1)]
    return separator.join(lines) + "\n"


def nested(fn: str, depth: int, inner: str) -> str:
    return f"{fn}(" * depth + inner + ")" * depth


def nested_ln_one_plus(depth: int) -> str:
    """ln(1+ln(1+...ln(1+x^2)...)) with `depth` logarithms."""
    text = "ln(1+x^2)"
    for _ in range(depth - 1):
        text = f"ln(1+{text})"
    return text


def hostile_files(rng: random.Random) -> list[dict]:
    """Each: name tag, extension, how to create it (bytes / symlink / fifo), tests, expect, expected."""
    letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(256 * 1024))
    hundred = " + ".join(f"w_{{{i}}} x_{{{i}}}" for i in range(1, 101))
    H = []

    def add(tag, ext, tests, expect, data=None, link=None, fifo=False, expected=None):
        H.append({"tag": tag, "ext": ext, "tests": tests, "expect": expect, "data": data, "link": link,
                  "fifo": fifo, "expected": expected})

    add("approx-29-decimals", ".txt", "≈ with 29 decimals: one true (σ(1) to 29 places), one false",
        "line 1 correct (σ(1) = 0.7310585786300048792511592418218…), line 2 wrong; decided at enough precision",
        data="sigma(1) ≈ 0.73105857863000487925115924182\nsigma(1) ≈ 0.77777777777777777777777777777\n".encode(),
        expected={"valid": False, "first_error": 2, "lines": {"1": "correct", "2": "wrong"}})
    add("divide-by-x-minus-x", ".txt", "division by x - x: a side that is defined nowhere",
        "no crash (no ZeroDivisionError); line 3 correct. Lines 1 and 2 are about an expression defined for no x: "
        "read literally ('for all x where both sides are defined') they hold vacuously, but a grader must not "
        "accept them: expected wrong or unparsed, with a message that the expression is undefined everywhere",
        data=b"sigma'(x) = sigma(x)*(1 - sigma(x)) * (x - x)/(x - x)\n1/(x - x) = 0\nsigma(0) = 1/2\n",
        expected={"valid": False, "first_error": 1, "lines": {"1": "not correct", "2": "not correct", "3": "correct"}})
    add("exp-tower-derivative", ".tex", "derivative of e^{e^{e^{e^{x}}}} (values overflow doubles for x > ~1)",
        "correct, decided within the timeout (symbolically, or numerically at points where it can be evaluated)",
        data=(r"\frac{d}{dx} e^{e^{e^{e^{x}}}} = e^{e^{e^{e^{x}}}}\, e^{e^{e^{x}}}\, e^{e^{x}}\, e^{x}" "\n").encode(),
        expected={"valid": True, "first_error": None, "lines": {"1": "correct"}})
    add("exp-tower-wrong", ".tex", "false claims about e^{e^{e^{e^{x}}}}: a missing factor, and '+ 1' that is "
        "relatively tiny where the tower is huge",
        "both lines wrong (or 'not decided' after the timeout); never a hang or an overflow traceback",
        data=(r"\frac{d}{dx} e^{e^{e^{e^{x}}}} = e^{e^{e^{e^{x}}}}\, e^{e^{e^{x}}}\, e^{x}" "\n"
              r"e^{e^{e^{e^{x}}}} = e^{e^{e^{e^{x}}}} + 1" "\n").encode(),
        expected={"valid": False, "first_error": 1, "lines": {"1": "wrong", "2": "wrong"}})
    add("power-tower", ".txt", "x^(x^(x^(x^(x^x)))) against a shorter tower (defined for x > 0; astronomically "
        "large for x >= 2), then a true claim",
        "line 1 wrong (e.g. at x = 1/2: 0.643719 vs 0.635498) or not decided; line 2 correct; no hang",
        data=b"x^(x^(x^(x^(x^x)))) = x^(x^(x^(x^x)))\nd/dx x^x = x^x*(ln(x) + 1)\n",
        expected={"valid": False, "first_error": 1, "lines": {"1": "wrong", "2": "correct"}})
    add("tanh-power-1000", ".tex", "\\tanh(x)^{1000}: a large exponent in the rational-function proof",
        "line 1 correct, line 2 wrong, each decided or 'not decided' within the timeout; no memory blow-up",
        data=(r"\frac{d}{dx}\tanh(x)^{1000} = 1000\tanh(x)^{999}\left(1-\tanh(x)^{2}\right)" "\n"
              r"= 1000\tanh(x)^{999}\left(1+\tanh(x)^{2}\right)" "\n").encode(),
        expected={"valid": False, "first_error": 2, "lines": {"1": "correct", "2": "wrong"}})
    add("expansion-1000", ".txt", "(x+1)^1000 (x-1)^1000 = its full expansion (1001 terms, 300-digit "
        "coefficients, ~228 KB line); floating-point evaluation of the expansion cancels catastrophically",
        "correct if read (exact arithmetic, or enough digits), else unparsed for a length limit; never "
        "'wrong' from rounding error; no hang",
        data=expansion_line().encode(),
        expected={"valid": True, "first_error": None, "lines": {"1": "correct"}})
    add("expansion-1000-off-by-one", ".txt", "the same expansion with the x^1000 coefficient off by one "
        "(relative difference ~1e-300 at x = 2, but order 1 for |x| < 1)",
        "wrong if read, else unparsed for a length limit; never 'correct'",
        data=expansion_line(offby=1).encode(),
        expected={"valid": False, "first_error": 1, "lines": {"1": "wrong"}})
    add("nested-ln-30", ".txt", "30-deep nested ln: ln∘…∘ln(x) is defined for no representable x; "
        "ln(1+ln(1+…(1+x^2))) is defined everywhere",
        "line 1 (identical sides) correct or unparsed for a nesting limit; line 2 (= 0, false at x = 1) wrong "
        "or unparsed; no RecursionError",
        data=(nested("ln", 30, "x") + " = " + nested("ln", 30, "x") + "\n"
              + nested_ln_one_plus(30) + " = 0\n").encode(),
        expected={"valid": False, "first_error": 2, "lines": {"1": "correct", "2": "wrong"}})
    add("long-line-256k", ".txt", "one 256 KB line of random letters, then a true claim",
        "either an error row (input too large) or line 1 unparsed (too long) and line 2 correct; fast",
        data=(letters + "\nsigma(0) = 1/2\n").encode(),
        expected=None)
    add("letter-run-64k", ".tex", "a 65,536-letter run 'xxxx…x' (adjacent letters multiply in LaTeX) = x^{65536}",
        "correct if read, else unparsed for a length/size limit; no RecursionError from a deep product",
        data=("x" * 65536 + " = x^{65536}\n").encode(),
        expected={"valid": True, "first_error": None, "lines": {"1": "correct"}})
    for tag, sep, note in [("sep-u2028", "\u2028", "U+2028 LINE SEPARATOR"), ("sep-nel", "\u0085", "U+0085 NEL"),
                           ("sep-formfeed", "\f", "form feed"), ("sep-vtab", "\v", "vertical tab")]:
        add(tag, ".txt", f"520 logical lines separated only by {note} (no newline until the end); logical "
            f"line 400 is the false 'sigma(0) = 1'",
            "no crash; valid false. Where lines are split on '\\n' only, the whole file is physical line 1 "
            "(first_error 1); where they are split like str.splitlines(), first_error is 400. Either way the "
            "report must show a line number that exists in the file as the grader counts it",
            data=separated(sep).encode("utf-8"),
            expected={"valid": False, "first_error_if_split_on_newline_only": 1,
                      "first_error_if_split_like_str_splitlines": 400})
    add("symlink-etc-passwd", ".txt", "a symbolic link to /etc/passwd (outside the class folder)",
        "a row whose error says the link is not followed (preferred), at the least no content of /etc/passwd "
        "in any report, message or gradebook",
        link="/etc/passwd")
    add("symlink-loop", ".txt", "a symbolic link to itself", "a row with an error (looping link); no hang",
        link="SELF")
    add("fifo", ".txt", "a named pipe with a gradable name (opening it for reading would block forever)",
        "a row with an error (not a regular file); the batch must not hang", fifo=True)
    add("binary", ".tex", "binary data (PNG header, NUL bytes)", "a row with an error (binary); exit 2 for check",
        data=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(2048)))
    add("invalid-utf8", ".txt", "a valid line, then bytes that are not UTF-8",
        "a row with an error (bad UTF-8); exit 2 for check",
        data=b"sigma(0) = 1/2\nsigma(1) \xe2\x89 0.7311\n\xff\xfe\xc3\x28 = 1\n")
    add("empty", ".txt", "an empty file", "a row with an error (empty); exit 2 for check", data=b"")
    add("essay", ".rtf", "a word-processor file (.rtf), not a gradable format",
        "a row whose error says the file type is not graded",
        data=(r"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}} \f0\fs24 sigma'(x) = sigma(x)(1-sigma(x))\par }" "\n").encode())
    add("html-injection", ".md", "HTML in the student's text, inside claims (after a '#' note) and alone",
        "statuses as listed; in --format html every tag is escaped (&lt;script&gt;, no live <img onerror>); "
        "in markdown/latex reports the text is escaped too",
        data=("<script>alert(1)</script>\n"
              "sigma(0) = 1/2  # <img src=x onerror=alert(1)>\n"
              "<img src=x onerror=alert(1)>\n"
              "sigma(0) = 1  # </td></tr></table><script>alert('xss')</script>\n").encode(),
        expected={"valid": False, "lines_known": {"2": "correct", "4": "wrong"},
                  "note": "lines 1 and 3 are not mathematics: skipped as prose or unparsed"})
    add("markdown-injection", ".txt", "Markdown links with javascript:, table pipes, escaped pipes, images",
        "no live link or broken table in a markdown/html report (pipes and brackets escaped); statuses as listed",
        data=("[x](javascript:alert(1))\n"
              "sigma(0) = 1/2  # [click](javascript:alert(1))\n"
              "| a | b |\n"
              "|---|---|\n"
              "sigma(x) = 1/(1+e^(-x)) | injected | cell |\n"
              "sigma'(0) = 1/4 \\|\n"
              "![img](javascript:alert(1))\n"
              "sigma(0) = 2\n").encode(),
        expected={"valid": False, "lines_known": {"2": "correct", "8": "wrong"},
                  "note": "lines 1, 3-7 are not clean claims: skipped or unparsed; line 8 is false"})
    add("latex-injection", ".tex", "LaTeX that would read files or run commands if compiled (\\input, "
        "\\write18, \\def, \\catcode, \\end{document})",
        "nothing is ever executed or read; in --format latex the text is escaped/verbatim so that the report "
        "compiles and contains no file contents; line 4 (a claim followed by \\input) is unparsed or correct, "
        "line 8 (σ(0) = 2) is wrong",
        data=("\\input{/etc/passwd}\n"
              "\\write18{touch /tmp/derive-pwned}\n"
              "\\immediate\\write18{id > /tmp/derive-id}\n"
              "\\sigma(0) = \\frac{1}{2} \\input{/etc/passwd}\n"
              "\\end{document}\\documentclass{article}\n"
              "\\catcode`\\$=12\n"
              "\\def\\sigma{\\input{/etc/passwd}}\n"
              "\\sigma(0) = 2\n").encode(),
        expected={"valid": False, "lines_known": {"8": "wrong"}})
    add("frac-zero-zero", ".tex", "\\frac{0}{0} and (x-x)/(x-x): undefined values",
        "no crash; lines 1-3 not 'correct' (wrong or unparsed: 0/0 is no number, and (x-x)/(x-x) is defined "
        "for no x, so a vacuous 'correct' would be a grading bug); line 4 correct",
        data=("\\frac{0}{0} = 1\n\\sigma(0) = \\frac{0}{0}\n\\frac{x-x}{x-x} = 1\n\\sigma(0) = \\frac{1}{2}\n").encode(),
        expected={"valid": False, "first_error": 1,
                  "lines": {"1": "not correct", "2": "not correct", "3": "not correct", "4": "correct"}})
    add("deep-subscripts", ".tex", "10,000-deep nested subscripts x_{x_{x_{…}}}",
        "unparsed with a nesting-limit message (or an error row); no RecursionError/traceback; fast",
        data=("x_{" * 10000 + "x" + "}" * 10000 + " = 1\n").encode(),
        expected={"valid": False, "first_error": 1})
    add("hundred-parameters", ".tex", "backprop notation with 100 distinct subscripted parameters "
        "(w_{1}…w_{100}, x_{1}…x_{100})",
        "under the planned multivariable notation: line 1 a definition, lines 2-3 correct, line 4 wrong "
        "(x_{99} instead of x_{100}); decided within the timeout. Today's derive: unparsed",
        data=("L = \\left(" + hundred + " + b - y\\right)^{2}\n"
              "\\frac{\\partial L}{\\partial w_{57}} = 2\\left(" + hundred + " + b - y\\right)x_{57}\n"
              "\\frac{\\partial L}{\\partial b} = 2\\left(" + hundred + " + b - y\\right)\n"
              "\\frac{\\partial L}{\\partial w_{100}} = 2\\left(" + hundred + " + b - y\\right)x_{99}\n").encode(),
        expected={"valid": False, "first_error": 4,
                  "lines": {"1": "correct", "2": "correct", "3": "correct", "4": "wrong"}, "definitions": [1]})
    add("deep-brackets", ".txt", "5,000 nested brackets around a correct right side, then 10,000 unbalanced ones",
        "line 1 correct if within the nesting limit, else unparsed with a message; line 2 unparsed; "
        "no RecursionError",
        data=("sigma'(x) = " + "(" * 5000 + "sigma(x)*(1-sigma(x))" + ")" * 5000 + "\n"
              + "(" * 10000 + "x = x\n").encode(),
        expected={"valid": False, "first_error_at_most": 2, "lines_known": {"2": "not correct"}})
    add("huge-numbers", ".txt", "numbers and exponents far beyond any bound: σ(10^(10^(10^10))), a power "
        "tower of 2s, a 30-digit base to a 9-digit power, σ(x)^99999999999",
        "each line decided or unparsed with a 'too large' message; never a hang or a memory blow-up. "
        "Mathematically: 1 wrong (σ(N) < 1), 2 wrong, 3 wrong, 4 correct (identical sides)",
        data=(b"sigma(10^(10^(10^10))) = 1\n2^(2^(2^(2^(2^2)))) = 2\n"
              b"999999999999999999999999999999^999999999 = 1\n"
              b"sigma(x)^99999999999 = sigma(x)^99999999999\n"),
        expected={"valid": False, "first_error": 1,
                  "mathematical_lines": {"1": "wrong", "2": "wrong", "3": "wrong", "4": "correct"}})
    assert len(H) == 30, len(H)
    return H


# --------------------------------------------------------------------------------------------


def build(out: Path) -> list[dict]:
    rng = random.Random(SEED)
    hostile = hostile_files(random.Random(SEED + 1))
    slots = sorted(rng.sample(range(1, 301), 30))  # positions of the hostile files in the class list
    classdir = out / "class"
    manifest_path = out / "manifest.json"
    if classdir.exists() or classdir.is_symlink():
        if not manifest_path.exists():
            raise SystemExit(f"{classdir} exists and was not written by this script (no {manifest_path})")
        shutil.rmtree(classdir)
    classdir.mkdir(parents=True)
    entries = []
    h = iter(hostile)
    ordinary_rng = random.Random(SEED + 2)
    for index in range(1, 301):
        if index in slots:
            item = next(h)
            name = f"student_{index:03d}-{item['tag']}{item['ext']}"
            path = classdir / name
            if item["link"] is not None:
                os.symlink(name if item["link"] == "SELF" else item["link"], path)
            elif item["fifo"]:
                os.mkfifo(path)
            else:
                path.write_bytes(item["data"])
            entry = {"file": name, "kind": "hostile", "tests": item["tests"], "expect": item["expect"]}
            if item["expected"] is not None:
                entry["expected"] = item["expected"]
            if item["data"] is not None:
                entry["bytes"] = len(item["data"])
            entries.append(entry)
        else:
            name, data, entry = ordinary(index, ordinary_rng)
            (classdir / name).write_bytes(data)
            entries.append(entry)
    manifest = {
        "about": "300 submissions in class/: 270 ordinary (expected verdicts from a hand-labelled step table, "
                 "checked with SymPy by make_class.py --verify) and 30 hostile (what each tests and what a "
                 "robust grader must do). Line numbers count physical lines split on '\\n'. Expected "
                 "'not correct' means wrong or unparsed.",
        "seed": SEED,
        "counts": {"total": len(entries), "ordinary": sum(e["kind"] == "ordinary" for e in entries),
                   "hostile": sum(e["kind"] == "hostile" for e in entries),
                   "ordinary_valid": sum(e["kind"] == "ordinary" and e["expected"]["valid"] for e in entries)},
        "files": [{k: v for k, v in e.items() if k != "steps"} for e in entries],
    }
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return entries


# --------------------------------------------------------------------------------------------
# --verify: every step of the table and the settled hostile claims, decided with SymPy


def verify(entries: list[dict], out: Path) -> int:
    import sympy as sp

    x = sp.Symbol("x", real=True)
    t = sp.Symbol("t", real=True)
    S = 1 / (1 + sp.exp(-t))
    ns = {"x": x, "exp": sp.exp, "Rational": sp.Rational,
          "sigma": lambda u: S.subs(t, u), "sigmap": lambda u: sp.diff(S, t).subs(t, u),
          "D": lambda e: sp.diff(e, x)}
    rng = random.Random(7)
    problems = []

    def decide(lhs_text, rhs_text):
        lhs = sp.sympify(lhs_text, locals=ns)
        if rhs_text.startswith("~"):
            literal = rhs_text[1:]
            places = len(literal.split(".")[1]) if "." in literal else None
            value = sp.Rational(literal)
            exact = sp.N(lhs, 50)
            if places is None:
                return bool(sp.simplify(lhs - value) == 0)
            half = sp.Rational(1, 2 * 10**places)
            return bool(value - half <= exact <= value + half)
        rhs = sp.sympify(rhs_text, locals=ns)
        numeric = True
        for _ in range(8):
            point = sp.Rational(rng.randint(-4000, 4000), 1000)
            a, b = sp.N(lhs.subs(x, point), 40), sp.N(rhs.subs(x, point), 40)
            if abs(a - b) > sp.Float("1e-25") * max(1, abs(a)):
                numeric = False
        symbolic = sp.simplify(lhs - rhs) == 0
        if numeric != symbolic:
            problems.append(f"numeric and symbolic disagree on {lhs_text} = {rhs_text}")
        return numeric

    seen = {}
    for entry in entries:
        for s in entry.get("steps", []):
            key = (s["lhs"], s["rhs"])
            if key not in seen:
                seen[key] = decide(*key)
            if seen[key] != s["ok"]:
                problems.append(f"{entry['file']}: step {s['plain']!r} labelled {s['ok']}, SymPy says {seen[key]}")
    print(f"verified {len(seen)} distinct steps used by the ordinary submissions")

    # settled hostile claims
    import mpmath as mp
    mp.mp.dps = 60
    s1 = 1 / (1 + mp.e ** -1)
    ok1 = abs(s1 - mp.mpf("0.73105857863000487925115924182")) <= mp.mpf("0.5e-29")
    ok2 = abs(s1 - mp.mpf("0.77777777777777777777777777777")) <= mp.mpf("0.5e-29")
    if not (ok1 and not ok2):
        problems.append("approx-29-decimals verdicts")
    X = sp.Symbol("X")
    for offby, should in ((0, True), (1, False)):
        rhs = expansion_line(offby).split(" = ", 1)[1].strip().replace("^", "**")
        poly = sp.Poly(sp.sympify(rhs, locals={"x": X}), X)
        if (poly == sp.Poly((X**2 - 1) ** 1000, X)) != should:
            problems.append(f"expansion off by {offby}")
    half = mp.mpf("0.5")
    tower5, tower4 = half, half
    for _ in range(5):
        tower5 = half ** tower5
    for _ in range(4):
        tower4 = half ** tower4
    if abs(tower5 - tower4) < mp.mpf("1e-3"):
        problems.append("power tower at 1/2")
    if sp.simplify(sp.diff(x**x, x) - x**x * (sp.log(x) + 1)) != 0:
        problems.append("d/dx x^x")
    E = sp.exp
    tower = E(E(E(E(x))))
    if sp.simplify(sp.diff(tower, x) - tower * E(E(E(x))) * E(E(x)) * E(x)) != 0:
        problems.append("exp tower derivative")
    if sp.simplify(sp.diff(tower, x) - tower * E(E(E(x))) * E(x)) == 0:
        problems.append("exp tower wrong claim")
    th = sp.tanh(x)
    if sp.simplify(sp.diff(th**1000, x) - 1000 * th**999 * (1 - th**2)) != 0:
        problems.append("tanh^1000")
    inner = 1 + sp.Integer(1) ** 2
    value = sp.log(inner)
    for _ in range(29):
        value = sp.log(1 + value)
    if sp.N(value) == 0:
        problems.append("nested ln(1+...) at x = 1 should not be 0")
    ws = sp.symbols("w1:101", real=True)
    xs = sp.symbols("x1:101", real=True)
    b, y = sp.symbols("b y", real=True)
    L = (sum(w * xi for w, xi in zip(ws, xs)) + b - y) ** 2
    inner_sum = sum(w * xi for w, xi in zip(ws, xs)) + b - y
    checks = [(sp.diff(L, ws[56]) - 2 * inner_sum * xs[56], True), (sp.diff(L, b) - 2 * inner_sum, True),
              (sp.diff(L, ws[99]) - 2 * inner_sum * xs[98], False)]
    for difference, should_vanish in checks:
        if (sp.expand(difference) == 0) != should_vanish:
            problems.append("hundred-parameters")
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = Path(args[0])
    entries = build(out)
    counts = {"ordinary": sum(e["kind"] == "ordinary" for e in entries),
              "hostile": sum(e["kind"] == "hostile" for e in entries)}
    print(f"wrote {len(entries)} submissions to {out / 'class'} ({counts['ordinary']} ordinary, "
          f"{counts['hostile']} hostile) and {out / 'manifest.json'}")
    if "--verify" in argv:
        return verify(entries, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
