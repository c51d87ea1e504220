"""members, dialog sessions, paths, assignments, scans, wishes, profiles

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def _when() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=True),
        _when(),
        sa.UniqueConstraint("workspace", "user_id", name="uq_members_user"),
    )
    op.create_table(
        "dialog_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("conversation", sa.String(255), nullable=False),
        sa.Column("session", JSONType, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "workspace", "user_id", "conversation",
                            name="uq_dialog_sessions_key"),
    )
    op.create_table(
        "paths",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        _when(),
        sa.Column("spec", JSONType, nullable=False),
        sa.Column("trainings", JSONType, nullable=False),
        sa.Column("total_minutes", sa.Integer, nullable=False),
        sa.Column("warnings", JSONType, nullable=False),
    )
    op.create_index("ix_paths_workspace", "paths", ["workspace"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("path_id", sa.Integer, sa.ForeignKey("paths.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(128), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("path_id", "user_id", name="uq_assignments_user"),
    )
    op.create_index("ix_assignments_path_id", "assignments", ["path_id"])
    op.create_index("ix_assignments_user", "assignments", ["workspace", "user_id"])
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("team", sa.String(255), nullable=False),
        sa.Column("taken_by", sa.String(128), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scores", JSONType, nullable=False),
        sa.Column("profile", sa.Integer, nullable=False),
        sa.Column("priorities", JSONType, nullable=False),
        sa.Column("top_actions", JSONType, nullable=False),
    )
    op.create_index("ix_scans_team", "scans", ["workspace", "team"])
    op.create_table(
        "learning_wishes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("competencies", JSONType, nullable=False),
        sa.Column("reflection", JSONType, nullable=False),
        _when(),
    )
    op.create_index("ix_learning_wishes_user", "learning_wishes", ["workspace", "user_id"])
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace", "user_id", name="uq_profiles_user"),
    )


def downgrade() -> None:
    for table in ("profiles", "learning_wishes", "scans", "assignments", "paths",
                  "dialog_sessions", "members"):
        op.drop_table(table)
