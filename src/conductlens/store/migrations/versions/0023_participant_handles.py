"""participant handles: the account name an exhibit gives a participant, for matching

Revision ID: 0023_participant_handles
Revises: 0020_review_indexes
Create Date: 2026-12-07

Additive only: one nullable column. A Telegram export names its owner's @username
(``personal_information.username``); the register matches it to a declared Telegram
username (``review/matching.py``). Rows ingested before stay without one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_participant_handles"
down_revision = "0020_review_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.add_column(sa.Column("handle", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_column("handle")
