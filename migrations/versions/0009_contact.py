"""contact preferences, consent and data rights

Revision ID: 0009_contact
Revises: 0008_trust
Create Date: 2026-11-23 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_contact'
down_revision = '0008_trust'
branch_labels = None
depends_on = None

OLD_KINDS = ('official_reply', 'mention', 'reply', 'new_topic', 'review_answer', 'review_reply',
             'review_resolved', 'review_moderated', 'moderation')
# Announcements to a brand's followers, and the product news and offers they opted into.
NEW_KINDS = OLD_KINDS + ('announcement', 'offer')


def _replace_check(table, name, column, values):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(name, sa.column(column).in_(values))


def upgrade():
    op.create_table('consent_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('replies', 'mentions', 'official', 'new_topics', 'announcements', 'offers', name='consent_message_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('channel', sa.Enum('onsite', 'email', name='consent_channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('frequency', sa.Enum('instant', 'daily', 'weekly', 'never', name='consent_frequency', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('source', sa.Enum('preference_centre', 'signup_step', 'unsubscribe_link', 'account_deletion', name='consent_source', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consent_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_events'))
    )
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.create_index('ix_consent_events_user_id_id', ['user_id', 'id'], unique=False)

    op.create_table('contact_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('replies', 'mentions', 'official', 'new_topics', 'announcements', 'offers', name='contact_message_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('channel', sa.Enum('onsite', 'email', name='contact_channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('frequency', sa.Enum('instant', 'daily', 'weekly', 'never', name='contact_frequency', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contact_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_preferences')),
    sa.UniqueConstraint('user_id', 'kind', 'channel', name=op.f('uq_contact_preferences_user_id_kind_channel'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_inbox', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('email_frequency', sa.Enum('instant', 'daily', 'weekly', 'never', name='notification_email_frequency', native_enum=False, create_constraint=True, length=20), nullable=True))
        batch_op.add_column(sa.Column('email_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))

    _replace_check('notifications', 'notification_kind', 'kind', NEW_KINDS)
    # After the table's last rebuild on SQLite, which would not carry the partial index over.
    op.create_index('ix_notifications_actor_id', 'notifications', ['actor_id'], unique=False)
    op.create_index('ix_notifications_email_waiting', 'notifications',
                    ['email_frequency', 'email_due_at'], unique=False,
                    sqlite_where=sa.text('emailed_at IS NULL AND email_frequency IS NOT NULL'),
                    postgresql_where=sa.text('emailed_at IS NULL AND email_frequency IS NOT NULL'))


def downgrade():
    op.drop_index('ix_notifications_email_waiting', table_name='notifications')
    op.drop_index('ix_notifications_actor_id', table_name='notifications')
    # Fails rather than deleting them while announcement or offer notifications exist.
    _replace_check('notifications', 'notification_kind', 'kind', OLD_KINDS)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_notification_email_frequency'),
                                 type_='check')
        batch_op.drop_column('emailed_at')
        batch_op.drop_column('email_due_at')
        batch_op.drop_column('email_frequency')
        batch_op.drop_column('in_inbox')

    op.drop_table('contact_preferences')
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_events_user_id_id')

    op.drop_table('consent_events')
