#!/usr/bin/env bash
# Set up .venv, then run the main job on the bundled sample corpus (samples/):
# ingest → extract → add to a fresh corpus (two versions of one measure) → diff → search.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh nlp,search
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
rw=.venv/bin/regwatch
data="${REGWATCH_DEMO_HOME:-$(mktemp -d)}"
out="$data/out"
mkdir -p "$out"

echo "== 1. ingest the sample corpus (identity, sub-documents, footnotes)" >&2
"$rw" ingest samples -q --out "$out" > "$out/ingest.jsonl"
.venv/bin/python - "$out/ingest.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    i = d["identity"]
    print(f"{d['path']}: {d['pages']} pages, {d['language']}, {i.get('kind')} «{i.get('title')}» "
          f"{i.get('number') or ''}; {len(d['subdocuments'])} (sub)documents; "
          f"{d['linked_footnotes']}/{d['footnotes']} footnotes linked")
PY

echo "== 2. extract records (counts per kind)" >&2
"$rw" extract samples -q --out "$out" >/dev/null
.venv/bin/python - "$out" <<'PY'
import collections, json, pathlib, sys
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.records.json")):
    r = json.loads(f.read_text())
    c = collections.Counter(x["kind"] for x in r["records"])
    print(f"{r['source']}: {dict(sorted(c.items()))}")
PY

echo "== 3. add to a corpus: commentaries, then two versions of a measure and of a law" >&2
"$rw" add -q --data-dir "$data" samples/000_15acbace682750dc.pdf samples/001_2ccde129c88cd74c.pdf \
    samples/versions/rare_earth_measures_draft.pdf samples/versions/rare_earth_measures_final.pdf \
    samples/versions/anti_monopoly_law_2007.pdf samples/versions/anti_monopoly_law_2022.pdf
"$rw" list --data-dir "$data"

echo "== 4. diff draft → final (新旧対照表, field changes first)" >&2
doc=$("$rw" list --data-dir "$data" | .venv/bin/python -c '
import json, sys
print(next(d["doc_id"] for d in map(json.loads, sys.stdin)
           if d["versions"] > 1 and d["language"] == "ja"))')
"$rw" diff "$doc@1" "$doc@2" --format markdown --data-dir "$data" | head -40

echo "== 5. search in Japanese: MOFCOM's 0.1% rule (CISTEC translation), then a Chinese law" >&2
"$rw" search "価値比率が0.1%以上の場合に輸出許可が必要になる規定" --k 3 --data-dir "$data"
"$rw" search "事業者集中の審査で、競争を排除・制限する効果がある場合に当局が禁止を決定する規定" --k 3 \
    --lang zh --data-dir "$data"
echo "corpus and outputs left in $data" >&2
