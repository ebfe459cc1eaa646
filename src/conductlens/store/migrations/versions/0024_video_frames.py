"""videos: exact hashes and vPDQ key frames (one PDQ hash per second) of video attachments

Revision ID: 0024_video_frames
Revises: 0023_participant_handles
Create Date: 2026-12-07

Additive only: two new tables keyed by the SHA-256 the attachments already carry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_video_frames"
down_revision = "0023_participant_handles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "videos",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("md5", sa.String(32), nullable=True),
        sa.Column("sha1", sa.String(40), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("frames_read", sa.Integer(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_videos")),
    )
    op.create_index(op.f("ix_videos_md5"), "videos", ["md5"])
    op.create_index(op.f("ix_videos_sha1"), "videos", ["sha1"])
    op.create_table(
        "video_frames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("frame_number", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("pdq", sa.String(64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_frames")),
        sa.UniqueConstraint("sha256", "frame_number", name="uq_video_frames_sha_frame"),
    )
    op.create_index(op.f("ix_video_frames_sha256"), "video_frames", ["sha256"])


def downgrade() -> None:
    op.drop_table("video_frames")
    op.drop_table("videos")
