"""Every bad-input case of intake (issue 5 item 1), plus the good paths."""

import io
import struct
import warnings
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
from verification.intake import WORK_DPI, IntakeLimits, check_document, load_pages, sniff


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


def test_tiff_pages_over_the_documents_pixel_limit_together():
    """Each page was held to ``max_pixels`` alone: ten pages just under it make 1.8 GB of
    arrays and OCR over them."""
    frames = [Image.new("RGB", (300, 300), "white") for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    one = load_pages(buf.getvalue())[0].image.shape
    page = one[0] * one[1]
    with pytest.raises(LimitExceeded, match="pages 1-3 are over"):
        load_pages(buf.getvalue(), IntakeLimits(max_document_pixels=3 * page - 1))
    assert len(load_pages(buf.getvalue(), IntakeLimits(max_document_pixels=3 * page))) == 3


def test_pdf_pages_over_the_documents_pixel_limit_together():
    a4 = 1654 * 2339  # at 200 dpi
    with pytest.raises(LimitExceeded, match="pages 1-3 are over"):
        load_pages(_pdf(pages=3), IntakeLimits(max_document_pixels=3 * a4 - 10_000))
    assert len(load_pages(_pdf(pages=2), IntakeLimits(max_document_pixels=3 * a4 - 10_000))) == 2


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


# ---- found by the robustness audit (s31): what a scanner, a phone or a hostile sender sends --
def _page_with_corner_mark(w=400, h=300) -> Image.Image:
    """White paper with a black square in its top left corner: which way is up shows."""
    img = Image.new("RGB", (w, h), "white")
    img.paste((0, 0, 0), (0, 0, 40, 40))
    return img


def _corner_is_marked(page: np.ndarray) -> bool:
    return bool(page[:40, :40].mean() < 10 and page[-40:, -40:].mean() > 245)


def _tiff(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="TIFF", **kw)
    return buf.getvalue()


def _pdf_with_page_object(page: bytes) -> bytes:
    """A one-page PDF whose page object (obj 3) is ``page``; its xref is correct."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objs.append(page)
    out = b"%PDF-1.7\n"
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def test_a_pdf_whose_page_pdfium_cannot_load_is_corrupt_not_a_crash():
    # the page tree is its own child: pdfium opens the file and fails on the page
    # (PdfiumError escaped load_pages: a traceback and exit 1 from `cusdep verify`)
    data = _pdf_with_page_object(b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>")
    with pytest.raises(CorruptDocument, match="PDF page 1 cannot be read"):
        load_pages(data)
    with pytest.raises(CorruptDocument, match="PDF page 1 cannot be read"):
        check_document(data)  # a node refuses it at upload, not in its review queue


def test_a_node_refuses_at_upload_a_pdf_page_too_large_or_too_small():
    # check_document looked at a PDF's page count only: a 5 m page was stored and queued
    five_m = 5 / 0.0254 * 72
    huge = _pdf_with_page_object(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] >>" % (five_m, five_m)
    )
    with pytest.raises(LimitExceeded, match="197x197 in"):
        check_document(huge)
    tiny = _pdf_with_page_object(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>")
    for check in (check_document, load_pages):
        with pytest.raises(CorruptDocument, match="page 1 is only 0.14x0.14 in"):
            check(tiny)


def test_a_resolution_that_makes_an_impossible_page_is_not_believed():
    # a phone's 72 dpi or a scanner's missing tag: the page was scaled to 2.8x (a 4032 x 3024
    # photo to 94 Mpx: 57 s and 3.4 GB), a 50 dpi tag on 6000 x 8000 pixels to 768 Mpx
    (photo,) = load_pages(_png(1654, 2339, dpi=72))  # 32 in tall at 72 dpi
    assert photo.image.shape[:2] == (2339, 1654)  # as tall as A4 at WORK_DPI
    buf = io.BytesIO()
    Image.new("1", (6000, 8000), 1).save(buf, format="PNG", dpi=(50, 50))
    (bomb,) = load_pages(buf.getvalue())
    assert bomb.image.shape[0] == 2338
    buf = io.BytesIO()
    Image.new("L", (4961, 7016), 255).save(buf, format="JPEG")  # 600 dpi A4, no tag
    (scan,) = load_pages(buf.getvalue())
    assert scan.image.shape[:2] == (2338, 1653)


def test_an_honest_low_or_high_resolution_is_still_believed():
    (low,) = load_pages(_png(595, 842, dpi=72))  # A4 at 72 dpi: scaled up as before
    assert low.image.shape[:2] == (2339, 1653)
    (high,) = load_pages(_png(4961, 7016, dpi=600))
    assert high.image.shape[:2] == (2339, 1654)


def test_the_pixel_limit_holds_for_the_page_at_work_dpi():
    # 800 x 800 at 50 dpi is 10.2 Mpx once at WORK_DPI; its header says 0.64 Mpx
    with pytest.raises(LimitExceeded, match="at 200 dpi"):
        load_pages(_png(800, 800, dpi=50), IntakeLimits(max_pixels=10_000_000))


@pytest.mark.parametrize(
    ("tag", "turn"),
    [
        (3, Image.Transpose.ROTATE_180),
        (6, Image.Transpose.ROTATE_90),
        (8, Image.Transpose.ROTATE_270),
    ],
)
def test_exif_orientation_is_applied(tag, turn):
    # a camera stores the pixels as sensed and the turn in a tag: the page was read sideways
    exif = Image.Exif()
    exif[0x0112] = tag
    buf = io.BytesIO()
    _page_with_corner_mark().transpose(turn).save(buf, "JPEG", exif=exif.tobytes(), dpi=(200, 200))
    (page,) = load_pages(buf.getvalue())
    assert page.image.shape[:2] == (300, 400) and _corner_is_marked(page.image)


def _transparent(mode: str) -> bytes:
    """Paper fully transparent over black colour values (as many exporters write it)."""
    mark = np.asarray(_page_with_corner_mark().convert("L"))
    alpha = np.where(mark < 128, 255, 0).astype(np.uint8)
    black = np.zeros_like(mark)
    layers = {"RGBA": [black, black, black, alpha], "LA": [black, alpha]}[mode]
    buf = io.BytesIO()
    Image.fromarray(np.dstack(layers), mode).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparent_paper_is_white_not_black(mode):
    if mode == "P":
        buf = io.BytesIO()
        pal = _page_with_corner_mark().quantize(2)
        paper = int(np.bincount(np.asarray(pal).ravel()).argmax())
        pal.putpalette([0, 0, 0] * 256)  # the transparent index's own colour: black
        pal.save(buf, format="PNG", transparency=paper)
        data = buf.getvalue()
    else:
        data = _transparent(mode)
    (page,) = load_pages(data)
    assert _corner_is_marked(page.image)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_grey_keeps_its_tones(fmt):
    # converted to RGB, 16-bit grey clipped to 255: a blank white page, "no template"
    grey = np.asarray(_page_with_corner_mark().convert("L")).astype(np.uint16) * 257
    grey[grey == 0] = 5 * 257  # ink a little above black: every 16-bit value over 255 was white
    buf = io.BytesIO()
    Image.fromarray(grey).save(buf, format=fmt)
    (page,) = load_pages(buf.getvalue())
    assert _corner_is_marked(page.image)


def test_float_grey_tiff_keeps_its_tones():
    grey = np.asarray(_page_with_corner_mark().convert("L")).astype(np.float32) / 255.0
    (page,) = load_pages(_tiff(Image.fromarray(grey, "F")))
    assert _corner_is_marked(page.image)


def _damaged_lzw_tiff() -> bytes:
    noise = np.random.default_rng(3).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    data = bytearray(_tiff(Image.fromarray(noise), compression="tiff_lzw"))
    data[2000:2600] = bytes(range(256)) * 2 + bytes(88)  # codes not yet in the table
    return bytes(data)


def _tiff_tag_set(data: bytes, tag: int, value: int) -> bytes:
    """The little-endian TIFF with its SHORT ``tag``'s value set to ``value``."""
    old = struct.pack("<HHI", tag, 3, 1)
    at = data.index(old)
    return data[: at + 8] + struct.pack("<HH", value, 0) + data[at + 12 :]


def test_damaged_tiffs_are_corrupt_and_quiet(capfd):
    # libtiff printed each decoding error on stderr, Pillow warned (UserWarning) and logged:
    # `cusdep verify` wrote several lines; a TIFF without a width raised TypeError
    no_width = _tiff(Image.new("RGB", (300, 300), "white")).replace(
        struct.pack("<HHI", 256, 4, 1), struct.pack("<HHI", 999, 4, 1), 1
    )
    many_samples = _tiff_tag_set(_tiff(Image.new("RGB", (300, 300), "white")), 277, 2048)
    truncated_tags = _tiff(Image.new("RGB", (300, 300), "white"))[:-20]
    for data in (_damaged_lzw_tiff(), no_width, many_samples, truncated_tags):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            with pytest.raises(CorruptDocument, match="TIFF image is corrupt"):
                load_pages(data)
        assert seen == []
    assert capfd.readouterr().err == ""


# ---- found by the fuzzing audit: a sender's odd or hostile files -----------------------------
def test_a_page_many_times_as_long_as_it_is_wide_is_refused_before_ocr():
    # OCR's text detector scales a page's short side up to 736 px: a 20000 x 100 px scan fitted
    # to A4's height (12 x 2338 px) kept `cusdep verify` busy past a minute in GBs (killed), a
    # 60000 x 100 px JPEG (4 x 2338 px) ended in a cv2.error traceback (exit 1), a PDF page of
    # 30000 x 40 pt turned 90 (83334 x 112 px at 200 dpi) took more than 60 s too
    for w, h in ((20000, 100), (100, 20000)):
        with pytest.raises(LimitExceeded, match="over 8 times as long as it is wide"):
            load_pages(_png(w, h))
    buf = io.BytesIO()
    Image.new("L", (60000, 100), 255).save(buf, format="JPEG")
    with pytest.raises(LimitExceeded, match="page 1 is 60000x100 px, over 8 times"):
        check_document(buf.getvalue())
    strip = _pdf_with_page_object(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 30000 40] /Rotate 90 >>"
    )
    for check in (check_document, load_pages):
        with pytest.raises(LimitExceeded, match="PDF page 1 is 0.56x416.67 in, over 8 times"):
            check(strip)
    (long_page,) = load_pages(_png(100, 800))  # eight times: still a page
    assert long_page.image.shape[:2] == (800, 100)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_damaged_exif_block_is_ignored_not_a_corrupt_image(fmt):
    # a JPEG or PNG whose pixels decode but whose EXIF's TIFF header is damaged was refused
    # ("image is corrupt (not a TIFF file ...)", exit 2): Pillow raises SyntaxError for it
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    _page_with_corner_mark().save(buf, fmt, exif=exif.tobytes(), dpi=(200, 200))
    data = buf.getvalue().replace(b"MM\x00*", b"MO\x00*", 1)
    if fmt == "PNG":  # the eXIf chunk's CRC made right again: only its content is damaged
        at = data.index(b"eXIf")
        (n,) = struct.unpack(">I", data[at - 4 : at])
        crc = struct.pack(">I", zlib.crc32(data[at : at + 4 + n]))
        data = data[: at + 4 + n] + crc + data[at + 8 + n :]
    (page,) = load_pages(data)
    assert page.image.shape[:2] == (300, 400) and _corner_is_marked(page.image)
