"""Initial schema: API keys, instance versions, solve jobs and their events, proposals, decisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('municipality', sa.String(length=32), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    op.create_table('instances',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=True),
    sa.Column('replanned_from_solve', sa.String(length=32), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('dwellings', sa.Integer(), nullable=False),
    sa.Column('municipalities', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_key', sa.String(length=32), nullable=False),
    sa.Column('created_by_role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instances_created_at'), ['created_at'], unique=False)

    op.create_table('instance_municipalities',
    sa.Column('instance_id', sa.String(length=32), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('instance_id', 'code')
    )
    with op.batch_alter_table('instance_municipalities', schema=None) as batch_op:
        batch_op.create_index('ix_instance_municipalities_code', ['code'], unique=False)

    op.create_table('solves',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('instance_id', sa.String(length=32), nullable=False),
    sa.Column('parent_solve_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('requested_by_key', sa.String(length=32), nullable=False),
    sa.Column('requested_by_role', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_requested_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['parent_solve_id'], ['solves.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('solves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solves_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_solves_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solves_status'), ['status'], unique=False)

    op.create_table('proposals',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('solve_id', sa.String(length=32), nullable=False),
    sa.Column('instance_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('instance_hash', sa.String(length=64), nullable=False),
    sa.Column('policy', sa.Text(), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('matcher_version', sa.String(length=64), nullable=False),
    sa.Column('ortools_version', sa.String(length=64), nullable=False),
    sa.Column('requested_by_key', sa.String(length=32), nullable=False),
    sa.Column('requested_by_role', sa.String(length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['solve_id'], ['solves.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('solve_id')
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_instance_id'), ['instance_id'], unique=False)

    op.create_table('solve_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('solve_id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['solve_id'], ['solves.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('solve_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solve_events_solve_id'), ['solve_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('solve_id', sa.String(length=32), nullable=False),
    sa.Column('proposal_id', sa.String(length=32), nullable=False),
    sa.Column('instance_id', sa.String(length=32), nullable=False),
    sa.Column('household', sa.Text(), nullable=False),
    sa.Column('dwelling', sa.Text(), nullable=False),
    sa.Column('municipality', sa.Text(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by_key', sa.String(length=32), nullable=False),
    sa.Column('decided_by_role', sa.String(length=32), nullable=False),
    sa.Column('decided_by_municipality', sa.String(length=32), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ),
    sa.ForeignKeyConstraint(['solve_id'], ['solves.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_solve_id'), ['solve_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_solve_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('solve_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solve_events_solve_id'))

    op.drop_table('solve_events')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_instance_id'))

    op.drop_table('proposals')
    with op.batch_alter_table('solves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solves_status'))
        batch_op.drop_index(batch_op.f('ix_solves_instance_id'))
        batch_op.drop_index(batch_op.f('ix_solves_created_at'))

    op.drop_table('solves')
    with op.batch_alter_table('instance_municipalities', schema=None) as batch_op:
        batch_op.drop_index('ix_instance_municipalities_code')

    op.drop_table('instance_municipalities')
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instances_created_at'))

    op.drop_table('instances')
    op.drop_table('api_keys')
