#!/usr/bin/env bash
# The main job on the embedded default (SQLite, no servers): set up, build the demo store
# (synthetic shift-group exhibits ingested, staff register, one account per role, a case with a
# scope awaiting authorisation, findings, an audit trail), print the passwords once, then serve
# the review UI on http://127.0.0.1:8000. Pass --no-serve to build and exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A fresh demo every time: the store and its accounts are rebuilt from scratch.
rm -rf demo-out && mkdir -p demo-out
exec .venv/bin/conductlens demo --db demo-out/demo.db --out demo-out/exhibits "$@"
