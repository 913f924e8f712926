"""The PDF renderer's child process: open a PDF with pdfium, check it and render its pages.

Run by ``verification._pdf_sandbox`` as ``python -P <this file> <job JSON>`` with the PDF on
stdin; it imports nothing of cusdep (the standard library and pypdfium2 only), so it starts in
about 0.1 s and its address space holds little besides pdfium. Before pdfium is loaded it
limits its own address space (``RLIMIT_AS``) and core dumps; the parent kills it at its
deadline. What it finds goes to stdout as frames, each a kind byte and a fixed header:

    R                                             started: limits set, pdfium loaded
    S <page u32>                                  page ``page`` (0-based) is about to be rendered
    P <page u32> <width u32> <height u32> <RGB>   a rendered page, ``width*height*3`` bytes, tight
    K <page u32>                                  page rendered and dropped (``check`` jobs)
    E <length u32> <JSON {"kind", "message"}>     refused: kind corrupt|encrypted|limit|memory

The job: ``{"mode": "render"|"check", "max_bytes": n, "max_pages": n, "max_pixels": n,
"max_document_pixels": n, "scale": f, "min_side": n, "max_aspect": f}``.
"""

from __future__ import annotations

import json
import resource
import struct
import sys
from typing import Any, BinaryIO


class Refused(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def main(argv: list[str]) -> int:
    job = json.loads(argv[1])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))  # stderr is a file
    resource.setrlimit(resource.RLIMIT_AS, (job["max_bytes"], job["max_bytes"]))
    import pypdfium2  # noqa: F401  (loaded within the limit: a limit too small fails here)

    out = sys.stdout.buffer
    out.write(b"R")
    out.flush()
    data = sys.stdin.buffer.read()
    try:
        _run(job, data, out)
    except Refused as err:
        _refuse(out, err.kind, err.message)
    except MemoryError:
        _refuse(out, "memory", "")
    out.flush()
    return 0


def _refuse(out: BinaryIO, kind: str, message: str) -> None:
    body = json.dumps({"kind": kind, "message": message}).encode()
    out.write(b"E" + struct.pack("<I", len(body)) + body)


def _run(job: dict[str, Any], data: bytes, out: BinaryIO) -> None:
    import pypdfium2 as pdfium

    pdf = _open(pdfium, data)
    count = len(pdf)
    if count == 0:
        raise Refused("corrupt", "PDF has no pages")
    if count > job["max_pages"]:
        raise Refused("limit", f"PDF has {count} pages, limit {job['max_pages']}")
    _check_sizes(pdfium, pdf, count, job)  # every page before any render
    scale = float(job["scale"])
    for i in range(count):
        out.write(b"S" + struct.pack("<I", i))
        out.flush()
        _render(pdfium, pdf, i, scale, out, job["mode"] == "render")
        out.flush()


def _open(pdfium: Any, data: bytes) -> Any:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise Refused("encrypted", "PDF is encrypted (password required)") from None
        raise Refused("corrupt", f"PDF cannot be opened ({_reason(err)})") from None


def _reason(err: Exception) -> str:
    """pdfium's message without its misleading last-error text ("PDFium: Success")."""
    return str(err).replace(" (PDFium: Success)", "").rstrip(".") or "unreadable"


def _check_sizes(pdfium: Any, pdf: Any, count: int, job: dict[str, Any]) -> None:
    """Each page within ``max_pixels``, ``min_side`` and ``max_aspect``, all together within
    ``max_document_pixels``; from the page tree alone: a page's content is not parsed here."""
    total = 0.0
    for i in range(count):
        total += _page_pixels(pdfium, pdf, i, job)
        if total > job["max_document_pixels"]:
            limit = job["max_document_pixels"]
            raise Refused("limit", f"pages 1-{i + 1} are over {limit} px together")


def _page_pixels(pdfium: Any, pdf: Any, i: int, job: dict[str, Any]) -> float:
    """Page ``i``'s pixels at the job's scale (72 pt to the inch), once within the limits."""
    scale = float(job["scale"])
    try:
        w, h = pdf.get_page_size(i)
    except pdfium.PdfiumError as err:
        raise Refused("corrupt", f"PDF page {i + 1} cannot be read ({_reason(err)})") from None
    if w * scale * h * scale > job["max_pixels"]:
        size = f"{w / 72:.0f}x{h / 72:.0f} in"
        raise Refused("limit", f"page {i + 1} is {size}, over {job['max_pixels']} px")
    if min(w, h) * scale < job["min_side"]:
        raise Refused("corrupt", f"PDF page {i + 1} is only {w / 72:.2f}x{h / 72:.2f} in")
    if max(w, h) > job["max_aspect"] * min(w, h):
        size = f"{w / 72:.2f}x{h / 72:.2f} in"
        raise Refused(
            "limit",
            f"PDF page {i + 1} is {size}, over {job['max_aspect']:g} times as long as it is wide",
        )
    return w * scale * h * scale


def _render(pdfium: Any, pdf: Any, i: int, scale: float, out: BinaryIO, send: bool) -> None:
    try:
        page = pdf[i]
    except pdfium.PdfiumError as err:
        raise Refused("corrupt", f"PDF page {i + 1} cannot be read ({_reason(err)})") from None
    try:
        bitmap = page.render(scale=scale, rev_byteorder=True, bitmap_maker=_tight_bitmap)
    except pdfium.PdfiumError as err:
        reason = _reason(err)
        raise Refused("corrupt", f"PDF page {i + 1} cannot be rendered ({reason})") from None
    finally:
        page.close()
    if not send:
        out.write(b"K" + struct.pack("<I", i))
        return
    out.write(b"P" + struct.pack("<III", i, bitmap.width, bitmap.height))
    out.write(memoryview(bitmap.buffer).cast("B"))


def _tight_bitmap(width: int, height: int, format: int, rev_byteorder: bool) -> Any:
    """A pdfium bitmap in a buffer of our own whose rows are not padded (pdfium pads them to 4
    bytes), so that the pixels go to the parent as they are."""
    import ctypes

    import pypdfium2 as pdfium

    if format != pdfium.raw.FPDFBitmap_BGR:
        raise RuntimeError(f"pdfium chose bitmap format {format}, not BGR")
    stride = width * 3
    buffer = (ctypes.c_ubyte * (stride * height))()
    return pdfium.PdfBitmap.new_native(
        width, height, format, rev_byteorder=rev_byteorder, buffer=buffer, stride=stride
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
