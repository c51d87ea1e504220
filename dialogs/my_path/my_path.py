"""Mijn leerlijn (everyone): the leerlijnen assigned to me with each training's status (niet
begonnen, bezig, afgerond) and deadline; mark a training started or done by button or in words
("ik heb prioriteiten stellen afgerond", typos allowed), with a short reflection on completion
("wat neem je mee?", skippable). Status and reflection are saved together in ``finish``, so
"stop" leaves nothing half-written."""

from __future__ import annotations

from pydantic import BaseModel

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
from dialogs.kit.choices import pick_choice
from dialogs.my_path.port import MyPath, Status
from engine.competencies import labels
from engine.progress import named, reported
from engine.text import fold

#: what a status may become: a training is started before it is done (or done at once)
BEFORE: dict[str, set[str]] = {"started": {"todo"}, "done": {"todo", "started"}}
MAX_REFLECTION = 1000


class Target(BaseModel):
    assignment: int
    key: str
    title: str
    path: str


class MyPathState(BaseModel):
    action: Status | None = None  # what the person reports: started or done
    candidates: list[Target] = []  # the trainings to choose from
    unsure: bool = False  # the sentence named several trainings: ask which
    target: Target | None = None
    reflection: str | None = None  # None: not asked yet; "": skipped
    closed: bool = False
    problem: str | None = None  # none | unknown | already


def open_for(paths: list[MyPath], action: Status) -> list[Target]:
    return [Target(assignment=p.assignment_id, key=t.key, title=t.title, path=p.path_name)
            for p in paths for t in p.trainings if t.status in BEFORE[action]]


def _chosen(state: MyPathState, action: Status, targets: list[Target],
            unsure: bool = False) -> MyPathState:
    if len(targets) == 1 and not unsure:
        return state.model_copy(update={"action": action, "target": targets[0],
                                        "candidates": targets})
    return state.model_copy(update={"action": action, "candidates": targets, "unsure": unsure})


def read_sentence(state: MyPathState, paths: list[MyPath], text: str) -> MyPathState | None:
    """A sentence reporting progress on one of the person's trainings; None: it is none."""
    action = reported(text)
    if action is None:
        return None
    targets = open_for(paths, action)
    found = named(text, [t.title for t in targets])
    if found:
        return _chosen(state, action, [targets[i] for i in found], unsure=len(found) > 1)
    everything = [Target(assignment=p.assignment_id, key=t.key, title=t.title,
                         path=p.path_name) for p in paths for t in p.trainings]
    if named(text, [t.title for t in everything]):
        return state.model_copy(update={"problem": "already", "action": action})
    return None


def _from_button(state: MyPathState, paths: list[MyPath], argument: str) -> MyPathState:
    """"started:<assignment>:<training>" or "done:...": a button of the assignment message."""
    action, _, rest = argument.partition(":")
    assignment, _, key = rest.partition(":")
    if action not in BEFORE:
        return state
    targets = [t for t in open_for(paths, action)  # type: ignore[arg-type]
               if str(t.assignment) == assignment and t.key == key]
    if not targets:
        known = any(str(p.assignment_id) == assignment and key in {t.key for t in p.trainings}
                    for p in paths)
        return state.model_copy(update={"problem": "already" if known else "gone"})
    return _chosen(state, action, targets)  # type: ignore[arg-type]


async def start(turn: Turn, text: str) -> MyPathState:
    paths = await turn.my_path.my_paths(turn.member.user)
    state = MyPathState()
    if not paths:
        return state.model_copy(update={"problem": "none"})
    if turn.argument:
        return _from_button(state, paths, turn.argument)
    found = read_sentence(state, paths, text)
    action = reported(text)
    if found is None and action is not None and open_for(paths, action):
        return _chosen(state, action, open_for(paths, action))  # "training afgerond": which?
    return found or state


# ---------------------------------------------------------------- the overview


def path_card(turn: Turn, path: MyPath) -> CardBlock:
    facts = [Fact(label=user(t.title), value=say(turn.lang, f"my_path.status.{t.status}"))
             for t in path.trainings]
    late = path.deadline.date() < turn.today and not path.finished
    text = say(turn.lang, "my_path.card_late" if late else "my_path.card",
               deadline=path.deadline, done=path.count("done"), count=len(path.trainings))
    if path.goals:
        text = join([text, say(turn.lang, "my_path.goals", goals=labels(path.goals, turn.lang))])
    return CardBlock(title=user(path.path_name), text=text, facts=facts)


async def overview(turn: Turn, state: MyPathState) -> list[Block]:
    paths = await turn.my_path.my_paths(turn.member.user)
    blocks: list[Block] = [TextBlock(text=say(turn.lang, "my_path.intro", count=len(paths)))]
    blocks += [path_card(turn, p) for p in paths]
    open_ones = [t.title for p in paths for t in p.trainings if t.status != "done"]
    blocks.append(TextBlock(text=say(turn.lang, "my_path.ask_action_named", training=open_ones[0])
                            if open_ones else say(turn.lang, "my_path.ask_action")))
    return blocks


def actions(turn: Turn, state: MyPathState) -> list[Choice]:
    return [Choice(value="done", label=say(turn.lang, "my_path.action.done"), style="primary"),
            Choice(value="started", label=say(turn.lang, "my_path.action.started")),
            Choice(value="close", label=say(turn.lang, "my_path.action.close"))]


def typed_choice(text: str, choices: list[Choice]) -> str | None:
    """A button's value, or its label (or number) typed; None: free text."""
    if text in {c.value for c in choices}:
        return text
    if len(text.split()) > 3:  # a sentence, not a label
        return None
    try:
        return pick_choice(text, choices).value
    except InputError:
        return None


