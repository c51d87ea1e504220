"""The base of every table, and the tables of the runtime itself (catalogues, dialog sessions,
the inbox, deliveries, runs and schedules, conversation references, Slack installations,
files, the mailbox, rate buckets, health checks). A feature's own tables live next to its
storage (`bot/storage/<feature>.py`). Documents we own are stored as validated pydantic JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite gives them back without a zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSONType,
                                                     list[Any]: JSONType}


class CatalogueRow(Base):
    """An imported training catalogue; one is active per workspace."""

    __tablename__ = "catalogues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    own_competencies: Mapped[bool] = mapped_column(Boolean)
    trainings: Mapped[list[Any]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        Index("ix_catalogues_workspace", "workspace"),
        Index("uq_catalogues_active", "workspace", unique=True,
              sqlite_where=text("active"), postgresql_where=text("active")),
    )


class DialogSessionRow(Base):
    """Where a user is in a dialog. ``version`` guards against concurrent turns."""

    __tablename__ = "dialog_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    conversation: Mapped[str] = mapped_column(String(255))
    session: Mapped[dict[str, Any]] = mapped_column(JSONType)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("channel", "workspace", "user_id", "conversation",
                                       name="uq_dialog_sessions_key"),)












class InboxRow(Base):
    """An inbound event stored before it is acknowledged; processed once, in order per
    conversation, by any replica. The unique (source, event_key) deduplicates retries."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(255))
    conversation_key: Mapped[str] = mapped_column(String(512))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: the worker that claimed the row last (its lease ends at ``available_at``)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (UniqueConstraint("source", "event_key", name="uq_inbox_event"),
                      Index("ix_inbox_status", "status", "available_at"),
                      Index("ix_inbox_conversation", "conversation_key", "id"))


class DeliveryRow(Base):
    """An outbound message, stored (with its idempotency key) before it is sent."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    ordering_key: Mapped[str] = mapped_column(String(512))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: set (and committed) just before the platform call: a row found processing with this set
    #: after its lease ran out may have been sent by a process that died
    sending_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recipient: Mapped[str | None] = mapped_column(String(128), nullable=True)
    #: what the platform answered (e.g. Slack's channel and ts, to thread replies under it)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    #: the worker that claimed the row last (its lease ends at ``available_at``)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (Index("ix_deliveries_status", "status", "available_at"),
                      Index("ix_deliveries_ordering", "ordering_key", "id"),
                      Index("ix_deliveries_run", "run_id", "status"))


class ConversationRefRow(Base):
    """A conversation reference (a Microsoft Teams chat or channel, a Slack channel Leerbot was
    added to), kept so the bot can write there proactively (``bot.storage.conversations``)."""

    __tablename__ = "conversation_refs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[str] = mapped_column(String(512))
    scope: Mapped[str] = mapped_column(String(16))
    reference: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("channel", "workspace", "user_id", "conversation_id",
                                       name="uq_conversation_refs"),)


class SlackInstallationRow(Base):
    """A Slack workspace that installed the app (multi-workspace OAuth). Tokens are
    encrypted with the key from LEERBOT_SECRET_KEY."""

    __tablename__ = "slack_installations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(String(64), default="")
    team_id: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[str] = mapped_column(String(64), default="")
    installation: Mapped[str] = mapped_column(String(20_000))
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_slack_installations_team", "enterprise_id", "team_id"),)


class SlackOAuthStateRow(Base):
    __tablename__ = "slack_oauth_states"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoredFileRow(Base):
    """A file (chart, export) a chat links to; fetched by its unguessable token. ``user_id``:
    whom it was made for (erasing their data deletes it at once)."""

    __tablename__ = "stored_files"
    __table_args__ = (Index("ix_stored_files_owner", "workspace", "user_id"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    workspace: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[str | None] = mapped_column(String(255), nullable=True)


class ScheduleRow(Base):
    """A recurring team moment: kind (checkin, reflection, kennisrondje, digest), the
    recurrence rule and its questions; ``last_date`` is the last occurrence planned."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    rule: Mapped[dict[str, Any]] = mapped_column(JSONType)
    questions: Mapped[list[Any]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RunRow(Base):
    """One fan-out: an occurrence of a schedule or a one-off (a kennisrondje started now, a
    follow-up day). ``run_key`` is unique: two replicas planning the same period make one run."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_key: Mapped[str] = mapped_column(String(255), unique=True)
    workspace: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    schedule_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    team_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    occurrence: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="planning")
    total: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: per status, the deliveries of this run removed after the retention period
    purged_counts: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)










class MailboxRow(Base):
    """Proactive messages for the console and web chat users (no platform to push to)."""

    __tablename__ = "mailbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    delivery_key: Mapped[str] = mapped_column(String(255), unique=True)
    messages: Mapped[list[Any]] = mapped_column(JSONType)
    seen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RateBucketRow(Base):
    """Shared rate limiter per platform and workspace/tenant: the next free send slot."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HealthCheckRow(Base):
    """The readiness probe's write: one row per serving process, touched by every check."""

    __tablename__ = "health_checks"

    replica: Mapped[str] = mapped_column(String(128), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
