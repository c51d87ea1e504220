"""learning together: teams, schedules, runs, answers, forum, buddies, mailbox, rate buckets

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=True))
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("opt_out", JSONType, nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(_time("sending_at", nullable=True))
        batch.add_column(sa.Column("recipient", sa.String(128), nullable=True))
        batch.add_column(sa.Column("result", JSONType, nullable=True))
    op.create_index("ix_deliveries_run", "deliveries", ["run_id", "status"])
    op.create_table(
        "teams", _id(),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("lead", sa.String(128), nullable=False),
        sa.Column("room", sa.String(255), nullable=True),
        sa.Column("settings", JSONType, nullable=False),
        _time("created_at"),
        sa.UniqueConstraint("workspace", "name", name="uq_teams_name"),
    )
    op.create_table(
        "team_members", _id(),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.UniqueConstraint("team_id", "user_id", name="uq_team_members"),
    )
    op.create_table(
        "schedules", _id(),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rule", JSONType, nullable=False),
        sa.Column("questions", JSONType, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("last_date", sa.Date, nullable=True),
        sa.Column("created_by", sa.String(128), nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "runs", _id(),
        sa.Column("run_key", sa.String(255), nullable=False, unique=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("schedule_id", sa.Integer, nullable=True),
        sa.Column("team_id", sa.Integer, nullable=True),
        sa.Column("occurrence", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("details", JSONType, nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "answers", _id(),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("run_id", sa.Integer, nullable=True, index=True),
        sa.Column("team_id", sa.Integer, nullable=True),
        sa.Column("path_id", sa.Integer, nullable=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("text", sa.String(4000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("competencies", JSONType, nullable=True),
        _time("created_at"),
    )
    op.create_table(
        "forum_questions", _id(),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("team_id", sa.Integer, nullable=True),
        sa.Column("asker", sa.String(128), nullable=True),
        sa.Column("text", sa.String(4000), nullable=False),
        sa.Column("competencies", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("suggested", JSONType, nullable=False),
        _time("created_at"),
        _time("solved_at", nullable=True),
    )
    op.create_table(
        "forum_answers", _id(),
        sa.Column("question_id", sa.Integer,
                  sa.ForeignKey("forum_questions.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("text", sa.String(4000), nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "buddy_pairs", _id(),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("members", JSONType, nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "mailbox", _id(),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False, index=True),
        sa.Column("delivery_key", sa.String(255), nullable=False, unique=True),
        sa.Column("messages", JSONType, nullable=False),
        sa.Column("seen", sa.Boolean, nullable=False),
        _time("created_at"),
    )
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(160), primary_key=True),
        _time("next_at"),
    )


def downgrade() -> None:
    for table in ("rate_buckets", "mailbox", "buddy_pairs", "forum_answers", "forum_questions",
                  "answers", "runs", "schedules", "team_members", "teams"):
        op.drop_table(table)
    op.drop_index("ix_deliveries_run", "deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("result")
        batch.drop_column("recipient")
        batch.drop_column("sending_at")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("opt_out")
        batch.drop_column("timezone")
        batch.drop_column("channel")
