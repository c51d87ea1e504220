"""Path builder: time to a proven-optimal answer, next to brute force and a greedy baseline.

    .venv/bin/python bench/paths.py [--candidates 500] [--picks 10] [--runs 20]

Target (issue 2): proven optimal for 500 candidate trainings and max 10 interventions in
< 100 ms. Brute force is timed on the sizes where it still finishes.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time

from engine.paths import Problem, _greedy, objective, solve


def random_problem(rng: random.Random, candidates: int, picks: int, goals: int = 8,
                   paths: int = 1) -> Problem:
    cover = []
    for _ in range(paths):
        row = []
        for _ in range(candidates):
            bits = rng.sample(range(goals), rng.choice([1, 1, 1, 2, 2, 3]))
            row.append(sum(1 << b for b in bits))
        cover.append(row)
    return Problem(
        minutes=[rng.choice([10, 20, 30, 45, 60, 90, 120, 240, 480]) for _ in range(candidates)],
        cover=cover,
        fit=[[rng.randint(0, 8) for _ in range(candidates)] for _ in range(paths)],
        eligible=[[True] * candidates for _ in range(paths)],
        goals=[goals] * paths,
        max_count=[picks] * paths,
        max_minutes=[picks * 60] * paths,
    )


def brute_force(problem: Problem) -> tuple[int, int, int, int]:
    best = (0, 0, 0, 0)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--picks", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(2026)

    times, proven, gaps = [], 0, []
    for _ in range(args.runs):
        problem = random_problem(rng, args.candidates, args.picks)
        started = time.perf_counter()
        solution = solve(problem)
        times.append((time.perf_counter() - started) * 1000)
        proven += solution.optimal
        greedy = objective(problem, _greedy(problem, [
            [True] * problem.n_trainings for _ in range(problem.n_paths)]))
        assert greedy is not None
        gaps.append(100 * greedy[2] / max(solution.value[2], 1))
    times.sort()
    print(f"CP-SAT, {args.candidates} candidates, max {args.picks} picks, 8 goals, "
          f"{args.runs} random instances:")
    print(f"  proven optimal {proven}/{args.runs}; ms mean {statistics.fmean(times):.1f}, "
          f"p50 {times[len(times) // 2]:.1f}, max {times[-1]:.1f}")
    print(f"  greedy reaches {statistics.fmean(gaps):.1f} % of the optimal fit on average")

    paths_times = []
    for _ in range(max(args.runs // 2, 1)):
        problem = random_problem(rng, args.candidates, args.picks, paths=3)
        started = time.perf_counter()
        solution = solve(problem)
        paths_times.append((time.perf_counter() - started) * 1000)
    print(f"  3 stacked paths over the same {args.candidates} candidates: "
          f"ms mean {statistics.fmean(paths_times):.1f}, max {max(paths_times):.1f}")

    print()
    print("brute force vs CP-SAT on small instances (1 path, max 4 picks):")
    for size in (8, 12, 16, 20, 24, 32, 40):
        problem = random_problem(rng, size, 4, goals=4)
        started = time.perf_counter()
        exact = brute_force(problem)
        brute_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        solution = solve(problem)
        solver_ms = (time.perf_counter() - started) * 1000
        same = "same optimum" if solution.value == exact else "DIFFERENT"
        print(f"  n={size:>3}: brute force {brute_ms:9.1f} ms, CP-SAT {solver_ms:6.1f} ms "
              f"({brute_ms / solver_ms:7.1f}x), {same}")


if __name__ == "__main__":
    main()
