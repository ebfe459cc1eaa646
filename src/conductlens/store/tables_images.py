"""Tables for images in the evidence: hashes, force hash lists, sealed items, text read.

They share ``conductlens.store.tables.metadata``; migration ``0012_images`` creates them.
An image is keyed by the SHA-256 of its bytes (``attachments.sha256``), so the same picture
shared in several chats or exhibits is hashed, matched and sealed once.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from conductlens.store.tables import metadata

images = Table(
    "images",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("md5", String(32), nullable=True, index=True),
    Column("sha1", String(40), nullable=True, index=True),
    Column("pdq", String(64), nullable=True),  # 64 hex digits, as ThreatExchange writes it
    Column("pdq_quality", Integer, nullable=True),  # 0..100; <= 49 is not used for matching
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("format", String(16), nullable=True),
    Column("exif", Text, nullable=False),  # JSON {time, device, gps, ...}; {} when none
    Column("error", Text, nullable=True),  # why the bytes could not be read as a picture
    Column("sexual_score", Float, nullable=True),
    Column("ocr_engine", String(40), nullable=True),  # set once text reading has run
    Column("scanned_at", DateTime(timezone=True), nullable=False),
)

hash_lists = Table(
    "hash_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

hash_entries = Table(
    "hash_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("list_id", ForeignKey("hash_lists.id"), nullable=False, index=True),
    Column("hash_type", String(8), nullable=False),  # pdq | md5 | sha1 | sha256
    Column("hash", String(64), nullable=False),  # lower-case hex
    Column("category", String(64), nullable=False),
    Column("source", Text, nullable=True),
    Column("added_by", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("list_id", "hash_type", "hash", name="uq_hash_entries_list_type_hash"),
    Index("ix_hash_entries_type_hash", "hash_type", "hash"),
)

sealed_images = Table(
    "sealed_images",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("reason", Text, nullable=False),  # which list and distance, or which classifier
    Column("sealed_by", Text, nullable=False),
    Column("sealed_at", DateTime(timezone=True), nullable=False),
)

image_referrals = Table(
    "image_referrals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=True, index=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("attachment_id", ForeignKey("attachments.id"), nullable=False),
    Column("referred_to", Text, nullable=False),
    Column("referred_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("attachment_id", name="uq_image_referrals_attachment"),
)

image_text = Table(
    "image_text",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("engine", String(40), nullable=False),
    Column("region", Text, nullable=False),  # JSON [left, top, right, bottom] in pixels
    Column("text", Text, nullable=False),
    Column("confidence", Float, nullable=False),
)

# Videos (migration 0024): hashed by SHA-256 at ingest like every file; the image pass adds
# exact hashes and vPDQ key frames (one PDQ hash per second of video, as Meta's vpdq does).
videos = Table(
    "videos",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("md5", String(32), nullable=True, index=True),
    Column("sha1", String(40), nullable=True, index=True),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("fps", Float, nullable=True),
    Column("frames_read", Integer, nullable=True),
    Column("complete", Boolean, nullable=False),  # false when hashing stopped at the frame cap
    Column("error", Text, nullable=True),  # why the bytes could not be read as a video
    Column("scanned_at", DateTime(timezone=True), nullable=False),
)

video_frames = Table(
    "video_frames",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("frame_number", Integer, nullable=False),
    Column("timestamp", Float, nullable=False),  # seconds from the start
    Column("pdq", String(64), nullable=False),
    Column("quality", Integer, nullable=False),
    UniqueConstraint("sha256", "frame_number", name="uq_video_frames_sha_frame"),
)
