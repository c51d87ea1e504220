"""Path builder: time to a proven-optimal answer, next to brute force and a greedy baseline,
and what a solve does to the event loop.

    .venv/bin/python bench/paths.py [--candidates 500] [--picks 10] [--runs 20]

Target (issue 2): proven optimal for 500 candidate trainings and max 10 interventions in
< 100 ms. Brute force is timed on the sizes where it still finishes. Times are wall clock and
CPU (``process_time``): on a shared machine the CPU figure moves less.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor

from engine.paths import Problem, Solution, greedy, objective, solve
from engine.solving import run_solver

TOTAL_FIT = 3  # index of the total fit in an objective value


def random_problem(rng: random.Random, candidates: int, picks: int, goals: int = 8,
                   paths: int = 1, levels: bool = False) -> Problem:
    """A random catalogue. With ``levels`` the fit comes from a random education match (40 %
    another level, 10 % unknown) and experience match (30 % too advanced, 10 % unknown), and
    trainings at another level or too advanced may only serve a goal, as in build_paths."""
    cover = []
    for _ in range(paths):
        row = []
        for _ in range(candidates):
            bits = rng.sample(range(goals), rng.choice([1, 1, 1, 2, 2, 3]))
            row.append(sum(1 << b for b in bits))
        cover.append(row)
    problem = Problem(
        minutes=[rng.choice([10, 20, 30, 45, 60, 90, 120, 240, 480]) for _ in range(candidates)],
        cover=cover,
        fit=[[rng.randint(0, 8) for _ in range(candidates)] for _ in range(paths)],
        eligible=[[True] * candidates for _ in range(paths)],
        goals=[goals] * paths,
        max_count=[picks] * paths,
        max_minutes=[picks * 60] * paths,
    )
    if levels:
        education = [rng.choices([0, 1, 2], [0.4, 0.1, 0.5], k=candidates) for _ in range(paths)]
        experience = [rng.choices([0, 1, 2], [0.3, 0.1, 0.6], k=candidates) for _ in range(paths)]
        pairs = [list(zip(education[p], experience[p], strict=True)) for p in range(paths)]
        problem.fit = [[3 * e + x for e, x in row] for row in pairs]
        problem.fill_ok = [[e != 0 and x != 0 for e, x in row] for row in pairs]
    return problem


def brute_force(problem: Problem) -> tuple[int, ...]:
    best: tuple[int, ...] = (0, 0, 0, 0, 0)
    n = problem.n_trainings
    limit = problem.max_count[0] or n
    for k in range(1, limit + 1):
        for subset in itertools.combinations(range(n), k):
            assignment = [-1] * n
            for t in subset:
                assignment[t] = 0
            value = objective(problem, assignment)
            if value is not None and value > best:
                best = value
    return best


def timed(problem: Problem) -> tuple[Solution, float, float]:
    """The solution, wall ms and CPU ms."""
    wall, cpu = time.perf_counter(), time.process_time()
    solution = solve(problem)
    return solution, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def bench_single(rng: random.Random, args: argparse.Namespace, levels: bool = False) -> None:
    walls, cpus, proven, gaps = [], [], 0, []
    for _ in range(args.runs):
        problem = random_problem(rng, args.candidates, args.picks, levels=levels)
        solution, wall, cpu = timed(problem)
        walls.append(wall)
        cpus.append(cpu)
        proven += solution.optimal
        start = objective(problem, greedy(problem, [
            [True] * problem.n_trainings for _ in range(problem.n_paths)]))
        assert start is not None
        gaps.append(100 * start[TOTAL_FIT] / max(solution.value[TOTAL_FIT], 1))
    walls.sort()
    rule = ", fit from education and experience (serving rule)" if levels else ""
    print(f"CP-SAT, {args.candidates} candidates, max {args.picks} picks, 8 goals{rule}, "
          f"{args.runs} random instances:")
    print(f"  proven optimal {proven}/{args.runs}; ms mean {statistics.fmean(walls):.1f}, "
          f"p50 {walls[len(walls) // 2]:.1f}, max {walls[-1]:.1f}; "
          f"CPU ms mean {statistics.fmean(cpus):.1f}")
    print(f"  greedy reaches {statistics.fmean(gaps):.1f} % of the optimal fit on average")


def bench_stacked(rng: random.Random, args: argparse.Namespace, levels: bool = False) -> None:
    walls, cpus, proven = [], [], 0
    runs = max(args.runs // 2, 1)
    for _ in range(runs):
        problem = random_problem(rng, args.candidates, args.picks, paths=3, levels=levels)
        solution, wall, cpu = timed(problem)
        walls.append(wall)
        cpus.append(cpu)
        proven += solution.optimal
    print(f"  3 stacked paths over the same {args.candidates} candidates: proven optimal "
          f"{proven}/{runs}; ms mean {statistics.fmean(walls):.1f}, max {max(walls):.1f}; "
          f"CPU ms mean {statistics.fmean(cpus):.1f}")


def bench_brute_force(rng: random.Random) -> None:
    print("brute force vs CP-SAT on small instances (1 path, max 4 picks):")
    for size in (8, 12, 16, 20, 24, 32, 40):
        problem = random_problem(rng, size, 4, goals=4)
        started = time.perf_counter()
        exact = brute_force(problem)
        brute_ms = (time.perf_counter() - started) * 1000
        solution, solver_ms, _ = timed(problem)
        same = "same optimum" if solution.value == exact else "DIFFERENT"
        print(f"  n={size:>3}: brute force {brute_ms:9.1f} ms, CP-SAT {solver_ms:6.1f} ms "
              f"({brute_ms / solver_ms:7.1f}x), {same}")


async def loop_lag(work: Callable[[], Awaitable[object]]) -> tuple[float, float, float]:
    """While ``work`` runs: the event loop's worst and 99th-percentile lag behind a 5 ms
    ticker, and the work's wall time (all ms)."""
    lags: list[float] = []
    running = True

    async def ticker() -> None:
        while running:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append((time.perf_counter() - started - 0.005) * 1000)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    lags.clear()
    started = time.perf_counter()
    await work()
    elapsed = (time.perf_counter() - started) * 1000
    running = False
    await task
    lags.sort()
    return lags[-1], lags[int(0.99 * (len(lags) - 1))], elapsed


