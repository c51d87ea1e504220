"""The experts port: who knows about what, read from the profiles, the kennisrondje answers and
the forum's accepted answers; questions are spread over equally good colleagues by how often
each was asked lately (the forum's ``suggested`` lists). It keeps no data of its own."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.storage.forum import ForumAnswerRow, ForumQuestionRow
from bot.storage.models import utcnow
from bot.storage.people import MemberRow, as_member
from bot.storage.ports import Store, implements
from bot.storage.profiles import ProfileRow
from bot.storage.rounds import AnswerRow
from dialogs.experts.port import EXPERTS_OPT_OUT, Expertise, MemberKnowledge, Source

#: how far back being asked directly counts when spreading the questions
SUGGESTION_WINDOW = timedelta(days=30)
KENNISRONDJE = "kennisrondje"

#: user -> competency -> where it shows
Evidence = dict[str, dict[str, set[Source]]]


def spreading_order(expert: Expertise) -> tuple[Any, ...]:
    """Who covers most of the asked competencies first; among them the least recently asked
    (so the load is spread), then more sources, then more accepted answers."""
    return (-len(expert.competencies), expert.recently_suggested, -len(expert.sources),
            -expert.helped, expert.member.name, expert.member.user)


def opted_out(row: MemberRow) -> bool:
    return bool((row.opt_out or {}).get(EXPERTS_OPT_OUT))


def evidence_of(wanted: set[str],
                sources: Iterable[tuple[Source, list[tuple[str, list[str]]]]]) -> Evidence:
    """Per user, the wanted competencies and where each shows."""
    evidence: Evidence = defaultdict(lambda: defaultdict(set))
    for source, pairs in sources:
        for user, found in pairs:
            for competency in wanted & set(found):
                evidence[user][competency].add(source)
    return evidence


@implements("experts")
class SqlExperts:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    # ------------------------------------------------------------------ who knows

    async def experts(self, competencies: list[str], exclude: set[str]) -> list[Expertise]:
        accepted = await self._accepted_competencies()
        evidence = evidence_of(set(competencies), (
            ("profile", await self._profile_competencies()),
            ("kennisrondje", await self._kennisrondje_competencies()),
            ("forum", accepted)))
        if not evidence:
            return []
        helped = Counter(author for author, _ in accepted)
        asked = await self._recently_suggested()
        found = [Expertise(member=as_member(row), competencies=sorted(evidence[row.user_id]),
                           sources=sorted({s for group in evidence[row.user_id].values()
                                           for s in group}),
                           helped=helped[row.user_id], recently_suggested=asked[row.user_id])
                 for row in await self._members(evidence)
                 if row.user_id not in exclude and not opted_out(row)]
        return sorted(found, key=spreading_order)

    async def _profile_competencies(self) -> list[tuple[str, list[str]]]:
        rows = await self.db.execute(select(ProfileRow.user_id, ProfileRow.data).where(
            ProfileRow.workspace == self.workspace))
        return [(user, data.get("competencies") or []) for user, data in rows]

    async def _kennisrondje_competencies(self, users: list[str] | None = None
                                         ) -> list[tuple[str, list[str]]]:
        query = select(AnswerRow.user_id, AnswerRow.competencies).where(
            AnswerRow.workspace == self.workspace, AnswerRow.kind == KENNISRONDJE)
        if users is not None:
            query = query.where(AnswerRow.user_id.in_(users))
        return [(user, found or []) for user, found in await self.db.execute(query)]

    async def _accepted_competencies(self, users: list[str] | None = None
                                     ) -> list[tuple[str, list[str]]]:
        """Per accepted answer: its author and the question's competencies."""
        query = (select(ForumAnswerRow.author, ForumQuestionRow.competencies)
                 .join(ForumQuestionRow, ForumQuestionRow.id == ForumAnswerRow.question_id)
                 .where(ForumQuestionRow.workspace == self.workspace, ForumAnswerRow.accepted))
        if users is not None:
            query = query.where(ForumAnswerRow.author.in_(users))
        return [(author, found or []) for author, found in await self.db.execute(query)]

    async def _recently_suggested(self) -> Counter[str]:
        rows = await self.db.execute(select(ForumQuestionRow.suggested).where(
            ForumQuestionRow.workspace == self.workspace,
            ForumQuestionRow.created_at >= utcnow() - SUGGESTION_WINDOW))
        return Counter(name for (names,) in rows for name in names or [])

    async def _members(self, users: Iterable[str]) -> list[MemberRow]:
        return list((await self.db.execute(select(MemberRow).where(
            MemberRow.workspace == self.workspace,
            MemberRow.user_id.in_(list(users))))).scalars())

    # ------------------------------------------------------------------ the matrix

    async def knowledge(self, users: list[str]) -> list[MemberKnowledge]:
        members = {row.user_id: row for row in await self._members(users)}
        profiles: dict[str, dict[str, Any]] = {user: data for user, data in (
            await self.db.execute(select(ProfileRow.user_id, ProfileRow.data).where(
                ProfileRow.workspace == self.workspace, ProfileRow.user_id.in_(users))))}
        rounds: dict[str, set[str]] = defaultdict(set)
        for user, found in await self._kennisrondje_competencies(users):
            rounds[user].update(found)
        accepted: dict[str, Counter[str]] = defaultdict(Counter)
        for author, found in await self._accepted_competencies(users):
            accepted[author].update(found)
        return [known(user, members.get(user), profiles.get(user) or {}, rounds[user],
                      accepted[user]) for user in users]


def known(user: str, member: MemberRow | None, profile: dict[str, Any], rounds: set[str],
          accepted: Counter[str]) -> MemberKnowledge:
    return MemberKnowledge(
        user=user, name=(member.name if member is not None else "") or user,
        profile=list(profile.get("competencies") or []),
        wants_to_grow=str(profile.get("wants_to_grow") or ""),
        kennisrondje=sorted(rounds), accepted=dict(accepted),
        opted_out=member is not None and opted_out(member))
