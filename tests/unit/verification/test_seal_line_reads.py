"""A rectangle's inner lines are read side by side on the recogniser threads: the same readings,
in line order, as one after the other on the calling thread."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

import verification._seal_text as seal_text
from verification import ocr


@pytest.fixture
def fake_recogniser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Readings made from the strips' pixels (no model), and the threads that made them."""
    threads: list[str] = []

    def read(strip: np.ndarray) -> str:
        threads.append(threading.current_thread().name)
        return f"LINE{int(strip[0, 0, 0])} TEXT READ"

    monkeypatch.setattr(seal_text, "read_raw", read)
    monkeypatch.setattr(seal_text, "specimen_text_of", lambda key, strip: f"{key} " + read(strip))
    monkeypatch.setattr(seal_text, "_for_ocr", lambda strip: strip)
    return threads


def _strips(levels: list[int], height: int = 30) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (
            np.full((height if n else 4, 80, 3), v, np.uint8),
            np.full((height, 80, 3), v + 1, np.uint8),
        )
        for n, v in enumerate(levels)
    ]


def test_lines_read_on_the_recogniser_threads_in_line_order(fake_recogniser) -> None:
    ev = SimpleNamespace(strips=_strips([10, 20, 30, 40, 50]))
    reads = seal_text.line_reads(ev, "S1")
    one_by_one = [
        (f"S1:line{n} LINE{v} TEXT READ", f"LINE{v + 1} TEXT READ")
        for n, v in enumerate([20, 30, 40, 50], 1)
    ]
    assert reads == (("", ""), *one_by_one)  # the first line is too thin to read
    assert fake_recogniser and all(name.startswith("ocr-rec") for name in fake_recogniser)


def test_on_a_recogniser_thread_lines_are_read_there(fake_recogniser) -> None:
    ev = SimpleNamespace(strips=_strips([10, 20, 30]))
    expected = seal_text.line_reads(ev, "S2")
    fake_recogniser.clear()
    got = ocr._pool(ocr.DEFAULT_THREADS).submit(seal_text.line_reads, ev, "S2").result(timeout=30)
    assert got == expected
    assert len(set(fake_recogniser)) == 1  # one thread: it never waits for its own pool


def test_work_started_beside_the_caller_runs_on_a_recogniser_thread_never_from_one() -> None:
    """``ocr.beside``: a recogniser thread runs the work; from a recogniser thread itself (which
    must never wait for its own pool), or with one thread, nothing is started."""
    name = ocr.beside(lambda: threading.current_thread().name)
    assert name is not None and name.result().startswith("ocr-rec")
    assert ocr.beside(lambda: 1, threads=1) is None
    from_pool = ocr.side_by_side(lambda _: ocr.beside(lambda: 1), [0, 1])
    assert from_pool == [None, None]
