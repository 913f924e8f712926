"""Intake: sniff the type, enforce limits, decode into RGB pages at the working resolution.

Accepted: PDF (pypdfium2, rendered in a child process with bounded memory and time, see
``_pdf_sandbox``), PNG, JPEG, TIFF (Pillow). Every page ends up as an RGB ``uint8`` array at
``WORK_DPI`` (200 dpi was enough for OCR; stamp size is measured there too). Limits are
checked from headers *before* anything is decoded (decompression bombs).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from verification._pdf_sandbox import RenderJob, render_pdf
from verification.errors import (
    CorruptDocument,
    DocumentError,
    LimitExceeded,
    UnsupportedDocument,
)
from verification.rectify import Rectified, rectify

logger = logging.getLogger(__name__)

WORK_DPI = 200
_DEFAULT_IMAGE_DPI = 200.0
_MIN_SIDE = 100
# a page whose long side is more than this many times its short side is no certificate's paper
# (A4 is 1.41, Legal 1.65, a camera's frame 1.78): OCR's text detector scales a page's short
# side up to 736 px, so its time and memory grow with the ratio (a 12 x 2338 px strip: minutes
# and GBs; a 20000 x 100 px scan is one once it is fitted to A4's height)
_MAX_ASPECT = 8.0
_IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}
_SAME_SCALE = 0.025  # a page within 2.5 % of its size at WORK_DPI is used as it is
# A page longer than this at its resolution is no paper a certificate comes on (A3 is 16.5 in):
# the resolution is wrong, and the page is taken to be A4's height (11.69 in)
_MAX_PAGE_INCHES = 17.5
_FIT_INCHES = 11.69
_EXIF_ORIENTATION = 0x0112
_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class IntakeLimits:
    max_bytes: int = 40 * 1024 * 1024
    max_pages: int = 10
    max_pixels: int = 60_000_000  # per page, at the resolution we decode
    # all pages together: ten pages just under ``max_pixels`` make 1.8 GB of arrays for OCR
    max_document_pixels: int = 150_000_000
    # a PDF is opened and rendered in a child process with this address space and deadline
    max_render_bytes: int = 1024 * 1024 * 1024
    max_render_seconds: float = 10.0


@dataclass
class Page:
    index: int
    image: np.ndarray  # RGB uint8 (H, W, 3) at WORK_DPI
    dpi: float = WORK_DPI
    # a photographed page found on its background and made flat (``rectify``); None: the
    # image is used as it came (a scan)
    rectified: Rectified | None = None
    # used as it came though its frame is a camera's (``camera_frame``): a photograph whose
    # paper was not found (on a surface as light as the paper), seen at an angle
    unflattened_photo: bool = False


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
    """What ``load_pages`` would refuse: its kind (``sniff``), or the error (corrupt,
    encrypted, too many pages or pixels, a PDF over its memory or time to render: its pages
    are rendered, in the child process, and dropped). For a scan submitted to a node:
    refused at once, as ``cusdep verify`` refuses it, not queued."""
    limits = limits or IntakeLimits()
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"file is {len(data)} bytes, limit {limits.max_bytes}")
    kind = sniff(data)
    if kind != "pdf":
        _load_image(data, kind, limits, flatten=False)
        return kind
    _pdf_pages(data, limits, send=False)
    return kind


def load_pages(data: bytes, limits: IntakeLimits | None = None) -> list[Page]:
    limits = limits or IntakeLimits()
    if not data:
        raise UnsupportedDocument("empty file")
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"file is {len(data)} bytes, limit {limits.max_bytes}")
    kind = sniff(data)
    if kind == "pdf":
        return _pdf_pages(data, limits)
    return _load_image(data, kind, limits)


# ---- PDF --------------------------------------------------------------------------------------
def _pdf_pages(data: bytes, limits: IntakeLimits, *, send: bool = True) -> list[Page]:
    """The PDF's pages, opened and rendered by pdfium in a child process within the limits'
    memory and time (``_pdf_sandbox``); ``send`` False: rendered there and dropped."""
    job = RenderJob(
        max_pages=limits.max_pages,
        max_pixels=limits.max_pixels,
        max_document_pixels=limits.max_document_pixels,
        scale=WORK_DPI / 72.0,
        min_side=_MIN_SIDE,
        max_aspect=_MAX_ASPECT,
        max_render_bytes=limits.max_render_bytes,
        max_render_seconds=limits.max_render_seconds,
        send=send,
    )
    # a page that is a photograph of a paper (a phone's "scan to PDF" without its own
    # straightening) is made flat: the rendering at ``WORK_DPI`` is the photo
    return [_photo_page(i, image) or _as_it_came(i, image) for i, image in render_pdf(data, job)]


def _photo_page(index: int, image: np.ndarray) -> Page | None:
    """The page made flat where ``image`` is a photograph of a paper (``rectify``), else None."""
    flat = rectify(image)
    return None if flat is None else Page(index, flat[0], rectified=flat[1])


def _as_it_came(index: int, image: np.ndarray) -> Page:
    h, w = image.shape[:2]
    return Page(index, image, unflattened_photo=camera_frame(w, h))


# a camera's frame proportions (long side over short): 4:3 (phones), 3:2, 16:9; a scan's are
# its paper's (A4 1.414, Letter 1.294, Legal 1.647), 3 % or more from any of them
_CAMERA_ASPECTS = (4 / 3, 3 / 2, 16 / 9)
_CAMERA_SLACK = 0.005


def camera_frame(w: int, h: int) -> bool:
    """Whether a ``w`` x ``h`` image has a camera's proportions, not a paper's."""
    aspect = max(w, h) / max(min(w, h), 1)
    return any(abs(aspect / a - 1.0) <= _CAMERA_SLACK for a in _CAMERA_ASPECTS)


# ---- raster images ----------------------------------------------------------------------------
def _load_image(
    data: bytes, kind: str, limits: IntakeLimits, *, flatten: bool = True
) -> list[Page]:
    if kind == "tiff":
        _quiet_libtiff()
    try:
        with warnings.catch_warnings():
            # Pillow warns about damaged TIFF tags (a stderr line each); the error says enough
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[_IMAGE_FORMATS[kind]])
            return _decode_frames(img, limits, flatten=flatten)
    except DocumentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise LimitExceeded(f"image too large ({err})") from None
    except Exception as err:  # a hostile header trips anything (TypeError, struct.error, ...)
        reason = "unreadable header" if "cannot identify" in str(err) else str(err)
        raise CorruptDocument(
            f"{kind.upper()} image is corrupt ({reason or type(err).__name__})"
        ) from None


def _decode_frames(img: Image.Image, limits: IntakeLimits, *, flatten: bool) -> list[Page]:
    frames = getattr(img, "n_frames", 1)
    if frames > limits.max_pages:
        raise LimitExceeded(f"image has {frames} pages, limit {limits.max_pages}")
    pages, total = [], 0
    for i in range(frames):
        img.seek(i)
        w, h = img.size
        if w * h > limits.max_pixels:
            raise LimitExceeded(f"page {i + 1} is {w}x{h} px, limit {limits.max_pixels} pixels")
        if min(w, h) < _MIN_SIDE:
            raise CorruptDocument(f"page {i + 1} is only {w}x{h} px")
        if max(w, h) > _MAX_ASPECT * min(w, h):
            raise LimitExceeded(
                f"page {i + 1} is {w}x{h} px, over {_MAX_ASPECT:g} times as long as it is wide"
            )
        scale = _page_scale(w, h, _image_dpi(img))
        if scale is not None and w * h * scale * scale > limits.max_pixels:
            raise LimitExceeded(f"page {i + 1} is over {limits.max_pixels} px at {WORK_DPI} dpi")
        total += round(w * h * (scale or 1.0) ** 2)
        if total > limits.max_document_pixels:
            raise LimitExceeded(
                f"pages 1-{i + 1} are over {limits.max_document_pixels} px together "
                f"at {WORK_DPI} dpi"
            )
        frame = _upright(_rgb(img), img)
        photo = _photo_page(i, np.asarray(frame)) if flatten else None
        if photo is not None:  # a photographed page: flat, at WORK_DPI, from the full photo
            pages.append(photo)
            continue
        unflattened = flatten and camera_frame(frame.width, frame.height)
        if scale is not None:
            size = (round(frame.width * scale), round(frame.height * scale))
            frame = frame.resize(size, Image.Resampling.LANCZOS)
        pages.append(Page(i, np.asarray(frame), unflattened_photo=unflattened))
    return pages


def _page_scale(w: int, h: int, dpi: float) -> float | None:
    """The factor that brings an image of ``w`` x ``h`` pixels at ``dpi`` to ``WORK_DPI`` (None:
    it is there). A resolution that makes the page larger than any paper a certificate comes
    on is not the paper's (a camera's 72 dpi, a scanner's missing tag): the page is then taken
    to be as tall as A4."""
    if max(w, h) / dpi > _MAX_PAGE_INCHES:
        fit = _FIT_INCHES * WORK_DPI / max(w, h)
        return None if abs(fit - 1.0) < _SAME_SCALE else fit
    return WORK_DPI / dpi if abs(dpi - WORK_DPI) > 5 else None


def _rgb(img: Image.Image) -> Image.Image:
    """The frame as 8-bit RGB: 16-bit and float grey scaled (not clipped to white), and
    transparent parts laid on white paper (not on the black their colour values often are)."""
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        return Image.fromarray(_grey_u8(np.asarray(img)), "L").convert("RGB")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return img.convert("RGB")


def _grey_u8(values: np.ndarray) -> np.ndarray:
    """Grey levels of a 16-bit, 32-bit or float image as uint8, by the range its type holds."""
    if values.dtype.kind == "f":
        top = 1.0 if float(np.nanmax(values, initial=0.0)) <= 1.0 else 255.0
    else:
        top = 65535.0 if int(values.max(initial=0)) > 255 else 255.0
    scaled = np.nan_to_num(values.astype(np.float64) * (255.0 / top))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _upright(frame: Image.Image, source: Image.Image) -> Image.Image:
    """The frame turned as its EXIF orientation says (a camera or scanner that stores the
    pixels as sensed and the turn in a tag), as every viewer shows it. A damaged EXIF block
    (Pillow's SyntaxError "not a TIFF file") is ignored as viewers ignore it: the pixels are
    used as they are."""
    try:
        orientation = int(source.getexif().get(_EXIF_ORIENTATION, 1))
    except (TypeError, ValueError, SyntaxError):
        return frame
    turn = _ORIENTATIONS.get(orientation)
    return frame.transpose(turn) if turn is not None else frame


def _image_dpi(img: Image.Image) -> float:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else _DEFAULT_IMAGE_DPI
    except (TypeError, ValueError, IndexError):
        value = _DEFAULT_IMAGE_DPI
    return value if 50 <= value <= 1200 else _DEFAULT_IMAGE_DPI


@functools.cache
def _quiet_libtiff() -> None:
    """Silence libtiff's own messages (it prints each decoding error of a damaged TIFF on the
    process's stderr, beside the one line the CLI writes): the error raised says enough. Only
    where the libtiff Pillow loaded can be found (Linux's map of the process)."""
    maps = Path("/proc/self/maps")
    if not maps.exists():
        return
    with contextlib.suppress(OSError, AttributeError):
        found = {ln.split()[-1] for ln in maps.read_text().splitlines() if "/libtiff" in ln}
        for path in found:
            lib = ctypes.CDLL(path)
            for setter in (lib.TIFFSetErrorHandler, lib.TIFFSetWarningHandler):
                setter.restype = ctypes.c_void_p
                setter.argtypes = [ctypes.c_void_p]
                setter(None)