async def bench_event_loop(rng: random.Random, args: argparse.Namespace) -> None:
    problems = [random_problem(rng, args.candidates, args.picks, paths=3) for _ in range(3)]
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=1) as processes:
        await loop.run_in_executor(processes, solve, problems[0])  # start the process
        ways: dict[str, Callable[[Problem], Awaitable[object]]] = {
            "inline (blocks the loop)": lambda p: asyncio.sleep(0, solve(p)),
            "run_solver (thread)": lambda p: run_solver(solve, p),
            "process pool (1 warm process)":
                lambda p: loop.run_in_executor(processes, solve, p),
        }
        print("event loop lag behind a 5 ms ticker while 3 stacked paths over "
              f"{args.candidates} candidates are solved (ms, worst of {len(problems)}):")
        for name, way in ways.items():
            figures = [await loop_lag(lambda p=p, way=way: way(p)) for p in problems]
            worst = max(f[0] for f in figures)
            p99 = max(f[1] for f in figures)
            solve_ms = statistics.fmean(f[2] for f in figures)
            print(f"  {name:<30} max lag {worst:7.1f}, p99 {p99:6.1f}; "
                  f"solve {solve_ms:7.1f} mean")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--picks", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-loop", action="store_true", help="no event-loop measurement")
    args = parser.parse_args()
    rng = random.Random(2026)
    bench_single(rng, args)
    bench_stacked(rng, args)
    levels = random.Random(2027)
    bench_single(levels, args, levels=True)
    bench_stacked(levels, args, levels=True)
    print()
    bench_brute_force(rng)
    if not args.skip_loop:
        print()
        asyncio.run(bench_event_loop(random.Random(2028), args))


if __name__ == "__main__":
    main()
