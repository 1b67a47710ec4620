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

from derive.errors import DeriveError, ExitCode, UsageError, check_one_exercise

DEFAULT_OUT = Path("output")
_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho "
    "varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi "
    "Psi Omega"
).split()
# Matched with fullmatch: "$" would also accept a trailing newline (--name $'ex\n' -> "ex\n.tex").
_SYMBOL = re.compile(r"\\(" + "|".join(_GREEK) + r")|[A-Za-z]")
_LABEL = re.compile(r"[A-Za-z0-9:._-]{1,64}")
DIFF_TIMEOUT_SECONDS = 60.0


def run() -> NoReturn:
    """The ``derive`` program: :func:`main` in a process of its own, started and ended for speed.

    A run allocates hundreds of thousands of small SymPy objects. Python's cyclic collector would
    scan them again and again while they are being built (none of them is garbage yet), and at
    exit the interpreter frees them one at a time, which takes as long as deriving the sigmoid.
    Like mypy, derive raises the collector's threshold for its short run and ends the process
    without that teardown once its output is flushed (every file it writes is already closed).
    The normal exit stays while worker processes may exist (a pool's, the sandbox's fork server)
    or another thread runs, so that multiprocessing reaps them; `derive catalogue --jobs 2`,
    whose pool has ended, skips the teardown too (a quarter of a second).
    """
    gc.set_threshold(200_000, 30, 30)
    code = main()
    if not _alone():
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


