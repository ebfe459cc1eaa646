"""Group dynamics for Standard 10: membership over time, engagement evidence, responses to a
message (endorsed, challenged, neutral, silent, left), per-person records and pictures."""

from conductlens.dynamics.analysis import Dynamics, as_record, flagged_messages, store_texts
from conductlens.dynamics.responses import Responses, Window

__all__ = ["Dynamics", "Responses", "Window", "as_record", "flagged_messages", "store_texts"]
