"""search suggestions: the composers that showed "answers before asking", for the desk

Revision ID: 0016_search_suggestions
Revises: 0015_search
Create Date: 2026-12-05 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_search_suggestions'
down_revision = '0015_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_suggestion_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opens', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_search_suggestion_sessions_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_suggestion_sessions')),
    sa.UniqueConstraint('token', name=op.f('uq_search_suggestion_sessions_token'))
    )
    with op.batch_alter_table('search_suggestion_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_search_suggestion_sessions_brand_shown', ['brand_id', 'shown_at'], unique=False)


def downgrade():
    with op.batch_alter_table('search_suggestion_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_search_suggestion_sessions_brand_shown')

    op.drop_table('search_suggestion_sessions')
