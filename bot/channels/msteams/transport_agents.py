"""Microsoft Teams through the Microsoft 365 Agents SDK (``LEERBOT_TEAMS_SDK=agents``), beside
botbuilder: the same shared code, settings and stored conversation references.

* The settings become one Agents SDK connection (``SERVICE_CONNECTION``): MICROSOFT_APP_ID is
  its client id, MICROSOFT_APP_PASSWORD its client secret, MICROSOFT_APP_TENANT_ID its tenant
  (a MultiTenant app signs in at ``botframework.com``), MICROSOFT_APP_TYPE=UserAssignedMSI a
  user-assigned managed identity. MSAL gets the outgoing tokens.
* Tokens are validated with the SDK's ``JwtTokenValidator`` (signature, expiry, audience = the
  app id); the signing keys are fetched off the event loop within ``KEYS_TIMEOUT``. Like
  botbuilder, a Bot Framework token must name the activity's serviceUrl; a token from another
  issuer (the Emulator signing in with the app) is accepted in emulator mode only.
* Without an app id (emulator mode, loopback only) activities run with the SDK's anonymous
  identity and replies carry no token.
* Invokes (the message extension's submitAction) are answered on the core ActivityHandler by
  their name; ``microsoft-agents-hosting-msteams`` is not needed.
* The connector and user-token clients are kept across turns (``KeptClients``): the SDK builds
  both, each with its own HTTP session (a new connection to the connector on every turn), and
  asks MSAL for their tokens on every turn. A kept client is replaced when its token is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import urllib.request
from http import HTTPStatus
from typing import Any

from jwt import PyJWK, PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationReference,
    InvokeResponse,
    RoleTypes,
)
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AccessTokenProviderBase,
    ActivityHandler,
    AgentAuthConfiguration,
    AuthenticationConstants,
    AuthTypes,
    CardFactory,
    ClaimsIdentity,
    JwtTokenValidator,
    MessageFactory,
    RestChannelServiceClientFactory,
    TurnContext,
)
from microsoft_agents.hosting.core.connector import TeamsConnectorClient, UserTokenClient

from bot.channels.msteams import common
from bot.channels.msteams.common import (
    SUBMIT_ACTION,
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

#: the issuers of Bot Framework channel tokens (public cloud, US government)
BOT_FRAMEWORK_ISSUERS = {"https://api.botframework.com", "https://api.botframework.us"}
#: seconds the OpenID metadata's key URL is kept
METADATA_LIFESPAN = 3600.0
#: seconds an outgoing token is used before MSAL is asked again: MSAL hands out a cached token
#: only while it has more than five minutes left, so one used this long has not expired
TOKEN_REUSE = 240.0
#: kept connector clients (one per serviceUrl and audience; Teams has a few serviceUrls)
MAX_KEPT_CONNECTORS = 64


class _Quiet(logging.Filter):
    """Lines of the SDK that Leerbot's log does without: every body it cannot read as an
    activity, logged at ERROR with the values sent (what a person wrote) and a traceback (such
    a request gets a 400 and our own warning); and, in emulator mode (no app id), a warning on
    every turn that there is no app id."""

    LINES = ("Validation error for Activity", "App ID is not provided")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.LINES)


for _name in ("microsoft_agents.activity.activity",
              "microsoft_agents.hosting.core.connector.client.user_token_client"):
    logging.getLogger(_name).addFilter(_Quiet())


def configuration(settings: Settings) -> AgentAuthConfiguration:
    """Our botbuilder-style settings as the Agents SDK's connection settings."""
    app_type = (settings.microsoft_app_type or "MultiTenant").casefold()
    secret = (settings.microsoft_app_password.get_secret_value()
              if settings.microsoft_app_password else None)
    tenant = settings.microsoft_app_tenant_id or (
        "botframework.com" if app_type == "multitenant" else None)
    auth_type = AuthTypes.user_managed_identity if app_type == "userassignedmsi" \
        else AuthTypes.client_secret
    return AgentAuthConfiguration(
        auth_type=auth_type, client_id=settings.microsoft_app_id or None, tenant_id=tenant,
        client_secret=secret, connection_name="SERVICE_CONNECTION",
        anonymous_allowed=not settings.microsoft_app_id and settings.msteams_emulator)


