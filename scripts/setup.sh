#!/usr/bin/env bash
# Create .venv and install regwatch with everything it needs, from the package registries only.
# torch is pinned and installed first: an unpinned torch pulls a multi-GB GPU build.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-nlp,search,web,dev,postgres}"
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[${extras}]"
