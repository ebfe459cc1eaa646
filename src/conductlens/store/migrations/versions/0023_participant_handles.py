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


# Plain ALTER TABLE, not batch mode: batch mode rebuilds the table, and on SQLite dropping
# ``participants`` while messages reference it fails with foreign keys on (SQLite 3.35+ drops
# a column in place).


def upgrade() -> None:
    op.add_column("participants", sa.Column("handle", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("participants", "handle")
