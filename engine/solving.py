"""Solver work off the event loop: ``await run_solver(work, ...)`` runs ``work`` in a thread
of a small pool of its own and returns its result.

A thread is enough because CP-SAT does not hold the GIL while it searches: OR-Tools' binding
(``ortools/sat/python/pybind_solver.cc``, 9.15) wraps the C++ solve in
``py::gil_scoped_release``, and the search is most of a solve (about 80 % of a 500-candidate
path build under cProfile; the rest, building the model in Python, holds the GIL in slices the
interpreter hands back every few milliseconds). ``bench/paths.py`` measures the event loop's
lag behind a 5 ms ticker while three stacked 500-candidate paths are solved. On the shared
two-core machine (load 4 to 8) over three runs: inline, the loop stalls for the whole solve
(1 to 5 s); with ``run_solver`` the worst lag was 43 to 97 ms (p99 14 to 38 ms); with a warm
one-process pool 13 to 58 ms (p99 8 to 21 ms). A process only wins on the worst case on a
saturated machine, and would cost pickling the catalogue (or the problem) for every call and
a pool of processes to keep; not worth it.

The pool's own ``SOLVER_THREADS`` keep a burst of solves from taking every core from the event
loop or queueing behind (and in front of) the default executor's work. A solve that is
awaited by a cancelled task still runs to its time limit.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

#: solves that run at the same time; more wait their turn
SOLVER_THREADS = max(2, (os.cpu_count() or 2) - 1)
_POOL = ThreadPoolExecutor(max_workers=SOLVER_THREADS, thread_name_prefix="solver")


async def run_solver(work: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """``work(*args, **kwargs)`` in a solver thread (with the caller's context variables)."""
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, work, *args, **kwargs)
    return await loop.run_in_executor(_POOL, call)
