r"""Lark grammar (LALR) for plain-text student input: ``sigma'(x) = exp(-x)/(1+exp(-x))^2``.

Rule names are shared with :mod:`derive.parse.grammar_latex`; one transformer
(:class:`derive.parse.build.Builder`) turns either parse tree into SymPy.

Names are not decided by the lexer: every run of letters is lexed as ``WORD`` and then
classified (:mod:`derive.parse.names`) into the declared terminals ``VAR`` (the variable),
``CONST`` (e, pi), ``FUNC`` (a known function), ``SIGMA`` and ``_D`` (the d of d/dx), or rejected
as an unknown name. The grammar therefore never sees an arbitrary identifier.

Precedence, loosest first: relations, ``+ -``, ``* /``, unary minus, implicit multiplication
(``2x``, ``(1+x)(1-x)``, which binds tighter than ``/``: ``1/2x`` is ``1/(2x)``), ``^``/``**``
(right-associative; the exponent may carry a sign: ``e^-x``), postfix (calls, primes).

The grammar has shift/reduce conflicts on purpose, all resolved as *shift* by Lark:

* a function without parentheses takes the longest run of simple factors as its argument:
  ``sin 2x`` is ``sin(2x)``, ``sin x cos x`` is ``sin(x) cos(x)`` (rule ``factor``);
* ``d/dx`` takes every following factor of the implicit product: ``d/dx x e^x`` (``factor``);
* ``sigma`` followed by ``(``, ``^`` or a superscript is a call/power of the call, not a bare
  ``sigma`` times something, and ``dsigma/dx(0)`` is the derivative at 0 (rule ``postfix``);
  ``sigma^a^b`` is right-associative (``power``).

``dsigma(x)/dx`` is read at the variable only (any other argument is refused with what to write).

``tests/test_parse_grammar.py`` checks that no other conflicts creep in.
"""

from __future__ import annotations

from derive.parse.grammar_core import CORE

GRAMMAR = r"""
%declare VAR CONST FUNC _D
"""+CORE+r"""
%extend power: postfix _POW exponent      -> power
?exponent: power
         | MINUS exponent          -> neg
         | PLUS exponent           -> pos
%extend simple: simple_atom _POW exponent -> power
%extend fsuffix: _POW exponent            -> fpower
%extend dname: _D dorder (FUNC | SIGMA | VAR) DIVIDE _D dvar dorder
dcall: _D (FUNC | SIGMA) _LPAR sum _RPAR DIVIDE _D dvar
     | _D dorder (FUNC | SIGMA) _LPAR sum _RPAR DIVIDE _D dvar dorder
%extend dop: _D dorder DIVIDE _D dvar dorder
dorder: _POW NUMBER

TIMES: /\*|[\u00b7\u22c5\u00d7\u2219]/
_POW.2: /\^|\*\*/
PRIMES: /['\u2032\u2033\u2034]+/
_LPAR: "("
_RPAR: ")"
_LBRACK: "["
_RBRACK: "]"
REL: /=|\u2248|~=|~~|\u2243/
"""
