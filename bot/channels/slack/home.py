"""The Slack App Home tab: the user's assigned leerlijnen and learning wishes, an open check-in,
open forum questions of their teams, and what to type. Published whenever the tab is opened."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import SLACK
from bot.channels.slack.events import SlackEvent
from bot.channels.slack.render import MAX_BLOCKS, action_id, escape
from bot.channels.slack.turns import Replies
from bot.storage.ports import BoundPorts, Shared, Store
from dialogs.kit import local_date
from engine.competencies import labels
from knowledge.messages import normalise_lang, t


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


async def home_view(db: AsyncSession, team: str, user: str, lang: str) -> dict[str, Any]:
    ports = BoundPorts(Store(db, team, Shared()))
    assignments = await ports.paths.assignments(user=user)
    wishes = await ports.learning_wishes.wishes(user)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Leerbot"}},
        _section(t(lang, "slack.home_intro")),
        {"type": "divider"},
        _section(f"*{t(lang, 'slack.home_paths')}*"),
    ]
    if assignments:
        for item in assignments[:20]:
            blocks.append(_section(t(lang, "slack.home_path", name=escape(item.path_name),
                                     deadline=local_date(item.deadline, lang))))
    else:
        blocks.append(_section(t(lang, "slack.home_no_paths")))
    blocks += [{"type": "divider"}, _section(f"*{t(lang, 'slack.home_wishes')}*")]
    if wishes:
        for wish in wishes[-10:]:
            blocks.append(_section("• " + escape(labels(wish.competencies, lang) or wish.text)))
    else:
        blocks.append(_section(t(lang, "slack.home_no_wishes")))
    blocks += [{"type": "divider"}, _section(f"*{t(lang, 'slack.home_checkins')}*")]
    open_checkin = await ports.rounds.open_invitation(user, "checkin")
    checkin = await ports.rounds.run(open_checkin) if open_checkin is not None else None
    if checkin is not None:
        blocks.append(_section(t(lang, "slack.home_checkin_open", team=escape(checkin.team))))
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "action_id": action_id(None, "choice", 0), "style": "primary",
            "value": f"go:checkin:{checkin.id}",
            "text": {"type": "plain_text", "text": t(lang, "together.answer")}}]})
    else:
        blocks.append(_section(t(lang, "slack.home_no_checkins")))
    blocks += [{"type": "divider"}, _section(f"*{t(lang, 'slack.home_questions')}*")]
    questions = [q for team_row in await ports.teams.teams(user)
                 for q in await ports.forum.questions(status="open", team_id=team_row.id)]
    if questions:
        for question in questions[:10]:
            blocks.append(_section("• " + escape(question.text[:300])))
            blocks.append({"type": "actions", "elements": [{
                "type": "button", "action_id": action_id(None, "choice", question.id),
                "value": f"go:answer_question:{question.id}",
                "text": {"type": "plain_text", "text": t(lang, "slack.home_help_answer")}}]})
    else:
        blocks.append(_section(t(lang, "slack.home_no_questions")))
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


class HomeTab:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], replies: Replies) -> None:
        self.sessions = sessions
        self.replies = replies

    async def publish(self, row_id: int, event: SlackEvent, locale: str | None) -> None:
        """Queue the user's home view (views.publish)."""
        async with self.sessions() as db:
            view = await home_view(db, event.team, event.user, normalise_lang(locale))
        await self.replies.queue(row_id, event.team, f"{SLACK}:{event.team}:home:{event.user}",
                                 [{"op": "views_publish", "user_id": event.user, "view": view}])
