"""The steps a dialog is made of. A step asks something (``ask``), reads the answer
(``answer``) and returns the dialog's new state (or a ``Flow`` to jump or end), a ``Stay`` when
it needs more input first (a form filled in one field at a time), or raises ``InputError`` with
the reason. A step keeps what it collects on the way in its *scratch*, stored in the session.

A step's wording (its prompt) is a message key or a function
``(turn, state) -> Rich | list[Block]`` (sync or async).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from dialogs.kit.choices import choice_by_value, pick_choice, pick_choices
from dialogs.kit.fields import parse_field, parse_fields
from dialogs.kit.output import Block, Choice, ChoicesBlock, FormBlock, FormField, TextBlock
from dialogs.kit.problems import InputError
from dialogs.kit.rich import Rich, say
from engine import parsing

if TYPE_CHECKING:
    from dialogs.kit.turn import Turn

S = TypeVar("S", bound=BaseModel)
Wording = str | Callable[["Turn", Any], Awaitable[list[Block] | Rich] | list[Block] | Rich]
Handler = Callable[..., Awaitable[Any] | Any]
Predicate = Callable[["Turn", Any], bool]


async def call(function: Callable[..., Any], *args: Any) -> Any:
    """Call a dialog's function, which may be plain or async."""
    result = function(*args)
    if inspect.isawaitable(result):
        return await result
    return result


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


@dataclass
class Stay:
    """The step needs more before it is answered; ``scratch`` is what it collected so far,
    ``problem`` the reason the last input was not taken (shown before asking again)."""

    scratch: dict[str, Any]
    problem: InputError | None = None


class Subflow(Protocol):
    """What a step knows of the dialog it runs as a sub-flow (a ``Dialog``)."""

    id: str
    state: type[BaseModel]


@dataclass
class Push:
    """Run another dialog from here (a sub-flow) starting with ``state``; its result comes
    back to this step's ``resume``."""

    dialog: Subflow
    state: BaseModel


async def prompt_blocks(prompt: Wording, turn: Turn, state: Any) -> list[Block]:
    if isinstance(prompt, str):
        return [TextBlock(text=say(turn.lang, prompt))]
    value = await call(prompt, turn, state)
    return [TextBlock(text=value)] if isinstance(value, Rich) else list(value)


@dataclass
class Step:
    """Base of all steps. ``help`` is a message key shown on "help" during this step; ``skip``
    says when the step does not apply."""

    id: str
    prompt: Wording
    help: str | None = None
    skip: Predicate | None = None
    #: typed text this step takes as its answer even when it sounds like a request for
    #: another dialog ("waarom deze training" while a proposal is shown)
    hears: Callable[[Turn, Any, str], bool] | None = None

    async def enter(self, turn: Turn, state: Any) -> Push | None:
        """Called when the dialog arrives at this step; a sub-flow step starts its dialog."""
        return None

    async def ask(self, turn: Turn, state: Any, scratch: dict[str, Any]) -> list[Block]:
        return await prompt_blocks(self.prompt, turn, state)

    async def answer(self, turn: Turn, state: Any, answer: Answer,
                     scratch: dict[str, Any]) -> Any:
        raise NotImplementedError

    async def resume(self, turn: Turn, state: Any, result: Any) -> Any:
        """A sub-flow started here ended with ``result``."""
        raise NotImplementedError(f"step {self.id} runs no sub-flow")

    def back(self, scratch: dict[str, Any]) -> dict[str, Any] | None:
        """Go back inside the step (a form: the previous field); None: to the previous step."""
        return None


@dataclass
class Ask(Step):
    """Free text. ``handle(turn, state, text)`` returns the new state (or a Flow) or raises
    InputError; ``suggestions`` adds buttons the user may press instead of typing."""

    handle: Handler = lambda turn, state, text: state
    suggestions: Callable[[Turn, Any], list[Choice]] | None = None

    async def ask(self, turn: Turn, state: Any, scratch: dict[str, Any]) -> list[Block]:
        blocks = await super().ask(turn, state, scratch)
        if self.suggestions is not None:
            choices = self.suggestions(turn, state)
            if choices:
                blocks.append(ChoicesBlock(choices=choices))
        return blocks

    async def answer(self, turn: Turn, state: Any, answer: Answer,
                     scratch: dict[str, Any]) -> Any:
        text = (answer.value if answer.value is not None else answer.text) or ""
        if not text.strip():
            raise InputError("input.empty")
        return await call(self.handle, turn, state, text.strip())


