#!/usr/bin/env bash
# The same checks CI runs: ruff (lint + import order) and mypy --strict.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests bench scripts
.venv/bin/mypy
