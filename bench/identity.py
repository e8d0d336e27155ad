"""Document identity against the truth of dev v1, dev v2 and the held-out PDFs.

    python -m bench.identity [--set v1|v2|heldout] [--verbose]

Per (sub-)document of the truth: the title (NFKC, no white space), and where the truth gives
them (v1 and held-out ``documents[]``) the kind, the issuers and the number (any spelling the
truth lists).  v1 includes the embedded documents (annexes, attachments) and the version
samples under ``samples/versions``; v2 gives only the title of each file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.extraction import norm
from bench.sets import HELDOUT_DIR, ROOT, parse_sets, v2_files

FIELDS = ("title", "kind", "issuers", "number")
V1 = [
    ("samples/000_15acbace682750dc.pdf", "tests/data/dev/truth/000_15acbace682750dc.json"),
    ("samples/001_2ccde129c88cd74c.pdf", "tests/data/dev/truth/001_2ccde129c88cd74c.json"),
    *[
        (f"samples/versions/{stem}.pdf", f"tests/data/dev/versions/{stem}.articles.json")
        for stem in (
            "anti_monopoly_law_2007",
            "anti_monopoly_law_2022",
            "rare_earth_measures_draft",
            "rare_earth_measures_final",
        )
    ],
]


@dataclass
class Tally:
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[str] = field(default_factory=list)

    def score(self, name: str, key: str, field_: str, hit: bool, got: Any, want: Any) -> None:
        self.total[field_] += 1
        self.right[field_] += int(hit)
        if not hit:
            self.misses.append(f"{name}:{key} {field_}: got {got!r}, want {want!r}")


def _number_hit(identity: Any, truth: dict[str, Any]) -> bool:
    want = {norm(n) for n in [truth.get("number"), *truth.get("number_aliases", [])] if n}
    got = {norm(n) for n in [identity.number, *identity.number_aliases] if n}
    return bool(want & got) or (not want and not got)


def _score_documents(name: str, document: Any, truths: list[dict[str, Any]], tally: Tally) -> None:
    subs = {s.key: s.identity for s in document.subdocuments}
    for truth in truths:
        identity = subs.get(truth["key"])
        if identity is None:
            for field_ in FIELDS:
                tally.score(name, truth["key"], field_, False, None, truth.get(field_))
            continue
        tally.score(
            name,
            truth["key"],
            "title",
            norm(identity.title) == norm(truth["title"]),
            identity.title,
            truth["title"],
        )
        tally.score(
            name, truth["key"], "kind", identity.kind == truth["kind"], identity.kind, truth["kind"]
        )
        tally.score(
            name,
            truth["key"],
            "issuers",
            identity.issuers == truth["issuer"],
            identity.issuers,
            truth["issuer"],
        )
        tally.score(
            name,
            truth["key"],
            "number",
            _number_hit(identity, truth),
            identity.number,
            truth.get("number"),
        )


def run(sets: list[str]) -> dict[str, Tally]:
    from ingest.pipeline import ingest_pdf

    tallies: dict[str, Tally] = {}
    if "v1" in sets:
        tally = tallies["v1"] = Tally()
        for pdf, truth_path in V1:
            truth = json.loads((ROOT / truth_path).read_text(encoding="utf-8"))
            _score_documents(Path(pdf).stem, ingest_pdf(ROOT / pdf), truth["documents"], tally)
    if "v2" in sets:
        tally = tallies["v2"] = Tally()
        for stem, truth, pdf in v2_files():
            title = ingest_pdf(pdf).identity.title
            hit = norm(title) == norm(truth["title"])
            tally.score(stem, "main", "title", hit, title, truth["title"])
    if "heldout" in sets:
        tally = tallies["heldout"] = Tally()
        for truth_path in sorted(HELDOUT_DIR.glob("*.json")):
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            document = ingest_pdf(truth_path.with_suffix(".pdf"))
            _score_documents(truth_path.stem, document, truth["documents"], tally)
    return tallies


def main(argv: list[str] | None = None) -> int:
    args = parse_sets(__doc__.split("\n")[0], "list every miss", argv)
    tallies = run(args.set)
    print(f"{'set':8} " + " ".join(f"{f:>9}" for f in FIELDS))
    for name, tally in tallies.items():
        cells = [
            f"{tally.right[f]:>4}/{tally.total[f]:<4}" if tally.total[f] else f"{'-':>9}"
            for f in FIELDS
        ]
        print(f"{name:8} " + " ".join(cells))
        if args.verbose:
            for miss in tally.misses:
                print(f"    {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
