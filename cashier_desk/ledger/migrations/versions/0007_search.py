"""The counter's search: an FTS5 index over open items, and the import's new columns.

Open items gain ``plate`` (found by search), ``as_of`` (the billing system's balance time;
payments at this counter after it count against ``amount_due``), ``issued`` and ``notice``
(dates for the city's programs) and ``search_key``, the item's row id in the FTS5 index
``item_search`` (see ``cashier_desk/ledger/search.py``), given here to every existing item in
the order of its reference.  Triggers keep the index in step with every write.  The
LIKE-prefix indexes of 0001 and 0004 go: the index answers those questions now.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from cashier_desk.ledger import search

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_INDEXES = (
    "ix_open_items_ref_nocase",
    "ix_open_items_name_nocase",
    "ix_open_items_address_nocase",
    "ix_open_items_name",
    "ix_open_items_address",
)


def upgrade() -> None:
    for name in OLD_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("open_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plate", sa.String(20), server_default="", nullable=False))
        batch_op.add_column(sa.Column("as_of", sa.String(40), server_default="", nullable=False))
        batch_op.add_column(sa.Column("issued", sa.String(10), nullable=True))
        batch_op.add_column(sa.Column("notice", sa.String(10), nullable=True))
        batch_op.add_column(sa.Column("search_key", sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    refs = [r[0] for r in conn.exec_driver_sql("SELECT ref FROM open_items ORDER BY ref")]
    used: dict[int, int] = {}
    keys = []
    for ref in refs:
        base = search.key_base(ref)
        used[base] = used.get(base, -1) + 1
        keys.append({"k": base + used[base], "r": ref})
    if keys:
        conn.execute(sa.text("UPDATE open_items SET search_key = :k WHERE ref = :r"), keys)
    with op.batch_alter_table("open_items", schema=None) as batch_op:
        batch_op.alter_column("search_key", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index("ix_open_items_search_key", ["search_key"], unique=True)
    for sql in search.CREATE_SQL:
        op.execute(sql)
    op.execute(search.REBUILD_SQL)


def downgrade() -> None:
    for sql in search.DROP_SQL:
        op.execute(sql)
    with op.batch_alter_table("open_items", schema=None) as batch_op:
        batch_op.drop_index("ix_open_items_search_key")
        batch_op.drop_column("search_key")
        batch_op.drop_column("notice")
        batch_op.drop_column("issued")
        batch_op.drop_column("as_of")
        batch_op.drop_column("plate")
        batch_op.create_index("ix_open_items_address", ["address"], unique=False)
        batch_op.create_index("ix_open_items_name", ["name"], unique=False)
    for column in ("ref", "name", "address"):
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_open_items_{column}_nocase "
            f"ON open_items ({column} COLLATE NOCASE)"
        )
