#!/usr/bin/env bash
# Set up and run every check: lint, type check, then the whole test suite.
# PostgreSQL tests run when CONDUCTLENS_TEST_PG_URL is set (.ci/run starts a server);
# browser tests run when Debian's Chromium is at /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/lint.sh
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
