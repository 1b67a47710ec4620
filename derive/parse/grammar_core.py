r"""The part of the two Lark grammars that both syntaxes share: operators, precedence, calls.

:mod:`derive.parse.grammar_text` and :mod:`derive.parse.grammar_latex` each add their own
superscripts, brackets, fractions and derivative notation to it with Lark's ``%extend``, so a
change to the shared core (precedence, implicit products, function calls) is made once.

Precedence, loosest first: relations, ``+ -``, ``* /``, unary minus, implicit multiplication
(``2x``, ``(1+x)(1-x)``, which binds tighter than ``/``: ``1/2x`` is ``1/(2x)``), powers
(right-associative), postfix (calls, primes).

Names are classified before parsing (:mod:`derive.parse.names`): ``VAR`` is any letter (the
variable, a parameter, a letter that stands for an expression), so ``dL/dw`` and ``L'`` are read
for letters too; ``∂`` is a ``_D`` like d.
"""

from __future__ import annotations

CORE = r"""
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
      | postfix SUPNUM             -> power_sup
?simple: simple_atom
       | simple_atom SUPNUM        -> power_sup
?simple_atom: NUMBER               -> number
            | VAR                  -> var
            | CONST                -> const
?postfix: atom
        | FUNC fsuffix? _LPAR sum _RPAR   -> apply
        | FUNC fsuffix? _LPAR sum (_COMMA sum)+ _RPAR -> apply_many
        | SIGMA fsuffix? _LPAR sum _RPAR  -> apply
        | SIGMA fsuffix?                  -> bare_sigma
        | VAR PRIMES                      -> var_primes
        | dname                           -> dfunc
        | dname _LPAR sum _RPAR           -> dfunc_at
        | dcall
fsuffix: PRIMES                    -> primes
       | SUPNUM                    -> fpower_sup
?atom: simple_atom
     | _LPAR sum _RPAR
     | _LBRACK sum _RBRACK
dvar: VAR | SIGMA
dname: _D (FUNC | SIGMA | VAR) DIVIDE _D dvar
dop: _D DIVIDE _D dvar

NUMBER: /\d+(?:\.\d+)?|\.\d+/
WORD: /[A-Za-z]+/
SIGMA: "σ"
PI: "π"
ROOT: "√"
PLUS: "+"
MINUS: /[-\u2212\u2013]/
DIVIDE: /[\/\u00f7]/
SUPNUM: /\u207b?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+/
SUB: /_\s*(?:\{\s*(?:\\(?:hat|widehat|bar|overline|tilde|widetilde)\s*(?:\{\s*\\?[A-Za-z]+\s*\}|\s[A-Za-z])|\\?[A-Za-z0-9]+)\s*(?:_\s*(?:\{\s*[A-Za-z0-9]+\s*\}|[A-Za-z0-9]))?\s*\}|[A-Za-z0-9])/
GREEK: /[\u03b1-\u03bf\u03c1\u03c4-\u03c9\u0391-\u03a9\u03d1\u03d5\u03f5]/
ACCENTED: /[A-Za-z][\u0302\u0303\u0304]|[\u0176\u0177\u0232\u0233]/
PARTIAL: "\u2202"
_COMMA: ","
%ignore /\s+/
"""
