"""``serve-check``: check a message against the Standards before sending it; nothing kept."""
