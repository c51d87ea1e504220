"""Leerlijn names are unique per workspace, whatever their case

A column ``name_key`` holds the name as names compare (case and surrounding spaces do not
count) with a unique index on (workspace, name_key). Leerlijnen saved earlier under a name
that was already taken get their id added to the name, e.g. "Secretaresses (#12)", so no
leerlijn is lost. No table is rebuilt (SQLite would cascade a rebuilt ``paths`` into its
assignments).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # the same rule as dialogs.paths.port.name_key, written out: a migration keeps its own
    return " ".join(name.split()).casefold()


def upgrade() -> None:
    op.add_column("paths", sa.Column("name_key", sa.String(255), nullable=False,
                                     server_default=""))
    paths = sa.table("paths", sa.column("id", sa.Integer), sa.column("workspace", sa.String),
                     sa.column("name", sa.String), sa.column("name_key", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(paths.c.id, paths.c.workspace, paths.c.name)
                              .order_by(paths.c.id)).all()
    seen: set[tuple[str, str]] = set()
    for ident, workspace, name in rows:
        if (workspace, _key(name)) in seen:
            name = f"{' '.join(name.split())[:240]} (#{ident})"
        seen.add((workspace, _key(name)))
        connection.execute(paths.update().where(paths.c.id == ident)
                           .values(name=name, name_key=_key(name)))
    op.create_index("uq_paths_name", "paths", ["workspace", "name_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_paths_name", table_name="paths")
    op.drop_column("paths", "name_key")  # plain ALTER TABLE: SQLite >= 3.35 drops columns