def _alone() -> bool:
    """Whether this process is the only one of its run and runs one thread: no worker process of
    multiprocessing (a pool's, a sandbox's) is alive and no fork server was started."""
    if "threading" in sys.modules and sys.modules["threading"].active_count() > 1:
        return False
    if "multiprocessing" not in sys.modules:
        return True
    import multiprocessing

    if multiprocessing.active_children():
        return False
    forkserver = sys.modules.get("multiprocessing.forkserver")
    return forkserver is None or getattr(forkserver._forkserver, "_forkserver_pid", None) is None  # noqa: SLF001


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments and arguments[0] in COMMANDS:
            return COMMANDS[arguments[0]](arguments[1:])
        return run_function(arguments)
    except DeriveError as error:
        print(f"derive: error: {_one_line(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.SUCCESS


def _one_line(message: str) -> str:
    """A message as one printable line (a file name may hold a newline or a terminal escape)."""
    return "".join(char if char.isprintable() else " " for char in " ".join(message.split()))


def _interrupt_on_sigterm() -> None:
    """SIGTERM stops a long command the way Ctrl-C does: workers stopped, nothing half-written."""
    import signal

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def _seconds(option: str, limit: float = 3600.0) -> Callable[[str], float]:
    """An argparse type: a number of seconds from 0.1 to ``limit``; errors name ``option``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} must be a number of seconds, not {text!r}") from None
        if not 0.1 <= value <= limit:  # also refuses nan and inf
            raise argparse.ArgumentTypeError(f"{option} must be between 0.1 and {limit:g} seconds, not {text!r}")
        return value

    return parse


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in derive's one-line style (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(ExitCode.UNUSABLE_INPUT)


def _add_style_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exp-style", choices=("e", "exp"), default="e", help=r"write e^{u} (default) or \exp(u)")
    parser.add_argument("--symbol", default=r"\sigma", help=r"LaTeX symbol for the sigmoid (default \sigma), e.g. '\varphi' or 'S'")


def _add_snippet_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--snippet", action="store_true",
                        help="with --format latex: print a paste-ready align* on stdout; with --format markdown, "
                        "an aligned display in $$ (notes, GitHub)")
    parser.add_argument("--label", help="with --snippet: a numbered align with this \\label")
    parser.add_argument("--no-annotations", dest="annotations", action="store_false",
                        help="with --snippet: the equations alone, without the rule names")


def _check_snippet_options(options: argparse.Namespace) -> None:
    """--snippet needs --format latex or markdown (the default format means latex); --label and
    --no-annotations need --snippet."""
    if options.snippet and options.output_format in ("all", None):
        options.output_format = "latex"
    if options.label and not options.snippet:
        raise UsageError("--label needs --snippet")
    if not options.annotations and not options.snippet:
        raise UsageError("--no-annotations needs --snippet")
    if options.snippet and options.output_format not in ("latex", "markdown"):
        raise UsageError("--snippet needs --format latex or --format markdown")
    if options.label and options.output_format != "latex":
        raise UsageError("--label needs --format latex")
    if options.label and not _LABEL.fullmatch(options.label):
        raise UsageError("--label may only contain letters, digits and : . _ - (at most 64)")


def _add_detail_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--detail", choices=("brief", "standard", "full"), default="standard",
                        help="how much the steps show: brief (one line per rule), standard (default: trivial "
                        "derivatives and repeated lines folded), full (every move)")


def _style(options: argparse.Namespace):  # noqa: ANN202 - LatexStyle
    from derive.printing import LatexStyle

    if not _SYMBOL.fullmatch(options.symbol):
        raise UsageError(f"--symbol must be one letter or a Greek letter such as \\varphi, not {options.symbol!r}")
    return LatexStyle(exponential=options.exp_style, sigma_symbol=options.symbol)


def run_function(arguments: list[str]) -> int:
    parser = _Parser(
        prog="derive",
        description="Derive a function's derivative step by step, prove every step, and write it as a handout.",
        epilog="Commands: 'derive list', 'derive diff EXPR', 'derive worksheet NAME', 'derive compare', 'derive catalogue', "
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
    _add_snippet_options(parser)
    _add_detail_option(parser)
    _add_style_options(parser)
    options = parser.parse_args(arguments)
    from derive.api import derive

    _check_snippet_options(options)
    if options.pdf and options.output_format in ("text", "json"):
        raise UsageError("--pdf writes documents: use --format latex or all")
    from derive.differentiate.catalogue import lookup

    entry = lookup(options.name)
    if entry.document == "gradient" and options.output_format in ("text", "json"):
        from derive.api import gradient

        return _print_gradient(gradient(options.name, route=options.route, detail=options.detail), options.output_format)
    if options.output_format in ("text", "json"):
        return _print_derivation(derive(options.name, route=options.route, detail=options.detail), options.output_format)
    style = _style(options)
    if options.snippet:
        from derive.api import gradient
        from derive.renderer import render_snippet

        derivations = (gradient(options.name, route=options.route, detail=options.detail).derivations
                       if entry.document == "gradient" else (derive(options.name, route=options.route, detail=options.detail),))
        sys.stdout.write(render_snippet(derivations, options.output_format, label=options.label,
                                        annotations=options.annotations, style=style))
        return 0
    from derive.output import check_output_folder, compile_pdf, formats_from, write_handout

    formats = formats_from(options.output_format)
    if options.pdf and "latex" not in formats:
        raise UsageError("--pdf needs the LaTeX handout: use --format latex or all")
    from derive.differentiate.catalogue import lookup

    lookup(options.name)
    check_output_folder(options.out)
    written = write_handout(options.name, options.out, formats, route=options.route, style=style, detail=options.detail,
                            helper=True)
    if options.pdf:
        written.append(compile_pdf(next(path for path in written if path.suffix == ".tex")))
    for path in written:
        print(path)
    return 0


def run_worksheet(arguments: list[str]) -> int:
    parser = _Parser(prog="derive worksheet", description="Write worksheets with blanks and exercises, and their answer keys.")
    parser.add_argument("name", help="a catalogued function, e.g. sigmoid")
    parser.add_argument("--students", type=int, help="write this many distinct worksheets (and keys), one per student (at most 500)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the choice of blanks and exercises (default 0)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder (default: output)")
    parser.add_argument("--format", dest="output_format", default="all", choices=("all", "latex", "markdown", "html"),
                        help="documents to write (default all)")
    parser.add_argument("--pdf", action="store_true", help="also compile every LaTeX worksheet and key to PDF; with "
                        "--students, also one PDF of every worksheet and one of every key (the class set)")
    _add_detail_option(parser)
    options = parser.parse_args(arguments)
    from derive.output import check_output_folder, compile_pdf, formats_from, write_class_sets, write_worksheets

    formats = formats_from(options.output_format)
    if options.pdf and "latex" not in formats:
        raise UsageError("--pdf needs the LaTeX worksheets: use --format latex or all")
    check_output_folder(options.out)
    written = write_worksheets(options.name, options.out, formats, students=options.students, seed=options.seed,
                               detail=options.detail)
    if options.pdf:
        pdfs = [compile_pdf(path) for path in list(written) if path.suffix == ".tex"]
        written += pdfs
        if options.students is not None:
            from derive.differentiate.catalogue import lookup

            written += write_class_sets(pdfs, lookup(options.name).name, options.out)
    for path in written:
        print(path)
    return 0


def _add_exercise_options(parser: argparse.ArgumentParser, *, derivation: str, whole: str) -> None:
    """The options ``check`` and ``grade`` share: the exercise, its variable, the syntax, the limits."""
    parser.add_argument("--syntax", choices=("latex", "text"), help="override the per-file detection")
    parser.add_argument("--function", help=f"the exercise's catalogued function (default: sigmoid, unless {derivation} "
                        "defines its own function first)")
    parser.add_argument("--exercise", metavar="DEFINITION", help='the exercise as a definition, e.g. "f(x) = x^2 e^{3x}"')
    parser.add_argument("--var", help="the exercise's variable (default: the function's own, x for sigmoid, z for bce)")
    parser.add_argument("--timeout", type=_seconds("--timeout"), default=10.0, help="seconds allowed to decide one line (default 10)")
    parser.add_argument("--file-timeout", type=_seconds("--file-timeout"), default=120.0,
                        help=f"seconds allowed for {whole} (default 120)")


#: How the command line names the two ways to give the exercise (see check_one_exercise).
_EXERCISE_OPTIONS = ("--function", "--exercise")


def run_check(arguments: list[str]) -> int:
    parser = _Parser(prog="derive check", description="Check a student's derivation line by line.")
    parser.add_argument("file", type=Path, help="one claim per line, LaTeX or plain text")
    parser.add_argument("--format", dest="output_format", default="text", choices=("text", "json", "markdown", "html", "latex"),
                        help="how the report is printed: text (default), json, markdown, html or latex")
    _add_exercise_options(parser, derivation="the derivation", whole="the whole file")
    options = parser.parse_args(arguments)
    from derive.checker import check_file

    check_one_exercise(options.function, options.exercise, names=_EXERCISE_OPTIONS)
    report = check_file(options.file, syntax=options.syntax, function=options.function, exercise=options.exercise,
                        variable=options.var, timeout=options.timeout, file_timeout=options.file_timeout)
    if options.output_format == "json":
        import json

        sys.stdout.write(json.dumps(report.as_json_data(), ensure_ascii=False) + "\n")
    else:
        from derive.renderer import render_report

        sys.stdout.write(render_report(report, options.output_format))
    return 0 if report.valid else 1


def run_grade(arguments: list[str]) -> int:
    parser = _Parser(prog="derive grade", description="Check a whole class of submissions into a gradebook, with "
                     "scores, feedback for each student, a class report and the files Moodle and Canvas import.")
    parser.add_argument("paths", type=Path, nargs="*", help="submission files and/or folders of them")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the CSV gradebook (default grades.csv)")
    parser.add_argument("--details", type=Path, help="JSON with every line's verdict (default: next to --out, .json)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel proof workers (default: all cores)")
    _add_exercise_options(parser, derivation="a submission", whole="one submission")
    parser.add_argument("--rubric", type=Path, help="points under this TOML rubric (default: the built-in one; see --rubric-example)")
    parser.add_argument("--rubric-example", action="store_true", help="print the documented default rubric and exit")
    parser.add_argument("--feedback", type=Path, metavar="DIR", help="write one feedback document per submission here (HTML and Markdown)")
    parser.add_argument("--report", type=Path, metavar="DIR", help="write the class report here (HTML with SVG charts, Markdown)")
    parser.add_argument("--pdf", action="store_true", help="with --feedback/--report: also LaTeX and PDF (latexmk)")
    parser.add_argument("--resume", action="store_true", help="reuse the results of an interrupted or earlier run for unchanged files")
    parser.add_argument("--moodle", type=Path, metavar="FILE.csv", help="write Moodle's grading worksheet (Upload grading worksheet)")
    parser.add_argument("--canvas", type=Path, metavar="FILE.csv", help="write Canvas's gradebook import CSV")
    parser.add_argument("--id-pattern", help="regular expression with a group (?P<id>...) that finds the student's id in a "
                        "file's path (default: Moodle's and Canvas's download names)")
    parser.add_argument("--roster", type=Path, help="CSV of students (the LMS's own export) to look the id up in")
    parser.add_argument("--roster-key", help="the roster column holding the id (default: Identifier for Moodle, ID for Canvas)")
    parser.add_argument("--assignment", default="", help="the assignment's column in the Canvas file, e.g. 'Sigmoid (12345)'")
    options = parser.parse_args(arguments)
    if options.rubric_example:
        from derive.grading.rubric import EXAMPLE

        sys.stdout.write(EXAMPLE)
        return 0
    if not options.paths:
        parser.error("the following arguments are required: paths")
    from derive.checker.grade import check_grade_options, collect_found, progress_bar
    from derive.grading.gradebook import Lms, Outputs, Settings, grade_class
    from derive.grading.rubric import DEFAULT_RUBRIC, load_rubric
    from derive.output import check_output_file, check_output_folder

    if options.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if options.out.is_dir() or not options.out.name:
        raise UsageError(f"--out {options.out} is a folder: give the file to write, e.g. {options.out / 'grades.csv'}")
    details = options.details or options.out.with_suffix(".json")
    files = {"--out": (options.out, ".csv"), "--details": (details, ".json"), "--moodle": (options.moodle, ".csv"),
             "--canvas": (options.canvas, ".csv")}
    for flag, (target, suffix) in files.items():
        if target is None:
            continue
        if target.is_dir() or not target.name:
            raise UsageError(f"{flag} {target} is a folder: give the file to write, e.g. {target / ('grades' + suffix)}")
        if target.suffix.lower() != suffix:
            # never a .tex or .txt name: the gradebook must not overwrite a student's file
            raise UsageError(f"{flag} must name a {suffix} file, e.g. grades{suffix}, not {target}")
    named = [target.resolve() for target, _ in files.values() if target is not None]
    if len(set(named)) < len(named):
        raise UsageError("--out, --details, --moodle and --canvas must be different files")
    check_one_exercise(options.function, options.exercise, names=_EXERCISE_OPTIONS)
    settings = Settings(function=options.function or "sigmoid", function_named=options.function is not None,
                        exercise=options.exercise, variable=options.var, syntax=options.syntax,
                        timeout=options.timeout, file_timeout=options.file_timeout)
    check_grade_options(timeout=settings.timeout, **settings.check_options())
    rubric = load_rubric(options.rubric) if options.rubric else DEFAULT_RUBRIC
    lms = _lms_options(options)
    if options.pdf:
        if options.feedback is None and options.report is None:
            raise UsageError("--pdf needs --feedback or --report")
        import shutil

        from derive.errors import ToolMissingError

        if shutil.which("latexmk") is None:
            raise ToolMissingError("--pdf needs latexmk and pdflatex (Debian: apt-get install latexmk texlive-latex-recommended texlive-pictures)")
    for flag, (target, _) in files.items():  # every output is checked before the work starts
        if target is not None:
            check_output_file(target, flag)
    for flag, folder in (("--feedback", options.feedback), ("--report", options.report)):
        if folder is not None:
            check_output_folder(folder, flag)
    outputs = Outputs(gradebook=options.out, details=details, feedback=options.feedback, report=options.report,
                      moodle=options.moodle, canvas=options.canvas, pdf=options.pdf)
    found = collect_found(options.paths, exclude=[target for target, _ in files.values() if target is not None],
                          exclude_folders=[folder for folder in (options.feedback, options.report) if folder is not None])
    _interrupt_on_sigterm()
    result = grade_class(found, outputs, settings, rubric=rubric, lms=lms, jobs=options.jobs, resume=options.resume,
                         progress=progress_bar, notice=lambda message: print(f"derive: note: {_one_line(message)}", file=sys.stderr))
    for path in (options.out, details, options.moodle, options.canvas):
        if path is not None:
            print(path)
    for folder in (options.feedback, options.report):
        if folder is not None:
            print(folder)
    reused = f" ({result.reused} reused from the earlier run)" if options.resume else ""
    print(f"{result.submissions} submissions: {result.valid} valid, {result.with_errors} with errors, "
          f"{result.unusable} unusable{reused}", file=sys.stderr)
    if result.unmatched:
        print(f"derive: note: {len(result.unmatched)} submissions are not in the LMS files (no student id found for "
              f"them, see --id-pattern and --roster): {_one_line(', '.join(result.unmatched[:5]))}"
              f"{' …' if len(result.unmatched) > 5 else ''}", file=sys.stderr)
    return 0


def _lms_options(options: argparse.Namespace):  # noqa: ANN202 - Lms | None
    """Who each submission belongs to, for --moodle / --canvas (checked before grading)."""
    from derive.grading.gradebook import Lms
    from derive.grading.lms import Identities, compile_pattern, read_roster

    wanted = options.moodle is not None or options.canvas is not None
    if not wanted:
        if options.id_pattern or options.roster or options.roster_key:
            raise UsageError("--id-pattern, --roster and --roster-key need --moodle or --canvas")
        return None
    if options.moodle is not None and options.canvas is not None and options.roster is not None:
        raise UsageError("a roster belongs to one system: give --roster with --moodle or with --canvas, not both")
    pattern = compile_pattern(options.id_pattern) if options.id_pattern else None
    if options.roster is None:
        if options.roster_key:
            raise UsageError("--roster-key needs --roster")
        return Lms(identities=Identities(pattern=pattern), assignment=options.assignment)
    system = "moodle" if options.moodle is not None else "canvas"
    return Lms(identities=read_roster(options.roster, options.roster_key, system, pattern), assignment=options.assignment)


def _expression_first(arguments: list[str]) -> list[str]:
    """``derive diff "-x^2" ...``: an expression that starts with a minus sign, given first, is the
    expression (argparse would take it for an option); elsewhere it goes after ``--``."""
    if arguments and arguments[0].startswith("-") and not arguments[0].startswith("--") and arguments[0] != "-h" \
            and "--" not in arguments:
        return [*arguments[1:], "--", arguments[0]]
    return arguments


def run_diff(arguments: list[str]) -> int:
    parser = _Parser(prog="derive diff", description="Differentiate an expression you type, step by step.")
    parser.add_argument("expression", help='for example "x^2*sin(x)" or "\\frac{1}{1+e^{-x}}"')
    parser.add_argument("--var", help="the variable (default: the only letter, or x); several, comma-separated "
                        "(--var w,b), for every partial derivative")
    parser.add_argument("--order", type=int, default=1, help="a higher derivative (--order 2); with several variables, "
                        "2 gives every second partial, mixed ones included")
    parser.add_argument("--format", dest="output_format", default=None,
                        choices=("text", "json", "all", "latex", "markdown", "html"),
                        help="print (text, json; default text) or write documents (all, latex, markdown, html)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for documents (default: output)")
    parser.add_argument("--name", default="expression", help="file name for documents (default: expression)")
    _add_detail_option(parser)
    parser.add_argument("--timeout", type=_seconds("--timeout"), default=DIFF_TIMEOUT_SECONDS,
                        help=f"seconds allowed to derive and render the expression (default {DIFF_TIMEOUT_SECONDS:g})")
    _add_snippet_options(parser)
    options = parser.parse_args(_expression_first(arguments))
    _check_snippet_options(options)
    options.output_format = options.output_format or "text"
    from derive.jobs import PRINTED
    from derive.output import check_output_folder, formats_from, prepare_folder, write_text
    from derive.renderer import EXTENSIONS
    from derive.sandbox import MEMORY_LIMIT_BYTES, Sandbox

    if not _LABEL.fullmatch(options.name):
        raise UsageError("--name may only contain letters, digits and : . _ - (at most 64)")
    snippet = {"format": options.output_format, "label": options.label, "annotations": options.annotations} if options.snippet else None
    printed = options.output_format in PRINTED or snippet is not None
    formats = () if snippet else (options.output_format,) if printed else formats_from(options.output_format)
    if not printed:
        check_output_folder(options.out)
    _interrupt_on_sigterm()
    with Sandbox(memory_limit=MEMORY_LIMIT_BYTES, preload=("derive.jobs",), fork=True) as sandbox:
        done = sandbox.run("derive.jobs:derive_text", options.expression, timeout=options.timeout,
                           what="deriving the expression", variable=options.var, formats=formats, stem=options.name,
                           order=options.order, snippet=snippet, detail=options.detail)
    texts = done["texts"]
    if printed:
        sys.stdout.write(texts["snippet" if snippet else options.output_format])
    else:
        prepare_folder(options.out)
        for output_format in formats:
            print(write_text(options.out / f"{options.name}.{EXTENSIONS[output_format]}", texts[output_format]))
            if output_format == "markdown" and "svg" in texts:
                print(write_text(options.out / f"{options.name}.svg", texts["svg"]))
    if not done["complete"]:
        print("derive: note: some steps could not be done (marked 'Cannot do this step')", file=sys.stderr)
    return 0


def run_gradescope(arguments: list[str]) -> int:
    parser = _Parser(prog="derive gradescope-autograder",
                     description="Write a Gradescope autograder (setup.sh, run_autograder, its configuration and "
                     "autograder.zip) that checks one exercise; or, with --run, grade one submission as Gradescope does.")
    parser.add_argument("--exercise", default="sigmoid", help="the exercise's catalogued function (default sigmoid)")
    parser.add_argument("--out", type=Path, help="folder for the autograder bundle")
    parser.add_argument("--rubric", type=Path, help="points under this TOML rubric (default: the built-in one)")
    parser.add_argument("--var", help="the exercise's variable (default: the function's own, x for sigmoid, z for bce)")
    parser.add_argument("--syntax", choices=("latex", "text"))
    parser.add_argument("--timeout", type=_seconds("--timeout"), default=10.0, help="seconds allowed to decide one line (default 10)")
    parser.add_argument("--file-timeout", type=_seconds("--file-timeout"), default=120.0, help="seconds allowed for one submission (default 120)")
    parser.add_argument("--visibility", default="visible", choices=("visible", "hidden", "after_due_date", "after_published"),
                        help="when students see each line's result on Gradescope (default visible)")
    parser.add_argument("--submission-file", default="", help="the file name students must upload (default: their one text file)")
    parser.add_argument("--run", type=Path, metavar="CONFIG", help="(used by run_autograder) grade ROOT/submission into ROOT/results/results.json")
    parser.add_argument("--root", type=Path, default=Path("/autograder"), help="with --run: Gradescope's folder (default /autograder)")
    options = parser.parse_args(arguments)
    from derive.grading.gradescope import AutograderConfig, run_autograder, write_bundle

    if options.run is not None:
        results = run_autograder(options.run, options.root)
        print(f"{options.root / 'results' / 'results.json'}: score {results['score']}")
        return 0
    if options.out is None:
        parser.error("the following arguments are required: --out (or --run)")
    from derive.grading.gradebook import Settings
    from derive.grading.rubric import DEFAULT_RUBRIC, load_rubric
    from derive.output import check_output_folder

    settings = Settings(function=options.exercise, variable=options.var, syntax=options.syntax, timeout=options.timeout,
                        file_timeout=options.file_timeout)
    config = AutograderConfig(settings=settings, visibility=options.visibility, submission_file=options.submission_file,
                              rubric=load_rubric(options.rubric) if options.rubric else DEFAULT_RUBRIC)
    check_output_folder(options.out)
    for path in write_bundle(config, options.out):
        print(path)
    return 0


def run_compare(arguments: list[str]) -> int:
    parser = _Parser(prog="derive compare", description="Write the comparison table of the whole catalogue.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder (default: output)")
    parser.add_argument("--format", dest="output_format", default="all", choices=("all", "latex", "markdown", "html"),
                        help="documents to write (default all)")
    options = parser.parse_args(arguments)
    from derive.output import check_output_folder, formats_from, write_comparison

    check_output_folder(options.out)
    for path in write_comparison(options.out, formats_from(options.output_format)):
        print(path)
    return 0


def run_catalogue(arguments: list[str]) -> int:
    parser = _Parser(prog="derive catalogue", description="Write every catalogue entry's handout and the comparison "
                     "table: what 'derive NAME' for each entry and 'derive compare' write, in one run.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder (default: output)")
    parser.add_argument("--format", dest="output_format", default="all", choices=("all", "latex", "markdown", "html"),
                        help="documents to write (default all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes sharing the work (default: one per core)")
    options = parser.parse_args(arguments)
    if not 1 <= options.jobs <= 64:
        raise UsageError("--jobs must be between 1 and 64")
    from derive.output import check_output_folder, formats_from, write_catalogue

    check_output_folder(options.out)
    _interrupt_on_sigterm()
    for path in write_catalogue(options.out, formats_from(options.output_format), jobs=options.jobs):
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
    parser.add_argument("--function", help="with --class: the exercise's catalogued function (default: the class's own; "
                        "sigmoid for a new class)")
    parser.add_argument("--exercise", metavar="DEFINITION", help='with --class: the exercise as a definition, graded as '
                        'derive grade --exercise grades, e.g. "f(x) = x^2 sin(x)"')
    parser.add_argument("--var", help="with --class: the exercise's variable (default: its own, x for sigmoid)")
    parser.add_argument("--database", type=Path, help="with --class: the SQLite file (default derive-class-NAME.sqlite3)")
    parser.add_argument("--new-token", action="store_true", help="with --class: replace the teacher's token")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--queue", type=int, default=64, help="jobs that may wait for a worker before 503 (default 64)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed to decide one line (default 10)")
    parser.add_argument("--file-timeout", type=float, default=60.0, help="seconds allowed for one derivation (default 60)")
    options = parser.parse_args(arguments)
    if not 1 <= options.port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, not {options.port}")
    if options.workers < 1 or options.queue < 1:
        raise UsageError("--workers and --queue must be at least 1")
    if options.class_name is None and (options.database or options.new_token or options.function is not None
                                       or options.exercise is not None or options.var is not None):
        raise UsageError("--function, --exercise, --var, --database and --new-token are for class mode: add --class NAME")
    check_one_exercise(options.function, options.exercise, names=_EXERCISE_OPTIONS)
    if options.class_name is not None and not re.match(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}$", options.class_name):
        raise UsageError("--class must be a name of letters, digits, spaces and . _ - (at most 60), such as ML101")
    for flag, seconds in (("--timeout", options.timeout), ("--file-timeout", options.file_timeout)):
        if not 0.1 <= seconds <= 3600:
            raise UsageError(f"{flag} must be between 0.1 and 3600 seconds, not {seconds:g}")
    from derive.web import ServeOptions, serve  # the server process itself never loads the engine

    return serve(ServeOptions(
        host=options.host, port=options.port, workers=options.workers, queue_limit=options.queue, timeout=options.timeout,
        file_timeout=options.file_timeout, class_name=options.class_name, function=options.function, exercise=options.exercise,
        variable=options.var, database=options.database, new_token=options.new_token,
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
    "compare": run_compare, "catalogue": run_catalogue, "serve": run_serve, "gradescope-autograder": run_gradescope,
}


if __name__ == "__main__":
    run()
