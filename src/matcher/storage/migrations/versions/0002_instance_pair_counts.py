"""Instances count their locks and forbidden pairs, so that listing them needs no document parsed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("locks", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("forbidden", sa.Integer(), server_default="0", nullable=False))
    instances = sa.table("instances", sa.column("id", sa.String), sa.column("document", sa.Text),
                         sa.column("locks", sa.Integer), sa.column("forbidden", sa.Integer))
    connection = op.get_bind()
    for instance_id, document in connection.execute(sa.select(instances.c.id, instances.c.document)).all():
        parsed = json.loads(document)
        connection.execute(instances.update().where(instances.c.id == instance_id).values(
            locks=len(parsed.get("locks") or []), forbidden=len(parsed.get("forbidden") or [])))


def downgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        batch.drop_column("forbidden")
        batch.drop_column("locks")
