"""team scan: rounds, invitations, anonymous responses; a scan may have no single profile

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def _round_id() -> sa.Column:
    return sa.Column("round_id", sa.Integer,
                     sa.ForeignKey("team_scan_rounds.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.alter_column("profile", existing_type=sa.Integer, nullable=True)
    op.create_table(
        "team_scan_rounds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("team_id", sa.Integer, nullable=True),
        sa.Column("team", sa.String(255), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited", sa.Integer, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
    )
    op.create_index("ix_team_scan_rounds_workspace", "team_scan_rounds",
                    ["workspace", "team_id"])
    op.create_table(
        "team_scan_invitations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _round_id(),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.UniqueConstraint("round_id", "user_id", name="uq_team_scan_invitation"),
    )
    op.create_index("ix_team_scan_invitations_user", "team_scan_invitations",
                    ["workspace", "user_id"])
    op.create_table(
        "team_scan_responses",
        sa.Column("id", sa.String(32), primary_key=True),
        _round_id(),
        sa.Column("scores", JSONType, nullable=False),
    )
    op.create_index("ix_team_scan_responses_round_id", "team_scan_responses", ["round_id"])


def downgrade() -> None:
    op.drop_table("team_scan_responses")
    op.drop_table("team_scan_invitations")
    op.drop_table("team_scan_rounds")
    op.execute("UPDATE scans SET profile = 0 WHERE profile IS NULL")  # 0: no single profile
    with op.batch_alter_table("scans") as batch:
        batch.alter_column("profile", existing_type=sa.Integer, nullable=False)
