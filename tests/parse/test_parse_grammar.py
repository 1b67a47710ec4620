"""The grammars themselves: LALR, built once, and only the intended shift/reduce conflicts."""

from __future__ import annotations

import logging

import pytest
from lark import Lark, logger

from derive.parse import grammar_latex, grammar_text, parser

# The rules where a shift/reduce conflict is intended (see the grammar modules' docstrings):
# greedy arguments (factor), sigma/dσ/dx followed by "(" (postfix), right-associative ^ (power).
INTENDED_CONFLICT_RULES = {"factor", "postfix", "power"}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.mark.parametrize("grammar", [grammar_text.GRAMMAR, grammar_latex.GRAMMAR], ids=["text", "latex"])
def test_only_intended_conflicts(grammar: str) -> None:
    handler = _Collect()
    # an earlier test in this worker may have configured logging (dictConfig disables the
    # loggers that exist then, Lark's among them) or raised the global threshold: undo both here
    level, disabled, threshold = logger.level, logger.disabled, logging.root.manager.disable
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.disabled = False
    logging.disable(logging.NOTSET)
    try:
        Lark(grammar, parser="lalr", lexer="basic", start=["start_expr", "start_line"])
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled
        logging.disable(threshold)
    rules = [m.split("<", 1)[1].split(":", 1)[0].strip() for m in handler.messages if m.startswith(" * <")]
    assert rules, "expected the documented conflicts to be reported"
    assert set(rules) <= INTENDED_CONFLICT_RULES, rules


def test_parsers_are_built_once() -> None:
    assert parser.parsers("text") is parser.parsers("text")
    assert parser.parsers("latex").parser.options.parser == "lalr"
    assert parser.parsers("text").parser.options.parser == "lalr"
