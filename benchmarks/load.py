"""Load test of ``derive serve`` on loopback (issue 15): ``python3 benchmarks/load.py``.

Starts ``derive serve`` on a free port of 127.0.0.1 (``--starts`` times, and measures the time
from start to its first answer, its first page with the catalogue, and its first check), then
lets 50 concurrent clients send 2,000 realistic checks: each client is a
student typing one of the sigmoid derivations below (the correct one, or one with a typical
slip), and the page's live check sends the derivation so far, 4 to 12 lines, after each pause.
Bounded in count (``--checks``) and time (``--seconds``); it stops by itself and stops the server.

Prints the median and 95th percentile latency of all checks and of the 12-line ones, the errors,
the throughput and the machine's load average (the machine is shared: say what the load was).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import TWELVE_LINES  # noqa: E402

LINES = TWELVE_LINES.strip().splitlines()
SLIPS = [  # (line index, what a student writes instead)
    (2, r"= -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}"),
    (3, r"= \frac{e^{-x}}{1+e^{-x}}"),
    (7, r"= \sigma(x)\left(1+\sigma(x)\right)"),
    (7, r"= 2\sigma(x)\left(1-\sigma(x)\right)"),
    (5, r"= \frac{1}{1+e^{-x}}\cdot\frac{1+e^{-x}+1}{1+e^{-x}}"),
]
PLAIN = {  # some students type plain text
    0: "sigma'(x) = d/dx (1+exp(-x))^(-1)",
    7: "= sigma(x)*(1-sigma(x))",
}
TARGETS = "targets: 12-line check median <= 60 ms, p95 <= 250 ms at 50 clients, 0 errors; start to first answer <= 2 s"


def derivation(generator: random.Random, *, own_spacing: bool = True) -> list[str]:
    """One student's derivation: the 12 lines, perhaps with a slip, perhaps partly in plain text,
    and (``own_spacing``) spaced the student's own way around =, + and -, so that two students
    rarely send the same text (a student's own earlier lines do come again, as the page re-sends them)."""
    lines = list(LINES)
    if generator.random() < 0.5:
        index, slip = generator.choice(SLIPS)
        lines[index] = slip
    if generator.random() < 0.3:
        for index, plain in PLAIN.items():
            lines[index] = plain
    if own_spacing:
        lines = [re.sub(r"\s*([=+])\s*", lambda match: generator.choice(["", " ", "  "]) + match.group(1)
                        + generator.choice(["", " ", "  "]), line) for line in lines]
    return lines


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: The server runs as a user's installation runs it: with compiled bytecode (a machine that sets
#: PYTHONDONTWRITEBYTECODE would otherwise compile derive from source at every start).
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def start_server(port: int, workers: int | None) -> tuple[subprocess.Popen[bytes], dict[str, float]]:
    """The server, and the seconds from its start to its first answer, to its home page (the
    catalogue, read by a worker) and to its first check."""
    command = [sys.executable, "-m", "derive", "serve", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT)
    deadline = started + 60
    while time.perf_counter() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            break
        except OSError:
            time.sleep(0.01)
    else:
        process.kill()
        raise SystemExit("derive serve did not answer within 60 s")
    marks = {"answer": time.perf_counter() - started}
    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read()
    marks["page"] = time.perf_counter() - started
    first_check(port)
    marks["check"] = time.perf_counter() - started
    return process, marks


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) of the server process itself, and of all its descendants (the workers)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def own(process: int) -> float:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks

    children, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                found = [int(child) for child in (task / "children").read_text().split()]
            except FileNotFoundError:
                found = []
            children += found
            todo += found
    return own(pid), sum(own(child) for child in children)


