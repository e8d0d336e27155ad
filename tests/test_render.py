"""新旧対照表 Markdown and HTML redline renderings of a VersionDiff."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from corpus.diff import diff_versions
from corpus.render import escape_markdown, render_html, render_markdown
from models.diff import VersionDiff
from tests.version_factories import article, truth_articles


@pytest.fixture(scope="module")
def rare_earth_diff() -> VersionDiff:
    return diff_versions(
        truth_articles("rare_earth_measures_draft"),
        truth_articles("rare_earth_measures_final"),
        "rare_earth_measures_draft.pdf",
        "rare_earth_measures_final.pdf",
        tokenizer="fast",
    )


@pytest.fixture(scope="module")
def hostile_diff() -> VersionDiff:
    """PDF text is untrusted: markup, pipes and emphasis markers must come out inert."""
    old = [article(1, "第1項 <script>alert(1)</script> は | *対象外* とする。")]
    new = [article(1, "第1項 <script>alert(2)</script> は | *対象* とする。<img src=x onerror=y>")]
    return diff_versions(list(old), list(new), "<b>old</b>.pdf", "new|.pdf", tokenizer="fast")


# --- Markdown -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment",
    [
        "# 新旧対照表",
        "| 旧 (rare\\_earth\\_measures\\_draft.pdf) | 新 (rare\\_earth\\_measures\\_final.pdf) |",
        "毎月<del>15日</del>までに",
        "毎月<ins>10日</ins>までに",
        "総量規制指標を<ins>審査の上</ins>削減する",
        "### 第十二条 → 第十四条 (modified, similarity 0.96)",
        "### （新設） → 第十一条 (added)",
        "_split from old 8_",
        "- split: old [8] → new [8, 9]",
        "| 第十条 | 第十二条 |",
    ],
    ids=[
        "title",
        "two_column_header",
        "deleted_number",
        "inserted_number",
        "inserted_wording",
        "modified_heading",
        "added_heading",
        "split_note",
        "split_summary",
        "renumbered_table",
    ],
)
def test_markdown_comparison_table(rare_earth_diff: VersionDiff, fragment: str) -> None:
    assert fragment in render_markdown(rare_earth_diff)


def test_markdown_lists_field_changes_before_articles(rare_earth_diff: VersionDiff) -> None:
    text = render_markdown(rare_earth_diff)
    changes = text.index("## Field changes")
    assert changes < text.index("**article** added (new 11)") < text.index("## Changed articles")


def test_markdown_table_rows_have_two_cells(rare_earth_diff: VersionDiff) -> None:
    rows = [line for line in render_markdown(rare_earth_diff).splitlines() if line.startswith("| ")]
    unescaped_pipes = [len(re.findall(r"(?<!\\)\|", row)) for row in rows]
    assert set(unescaped_pipes) == {3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("A | B", "A \\| B"),
        ("*対象外*", "\\*対象外\\*"),
        ("第一款\n第二款", "第一款<br>第二款"),
    ],
    ids=["html_tags", "cell_pipe", "emphasis", "paragraph_break"],
)
def test_escape_markdown(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


def test_markdown_keeps_hostile_text_inert(hostile_diff: VersionDiff) -> None:
    text = render_markdown(hostile_diff)
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text


# --- HTML -----------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def _tags(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_html_is_a_standalone_side_by_side_page(rare_earth_diff: VersionDiff) -> None:
    page = render_html(rare_earth_diff)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<ins>10日</ins>" in page and "<del>15日</del>" in page
    assert (
        "<th>旧 (rare_earth_measures_draft.pdf)</th><th>新 (rare_earth_measures_final.pdf)</th>"
        in page
    )
    assert {"html", "head", "style", "body", "table", "ins", "del"} <= set(_tags(page))


def test_html_escapes_all_document_text(hostile_diff: VersionDiff) -> None:
    page = render_html(hostile_diff)
    assert set(_tags(page)) <= {
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "br", "ul", "li",
        "b", "span", "table", "thead", "tbody", "tr", "th", "td", "ins", "del",
    }  # fmt: skip
    assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=y&gt;" in page
    assert "&lt;b&gt;old&lt;/b&gt;.pdf" in page


def test_rendering_from_json_is_identical(rare_earth_diff: VersionDiff) -> None:
    restored = VersionDiff.model_validate_json(rare_earth_diff.model_dump_json())
    assert render_markdown(restored) == render_markdown(rare_earth_diff)
    assert render_html(restored) == render_html(rare_earth_diff)
