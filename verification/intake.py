"""Intake: sniff the type, enforce limits, decode into RGB pages at the working resolution.

Accepted: PDF (pypdfium2, rendered), PNG, JPEG, TIFF (Pillow). Every page ends up as an RGB
``uint8`` array at ``WORK_DPI`` (200 dpi was enough for OCR; stamp size is measured there too).
Limits are checked from headers *before* anything is decoded (decompression bombs).
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from verification.errors import (
    CorruptDocument,
    EncryptedDocument,
    LimitExceeded,
    UnsupportedDocument,
)

logger = logging.getLogger(__name__)

WORK_DPI = 200
_DEFAULT_IMAGE_DPI = 200.0
_MIN_SIDE = 100
_IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}


@dataclass(frozen=True)
class IntakeLimits:
    max_bytes: int = 40 * 1024 * 1024
    max_pages: int = 10
    max_pixels: int = 60_000_000  # per page, at the resolution we decode


@dataclass
class Page:
    index: int
    image: np.ndarray  # RGB uint8 (H, W, 3) at WORK_DPI
    dpi: float = WORK_DPI


def sniff(data: bytes) -> str:
    """``pdf``, ``png``, ``jpeg`` or ``tiff`` from the magic bytes; else UnsupportedDocument."""
    if not data:
        raise UnsupportedDocument("empty file")
    head = data[:1024]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if b"%PDF-" in head:
        return "pdf"
    raise UnsupportedDocument("not a PDF, PNG, JPEG or TIFF document")


def check_document(data: bytes, limits: IntakeLimits | None = None) -> str:
    """What ``load_pages`` would refuse, found without rendering a PDF's pages: its kind
    (``sniff``), or the error (corrupt, encrypted, too many pages or pixels). For a scan
    submitted to a node: refused at once, as ``cusdep verify`` refuses it, not queued."""
    limits = limits or IntakeLimits()
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"file is {len(data)} bytes, limit {limits.max_bytes}")
    kind = sniff(data)
    if kind != "pdf":
        _load_image(data, kind, limits)
        return kind
    import pypdfium2 as pdfium

    pdf = _open_pdf(data)
    try:
        _check_pages(len(pdf), limits)
    except pdfium.PdfiumError as err:
        raise CorruptDocument(f"PDF cannot be read ({err})") from None
    finally:
        pdf.close()
    return kind


def load_pages(data: bytes, limits: IntakeLimits | None = None) -> list[Page]:
    limits = limits or IntakeLimits()
    if not data:
        raise UnsupportedDocument("empty file")
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"file is {len(data)} bytes, limit {limits.max_bytes}")
    kind = sniff(data)
    if kind == "pdf":
        return _load_pdf(data, limits)
    return _load_image(data, kind, limits)


# ---- PDF --------------------------------------------------------------------------------------
def _load_pdf(data: bytes, limits: IntakeLimits) -> list[Page]:
    pdf = _open_pdf(data)
    try:
        return _render_pdf(pdf, limits)
    finally:
        pdf.close()


def _open_pdf(data: bytes) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise EncryptedDocument("PDF is encrypted (password required)") from None
        raise CorruptDocument(f"PDF cannot be opened ({err})") from None


def _check_pages(count: int, limits: IntakeLimits) -> None:
    if count == 0:
        raise CorruptDocument("PDF has no pages")
    if count > limits.max_pages:
        raise LimitExceeded(f"PDF has {count} pages, limit {limits.max_pages}")


def _render_pdf(pdf: object, limits: IntakeLimits) -> list[Page]:
    import pypdfium2 as pdfium

    assert isinstance(pdf, pdfium.PdfDocument)
    count = len(pdf)
    _check_pages(count, limits)
    scale = WORK_DPI / 72.0
    pages = []
    for i in range(count):
        page = pdf[i]
        try:
            w, h = page.get_size()
            if w * scale * h * scale > limits.max_pixels:
                raise LimitExceeded(
                    f"page {i + 1} is {w / 72:.0f}x{h / 72:.0f} in, over {limits.max_pixels} px"
                )
            bitmap = page.render(scale=scale)
            rgb = np.asarray(bitmap.to_pil().convert("RGB"))
        except pdfium.PdfiumError as err:
            raise CorruptDocument(f"PDF page {i + 1} cannot be rendered ({err})") from None
        finally:
            page.close()
        pages.append(Page(i, rgb))
    return pages


# ---- raster images ----------------------------------------------------------------------------
def _load_image(data: bytes, kind: str, limits: IntakeLimits) -> list[Page]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[_IMAGE_FORMATS[kind]])
            return _decode_frames(img, limits)
    except (LimitExceeded, CorruptDocument):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise LimitExceeded(f"image too large ({err})") from None
    except (OSError, ValueError, SyntaxError, EOFError) as err:
        reason = "unreadable header" if "cannot identify" in str(err) else str(err)
        raise CorruptDocument(f"{kind.upper()} image is corrupt ({reason})") from None


def _decode_frames(img: Image.Image, limits: IntakeLimits) -> list[Page]:
    frames = getattr(img, "n_frames", 1)
    if frames > limits.max_pages:
        raise LimitExceeded(f"image has {frames} pages, limit {limits.max_pages}")
    pages = []
    for i in range(frames):
        img.seek(i)
        w, h = img.size
        if w * h > limits.max_pixels:
            raise LimitExceeded(f"page {i + 1} is {w}x{h} px, limit {limits.max_pixels} pixels")
        if min(w, h) < _MIN_SIDE:
            raise CorruptDocument(f"page {i + 1} is only {w}x{h} px")
        dpi = _image_dpi(img)
        frame = img.convert("RGB")
        if abs(dpi - WORK_DPI) > 5:
            scale = WORK_DPI / dpi
            frame = frame.resize((round(w * scale), round(h * scale)), Image.Resampling.LANCZOS)
        pages.append(Page(i, np.asarray(frame)))
    return pages


def _image_dpi(img: Image.Image) -> float:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else _DEFAULT_IMAGE_DPI
    except (TypeError, ValueError, IndexError):
        value = _DEFAULT_IMAGE_DPI
    return value if 50 <= value <= 1200 else _DEFAULT_IMAGE_DPI
