"""A whole conversation: a typed state and a readable list of steps.

Steps run in order; a step may be skipped (``skip``), and a handler may jump
(``Flow(goto=...)``) or end the dialog (``Flow(done=True)``). Whatever a dialog writes
permanently happens in ``finish`` or in a handler the user confirmed, so "stop" never leaves
anything half-saved. A dialog carries what the router and the menu need: the phrases that start
it, its slot in the menu and who may use it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from dialogs.kit.output import Block
from dialogs.kit.steps import Step

if TYPE_CHECKING:
    from dialogs.kit.turn import Turn

S = TypeVar("S", bound=BaseModel)


@dataclass
class Dialog(Generic[S]):
    """``start(turn, text)`` builds the first state (``text`` is what the user said when starting
    it); ``finish(turn, state)`` does the work and says goodbye. Run as a sub-flow of another
    dialog, ``result(turn, state)`` is what the caller receives instead (default: the state)."""

    id: str
    title: str  # message key
    state: type[S]
    steps: Sequence[Step]
    #: who may start it (None: everyone)
    roles: frozenset[str] | None = None
    #: who sees it in the menu (default: who may start it); a team lead who is an employee may
    #: still type "team", but employees are not offered it
    menu_roles: frozenset[str] | None = None
    #: the place in the menu (lower first); None: not in the menu
    menu: int | None = None
    #: example sentences that start it, in every language (typos are allowed when typed)
    phrases: Sequence[str] = ()
    #: former ids: sessions and buttons of earlier versions still find the dialog
    aliases: Sequence[str] = ()
    start: Callable[[Turn, str], Awaitable[S] | S] | None = None
    finish: Callable[[Turn, S], Awaitable[list[Block]] | list[Block]] | None = None
    result: Callable[[Turn, S], Any] | None = None
    help: str | None = None  # message key explaining the dialog
    #: free text that names no dialog may still be for this one (an answer to an open
    #: invitation): return the argument to start with, or None
    claims: Callable[[Turn, str], Awaitable[str | None]] | None = None
    #: "stop" offers to keep the answers given so far, to continue later (a long dialog)
    keep_on_stop: bool = False
    #: what "stop" says (a message key given {dialog}) when the dialog saves on the way, so
    #: "Er is niets bewaard" would not be true; default: common.stopped
    stopped: Callable[[Turn, S], str] | None = None

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"{self.id} has no step {step_id!r}")

    def index(self, step_id: str) -> int:
        return [s.id for s in self.steps].index(step_id)

    def allows(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    def in_menu(self, role: str) -> bool:
        if self.menu is None:
            return False
        return role in self.menu_roles if self.menu_roles is not None else self.allows(role)
