"""staff desk: "no reply needed" marks

Revision ID: 0011_no_reply_marks
Revises: 0010_notification_threads
Create Date: 2026-12-04 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_no_reply_marks'
down_revision = '0010_notification_threads'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('no_reply_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.Enum('topic', 'review', name='no_reply_target', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_no_reply_marks_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_no_reply_marks_staff_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_no_reply_marks')),
    sa.UniqueConstraint('target_kind', 'target_id', name=op.f('uq_no_reply_marks_target_kind_target_id'))
    )
    with op.batch_alter_table('no_reply_marks', schema=None) as batch_op:
        batch_op.create_index('ix_no_reply_marks_brand_marked', ['brand_id', 'marked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_no_reply_marks_staff_id'), ['staff_id'], unique=False)


def downgrade():
    with op.batch_alter_table('no_reply_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_no_reply_marks_staff_id'))
        batch_op.drop_index('ix_no_reply_marks_brand_marked')

    op.drop_table('no_reply_marks')
