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

GRAMMAR = r"""
%declare VAR CONST FUNC _D

start_expr: sum
start_line: sum (REL sum)*         -> line
          | (REL sum)+             -> continuation

?sum: product ((PLUS | MINUS) product)*
?product: signed ((TIMES | DIVIDE) signed)*
?signed: MINUS signed              -> neg
       | PLUS signed               -> pos
       | implicit
?implicit: factor+
?factor: power
       | FUNC fsuffix? simple+     -> apply_bare
       | dop factor+               -> derivative
?power: postfix
      | postfix _POW exponent      -> power
      | postfix SUPNUM             -> power_sup
?exponent: power
         | MINUS exponent          -> neg
         | PLUS exponent           -> pos
?simple: simple_atom
       | simple_atom _POW exponent -> power
       | simple_atom SUPNUM        -> power_sup
?simple_atom: NUMBER               -> number
            | VAR                  -> var
            | CONST                -> const
?postfix: atom
        | FUNC fsuffix? _LPAR sum _RPAR   -> apply
        | SIGMA fsuffix? _LPAR sum _RPAR  -> apply
        | SIGMA fsuffix?                  -> bare_sigma
        | dname                           -> dfunc
        | dname _LPAR sum _RPAR           -> dfunc_at
        | dcall
fsuffix: PRIMES                    -> primes
       | _POW exponent             -> fpower
       | SUPNUM                    -> fpower_sup
?atom: simple_atom
     | _LPAR sum _RPAR
     | _LBRACK sum _RBRACK
dname: _D (FUNC | SIGMA) DIVIDE _D dvar
     | _D dorder (FUNC | SIGMA) DIVIDE _D dvar dorder
dcall: _D (FUNC | SIGMA) _LPAR sum _RPAR DIVIDE _D dvar
     | _D dorder (FUNC | SIGMA) _LPAR sum _RPAR DIVIDE _D dvar dorder
dop: _D DIVIDE _D dvar
   | _D dorder DIVIDE _D dvar dorder
dvar: VAR | SIGMA
dorder: _POW NUMBER

NUMBER: /\d+(?:\.\d+)?|\.\d+/
WORD: /[A-Za-z]+/
SIGMA: "σ"
PI: "π"
ROOT: "√"
PLUS: "+"
MINUS: /[-\u2212\u2013]/
TIMES: /\*|[\u00b7\u22c5\u00d7\u2219]/
DIVIDE: /[\/\u00f7]/
_POW.2: /\^|\*\*/
SUPNUM: /\u207b?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+/
PRIMES: /['\u2032\u2033\u2034]+/
_LPAR: "("
_RPAR: ")"
_LBRACK: "["
_RBRACK: "]"
REL: /=|\u2248|~=|~~|\u2243/
%ignore /\s+/
"""