async def on_action(turn: Turn, state: MyPathState, text: str) -> MyPathState | Flow[MyPathState]:
    text = typed_choice(text, actions(turn, state)) or text
    if text == "close":
        return Flow(state=state.model_copy(update={"closed": True}), done=True)
    paths = await turn.my_path.my_paths(turn.member.user)
    found = read_sentence(state, paths, text)
    action = text if text in BEFORE else reported(text)
    if found is None and action is not None:  # "afgerond": which one, then?
        targets = open_for(paths, action)  # type: ignore[arg-type]
        if not targets:
            raise InputError(f"my_path.nothing_{action}")
        return _chosen(state, action, targets)  # type: ignore[arg-type]
    if found is None:
        raise InputError("my_path.not_understood")
    if found.problem is not None:
        raise InputError("my_path.already")
    return found


# ---------------------------------------------------------------- which training


def which_prompt(turn: Turn, state: MyPathState) -> Rich:
    if state.unsure:
        return say(turn.lang, "my_path.ask_which_unsure")
    return say(turn.lang, f"my_path.ask_which_{state.action}")


def training_options(turn: Turn, state: MyPathState) -> list[Choice]:
    several = len({t.path for t in state.candidates}) > 1
    return [Choice(value=f"{t.assignment}:{t.key}",
                   label=user(f"{t.title} ({t.path})" if several else t.title))
            for t in state.candidates]


def pick_training(turn: Turn, state: MyPathState, value: str) -> MyPathState:
    chosen = [t for t in state.candidates if f"{t.assignment}:{t.key}" == value]
    return state.model_copy(update={"target": chosen[0]})


# ---------------------------------------------------------------- reflection


def reflection_prompt(turn: Turn, state: MyPathState) -> Rich:
    assert state.target is not None
    return say(turn.lang, "my_path.ask_reflection", training=state.target.title)


def skip_choice(turn: Turn, state: MyPathState) -> list[Choice]:
    return [Choice(value="skip", label=say(turn.lang, "my_path.skip"))]


#: typed ways to skip the reflection (besides the button)
SKIP = {"skip", "overslaan", "sla over", "sla maar over", "niks", "niets", "geen", "nee", "no",
        "-", "nothing", "weet ik niet", "geen idee"}


def take_reflection(turn: Turn, state: MyPathState, text: str) -> MyPathState:
    skipped = text == "skip" or fold(text).strip(" .!") in SKIP
    return state.model_copy(update={"reflection": "" if skipped else text[:MAX_REFLECTION]})


# ---------------------------------------------------------------- saving


async def finish(turn: Turn, state: MyPathState) -> list[Block]:
    if state.problem is not None:
        return [TextBlock(text=say(turn.lang, f"my_path.problem.{state.problem}"))]
    if state.target is None or state.action is None:
        return [TextBlock(text=say(turn.lang, "my_path.bye"))]
    target = state.target
    saved = await turn.my_path.set_status(turn.member.user, target.assignment, target.key,
                                          state.action, turn.now,
                                          reflection=state.reflection or None)
    if not saved:
        return [TextBlock(text=say(turn.lang, "my_path.problem.gone"))]
    paths = [p for p in await turn.my_path.my_paths(turn.member.user)
             if p.assignment_id == target.assignment]
    lines = [say(turn.lang, f"my_path.saved_{state.action}", training=target.title)]
    if state.reflection:
        lines.append(say(turn.lang, "my_path.reflection_saved"))
    if paths and paths[0].finished:
        lines.append(say(turn.lang, "my_path.all_done", path=target.path))
    elif paths:
        lines.append(say(turn.lang, "my_path.so_far", path=target.path,
                         done=paths[0].count("done"), count=len(paths[0].trainings)))
    return [TextBlock(text=join(lines))]


async def claims(turn: Turn, text: str) -> str | None:
    """A sentence reporting progress on one of the person's own trainings."""
    if reported(text) is None:
        return None
    paths = await turn.my_path.my_paths(turn.member.user)
    if not paths or read_sentence(MyPathState(), paths, text) is None:
        return None
    return ""


def _chosen_or_done(turn: Turn, state: MyPathState) -> bool:
    return state.problem is not None or state.action is not None or state.closed


DIALOG = Dialog(
    id="my_path", title="my_path.title", state=MyPathState, start=start, finish=finish,
    menu=55, help="my_path.help", claims=claims,
    steps=[
        Ask("overzicht", prompt=overview, suggestions=actions, handle=on_action,
            skip=_chosen_or_done),
        Choose("welke", prompt=which_prompt, options=training_options, handle=pick_training,
               skip=lambda turn, state: state.problem is not None or state.closed
               or state.target is not None),
        Ask("reflectie", prompt=reflection_prompt, suggestions=skip_choice,
            handle=take_reflection,
            skip=lambda turn, state: state.problem is not None or state.target is None
            or state.action != "done"),
    ],
    phrases=["mijn leerlijn", "wat is mijn leerlijn", "mijn leerlijnen", "mijn voortgang",
             "hoe ver ben ik", "wat is mn leerlijn", "welke leerlijn heb ik", "mijn trainingen",
             "welke trainingen moet ik doen", "training afgerond", "ik heb een training afgerond",
             "ik ben begonnen met een training", "training gestart",
             "my learning path", "my learning paths", "my progress", "training finished",
             "what is my learning path", "how far am i", "my trainings",
             "i finished a training", "i started a training"],
)
