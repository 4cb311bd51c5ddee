"""Cash controls: a drop's bag number, a paid-out's approver, and recounts of a close.

A close may be sent back for a recount, and every count is kept: ``drawer_closes`` and
``close_counts`` gain ``count_no`` in their primary key (the counts made before are count 1),
and ``close_rejections`` records who sent which count back.  SQLite cannot change a primary
key in place, so the two tables are rebuilt (rows copied as they are) and their append-only
triggers made again.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _no_change(table: str) -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def _drop_triggers(table: str) -> None:
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"],
        ["drawer_sessions.id"],
        name=op.f(f"fk_{table}_session_id_drawer_sessions"),
    )


def _columns(table: str) -> list[sa.Column[object]]:
    """The columns of a close or of its per-tender figures, after the key."""
    if table == "drawer_closes":
        return [
            sa.Column("closed_at", sa.String(length=40), nullable=False),
            sa.Column("counted", sa.Text(), nullable=False),
            sa.Column("needs_approval", sa.Boolean(), nullable=False),
        ]
    return [
        sa.Column("tender", sa.String(length=20), nullable=False),
        sa.Column("expected_cents", sa.BigInteger(), nullable=False),
        sa.Column("counted_cents", sa.BigInteger(), nullable=False),
    ]


def _make(table: str, name: str, numbered: bool) -> None:
    """``table`` as ``name``: keyed by session (and count, when ``numbered``; and tender)."""
    numbers = [sa.Column("count_no", sa.Integer(), nullable=False)] if numbered else []
    key = ["session_id", *(["count_no"] if numbered else [])]
    key += ["tender"] if table == "close_counts" else []
    op.create_table(
        name,
        sa.Column("session_id", sa.String(length=40), nullable=False),
        *numbers,
        *_columns(table),
        _session_fk(table),
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{table}")),
    )


def _rebuild(numbered: bool) -> None:
    """Make drawer_closes and close_counts again, with (or without) ``count_no``."""
    closes = "session_id, closed_at, counted, needs_approval"
    counts = "session_id, tender, expected_cents, counted_cents"
    for table, columns in (("drawer_closes", closes), ("close_counts", counts)):
        _drop_triggers(table)
        _make(table, f"{table}_new", numbered)
        if numbered:
            op.execute(
                f"INSERT INTO {table}_new (count_no, {columns}) SELECT 1, {columns} FROM {table}"
            )
        else:  # down: only the first counts fit the old key
            op.execute(
                f"INSERT INTO {table}_new ({columns}) SELECT {columns} FROM {table} "
                "WHERE count_no = 1"
            )
        op.drop_table(table)
        op.rename_table(f"{table}_new", table)
        _no_change(table)


def upgrade() -> None:
    with op.batch_alter_table("drawer_movements", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("bag", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("approver", sa.String(length=40), nullable=True))
    _rebuild(numbered=True)
    op.create_table(
        "close_rejections",
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("count_no", sa.Integer(), nullable=False),
        sa.Column("approver", sa.String(length=40), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("rejected_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver"], ["users.login"], name=op.f("fk_close_rejections_approver_users")
        ),
        _session_fk("close_rejections"),
        sa.PrimaryKeyConstraint("session_id", "count_no", name=op.f("pk_close_rejections")),
    )
    _no_change("close_rejections")


def downgrade() -> None:
    _drop_triggers("close_rejections")
    op.drop_table("close_rejections")
    _rebuild(numbered=False)
    _drop_triggers("drawer_movements")
    with op.batch_alter_table("drawer_movements") as batch_op:
        batch_op.drop_column("approver")
        batch_op.drop_column("bag")
    _no_change("drawer_movements")
