"""site admin console: site settings, closed brands

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


def upgrade():
    pass


def downgrade():
    pass
