"""The command line: parse arguments, call the library, map its errors to exit codes.

Nothing here derives, verifies or renders by itself; every command is a few lines over the API.
Errors derive raises on purpose (:class:`~derive.errors.DeriveError`) become one line on stderr
and the error's exit code; anything else is a bug and is allowed to show its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from derive.errors import DeriveError

COMMANDS = ("list", "diff")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments and arguments[0] in COMMANDS:
            return _COMMAND_RUNNERS[arguments[0]](arguments[1:])
        return run_function(arguments)
    except DeriveError as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _function_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="derive",
        description="Derive a derivative step by step, prove every step, and render it.",
        epilog="Other commands: 'derive list' (the catalogue), 'derive diff EXPR' (any expression).",
    )
    parser.add_argument("name", help="a catalogued function, e.g. sigmoid (see 'derive list')")
    parser.add_argument("--route", help="derivation route (sigmoid: chain, quotient, log; every function: rules)")
    parser.add_argument("--format", dest="output_format", choices=("text", "json"), default="text",
                        help="text (default): the annotated derivation; json: the derivation as one JSON object")
    return parser


def run_function(arguments: list[str]) -> int:
    options = _function_parser().parse_args(arguments)
    from derive.api import derive

    derivation = derive(options.name, route=options.route)
    return _emit(derivation, options.output_format)


def run_diff(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="derive diff", description="Differentiate an expression you type, step by step.")
    parser.add_argument("expression", help='for example "x^2*sin(x)" or "\\frac{1}{1+e^{-x}}"')
    parser.add_argument("--var", default="x", help="the variable (default x)")
    parser.add_argument("--format", dest="output_format", choices=("text", "json"), default="text")
    options = parser.parse_args(arguments)
    from derive.api import derive
    from derive.parse import parse_expression

    expression = parse_expression(options.expression, variable=options.var)
    return _emit(derive(expression, variable=options.var), options.output_format)


def run_list(arguments: list[str]) -> int:
    argparse.ArgumentParser(prog="derive list", description="List the catalogue of functions.").parse_args(arguments)
    from derive.catalogue import ENTRIES

    width = max(len(entry.name) for entry in ENTRIES)
    for entry in ENTRIES:
        routes = ", ".join(entry.route_names)
        print(f"{entry.name:<{width}}  {entry.summary}  (routes: {routes})")
    return 0


def _emit(derivation: object, output_format: str) -> int:
    if output_format == "json":
        from derive.render.json_output import derivation_json

        sys.stdout.write(derivation_json(derivation))  # type: ignore[arg-type]
    else:
        from derive.render import render

        sys.stdout.write(render(derivation, "text"))  # type: ignore[arg-type]
    return 0


_COMMAND_RUNNERS: dict[str, Callable[[list[str]], int]] = {"list": run_list, "diff": run_diff}


if __name__ == "__main__":
    raise SystemExit(main())
