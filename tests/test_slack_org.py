"""Slack for large customers: token rotation (refresh tokens, refreshed before they expire and
kept encrypted) and an org-wide installation on Enterprise Grid, through the real install flow,
signed events and the delivery worker against the fake Web API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.runtime import Runtime
from bot.server import CHANNELS, build_app
from bot.settings import Settings
from bot.storage.models import SlackInstallationRow
from tests.fakes import FakeSlack
from tests.test_slack import SECRET, event, post_event

ROTATING = {"ok": True, "app_id": "A1", "access_token": "xoxe.xoxb-first", "token_type": "bot",
            "refresh_token": "xoxe-1-first", "expires_in": 1800,  # expires within two hours
            "scope": "chat:write,commands", "bot_user_id": "UBOT9",
            "team": {"id": "T9", "name": "Nine"}, "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UINSTALLER", "scope": "", "token_type": "user"}}
ORG_WIDE = {"ok": True, "app_id": "A1", "access_token": "xoxb-org-E1", "token_type": "bot",
            "scope": "chat:write,commands", "bot_user_id": "UBOTE",
            "team": None, "enterprise": {"id": "E1", "name": "Acme Group"},
            "is_enterprise_install": True,
            "authed_user": {"id": "UADMIN", "scope": "", "token_type": "user"}}


@pytest.fixture
async def slack():  # type: ignore[no-untyped-def]
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def oauth_bot(slack: FakeSlack, tmp_path: Path):  # type: ignore[no-untyped-def]
    key = Fernet.generate_key().decode()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'oauth.db'}",
                        data_dir=tmp_path, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.url,
                        SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="shh",
                        LEERBOT_SECRET_KEY=key)
    runtime = await Runtime.start(settings)
    app = build_app(runtime, webchat_enabled=False, workers=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        client.runtime = runtime  # type: ignore[attr-defined]
        client.channels = app[CHANNELS]  # type: ignore[attr-defined]
        client.key = key  # type: ignore[attr-defined]
        yield client
    await runtime.close()


async def install(client: TestClient) -> None:
    started = await client.get("/slack/install", allow_redirects=False)
    location = started.headers.get("Location", "") or await started.text()
    state = location.split("state=")[1].split("&")[0].split('"')[0]
    cookie = started.headers["Set-Cookie"].split(";")[0]
    done = await client.get(f"/slack/oauth_redirect?code=abc&state={state}",
                            allow_redirects=False, headers={"Cookie": cookie})
    assert done.status in {200, 302}, await done.text()


async def settle(client: TestClient) -> None:
    channels = client.channels  # type: ignore[attr-defined]
    for _ in range(3):
        await channels.inbox.drain()
        await channels.deliveries.drain()


async def stored(client: TestClient) -> list[dict[str, Any]]:
    from bot.channels.slack.install import SecretBox

    box = SecretBox(client.key)  # type: ignore[attr-defined]
    async with client.runtime.sessions() as db:  # type: ignore[attr-defined]
        rows = (await db.execute(select(SlackInstallationRow)
                                 .order_by(SlackInstallationRow.id))).scalars().all()
    return [box.open(row.installation) for row in rows]


async def test_an_expiring_bot_token_is_refreshed_and_kept(oauth_bot: TestClient,
                                                          slack: FakeSlack) -> None:
    slack.install_answer = ROTATING
    await install(oauth_bot)
    body = event("menu", "EvRotate")
    body["team_id"] = "T9"
    assert await post_event(oauth_bot, body) == 200
    await settle(oauth_bot)
    assert slack.refreshed >= 1
    refresh = [c for c in slack.named("oauth.v2.access") if c.get("grant_type")]
    assert refresh and refresh[0]["refresh_token"] == "xoxe-1-first"
    post = slack.posts("DU1")[-1]
    assert post["_token"].startswith("Bearer xoxe.xoxb-") and "first" not in post["_token"]
    newest = (await stored(oauth_bot))[-1]
    assert newest["bot_token"] == post["_token"].removeprefix("Bearer ")
    assert newest["bot_refresh_token"].startswith("xoxe-1-refresh-")
    # a token that is still good for hours is not refreshed again
    before = slack.refreshed
    body = event("help", "EvRotate2")
    body["team_id"] = "T9"
    assert await post_event(oauth_bot, body) == 200
    await settle(oauth_bot)
    assert slack.refreshed == before


async def test_an_org_wide_install_serves_every_workspace_of_the_organisation(
        oauth_bot: TestClient, slack: FakeSlack) -> None:
    slack.install_answer = ORG_WIDE
    slack.org_teams = ["T5", "T6"]
    await install(oauth_bot)
    [installation] = await stored(oauth_bot)
    assert installation["enterprise_id"] == "E1" and installation["is_enterprise_install"]
    for team, event_id in (("T5", "EvOrg5"), ("T6", "EvOrg6")):
        body = event("menu", event_id)
        body.update(team_id=team, enterprise_id="E1", authorizations=[{
            "enterprise_id": "E1", "team_id": None, "user_id": "UBOTE",
            "is_bot": True, "is_enterprise_install": True}])
        assert await post_event(oauth_bot, body) == 200
    await settle(oauth_bot)
    tokens = {p["_token"] for p in slack.posts("DU1")}
    assert tokens == {"Bearer xoxb-org-E1"}
    assert len(slack.posts("DU1")) >= 2
    assert slack.named("auth.teams.list")  # which workspaces the organisation's token reaches
