"""Review work run beside the stage that does not need it yet, on threads kept for the process.

A review's stages run one after the other on the calling thread, and much of that is Python
holding one core while the other idles: the page's OCR pre-processing, orientation and line
post-processing, the seal comparison. Work that a later stage needs but that depends only on
what is known already (the seal's colour ink and candidate blobs depend only on the upright
page; the tamper strips only on the fields) is started here and collected where it is used:
the same functions on the same inputs, so the same results, only sooner. OpenCV, numpy and
onnxruntime release the GIL in their heavy calls, so the two overlap on two cores.

Tasks submitted here must never wait for other tasks submitted here (a pool's threads waiting
on each other could all be taken): they run plain functions to completion.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_WORKERS = 2  # reviews run side by side in the node share these threads


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(_WORKERS, thread_name_prefix="review-bg")


def submit(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """``fn(*args, **kwargs)`` on a background thread; its result (or exception) from the
    future's ``result()``."""
    return _pool().submit(fn, *args, **kwargs)
