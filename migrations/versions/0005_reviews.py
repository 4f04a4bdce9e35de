"""products and reviews

Revision ID: 0005_reviews
Revises: 0004_topic_activity_index
Create Date: 2026-11-23 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_reviews'
down_revision = '0004_topic_activity_index'
branch_labels = None
depends_on = None

OLD_KINDS = ('official_reply', 'mention', 'reply', 'new_topic')
NEW_KINDS = OLD_KINDS + ('review_answer', 'review_reply', 'review_resolved', 'review_moderated')


def upgrade():
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('image_url', sa.String(length=500), nullable=False),
    sa.Column('rating_count', sa.Integer(), nullable=False),
    sa.Column('rating_sum', sa.Integer(), nullable=False),
    sa.Column('stars_1', sa.Integer(), nullable=False),
    sa.Column('stars_2', sa.Integer(), nullable=False),
    sa.Column('stars_3', sa.Integer(), nullable=False),
    sa.Column('stars_4', sa.Integer(), nullable=False),
    sa.Column('stars_5', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating_count = stars_1 + stars_2 + stars_3 + stars_4 + stars_5', name=op.f('ck_products_rating_count_is_histogram_total')),
    sa.CheckConstraint('rating_sum = stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5', name=op.f('ck_products_rating_sum_is_histogram_total')),
    sa.CheckConstraint('stars_1 >= 0 AND stars_2 >= 0 AND stars_3 >= 0 AND stars_4 >= 0 AND stars_5 >= 0', name=op.f('ck_products_histogram_not_negative')),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_products_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('brand_id', 'sku', name=op.f('uq_products_brand_id_sku')),
    sa.UniqueConstraint('brand_id', 'slug', name=op.f('uq_products_brand_id_slug'))
    )
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'published', 'rejected', 'removed', name='review_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('is_verified_purchase', sa.Boolean(), nullable=False),
    sa.Column('helpful_count', sa.Integer(), nullable=False),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('edit_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('latest_answer_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('previous_stars', sa.Integer(), nullable=True),
    sa.Column('stars_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stars_changed_after_answer', sa.Boolean(), nullable=False),
    sa.Column('moderation_rule', sa.Enum('not_about_product', 'abuse', 'spam', 'personal_data', 'conflict_of_interest', 'other', name='review_rule', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('moderation_note', sa.String(length=500), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('helpful_count >= 0', name=op.f('ck_reviews_helpful_count_positive')),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_reviews_stars_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_reviews_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_reviews_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_reviews_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('product_id', 'author_id', name=op.f('uq_reviews_product_id_author_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_reviews_brand_unanswered', ['brand_id', 'status', 'answered_at', 'stars'], unique=False)
        batch_op.create_index('ix_reviews_product_helpful', ['product_id', 'status', 'helpful_count', 'id'], unique=False)
        batch_op.create_index('ix_reviews_product_newest', ['product_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_reviews_product_stars', ['product_id', 'status', 'stars', 'id'], unique=False)

    op.create_table('review_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('is_official', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_review_replies_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_replies_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_replies'))
    )
    with op.batch_alter_table('review_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_replies_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_review_replies_review', ['review_id', 'id'], unique=False)

    # reviews and review_replies point at each other: the second key comes once both exist.
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_reviews_latest_answer_id_review_replies'), 'review_replies',
            ['latest_answer_id'], ['id'], ondelete='SET NULL',
        )

    op.create_table('review_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_revisions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_revisions'))
    )
    with op.batch_alter_table('review_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_revisions_review_id'), ['review_id'], unique=False)

    op.create_table('review_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_votes_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_votes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_votes')),
    sa.UniqueConstraint('review_id', 'user_id', name=op.f('uq_review_votes_review_id_user_id'))
    )
    with op.batch_alter_table('review_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_votes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('brands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('premoderate_new_members', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('widget_origins', sa.Text(), nullable=False,
                                      server_default=''))

    # Reviews bring four new reasons to tell a member something.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_notification_kind'), type_='check')
        batch_op.create_check_constraint('notification_kind', sa.column('kind').in_(NEW_KINDS))




def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_reviews_latest_answer_id_review_replies'), type_='foreignkey'
        )
    op.execute(sa.text("DELETE FROM notifications WHERE kind LIKE 'review_%'"))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_notification_kind'), type_='check')
        batch_op.create_check_constraint('notification_kind', sa.column('kind').in_(OLD_KINDS))

    with op.batch_alter_table('brands', schema=None) as batch_op:
        batch_op.drop_column('widget_origins')
        batch_op.drop_column('premoderate_new_members')

    with op.batch_alter_table('review_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_votes_user_id'))

    op.drop_table('review_votes')
    with op.batch_alter_table('review_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_revisions_review_id'))

    op.drop_table('review_revisions')
    with op.batch_alter_table('review_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_review_replies_review')
        batch_op.drop_index(batch_op.f('ix_review_replies_author_id'))

    op.drop_table('review_replies')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_product_stars')
        batch_op.drop_index('ix_reviews_product_newest')
        batch_op.drop_index('ix_reviews_product_helpful')
        batch_op.drop_index('ix_reviews_brand_unanswered')
        batch_op.drop_index(batch_op.f('ix_reviews_author_id'))

    op.drop_table('reviews')
    op.drop_table('products')
