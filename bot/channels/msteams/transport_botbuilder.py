"""Microsoft Teams through the Bot Framework SDK (botbuilder), the default transport. With the
Agents SDK module beside it, these are the only two modules that import a Microsoft SDK.

* CloudAdapter with configuration-based authentication (app id, password, tenant, app type);
  every activity's JWT is validated by botbuilder (in a thread: it fetches Microsoft's signing
  keys with blocking calls, bounded by ``KEYS_TIMEOUT``).
* One connector client per service URL (and one user-token client per app id) is kept for
  all turns, received and proactive alike (``KeptClientsAdapter``); the stored serviceUrl of a
  proactive send is checked against the allow-list.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

import requests
from botbuilder.core import (
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
    serializer_helper,
)
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import (
    Activity,
    CallerIdConstants,
    ChannelAccount,
    ConversationReference,
)
from botbuilder.schema.teams import (
    MessagingExtensionAction,
    MessagingExtensionActionResponse,
    TaskModuleMessageResponse,
)
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    jwt_token_extractor,
)
from msrest.universal_http.requests import ClientRetryPolicy

from bot.channels.msteams import common
from bot.channels.msteams.common import (
    Card,
    Gate,
    KeysUnavailable,
    MsTeamsTurns,
    ProactiveSend,
    Received,
    ServiceUrlRefused,
    log,
)
from bot.settings import Settings

# botbuilder builds a new connector client (with msrest's retry configuration) for every
# proactive send, and msrest derives its retry status list by testing 999 codes against a
# 500-element list: ~5 ms of CPU per client, most of a proactive send. The same codes as a
# set give the same list at once. (Only affects this computation; remove with botbuilder.)
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


class _KeyFetch:
    """``requests`` for botbuilder's key fetch, with a timeout."""

    @staticmethod
    def get(url: str, **options: Any) -> requests.Response:
        return requests.get(url, timeout=common.KEYS_TIMEOUT, **options)


jwt_token_extractor.requests = _KeyFetch  # type: ignore[assignment]


class _Config:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id or ""
        self.APP_PASSWORD = (settings.microsoft_app_password.get_secret_value()
                             if settings.microsoft_app_password else "")
        self.APP_TYPE = settings.microsoft_app_type
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""
        if settings.msteams_openid_url:  # the public cloud's values, with these signing keys
            self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = settings.msteams_openid_url
            self.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = settings.msteams_openid_url
            self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = \
                AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
            self.TO_CHANNEL_FROM_BOT_LOGIN_URL = (
                AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
                + AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT)
            self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = \
                AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
            self.OAUTH_URL = AuthenticationConstants.OAUTH_URL
            self.CALLER_ID = CallerIdConstants.public_azure_channel


#: kept connector clients (one per serviceUrl, audience and app id; Teams has a few serviceUrls)
MAX_KEPT_CONNECTORS = 64


def _app_id(claims_identity: Any) -> str:
    """The bot's app id as botbuilder reads it from the claims (audience, else appid)."""
    claims = getattr(claims_identity, "claims", None) or {}
    return str(claims.get(AuthenticationConstants.AUDIENCE_CLAIM)
               or claims.get(AuthenticationConstants.APP_ID_CLAIM) or "")


class KeptClientsAdapter(CloudAdapter):
    """CloudAdapter that keeps its connector and user-token clients across turns.

    The stock adapter builds a new connector client and user-token client for every activity
    it receives and every continue_conversation call (msrest configuration, a requests session,
    so a new connection to the connector each time): more CPU than a turn's own work on the
    bare echo, and than the send itself in a fan-out of thousands. The clients hold no
    per-turn state (their credentials refresh their own token), so they are kept and reused."""

    def __init__(self, authentication: ConfigurationBotFrameworkAuthentication) -> None:
        super().__init__(authentication)
        self._connectors: dict[tuple[str, str, str], Any] = {}
        self._token_clients: dict[str, Any] = {}

    def service_url_allowed(self, url: str | None) -> bool:
        """Replaced by the channel's allow-list (``LEERBOT_TEAMS_SERVICE_HOSTS``)."""
        return False

    async def _clients(self, claims_identity: Any, factory: Any, service_url: str,
                       audience: str) -> tuple[Any, Any]:
        """The kept connector client for this serviceUrl and audience, and the user-token
        client, for the app id of ``claims_identity``."""
        app_id = _app_id(claims_identity)
        key = (service_url or "", audience or "", app_id)
        if key not in self._connectors:
            if len(self._connectors) >= MAX_KEPT_CONNECTORS:
                self._connectors.clear()
            self._connectors[key] = await factory.create(service_url, audience)
        if app_id not in self._token_clients:
            self._token_clients[app_id] = \
                await self.bot_framework_authentication.create_user_token_client(
                    claims_identity)
        return self._connectors[key], self._token_clients[app_id]

    async def process_activity(self, auth_header_or_authenticate_request_result: Any,
                               activity: Activity, logic: Any) -> InvokeResponse | None:
        """The stock turn with kept clients; the request is authenticated by the caller (a
        header is still checked here, as the stock adapter does)."""
        result = auth_header_or_authenticate_request_result
        if not isinstance(result, AuthenticateRequestResult):
            result = await self.bot_framework_authentication.authenticate_request(
                activity, result)
        activity.caller_id = result.caller_id
        if result.connector_factory is None:
            raise RuntimeError("no connector factory for this request")
        connector, token_client = await self._clients(
            result.claims_identity, result.connector_factory, activity.service_url,
            result.audience)
        context = self._create_turn_context(
            activity, result.claims_identity, result.audience, connector, token_client, logic,
            result.connector_factory)
        await self.run_pipeline(context, logic)
        return self._process_turn_results(context)  # type: ignore[no-any-return]

    async def process_proactive(self, claims_identity: Any, continuation_activity: Activity,
                                audience: str, logic: Any) -> None:
        if not self.service_url_allowed(continuation_activity.service_url):
            raise ServiceUrlRefused("the stored serviceUrl is not allowed")
        factory = self.bot_framework_authentication.create_connector_factory(claims_identity)
        connector, token_client = await self._clients(
            claims_identity, factory, continuation_activity.service_url, audience)
        context = self._create_turn_context(
            continuation_activity, claims_identity, audience, connector, token_client, logic,
            factory)
        await self.run_pipeline(context, logic)

    def close(self) -> None:
        self._connectors.clear()
        self._token_clients.clear()


