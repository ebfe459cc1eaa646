"""Alembic environment: uses the connection handed over by ``store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import conductlens.store.tables_images  # noqa: F401  (registers the image tables)
import conductlens.store.tables_jobs  # noqa: F401  (registers the jobs table)
import conductlens.store.tables_report  # noqa: F401  (registers the report tables)
import conductlens.store.tables_review  # noqa: F401  (registers the review tables)
from conductlens.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # pragma: no cover - only for `alembic revision --autogenerate`
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///alembic-dev.db"
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
