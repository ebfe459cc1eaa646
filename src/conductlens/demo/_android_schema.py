"""Exact ``CREATE TABLE`` statements copied from real WhatsApp Android databases.

Source: the public msgstore schema dump dated 2025-03-09 (``msgstore.db``) and the
chat-history-manager 2026-05 sample (``wa.db``), whitespace collapsed.  Only the tables
the demo fills are copied; a real database has a few hundred more.
"""

from __future__ import annotations

MSGSTORE_TABLES: tuple[str, ...] = (
    ("CREATE TABLE props (_id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, value TEXT);"),
    (
        "CREATE TABLE jid ( _id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, "
        "server TEXT NOT NULL, agent INTEGER, type INTEGER, raw_string TEXT, device INTEGER);"
    ),
    (
        "CREATE TABLE chat ( _id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "jid_row_id INTEGER UNIQUE, hidden INTEGER, subject TEXT, created_timestamp INTEGER, "
        "display_message_row_id INTEGER, last_message_row_id INTEGER, "
        "last_read_message_row_id INTEGER, last_read_receipt_sent_message_row_id INTEGER, "
        "last_important_message_row_id INTEGER, archived INTEGER, sort_timestamp INTEGER, "
        "mod_tag INTEGER, gen REAL, spam_detection INTEGER, "
        "unseen_earliest_message_received_time INTEGER, unseen_message_count INTEGER, "
        "unseen_missed_calls_count INTEGER, unseen_row_count INTEGER, "
        "plaintext_disabled INTEGER, vcard_ui_dismissed INTEGER, "
        "change_number_notified_message_row_id INTEGER, show_group_description INTEGER, "
        "ephemeral_expiration INTEGER, last_read_ephemeral_message_row_id INTEGER, "
        "ephemeral_setting_timestamp INTEGER, "
        "unseen_important_message_count INTEGER NOT NULL DEFAULT 0, "
        "ephemeral_disappearing_messages_initiator INTEGER, "
        "group_type INTEGER NOT NULL DEFAULT 0, last_message_reaction_row_id INTEGER, "
        "last_seen_message_reaction_row_id INTEGER, unseen_message_reaction_count INTEGER, "
        "growth_lock_level INTEGER, growth_lock_expiration_ts INTEGER, "
        "last_read_message_sort_id INTEGER, display_message_sort_id INTEGER, "
        "last_message_sort_id INTEGER, last_read_receipt_sent_message_sort_id INTEGER, "
        "has_new_community_admin_dialog_been_acknowledged INTEGER NOT NULL DEFAULT 0, "
        "history_sync_progress INTEGER, ephemeral_displayed_exemptions INTEGER, "
        "chat_lock INTEGER, chat_origin TEXT, unseen_comment_message_count INTEGER, "
        "participation_status INTEGER, account_jid_row_id INTEGER, "
        "chat_encryption_state INTEGER, group_member_count INTEGER);"
    ),
    (
        "CREATE TABLE message ( _id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "chat_row_id INTEGER NOT NULL, from_me INTEGER NOT NULL, key_id TEXT NOT NULL, "
        "sender_jid_row_id INTEGER, status INTEGER, broadcast INTEGER, "
        "recipient_count INTEGER, participant_hash TEXT, origination_flags INTEGER, "
        "origin INTEGER, timestamp INTEGER, received_timestamp INTEGER, "
        "receipt_server_timestamp INTEGER, message_type INTEGER, text_data TEXT, "
        "starred INTEGER, lookup_tables INTEGER, sort_id INTEGER NOT NULL DEFAULT 0, "
        "message_add_on_flags INTEGER, view_mode INTEGER, translated_text TEXT);"
    ),
    (
        "CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, "
        "autotransfer_retry_enabled INTEGER, multicast_id TEXT, media_job_uuid TEXT, "
        "transferred INTEGER, transcoded INTEGER, file_path TEXT, file_size INTEGER, "
        "suspicious_content INTEGER, trim_from INTEGER, trim_to INTEGER, face_x INTEGER, "
        "face_y INTEGER, media_key BLOB, media_key_timestamp INTEGER, width INTEGER, "
        "height INTEGER, has_streaming_sidecar INTEGER, gif_attribution INTEGER, "
        "thumbnail_height_width_ratio REAL, direct_path TEXT, first_scan_sidecar BLOB, "
        "first_scan_length INTEGER, message_url TEXT, mime_type TEXT, file_length INTEGER, "
        "media_name TEXT, file_hash TEXT, media_duration INTEGER, page_count INTEGER, "
        "enc_file_hash TEXT, partial_media_hash TEXT, partial_media_enc_hash TEXT, "
        "is_animated_sticker INTEGER, original_file_hash TEXT, mute_video INTEGER DEFAULT 0, "
        "media_caption TEXT, media_upload_handle TEXT, sticker_flags INTEGER, "
        "raw_transcription_text TEXT, first_viewed_timestamp INTEGER, doodle_id TEXT, "
        "media_source_type INTEGER, accessibility_label TEXT);"
    ),
    (
        "CREATE TABLE message_quoted ( message_row_id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "chat_row_id INTEGER NOT NULL, parent_message_chat_row_id INTEGER NOT NULL, "
        "from_me INTEGER NOT NULL, sender_jid_row_id INTEGER, key_id TEXT NOT NULL, "
        "timestamp INTEGER, message_type INTEGER, text_data TEXT, "
        "payment_transaction_id TEXT, lookup_tables INTEGER, origin INTEGER);"
    ),
    (
        "CREATE TABLE message_add_on (_id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "chat_row_id INTEGER, from_me INTEGER, key_id TEXT NOT NULL, "
        "sender_jid_row_id INTEGER, parent_message_row_id INTEGER, timestamp INTEGER, "
        "status INTEGER, message_add_on_type INTEGER, received_timestamp INTEGER, "
        "expiry_duration_in_secs INTEGER, server_timestamp INTEGER, expiry_timestamp INTEGER, "
        "expiry_type INTEGER);"
    ),
    (
        "CREATE TABLE message_add_on_reaction (message_add_on_row_id INTEGER PRIMARY KEY, "
        "reaction TEXT, sender_timestamp INTEGER);"
    ),
    (
        "CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, "
        "action_type INTEGER NOT NULL);"
    ),
    (
        "CREATE TABLE message_system_chat_participant (message_row_id INTEGER, "
        "user_jid_row_id INTEGER);"
    ),
    (
        "CREATE TABLE message_system_group (message_row_id INTEGER PRIMARY KEY, "
        "is_me_joined INTEGER);"
    ),
    (
        "CREATE TABLE message_system_number_change (message_row_id INTEGER PRIMARY KEY, "
        "old_jid_row_id INTEGER, new_jid_row_id INTEGER);"
    ),
    (
        "CREATE TABLE message_system_value_change (message_row_id INTEGER PRIMARY KEY, "
        "old_data TEXT);"
    ),
    (
        "CREATE TABLE message_revoked (message_row_id INTEGER PRIMARY KEY, "
        "revoked_key_id TEXT NOT NULL, admin_jid_row_id INTEGER, revoke_timestamp INTEGER);"
    ),
    (
        "CREATE TABLE message_edit_info (message_row_id INTEGER PRIMARY KEY, "
        "original_key_id TEXT NOT NULL, edited_timestamp INTEGER NOT NULL, "
        "sender_timestamp INTEGER NOT NULL);"
    ),
    (
        "CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "group_jid_row_id INTEGER NOT NULL, user_jid_row_id INTEGER NOT NULL, rank INTEGER, "
        "pending INTEGER, add_timestamp INTEGER, label TEXT);"
    ),
    (
        "CREATE TABLE receipt_user (_id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "message_row_id INTEGER NOT NULL, receipt_user_jid_row_id INTEGER NOT NULL, "
        "receipt_timestamp INTEGER, read_timestamp INTEGER, played_timestamp INTEGER);"
    ),
    (
        "CREATE TABLE group_past_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "group_jid_row_id INTEGER NOT NULL, user_jid_row_id INTEGER NOT NULL, "
        "is_leave INTEGER NOT NULL, timestamp INTEGER);"
    ),
    (
        "CREATE TABLE jid_map (lid_row_id INTEGER PRIMARY KEY NOT NULL, "
        "jid_row_id INTEGER NOT NULL, sort_id INTEGER);"
    ),
    (
        "CREATE TABLE lid_display_name (lid_row_id INTEGER PRIMARY KEY NOT NULL, "
        "display_name TEXT NOT NULL, username TEXT);"
    ),
)

WA_TABLES: tuple[str, ...] = (
    (
        "CREATE TABLE wa_contacts ( _id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL, "
        "is_whatsapp_user BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, "
        "number TEXT, raw_contact_id INTEGER, display_name TEXT, phone_type INTEGER, "
        "phone_label TEXT, photo_ts INTEGER, thumb_ts INTEGER, photo_id_timestamp INTEGER, "
        "given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT, "
        "company TEXT, title TEXT, status_autodownload_disabled INTEGER, "
        "keep_timestamp INTEGER, is_spam_reported INTEGER, "
        "is_sidelist_synced BOOLEAN DEFAULT 0, is_business_synced BOOLEAN DEFAULT 0, "
        "disappearing_mode_duration INTEGER, disappearing_mode_timestamp LONG, "
        "history_sync_initial_phash TEXT, is_starred BOOLEAN, is_wa_created_contact BOOLEAN, "
        "sync_policy INTEGER, status_emoji TEXT, is_contact_synced INTEGER, "
        "is_reachable INTEGER, external_user_state INTEGER, "
        "disappearing_mode_support_disabled INTEGER );"
    ),
)

ANDROID_METADATA = "CREATE TABLE android_metadata (locale TEXT)"
