"""The CLI as a user meets it: exit codes, JSON on stdout, messages on stderr, README coverage."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented_in_readme(command: str) -> None:
    assert re.search(rf"regwatch {command}\b", README), f"`regwatch {command}` missing in README"


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: regwatch" in capsys.readouterr().out


def test_readme_documents_exit_codes() -> None:
    for code in ("0", "1", "2", "3", "4", "5", "6"):
        assert re.search(rf"^\|\s*{code}\s*\|", README, re.M), f"exit code {code} not in README"


@pytest.mark.parametrize("what", ["extract", "document", "diff", "alert", "search"])
def test_schema_is_json_schema(what: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", what]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["x-regwatch-schema-version"]


def test_extract_schema_validates_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["schema", "extract"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert main(["extract", "-q", str(SAMPLES / "versions" / "rare_earth_measures_draft.pdf")]) == 0
    result = json.loads(capsys.readouterr().out)
    jsonschema.validate(result, schema)
    assert {r["kind"] for r in result["records"]} >= {"article", "threshold", "date"}


def test_bad_files_get_exit_3_and_a_message_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a pdf at all", encoding="utf-8")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    good = SAMPLES / "versions" / "rare_earth_measures_draft.pdf"
    code = main(["ingest", "-q", str(bad), str(good), str(empty)])
    out, err = capsys.readouterr()
    assert code == 3
    assert "notes.pdf" in err and "empty.pdf" in err
    assert re.search(r"\[E10\d\]", err)
    # The good file in the middle of the batch still comes out.
    docs = [json.loads(line) for line in out.splitlines()]
    assert [Path(d["path"]).name for d in docs] == ["rare_earth_measures_draft.pdf"]


def test_unknown_document_is_exit_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "nosuchdoc", "--data-dir", str(tmp_path)]) == 4
    assert "E2" in capsys.readouterr().err


@pytest.mark.slow
def test_add_diff_show_scan_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "corpus")]
    draft = SAMPLES / "versions" / "rare_earth_measures_draft.pdf"
    final = SAMPLES / "versions" / "rare_earth_measures_final.pdf"
    assert main(["add", "-q", "--no-index", str(draft), *data]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["status"] == "new_document"
    assert main(["add", "-q", "--no-index", str(draft), *data]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "unchanged"
    assert main(["add", "-q", "--no-index", str(final), *data]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["status"] == "new_version" and second["doc_id"] == first["doc_id"]
    assert any("毎月10日" in c for c in second["changes"])

    doc = first["doc_id"]
    assert main(["diff", f"{doc}@1", f"{doc}@2", *data]) == 0
    diff = json.loads(capsys.readouterr().out)
    statuses = {row["status"] for row in diff["alignment"]}
    assert {"added", "renumbered", "modified"} <= statuses
    changes = diff["field_changes"]
    dates = [(c["change"], c["old"], c["new"]) for c in changes if c["kind"] == "date"]
    # The issuing line moved (draft published → measures promulgated), 第十五条 → 第十七条's
    # effective date moved; the header's 公布の日より施行 restates the latter, reported once.
    assert sorted(dates) == [
        ("changed", "2025-02-19", "2025-07-28"),
        ("changed", "2025-05-01", "2025-07-28"),
    ]
    assert main(["diff", f"{doc}@1", f"{doc}@2", "--format", "markdown", *data]) == 0
    assert "毎月" in capsys.readouterr().out

    assert main(["show", f"{doc}@2", "--kind", "threshold", "--table", *data]) == 0
    assert "毎月10日" in capsys.readouterr().out

    atom = tmp_path / "feed.xml"
    watched = tmp_path / "inbox"
    watched.mkdir()
    (watched / "draft.pdf").write_bytes(draft.read_bytes())
    args = ["scan", str(watched), "--atom", str(atom), "-q", *data]
    assert main(args) == 0
    alerts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # Alerts already queued (the two adds above) are delivered once, then never again.
    assert {a["event"] for a in alerts} == {"new_document", "new_version"}
    assert atom.read_text(encoding="utf-8").count("<entry>") == 2
    assert main(args) == 0
    assert capsys.readouterr().out == ""
