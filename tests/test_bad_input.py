"""Unusable files give a typed error naming the file; a batch goes on past them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from ingest.pipeline import Limits, ingest_many, ingest_pdf
from models.errors import (
    CorruptPDFError,
    EmptyFileError,
    EncryptedPDFError,
    FileNotFoundInputError,
    InputError,
    LimitExceededError,
    NotAPDFError,
    NoTextLayerError,
)

TEXT = "Article 1 The export of rare earth technology is subject to licensing."


def _pdf(
    pages: int = 1, text: str | None = TEXT, encrypt: pdfencrypt.StandardEncryption | None = None
) -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, encrypt=encrypt)
    for number in range(1, pages + 1):
        if text is not None:
            drawing.drawString(72, 750, f"{text} (page {number})")
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def _image_only_pdf() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        image.putpixel((x, 50), (0, 0, 0))
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    drawing.drawInlineImage(image, 72, 600, width=400, height=200)
    drawing.showPage()
    drawing.save()
    return buffer.getvalue()


@pytest.fixture
def write(tmp_path: Path):
    def _write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write


BAD_FILES = [
    pytest.param("empty.pdf", lambda: b"", EmptyFileError, "empty", id="empty-0-bytes"),
    pytest.param(
        "notes.pdf",
        lambda: "公告 第61号\n".encode() * 50,
        NotAPDFError,
        "not a PDF",
        id="text-file",
    ),
    pytest.param(
        "photo.pdf", lambda: b"\x89PNG\r\n\x1a\n" + bytes(500), NotAPDFError, "not a PDF", id="png"
    ),
    pytest.param(
        "truncated.pdf", lambda: _pdf(pages=3)[:700], CorruptPDFError, "unreadable", id="truncated"
    ),
    pytest.param(
        "garbage.pdf",
        lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8,
        CorruptPDFError,
        "unreadable",
        id="garbage",
    ),
    pytest.param(
        "locked.pdf",
        lambda: _pdf(encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner")),
        EncryptedPDFError,
        "password",
        id="encrypted-user-password",
    ),
    pytest.param("scan.pdf", _image_only_pdf, NoTextLayerError, "image", id="image-only"),
    pytest.param(
        "blank.pdf", lambda: _pdf(text=None), NoTextLayerError, "no text layer", id="blank-pages"
    ),
]


@pytest.mark.parametrize(("name", "make", "error", "reason"), BAD_FILES)
def test_bad_file_raises_typed_error_naming_the_file(write, name, make, error, reason) -> None:
    path = write(name, make())
    with pytest.raises(error) as caught:
        ingest_pdf(path)
    message = str(caught.value)
    assert name in message
    assert reason in message
    assert caught.value.code.startswith("E1")
    assert isinstance(caught.value, InputError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundInputError, match=r"nowhere\.pdf"):
        ingest_pdf(tmp_path / "nowhere.pdf")


def test_owner_password_only_is_readable(write) -> None:
    # an empty user password: viewers open it without asking, and so do we
    path = write(
        "print-protected.pdf", _pdf(encrypt=pdfencrypt.StandardEncryption("", ownerPassword="o"))
    )
    assert "export of rare earth" in ingest_pdf(path).text


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        pytest.param(Limits(max_pages=2), "3 pages, over the limit of 2", id="pages"),
        pytest.param(Limits(max_bytes=200), "over the limit of 200 bytes", id="bytes"),
        pytest.param(Limits(max_seconds_per_file=0.0), "reading took over", id="time"),
    ],
)
def test_limits(write, limits: Limits, reason: str) -> None:
    path = write("big.pdf", _pdf(pages=3))
    with pytest.raises(LimitExceededError, match=reason):
        ingest_pdf(path, limits)


def test_batch_reports_each_file_and_never_stops(write, tmp_path: Path) -> None:
    good = write("good.pdf", _pdf(pages=2))
    empty = write("empty.pdf", b"")
    results = list(ingest_many([empty, tmp_path / "missing.pdf", good, write("x.pdf", b"hello")]))
    assert [r.status for r in results] == ["failure", "failure", "success", "failure"]
    assert [r.errors[0]["code"] for r in results if r.errors] == ["E105", "E107", "E101"]
    assert results[2].document is not None and results[2].document.pages[-1].number == 2
    assert all(r.errors[0]["path"].endswith(Path(r.path).name) for r in results if r.errors)


def test_unexpected_errors_become_failures(monkeypatch, write) -> None:
    import ingest.pipeline as pipeline

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("layout bug")

    monkeypatch.setattr(pipeline, "build_document", explode)
    (result,) = ingest_many([write("good.pdf", _pdf())])
    assert result.status == "failure"
    assert result.errors[0]["code"] == "E100"
    assert "layout bug" in result.errors[0]["message"]


def test_diagonal_watermark_is_left_out(write) -> None:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    for row in range(12):
        drawing.drawString(72, 750 - 15 * row, f"{TEXT} Line {row}.")
    drawing.saveState()
    drawing.translate(300, 400)
    drawing.rotate(45)
    drawing.setFont("Helvetica", 60)
    drawing.drawString(0, 0, "DRAFT")
    drawing.restoreState()
    drawing.showPage()
    drawing.save()
    document = ingest_pdf(write("watermarked.pdf", buffer.getvalue()))
    assert "DRAFT" not in document.text
    assert "Line 11." in document.text
    assert any("rotated text" in w for w in document.warnings)
