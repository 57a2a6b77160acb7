"""Solve jobs are held under a lease: who holds it (a token and the worker's name) and until when.

A job runs again only when its lease has expired, never because some server started or stopped; only the
holder of the current lease may store the job's progress, proposal and outcome.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

"""
import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LONG_AGO = dt.datetime(2000, 1, 1)  # naive UTC, as the service stores times


def upgrade() -> None:
    with op.batch_alter_table("solves") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("lease_holder", sa.Text(), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(), nullable=True))
    # a job left running by a server of the previous version holds no lease: it may run again at once
    solves = sa.table("solves", sa.column("status", sa.String), sa.column("lease_expires_at", sa.DateTime))
    op.get_bind().execute(solves.update().where(solves.c.status == "running")
                          .values(lease_expires_at=LONG_AGO))


def downgrade() -> None:
    with op.batch_alter_table("solves") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_holder")
        batch.drop_column("lease_token")