def first_check(port: int) -> float:
    """Seconds for the first check after start (the workers warm up as the server starts)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/check", data=b'{"text": "sigma(0) = 1/2"}',
                                     headers={"content-type": "application/json"})
    started = time.perf_counter()
    urllib.request.urlopen(request, timeout=60).read()
    return time.perf_counter() - started


async def run_clients(url: str, *, clients: int, checks: int, seconds: float, think: tuple[float, float],
                      seed: int, own_spacing: bool) -> tuple[list[tuple[int, float, float]], list[str], float]:
    import httpx2

    generator = random.Random(seed)
    results: list[tuple[int, float, float]] = []  # (lines, seconds, seconds of it inside the server's handler)
    errors: list[str] = []
    budget = {"left": checks}
    deadline = time.perf_counter() + seconds
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def student(index: int, client) -> None:
        rng = random.Random(generator.random())
        await asyncio.sleep(rng.uniform(0, think[1]))  # students do not all start on the same keystroke
        while budget["left"] > 0 and time.perf_counter() < deadline:
            lines = derivation(rng, own_spacing=own_spacing)
            for count in range(4, 13):
                if budget["left"] <= 0 or time.perf_counter() >= deadline:
                    return
                budget["left"] -= 1
                form = {"function": "sigmoid", "text": "\n".join(lines[:count]) + "\n"}
                started = time.perf_counter()
                try:
                    answer = await client.post(url, data=form)
                    elapsed = time.perf_counter() - started
                    if answer.status_code != 200 or 'class="verdict ' not in answer.text:
                        errors.append(f"{answer.status_code}: {answer.text[:120]!r}")
                    else:
                        results.append((count, elapsed, inside(answer.headers.get("server-timing", ""))))
                except Exception as error:  # noqa: BLE001 - counted and reported
                    errors.append(f"{type(error).__name__}: {error}")
                await asyncio.sleep(rng.uniform(*think))

    started = time.perf_counter()
    async with httpx2.AsyncClient(timeout=120, limits=limits) as client:
        await asyncio.gather(*(student(index, client) for index in range(clients)))
    return results, errors, time.perf_counter() - started


def inside(timing: str) -> float:
    """Seconds the server's handler spent (its Server-Timing header: the check in the pool, the page)."""
    return sum(float(value) for value in re.findall(r"dur=([0-9.]+)", timing)) / 1000


def milliseconds(values: list[float]) -> str:
    if not values:
        return "no answers"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (n = {len(ordered)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long, whatever is left")
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 2.5), metavar=("MIN", "MAX"),
                        help="seconds a student pauses between checks (default 0.5 2.5; 0 0 for back to back)")
    parser.add_argument("--workers", type=int, help="derive serve --workers (default: all cores)")
    parser.add_argument("--endpoint", default="/check/live", choices=("/check/live",),
                        help="the page's live check (the report with each line's MathML)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--starts", type=int, default=5, help="start the server this many times for the start-up figures")
    parser.add_argument("--same-text", action="store_true",
                        help="every student types the lines exactly alike (default: each spaces them their own way)")
    options = parser.parse_args(argv)
    load_before = os.getloadavg()
    starts = []
    for _ in range(max(0, options.starts - 1)):
        process, marks = start_server(free_port(), options.workers)
        stop_server(process)
        starts.append(marks)
    port = free_port()
    process, marks = start_server(port, options.workers)
    starts.append(marks)
    try:
        server_before, workers_before = cpu_seconds(process.pid)
        results, errors, wall = asyncio.run(run_clients(
            f"http://127.0.0.1:{port}{options.endpoint}", clients=options.clients, checks=options.checks,
            seconds=options.seconds, think=tuple(options.think), seed=options.seed,
            own_spacing=not options.same_text))
        server_after, workers_after = cpu_seconds(process.pid)
    finally:
        stop_server(process)
    load_after = os.getloadavg()
    twelve = [seconds for lines, seconds, _ in results if lines == 12]
    print(f"derive serve load test: {options.clients} clients, {len(results) + len(errors)} checks of 4-12 lines "
          f"to {options.endpoint}, pauses {options.think[0]:g}-{options.think[1]:g} s, "
          f"{'the same text for all' if options.same_text else 'each student spacing their own way'}, {os.cpu_count()} cores")
    for mark, what in (("answer", "first answer"), ("page", "first page (the catalogue)"), ("check", "first check")):
        seconds = sorted(marks[mark] for marks in starts)
        print(f"  server start to {what}: median {statistics.median(seconds):.2f} s, {seconds[0]:.2f} to {seconds[-1]:.2f} s "
              f"({len(seconds)} starts)")
    print(f"  all checks: {milliseconds([seconds for _, seconds, _ in results])}")
    print(f"  12-line checks: {milliseconds(twelve)}")
    print(f"  of which in the server's handler (worker pool and page): all {milliseconds([handler for *_, handler in results])}; "
          f"12-line {milliseconds([handler for lines, _, handler in results if lines == 12])}")
    print(f"  errors: {len(errors)}{' e.g. ' + errors[0] if errors else ''}")
    print(f"  throughput: {len(results) / wall:.1f} checks/s over {wall:.1f} s")
    answered = max(1, len(results))
    print(f"  CPU per check: server process {(server_after - server_before) / answered * 1000:.1f} ms, "
          f"workers {(workers_after - workers_before) / answered * 1000:.1f} ms")
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(f"  {TARGETS}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
