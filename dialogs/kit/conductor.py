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
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from dialogs.kit.choices import pick_choice
from dialogs.kit.dialog import Dialog
from dialogs.kit.meaning import LOOSE_ROUTE, near_command, wants_switch
from dialogs.kit.output import Block, Choice, ChoicesBlock, Message, Prompt, TextBlock
from dialogs.kit.paused import PausedSlot
from dialogs.kit.problems import InputError
from dialogs.kit.rich import Rich, join, say
from dialogs.kit.router import Router
from dialogs.kit.session import (
    Conflict,
    Frame,
    HistoryEntry,
    Pending,
    Session,
    SessionKey,
    SessionStore,
)
from dialogs.kit.steps import Answer, Flow, Stay, call
from dialogs.kit.texts import TEXTS
from dialogs.kit.turn import Member, Ports, Turn
from engine import parsing
from engine.text import fold

log = logging.getLogger(__name__)

COMMANDS = {
    "stop": {"stop", "stoppen", "annuleer", "annuleren", "cancel", "quit", "exit"},
    "back": {"terug", "vorige", "back", "undo"},
    "help": {"help", "?", "hulp"},
    "resume": {"verder", "doorgaan", "continue", "resume"},
    "menu": {"menu", "start", "hallo", "hoi", "hi", "hello", "hey"},
    "more": {"meer", "more", "alles", "everything"},
    "messages": {"berichten", "messages", "inbox", "mijn berichten"},
}
MAX_ATTEMPTS = 3
#: the menu shows this many dialogs, the rest behind "meer"
MENU_SIZE = 6
MORE = "kit:more"
#: a reply to the kit's own question that is a new request (asked about in its own right)
AGAIN = "kit:again"
#: a returning member sees this many waiting messages per turn, and how many more wait
MAILBOX_BATCH = 2
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
    #: a dialog to start (by id), with ``text`` as what the user said (a message action)
    start: str | None = None
    locale: str | None = None
    name: str | None = None
    timezone: str | None = None  # IANA name, when the platform tells


class Channel(BaseModel):
    name: str
    forms: bool
    #: proactive messages wait in a mailbox and are shown at the next turn (console, web)
    mailbox: bool = False


class Unit(Protocol):
    """One turn's unit of work, provided by the application."""

    sessions: SessionStore

    async def identify(self, key: SessionKey, name: str, channel: str,
                       timezone: str | None) -> Member:
        """The member talking (known from earlier turns, or new)."""
        ...

    def ports(self, member: Member) -> Ports:
        """The application's ports, bound to the member's workspace."""
        ...

    async def mailbox(self, member: Member, limit: int | None = None) -> tuple[list[Message], int]:
        """Proactive messages waiting for the member (mailbox channels): the oldest ones (at
        most ``limit`` deliveries), marked seen, and how many deliveries still wait."""
        ...


UnitFactory = Callable[[], AbstractAsyncContextManager[Unit]]
AfterTurn = Callable[[Unit, list[Message]], Awaitable[None]]
BeforeTurn = Callable[[Unit], Awaitable[None]]
#: what a sentence that names no dialog is for (a dialog id), if anything
Fallback = Callable[[Turn, str], Awaitable[str | None]]


@dataclass(frozen=True)
class AppTexts:
    """Message keys of the texts that are the application's own: its greeting and help."""

    hello: str = "common.menu_hello"
    greeting: str = "common.menu_greeting"  # {name}
    help: str = "common.help"
    not_allowed: str = "common.not_allowed"  # {dialog}
    #: a text of its own for a dialog open to just these roles (e.g. HR only)
    not_allowed_for: tuple[tuple[frozenset[str], str], ...] = ()

    def refusal(self, roles: frozenset[str] | None) -> str:
        return next((key for wanted, key in self.not_allowed_for if wanted == roles),
                    self.not_allowed)


#: a second thought before "terug" or "stop": "nee wacht, terug", "oeps, stop"
SECOND_THOUGHT = re.compile(r"^(?:(?:nee|neen|oh|oeps|sorry|wacht|even|toch|oops|wait|no)"
                            r"[\s,!.]+)+")