def as_dict(activity: Activity) -> dict[str, Any]:
    """The activity in the wire format the shared code reads (the JSON received, for the
    activity being run)."""
    return common.wire(activity, activity.serialize)


def _received(turn_context: TurnContext) -> Received:
    async def reply(cards: list[Card]) -> None:
        for card in cards:
            await turn_context.send_activity(
                MessageFactory.attachment(CardFactory.adaptive_card(card)))

    return Received(activity=as_dict(turn_context.activity), reply=reply)


class MsTeamsBot(TeamsActivityHandler):
    def __init__(self, turns: MsTeamsTurns) -> None:
        self.turns = turns

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await self.turns.message(_received(turn_context))

    @staticmethod
    def _create_invoke_response(body: object = None) -> InvokeResponse:
        # botbuilder serialises an invoke response's body here and the aiohttp CloudAdapter
        # serialises it again, which fails for any model; keep the model, serialise once
        return InvokeResponse(status=int(HTTPStatus.OK), body=body)

    async def on_teams_messaging_extension_submit_action(
            self, turn_context: TurnContext,
            action: MessagingExtensionAction) -> MessagingExtensionActionResponse:
        text = await self.turns.submit_action(as_dict(turn_context.activity))
        return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=text))

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        welcome = await self.turns.members_added(as_dict(turn_context.activity))
        if welcome:
            await turn_context.send_activity(MessageFactory.text(welcome))


class BotbuilderTransport:
    """``common.Transport`` on botbuilder."""

    def __init__(self, settings: Settings, gate: Gate) -> None:
        self.settings = settings
        self.adapter = KeptClientsAdapter(
            ConfigurationBotFrameworkAuthentication(_Config(settings)))
        self.adapter.service_url_allowed = gate.service_url_allowed  # type: ignore[method-assign]
        self.adapter.on_turn_error = self._on_error
        self.bot: MsTeamsBot | None = None

    def bind(self, turns: MsTeamsTurns) -> None:
        self.bot = MsTeamsBot(turns)
        self.turns = turns

    async def close(self) -> None:
        self.adapter.close()

    async def _on_error(self, turn_context: TurnContext, error: Exception) -> None:
        log.error("msteams turn failed: %s", type(error).__name__)
        try:
            await turn_context.send_activity(
                self.turns.error_text(as_dict(turn_context.activity)))
        except Exception:  # the connector itself may be down
            log.warning("could not tell the user about the failure")

    def parse(self, body: dict[str, Any]) -> Activity | None:
        try:
            activity = Activity().deserialize(body)
        except Exception:  # msrest raises several kinds for fields of the wrong type
            return None
        return activity if isinstance(activity.type, str) and activity.type else None

    async def authenticate(self, activity: Activity, header: str) -> AuthenticateRequestResult:
        """botbuilder's token check. With a token it may fetch Microsoft's signing keys with
        blocking calls, so it runs in a thread of its own (the event loop keeps serving)."""
        authentication = self.adapter.bot_framework_authentication
        if not header:
            return await authentication.authenticate_request(activity, header)
        check = authentication.authenticate_request(activity, header)
        try:
            return await asyncio.wait_for(asyncio.to_thread(asyncio.run, check),
                                          timeout=2 * common.KEYS_TIMEOUT + 1)
        except (requests.RequestException, TimeoutError) as exc:  # Microsoft's key server
            raise KeysUnavailable(type(exc).__name__) from None

    async def process(self, identity: Any, activity: Activity,
                      body: dict[str, Any]) -> tuple[int, Any] | None:
        assert self.bot is not None
        async with common.running(activity, body):
            invoke = await self.adapter.process_activity(identity, activity, self.bot.on_turn)
        if invoke:
            return invoke.status, serializer_helper(invoke.body)
        return None

    async def continue_conversation(self, reference: dict[str, Any], text: str | None,
                                    cards: list[Card]) -> list[str]:
        activities = [MessageFactory.text(text)] if text else []
        activities += [MessageFactory.attachment(CardFactory.adaptive_card(card))
                       for card in cards]
        callback = ProactiveSend(activities)

        await self.adapter.continue_conversation(
            ConversationReference().deserialize(reference), callback,
            self.settings.microsoft_app_id or "")
        return callback.result()
