"""The path engine off the event loop: CP-SAT may think for up to its time limit (10 s), and
meanwhile every other user's turn must go on."""

from __future__ import annotations

import asyncio

from engine.matching import CompetencyMatcher
from engine.paths import SOLVER_SECONDS, BuildResult, PathRequest, build_paths


async def build_paths_async(request: PathRequest, matcher: CompetencyMatcher,
                            seconds: float = SOLVER_SECONDS) -> BuildResult:
    """``engine.paths.build_paths`` in a worker thread (the matcher is only read there)."""
    return await asyncio.to_thread(build_paths, request, matcher, seconds)
