"""PostgreSQL: notify the workers of every replica when inbox events or deliveries are queued

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: table and the channel its trigger notifies (bot/wakeups.py listens)
CHANNELS = {"inbox": "leerbot_inbox", "deliveries": "leerbot_deliveries"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: the workers poll (and the storing process wakes its own)
    op.execute("CREATE OR REPLACE FUNCTION leerbot_notify() RETURNS trigger LANGUAGE plpgsql "
               "AS $$ BEGIN PERFORM pg_notify(TG_ARGV[0], ''); RETURN NULL; END $$")
    for table, channel in CHANNELS.items():
        op.execute(f"CREATE TRIGGER {table}_queued AFTER INSERT ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION leerbot_notify('{channel}')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in CHANNELS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_queued ON {table}")
    op.execute("DROP FUNCTION IF EXISTS leerbot_notify()")
