"""site settings and site invitations

Revision ID: 0014_site_settings
Revises: 0013_brand_owner_tools
Create Date: 2026-12-05 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_site_settings'
down_revision = '0013_brand_owner_tools'
branch_labels = None
depends_on = None

# As 0012_site_admin left them.
OLD_DECISIONS = ('dismiss', 'hide', 'remove', 'restore', 'approve', 'reject', 'lock', 'suspend',
                 'ban', 'lift', 'auto_hide', 'unlock', 'pin', 'unpin', 'move', 'edit', 'trust',
                 'create', 'close', 'reopen', 'transfer', 'resend_confirmation', 'password_reset')
# A site admin's change of a site setting, and a failed email sent again (issue 13).
NEW_DECISIONS = OLD_DECISIONS + ('setting', 'retry_email')
OLD_ITEM_KINDS = ('topic', 'post', 'review', 'review_reply', 'member', 'brand')
NEW_ITEM_KINDS = OLD_ITEM_KINDS + ('setting', 'email')


def _replace_check(table, name, column, values):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(name, sa.column(column).in_(values))


def upgrade():
    op.create_table('site_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_site_settings_changed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_settings')),
    sa.UniqueConstraint('key', name=op.f('uq_site_settings_key'))
    )
    op.create_table('site_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_site_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['used_by_id'], ['users.id'], name=op.f('fk_site_invitations_used_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_invitations'))
    )
    with op.batch_alter_table('site_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_invitations_email'), ['email'], unique=False)
    _replace_check('moderation_actions', 'moderation_decision', 'action', NEW_DECISIONS)
    _replace_check('moderation_cases', 'moderation_case_decision', 'last_decision',
                   NEW_DECISIONS)
    _replace_check('moderation_actions', 'moderation_action_item', 'item_kind', NEW_ITEM_KINDS)
    _replace_check('moderation_cases', 'moderation_item_kind', 'item_kind', NEW_ITEM_KINDS)


def _forget_what_the_older_schema_cannot_hold():
    # The log is append-only while this revision stands; going back before it can't keep
    # the records of actions that did not exist then (the console's own), so they go with
    # the revision, as its tables do.
    actions = sa.table('moderation_actions', sa.column('action'), sa.column('item_kind'))
    op.execute(actions.delete().where(sa.or_(actions.c.action.notin_(OLD_DECISIONS),
                                             actions.c.item_kind.notin_(OLD_ITEM_KINDS))))
    cases = sa.table('moderation_cases', sa.column('item_kind'), sa.column('last_decision'))
    op.execute(cases.delete().where(cases.c.item_kind.notin_(OLD_ITEM_KINDS)))
    op.execute(cases.update().where(cases.c.last_decision.notin_(OLD_DECISIONS))
               .values(last_decision=None))


def downgrade():
    _forget_what_the_older_schema_cannot_hold()
    _replace_check('moderation_cases', 'moderation_item_kind', 'item_kind', OLD_ITEM_KINDS)
    _replace_check('moderation_actions', 'moderation_action_item', 'item_kind', OLD_ITEM_KINDS)
    _replace_check('moderation_cases', 'moderation_case_decision', 'last_decision',
                   OLD_DECISIONS)
    _replace_check('moderation_actions', 'moderation_decision', 'action', OLD_DECISIONS)
    with op.batch_alter_table('site_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_invitations_email'))

    op.drop_table('site_invitations')
    op.drop_table('site_settings')
