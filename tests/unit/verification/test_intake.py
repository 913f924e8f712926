"""Every bad-input case of intake (issue 5 item 1), plus the good paths."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from verification.errors import (
    CorruptDocument,
    EncryptedDocument,
    LimitExceeded,
    UnsupportedDocument,
)
from verification.intake import WORK_DPI, IntakeLimits, load_pages, sniff


def _png(w=400, h=300, dpi=200) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), "white").save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def _pdf(pages=1, encrypt=None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), encrypt=encrypt)
    for i in range(pages):
        c.drawString(72, 720, f"PHYTOSANITARY CERTIFICATE page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _png_header_only(w: int, h: int) -> bytes:
    """A PNG whose header claims w x h pixels, with a tiny (invalid) body."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = b"IDAT" + zlib.compress(b"\x00" * 16)
    body += struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
    return b"\x89PNG\r\n\x1a\n" + body


def test_empty_file_is_unsupported():
    with pytest.raises(UnsupportedDocument, match="empty"):
        load_pages(b"")


def test_text_file_is_unsupported():
    with pytest.raises(UnsupportedDocument, match="not a PDF, PNG, JPEG or TIFF"):
        load_pages(b"hello, this is not a certificate\n")


def test_gif_is_unsupported():
    buf = io.BytesIO()
    Image.new("RGB", (200, 200)).save(buf, format="GIF")
    with pytest.raises(UnsupportedDocument):
        load_pages(buf.getvalue())


def test_too_many_bytes():
    with pytest.raises(LimitExceeded, match="bytes"):
        load_pages(_png(), IntakeLimits(max_bytes=100))


def test_truncated_png_is_corrupt():
    data = _png()
    with pytest.raises(CorruptDocument, match="PNG"):
        load_pages(data[: len(data) // 2])


def test_corrupt_jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), "white").save(buf, format="JPEG")
    data = buf.getvalue()
    with pytest.raises(CorruptDocument):
        load_pages(data[:200])


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    with pytest.raises(LimitExceeded, match="pixels"):
        load_pages(_png_header_only(9000, 9000), IntakeLimits(max_pixels=60_000_000))


def test_decompression_bomb_beyond_pillow_limit():
    with pytest.raises(LimitExceeded):
        load_pages(_png_header_only(40000, 40000))


def test_tiny_image_is_rejected():
    with pytest.raises(CorruptDocument, match="only"):
        load_pages(_png(50, 40))


def test_too_many_tiff_pages():
    frames = [Image.new("RGB", (300, 300), "white") for _ in range(4)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(LimitExceeded, match="4 pages"):
        load_pages(buf.getvalue(), IntakeLimits(max_pages=3))


def test_corrupt_pdf():
    with pytest.raises(CorruptDocument, match="PDF"):
        load_pages(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")


def test_encrypted_pdf():
    with pytest.raises(EncryptedDocument, match="encrypted"):
        load_pages(_pdf(encrypt="secret"))


def test_too_many_pdf_pages():
    with pytest.raises(LimitExceeded, match="3 pages"):
        load_pages(_pdf(pages=3), IntakeLimits(max_pages=2))


def test_pdf_page_too_large_for_pixel_limit():
    with pytest.raises(LimitExceeded, match="px"):
        load_pages(_pdf(), IntakeLimits(max_pixels=1_000_000))


def test_pdf_renders_at_work_dpi():
    pages = load_pages(_pdf(pages=2))
    assert len(pages) == 2
    h, w, c = pages[0].image.shape
    assert c == 3
    assert abs(w - 595 / 72 * WORK_DPI) <= 2 and abs(h - 842 / 72 * WORK_DPI) <= 2
    assert pages[0].image.min() < 128  # the text was rendered


def test_png_at_300_dpi_is_rescaled_to_work_dpi():
    (page,) = load_pages(_png(600, 900, dpi=300))
    assert page.image.shape[:2] == (600, 400)


def test_jpeg_and_multipage_tiff_decode():
    buf = io.BytesIO()
    Image.new("L", (300, 200), 255).save(buf, format="JPEG")
    (page,) = load_pages(buf.getvalue())
    assert page.image.dtype == np.uint8 and page.image.shape == (200, 300, 3)
    frames = [Image.new("RGB", (300, 300), "white") for _ in range(2)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    assert [p.index for p in load_pages(buf.getvalue())] == [0, 1]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.4", "pdf"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
    ],
)
def test_sniff(head, kind):
    assert sniff(head + b"\x00" * 32) == kind
