"""One turn of conversation: load the user's session, interpret what came in, run the step,
save the session, and return the messages to send.

A turn is one unit of work (one database transaction): the session is written with an
optimistic version check, and anything the dialog stored in the same turn is rolled back
with it when another turn of the same user got there first; the turn is then retried on the
fresh state. A button or form from an old message (whose step was already answered) is
recognised and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from pydantic import BaseModel

from dialogs.context import Turn
from dialogs.framework import Answer, Dialog, Flow, Form
from dialogs.inputs import InputError, parse_field
from dialogs.output import Block, Choice, ChoicesBlock, Message, Prompt, TextBlock
from dialogs.rich import Rich, join, say
from dialogs.router import Router
from dialogs.services import Services
from dialogs.session import Conflict, HistoryEntry, Session, SessionKey, SessionStore
from engine.text import fold
from knowledge.messages import normalise_lang

log = logging.getLogger(__name__)

COMMANDS = {
    "stop": {"stop", "stoppen", "annuleer", "annuleren", "cancel", "quit", "exit"},
    "back": {"terug", "vorige", "back", "undo"},
    "help": {"help", "?", "hulp"},
    "resume": {"verder", "doorgaan", "continue", "resume"},
    "menu": {"menu", "start", "hallo", "hoi", "hi", "hello", "hey"},
}
MAX_ATTEMPTS = 3
#: value prefix of buttons in proactive messages: "go:<dialog>:<argument>"
GO = "go:"
#: What interpreting one input gives: messages to send, the new session, whether it changed.
Outcome = tuple[list[Message], Session | None, bool]


class Incoming(BaseModel):
    """Something a user sent, in channel-neutral form."""

    key: SessionKey
    text: str | None = None
    value: str | None = None  # the value of a pressed button
    form: dict[str, str] | None = None  # a submitted form
    prompt: Prompt | None = None  # the question the button or form belonged to
    locale: str | None = None
    name: str | None = None
    timezone: str | None = None  # IANA name, when the platform tells


class Channel(BaseModel):
    name: str
    forms: bool
    #: proactive messages wait in a mailbox and are shown at the next turn (console, web)
    mailbox: bool = False


class Unit(Protocol):
    sessions: SessionStore
    services: Services


UnitFactory = Callable[[], AbstractAsyncContextManager[Unit]]
AfterTurn = Callable[[Unit, list[Message]], Awaitable[None]]


def command_of(text: str | None) -> str | None:
    if not text:
        return None
    word = fold(text).strip().strip("!.").lstrip("/")
    for name, words in COMMANDS.items():
        if word in words:
            return name
    return None


class Conductor:
    def __init__(self, dialogs: Sequence[Dialog[Any]], phrases: dict[str, list[str]],
                 units: UnitFactory, menu: Sequence[str]) -> None:
        self.dialogs = {d.id: d for d in dialogs}
        self.router = Router(phrases)
        self.units = units
        self.menu_ids = list(menu)

    # ------------------------------------------------------------------ entry

    async def handle(self, incoming: Incoming, channel: Channel,
                     after: AfterTurn | None = None) -> list[Message]:
        """Run one turn. ``after(unit, messages)`` runs inside the turn's transaction, so a
        channel can queue the messages for sending atomically with the turn itself."""
        lang = normalise_lang(incoming.locale)
        for attempt in range(MAX_ATTEMPTS):
            try:
                async with self.units() as unit:
                    messages = await self._turn(unit, incoming, channel)
                    if after is not None:
                        await after(unit, messages)
                    return messages
            except Conflict:
                log.info("session conflict on %s, retry %d", incoming.key.channel, attempt + 1)
            except Exception:  # never leave a user without an answer; nothing was committed
                log.exception("turn failed on channel %s", incoming.key.channel)
                return [Message(blocks=[TextBlock(text=say(lang, "common.error"))])]
        return [Message(blocks=[TextBlock(text=say(lang, "common.busy"))])]

    # ------------------------------------------------------------------ one turn

    async def _turn(self, unit: Unit, incoming: Incoming, channel: Channel) -> list[Message]:
        session, version = await unit.sessions.load(incoming.key)
        member = await unit.services.member(incoming.key.workspace, incoming.key.user,
                                            incoming.name or "", channel.name,
                                            incoming.timezone)
        lang = normalise_lang(member.lang or incoming.locale)
        turn = Turn(member=member, lang=lang, channel=channel.name, forms=channel.forms,
                    services=unit.services, key=incoming.key)
        if session is not None and session.dialog not in self.dialogs:
            session = None  # a dialog that no longer exists: start afresh
        messages, new_session, changed = await self._interpret(turn, session, incoming)
        if changed:
            await unit.sessions.save(incoming.key, new_session, version)
        if channel.mailbox:
            messages = [*await unit.services.take_mailbox(turn.workspace, turn.member.user),
                        *messages]
        return messages

    async def _interpret(self, turn: Turn, session: Session | None,
                         incoming: Incoming) -> Outcome:
        if incoming.prompt is None and incoming.value and incoming.value.startswith(GO):
            return await self._go(turn, session, incoming.value)
        if incoming.prompt is not None:
            prompt = incoming.prompt
            current = (session.dialog, session.step, session.turn) if session else None
            if current != (prompt.dialog, prompt.step, prompt.turn):
                return [self._note(turn, "common.stale")], session, False
            answer = Answer(value=incoming.value, form=incoming.form)
            return await self._answer(turn, session, answer)  # type: ignore[arg-type]

        command = command_of(incoming.text) if incoming.form is None else None
        if session is not None:
            if command == "stop":
                dialog = self.dialogs[session.dialog]
                return ([self._note(turn, "common.stopped", dialog=say(turn.lang, dialog.title)),
                         self._menu(turn)], None, True)
            if command == "back":
                return await self._back(turn, session)
            if command == "help":
                return await self._help(turn, session), session, False
            if command in {"resume", "menu"}:
                intro = "common.resume" if command == "resume" else "common.menu_in_dialog"
                dialog = self.dialogs[session.dialog]
                note = self._note(turn, intro, dialog=say(turn.lang, dialog.title))
                return [note, *await self._ask(turn, session)], session, False
            answer = Answer(text=incoming.text, value=incoming.value, form=incoming.form)
            return await self._answer(turn, session, answer)

        if command == "help":
            return [self._general_help(turn), self._menu(turn)], None, False
        if command in {"menu", "resume", "stop", "back"}:
            return [self._menu(turn, greeting=command == "menu")], None, False
        return await self._start_from_text(turn, incoming.text or "", incoming.value)

    # ------------------------------------------------------------------ starting

    async def _start_from_text(self, turn: Turn, text: str,
                               value: str | None) -> Outcome:
        dialog_id = value if value in self.dialogs else None
        if dialog_id is None:
            route = self.router.route(text)
            if route is None or route.score < 100:
                # an open invitation (a check-in, say) takes free text before a loose route
                dialog_id = await self._claimed(turn, text)
            if dialog_id is None:
                dialog_id = route.dialog if route else await self._fallback(turn, text)
        if dialog_id is None:
            return ([self._note(turn, "common.not_understood"), self._menu(turn)], None, False)
        return await self.start(turn, dialog_id, text if value is None else "")

    async def _go(self, turn: Turn, session: Session | None, value: str) -> Outcome:
        """A button of a proactive message ("go:<dialog>:<argument>") starts its dialog; a
        dialog in progress is set aside (nothing of it was saved)."""
        _, _, rest = value.partition(GO)
        dialog_id, _, argument = rest.partition(":")
        if dialog_id not in self.dialogs:
            return [self._note(turn, "common.stale")], session, False
        turn.argument = argument or None
        said: list[Message] = []
        if session is not None and session.dialog != dialog_id:
            said.append(self._note(turn, "common.set_aside",
                                   dialog=say(turn.lang, self.dialogs[session.dialog].title)))
        messages, new_session, _ = await self.start(turn, dialog_id)
        return [*said, *messages], new_session, True

    async def _claimed(self, turn: Turn, text: str) -> str | None:
        """The dialog of an open invitation that takes this free text as its answer."""
        if not text.strip() or len(text.split()) < 2:
            return None
        for dialog in self.dialogs.values():
            if dialog.claims is not None:
                argument = await dialog.claims(turn, text)
                if argument is not None:
                    turn.argument = argument
                    return dialog.id
        return None

    async def _fallback(self, turn: Turn, text: str) -> str | None:
        """A sentence that names no dialog but a learning topic goes to learning help."""
        if "leerhulp" in self.dialogs and text.strip():
            matcher = await turn.services.matcher(turn.workspace)
            if (await matcher.match_async(text, k=1)).confident:
                return "leerhulp"
        return None

    async def start(self, turn: Turn, dialog_id: str,
                    text: str = "") -> Outcome:
        dialog = self.dialogs[dialog_id]
        if not dialog.allows(turn.member.role):
            return ([self._note(turn, "common.not_allowed", dialog=say(turn.lang, dialog.title)),
                     self._menu(turn)], None, False)
        state = dialog.state()
        if dialog.start is not None:
            result = dialog.start(turn, text)
            state = await result if hasattr(result, "__await__") else result
        first = self._next_step(turn, dialog, state, None)
        if first is None:
            return await self._finish(turn, dialog, state, [])
        session = Session(dialog=dialog.id, step=first, state=state.model_dump(mode="json"))
        return await self._ask(turn, session), session, True

    # ------------------------------------------------------------------ answering

    async def _answer(self, turn: Turn, session: Session,
                      answer: Answer) -> Outcome:
        dialog = self.dialogs[session.dialog]
        step = dialog.step(session.step)
        state = dialog.state.model_validate(session.state)
        before = session.state
        if isinstance(step, Form) and answer.form is None and answer.value is None:
            return await self._form_field(turn, dialog, session, step, state, answer)
        try:
            result = await step.answer(turn, state, answer)
        except InputError as problem:
            reason = self._note(turn, problem.key, **problem.params)
            return [reason, *await self._ask(turn, session, again=True)], session, False
        return await self._advance(turn, dialog, session, before, result)

    async def _form_field(self, turn: Turn, dialog: Dialog[Any], session: Session, step: Form,
                          state: Any, answer: Answer) -> Outcome:
        """A form answered one field at a time (plain-text channels, or typing instead)."""
        fields = step.fields(turn, state)
        filled = dict(session.form or {})
        pending = [f for f in fields if f.name not in filled]
        if not pending:  # nothing pending: start over
            filled, pending = {}, list(fields)
        field = pending[0]
        try:
            filled[field.name] = parse_field(field, answer.text)
        except InputError as problem:
            reason = self._note(turn, problem.key, **problem.params)
            return [reason, *await self._ask(turn, session, again=True)], session, False
        if len(filled) < len(fields):
            updated = session.model_copy(update={"form": filled})
            return await self._ask(turn, updated), updated, True
        try:
            result = await step.answer(turn, state, Answer(form=filled))
        except InputError as problem:
            reason = self._note(turn, problem.key, **problem.params)
            restart = session.model_copy(update={"form": None})
            return [reason, *await self._ask(turn, restart, again=True)], restart, True
        return await self._advance(turn, dialog, session.model_copy(update={"form": None}),
                                   session.state, result)

    async def _advance(self, turn: Turn, dialog: Dialog[Any], session: Session,
                       before: dict[str, Any], result: Any) -> Outcome:
        flow = result if isinstance(result, Flow) else Flow(state=result)
        said = [Message(blocks=flow.say)] if flow.say else []
        if flow.done:
            messages, _, _ = await self._finish(turn, dialog, flow.state, said)
            return messages, None, True
        following = self._next_step(turn, dialog, flow.state, session.step, flow.goto)
        if following is None:
            messages, _, _ = await self._finish(turn, dialog, flow.state, said)
            return messages, None, True
        history = [*session.history, HistoryEntry(step=session.step, state=before)]
        moved = Session(dialog=dialog.id, step=following, state=flow.state.model_dump(mode="json"),
                        history=history, turn=session.turn + 1)
        return [*said, *await self._ask(turn, moved)], moved, True

    def _next_step(self, turn: Turn, dialog: Dialog[Any], state: Any, current: str | None,
                   goto: str | None = None) -> str | None:
        if goto is not None:
            index = dialog.index(goto)
        elif current is None:
            index = 0
        else:
            index = dialog.index(current) + 1
        for step in dialog.steps[index:]:
            if step.skip is None or not step.skip(turn, state):
                return step.id
        return None

    async def _finish(self, turn: Turn, dialog: Dialog[Any], state: Any,
                      said: list[Message]) -> Outcome:
        blocks: list[Block] = []
        if dialog.finish is not None:
            result = dialog.finish(turn, state)
            blocks = list(await result if hasattr(result, "__await__") else result)
        messages = [*said, Message(blocks=blocks)] if blocks else said
        return messages, None, True

    async def _back(self, turn: Turn, session: Session) -> Outcome:
        if session.form:
            restart = session.model_copy(update={"form": None})
            return [self._note(turn, "common.back_form"), *await self._ask(turn, restart)], \
                restart, True
        if not session.history:
            return [self._note(turn, "common.back_first"), *await self._ask(turn, session)], \
                session, False
        previous = session.history[-1]
        back = Session(dialog=session.dialog, step=previous.step, state=previous.state,
                       history=session.history[:-1], turn=session.turn + 1)
        return [self._note(turn, "common.back"), *await self._ask(turn, back)], back, True

    # ------------------------------------------------------------------ asking

    async def _ask(self, turn: Turn, session: Session, again: bool = False) -> list[Message]:
        dialog = self.dialogs[session.dialog]
        step = dialog.step(session.step)
        state = dialog.state.model_validate(session.state)
        prompt = Prompt(dialog=dialog.id, step=step.id, turn=session.turn)
        if isinstance(step, Form) and (not turn.forms or session.form is not None):
            blocks = await self._field_question(turn, step, state, session.form or {}, again)
        else:
            blocks = await step.ask(turn, state)
        return [Message(blocks=blocks, prompt=prompt)]

    async def _field_question(self, turn: Turn, step: Form, state: Any,
                              filled: dict[str, str], again: bool) -> list[Block]:
        fields = step.fields(turn, state)
        pending = [f for f in fields if f.name not in filled] or fields
        field = pending[0]
        blocks: list[Block] = []
        if not filled and not again:
            blocks = await super(Form, step).ask(turn, state)  # the step's own introduction
            blocks.append(TextBlock(text=step.title(turn, state)))
        position = fields.index(field) + 1
        question = say(turn.lang, "common.field_question", number=position, total=len(fields),
                       label=field.label)
        if not field.required:
            question = question + say(turn.lang, "common.field_optional")
        blocks.append(TextBlock(text=question))
        if field.kind in {"choice", "multichoice"}:
            blocks.append(ChoicesBlock(choices=field.choices))
        return blocks

    # ------------------------------------------------------------------ help and menu

    async def _help(self, turn: Turn, session: Session) -> list[Message]:
        dialog = self.dialogs[session.dialog]
        step = dialog.step(session.step)
        parts: list[Rich] = []
        if dialog.help:
            parts.append(say(turn.lang, dialog.help))
        if step.help:
            parts.append(say(turn.lang, step.help))
        parts.append(say(turn.lang, "common.commands_in_dialog"))
        return [Message(blocks=[TextBlock(text=join(parts, "\n\n"))]),
                *await self._ask(turn, session)]

    def _general_help(self, turn: Turn) -> Message:
        return Message(blocks=[TextBlock(text=say(turn.lang, "common.help"))])

    def _menu(self, turn: Turn, greeting: bool = False) -> Message:
        choices = [Choice(value=d, label=say(turn.lang, self.dialogs[d].title))
                   for d in self.menu_ids
                   if d in self.dialogs and self.dialogs[d].in_menu(turn.member.role)]
        if greeting and turn.member.name:
            intro = say(turn.lang, "common.menu_greeting", name=turn.member.name)
        else:
            intro = say(turn.lang, "common.menu_hello" if greeting else "common.menu")
        return Message(blocks=[TextBlock(text=intro),
                               ChoicesBlock(choices=choices)])

    def _note(self, turn: Turn, key: str, **params: Any) -> Message:
        return Message(blocks=[TextBlock(text=say(turn.lang, key, **params))])
