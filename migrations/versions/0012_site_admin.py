"""site admin console: closed brands, sign-ins, the console's actions on the log

Revision ID: 0012_site_admin
Revises: 0011_no_reply_marks
Create Date: 2026-12-05 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_site_admin'
down_revision = '0011_no_reply_marks'
branch_labels = None
depends_on = None

OLD_DECISIONS = ('dismiss', 'hide', 'remove', 'restore', 'approve', 'reject', 'lock', 'suspend',
                 'ban', 'lift', 'auto_hide', 'unlock', 'pin', 'unpin', 'move', 'edit', 'trust')
# The site admin console's changes go on the record (issue 13): brands created, closed,
# reopened and handed over; accounts made, confirmation and reset links sent.
NEW_DECISIONS = OLD_DECISIONS + ('create', 'close', 'reopen', 'transfer', 'resend_confirmation',
                                 'password_reset')
OLD_ITEM_KINDS = ('topic', 'post', 'review', 'review_reply', 'member')
NEW_ITEM_KINDS = OLD_ITEM_KINDS + ('brand',)


def _replace_check(table, name, column, values):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(name, sa.column(column).in_(values))


def upgrade():
    with op.batch_alter_table('brands', schema=None) as batch_op:
        # Closed by a site admin: off the directory and read-only for members.
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ins'))
    )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_index('ix_sign_ins_user_id_id', ['user_id', 'id'], unique=False)
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
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_ins_user_id_id')

    op.drop_table('sign_ins')
    with op.batch_alter_table('brands', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
