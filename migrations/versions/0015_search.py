"""search: the index's documents, each brand's language, and each engine's full-text index

Revision ID: 0015_search
Revises: 0014_site_settings
Create Date: 2026-12-05 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_search'
down_revision = '0014_site_settings'
branch_labels = None
depends_on = None

# The full-text index is each engine's own SQL, beside the tables the models describe
# (fanhub/search/models.py names what tests/test_migrations.py leaves out for that).
#
# SQLite: an external-content FTS5 table over the documents' title and body (the words
# are stored once), with Porter stemming over Unicode words, accents folded; triggers
# keep it in step inside the writing transaction.
SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body,
        content='search_documents', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_documents_au AFTER UPDATE OF title, body ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_documents_au",
    "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_ai",
    "DROP TABLE IF EXISTS search_fts",
]
# PostgreSQL: the title (weight A) and body (weight B) as a tsvector in the document's own
# language, set by a trigger whenever they (or the language) change, with a GIN index.
POSTGRESQL_UP = [
    "ALTER TABLE search_documents ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''",
    """CREATE FUNCTION search_documents_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector(NEW.language::regconfig, coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector(NEW.language::regconfig, coalesce(NEW.body, '')), 'B');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER search_documents_vector
        BEFORE INSERT OR UPDATE OF title, body, language ON search_documents
        FOR EACH ROW EXECUTE FUNCTION search_documents_vector()""",
    "CREATE INDEX ix_search_documents_search_vector ON search_documents USING gin (search_vector)",
]
POSTGRESQL_DOWN = [
    "DROP INDEX IF EXISTS ix_search_documents_search_vector",
    "DROP TRIGGER IF EXISTS search_documents_vector ON search_documents",
    "DROP FUNCTION IF EXISTS search_documents_vector()",
    "ALTER TABLE search_documents DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('thread_kind', sa.String(length=20), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_search_documents_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_search_documents_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'item_id', name=op.f('uq_search_documents_kind_item_id'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_thread', ['thread_kind', 'thread_id'], unique=False)
        batch_op.create_index('ix_search_documents_brand_created', ['brand_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_author_id'), ['author_id'], unique=False)

    op.create_table('search_languages',
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_search_languages_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('brand_id', name=op.f('pk_search_languages'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _run(SQLITE_UP)
    elif dialect == 'postgresql':
        _run(POSTGRESQL_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _run(SQLITE_DOWN)
    elif dialect == 'postgresql':
        _run(POSTGRESQL_DOWN)
    op.drop_table('search_languages')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_author_id'))
        batch_op.drop_index('ix_search_documents_brand_created')
        batch_op.drop_index('ix_search_documents_thread')

    op.drop_table('search_documents')
