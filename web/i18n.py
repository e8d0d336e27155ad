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
    "ocr_read": {
        "ja": "スキャン画像からOCRで読み取り（確度）",
        "en": "Read from a scan by OCR (confidence)",
    },
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


def translator(language: str) -> Callable[[str], str]:
    def t(key: str) -> str:
        entry = STRINGS.get(key)
        if entry is None:
            return key
        return entry.get(language) or entry[DEFAULT_LANGUAGE]

    return t
