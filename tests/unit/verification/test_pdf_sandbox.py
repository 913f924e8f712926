"""A PDF is opened and rendered by real pdfium in a real child process, within a memory limit
and a deadline (the content bomb left open in s31: a few KB of nested forms cost pdfium 46 s
and 3 GB of the caller's own memory before this; no Python-level limit could stop it)."""

from __future__ import annotations

import concurrent.futures
import functools
import io
import os
import resource
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from verification._pdf_sandbox import CONCURRENT_RENDERS
from verification.errors import CorruptDocument, LimitExceeded, VerificationError
from verification.intake import WORK_DPI, IntakeLimits, check_document, load_pages
from verification.testing import nested_forms_pdf, path_ops_pdf

_MIB = 1024 * 1024


def _pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    for i in range(pages):
        c.setFillColorRGB(0.8, 0.1, 0.1)
        c.circle(300, 400, 80, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.drawString(72, 720, f"PHYTOSANITARY CERTIFICATE page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _in_process(data: bytes) -> list[np.ndarray]:
    """The pages as intake rendered them before the child process (pdfium in the caller)."""
    pdf = pdfium.PdfDocument(data)
    try:
        return [
            np.asarray(pdf[i].render(scale=WORK_DPI / 72).to_pil().convert("RGB"))
            for i in range(len(pdf))
        ]
    finally:
        pdf.close()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_normal_pdf_renders_exactly_as_pdfium_in_process():
    data = _pdf(pages=2)
    pages = load_pages(data)
    before = _in_process(data)
    assert [p.index for p in pages] == [0, 1]
    for page, expected in zip(pages, before, strict=True):
        assert page.image.dtype == np.uint8 and page.image.shape == (2339, 1653, 3)
        assert page.image.flags.c_contiguous
        assert np.array_equal(page.image, expected)
    assert check_document(data) == "pdf"


@pytest.mark.parametrize(
    "bomb",
    [functools.partial(nested_forms_pdf, 20), functools.partial(path_ops_pdf, 5_000_000)],
    ids=["nested-forms", "deflated-path-ops"],
)
def test_a_content_bomb_over_the_memory_limit_is_refused_and_the_caller_stays_small(bomb):
    data = bomb()
    assert len(data) < 5000
    peak = _peak_mib()
    started = time.monotonic()
    limits = IntakeLimits(max_render_bytes=256 * _MIB)
    with pytest.raises(LimitExceeded, match=r"^PDF page 1 needs more than 256 MiB to render$"):
        load_pages(data, limits)
    assert time.monotonic() - started < limits.max_render_seconds
    assert _peak_mib() - peak < 64  # pdfium's GBs were the caller's own before


def test_a_content_bomb_past_the_deadline_is_killed_and_refused():
    limits = IntakeLimits(max_render_seconds=0.5)
    bomb = nested_forms_pdf(17)  # ~4 s and ~300 MB unbounded
    for check in (load_pages, check_document):  # check_document: a node's upload
        started = time.monotonic()
        with pytest.raises(LimitExceeded, match=r"^PDF took longer than 0.5 s to render$"):
            check(bomb, limits)
        assert time.monotonic() - started < 3


def test_the_default_limits_refuse_the_bomb_within_the_default_deadline():
    peak = _peak_mib()
    started = time.monotonic()
    with pytest.raises(
        LimitExceeded, match=r"^PDF (page 1 needs more than 1024 MiB|took longer than 10 s)"
    ):
        load_pages(nested_forms_pdf(20))
    assert time.monotonic() - started < 10 + 3
    assert _peak_mib() - peak < 64


def _renderers() -> list[int]:
    """The pids of this process's PDF renderer children."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        for pid in _read(task / "children").split():
            if b"_pdf_child.py" in _read(Path(f"/proc/{pid}/cmdline")).encode():
                found.append(int(pid))
    return found


def _read(path: Path) -> str:
    """A /proc file's text, "" when its thread or process ended since it was listed."""
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _while_rendering(pid: int) -> bool:
    try:
        return _rss_mib(pid) > 100  # pdfium is loaded and into the bomb's page
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGKILL], ids=["SIGSEGV", "SIGKILL"])
def test_a_renderer_that_crashes_mid_page_is_a_clear_error_not_a_hang(sig):
    limits = IntakeLimits(max_render_bytes=4096 * _MIB, max_render_seconds=60)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        future = pool.submit(load_pages, nested_forms_pdf(20), limits)
        polled = threading.Event()
        pid = None
        while pid is None and not future.done() and time.monotonic() - started < 30:
            pid = next((p for p in _renderers() if _while_rendering(p)), None)
            polled.wait(0.02)  # a poll for the child, not a wait for the result
        assert pid is not None, "the renderer never got into the page"
        os.kill(pid, sig)
        with pytest.raises(
            CorruptDocument, match=rf"^PDF page 1 stopped the renderer \({sig.name}\)$"
        ):
            future.result(timeout=30)
    assert time.monotonic() - started < 30
    assert pid not in _renderers()  # reaped


def test_a_renderer_that_cannot_start_is_no_fault_of_the_document():
    # a memory limit below what the interpreter and pdfium take: not "a corrupt PDF"
    with pytest.raises(VerificationError, match="the PDF renderer did not start") as err:
        load_pages(_pdf(pages=1), IntakeLimits(max_render_bytes=8 * _MIB))
    assert not isinstance(err.value, CorruptDocument | LimitExceeded)


def test_renders_at_once_are_capped_so_their_memory_is_bounded_together():
    # an upload renders a PDF now, on the API's threads: without a cap, N bombs uploaded at
    # once would take N x max_render_bytes
    limits = IntakeLimits(max_render_seconds=1.5)
    bomb = nested_forms_pdf(17)  # ~4 s unbounded: each render runs to its deadline
    jobs = CONCURRENT_RENDERS + 1
    started = time.monotonic()
    most, polled = 0, threading.Event()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(load_pages, bomb, limits) for _ in range(jobs)]
        while not all(f.done() for f in futures):
            most = max(most, len(_renderers()))
            polled.wait(0.02)
        for future in futures:
            with pytest.raises(LimitExceeded, match="took longer than 1.5 s"):
                future.result()
    assert 1 <= most <= CONCURRENT_RENDERS
    assert time.monotonic() - started >= 2 * 1.5  # the last one waited for a slot
