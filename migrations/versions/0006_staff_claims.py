"""staff claims

Revision ID: 0006_staff_claims
Revises: 0005_reviews
Create Date: 2026-11-23 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_staff_claims'
down_revision = '0005_reviews'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.Enum('topic', 'review', name='claim_target', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_claims_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_claims_staff_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('target_kind', 'target_id', name=op.f('uq_claims_target_kind_target_id'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index('ix_claims_brand_expires', ['brand_id', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_staff_id'), ['staff_id'], unique=False)

    # The desk's queue: only what waits, in the order the desk lists it (partial indexes,
    # which SQLite and PostgreSQL both have).
    waiting_topic = sa.text("first_official_reply_at IS NULL")
    waiting_review = sa.text("status = 'published' AND answered_at IS NULL")
    op.create_index('ix_topics_brand_waiting', 'topics', ['brand_id', 'created_at', 'id'],
                    unique=False, sqlite_where=waiting_topic, postgresql_where=waiting_topic)
    op.create_index('ix_reviews_brand_waiting', 'reviews', ['brand_id', 'stars', 'created_at', 'id'],
                    unique=False, sqlite_where=waiting_review, postgresql_where=waiting_review)


def downgrade():
    op.drop_index('ix_reviews_brand_waiting', table_name='reviews')
    op.drop_index('ix_topics_brand_waiting', table_name='topics')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_staff_id'))
        batch_op.drop_index('ix_claims_brand_expires')

    op.drop_table('claims')
