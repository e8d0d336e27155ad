"""UI text in Japanese and English; the language comes from ?lang=, a cookie, or Accept-Language.

Only the interface is translated: document text is always shown as written.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

UI_LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANG_COOKIE = "regwatch_lang"

STRINGS: dict[str, dict[str, str]] = {
    "app": {"ja": "regwatch 規制ワークスペース", "en": "regwatch workspace"},
    "search": {"ja": "検索", "en": "Search"},
    "search_placeholder": {
        "ja": "質問を入力（日本語・中文・English）",
        "en": "Ask a question (日本語, 中文, English)",
    },
    "documents": {"ja": "文書一覧", "en": "Documents"},
    "alerts": {"ja": "アラート", "en": "Alerts"},
    "upload": {"ja": "PDFを追加", "en": "Add a PDF"},
    "diff": {"ja": "新旧対照", "en": "Compare versions"},
    "title": {"ja": "表題", "en": "Title"},
    "kind": {"ja": "種別", "en": "Kind"},
    "issuers": {"ja": "発出機関", "en": "Issuers"},
    "number": {"ja": "番号", "en": "Number"},
    "language": {"ja": "言語", "en": "Language"},
    "versions": {"ja": "版", "en": "Versions"},
    "version": {"ja": "版", "en": "Version"},
    "updated": {"ja": "更新", "en": "Updated"},
    "dates": {"ja": "日付", "en": "Dates"},
    "results": {"ja": "検索結果", "en": "Results"},
    "no_results": {"ja": "該当する条文はありません。", "en": "No matching passage."},
    "no_documents": {"ja": "文書はまだありません。", "en": "No documents yet."},
    "page": {"ja": "頁", "en": "page"},
    "article": {"ja": "条", "en": "Article"},
    "records": {"ja": "抽出レコード", "en": "Extracted records"},
    "provenance": {"ja": "出典（PDF頁）", "en": "Provenance (PDF page)"},
    "no_page_image": {
        "ja": "元のPDFが見つからないため頁画像を表示できません。",
        "en": "The source PDF is not available: no page image.",
    },
    "all_kinds": {"ja": "すべて", "en": "all"},
    "footnotes": {"ja": "脚注", "en": "Footnotes"},
    "old": {"ja": "旧", "en": "Old"},
    "new": {"ja": "新", "en": "New"},
    "compare": {"ja": "比較", "en": "Compare"},
    "field_changes": {"ja": "項目の変更", "en": "Field changes"},
    "no_field_changes": {"ja": "項目の変更はありません。", "en": "No field changes."},
    "event": {"ja": "種類", "en": "Event"},
    "new_document": {"ja": "新規文書", "en": "New document"},
    "new_version": {"ja": "新しい版", "en": "New version"},
    "any": {"ja": "すべて", "en": "any"},
    "filter": {"ja": "絞り込み", "en": "Filter"},
    "text_filter": {"ja": "キーワード", "en": "Keyword"},
    "since": {"ja": "以降", "en": "Since"},
    "created": {"ja": "日時", "en": "Created"},
    "summary": {"ja": "概要", "en": "Summary"},
    "no_alerts": {"ja": "アラートはありません。", "en": "No alerts."},
    "file": {"ja": "PDFファイル", "en": "PDF file"},
    "token": {"ja": "APIトークン", "en": "API token"},
    "send": {"ja": "追加", "en": "Add"},
    "added": {"ja": "追加しました", "en": "Added"},
    "unchanged": {"ja": "同じファイルは登録済みです", "en": "This file is already stored"},
    "error": {"ja": "エラー", "en": "Error"},
    "doc_lang": {"ja": "文書の言語", "en": "Document language"},
    "count": {"ja": "件数", "en": "Results"},
    "open": {"ja": "開く", "en": "Open"},
    "threshold": {"ja": "閾値", "en": "Threshold"},
    "date": {"ja": "日付", "en": "Date"},
    "item_list": {"ja": "品目リスト", "en": "Item list"},
    "definition": {"ja": "定義", "en": "Definition"},
    "reference": {"ja": "参照", "en": "Reference"},
    "text": {"ja": "本文", "en": "Text"},
    "no_close_match": {
        "ja": "近い条文は見つかりませんでした。言い換えるか、絞り込みを外してください。",
        "en": "No close match: try other words or fewer filters.",
    },
    "issuer": {"ja": "発出機関", "en": "Issuer"},
    "doc_kind": {"ja": "文書の種類", "en": "Document kind"},
    "effective_after": {"ja": "施行日がこの日以降", "en": "Effective after"},
    "all_versions": {"ja": "旧版も検索", "en": "Include old versions"},
    "superseded": {"ja": "旧版（v{latest} で改正）", "en": "Superseded (latest: v{latest})"},
    "prev_page": {"ja": "前へ", "en": "Previous"},
    "next_page": {"ja": "次へ", "en": "Next"},
    "page_n": {"ja": "{n} ページ目", "en": "Page {n}"},
    "contents": {"ja": "目次", "en": "Contents"},
    "prev_article": {"ja": "前条", "en": "Previous article"},
    "next_article": {"ja": "次条", "en": "Next article"},
    "copy_citation": {"ja": "引用をコピー", "en": "Copy citation"},
    "copied": {"ja": "コピーしました", "en": "Copied"},
    "one_version": {
        "ja": "この文書の版は一つだけです。比較する旧版はありません。",
        "en": "This document has one version only: there is nothing to compare it with.",
    },
    "download": {"ja": "ダウンロード", "en": "Download"},
    "changed_articles": {"ja": "変更のある条", "en": "Changed articles"},
    "no_changed_articles": {"ja": "条文の変更はありません。", "en": "No article changed."},
    "split_from": {"ja": "旧{label}から分割", "en": "split from old {label}"},
    "merged_into": {"ja": "新{label}に統合", "en": "merged into new {label}"},
    "renumbered_only": {"ja": "番号のみ変更", "en": "Renumbered (text unchanged)"},
    "export": {"ja": "書き出し", "en": "Export"},
    "doc_versions": {"ja": "版", "en": "versions"},
    "legal_dates": {"ja": "公布・施行", "en": "Promulgated / effective"},
    "wrong_token": {"ja": "APIトークンが違います。", "en": "Wrong API token."},
    "missing_token": {"ja": "APIトークンを入力してください。", "en": "Enter the API token."},
    "too_large": {
        "ja": "ファイルが大きすぎます（{size} MB、上限 {limit} MB）。",
        "en": "The file is too large ({size} MB; the limit is {limit} MB).",
    },
    "too_large_nosize": {
        "ja": "ファイルが大きすぎます（上限 {limit} MB）。",
        "en": "The file is too large (the limit is {limit} MB).",
    },
    "status_new_document": {"ja": "新規文書として登録しました", "en": "Stored as a new document"},
    "status_new_version": {"ja": "新しい版として登録しました", "en": "Stored as a new version"},
    "status_unchanged": {"ja": "同じファイルは登録済みです", "en": "Already stored (unchanged)"},
    "upload_limit": {"ja": "PDF 1 件、{limit} MB まで。", "en": "One PDF, up to {limit} MB."},
    "show_diff": {"ja": "変更点を見る", "en": "See what changed"},
    "document_level": {"ja": "文書全体", "en": "Whole document"},
    "bad_since": {
        "ja": "日付 {value!r} を読めません（YYYY-MM-DD で指定してください）",
        "en": "cannot read the date {value!r} (YYYY-MM-DD expected)",
    },
    "subdocument": {"ja": "所収文書", "en": "Part"},
    "alert_new_version": {
        "ja": "新しい版 v{version}（v{previous} の次）",
        "en": "New version v{version} (after v{previous})",
    },
    "alert_articles": {"ja": "条文", "en": "Articles"},
    "alert_items": {"ja": "{heading} — {n} 品目", "en": "{heading} — {n} items"},
    "alert_more": {"ja": "… ほか {n} 件", "en": "… and {n} more"},
    "alert_no_change": {
        "ja": "構造の変更なし（ファイルのみ変更）",
        "en": "No structural change (the file changed, the text did not)",
    },
}

# Values of the records' and documents' enums (DocumentKind, DateRole, FieldChange kinds and
# changes, alignment statuses), shown translated; the API keeps the raw values.
ENUMS: dict[str, dict[str, tuple[str, str]]] = {
    "doc_kind": {
        "commentary": ("解説", "Commentary"),
        "announcement": ("公告", "Announcement"),
        "measures": ("弁法", "Measures"),
        "regulation": ("条例・規則", "Regulation"),
        "law": ("法律", "Law"),
        "qa": ("Q&A", "Q&A"),
        "translation": ("翻訳", "Translation"),
        "explanation": ("説明", "Explanation"),
        "list": ("リスト", "List"),
        "guide": ("ガイド", "Guide"),
        "notice": ("通知", "Notice"),
        "other": ("その他", "Other"),
    },
    "role": {
        "promulgated": ("公布", "Promulgated"),
        "effective": ("施行", "Effective"),
        "published": ("公表", "Published"),
        "revised": ("改正", "Revised"),
        "suspended_from": ("停止開始", "Suspended from"),
        "suspended_until": ("停止終了", "Suspended until"),
        "deadline": ("期限", "Deadline"),
        "repealed": ("廃止", "Repealed"),
        "other": ("その他", "Other"),
    },
    "change_kind": {
        "threshold": ("閾値", "Threshold"),
        "date": ("日付", "Date"),
        "item": ("品目", "Item"),
        "code": ("コード", "Code"),
        "definition": ("定義", "Definition"),
        "article": ("条文", "Article"),
        "wording": ("文言", "Wording"),
    },
    "change": {
        "added": ("追加", "added"),
        "removed": ("削除", "removed"),
        "changed": ("変更", "changed"),
        "split": ("分割", "split"),
        "merged": ("統合", "merged"),
    },
    "status": {
        "added": ("新設", "added"),
        "removed": ("削除", "removed"),
        "renumbered": ("番号変更", "renumbered"),
        "moved": ("移動", "moved"),
        "modified": ("改正", "modified"),
        "unchanged": ("変更なし", "unchanged"),
    },
    "lang": {
        "ja": ("日本語", "Japanese"),
        "zh": ("中国語", "Chinese"),
        "en": ("英語", "English"),
        "ko": ("韓国語", "Korean"),
        "und": ("不明", "unknown"),
    },
}


def pick_language(request: Request) -> str:
    """``?lang=`` first (an explicit choice), then the cookie it set, then Accept-Language."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in UI_LANGUAGES:
        return asked
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.split("-")[0].lower()
        if primary in UI_LANGUAGES:
            ranked.append((quality, primary))
    if ranked:
        return max(ranked, key=lambda pair: pair[0])[1]
    return DEFAULT_LANGUAGE


def translator(language: str) -> Callable[..., str]:
    """``t(key, **values)``: the UI string, ``str.format``-ed with ``values``."""

    def t(key: str, **values: object) -> str:
        entry = STRINGS.get(key)
        if entry is None:
            return key
        text = entry.get(language) or entry[DEFAULT_LANGUAGE]
        return text.format(**values) if values else text

    return t


def enum_translator(language: str) -> Callable[[str, str | None], str]:
    """``tv(group, value)``: an enum value in the UI language; an unknown value as it is."""
    column = UI_LANGUAGES.index(language) if language in UI_LANGUAGES else 0

    def tv(group: str, value: str | None) -> str:
        if value is None:
            return ""
        names = ENUMS.get(group, {}).get(value)
        return names[column] if names else value

    return tv