def as_dict(activity: Activity) -> dict[str, Any]:
    """The activity in the wire format the shared code reads (the JSON received, for the
    activity being run)."""
    return common.wire(activity, lambda: activity.model_dump(mode="json", by_alias=True,
                                                             exclude_none=True))


class SigningKeys:
    """The token validator's key source: Microsoft's keys (or, with LEERBOT_TEAMS_OPENID_URL,
    those its OpenID metadata names), fetched in a thread within ``KEYS_TIMEOUT``."""

    def __init__(self, openid_url: str | None) -> None:
        self.openid_url = openid_url
        self.clients: dict[str, PyJWKClient] = {}
        self.lock = threading.Lock()
        self.metadata: tuple[float, str] | None = None

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> PyJWK:
        return await asyncio.to_thread(self._key, jwks_uri, header)

    def _key(self, jwks_uri: str, header: dict[str, Any]) -> PyJWK:
        with self.lock:
            uri = self._configured_keys() if self.openid_url else jwks_uri
            if uri not in self.clients:
                self.clients[uri] = PyJWKClient(uri, timeout=common.KEYS_TIMEOUT,
                                                lifespan=int(METADATA_LIFESPAN))
            try:
                return self.clients[uri].get_signing_key(header["kid"])
            except PyJWKClientConnectionError as exc:
                raise KeysUnavailable(type(exc).__name__) from None

    def _configured_keys(self) -> str:
        assert self.openid_url is not None
        if self.metadata and time.monotonic() - self.metadata[0] < METADATA_LIFESPAN:
            return self.metadata[1]
        try:
            with urllib.request.urlopen(self.openid_url,
                                        timeout=common.KEYS_TIMEOUT) as response:
                uri = str(json.loads(response.read())["jwks_uri"])
        except (OSError, ValueError, KeyError) as exc:
            raise KeysUnavailable(type(exc).__name__) from None
        self.metadata = (time.monotonic(), uri)
        return uri


class _Kept:
    """A client kept across turns. The adapter closes its clients at the end of every turn:
    for a kept client that only ends that turn's use; its session is closed once the client is
    retired (replaced) and no turn uses it any more, or when the transport shuts down."""

    users = 0
    retired = False

    def lease(self) -> Any:
        self.users += 1
        return self

    async def close(self) -> None:
        self.users = max(self.users - 1, 0)
        if self.retired and not self.users:
            await self.shut()

    async def retire(self) -> None:
        self.retired = True
        if not self.users:
            await self.shut()

    async def shut(self) -> None:
        await super().close()  # type: ignore[misc]


class _KeptConnector(_Kept, TeamsConnectorClient):
    def __init__(self, endpoint: str, token: str) -> None:
        super().__init__(endpoint=endpoint, token=token)
        self.token = token


class _KeptUserTokens(_Kept, UserTokenClient):
    def __init__(self, endpoint: str, token: str, app_id: str | None) -> None:
        super().__init__(endpoint=endpoint, token=token, app_id=app_id)
        self.token = token


