"""An open item a returned check made of a receipt line has a description of its own
(programs.md, "Precise readings": it becomes "its own new open item, ``Returned check
<receipt> line <n>``"): ``item_splits.description``, kept beside the item's own GL split, is
what quotes, sales and the counter show of it instead of its code's description. Items made
before this migration keep NULL (their code's description, as before).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("item_splits", sa.Column("description", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_splits") as batch:
        batch.drop_column("description")
