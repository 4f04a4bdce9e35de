"""The schema comes only from migrations, and the migrations describe the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from fanhub.extensions import db


def _differences(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_the_migrated_schema_matches_the_models(app):
    with app.app_context():
        assert _differences(db.engines[None]) == []


def test_migrations_go_down_to_nothing_and_back_up(isolated_app):
    with isolated_app.app_context():
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        with db.engine.connect() as connection:
            assert _differences(connection) == []
