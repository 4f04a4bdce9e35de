"""trust levels and spam signals

Revision ID: 0008_trust
Revises: 0007_moderation
Create Date: 2026-11-23 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_trust'
down_revision = '0007_moderation'
branch_labels = None
depends_on = None

OLD_DECISIONS = ('dismiss', 'hide', 'remove', 'restore', 'approve', 'reject', 'lock', 'suspend',
                 'ban', 'lift', 'auto_hide')
# The forum's topic tools and a moderator's edit go on the record too (issue 5, point 3),
# and a change of a member's trust level (point 5).
NEW_DECISIONS = OLD_DECISIONS + ('unlock', 'pin', 'unpin', 'move', 'edit', 'trust')


def _replace_check(table, name, column, values):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(name, sa.column(column).in_(values))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        # Her posts that anyone can read (published, or approved by a moderator): level 1
        # comes with TRUST1_APPROVED_POSTS of them.
        batch_op.add_column(sa.Column('approved_post_count', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('moderation_cases', schema=None) as batch_op:
        # Why the item waits though nobody flagged it (pre-moderation, a spam signal).
        batch_op.add_column(sa.Column('hold_reason', sa.String(length=200), nullable=False,
                                      server_default=''))
    _replace_check('moderation_actions', 'moderation_decision', 'action', NEW_DECISIONS)
    _replace_check('moderation_cases', 'moderation_case_decision', 'last_decision',
                   NEW_DECISIONS)


def downgrade():
    # The log is append-only: with rows of the new actions in it, narrowing the check
    # fails rather than deleting them.
    _replace_check('moderation_actions', 'moderation_decision', 'action', OLD_DECISIONS)
    _replace_check('moderation_cases', 'moderation_case_decision', 'last_decision',
                   OLD_DECISIONS)
    with op.batch_alter_table('moderation_cases', schema=None) as batch_op:
        batch_op.drop_column('hold_reason')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('approved_post_count')
