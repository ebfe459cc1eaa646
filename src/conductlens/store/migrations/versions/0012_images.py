"""images: perceptual hashes, force hash lists, sealed items and referrals, text read

Revision ID: 0012_images
Revises: 0010_report
Create Date: 2026-12-01

Additive only: new tables keyed by the SHA-256 the attachments already carry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_images"
down_revision = "0010_report"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("md5", sa.String(32), nullable=True),
        sa.Column("sha1", sa.String(40), nullable=True),
        sa.Column("pdq", sa.String(64), nullable=True),
        sa.Column("pdq_quality", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(16), nullable=True),
        sa.Column("exif", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sexual_score", sa.Float(), nullable=True),
        sa.Column("ocr_engine", sa.String(40), nullable=True),
        sa.Column("scanned_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_images")),
    )
    op.create_index(op.f("ix_images_md5"), "images", ["md5"])
    op.create_index(op.f("ix_images_sha1"), "images", ["sha1"])
    op.create_table(
        "hash_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_hash_lists_name")),
    )
    _entries()
    _sealing()
    op.create_table(
        "image_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("engine", sa.String(40), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_text")),
    )
    op.create_index(op.f("ix_image_text_sha256"), "image_text", ["sha256"])


def _entries() -> None:
    op.create_table(
        "hash_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("hash_type", sa.String(8), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["hash_lists.id"],
                                name=op.f("fk_hash_entries_list_id_hash_lists")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_entries")),
        sa.UniqueConstraint("list_id", "hash_type", "hash",
                            name="uq_hash_entries_list_type_hash"),
    )
    op.create_index(op.f("ix_hash_entries_list_id"), "hash_entries", ["list_id"])
    op.create_index("ix_hash_entries_type_hash", "hash_entries", ["hash_type", "hash"])


def _sealing() -> None:
    op.create_table(
        "sealed_images",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sealed_by", sa.Text(), nullable=False),
        sa.Column("sealed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_sealed_images")),
    )
    op.create_table(
        "image_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("referred_to", sa.Text(), nullable=False),
        sa.Column("referred_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_image_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"],
                                name=op.f("fk_image_referrals_attachment_id_attachments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_referrals")),
        sa.UniqueConstraint("attachment_id", name="uq_image_referrals_attachment"),
    )
    op.create_index(op.f("ix_image_referrals_case_id"), "image_referrals", ["case_id"])
    op.create_index(op.f("ix_image_referrals_sha256"), "image_referrals", ["sha256"])


def downgrade() -> None:
    for table in ("image_text", "image_referrals", "sealed_images", "hash_entries",
                  "hash_lists", "images"):
        op.drop_table(table)
