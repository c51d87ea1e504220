"""Answered questions (the FAQ): finding the ones like a new question, and showing one with the
answer that helped."""

from __future__ import annotations

from rapidfuzz import fuzz

from dialogs.forum.port import ForumQuestion
from dialogs.kit import CardBlock, Fact, Turn, say, user
from engine.competencies import competencies_in
from engine.text import stem, tokens

#: similarity (0-100, +10 for a shared competency) from which an answered question is offered;
#: calibrated on related and unrelated question pairs in tests/test_forum.py
FAQ_SIMILAR = 70
SHARED_COMPETENCY_BONUS = 10


def _words(text: str) -> str:
    """Normalised, stemmed words ("draaitabellen" and "draaitabel" are the same word)."""
    return " ".join(stem(word) for word in tokens(text))


def similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(_words(a), _words(b))


def similar(solved: list[ForumQuestion], text: str, limit: int = 3) -> list[ForumQuestion]:
    """The answered questions most like ``text`` (at most ``limit``), most alike first; among
    equals the newest first."""
    found = set(competencies_in(text))
    scored = []
    for question in solved:
        score = similarity(text, question.text)
        if found & set(question.competencies):
            score += SHARED_COMPETENCY_BONUS
        if score >= FAQ_SIMILAR:
            scored.append((score, question.id, question))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    return [question for _, _, question in scored[:limit]]


def faq_card(turn: Turn, question: ForumQuestion) -> CardBlock:
    """The question with the answer that helped."""
    accepted = question.accepted_answer()
    return CardBlock(title=user(question.text),
                     facts=[Fact(label=say(turn.lang, "forum.answer_label"),
                                 value=user(accepted.text if accepted else ""))])
