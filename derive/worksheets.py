"""Worksheets: a derivation with chosen steps left blank, plus exercises, and their answer keys.

Every exercise is derived and verified by the engine like any other derivation. Choices
(which steps are blank, which exercises with which constants) come from a seeded random
generator, so the same seed gives the same worksheets, and each student's worksheet differs.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import sympy

from derive.api import derive
from derive.differentiate.catalogue import lookup
from derive.errors import DeriveError, UsageError
from derive.facts.detail import Detail
from derive.expressions import PIECEWISE_KINDS
from derive.functions import expand_definitions, variable
from derive.model import Derivation, Exercise, Worksheet, rule_name
from derive.printing import to_latex

#: Top-level rules never left blank: restating the definition and pure changes of notation.
NOT_BLANKABLE = frozenset({"definition", "negative_power_as_fraction", "drop_neutral", "unsupported"})
#: Rules a blank is left at only when too few others are: bookkeeping rather than a rule to practise.
ROUTINE = frozenset({"constant", "variable", "hold_constant", "evaluate_arithmetic", "restore_power"})
BLANKS_PER_WORKSHEET = 3
EXERCISES_PER_WORKSHEET = 4
MAX_STUDENTS = 500


#: First words of rule names that are already instructions ("Rewrite as a power"): the hint is
#: the name itself; any other name is a thing to use ("the chain rule").
_IMPERATIVES = frozenset({"add", "cancel", "combine", "differentiate", "drop", "expand", "hold", "multiply", "put",
                          "recognise", "rewrite", "simplify", "solve", "split", "substitute", "take", "use", "write"})
#: Hints for the rule names that read badly after "Use the".
_HINTS = {
    "log_differentiation": "Use logarithmic differentiation.",
    "common_denominator": "Put everything over a common denominator.",
    "backprop": "Use backpropagation (the chain rule).",
    "break_point": "Look at the break point.",
    "higher_order": "Differentiate once more.",
    "partial_derivative": "Take the partial derivative.",
    "expand": "Multiply out and collect the terms.",
}


def hint(rule: str) -> str:
    """The hint for a blank whose step applies ``rule``, as a sentence.

    >>> hint("chain"), hint("rewrite_as_power"), hint("exponential_base")
    ('Use the chain rule.', 'Rewrite as a power.', 'Use the exponential rule, base a.')
    """
    if rule in _HINTS:
        return _HINTS[rule]
    name = rule_name(rule)
    if name.split(" ")[0].lower() in _IMPERATIVES:
        return f"{name}."
    return f"Use the {name[0].lower()}{name[1:]}."


ExerciseMaker = Callable[[random.Random, sympy.Expr, sympy.Symbol], sympy.Expr]


def _nonzero(generator: random.Random, choices: tuple[int, ...]) -> int:
    return generator.choice(choices)


def _letters(generator: random.Random, *choices: str) -> tuple[sympy.Symbol, ...]:
    """Parameters for an exercise, as letters (a and b, or k and c): held constant when differentiating."""
    return tuple(variable(name) for name in generator.choice(choices).split())


EXERCISE_KINDS: dict[str, ExerciseMaker] = {
    "affine": lambda g, f, x: f.subs(x, _nonzero(g, (2, 3, 4, -2, -3)) * x + _nonzero(g, (-3, -2, -1, 1, 2, 3))),
    "scaled": lambda g, f, x: _nonzero(g, (2, 3, 5, -2)) * f.subs(x, _nonzero(g, (2, 3, -1, -2)) * x),
    "power": lambda g, f, x: f ** g.choice((2, 3)),
    "times_x": lambda g, f, x: x * f.subs(x, g.choice((1, 2, 3)) * x),
    "log": lambda g, f, x: sympy.log(f.subs(x, g.choice((1, 2, 3)) * x)),
    # with parameters (issue 12): f(ax + b), f(kx), x f(beta x)
    "affine_parameters": lambda g, f, x: f.subs(x, (lambda a, b: a * x + b)(*_letters(g, "a b", "k c", "w b"))),
    "scaled_parameter": lambda g, f, x: f.subs(x, _letters(g, "a", "k")[0] * x),
    "times_x_parameter": lambda g, f, x: x * f.subs(x, variable("beta") * x),
}


#: The kinds whose exercises have letters for parameters.
PARAMETRIC_KINDS = frozenset({"affine_parameters", "scaled_parameter", "times_x_parameter"})


class WorksheetBuilder:
    """Builds worksheets for one catalogue entry; derivations of repeated exercises are shared."""

    def __init__(self, name: str, seed: int = 0, *, detail: Detail = "standard") -> None:
        self.entry = lookup(name)
        self.seed = seed
        self.detail = detail
        self.variable = variable(self.entry.variable_name)
        self.derivation = derive(self.entry.name, self.variable, properties=False, detail=detail)
        self._solutions: dict[sympy.Expr, Derivation] = {}

    def kinds(self) -> list[str]:
        """Exercise kinds that make sense for this function (ln f needs f > 0); for a loss of
        several variables, its partial derivatives in the others."""
        if self.entry.variables:
            return [f"partial:{name}" for name in self.entry.variables[1:]] + ["scaled_input"]
        function = self.exercise_base()
        kinds = [kind for kind in EXERCISE_KINDS if kind != "log"]
        if expand_definitions(function).has(*PIECEWISE_KINDS):
            # a break point at -b/a is not a number: parameters are for smooth functions
            kinds = [kind for kind in kinds if kind not in PARAMETRIC_KINDS]
        if function.is_positive:
            kinds.append("log")
        return kinds

    def blankable(self) -> list[int]:
        """Steps a student can fill in: not a restated definition or a change of notation, and
        with an answer different from the line before (a blank whose answer is already on the
        page teaches nothing)."""
        steps = self.derivation.steps
        candidates = [index for index, step in enumerate(steps, start=1)
                      if step.rule not in NOT_BLANKABLE and to_latex(step.after) != to_latex(step.before)]
        practised = [index for index in candidates if steps[index - 1].rule not in ROUTINE]
        return practised if len(practised) >= BLANKS_PER_WORKSHEET else candidates

    def choose_blanks(self, generator: random.Random) -> list[int]:
        """BLANKS_PER_WORKSHEET blanks, no two consecutive ones with the same answer."""
        steps = self.derivation.steps
        candidates = self.blankable()
        count = min(BLANKS_PER_WORKSHEET, len(candidates))
        for _ in range(100):
            chosen = sorted(generator.sample(candidates, count))
            if all(not (b == a + 1 and to_latex(steps[a - 1].after) == to_latex(steps[b - 1].after))
                   for a, b in zip(chosen, chosen[1:])):
                return chosen
        return chosen[:1]

    def worksheet(self, student: int | None, generator: random.Random) -> Worksheet:
        chosen = self.choose_blanks(generator)
        blanks = {str(number): hint(self.derivation.steps[number - 1].rule) for number in chosen}
        kinds = generator.sample(self.kinds(), min(EXERCISES_PER_WORKSHEET, len(self.kinds())))
        exercises = [self.exercise(kind, generator) for kind in kinds]
        return Worksheet(
            name=self.entry.name, title=self.entry.title, student=student, seed=self.seed, derivation=self.derivation, blanks=blanks,
            exercises=tuple(exercises),
        )

    def exercise(self, kind: str, generator: random.Random) -> Exercise:
        """One exercise of ``kind``, solved (derived and proved)."""
        if kind.startswith("partial:"):  # the same loss in another of its variables: ∂L/∂b
            wrt = variable(kind.split(":", 1)[1])
            solution = self.solve_entry(wrt)
            return Exercise(kind=kind, function=self.entry.definition(wrt), derivation=solution,
                            prompt=self.entry.function(wrt), variable=wrt)
        if kind == "scaled_input":  # the loss of an input scaled by c: L(w, b) with c x for x
            x = variable("x")
            factor = _nonzero(generator, (2, 3, -2))
            expression = self.entry.definition(self.variable).subs(x, factor * x)
            return Exercise(kind=kind, function=expression, derivation=self.solve(expression),
                            prompt=sympy.Function("L")(*map(variable, self.entry.gradient_variables)), variable=self.variable)
        expression = EXERCISE_KINDS[kind](generator, self.exercise_base(), self.variable)
        return Exercise(kind=kind, function=expression, derivation=self.solve(expression))

    def solve_entry(self, wrt: sympy.Symbol) -> Derivation:
        """The entry's own derivation in another of its variables (∂L/∂b by backpropagation)."""
        key = sympy.Symbol(f"{self.entry.name}:{wrt}")
        if key not in self._solutions:
            self._solutions[key] = derive(self.entry.name, wrt, detail=self.detail)
        return self._solutions[key]

    def exercise_base(self) -> sympy.Expr:
        """The function exercises are built from: by name when the engine has a rule for it
        (σ, tanh, softplus), otherwise by its definition (x·σ(x), piecewise ReLU, ...)."""
        from derive.differentiate.rules import FUNCTION_RULES, named_function_rule

        function = self.entry.function(self.variable)
        if type(function) in FUNCTION_RULES or named_function_rule(function) is not None:
            return function
        return self.entry.definition(self.variable)

    def solve(self, expression: sympy.Expr) -> Derivation:
        if expression not in self._solutions:
            solution = derive(expression, self.variable, detail=self.detail)
            if not solution.proved or not solution.complete:
                raise DeriveError(f"could not derive the exercise {expression}")
            self._solutions[expression] = solution
        return self._solutions[expression]

    def worksheets(self, students: int | None) -> list[Worksheet]:
        """One worksheet (``students`` None) or ``students`` distinct ones, reproducibly."""
        if students is not None and not 1 <= students <= MAX_STUDENTS:
            raise UsageError(f"--students must be between 1 and {MAX_STUDENTS}")
        generator = random.Random(f"{self.entry.name}:{self.seed}")
        if students is None:
            return [self.worksheet(None, generator)]
        sheets: list[Worksheet] = []
        seen: set[tuple[object, ...]] = set()
        attempts = 0
        while len(sheets) < students:
            attempts += 1
            sheet = self.worksheet(len(sheets) + 1, generator)
            signature = (tuple(sheet.blanks), tuple(exercise.function for exercise in sheet.exercises))
            if signature in seen and attempts < 50 * students:
                continue
            seen.add(signature)
            sheets.append(sheet)
        return sheets
