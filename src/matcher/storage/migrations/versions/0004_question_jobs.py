"""Questions about a proposal that take re-solves (recommend, why-not) are jobs on the solve queue.

A job now has a kind (``solve`` for every existing row), and a question job keeps what was asked and, once
answered, the answer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("solves") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=32), server_default="solve", nullable=False))
        batch.add_column(sa.Column("question", sa.Text(), nullable=True))
        batch.add_column(sa.Column("answer", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solves") as batch:
        batch.drop_column("answer")
        batch.drop_column("question")
        batch.drop_column("kind")
