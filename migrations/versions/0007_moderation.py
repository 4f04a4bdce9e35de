"""moderation

Revision ID: 0007_moderation
Revises: 0006_staff_claims
Create Date: 2026-11-23 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_moderation'
down_revision = '0006_staff_claims'
branch_labels = None
depends_on = None

OLD_KINDS = ('official_reply', 'mention', 'reply', 'new_topic',
             'review_answer', 'review_reply', 'review_resolved', 'review_moderated')
NEW_KINDS = OLD_KINDS + ('moderation',)
OLD_POST_STATUSES = ('visible', 'deleted_by_author')
NEW_POST_STATUSES = OLD_POST_STATUSES + ('pending', 'hidden', 'removed')
OLD_REVIEW_STATUSES = ('pending', 'published', 'rejected', 'removed')
NEW_REVIEW_STATUSES = OLD_REVIEW_STATUSES + ('hidden',)


def _replace_check(table, name, column, values):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(name, sa.column(column).in_(values))


def upgrade():
    op.create_table('moderation_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('dismiss', 'hide', 'remove', 'restore', 'approve', 'reject', 'lock', 'suspend', 'ban', 'lift', 'auto_hide', name='moderation_decision', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('item_kind', sa.Enum('topic', 'post', 'review', 'review_reply', 'member', name='moderation_action_item', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.Enum('spam', 'abuse', 'off_topic', 'personal_data', 'not_about_product', 'other', name='moderation_rule', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('state_before', sa.JSON(), nullable=False),
    sa.Column('state_after', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_moderation_actions_brand_id_brands'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderation_actions_moderator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_moderation_actions_subject_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_actions'))
    )
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_actions_brand_id', ['brand_id', 'id'], unique=False)
        batch_op.create_index('ix_moderation_actions_moderator', ['moderator_id', 'id'], unique=False)
        batch_op.create_index('ix_moderation_actions_subject', ['subject_id', 'id'], unique=False)

    op.create_table('moderation_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.Enum('topic', 'post', 'review', 'review_reply', 'member', name='moderation_item_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='moderation_case_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('open_flag_count', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('last_decision', sa.Enum('dismiss', 'hide', 'remove', 'restore', 'approve', 'reject', 'lock', 'suspend', 'ban', 'lift', 'auto_hide', name='moderation_case_decision', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_moderation_cases_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_moderation_cases_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_moderation_cases_subject_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_cases')),
    sa.UniqueConstraint('item_kind', 'item_id', name=op.f('uq_moderation_cases_item_kind_item_id'))
    )
    with op.batch_alter_table('moderation_cases', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_cases_queue', ['status', 'brand_id', 'opened_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_cases_subject_id'), ['subject_id'], unique=False)

    op.create_table('flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('spam', 'abuse', 'off_topic', 'other', name='flag_reason', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('open', 'dismissed', 'upheld', name='flag_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['moderation_cases.id'], name=op.f('fk_flags_case_id_moderation_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_flags_reporter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags'))
    )
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.create_index('ix_flags_case_status', ['case_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_flags_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('uq_flags_open_per_reporter', ['case_id', 'reporter_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('moderation_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['moderation_actions.id'], name=op.f('fk_moderation_appeals_action_id_moderation_actions')),
    sa.ForeignKeyConstraint(['case_id'], ['moderation_cases.id'], name=op.f('fk_moderation_appeals_case_id_moderation_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_moderation_appeals_member_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_appeals')),
    sa.UniqueConstraint('case_id', name=op.f('uq_moderation_appeals_case_id'))
    )
    with op.batch_alter_table('review_replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('visible', 'pending', 'hidden', 'removed', name='reply_status', native_enum=False, create_constraint=True, length=20), nullable=False,
                                      server_default='visible'))

    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('visible', 'pending', 'hidden', 'removed', name='topic_status', native_enum=False, create_constraint=True, length=20), nullable=False,
                                      server_default='visible'))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('banned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('banned_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sanction_reason', sa.String(length=500), nullable=False,
                                      server_default=''))

    # Moderation brings new states for posts and reviews, and a new reason to tell someone.
    _replace_check('posts', 'post_status', 'status', NEW_POST_STATUSES)
    _replace_check('reviews', 'review_status', 'status', NEW_REVIEW_STATUSES)
    _replace_check('notifications', 'notification_kind', 'kind', NEW_KINDS)



def downgrade():
    # Back to the states the old code knows, never showing what a moderator took down.
    op.execute("UPDATE posts SET status = 'deleted_by_author' WHERE status IN ('pending', 'hidden', 'removed')")
    op.execute("UPDATE reviews SET status = 'removed' WHERE status = 'hidden'")
    op.execute("UPDATE notifications SET kind = 'review_moderated' WHERE kind = 'moderation'")
    _replace_check('notifications', 'notification_kind', 'kind', OLD_KINDS)
    _replace_check('reviews', 'review_status', 'status', OLD_REVIEW_STATUSES)
    _replace_check('posts', 'post_status', 'status', OLD_POST_STATUSES)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('sanction_reason')
        batch_op.drop_column('banned_until')
        batch_op.drop_column('banned_at')
        batch_op.drop_column('suspended_until')

    # The columns' CHECK constraints go first: SQLite's batch copy would keep them.
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_topics_topic_status'), type_='check')
        batch_op.drop_column('status')

    with op.batch_alter_table('review_replies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_review_replies_reply_status'), type_='check')
        batch_op.drop_column('status')

    op.drop_table('moderation_appeals')
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index('uq_flags_open_per_reporter', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_flags_reporter_id'))
        batch_op.drop_index('ix_flags_case_status')

    op.drop_table('flags')
    with op.batch_alter_table('moderation_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_cases_subject_id'))
        batch_op.drop_index('ix_moderation_cases_queue')

    op.drop_table('moderation_cases')
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_actions_subject')
        batch_op.drop_index('ix_moderation_actions_moderator')
        batch_op.drop_index('ix_moderation_actions_brand_id')

    op.drop_table('moderation_actions')
