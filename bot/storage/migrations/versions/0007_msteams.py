"""Microsoft Teams is stored as channel "msteams"

It was "teams", a word that also names groups of people: sessions, members, conversation
references, inbox, deliveries (their channel, ordering key and room recipient), team rooms
"msteams:<conversation>" and rate buckets.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: (table, column) holding a channel name as a whole value
NAMES = (("dialog_sessions", "channel"), ("members", "channel"), ("conversation_refs", "channel"),
         ("inbox", "source"), ("deliveries", "channel"))
#: (table, column, width) holding "<channel>:<rest>" (a room, a rate bucket)
PREFIXED = (("teams", "room", 255), ("rate_buckets", "key", 160))


def _rename(old: str, new: str) -> None:
    for table, column in NAMES:
        op.execute(f"UPDATE {table} SET {column} = '{new}' WHERE {column} = '{old}'")
    for table, column, width in PREFIXED:
        _swap_prefix(table, column, width, f"{old}:", f"{new}:")
    # a delivery to a room names the room as its recipient
    _swap_prefix("deliveries", "recipient", 128, f"{old}:", f"{new}:", f"channel = '{new}'")
    # ordering keys: "<workspace>:<channel>:<user>" and "<workspace>:room:<channel>:<address>"
    for middle in (":", ":room:"):
        _swap_prefix("deliveries", "ordering_key", 512, f"{middle}{old}:", f"{middle}{new}:",
                     lead="workspace")


def _swap_prefix(table: str, column: str, width: int, old: str, new: str,
                 where: str = "1 = 1", lead: str | None = None) -> None:
    """Replace ``old`` by ``new`` where the value starts with it (after the value of the
    column ``lead``, when given): plain substr, length and ||, the same on SQLite and
    PostgreSQL. ``old`` and ``new`` are this migration's own constants."""
    head = f"{lead} || '{old}'" if lead else f"'{old}'"
    keep = f"{lead} || '{new}'" if lead else f"'{new}'"
    op.execute(f"UPDATE {table} SET {column} = substr({keep} || substr({column}, "
               f"length({head}) + 1), 1, {width}) "
               f"WHERE {where} AND substr({column}, 1, length({head})) = {head}")


def upgrade() -> None:
    _rename("teams", "msteams")


def downgrade() -> None:
    _rename("msteams", "teams")
