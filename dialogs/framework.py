"""The building blocks of a dialog: a typed state and a readable list of steps.

A step asks something (free text, a choice, a form), checks the answer and either re-asks
with the reason or moves on. Steps run in order; a step may be skipped (``skip``), and a
handler may jump (``Flow(goto=...)``) or end the dialog (``Flow(done=True)``). Whatever a
dialog writes permanently happens in ``Dialog.finish`` or in a handler the user confirmed, so
"stop" never leaves anything half-saved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from dialogs.inputs import InputError, parse_field, pick_choice, pick_choices
from dialogs.output import Block, Choice, ChoicesBlock, FormBlock, FormField, TextBlock
from dialogs.rich import Rich, say

if TYPE_CHECKING:
    from dialogs.context import Turn

Role = Literal["employee", "manager", "admin"]
ROLE_RANK = {"employee": 0, "manager": 1, "admin": 2}
S = TypeVar("S", bound=BaseModel)


class Answer(BaseModel):
    """What came back: typed text, a pressed button's value, or a submitted form."""

    text: str | None = None
    value: str | None = None
    form: dict[str, str] | None = None


@dataclass
class Flow(Generic[S]):
    """A handler's verdict when plain "go to the next step" is not enough."""

    state: S
    goto: str | None = None
    done: bool = False
    say: list[Block] = field(default_factory=list)


Prompt = Callable[["Turn", Any], Awaitable[list[Block] | Rich] | list[Block] | Rich]
Handler = Callable[..., Awaitable[Any] | Any]
Predicate = Callable[["Turn", Any], bool]


async def _call(function: Callable[..., Any], *args: Any) -> Any:
    result = function(*args)
    if hasattr(result, "__await__"):
        return await result
    return result


def _blocks(value: list[Block] | Rich) -> list[Block]:
    return [TextBlock(text=value)] if isinstance(value, Rich) else list(value)


@dataclass
class Step:
    """Base of all steps. ``help`` is a message key shown on "help" during this step."""

    id: str
    prompt: Prompt
    help: str | None = None
    skip: Predicate | None = None

    async def ask(self, turn: Turn, state: Any) -> list[Block]:
        return _blocks(await _call(self.prompt, turn, state))

    async def answer(self, turn: Turn, state: Any, answer: Answer) -> Any:
        raise NotImplementedError


@dataclass
class Ask(Step):
    """Free text. ``handle(turn, state, text)`` returns the new state (or a Flow) or raises
    InputError; ``suggestions`` adds buttons the user may press instead of typing."""

    handle: Handler = lambda turn, state, text: state
    suggestions: Callable[[Turn, Any], list[Choice]] | None = None

    async def ask(self, turn: Turn, state: Any) -> list[Block]:
        blocks = await super().ask(turn, state)
        if self.suggestions is not None:
            choices = self.suggestions(turn, state)
            if choices:
                blocks.append(ChoicesBlock(choices=choices))
        return blocks

    async def answer(self, turn: Turn, state: Any, answer: Answer) -> Any:
        text = (answer.value if answer.value is not None else answer.text) or ""
        if not text.strip():
            raise InputError("input.empty")
        return await _call(self.handle, turn, state, text.strip())


@dataclass
class Choose(Step):
    """One choice (or several with ``multi``) from ``options``; typed answers are matched
    by number, value or label. ``handle(turn, state, value)`` gets the value (or values)."""

    options: Callable[[Turn, Any], list[Choice]] = lambda turn, state: []
    handle: Handler = lambda turn, state, value: state
    multi: bool = False

    async def ask(self, turn: Turn, state: Any) -> list[Block]:
        blocks = await super().ask(turn, state)
        blocks.append(ChoicesBlock(choices=self.options(turn, state)))
        return blocks

    async def answer(self, turn: Turn, state: Any, answer: Answer) -> Any:
        choices = self.options(turn, state)
        if answer.value is not None:
            picked = [c for c in choices if c.value == answer.value]
            if not picked:
                raise InputError("input.stale_choice")
            value: Any = [picked[0].value] if self.multi else picked[0].value
        elif self.multi:
            value = [c.value for c in pick_choices(answer.text or "", choices)]
        else:
            value = pick_choice(answer.text or "", choices).value
        return await _call(self.handle, turn, state, value)


def yes_no(turn: Turn) -> list[Choice]:
    return [Choice(value="yes", label=say(turn.lang, "common.yes"), style="primary"),
            Choice(value="no", label=say(turn.lang, "common.no"))]


@dataclass
class Confirm(Choose):
    """Yes or no; ``handle(turn, state, yes: bool)``."""

    def __post_init__(self) -> None:
        handler = self.handle
        self.options = lambda turn, state: yes_no(turn)

        async def on_value(turn: Turn, state: Any, value: str) -> Any:
            return await _call(handler, turn, state, value == "yes")

        self.handle = on_value


@dataclass
class Form(Step):
    """Several fields at once: one card or modal where the channel can show forms, else one
    field at a time (the conductor keeps the filled fields). ``handle(turn, state, values)``
    checks the fields together and returns the new state."""

    title: Callable[[Turn, Any], Rich] = lambda turn, state: Rich(segments=[])
    fields: Callable[[Turn, Any], list[FormField]] = lambda turn, state: []
    handle: Handler = lambda turn, state, values: state

    async def form_block(self, turn: Turn, state: Any) -> FormBlock:
        return FormBlock(title=self.title(turn, state), fields=self.fields(turn, state),
                         submit=say(turn.lang, "common.submit"))

    async def ask(self, turn: Turn, state: Any) -> list[Block]:
        blocks = await super().ask(turn, state)
        blocks.append(await self.form_block(turn, state))
        return blocks

    def check(self, turn: Turn, state: Any, values: dict[str, str]) -> dict[str, str]:
        """Every field checked; the first problem raises InputError."""
        clean = {}
        for form_field in self.fields(turn, state):
            clean[form_field.name] = parse_field(form_field, values.get(form_field.name))
        return clean

    async def answer(self, turn: Turn, state: Any, answer: Answer) -> Any:
        if answer.form is None:
            raise InputError("input.use_form")
        return await _call(self.handle, turn, state, self.check(turn, state, answer.form))


@dataclass
class Dialog(Generic[S]):
    """A whole conversation. ``start(turn, text)`` builds the first state (``text`` is what
    the user said when starting it); ``finish(turn, state)`` does the work and says goodbye."""

    id: str
    title: str  # message key
    state: type[S]
    steps: Sequence[Step]
    roles: frozenset[Role] = frozenset({"employee", "manager", "admin"})
    #: who sees it in the menu (default: who may start it); a team lead who is an employee
    #: may still type "team", but employees are not offered it
    menu_roles: frozenset[Role] | None = None
    start: Callable[[Turn, str], Awaitable[S] | S] | None = None
    finish: Callable[[Turn, S], Awaitable[list[Block]] | list[Block]] | None = None
    help: str | None = None  # message key explaining the dialog
    #: free text that names no dialog may still be for this one (an answer to an open
    #: check-in): return the argument to start with, or None
    claims: Callable[[Turn, str], Awaitable[str | None]] | None = None

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"{self.id} has no step {step_id!r}")

    def index(self, step_id: str) -> int:
        return [s.id for s in self.steps].index(step_id)

    def in_menu(self, role: Role) -> bool:
        return role in (self.menu_roles if self.menu_roles is not None else self.roles)

    def allows(self, role: Role) -> bool:
        return role in self.roles


__all__ = ["ROLE_RANK", "Answer", "Ask", "Choose", "Confirm", "Dialog", "Flow", "Form",
           "InputError", "Role", "Step", "yes_no"]
