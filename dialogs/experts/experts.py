"""Wie kan helpen (actions 6.4 and 6.5): "wie kan helpen met excel" lists the colleagues whose
profile, kennisrondje answers or accepted forum answers show the topic, with why; people who
opted out never. A topic that is not recognised is asked again, or picked from guesses."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from dialogs.experts.port import Expertise
from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Dialog,
    Fact,
    Flow,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from engine.competencies import competencies_in, label, labels

SHOWN = 5
MAX_TOPICS = 3
NONE_OF_THESE = "none"
TOPIC_STEP = "onderwerp"
TRIGGERS = ("wie kan helpen met", "wie kan me helpen met", "wie weet iets over", "wie kan helpen",
            "expert zoeken", "experts zoeken", "who can help with", "who knows about",
            "who can help", "find an expert", "experts", "expert")


class ExpertsState(BaseModel):
    text: str = ""
    unknown: str = ""  # a topic typed with the command that I did not recognise
    options: list[str] = Field(default_factory=list)  # "bedoel je ...?" candidates
    competencies: list[str] = Field(default_factory=list)


def topic_of(text: str) -> str:
    """The topic after the command ("wie kan helpen met excel" -> "excel")."""
    typed = text.strip()
    for trigger in sorted(TRIGGERS, key=len, reverse=True):
        found = re.match(rf"{re.escape(trigger)}(?!\w)", typed, re.IGNORECASE)
        if found:
            return typed[found.end():].strip(" ?:")
    return typed


async def start(turn: Turn, text: str) -> ExpertsState:
    topic = topic_of(text)
    if not topic:
        return ExpertsState()
    try:
        return await take_topic(turn, ExpertsState(), topic)
    except InputError:  # not a topic I know: say so and ask for it
        return ExpertsState(unknown=topic)


def ask_topic(turn: Turn, state: ExpertsState) -> Rich:
    question = say(turn.lang, "experts.ask_topic")
    if state.unknown:
        return join([say(turn.lang, "experts.no_topic", text=state.unknown), question])
    return question


async def take_topic(turn: Turn, state: ExpertsState, text: str) -> ExpertsState:
    """The competencies the topic names, or a few guesses to choose from."""
    matcher = await turn.catalogue.matcher()
    result = await matcher.match_async(text, k=3)
    found = list(dict.fromkeys(competencies_in(text)))
    if result.confident:
        best = [result.matches[0].competency, *found]
        return state.model_copy(update={"text": text, "competencies": list(
            dict.fromkeys(best))[:MAX_TOPICS]})
    if found:
        return state.model_copy(update={"text": text, "competencies": found[:MAX_TOPICS]})
    options = [m.competency for m in result.matches][:MAX_TOPICS]
    if not options:
        raise InputError("experts.no_topic", text=text)
    return state.model_copy(update={"text": text, "options": options})


def guesses(turn: Turn, state: ExpertsState) -> list[Choice]:
    return [*[Choice(value=o, label=user(label(o, turn.lang))) for o in state.options],
            Choice(value=NONE_OF_THESE, label=say(turn.lang, "experts.none_of_these"))]


def pick_guess(turn: Turn, state: ExpertsState,
               value: str) -> ExpertsState | Flow[ExpertsState]:
    if value == NONE_OF_THESE:  # back to the topic question, to type it in other words
        return Flow(state=ExpertsState(), goto=TOPIC_STEP,
                    say=[TextBlock(text=say(turn.lang, "experts.try_other_words"))])
    return state.model_copy(update={"competencies": [value]})


def why(turn: Turn, expert: Expertise) -> Rich:
    """The competencies a colleague covers, where that shows, and how often they helped."""
    sources = ", ".join(say(turn.lang, f"experts.source.{s}").plain for s in expert.sources)
    reason = say(turn.lang, "experts.why", competencies=labels(expert.competencies, turn.lang),
                 sources=sources)
    if expert.helped:
        reason = join([reason, say(turn.lang, "experts.helped", count=expert.helped)], " ")
    return reason


async def finish(turn: Turn, state: ExpertsState) -> list[Block]:
    experts = await turn.experts.experts(state.competencies, exclude={turn.member.user})
    topics = labels(state.competencies, turn.lang)
    if not experts:
        return [TextBlock(text=join([say(turn.lang, "experts.none", topics=topics),
                                     say(turn.lang, "experts.ask_forum")]))]
    facts = [Fact(label=user(e.member.name or e.member.user), value=why(turn, e))
             for e in experts[:SHOWN]]
    return [CardBlock(title=say(turn.lang, "experts.found", topics=topics), facts=facts),
            TextBlock(text=say(turn.lang, "experts.tip"))]


DIALOG = Dialog(
    id="experts", title="experts.title", state=ExpertsState, start=start, finish=finish,
    help="experts.help", menu=50,
    steps=[
        Ask(TOPIC_STEP, prompt=ask_topic, handle=take_topic,
            skip=lambda turn, state: bool(state.competencies or state.options)),
        Choose("bedoel", prompt="experts.did_you_mean", options=guesses, handle=pick_guess,
               skip=lambda turn, state: bool(state.competencies)),
    ],
    phrases=["experts", "wie kan helpen met", "wie weet iets over", "expert zoeken",
             "who can help with", "find an expert"],
)