def command_of(text: str | None) -> str | None:
    if not text:
        return None
    word = fold(text).strip().strip("!.").lstrip("/")
    for name, words in COMMANDS.items():
        if word in words:
            return name
    rest = SECOND_THOUGHT.sub("", word)
    if rest != word:
        return next((name for name in ("back", "stop") if rest in COMMANDS[name]), None)
    return None


def _with_subflows(dialogs: Sequence[Dialog[Any]]) -> dict[str, Dialog[Any]]:
    """The dialogs by id, with every dialog a step runs as a sub-flow."""
    found: dict[str, Dialog[Any]] = {}
    pending = list(dialogs)
    while pending:
        dialog = pending.pop()
        known = found.get(dialog.id)
        if known is dialog:
            continue
        if known is not None:
            raise ValueError(f"two dialogs have the id {dialog.id!r}")
        found[dialog.id] = dialog
        pending += [s.dialog for s in dialog.steps
                    if isinstance(getattr(s, "dialog", None), Dialog)]
    return found


class Conductor:
    def __init__(self, dialogs: Sequence[Dialog[Any]], units: UnitFactory, *,
                 texts: AppTexts | None = None, fallback: Fallback | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.dialogs = _with_subflows(dialogs)
        self.aliases = {alias: d.id for d in self.dialogs.values() for alias in d.aliases}
        self.router = Router({d.id: [d.id, *d.phrases] for d in dialogs})
        self.menu = sorted((d for d in dialogs if d.menu is not None),
                           key=lambda d: d.menu or 0)
        self.units = units
        self.texts = texts or AppTexts()
        self.fallback = fallback
        self.clock = clock or (lambda: datetime.now(UTC))

    def find(self, dialog_id: str) -> Dialog[Any] | None:
        return self.dialogs.get(self.aliases.get(dialog_id, dialog_id))

    def _outermost(self, session: Session) -> Dialog[Any]:
        """The dialog the user started (not a sub-flow it runs)."""
        return self.dialogs[(session.parents[0] if session.parents else session).dialog]

    # ------------------------------------------------------------------ entry

    async def handle(self, incoming: Incoming, channel: Channel,
                     after: AfterTurn | None = None,
                     before: BeforeTurn | None = None) -> list[Message]:
        """Run one turn. ``before(unit)`` runs inside the turn's transaction before the dialog,
        ``after(unit, messages)`` at its end, so a channel can keep what it received and queue
        the messages for sending atomically with the turn itself."""
        lang = TEXTS.normalise(incoming.locale)
        for attempt in range(MAX_ATTEMPTS):
            try:
                async with self.units() as unit:
                    if before is not None:
                        await before(unit)
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
        stored, version = await unit.sessions.load(incoming.key)
        member = await unit.identify(incoming.key, incoming.name or "", channel.name,
                                     incoming.timezone)
        turn = Turn(member=member, lang=TEXTS.normalise(member.lang or incoming.locale),
                    channel=channel.name, forms=channel.forms, key=incoming.key,
                    ports=unit.ports(member), now=self.clock())
        session = self._resumable(stored)
        slot = PausedSlot(unit.sessions, incoming.key)
        messages, new_session, changed = await self._interpret(turn, session, incoming, slot)
        if stored is not None and session is None and new_session is None and not changed:
            messages = [self._note(turn, "common.cannot_resume"), *messages]
            changed = True
        if changed:
            await unit.sessions.save(incoming.key, new_session, version)
            if session is not None and new_session is None:
                messages += await self._paused_hint(turn, slot, session)
        if channel.mailbox:
            waiting, more = await unit.mailbox(member, MAILBOX_BATCH)
            notes = [self._note(turn, "common.more_waiting", count=more)] if more else []
            if not waiting and not messages:
                notes = [self._note(turn, "common.nothing_waiting")]
            messages = [*waiting, *notes, *messages]
        return messages

    def _resumable(self, session: Session | None) -> Session | None:
        """The stored session in today's terms (renamed dialogs found by their former id), or
        None when a dialog of it no longer exists or its state no longer fits."""
        if session is None:
            return None
        frames = []
        for frame in [*session.parents, session.frame]:
            dialog = self.find(frame.dialog)
            if dialog is None:
                return None
            try:
                dialog.state.model_validate(frame.state)
                dialog.step(frame.step)
            except (ValidationError, KeyError):
                return None
            frames.append(frame.model_copy(update={"dialog": dialog.id}))
        return Session(**frames[-1].model_dump(), parents=frames[:-1], turn=session.turn,
                       pending=session.pending, updated_at=session.updated_at)

    async def _interpret(self, turn: Turn, session: Session | None, incoming: Incoming,
                         slot: PausedSlot) -> Outcome:
        if incoming.prompt is None and incoming.value and incoming.value.startswith(GO):
            return await self._go(turn, session, incoming.value, slot)
        if incoming.start is not None:
            return await self._start_named(turn, session, incoming.start, incoming.text or "",
                                           slot)
        if session is not None and session.pending is not None:
            return await self._settle(turn, session, incoming, slot)
        if incoming.prompt is not None:
            if not self._current(session, incoming.prompt):
                return [self._note(turn, "common.stale")], session, False
            answer = Answer(value=incoming.value, form=incoming.form)
            return await self._answer(turn, session, answer)  # type: ignore[arg-type]
        command = command_of(incoming.text) if incoming.form is None else None
        if session is not None:
            if command is not None and command != "more":  # "meer" may well be an answer
                return await self._command(turn, session, command, slot)
            if incoming.text is not None and incoming.value is None and incoming.form is None:
                return await self._typed(turn, session, incoming.text)
            answer = Answer(text=incoming.text, value=incoming.value, form=incoming.form)
            return await self._answer(turn, session, answer)
        if command == "help":
            return [self._general_help(turn), self._menu(turn)], None, False
        if command == "resume":
            return await self._resume_paused(turn, slot)
        if command == "messages":  # the waiting messages come with every turn's answer
            return [], None, False
        if command == "more" or incoming.value == MORE:
            return [self._menu(turn, everything=True)], None, False
        if command is not None:
            return [self._menu(turn, greeting=command == "menu")], None, False
        return await self._start_from_text(turn, incoming.text or "", incoming.value, slot)

    def _current(self, session: Session | None, prompt: Prompt) -> bool:
        """Whether a button or form belongs to the question asked now."""
        current = (session.dialog, session.step, session.turn) if session else None
        return current == (self.aliases.get(prompt.dialog, prompt.dialog), prompt.step,
                           prompt.turn)

    async def _command(self, turn: Turn, session: Session, command: str,
                       slot: PausedSlot) -> Outcome:
        """stop, terug, help, verder or menu while a dialog is in progress."""
        outermost = self._outermost(session)
        title = say(turn.lang, outermost.title)
        if command == "stop":
            if outermost.keep_on_stop and (session.history or session.parents or session.scratch):
                return await self._offer(turn, session, Pending(kind="stop"))
            return [self._stopped(turn, session), self._menu(turn)], None, True
        if command == "back":
            return await self._back(turn, session)
        if command == "help":
            return await self._help(turn, session), session, False
        intro = "common.resume" if command == "resume" else "common.menu_in_dialog"
        return [self._note(turn, intro, dialog=title), *await self._ask(turn, session)], \
            session, False

    # ------------------------------------------------------------------ not an answer?

    async def _typed(self, turn: Turn, session: Session, text: str) -> Outcome:
        """Typed text while a question waits: a mistyped command or a request for another
        dialog is asked about instead of being taken as the answer."""
        dialog = self.dialogs[session.dialog]
        step = dialog.step(session.step)
        if step.hears is not None and step.hears(
                turn, dialog.state.model_validate(session.state), text):
            return await self._answer(turn, session, Answer(text=text))
        command = near_command(text, COMMANDS)
        if command is not None:
            return await self._offer(turn, session,
                                     Pending(kind="command", text=text, target=command))
        route = self.router.route(text)
        open_ids = {frame.dialog for frame in [*session.parents, session]}
        if route is not None and route.dialog not in open_ids:
            switch = Pending(kind="switch", text=text, target=route.dialog)
            if wants_switch(text, route.score, route.phrase):
                return await self._offer(turn, session, switch)
            if route.score >= LOOSE_ROUTE:
                return await self._answer(turn, session, Answer(text=text), instead=switch)
        return await self._answer(turn, session, Answer(text=text))

    def _typed_choice(self, text: str, pending: Pending, options: list[Choice]) -> str | None:
        """What a typed reply to the kit's own question means: the same request again in
        other words, or "ja", starts it; "nee" keeps the text as the answer; a new request is
        asked about in its own right (``AGAIN``), never read as one of the options ("mijn
        profiel" is not "Het is mijn antwoord"); else the option it names, or None."""
        route = self.router.route(text)
        if pending.kind == "switch" and route is not None and route.dialog == pending.target \
                and route.score >= LOOSE_ROUTE:
            return "kit:switch"
        if near_command(text, COMMANDS) is not None or (
                route is not None and wants_switch(text, route.score, route.phrase)):
            return AGAIN
        try:
            return pick_choice(text, options).value
        except InputError:
            pass
        try:
            yes = parsing.parse_yes_no(text)
        except parsing.ParseError:
            return None
        if pending.kind == "stop":
            return "kit:keep" if yes else "kit:drop"
        return "kit:switch" if yes else "kit:answer"

    async def _offer(self, turn: Turn, session: Session, pending: Pending) -> Outcome:
        asked = session.model_copy(update={"pending": pending, "turn": session.turn + 1})
        return await self._ask(turn, asked), asked, True

    def _pending_options(self, turn: Turn, pending: Pending) -> tuple[Rich, list[Choice]]:
        if pending.kind == "stop":
            return say(turn.lang, "common.keep_question"), [
                Choice(value="kit:keep", label=say(turn.lang, "common.keep"), style="primary"),
                Choice(value="kit:drop", label=say(turn.lang, "common.drop"))]
        if pending.kind == "command":
            word = say(turn.lang, f"common.command.{pending.target}")
            question = say(turn.lang, "common.meant_command", command=word)
            target = say(turn.lang, "common.do_command", command=word)
        else:
            title = say(turn.lang, self.dialogs[pending.target].title)
            question = say(turn.lang, "common.meant_dialog", dialog=title)
            target = say(turn.lang, "common.start_dialog", dialog=title)
        return question, [Choice(value="kit:switch", label=target, style="primary"),
                          Choice(value="kit:answer", label=say(turn.lang, "common.my_answer"))]

    async def _settle(self, turn: Turn, session: Session, incoming: Incoming,
                      slot: PausedSlot) -> Outcome:
        """The answer to the kit's own question about the last typed text."""
        pending = session.pending
        assert pending is not None
        cleared = session.model_copy(update={"pending": None})
        _, options = self._pending_options(turn, pending)
        if incoming.prompt is not None and not self._current(session, incoming.prompt):
            return [self._note(turn, "common.stale")], session, False
        choice = incoming.value
        if choice is None and incoming.text and command_of(incoming.text) is None:
            choice = self._typed_choice(incoming.text, pending, options)
            if choice == AGAIN:  # something else now: asked about in its own right
                return await self._typed(turn, cleared, incoming.text)
        if choice == "kit:answer":
            return await self._answer(turn, cleared, Answer(text=pending.text))
        if choice == "kit:switch" and pending.kind == "command":
            return await self._command(turn, cleared, pending.target, slot)
        if choice == "kit:switch":
            return await self._start_named(turn, cleared, pending.target, pending.text, slot)
        if choice == "kit:keep":
            await slot.pause(cleared)
            return [self._note(turn, "common.kept"), self._menu(turn)], None, True
        if choice == "kit:drop":
            return [self._stopped(turn, cleared), self._menu(turn)], None, True
        # the kit's question is gone (a command such as "menu" shows the step's own question
        # again): stored as gone, so the next "1" or "ja" answers what is on screen
        messages, after, _ = await self._interpret(turn, cleared, incoming, slot)
        return messages, after, True

    async def _resume_paused(self, turn: Turn, slot: PausedSlot) -> Outcome:
        paused = self._resumable(await slot.take())
        if paused is None:
            return [self._menu(turn)], None, False
        title = say(turn.lang, self._outermost(paused).title)
        return [self._note(turn, "common.resume", dialog=title),
                *await self._ask(turn, paused)], paused, True

    async def _paused_hint(self, turn: Turn, slot: PausedSlot,
                           ended: Session) -> list[Message]:
        """After a dialog ends: mention the one that waits, unless it is the one just kept."""
        paused = await slot.peek()
        if paused is None or paused.dialog == ended.dialog:
            return []
        dialog = self.find((paused.parents or [paused])[0].dialog)
        if dialog is None:
            return []
        return [self._note(turn, "common.paused_waiting", dialog=say(turn.lang, dialog.title))]

    # ------------------------------------------------------------------ starting

    async def _start_from_text(self, turn: Turn, text: str, value: str | None,
                               slot: PausedSlot) -> Outcome:
        chosen = self.find(value) if value else None
        dialog_id = chosen.id if chosen is not None else None
        if dialog_id is None:
            route = self.router.route(text)
            if route is None or not wants_switch(text, route.score, route.phrase):
                # an open invitation (a check-in, say) takes free text before a loose route
                dialog_id = await self._claimed(turn, text)
            if dialog_id is None and route is not None:
                dialog_id = route.dialog
            if dialog_id is None and self.fallback is not None and text.strip():
                dialog_id = await self.fallback(turn, text)
        if dialog_id is None:
            return ([self._note(turn, "common.not_understood"), self._menu(turn)], None, False)
        if await self._kept_for_later(slot, dialog_id):  # its answers were kept: go on
            return await self._resume_paused(turn, slot)
        return await self.start(turn, dialog_id, text if value is None else "")

    async def _kept_for_later(self, slot: PausedSlot, dialog_id: str) -> bool:
        """Whether the dialog set aside is this one, of the kind that keeps its answers when
        stopped (the scan): asking for it again picks those answers up."""
        paused = self._resumable(await slot.peek())
        if paused is None:
            return False
        outermost = self._outermost(paused)
        return outermost.id == dialog_id and outermost.keep_on_stop

    async def _go(self, turn: Turn, session: Session | None, value: str,
                  slot: PausedSlot) -> Outcome:
        """A button of a proactive message ("go:<dialog>:<argument>") starts its dialog."""
        _, _, rest = value.partition(GO)
        name, _, argument = rest.partition(":")
        if self.find(name) is None:
            return [self._note(turn, "common.stale")], session, False
        turn.argument = argument or None
        return await self._start_named(turn, session, name, "", slot)

    async def _start_named(self, turn: Turn, session: Session | None, name: str, text: str,
                           slot: PausedSlot) -> Outcome:
        """Start a dialog by its id (a proactive message's button, a message action, a change
        of mind); a dialog in progress is set aside, to continue later with "verder"."""
        dialog = self.find(name)
        if dialog is None:
            return [self._note(turn, "common.not_understood"), self._menu(turn)], session, False
        said: list[Message] = []
        if session is not None and self._outermost(session).id != dialog.id:
            await slot.pause(session)
            said.append(self._note(turn, "common.set_aside",
                                   dialog=say(turn.lang, self._outermost(session).title)))
        messages, new_session, _ = await self.start(turn, dialog.id, text)
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

    async def start(self, turn: Turn, dialog_id: str, text: str = "") -> Outcome:
        dialog = self.dialogs[dialog_id]
        if not dialog.allows(turn.member.role):
            return ([self._note(turn, self.texts.refusal(dialog.roles),
                                dialog=say(turn.lang, dialog.title)), self._menu(turn)],
                    None, False)
        state = dialog.state()
        if dialog.start is not None:
            state = await call(dialog.start, turn, text)
        first = self._next_step(turn, dialog, state, None)
        session = Session(dialog=dialog.id, step=first or "",
                          state=state.model_dump(mode="json"))
        if first is None:
            return await self._complete(turn, session, state, [])
        return await self._arrive(turn, session, [])

    # ------------------------------------------------------------------ answering

    async def _answer(self, turn: Turn, session: Session, answer: Answer,
                      instead: Pending | None = None) -> Outcome:
        """Give the answer to the step; ``instead``: what to offer when it is no answer."""
        dialog = self.dialogs[session.dialog]
        state = dialog.state.model_validate(session.state)
        try:
            result = await dialog.step(session.step).answer(turn, state, answer,
                                                            session.scratch)
        except InputError as problem:
            if instead is not None:
                return await self._offer(turn, session, instead)
            return [self._problem(turn, problem), *await self._ask(turn, session)], session, False
        if isinstance(result, Stay):
            stayed = session.model_copy(update={"scratch": result.scratch,
                                                "turn": session.turn + 1})
            notes = [self._problem(turn, result.problem)] if result.problem else []
            return [*notes, *await self._ask(turn, stayed)], stayed, True
        return await self._advance(turn, session, session.state, result, [])

    async def _advance(self, turn: Turn, session: Session, before: dict[str, Any], result: Any,
                       said: list[Message]) -> Outcome:
        """Move on from the step just answered: to the next step (or the one named), or end."""
        dialog = self.dialogs[session.dialog]
        flow = result if isinstance(result, Flow) else Flow(state=result)
        said = [*said, Message(blocks=flow.say)] if flow.say else said
        following = None if flow.done else \
            self._next_step(turn, dialog, flow.state, session.step, flow.goto)
        if following is None:
            return await self._complete(turn, session, flow.state, said)
        frame = Frame(dialog=dialog.id, step=following, state=flow.state.model_dump(mode="json"),
                      history=[*session.history, HistoryEntry(step=session.step, state=before)])
        return await self._arrive(turn, session.moved(frame), said)

    async def _arrive(self, turn: Turn, session: Session, said: list[Message]) -> Outcome:
        """At a step: ask its question, or start the dialog it runs as a sub-flow."""
        dialog = self.dialogs[session.dialog]
        state = dialog.state.model_validate(session.state)
        push = await dialog.step(session.step).enter(turn, state)
        if push is None:
            return [*said, *await self._ask(turn, session)], session, True
        child = self.dialogs[push.dialog.id]
        first = self._next_step(turn, child, push.state, None)
        inner = session.moved(Frame(dialog=child.id, step=first or "",
                                    state=push.state.model_dump(mode="json")),
                              parents=[*session.parents, session.frame])
        if first is None:
            return await self._complete(turn, inner, push.state, said)
        return await self._arrive(turn, inner, said)

    async def _complete(self, turn: Turn, session: Session, state: Any,
                        said: list[Message]) -> Outcome:
        """The dialog in progress ended: it finishes, or its result goes back to its caller."""
        dialog = self.dialogs[session.dialog]
        if not session.parents:
            blocks: list[Block] = []
            if dialog.finish is not None:
                blocks = list(await call(dialog.finish, turn, state))
            return ([*said, Message(blocks=blocks)] if blocks else said), None, True
        result = await call(dialog.result, turn, state) if dialog.result else state
        parent = session.parents[-1]
        caller = self.dialogs[parent.dialog]
        outer = Session(**parent.model_dump(), parents=session.parents[:-1], turn=session.turn)
        resumed = await caller.step(parent.step).resume(
            turn, caller.state.model_validate(parent.state), result)
        return await self._advance(turn, outer, parent.state, resumed, said)

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

    async def _back(self, turn: Turn, session: Session) -> Outcome:
        found = self._went_back(session)
        if found is None:  # at the first question (of the sub-flow and all its callers)
            return [self._note(turn, "common.back_first"), *await self._ask(turn, session)], \
                session, False
        moved, inside = found
        if inside:
            return [self._note(turn, "common.back_field"), *await self._ask(turn, moved)], \
                moved, True
        messages, moved, _ = await self._arrive(turn, moved, [])
        return [self._note(turn, "common.back"), *messages], moved, True

    def _went_back(self, session: Session) -> tuple[Session, bool] | None:
        """Where "terug" leads, and whether that is inside the step (a form's previous
        field); None when there is nothing earlier. Out of a sub-flow that is at its first
        question, back in the dialog that started it."""
        inside = self.dialogs[session.dialog].step(session.step).back(session.scratch)
        if inside is not None:
            return session.model_copy(update={"scratch": inside, "turn": session.turn + 1}), True
        if session.history:
            previous = session.history[-1]
            frame = Frame(dialog=session.dialog, step=previous.step, state=previous.state,
                          history=session.history[:-1])
            return session.moved(frame), False
        if session.parents:
            parent = session.parents[-1]
            outer = Session(**parent.model_dump(), parents=session.parents[:-1],
                            turn=session.turn + 1)
            return self._went_back(outer)
        return None

    # ------------------------------------------------------------------ asking

    async def _ask(self, turn: Turn, session: Session) -> list[Message]:
        dialog = self.dialogs[session.dialog]
        step = dialog.step(session.step)
        state = dialog.state.model_validate(session.state)
        prompt = Prompt(dialog=dialog.id, step=step.id, turn=session.turn)
        if session.pending is not None:
            question, options = self._pending_options(turn, session.pending)
            return [Message(blocks=[TextBlock(text=question), ChoicesBlock(choices=options)],
                            prompt=prompt)]
        return [Message(blocks=await step.ask(turn, state, session.scratch), prompt=prompt)]

    # ------------------------------------------------------------------ help and menu

    async def _help(self, turn: Turn, session: Session) -> list[Message]:
        dialog = self.dialogs[session.dialog]
        step = dialog.step(session.step)
        parts: list[Rich] = [say(turn.lang, key) for key in (dialog.help, step.help) if key]
        parts.append(say(turn.lang, "common.commands_in_dialog"))
        return [Message(blocks=[TextBlock(text=join(parts, "\n\n"))]),
                *await self._ask(turn, session)]

    def _general_help(self, turn: Turn) -> Message:
        return Message(blocks=[TextBlock(text=say(turn.lang, self.texts.help))])

    def _menu(self, turn: Turn, greeting: bool = False, everything: bool = False) -> Message:
        """The dialogs of the member's role: first those made for the role (a manager's tools
        before what everyone has), six at a time, the rest behind "meer"."""
        role = turn.member.role
        shown = sorted((d for d in self.menu if d.in_menu(role)),
                       key=lambda d: ((d.menu_roles or d.roles) is None, d.menu or 0))
        more = not everything and len(shown) > MENU_SIZE + 1
        choices = [Choice(value=d.id, label=say(turn.lang, d.title))
                   for d in (shown[:MENU_SIZE] if more else shown)]
        if more:
            choices.append(Choice(value=MORE, label=say(turn.lang, "common.more")))
        if everything:
            intro = say(turn.lang, "common.menu_all")
        elif greeting and turn.member.name:
            intro = say(turn.lang, self.texts.greeting, name=turn.member.name)
        else:
            intro = say(turn.lang, self.texts.hello if greeting else "common.menu")
        return Message(blocks=[TextBlock(text=intro), ChoicesBlock(choices=choices)])

    def _stopped(self, turn: Turn, session: Session) -> Message:
        """What "stop" says: nothing was saved, or what the dialog says of itself."""
        outermost = self._outermost(session)
        key = "common.stopped"
        if outermost.stopped is not None:
            frame = session.parents[0] if session.parents else session
            key = outermost.stopped(turn, outermost.state.model_validate(frame.state))
        return self._note(turn, key, dialog=say(turn.lang, outermost.title))

    def _note(self, turn: Turn, key: str, **params: Any) -> Message:
        return Message(blocks=[TextBlock(text=say(turn.lang, key, **params))])

    def _problem(self, turn: Turn, problem: InputError) -> Message:
        return self._note(turn, problem.key, **problem.params)