@dataclass
class Choose(Step):
    """One choice (or several with ``multi``) from ``options``; typed answers are matched
    by number, value or label. ``handle(turn, state, value)`` gets the value (or values)."""

    options: Callable[[Turn, Any], list[Choice]] = lambda turn, state: []
    handle: Handler = lambda turn, state, value: state
    multi: bool = False

    async def ask(self, turn: Turn, state: Any, scratch: dict[str, Any]) -> list[Block]:
        blocks = await super().ask(turn, state, scratch)
        blocks.append(ChoicesBlock(choices=self.options(turn, state)))
        return blocks

    def read(self, turn: Turn, state: Any, answer: Answer) -> Any:
        choices = self.options(turn, state)
        if answer.value is not None:
            picked = choice_by_value(answer.value, choices).value
            return [picked] if self.multi else picked
        if self.multi:
            return [c.value for c in pick_choices(answer.text or "", choices)]
        return pick_choice(answer.text or "", choices).value

    async def answer(self, turn: Turn, state: Any, answer: Answer,
                     scratch: dict[str, Any]) -> Any:
        return await call(self.handle, turn, state, self.read(turn, state, answer))


def yes_no(turn: Turn) -> list[Choice]:
    return [Choice(value="yes", label=say(turn.lang, "common.yes"), style="primary"),
            Choice(value="no", label=say(turn.lang, "common.no"))]


@dataclass
class Confirm(Choose):
    """Yes or no (buttons, or typed in any of their forms); ``handle(turn, state, yes)``."""

    def __post_init__(self) -> None:
        self.options = lambda turn, state: yes_no(turn)

    def read(self, turn: Turn, state: Any, answer: Answer) -> Any:
        if answer.value is None and answer.text:
            try:
                return parsing.parse_yes_no(answer.text)
            except parsing.ParseError:
                pass  # maybe a typed label or number: read as a choice
        return super().read(turn, state, answer) == "yes"


@dataclass
class Form(Step):
    """Several fields at once: one card or modal where the channel shows forms, else one field
    at a time. ``handle(turn, state, values)`` gets the typed values (see ``kit.fields``),
    checks them together and returns the new state.

    Nothing typed is lost: a problem in one field keeps the others (the form is shown again
    with them, or the field is asked again), and "terug" goes back one field."""

    title: Callable[[Turn, Any], Rich] = lambda turn, state: Rich(segments=[])
    fields: Callable[[Turn, Any], list[FormField]] = lambda turn, state: []
    handle: Handler = lambda turn, state, values: state

    # scratch: {"filled": {name: text}} one field at a time, {"typed": {name: text}} a form
    # sent with a problem (shown again with what was typed), {"earlier": {name: text}} the
    # answers "terug" took back (suggested again, Enter keeps them)

    async def ask(self, turn: Turn, state: Any, scratch: dict[str, Any]) -> list[Block]:
        fields = self.fields(turn, state)
        if turn.forms and "filled" not in scratch:
            blocks = await super().ask(turn, state, scratch)
            typed = scratch.get("typed") or {}
            shown = [f.model_copy(update={"default": typed[f.name]}) if f.name in typed else f
                     for f in fields]
            blocks.append(FormBlock(title=self.title(turn, state), fields=shown,
                                    submit=say(turn.lang, "common.submit")))
            return blocks
        return await self._field_question(turn, state, fields, filled_of(scratch),
                                          scratch.get("earlier") or {})

    async def _field_question(self, turn: Turn, state: Any, fields: list[FormField],
                              filled: dict[str, str], earlier: dict[str, str]) -> list[Block]:
        field_ = next((f for f in fields if f.name not in filled), fields[-1])
        suggested = _earlier(earlier, field_.name) or field_.default
        blocks: list[Block] = []
        if not filled:
            blocks = await super().ask(turn, state, {})
            blocks.append(TextBlock(text=self.title(turn, state)))
        question = say(turn.lang, "common.field_question", number=fields.index(field_) + 1,
                       total=len(fields), label=field_.label)
        if field_.kind == "multichoice" and turn.forms:
            # several options at once: buttons answer with one, so this field alone is shown
            # as a form (checkboxes, a multi-select) where the channel has them; what it
            # suggests is ticked, and leaving all unticked is its empty answer
            shown = field_.model_copy(update={"default": suggested})
            blocks.append(FormBlock(title=question, fields=[shown],
                                    submit=say(turn.lang, "common.submit")))
            return blocks
        if not field_.required:
            question = question + say(turn.lang, "common.field_optional")
        if suggested:
            question = question + say(turn.lang, "common.field_default",
                                      value=_shown(field_, suggested))
        blocks.append(TextBlock(text=question))
        if field_.kind in {"choice", "multichoice"}:
            blocks.append(ChoicesBlock(choices=field_.choices))
        return blocks

    async def answer(self, turn: Turn, state: Any, answer: Answer,
                     scratch: dict[str, Any]) -> Any:
        fields = self.fields(turn, state)
        if answer.form is not None and "filled" in scratch:
            # one field asked as a form of its own (see ``_field_question``): its answer
            pending = next((f for f in fields if f.name not in filled_of(scratch)), fields[0])
            answer = Answer(text=answer.form.get(pending.name, ""))
        elif answer.form is not None:
            return await self._submitted(turn, state, fields, answer.form)
        return await self._one_field(turn, state, fields, answer, filled_of(scratch),
                                     scratch.get("earlier") or {})

    async def _submitted(self, turn: Turn, state: Any, fields: list[FormField],
                         raw: dict[str, str]) -> Any:
        typed = {f.name: raw.get(f.name, "") for f in fields}
        try:
            values = parse_fields(fields, typed, turn.today, turn.lang)
            return await call(self.handle, turn, state, values)
        except InputError as problem:
            return Stay(scratch={"typed": typed}, problem=problem)

    async def _one_field(self, turn: Turn, state: Any, fields: list[FormField], answer: Answer,
                         filled: dict[str, str], earlier: dict[str, str]) -> Any:
        field_ = next((f for f in fields if f.name not in filled), None)
        if field_ is None:  # nothing pending (an old session): start again
            filled, field_ = {}, fields[0]
        text = answer.value if answer.value is not None else (answer.text or "")
        suggested = _earlier(earlier, field_.name) or field_.default
        if not text.strip() and suggested is not None:  # Enter takes the suggestion
            text = suggested
        if answer.value is not None and field_.kind == "choice":
            text = choice_by_value(answer.value, field_.choices).value
        parse_field(field_, text, turn.today, turn.lang)  # the problem, if any, is said at once
        filled = {**filled, field_.name: text.strip()}
        if len(filled) < len(fields):
            return Stay(scratch=with_filled(filled, earlier=earlier))
        try:
            values = parse_fields(fields, filled, turn.today, turn.lang)
            return await call(self.handle, turn, state, values)
        except InputError as problem:
            redo = problem.at if problem.at in filled else field_.name
            kept = {name: text for name, text in filled.items() if name != redo}
            return Stay(scratch=with_filled(kept, earlier=earlier), problem=problem)

    def back(self, scratch: dict[str, Any]) -> dict[str, Any] | None:
        filled = filled_of(scratch)
        if not filled:
            return None
        name = list(filled)[-1]
        earlier = {**(scratch.get("earlier") or {}), name: filled.pop(name)}
        return with_filled(filled, earlier=earlier)


