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


def upgrade():
    pass


def downgrade():
    pass
