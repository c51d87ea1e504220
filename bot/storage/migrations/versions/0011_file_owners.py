"""A stored file (an export, a chart) names the person it was made for, so erasing their data
deletes it at once

Files stored before have no owner; they expire within a day as before.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stored_files") as table:
        table.add_column(sa.Column("user_id", sa.String(255), nullable=True))
        table.create_index("ix_stored_files_owner", ["workspace", "user_id"])


def downgrade() -> None:
    with op.batch_alter_table("stored_files") as table:
        table.drop_index("ix_stored_files_owner")
        table.drop_column("user_id")
