"""The Slack App Home tab: the user's assigned leerlijnen and learning wishes, and what to type."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.slack_render import MAX_BLOCKS, escape
from bot.services import DatabaseServices, MatcherCache
from knowledge.messages import t


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


async def home_view(db: AsyncSession, team: str, user: str, lang: str) -> dict[str, Any]:
    services = DatabaseServices(db, MatcherCache())
    assignments = await services.assignments(team, user=user)
    wishes = await services.wishes(team, user)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Leerbot"}},
        _section(t(lang, "slack.home_intro")),
        {"type": "divider"},
        _section(f"*{t(lang, 'slack.home_paths')}*"),
    ]
    if assignments:
        for item in assignments[:20]:
            blocks.append(_section(t(lang, "slack.home_path", name=escape(item.path_name),
                                     deadline=item.deadline.date().isoformat())))
    else:
        blocks.append(_section(t(lang, "slack.home_no_paths")))
    blocks += [{"type": "divider"}, _section(f"*{t(lang, 'slack.home_wishes')}*")]
    if wishes:
        for wish in wishes[-10:]:
            blocks.append(_section("• " + escape(", ".join(wish.competencies) or wish.text)))
    else:
        blocks.append(_section(t(lang, "slack.home_no_wishes")))
    blocks += [{"type": "divider"}, _section(t(lang, "slack.home_open_items"))]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
