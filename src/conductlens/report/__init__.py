"""From findings to outcome: outcomes per subject, key facts, the national picture, the
evidential bundle and the RSMF export. Everything here reads message content only through
the review door (``ReviewSession``); key facts and the national aggregate hold counts only."""
