"""path_progress: the status of each training of an assigned leerlijn (started, done) and the
reflection on completion

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "path_progress",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("assignment_id", sa.Integer,
                  sa.ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("training", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reflection", sa.String(2000), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("assignment_id", "training", name="uq_path_progress_training"),
    )
    op.create_index("ix_path_progress_assignment_id", "path_progress", ["assignment_id"])
    op.create_index("ix_path_progress_user", "path_progress", ["workspace", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_path_progress_user", table_name="path_progress")
    op.drop_index("ix_path_progress_assignment_id", table_name="path_progress")
    op.drop_table("path_progress")