class KeptClients(RestChannelServiceClientFactory):
    """The SDK's client factory, keeping its clients (and their HTTP sessions and tokens)
    across turns. Agentic requests and Copilot Studio's connector are left to the SDK."""

    def __init__(self, connections: MsalConnectionManager) -> None:
        super().__init__(connections)
        self.connectors: dict[tuple[str, str], _KeptConnector] = {}
        self.user_tokens: dict[str | None, _KeptUserTokens] = {}
        self.tokens: dict[tuple[AccessTokenProviderBase, str, tuple[str, ...]],
                          tuple[float, str]] = {}

    async def _token(self, provider: AccessTokenProviderBase, audience: str,
                     scopes: list[str]) -> str:
        key = (provider, audience, tuple(scopes))
        kept = self.tokens.get(key)
        now = time.monotonic()
        if kept is not None and now - kept[0] < TOKEN_REUSE:
            return kept[1]
        token = await provider.get_access_token(audience, scopes)
        self.tokens[key] = (now, token)
        return token

    @staticmethod
    def _sdk_only(context: TurnContext | None) -> bool:
        if context is None or context.activity is None:
            return False
        recipient = context.activity.recipient
        return bool(context.activity.is_agentic_request()
                    or (recipient is not None and recipient.role == RoleTypes.connector_user))

    async def create_connector_client(  # type: ignore[override]
            self, context: TurnContext | None, claims_identity: ClaimsIdentity,
            service_url: str, audience: str, scopes: list[str] | None = None,
            use_anonymous: bool = False) -> Any:
        if not service_url or not audience or self._sdk_only(context):
            return await super().create_connector_client(
                context, claims_identity, service_url, audience, scopes, use_anonymous)
        token = "" if use_anonymous else await self._token(
            self._connection_manager.get_token_provider(claims_identity, service_url),
            audience, scopes or claims_identity.get_token_scope())
        key = (service_url, audience)
        kept = self.connectors.get(key)
        if kept is None or kept.token != token:
            if kept is None and len(self.connectors) >= MAX_KEPT_CONNECTORS:
                await self._retire(self.connectors)
            self.connectors[key] = _KeptConnector(service_url, token)
            if kept is not None:
                await kept.retire()
        return self.connectors[key].lease()

    async def create_user_token_client(  # type: ignore[override]
            self, context: TurnContext, claims_identity: ClaimsIdentity,
            use_anonymous: bool = False) -> Any:
        if self._sdk_only(context):
            return await super().create_user_token_client(context, claims_identity,
                                                          use_anonymous)
        token = "" if use_anonymous else await self._token(
            self._connection_manager.get_token_provider(claims_identity,
                                                        self._token_service_endpoint),
            self._token_service_audience, claims_identity.get_token_scope())
        app_id = claims_identity.get_app_id()
        kept = self.user_tokens.get(app_id)
        if kept is None or kept.token != token:
            self.user_tokens[app_id] = _KeptUserTokens(self._token_service_endpoint, token,
                                                       app_id)
            if kept is not None:
                await kept.retire()
        return self.user_tokens[app_id].lease()

    @staticmethod
    async def _retire(clients: dict[Any, Any]) -> None:
        kept = list(clients.values())
        clients.clear()
        for client in kept:
            await client.retire()

    async def close(self) -> None:
        """Close every kept client's session (at shutdown)."""
        for clients in (self.connectors, self.user_tokens):
            kept = list(clients.values())
            clients.clear()
            for client in kept:
                await client.shut()


def _received(turn_context: TurnContext) -> Received:
    async def reply(cards: list[Card]) -> None:
        for card in cards:
            await turn_context.send_activity(
                MessageFactory.attachment(CardFactory.adaptive_card(card)))

    return Received(activity=as_dict(turn_context.activity), reply=reply)


