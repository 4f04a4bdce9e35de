"""brand owner tools: team invitations, archived categories, scheduled news

Revision ID: 0013_brand_owner_tools
Revises: 0012_site_admin
Create Date: 2026-12-05 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_brand_owner_tools'
down_revision = '0012_site_admin'
branch_labels = None
depends_on = None

ROLES = ('owner', 'staff', 'moderator')


def upgrade():
    # An owner's invitation to join the brand's team, answered through a signed link.
    op.create_table('team_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum(*ROLES, name='team_invitation_role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'revoked', name='team_invitation_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_team_invitations_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_team_invitations_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_team_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitee_id'], ['users.id'], name=op.f('fk_team_invitations_invitee_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_invitations'))
    )
    with op.batch_alter_table('team_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_team_invitations_brand_id_status', ['brand_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_invitations_invitee_id'), ['invitee_id'], unique=False)

    # The team's own history (append-only): brands sit below the moderation log.
    op.create_table('team_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('change', sa.Enum('appointed', 'invited', 'revoked', 'accepted', 'declined', 'role_changed', 'removed', name='team_change', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum(*ROLES, name='team_event_role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('old_role', sa.Enum(*ROLES, name='team_event_old_role', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_team_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_team_events_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['team_invitations.id'], name=op.f('fk_team_events_invitation_id_team_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_team_events_member_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_events'))
    )
    with op.batch_alter_table('team_events', schema=None) as batch_op:
        batch_op.create_index('ix_team_events_brand_id_id', ['brand_id', 'id'], unique=False)

    # Product news: drafts, scheduled sends and what was sent.
    op.create_table('brand_news',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('body', sa.String(length=200), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'scheduled', 'sent', name='brand_news_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('emailed_count', sa.Integer(), nullable=False),
    sa.Column('test_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_brand_news_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_brand_news_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_brand_news_product_id_products'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_brand_news_sender_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_news'))
    )
    with op.batch_alter_table('brand_news', schema=None) as batch_op:
        batch_op.create_index('ix_brand_news_brand_id_id', ['brand_id', 'id'], unique=False)
        batch_op.create_index('ix_brand_news_status_send_at', ['status', 'send_at'], unique=False)

    # Which outbox emails carried which send: the history's delivery counts.
    op.create_table('brand_news_emails',
    sa.Column('email_id', sa.Integer(), nullable=False),
    sa.Column('news_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['email_id'], ['outbound_emails.id'], name=op.f('fk_brand_news_emails_email_id_outbound_emails'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['news_id'], ['brand_news.id'], name=op.f('fk_brand_news_emails_news_id_brand_news'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('email_id', name=op.f('pk_brand_news_emails'))
    )
    with op.batch_alter_table('brand_news_emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brand_news_emails_news_id'), ['news_id'], unique=False)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        # Archived: read-only and off the brand's lists; NULL while open.
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('archived_at')

    with op.batch_alter_table('brand_news_emails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brand_news_emails_news_id'))
    op.drop_table('brand_news_emails')

    with op.batch_alter_table('brand_news', schema=None) as batch_op:
        batch_op.drop_index('ix_brand_news_status_send_at')
        batch_op.drop_index('ix_brand_news_brand_id_id')
    op.drop_table('brand_news')

    with op.batch_alter_table('team_events', schema=None) as batch_op:
        batch_op.drop_index('ix_team_events_brand_id_id')
    op.drop_table('team_events')

    with op.batch_alter_table('team_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_invitations_invitee_id'))
        batch_op.drop_index('ix_team_invitations_brand_id_status')
    op.drop_table('team_invitations')
