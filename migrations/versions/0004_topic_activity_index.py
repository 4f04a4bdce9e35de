"""index topics by brand and last activity, for the fan page

Revision ID: 0004_topic_activity_index
Revises: 0003_notifications
Create Date: 2026-11-23 13:00:00

"""
from alembic import op


revision = '0004_topic_activity_index'
down_revision = '0003_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.create_index(
            'ix_topics_brand_activity', ['brand_id', 'last_posted_at', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index('ix_topics_brand_activity')