class AgentsBot(ActivityHandler):
    def __init__(self, turns: MsTeamsTurns) -> None:
        self.turns = turns

    async def on_message_activity(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        await self.turns.message(_received(turn_context))

    async def on_members_added_activity(  # type: ignore[override]
            self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        welcome = await self.turns.members_added(as_dict(turn_context.activity))
        if welcome:
            await turn_context.send_activity(MessageFactory.text(welcome))

    async def on_invoke_activity(  # type: ignore[override]
            self, turn_context: TurnContext) -> InvokeResponse | None:
        if turn_context.activity.name == SUBMIT_ACTION:
            text = await self.turns.submit_action(as_dict(turn_context.activity))
            return InvokeResponse(status=int(HTTPStatus.OK),
                                  body={"task": {"type": "message", "value": text}})
        return await super().on_invoke_activity(turn_context)


class AgentsTransport:
    """``common.Transport`` on the Microsoft 365 Agents SDK."""

    def __init__(self, settings: Settings, gate: Gate) -> None:
        self.settings = settings
        self.gate = gate
        self.config = configuration(settings)
        self.clients = KeptClients(MsalConnectionManager(
            connections_configurations={"SERVICE_CONNECTION": self.config}))
        self.adapter = CloudAdapter(channel_service_client_factory=self.clients)
        self.adapter.on_turn_error = self._on_error
        self.validator = JwtTokenValidator(self.config)
        # the SDK fetches keys with no bound but its 30 s default; ours has the timeout
        self.validator._jwk_client_manager = SigningKeys(  # type: ignore[assignment]
            settings.msteams_openid_url)
        self.bot: AgentsBot | None = None

    def bind(self, turns: MsTeamsTurns) -> None:
        self.bot = AgentsBot(turns)
        self.turns = turns

    async def close(self) -> None:
        await self.clients.close()

    async def _on_error(self, turn_context: TurnContext, error: Exception) -> None:
        log.error("msteams turn failed: %s", type(error).__name__)
        try:
            await turn_context.send_activity(self.turns.error_text(as_dict(turn_context.activity)))
        except Exception:  # the connector itself may be down
            log.warning("could not tell the user about the failure")

    def parse(self, body: dict[str, Any]) -> Activity | None:
        try:
            activity = Activity.model_validate(body)
        except Exception:  # pydantic's ValidationError, or a value no model accepts
            return None
        return activity if isinstance(activity.type, str) and activity.type else None

    async def authenticate(self, activity: Activity, header: str) -> ClaimsIdentity:
        if not self.settings.microsoft_app_id:  # emulator mode (the gate checked it)
            return ClaimsIdentity()
        scheme, _, token = header.partition(" ")
        if scheme.casefold() != "bearer" or not token.strip():
            raise PermissionError("no bearer token")
        identity = await self.validator.validate_token(token.strip())
        issuer = identity.get_claim_value(AuthenticationConstants.ISSUER_CLAIM)
        if issuer in BOT_FRAMEWORK_ISSUERS:
            if identity.get_claim_value("serviceurl") != activity.service_url:
                raise PermissionError("the token names another serviceUrl")
        elif not self.settings.msteams_emulator:
            raise PermissionError("not a Bot Framework token")
        return identity

    async def process(self, identity: ClaimsIdentity, activity: Activity,
                      body: dict[str, Any]) -> tuple[int, Any] | None:
        assert self.bot is not None
        async with common.running(activity, body):
            invoke = await self.adapter.process_activity(identity, activity, self.bot.on_turn)
        if activity.type == "invoke":
            if invoke is None:
                return int(HTTPStatus.NOT_IMPLEMENTED), None
            return int(invoke.status or HTTPStatus.NOT_IMPLEMENTED), invoke.body
        return None

    async def continue_conversation(self, reference: dict[str, Any], text: str | None,
                                    cards: list[Card]) -> list[str]:
        if not self.gate.service_url_allowed(reference.get("serviceUrl")):
            raise ServiceUrlRefused("the stored serviceUrl is not allowed")
        activities = [MessageFactory.text(text)] if text else []
        activities += [MessageFactory.attachment(CardFactory.adaptive_card(card))
                       for card in cards]
        callback = ProactiveSend(activities)

        continuation = ConversationReference.model_validate(reference) \
            .get_continuation_activity()
        if self.settings.microsoft_app_id:
            await self.adapter.continue_conversation(self.settings.microsoft_app_id,
                                                     continuation, callback)
        else:
            await self.adapter.continue_conversation_with_claims(
                ClaimsIdentity(), continuation, callback,
                AuthenticationConstants.AGENTS_SDK_SCOPE)
        return callback.result()
