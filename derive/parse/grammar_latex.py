r"""Lark grammar (LALR) for the LaTeX subset students write.

Example: ``\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^{2}}``.

Rule names match :mod:`derive.parse.grammar_text`, so one transformer serves both. Commands
(``\sin``, ``\cdot``, ``\frac`` ...) and letter runs are lexed as ``CMD``/``WORD``/``OPNAME``
and classified by :mod:`derive.parse.names` before parsing; unknown commands are errors.

LaTeX specifics: ``{...}`` groups, ``\frac{a}{b}`` (also ``\dfrac``, ``\tfrac``), ``\sqrt{a}``,
``\sqrt[n]{a}``, ``\left( \right)`` and ``\bigl( \bigr)`` as plain brackets, ``\left| \right|`` and
``\lvert \rvert`` for absolute values, primes as ``'``, ``^{\prime}`` or ``^{(2)}`` (a function's
superscript that is a whole number in parentheses is a derivative order), ``\frac{d}{dx}``,
``\frac{d\sigma}{dx}``, ``\frac{d\sigma(x)}{dx}`` (at the variable only), ``\frac{d^{2}}{dx^{2}}``.
A function applied without parentheses takes simple factors, a ``\frac``, a ``\sqrt`` or an
absolute value: ``\ln\frac{x}{1-x}``, ``\sin\sqrt{x}``, ``\ln\left|x\right|``. As in TeX, a superscript without braces takes one
character: ``x^23`` is ``x^{2}\cdot 3``; leniently it may also be ``^(...)`` or ``^-x``.
``e^{x}^{2}`` (a double superscript) is an error. Spacing (``\,`` ``\;`` ``\!`` ``\ ``
``\quad``), ``&``, ``\\``, ``~`` (but ``~=`` means ``\approx``), ``$`` and the math
delimiters ``\[ \] \( \)`` are ignored.

Intentional shift/reduce conflicts (resolved as shift) are the same as in the text grammar:
greedy arguments of ``\sin x``-style applications and of ``\frac{d}{dx}``, ``\sigma``
followed by ``(`` or a superscript being a call, and ``\frac{d\sigma}{dx}(0)`` being the
derivative at 0.
"""

from __future__ import annotations

from derive.parse.grammar_core import CORE

GRAMMAR = r"""
%declare VAR CONST FUNC _D _FRAC _SQRT
"""+CORE+r"""
%extend factor: FUNC fsuffix? called       -> apply_bare
%extend power: postfix _CARET script       -> power
             | postfix CARET_DIGIT         -> power_digit
?script: simple_atom
       | MINUS script              -> neg
       | PLUS script               -> pos
       | _LPAR sum _RPAR
%extend simple: simple_atom _CARET script  -> power
              | simple_atom CARET_DIGIT    -> power_digit
%extend simple_atom: _LBRACE sum _RBRACE
                   | frac
                   | _LBAR sum _RBAR                       -> absolute
                   | _SQRT simple_atom                     -> sqrt
                   | _SQRT _LBRACK sum _RBRACK simple_atom -> root
called: SIGMA fsuffix? _LPAR sum _RPAR  -> apply
%extend fsuffix: _CARET script             -> fpower
               | CARET_DIGIT               -> fpower_digit
%extend dname: _FRAC _LBRACE _D dorder? (FUNC | SIGMA | VAR) _RBRACE _LBRACE _D dvar dorder? _RBRACE
dcall: _FRAC _LBRACE _D dorder? (FUNC | SIGMA) _LPAR sum _RPAR _RBRACE _LBRACE _D dvar dorder? _RBRACE
frac: _FRAC _LBRACE sum _RBRACE _LBRACE sum _RBRACE
%extend dop: _FRAC _LBRACE _D dorder? _RBRACE _LBRACE _D dvar dorder? _RBRACE
dorder: _CARET _LBRACE NUMBER _RBRACE
      | CARET_DIGIT

CMD: /\\[A-Za-z]+/
ACCENT.3: /\\(?:hat|widehat|bar|overline|tilde|widetilde)\s*(?:\{\s*\\?[A-Za-z]+\s*\}|[A-Za-z])/
OPNAME.3: /\\(?:operatorname|mathrm|mathit|textrm|text|rm)(?:\s*\{\s*[A-Za-z]+\s*\}|\s+[A-Za-z])/
TIMES: /[*\u00b7\u22c5\u00d7\u2219]/
_CARET: "^"
CARET_DIGIT.2: /\^\s*\d/
PRIMES.3: /['\u2032\u2033\u2034]+|\^\s*\{\s*(?:\\prime\s*|'\s*)+\}|\^\s*\\prime(?![A-Za-z])/
_LPAR.3: /\(|\\left\s*\(|\\[bB]igg?l?\s*\(/
_RPAR.3: /\)|\\right\s*\)|\\[bB]igg?r?\s*\)/
_LBRACK.3: /\[|\\left\s*\[|\\[bB]igg?l?\s*\[/
_RBRACK.3: /\]|\\right\s*\]|\\[bB]igg?r?\s*\]/
_LBRACE: "{"
_RBRACE: "}"
_LBAR.3: /\\left\s*(?:\||\\[lv]?vert(?![A-Za-z]))|\\lvert(?![A-Za-z])/
_RBAR.3: /\\right\s*(?:\||\\[rv]?vert(?![A-Za-z]))|\\rvert(?![A-Za-z])/
REL.4: /~=|=|\u2248/
SPACING.3: /\\[,;:! ]|\\[\[\]()]|\\q?quad(?![A-Za-z])|\\(?:displaystyle|textstyle|limits)(?![A-Za-z])|\\(?:left|right)\s*\.|\\\\|[&~$]/
%ignore SPACING
"""
