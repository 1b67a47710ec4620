"""The differentiation engine: turns ``d/dx f`` into a chain of single-rule steps.

The engine keeps the per-run state (the variable, the fresh names for chain-rule
substitutions) on the object, never in module globals. Each step rewrites the first
unevaluated derivative in the current expression with the rule :func:`choose_rule` picks;
a chain rule differentiates its outer function in a fresh variable ``u`` and its inner
function in a sub-derivation. When no derivative is left, named tidy-up steps follow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

import sympy
from sympy import S

from derive.expressions import drop_neutral, first_derivative, product, replace_node, restore_powers
from derive.model import Annotation, Notation, Step, listed, say
from derive.printing import to_latex, to_plain
from derive.differentiate.moves import (
    StepChain, arithmetic_step, enclosing_product, multiply_out, pythagorean, replace_in_printed_order,
)
from derive.differentiate.rules import FUNCTION_RULES, DefinedAs, FunctionRule, InverseOf, RuleApplication, choose_rule

_MAX_STEPS = 400



#: e^(g ln f) = f^g, the general power written back (f and g stand for any base and exponent).
_POWER_AS_EXPONENTIAL = sympy.Eq(sympy.exp(sympy.Symbol("g") * sympy.log(sympy.Symbol("f")), evaluate=False),
                                 sympy.Pow(sympy.Symbol("f"), sympy.Symbol("g"), evaluate=False), evaluate=False)

class Differentiator:
    """Derives step by step with respect to ``variable``.

    >>> from derive.functions import variable
    >>> x = variable()
    >>> steps = Differentiator(x).derivation(x**2)
    >>> [step.rule for step in steps], steps[-1].after
    (['power', 'drop_neutral'], 2*x)
    """

    def __init__(
        self,
        variable: sympy.Symbol,
        *,
        extra_rules: Mapping[type, FunctionRule] | None = None,
        notation: Notation = "fractions",
        derive_formulas: bool = True,
    ) -> None:
        self.variable = variable
        self.extra_rules = dict(extra_rules or {})
        self.notation = notation
        #: show how the formula of tan, sec, arcsin, ... is derived, under the step that uses it
        self.derive_formulas = derive_formulas
        self._depth = 0
        self._start_run()

    def _start_run(self) -> None:
        """Per-run state: each top-level derivation starts with a fresh step budget and fresh names."""
        self._taken: set[str] = {self.variable.name}
        self._names = self._fresh_names()
        self._count = 0

    def derivation(self, expr: sympy.Expr) -> tuple[Step, ...]:
        """Steps from ``d/dx expr`` to its derivative, tidied."""
        return self.continue_from(sympy.Derivative(expr, self.variable))

    def continue_from(self, current: sympy.Expr, *, tidy: bool = True) -> tuple[Step, ...]:
        """Steps that evaluate every derivative left in ``current``, then tidy up."""
        if self._depth == 0:
            self._start_run()
        # Chain-rule names must not clash with any symbol of the expression (a constant named u).
        self._taken.update(symbol.name for symbol in current.free_symbols)
        self._depth += 1
        try:
            return self._continue_from(current, tidy=tidy)
        finally:
            self._depth -= 1

    def _continue_from(self, current: sympy.Expr, *, tidy: bool) -> tuple[Step, ...]:
        steps: list[Step] = []
        stuck: set[sympy.Basic] = set()
        while (node := first_derivative(current, frozenset(stuck))) is not None:
            self._count += 1
            if self._count > _MAX_STEPS:
                message = say(f"The derivation is longer than {_MAX_STEPS} steps; stopping here.")
                steps.append(self._unsupported_step(current, message))
                break
            application = choose_rule(node, self)
            if application.rule == "unsupported":
                stuck.add(node)
                steps.append(self._unsupported_step(current, application.annotation))
                continue
            after = replace_in_printed_order(current, node, application.result)
            steps.append(
                Step(
                    rule=application.rule,
                    annotation=application.annotation,
                    before=current,
                    after=after,
                    substeps=application.substeps,
                    details=application.details,
                    notation=self.notation,
                )
            )
            signs = self._signs_step(current, after, node, application.result) if after.has(sympy.Derivative) else None
            current = after
            if signs is not None and _line(signs.after) == _line(current):
                # nothing a reader sees changes (−1·1 is −1): the rule's own step ends there
                steps[-1] = dataclasses.replace(steps[-1], after=signs.after)
                current = signs.after
            elif signs is not None:
                steps.append(signs)
                current = signs.after
        if tidy:
            for step in self.tidy_steps(current):
                if steps and _line(step.after) == _line(step.before):
                    # a move a reader cannot see (1/sqrt(u) written as u^(-1/2)): the step before ends there
                    steps[-1] = dataclasses.replace(steps[-1], after=step.after)
                else:
                    steps.append(step)
        return tuple(steps)

    def tidy_steps(self, current: sympy.Expr) -> list[Step]:
        """Named clean-up moves: drop zeros and ones, multiply out (each named by what it does: a
        cancellation, combined powers, or signs and numbers), write exponentials back as powers."""
        steps = []
        after = drop_neutral(current)
        if after != current or after.args != current.args:
            steps.append(self._tidy_step("drop_neutral", say("Drop the terms equal to 0 and the factors equal to 1."), current, after))
            current = after
        after, changes = multiply_out(current)
        if changes:
            rule, annotation = arithmetic_step(changes)
            steps.append(self._tidy_step(rule, annotation, current, after))
            current = after
        after = restore_powers(current)
        if after != current or after.args != current.args:
            steps.append(self._tidy_step("restore_power", say("Write the exponential back as a power: ", _POWER_AS_EXPONENTIAL, "."),
                                         current, after))
        return steps

    def _signs_step(self, before: sympy.Expr, current: sympy.Expr, node: sympy.Derivative, result: sympy.Expr) -> Step | None:
        """The signs and numbers of the product a rule's result stands in multiplied out at once
        (d/dx e^(−x) = e^(−x)·(−1) in −d/dx e^(−x) is e^(−x) on the next line, not many lines later),
        when that product holds no derivative still to take; None when there is nothing to multiply.
        After the last rule the tidy-up moves do this (called only while derivatives are left)."""
        term = enclosing_product(before, node)
        written = replace_in_printed_order(term, node, result) if term is not None else None
        if written is None or written.has(sympy.Derivative):
            return None
        tidy, changes = multiply_out(drop_neutral(written))
        if not changes or any(change.kinds - {"numbers", "constants_first"} for change in changes):
            return None  # nothing but a 1· to drop (the tidy-up or the level of detail does that), or more than signs
        after = replace_in_printed_order(current, written, tidy)
        if after == current:
            return None
        what = "the signs" if all(abs(number) == 1 for number in written.atoms(sympy.Number)) else "the numeric factors"
        annotation = say(f"Multiply out {what}: ", sympy.Eq(written, tidy, evaluate=False), ".")
        return self._tidy_step("evaluate_arithmetic", annotation, current, after)

    def _tidy_step(self, rule: str, annotation: Annotation, before: sympy.Expr, after: sympy.Expr) -> Step:
        return Step(rule=rule, annotation=annotation, before=before, after=after, notation=self.notation)

    def chain_rule(self, inner: sympy.Expr, outer_rule: FunctionRule) -> RuleApplication:
        """d/dx F(g(x)) = F′(u)·du/dx with u = g(x): the outer derivative in u, the inner as a sub-derivation."""
        u = next(self._names)
        outer_step = Step(
            rule=outer_rule.rule,
            annotation=say("Outer function: ", *outer_rule.statement(u), "."),
            before=sympy.Derivative(outer_rule.function(u), u),
            after=outer_rule.derivative(u),
            substeps=self.formula_steps(outer_rule, u),
            details=(("variable", u),),
            notation=self.notation,
        )
        inner_steps = self.derivation(inner)
        inner_derivative = inner_steps[-1].after if inner_steps else sympy.Derivative(inner, self.variable)
        inner_step = Step(
            rule="inner_derivative",
            annotation=say("Inner function: differentiate ", sympy.Eq(u, inner, evaluate=False), "."),
            before=sympy.Derivative(inner, self.variable),
            after=inner_derivative,
            substeps=inner_steps,
            notation=self.notation,
        )
        return RuleApplication(
            rule="chain",
            annotation=say(
                "Chain rule with ", sympy.Eq(u, inner, evaluate=False), ": the derivative of the outer function at ",
                u, ", times the derivative of ", u, ".",
            ),
            result=product(outer_rule.derivative(inner), inner_derivative),
            substeps=(outer_step, inner_step),
            details=(("substitution", u), ("u", inner), ("outer_rule", outer_rule.rule)),
        )

    def formula_steps(self, rule: FunctionRule, u: sympy.Symbol) -> tuple[Step, ...]:
        """How the formula ``d/du F(u) = F′(u)`` of ``rule`` is derived (from a definition, or by the
        inverse-function rule), as steps in ``u``; none when the formula is a basic one (eˣ, ln, sin,
        cos) or the derivation cannot be completed."""
        if rule.origin is None or not self.derive_formulas:
            return ()
        chain = StepChain(sympy.Derivative(rule.function(u), u), notation=self.notation)
        if isinstance(rule.origin, DefinedAs):
            self._from_definition(chain, rule, rule.origin, u)
        else:
            self._by_inverse_function_rule(chain, rule, rule.origin, u)
        steps = chain.result()
        if not steps or not all(step.complete for step in steps):
            return ()
        if isinstance(rule.origin, DefinedAs) and not rule.derivative(u).has(rule.function(u)):
            # (sin²u + cos²u)/cos²u is 1/cos²u before it is sec²u; 1 − tanh²u is read off the
            # quotient's (cosh²u − sinh²u)/cosh²u directly, term by term
            pythagorean(chain, chain.current)
        if chain.current != rule.derivative(u):
            chain.step("recognise", say("Written with the named functions, this is ", rule.derivative(u), "."),
                       rule.derivative(u))
        return chain.result()

    def _from_definition(self, chain: StepChain, rule: FunctionRule, origin: DefinedAs, u: sympy.Symbol) -> None:
        function, definition = rule.function(u), origin.definition(u)
        if definition != function:
            chain.step("definition", say("Write ", sympy.Eq(function, definition, evaluate=False), "."),
                       sympy.Derivative(definition, u))
        engine = Differentiator(u, extra_rules=self.extra_rules, notation=self.notation, derive_formulas=False)
        chain.extend(engine.continue_from(chain.current))

    def _by_inverse_function_rule(self, chain: StepChain, rule: FunctionRule, origin: InverseOf, u: sympy.Symbol) -> None:
        forward = FUNCTION_RULES[origin.forward]
        y = sympy.Symbol("y", real=True)
        function = rule.function(u)
        with sympy.evaluate(False):
            slope_at_y, slope_here = forward.derivative(y), forward.derivative(function)
            written = origin.in_terms_of_f(forward.function(y))
            back = forward.function(function)
        chain.step(
            "inverse_function",
            say("Inverse-function rule: ", sympy.Eq(y, function, evaluate=False), " means ",
                sympy.Eq(forward.function(y), u, evaluate=False), "; differentiating both sides in ", u, " gives ",
                sympy.Eq(product(slope_at_y, sympy.Derivative(y, u)), 1, evaluate=False), ", so ",
                sympy.Eq(sympy.Derivative(y, u), sympy.Pow(slope_at_y, -1, evaluate=False), evaluate=False), "."),
            sympy.Pow(slope_here, -1, evaluate=False),
        )
        if written != slope_at_y:
            with sympy.evaluate(False):
                in_u = origin.in_terms_of_f(back)
            chain.step("identity", say("Write ", sympy.Eq(slope_at_y, written, evaluate=False), *origin.where(y, u), "."),
                       sympy.Pow(in_u, -1, evaluate=False))
        chain.step("substitute", say("Substitute ", sympy.Eq(back, u, evaluate=False), "."), rule.derivative(u))

    def in_other_variables(self, node: sympy.Derivative) -> RuleApplication:
        """A derivative in another variable, or in several in turn (∂²f/∂b∂w): each one derived
        as a sub-derivation in its own variable, every other letter held constant."""
        current = node.expr
        substeps = []
        for wrt, order in node.variable_count:
            for _ in range(order):
                engine = Differentiator(wrt, extra_rules=self.extra_rules, notation=self.notation)
                steps = engine.derivation(current)
                if not all(step.complete for step in steps):
                    return RuleApplication(rule="unsupported", annotation=say("derive cannot find the derivative of ", current,
                                                                           " with respect to ", wrt, "."), result=S.Zero)
                after = steps[-1].after if steps else sympy.Derivative(current, wrt)
                substeps.append(Step(rule="partial_derivative", annotation=say("Differentiate with respect to ", wrt, ", every "
                                                                             "other letter held constant."),
                                     before=sympy.Derivative(current, wrt), after=after, substeps=steps,
                                     details=(("variable", wrt),), notation=self.notation))
                current = after
        names = listed(((wrt, f" ({order} times)") if order > 1 else wrt for wrt, order in node.variable_count), " then ")
        return RuleApplication(rule="higher_order", annotation=say("Differentiate in ", *names, ", one derivative at a time."),
                               result=current, substeps=tuple(substeps))

    def _unsupported_step(self, current: sympy.Expr, message: Annotation) -> Step:
        return Step(rule="unsupported", annotation=message, before=current, after=current, notation=self.notation)

    def _fresh_names(self) -> Iterator[sympy.Symbol]:
        index = 0
        while True:
            for letter in ("u", "v", "w"):
                name = letter if index == 0 else f"{letter}_{index}"
                if name not in self._taken:
                    self._taken.add(name)
                    yield sympy.Symbol(name, real=True)
            index += 1


def _line(expr: sympy.Basic) -> tuple[str, str]:
    """The line a reader sees for ``expr``: as text and as LaTeX."""
    return to_plain(expr), to_latex(expr)
