"""The dialog kit: conversations declared as data over a typed state, run turn by turn on any
channel. It knows nothing of the application that uses it: dialogs, texts and ports (what the
dialogs need from storage) are registered by the application."""

from dialogs.kit.conductor import AppTexts, Channel, Conductor, Incoming, Unit, UnitFactory
from dialogs.kit.dialog import Dialog
from dialogs.kit.output import (
    Block,
    CardBlock,
    ChartBlock,
    Choice,
    ChoicesBlock,
    DataSeries,
    Fact,
    FileBlock,
    FormBlock,
    FormField,
    ImageBlock,
    Message,
    Prompt,
    TextBlock,
)
from dialogs.kit.problems import InputError
from dialogs.kit.rich import (
    Rich,
    Segment,
    bold_runs,
    join,
    link,
    local_date,
    plain,
    say,
    strong,
    user,
    wrap_bold,
)
from dialogs.kit.session import Conflict, Session, SessionKey, SessionStore
from dialogs.kit.steps import Answer, Ask, Call, Choose, Confirm, Flow, Form, Step, yes_no
from dialogs.kit.texts import TEXTS
from dialogs.kit.turn import Member, Ports, Turn

__all__ = [
    "TEXTS", "Answer", "AppTexts", "Ask", "Block", "Call", "CardBlock", "Channel", "ChartBlock",
    "Choice", "ChoicesBlock", "Choose", "Conductor", "Confirm", "Conflict", "DataSeries",
    "Dialog", "Fact", "FileBlock", "Flow", "Form", "FormBlock", "FormField", "ImageBlock",
    "Incoming", "InputError", "Member", "Message", "Ports", "Prompt", "Rich", "Segment",
    "Session", "SessionKey", "SessionStore", "Step", "TextBlock", "Turn", "Unit", "UnitFactory",
    "bold_runs", "join", "link", "local_date", "plain", "say", "strong", "user", "wrap_bold",
    "yes_no",
]
