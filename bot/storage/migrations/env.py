"""Alembic environment: migrations always run on a connection handed in by bot.storage.db."""

from alembic import context

from bot.storage.models import Base
from bot.storage.ports import load_storage_modules

load_storage_modules()  # the feature tables live next to their storage: all of Base.metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `leerbot db upgrade`")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