def with_filled(filled: dict[str, str], **rest: Any) -> dict[str, Any]:
    """A form's scratch with the fields answered so far, and their order: a JSON column may
    keep its keys in an order of its own (PostgreSQL's jsonb does), and "terug" needs it."""
    return {"filled": filled, "order": list(filled), **rest}


def filled_of(scratch: dict[str, Any]) -> dict[str, str]:
    """The fields answered so far, in the order they were answered."""
    filled: dict[str, str] = dict(scratch.get("filled") or {})
    order = [name for name in scratch.get("order") or [] if name in filled]
    return {**{name: filled[name] for name in order}, **filled}


def _earlier(earlier: dict[str, str], name: str) -> str | None:
    """What was typed in a field before "terug" (an empty answer, "-", suggests nothing)."""
    text = earlier.get(name, "").strip()
    return text if text not in {"", "-"} else None


def _shown(field_: FormField, value: str) -> str:
    """A field's suggested answer as the user reads it: the labels of chosen options."""
    if field_.kind not in {"choice", "multichoice"}:
        return value
    labels = {choice.value: choice.label.plain for choice in field_.choices}
    return ", ".join(labels.get(part.strip(), part.strip()) for part in value.split(","))


@dataclass
class Call(Step):
    """Run another dialog as part of this one (a sub-flow): ``begin(turn, state)`` gives the
    other dialog's first state, ``handle(turn, state, result)`` takes its result (the value of
    its ``result`` function, or its final state) and returns this dialog's new state."""

    prompt: Wording = ""  # never shown: the sub-flow's steps ask
    dialog: Subflow | None = None
    begin: Callable[[Turn, Any], Any] = lambda turn, state: None
    handle: Handler = lambda turn, state, result: state

    async def enter(self, turn: Turn, state: Any) -> Push | None:
        assert self.dialog is not None, f"step {self.id} names no dialog"
        first = await call(self.begin, turn, state)
        return Push(dialog=self.dialog, state=first if first is not None else
                    self.dialog.state())

    async def answer(self, turn: Turn, state: Any, answer: Answer,
                     scratch: dict[str, Any]) -> Any:
        raise InputError("input.empty")  # never asked: the sub-flow's steps are

    async def resume(self, turn: Turn, state: Any, result: Any) -> Any:
        return await call(self.handle, turn, state, result)
