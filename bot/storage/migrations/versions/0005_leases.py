"""leases held by a named worker, the readiness write, counts of purged deliveries

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    for table in ("inbox", "deliveries"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("purged_counts", JSONType, nullable=True))
    op.create_table(
        "health_checks",
        sa.Column("replica", sa.String(128), primary_key=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("health_checks")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("purged_counts")
    for table in ("deliveries", "inbox"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("claimed_by")
