"""The command line: parse arguments, call the library, map its errors to exit codes.

Nothing here derives, verifies or renders by itself; every command is a few lines over the
library. Errors derive raises on purpose (:class:`~derive.errors.DeriveError`) become one line
on stderr and the error's exit code; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn
from pathlib import Path

from derive.errors import DeriveError, ExitCode, UsageError

DEFAULT_OUT = Path("output")
_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho "
    "varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi "
    "Psi Omega"
).split()
_SYMBOL = re.compile(r"^(\\(" + "|".join(_GREEK) + r")|[A-Za-z])$")
_LABEL = re.compile(r"^[A-Za-z0-9:._-]{1,64}$")


def run() -> NoReturn:
    """The ``derive`` program: :func:`main` in a process of its own, started and ended for speed.

    A run allocates hundreds of thousands of small SymPy objects. Python's cyclic collector would
    scan them again and again while they are being built (none of them is garbage yet), and at
    exit the interpreter frees them one at a time, which takes as long as deriving the sigmoid.
    Like mypy, derive raises the collector's threshold for its short run and ends the process
    without that teardown once its output is flushed (every file it writes is already closed).
    The normal exit stays when worker processes may exist, so that multiprocessing reaps them.
    """
    gc.set_threshold(200_000, 30, 30)
    code = main()
    if "multiprocessing" in sys.modules:
        raise SystemExit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OSError as error:
        print(f"derive: error: cannot write the output: {error.strerror}", file=sys.stderr)
        code = code or 1
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments and arguments[0] in COMMANDS:
            return COMMANDS[arguments[0]](arguments[1:])
        return run_function(arguments)
    except DeriveError as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.SUCCESS


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in derive's one-line style (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(ExitCode.UNUSABLE_INPUT)


def _add_style_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exp-style", choices=("e", "exp"), default="e", help=r"write e^{u} (default) or \exp(u)")
    parser.add_argument("--symbol", default=r"\sigma", help=r"LaTeX symbol for the sigmoid (default \sigma), e.g. '\varphi' or 'S'")


def _style(options: argparse.Namespace):  # noqa: ANN202 - LatexStyle
    from derive.printing import LatexStyle

    if not _SYMBOL.match(options.symbol):
        raise UsageError(f"--symbol must be one letter or a Greek letter such as \\varphi, not {options.symbol!r}")
    return LatexStyle(exponential=options.exp_style, sigma_symbol=options.symbol)


def run_function(arguments: list[str]) -> int:
    parser = _Parser(
        prog="derive",
        description="Derive a function's derivative step by step, prove every step, and write it as a handout.",
        epilog="Commands: 'derive list', 'derive diff EXPR', 'derive worksheet NAME', 'derive compare', "
        "'derive check FILE', 'derive grade FILES', 'derive serve'. "
        "Without options, 'derive sigmoid' writes output/sigmoid.tex, .md (+ .svg) and .html.",
    )
    parser.add_argument("name", help="a catalogued function, e.g. sigmoid (see 'derive list')")
    parser.add_argument("--route", help="derivation route (sigmoid: chain, quotient, log; every function: rules)")
    parser.add_argument("--format", dest="output_format", default="all",
                        choices=("all", "latex", "markdown", "html", "text", "json"),
                        help="documents to write (all, latex, markdown, html) or print (text, json)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the documents (default: output)")
    parser.add_argument("--pdf", action="store_true", help="also compile the LaTeX handout to PDF with latexmk")
    parser.add_argument("--snippet", action="store_true", help="with --format latex: print a paste-ready align* on stdout")
    parser.add_argument("--label", help="with --snippet: a numbered align with this \\label")
    _add_style_options(parser)
    options = parser.parse_args(arguments)
    from derive.api import derive

    if (options.snippet or options.label) and options.output_format != "latex":
        raise UsageError("--snippet and --label need --format latex")
    if options.pdf and options.output_format in ("text", "json"):
        raise UsageError("--pdf writes documents: use --format latex or all")
    from derive.differentiate.catalogue import lookup

    entry = lookup(options.name)
    if entry.document == "gradient" and options.output_format in ("text", "json"):
        from derive.api import gradient

        return _print_gradient(gradient(options.name, route=options.route), options.output_format)
    if options.output_format in ("text", "json"):
        return _print_derivation(derive(options.name, route=options.route), options.output_format)
    style = _style(options)
    if options.snippet or options.label:
        if options.label and not _LABEL.match(options.label):
            raise UsageError("--label may only contain letters, digits and : . _ - (at most 64)")
        from derive.renderer import render

        sys.stdout.write(render(derive(options.name, route=options.route), "latex", "snippet", style=style, label=options.label))
        return 0
    from derive.output import compile_pdf, formats_from, write_handout

    formats = formats_from(options.output_format)
    if options.pdf and "latex" not in formats:
        raise UsageError("--pdf needs the LaTeX handout: use --format latex or all")
    written = write_handout(options.name, options.out, formats, route=options.route, style=style)
    if options.pdf:
        written.append(compile_pdf(next(path for path in written if path.suffix == ".tex")))
    for path in written:
        print(path)
    return 0


def run_worksheet(arguments: list[str]) -> int:
    parser = _Parser(prog="derive worksheet", description="Write worksheets with blanks and exercises, and their answer keys.")
    parser.add_argument("name", help="a catalogued function, e.g. sigmoid")
    parser.add_argument("--students", type=int, help="write this many distinct worksheets (and keys), one per student")
    parser.add_argument("--seed", type=int, default=0, help="seed for the choice of blanks and exercises (default 0)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder (default: output)")
    parser.add_argument("--format", dest="output_format", default="all", choices=("all", "latex", "markdown", "html"),
                        help="documents to write (default all)")
    parser.add_argument("--pdf", action="store_true", help="also compile every LaTeX worksheet and key to PDF")
    options = parser.parse_args(arguments)
    from derive.output import compile_pdf, formats_from, write_worksheets

    formats = formats_from(options.output_format)
    if options.pdf and "latex" not in formats:
        raise UsageError("--pdf needs the LaTeX worksheets: use --format latex or all")
    written = write_worksheets(options.name, options.out, formats, students=options.students, seed=options.seed)
    if options.pdf:
        written += [compile_pdf(path) for path in list(written) if path.suffix == ".tex"]
    for path in written:
        print(path)
    return 0


def run_check(arguments: list[str]) -> int:
    parser = _Parser(prog="derive check", description="Check a student's derivation line by line.")
    parser.add_argument("file", type=Path, help="one claim per line, LaTeX or plain text")
    parser.add_argument("--format", dest="output_format", default="text", choices=("text", "json", "markdown", "html", "latex"),
                        help="how the report is printed: text (default), json, markdown, html or latex")
    parser.add_argument("--syntax", choices=("latex", "text"), help="override the per-file detection")
    parser.add_argument("--function", default="sigmoid", help="the exercise's catalogued function (default sigmoid)")
    parser.add_argument("--var", help="the exercise's variable (default: the function's own, x for sigmoid, z for bce)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed to decide one line (default 10)")
    parser.add_argument("--file-timeout", type=float, default=120.0, help="seconds allowed for the whole file (default 120)")
    options = parser.parse_args(arguments)
    from derive.checker import check_file

    report = check_file(options.file, syntax=options.syntax, function=options.function, variable=options.var,
                        timeout=options.timeout, file_timeout=options.file_timeout)
    if options.output_format == "json":
        import json

        sys.stdout.write(json.dumps(report.as_json_data(), ensure_ascii=False) + "\n")
    else:
        from derive.renderer import render_report

        sys.stdout.write(render_report(report, options.output_format))
    return 0 if report.valid else 1


def run_grade(arguments: list[str]) -> int:
    parser = _Parser(prog="derive grade", description="Check a whole class of submissions into a gradebook.")
    parser.add_argument("paths", type=Path, nargs="+", help="submission files and/or folders of them")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the CSV gradebook (default grades.csv)")
    parser.add_argument("--details", type=Path, help="JSON with every line's verdict (default: next to --out, .json)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel proof workers (default: all cores)")
    parser.add_argument("--syntax", choices=("latex", "text"), help="override the per-file detection")
    parser.add_argument("--function", default="sigmoid", help="the exercise's catalogued function (default sigmoid)")
    parser.add_argument("--var", help="the exercise's variable (default: the function's own, x for sigmoid, z for bce)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed to decide one line (default 10)")
    parser.add_argument("--file-timeout", type=float, default=120.0, help="seconds allowed for one submission (default 120)")
    options = parser.parse_args(arguments)
    from derive.checker.grade import collect, details_json, grade, gradebook_csv, progress_bar
    from derive.output import write_text

    if options.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    for target, flag, example in ((options.out, "--out", "grades.csv"), (options.details, "--details", "grades.json")):
        if target is not None and (target.is_dir() or not target.name):
            raise UsageError(f"{flag} {target} is a folder: give the file to write, e.g. {target / example}")
        if target is not None and target.suffix.lower() != Path(example).suffix:
            # never a .tex or .txt name: the gradebook must not overwrite a student's file
            raise UsageError(f"{flag} must name a {Path(example).suffix} file, e.g. {example}, not {target}")
    details = options.details or options.out.with_suffix(".json")
    results = grade(collect(options.paths, exclude=(options.out, details)), jobs=options.jobs, timeout=options.timeout,
                    progress=progress_bar, syntax=options.syntax, function=options.function, variable=options.var,
                    file_timeout=options.file_timeout)
    print(write_text(options.out, gradebook_csv(results)))
    print(write_text(details, details_json(results)))
    valid = sum(1 for result in results if result.report is not None and result.report.valid)
    unusable = sum(1 for result in results if result.report is None)
    print(f"{len(results)} submissions: {valid} valid, {len(results) - valid - unusable} with errors, {unusable} unusable",
          file=sys.stderr)
    return 0


def run_diff(arguments: list[str]) -> int:
    parser = _Parser(prog="derive diff", description="Differentiate an expression you type, step by step.")
    parser.add_argument("expression", help='for example "x^2*sin(x)" or "\\frac{1}{1+e^{-x}}"')
    parser.add_argument("--var", help="the variable (default: the only letter, or x); several, comma-separated "
                        "(--var w,b), for every partial derivative")
    parser.add_argument("--order", type=int, default=1, help="a higher derivative (--order 2); with several variables, "
                        "2 gives every second partial, mixed ones included")
    parser.add_argument("--format", dest="output_format", default="text",
                        choices=("text", "json", "all", "latex", "markdown", "html"),
                        help="print (text, json) or write documents (all, latex, markdown, html)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for documents (default: output)")
    parser.add_argument("--name", default="expression", help="file name for documents (default: expression)")
    options = parser.parse_args(arguments)
    from derive.jobs import PRINTED, derive_text
    from derive.output import EXTENSIONS, formats_from, prepare_folder, write_text

    if not _LABEL.match(options.name):
        raise UsageError("--name may only contain letters, digits and : . _ - (at most 64)")
    printed = options.output_format in PRINTED
    formats = (options.output_format,) if printed else formats_from(options.output_format)
    done = derive_text(options.expression, variable=options.var, formats=formats, stem=options.name, order=options.order)
    texts = done["texts"]
    if printed:
        sys.stdout.write(texts[options.output_format])
    else:
        prepare_folder(options.out)
        for output_format in formats:
            print(write_text(options.out / f"{options.name}.{EXTENSIONS[output_format]}", texts[output_format]))
            if output_format == "markdown" and "svg" in texts:
                print(write_text(options.out / f"{options.name}.svg", texts["svg"]))
    if not done["complete"]:
        print("derive: note: some steps could not be done (marked 'Cannot do this step')", file=sys.stderr)
    return 0


def run_compare(arguments: list[str]) -> int:
    parser = _Parser(prog="derive compare", description="Write the comparison table of the whole catalogue.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder (default: output)")
    parser.add_argument("--format", dest="output_format", default="all", choices=("all", "latex", "markdown", "html"),
                        help="documents to write (default all)")
    options = parser.parse_args(arguments)
    from derive.output import formats_from, write_comparison

    for path in write_comparison(options.out, formats_from(options.output_format)):
        print(path)
    return 0


def run_list(arguments: list[str]) -> int:
    _Parser(prog="derive list", description="List the catalogue of functions.").parse_args(arguments)
    from derive.differentiate.catalogue import ENTRIES

    width = max(len(entry.name) for entry in ENTRIES)
    for entry in ENTRIES:
        print(f"{entry.name:<{width}}  {entry.summary}  (routes: {', '.join(entry.route_names)})")
    return 0


def _print_gradient(gradient: object, output_format: str) -> int:
    from derive.renderer import render_gradient
    from derive.renderer.json_output import gradient_json

    sys.stdout.write(gradient_json(gradient) if output_format == "json" else render_gradient(gradient, "text"))  # type: ignore[arg-type]
    return 0


def run_serve(arguments: list[str]) -> int:
    parser = _Parser(prog="derive serve", description="Serve the checker, derivations and worksheets in a browser (and a class).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for a lab)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--class", dest="class_name", help="class mode: students submit under their name or id, the teacher "
                        "watches the gradebook")
    parser.add_argument("--function", default="sigmoid", help="with --class: the exercise's catalogued function (default sigmoid)")
    parser.add_argument("--database", type=Path, help="with --class: the SQLite file (default derive-class-NAME.sqlite3)")
    parser.add_argument("--new-token", action="store_true", help="with --class: replace the teacher's token")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--queue", type=int, default=64, help="jobs that may wait for a worker before 503 (default 64)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed to decide one line (default 10)")
    parser.add_argument("--file-timeout", type=float, default=60.0, help="seconds allowed for one derivation (default 60)")
    options = parser.parse_args(arguments)
    if not 1 <= options.port <= 65535:
        raise InputError(f"--port must be between 1 and 65535, not {options.port}")
    if options.workers < 1 or options.queue < 1:
        raise InputError("--workers and --queue must be at least 1")
    if options.class_name is None and (options.database or options.new_token or options.function != "sigmoid"):
        raise InputError("--function, --database and --new-token are for class mode: add --class NAME")
    if options.class_name is not None and not re.match(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}$", options.class_name):
        raise InputError("--class must be a name of letters, digits, spaces and . _ - (at most 60), such as ML101")
    for flag, seconds in (("--timeout", options.timeout), ("--file-timeout", options.file_timeout)):
        if not 0.1 <= seconds <= 3600:
            raise InputError(f"{flag} must be between 0.1 and 3600 seconds, not {seconds:g}")
    from derive.web import ServeOptions, serve  # the server process itself never loads the engine

    return serve(ServeOptions(
        host=options.host, port=options.port, workers=options.workers, queue_limit=options.queue, timeout=options.timeout,
        file_timeout=options.file_timeout, class_name=options.class_name, function=options.function, database=options.database,
        new_token=options.new_token,
    ))


def _print_derivation(derivation: object, output_format: str) -> int:
    if output_format == "json":
        from derive.renderer.json_output import derivation_json

        sys.stdout.write(derivation_json(derivation))  # type: ignore[arg-type]
    else:
        from derive.renderer import render

        sys.stdout.write(render(derivation, "text"))  # type: ignore[arg-type]
    return 0


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "list": run_list, "diff": run_diff, "worksheet": run_worksheet, "check": run_check, "grade": run_grade,
    "compare": run_compare, "serve": run_serve,
}


if __name__ == "__main__":
    run()
