#!/usr/bin/env bash
# Set up and run the whole test suite (what CI runs through .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh nlp,search,web,dev,postgres,ocr,ray
# The browser tests drive Debian's chromium (never a downloaded browser build); a CJK font
# makes their screenshots readable (without one every character is a box).
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    && { ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=ja 2>/dev/null | grep -q .; }; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
        || echo "chromium could not be installed: browser tests will be skipped" >&2
fi
# OCR (ingest.ocr) runs Debian's Tesseract 5 with the Chinese and Japanese models, and the
# vertical models for tategaki pages (ingest/ocr/vertical.py).
_VERTICAL="tesseract-ocr-jpn-vert tesseract-ocr-chi-sim-vert tesseract-ocr-chi-tra-vert"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! command -v tesseract >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr \
        tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-jpn $_VERTICAL >/dev/null) \
        || echo "tesseract could not be installed: scanned PDFs will fail with E104" >&2
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    && ! { tesseract --list-langs 2>/dev/null | grep -qx jpn_vert \
        && tesseract --list-langs 2>/dev/null | grep -qx chi_sim_vert \
        && tesseract --list-langs 2>/dev/null | grep -qx chi_tra_vert; }; then
    # shellcheck disable=SC2086
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $_VERTICAL >/dev/null) \
        || echo "the vertical Tesseract models could not be installed: vertical pages read as horizontal (or Chinese ones in jpn_vert)" >&2
fi
# The store tests run on SQLite and on a PostgreSQL cluster they start themselves
# (tests/postgres.py: initdb + pg_ctl on a loopback port) from Debian's server packages.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
    && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
        || echo "postgresql could not be installed: the PostgreSQL store tests will be skipped" >&2
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
.venv/bin/python -m ruff check .
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
