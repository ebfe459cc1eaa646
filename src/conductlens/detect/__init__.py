"""Detection: a policy of categories, each mapped to the Standards of Professional Behaviour,
run over message texts by lexicon, pattern and classifier detectors.

Nothing is loaded at import: call :func:`conductlens.detect.policy.load_policy` and then
:func:`conductlens.detect.scan.scan_batch` or :func:`conductlens.detect.scan.check_text`.
"""

from __future__ import annotations
