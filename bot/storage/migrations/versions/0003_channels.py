"""inbox, deliveries, conversation references, Slack installations, stored files

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("event_key", sa.String(255), nullable=False),
        sa.Column("conversation_key", sa.String(512), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _time("available_at"),
        sa.Column("last_error", sa.String(500), nullable=True),
        _time("created_at"),
        sa.UniqueConstraint("source", "event_key", name="uq_inbox_event"),
    )
    op.create_index("ix_inbox_status", "inbox", ["status", "available_at"])
    op.create_index("ix_inbox_conversation", "inbox", ["conversation_key", "id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(255), nullable=False, unique=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("ordering_key", sa.String(512), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _time("available_at"),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("run_id", sa.Integer, nullable=True),
        _time("created_at"),
        _time("sent_at", nullable=True),
    )
    op.create_index("ix_deliveries_status", "deliveries", ["status", "available_at"])
    op.create_index("ix_deliveries_ordering", "deliveries", ["ordering_key", "id"])
    op.create_table(
        "conversation_refs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("reference", JSONType, nullable=False),
        _time("updated_at"),
        sa.UniqueConstraint("channel", "workspace", "user_id", "conversation_id",
                            name="uq_conversation_refs"),
    )
    op.create_table(
        "slack_installations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("enterprise_id", sa.String(64), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("installation", sa.String(20_000), nullable=False),
        _time("installed_at"),
    )
    op.create_index("ix_slack_installations_team", "slack_installations",
                    ["enterprise_id", "team_id"])
    op.create_table(
        "slack_oauth_states",
        sa.Column("state", sa.String(128), primary_key=True),
        _time("expires_at"),
    )
    op.create_table(
        "stored_files",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        _time("expires_at"),
    )


def downgrade() -> None:
    for table in ("stored_files", "slack_oauth_states", "slack_installations",
                  "conversation_refs", "deliveries", "inbox"):
        op.drop_table(table)
