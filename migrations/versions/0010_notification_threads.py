"""notifications carry their thread (key, title) and brand

Revision ID: 0010_notification_threads
Revises: 0009_contact
Create Date: 2026-12-02 10:00:00

"""
import re
from urllib.parse import urlsplit

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_notification_threads'
down_revision = '0009_contact'
branch_labels = None
depends_on = None

WAITING = 'emailed_at IS NULL AND email_frequency IS NOT NULL'
BATCH = 1000

# The rows written before the thread was a column are keyed and titled as
# fanhub.notifications.models.thread_key_of and quoted_title do for a notification told
# no thread (copied here: a migration must not change when the code does). Two links had
# the same path exactly when they get the same key, so old rows group as they did.
TOPIC_PATH = re.compile(r'/t/(\d+)')
REVIEW_PATH = re.compile(r'/b/[^/]+/p/[^/]+/r/(\d+)')
BRAND_PATH = re.compile(r'/b/([^/]+)(?:/.*)?')
QUOTED_TITLE = re.compile(r'“([^”]+)”')
TITLE_MAX = 300
BRAND_NAME_MAX = 80

notifications = sa.table(
    'notifications',
    sa.column('id', sa.Integer),
    sa.column('url', sa.String),
    sa.column('message', sa.String),
    sa.column('thread_key', sa.String),
    sa.column('thread_title', sa.String),
    sa.column('brand_id', sa.Integer),
)
brands = sa.table('brands', sa.column('id', sa.Integer), sa.column('slug', sa.String))


def _thread_of(url, message):
    path = urlsplit(url).path
    if match := TOPIC_PATH.fullmatch(path):
        key = f'topic:{match.group(1)}'
    elif match := REVIEW_PATH.fullmatch(path):
        key = f'review:{match.group(1)}'
    else:
        key = path
    match = QUOTED_TITLE.search(message)
    title = match.group(1) if match else None
    if title and len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + '…'
    return key, title


def _backfill():
    connection = op.get_bind()
    brand_by_slug = dict(connection.execute(sa.select(brands.c.slug, brands.c.id)).all())
    after = 0
    while True:
        rows = connection.execute(
            sa.select(notifications.c.id, notifications.c.url, notifications.c.message)
            .where(notifications.c.id > after)
            .order_by(notifications.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        values = []
        for id_, url, message in rows:
            key, title = _thread_of(url, message)
            # A link into a brand's pages (its news, a product) names the brand by slug.
            slug = BRAND_PATH.fullmatch(urlsplit(url).path)
            values.append({'row_id': id_, 'key': key, 'title': title,
                           'brand': brand_by_slug.get(slug.group(1)) if slug else None})
        connection.execute(
            notifications.update()
            .where(notifications.c.id == sa.bindparam('row_id'))
            .values(thread_key=sa.bindparam('key'), thread_title=sa.bindparam('title'),
                    brand_id=sa.bindparam('brand')),
            values,
        )
        after = rows[-1][0]
    # A topic's brand, through its row (none if the topic is gone since); a review's link
    # named its brand already, but its row still knows it if the brand's slug changed.
    op.execute(
        "UPDATE notifications SET brand_id = (SELECT topics.brand_id FROM topics"
        " WHERE topics.id = CAST(substr(notifications.thread_key, 7) AS INTEGER))"
        " WHERE thread_key LIKE 'topic:%'"
    )
    op.execute(
        "UPDATE notifications SET brand_id = (SELECT reviews.brand_id FROM reviews"
        " WHERE reviews.id = CAST(substr(notifications.thread_key, 8) AS INTEGER))"
        " WHERE thread_key LIKE 'review:%' AND brand_id IS NULL"
    )
    op.execute(
        f"UPDATE notifications SET brand_name = (SELECT substr(brands.name, 1, {BRAND_NAME_MAX})"
        " FROM brands WHERE brands.id = notifications.brand_id) WHERE brand_id IS NOT NULL"
    )


def upgrade():
    # The table is rebuilt on SQLite, which would not carry the partial index over.
    op.drop_index('ix_notifications_email_waiting', table_name='notifications',
                  sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_key', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('thread_title', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('brand_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('brand_name', sa.String(length=80), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_brand_id_brands'), 'brands',
                                    ['brand_id'], ['id'], ondelete='SET NULL')
    _backfill()
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('thread_key', existing_type=sa.String(length=500), nullable=False)
    op.create_index('ix_notifications_email_waiting', 'notifications',
                    ['email_frequency', 'email_due_at'], unique=False,
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.create_index('ix_notifications_thread_waiting', 'notifications',
                    ['user_id', 'thread_key'], unique=False,
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))


def downgrade():
    op.drop_index('ix_notifications_thread_waiting', table_name='notifications',
                  sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.drop_index('ix_notifications_email_waiting', table_name='notifications',
                  sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_brand_id_brands'),
                                 type_='foreignkey')
        batch_op.drop_column('brand_name')
        batch_op.drop_column('brand_id')
        batch_op.drop_column('thread_title')
        batch_op.drop_column('thread_key')
    op.create_index('ix_notifications_email_waiting', 'notifications',
                    ['email_frequency', 'email_due_at'], unique=False,
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
