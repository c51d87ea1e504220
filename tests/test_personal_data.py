"""Every table that can name a person is covered by a storage module's personal-data hook, so
"mijn gegevens" exports and erases it; a new table cannot be forgotten."""

from __future__ import annotations

from bot.storage.models import Base
from bot.storage.personal import hooks

#: columns that hold a person's id (or a list of ids)
PERSON_COLUMNS = {"user_id", "created_by", "taken_by", "assigned_by", "asker", "author", "lead",
                  "recipient", "members", "suggested", "owner"}


def test_every_table_naming_a_person_has_a_hook() -> None:
    covered = {table for hook in hooks() for table in hook.tables}
    naming = {table.name for table in Base.metadata.tables.values()
              if PERSON_COLUMNS & {column.name for column in table.columns}}
    assert naming - covered == set()
    assert covered - set(Base.metadata.tables) == set()  # no hook names a table that is gone


def test_hooks_have_their_own_names() -> None:
    names = [hook.name for hook in hooks()]
    assert len(names) == len(set(names))
