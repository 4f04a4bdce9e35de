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


def upgrade():
    pass


def downgrade():
    pass
