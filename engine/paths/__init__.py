"""The leerlijn builder: the 5 steps of the method (level, target group, learning goal,
constraints, composition) turned into an exact optimisation.

For every requested path we choose trainings so that, in this order of importance:

1. as many goal competencies as possible are covered;
2. each covered goal is served by a training that fits the target group as well as possible
   (education level first, then experience: :func:`fit_score`);
3. as few trainings as possible are ones the people already have (see *held* below);
4. free slots hold further fitting trainings for the goals (the total fit is as high as
   possible);
5. the total duration is as small as possible,

without ever breaking a constraint (allowed formats and languages, number of trainings, hours).
The maximum number of trainings and hours is a ceiling, not a target:

* every training in a path is there for a goal of that path: it is the training of one of
  the goals (the best-fitting one the path has for it), or a further training for a goal that
  **fits** the group. A training fits when its education level is not known to differ from
  the group's (``mbo`` for an mbo group; a training or a group without a level fits) and it
  is not too advanced for them (a "gevorderd" training for a group whose members all have
  under :data:`EXPERIENCED_YEARS` years of experience). A beginner training does fit
  experienced people: the e-book's function path gives secretaries with over five years of
  experience beginner trainings, chosen on education level (:func:`fits`);
* so a training that does not fit is only used when it is the best the catalogue offers for
  a goal (and the result warns: ``paths.warn.level_fallback`` with the reason);
* paths requested together are stacked on the same people (department, function,
  individual), so no training appears in two of them ("leerlijnen op verschillende niveaus
  mogen niet overlappen");
* trainings the people already have from earlier paths (``PathRequest.held``) are not used,
  unless the manager accepted repeating them (``accept_overlap``) or put them in a path
  themselves (``include``); each path lists those repeats in ``overlaps``;
* ``include`` puts a training in a path whatever the rules (its limits are raised to what the
  manager's own choices use, with a warning), ``exclude`` keeps it out of that path.

The chat keeps several levels in one session and calls :func:`build_paths` with all of them
on every change; the answer is deterministic (one CP-SAT worker, a fixed seed, a limit on the
solver's deterministic work), so the same specs give the same paths as ``leerbot paths
build``. The choice is solved exactly with OR-tools CP-SAT (:mod:`engine.paths.solver`); the
work limit, with a wall-clock limit as the safety net, guards against pathological inputs, and
the result says whether optimality was proven. :func:`build_paths_async` runs it in a solver
thread (:mod:`engine.solving`).

Modules: ``models`` (request and result), ``fit`` (group fit and constraints), ``goals``
(step 3), ``problem`` (the numbers and the exact objective), ``solver``, ``build`` (request
to problem to result), ``explain`` (reasons and warnings), ``overlaps`` (duplicates across a
person's paths).
"""

from engine.paths.build import build_paths, build_paths_async, compose, make_problem
from engine.paths.fit import (
    EXPERIENCED_YEARS,
    education_fit,
    experience_fit,
    fit_score,
    fits,
    too_advanced,
)
from engine.paths.goals import Goals, resolve_goals
from engine.paths.models import (
    LEVEL_ALIASES,
    LEVELS,
    BuildResult,
    ChosenTraining,
    Constraints,
    DuplicateTraining,
    GoalResolution,
    HeldTraining,
    Level,
    Overlap,
    PathRequest,
    PathResult,
    PathSpec,
    TargetGroup,
)
from engine.paths.overlaps import duplicate_trainings, held_trainings
from engine.paths.problem import Problem, Solution, objective, servers, without_idle
from engine.paths.solver import SOLVER_SECONDS, SOLVER_WORK, dominated, greedy, solve

_greedy = greedy  # the name bench/paths.py imported before the split

__all__ = [
    "EXPERIENCED_YEARS", "LEVELS", "LEVEL_ALIASES", "SOLVER_SECONDS", "SOLVER_WORK",
    "BuildResult",
    "ChosenTraining", "Constraints", "DuplicateTraining", "GoalResolution", "Goals",
    "HeldTraining", "Level", "Overlap", "PathRequest", "PathResult", "PathSpec", "Problem",
    "Solution", "TargetGroup", "build_paths", "build_paths_async", "compose", "dominated",
    "duplicate_trainings", "education_fit", "experience_fit", "fit_score", "fits", "greedy",
    "held_trainings", "make_problem", "objective", "resolve_goals", "servers", "solve",
    "too_advanced", "without_idle",
]
