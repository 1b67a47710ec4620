"""derive's sentences on the wire: the pieces of a sentence whose formulas documents typeset, as
JSON carries them (``[{"text": ...}, {"plain": ..., "latex": ...}]``), checked when read back.

No SymPy here: the web server reads a checker report's JSON and shows its formulas as MathML
without loading the mathematics (see :func:`derive.model.sentence_data` for the writing side).
"""

from __future__ import annotations

import re


#: The commands derive's LaTeX printer writes in formulas (and the textbook rules it states); none
#: that carries text (\\text, \\mathrm), which the MathML conversion refuses (derive.renderer.mathml).
_PRINTER_COMMANDS = frozenset("""
    frac dfrac tfrac left right cdot cdots ldots dots times partial operatorname mathit mathbf mathbb sqrt
    infty to leq geq neq approx in notin cup cap setminus mid vert lvert rvert lbrace rbrace langle rangle
    sin cos tan cot sec csc sinh cosh tanh coth sech csch arcsin arccos arctan ln log exp lim max min
    sum prod int pm mp quad qquad prime displaystyle limits emptyset forall exists
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho
    varrho sigma varsigma tau upsilon phi varphi chi psi omega
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    substack middle bigl bigr Bigl Bigr biggl biggr overline bar hat tilde mathcal mathsf Vert le ge ne nabla ell
    lfloor rfloor lceil rceil
""".split())
_PRINTER_LATEX = re.compile(r"(?:[A-Za-z0-9 {}^_()\[\].,;:'+\-=<>|/!*]|\\[A-Za-z]+|\\[,;! {}|])*")


def printer_latex(latex: str, *, longest: int = 4000) -> bool:
    """Whether ``latex`` is a formula of the kind derive's printer writes: letters, digits,
    punctuation, balanced braces and math commands of a fixed list (no ``\\input``, ``\\def``,
    ``$``, ``%``, ``#`` or ``&``). For formulas read back from a file before they reach a document."""
    if len(latex) > longest or not _PRINTER_LATEX.fullmatch(latex):
        return False
    if any(command not in _PRINTER_COMMANDS for command in re.findall(r"\\([A-Za-z]+)", latex)):
        return False
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


Piece = dict[str, str]


def sentence_pieces(plain: str | None, pieces: object) -> list[Piece] | None:
    """The pieces of a sentence read back from JSON beside its plain text, or None when there are
    none, or when they do not say exactly the plain text or a formula's LaTeX is not of the kind
    derive's printer writes (a file edited by hand): then the plain text stands, as text."""
    if plain is None or not isinstance(pieces, list):
        return None
    checked: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, dict) and set(piece) == {"text"} and isinstance(piece["text"], str):
            checked.append({"text": piece["text"]})
        elif (isinstance(piece, dict) and set(piece) == {"plain", "latex"} and isinstance(piece["plain"], str)
              and isinstance(piece["latex"], str) and printer_latex(piece["latex"])):
            checked.append({"plain": piece["plain"], "latex": piece["latex"]})
        else:
            return None
    said = "".join(piece.get("text", piece.get("plain", "")) for piece in checked)
    return checked if said == plain else None
