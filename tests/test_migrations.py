"""The schema comes only from migrations, and the migrations describe the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from fanhub.extensions import db
from fanhub.search.models import FTS_TABLE, VECTOR_COLUMN, VECTOR_INDEX


def _engine_objects(name, type_, parent_names):
    # Search's full-text index is each engine's own SQL beside the models (migration
    # 0015, docs/search.md): SQLite's FTS5 table and its shadow tables, PostgreSQL's
    # tsvector column and its GIN index. No model can describe them, so the comparison
    # leaves out exactly these, by name.
    if type_ == "table":
        return not name.startswith(FTS_TABLE)
    if type_ == "column":
        return not (name == VECTOR_COLUMN and parent_names.get("table_name") == "search_documents")
    if type_ == "index":
        return name != VECTOR_INDEX
    return True


def _differences(connection):
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": _engine_objects}
    )
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


def test_a_revision_that_rebuilds_a_table_keeps_the_rows_that_point_at_it(isolated_app):
    """SQLite changes a table by copying and dropping it: with foreign keys enforced, the
    drop would cascade and take every flag with its case, every topic with its brand. The
    migration environment turns enforcement off while it runs, so going down past the
    console's revisions (which rebuild the log's tables and the brands') and back up keeps
    every row, and the app's own connections still enforce foreign keys afterwards."""
    from sqlalchemy import func, select, text

    from fanhub.forums.models import Topic
    from fanhub.moderation.models import Flag
    from tests import factories
    from tests.moderation.conftest import flag

    app = isolated_app
    owner, reporter = factories.make_user(app, "ana"), factories.make_user(app, "ben")
    brand = factories.make_brand(app, "acme", name="Acme")
    topic = factories.make_topic(app, factories.make_category(app, brand), owner)
    flag(app, reporter, "topic", topic.id, note="Looks like an advert")
    with app.app_context():
        counted = (select(func.count()).select_from(Topic), select(func.count()).select_from(Flag))
        before = [db.session.scalar(query) for query in counted]
        db.session.remove()
        downgrade(revision="0011_no_reply_marks")
        upgrade()
        after = [db.session.scalar(query) for query in counted]
        enforced = (
            db.session.execute(text("PRAGMA foreign_keys")).scalar()
            if (db.engine.dialect.name == "sqlite")
            else 1
        )
    assert before == [1, 1]
    assert after == before
    assert enforced == 1
