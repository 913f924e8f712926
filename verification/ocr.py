"""OCR engines behind ``verification.ports.OcrEngine``.

Default: RapidOCR's ONNX build (PP-OCRv4 detection/recognition models shipped in the wheel, runs
offline), run as folded copies (``verification._onnx_fold``: the same function in fewer
operations, ~45% less CPU for recognition, ~30% for detection; made locally once and cached,
``prepare_models``). The model sessions are loaded once per process (``_models``) and shared by
every engine instance; ``recognise`` is synchronous and CPU-bound, so callers in an event loop
run it in an executor.

Work done per page, and only once: text detection on a copy scaled to ``det_max_side`` (the
detector needs no more), recognition of each detected line cropped from the page at its working
resolution one line at a time (no padding to the widest line of a batch; sorted by width batches
measured 10-30% more CPU), ``threads`` single-threaded recogniser runs side by side, each line
read through to its ``OcrLine`` on the thread that read it (its second readings, ``_reread``,
word boxes and spaces too: that Python work overlaps the other thread's recogniser run), and
the 0/180 degree line classifier only when a sample of the longest lines says the page is
upside down (not at all for a page ``verification.orientation`` has turned upright:
``recognise_upright``).
The detector runs with ``threads`` intra-op threads; all threads sleep rather than spin when
idle (the node shares its cores with the event loop and other reviews). Character boxes are
mapped back to the page in one matrix product per line.

PP-OCR sometimes drops the space between words; ``verification.spacing`` puts it back from
the ink gaps of the page between the per-character boxes (without the page, a gap between
the boxes wider than ``_SPACE_GAP`` of the median character width).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import statistics
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import cv2
import numpy as np

from verification import _onnx_fold, _ort, _reread, spacing
from verification.ports import Box, OcrLine, OcrWord

_ort.telemetry_off()  # before any onnxruntime import below (they are lazy)
logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_R = TypeVar("_R")
WhileReading = Callable[[list[OcrLine]], None]
"""Work given a page's topmost lines while the rest are read (``recognise_upright``)."""

_SPACE_GAP = 0.8  # of the median character width: a space for sure
DEFAULT_DET_MAX_SIDE = 1600  # longer page side given to the detector (A4 at 200 dpi: ~137 dpi)
DEFAULT_THREADS = 2  # onnxruntime intra-op threads (this machine class has 2 cores)
_TEXT_SCORE = 0.5  # lines recognised with less confidence are dropped (RapidOCR's default)
_ORIENTATION_SAMPLE = 6  # longest lines the 0/180 classifier looks at (one batch)
_CLS_THRESH = 0.9
_TOP_SHARE = 0.2  # of a page's lines (the topmost) read first when a stage waits for them
_REC_BATCH = 1  # lines per recogniser call: a batch is padded to its widest line (measured:
# batch 6 cost ~30% more CPU than 1 on simulator pages, and read no better)
# Models run folded (``_onnx_fold``); the probe input each folded copy is checked on:
_FOLD_PROBES = {"Det": (1, 3, 96, 128), "Rec": (1, 3, 48, 320)}


@dataclass(frozen=True)
class _Models:
    det: Any
    cls: Any
    rec: Any


_LOADING = threading.Lock()


def _models(threads: int) -> _Models:
    with _LOADING:  # a background warm-up and the first page must not both load the models
        return _load(threads)


@functools.lru_cache(maxsize=2)
def _load(threads: int) -> _Models:
    from rapidocr_onnxruntime.ch_ppocr_cls import TextClassifier
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    logger.info("loading RapidOCR models (%d threads)", threads)
    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))
    for part in ("Det", "Cls", "Rec"):
        # The detector's one large image parallelises inside onnxruntime; line crops are small,
        # so the recogniser runs single-threaded sessions side by side (``_read_crops``).
        intra = threads if part == "Det" else 1
        config[part].update(intra_op_num_threads=intra, inter_op_num_threads=1)
    # The detector's activations are tens of MB each: without an arena every one is a fresh
    # mmap whose pages fault in (~0.8 s of kernel time on a process's first page, 0.2 s after).
    # Its arena lends freed blocks to later layers and is shrunk after each run (``_shrink``),
    # so nothing stays resident between pages.
    config["Det"]["cpu_mem_arena"] = True
    for part, path in prepare_models().items():
        config[part]["model_path"] = str(path)
    config["Rec"]["rec_batch_num"] = _REC_BATCH
    with _sleeping_threads():
        return _Models(
            det=TextDetector(config["Det"]),
            cls=TextClassifier(config["Cls"]),
            rec=TextRecognizer(config["Rec"]),
        )


def prepare_models() -> dict[str, Path]:
    """The detector and recogniser model files to load: folded copies (made once, cached)."""
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))
    return {
        part: _onnx_fold.folded(Path(config[part]["model_path"]), shape)
        for part, shape in _FOLD_PROBES.items()
    }


@contextmanager
def _sleeping_threads() -> Iterator[None]:
    """RapidOCR builds its onnxruntime sessions itself; add "idle threads sleep" to its options,
    and onnxruntime's memory arena for a part whose config asks for it (``cpu_mem_arena``)."""
    from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

    original = OrtInferSession.__dict__["_init_sess_opts"]

    def options(config: dict[str, Any]) -> Any:
        opts = original.__func__(config)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.enable_cpu_mem_arena = bool(config.get("cpu_mem_arena", False))
        return opts

    OrtInferSession._init_sess_opts = staticmethod(options)  # type: ignore[method-assign]
    try:
        yield
    finally:
        OrtInferSession._init_sess_opts = original  # type: ignore[method-assign]


class RapidOcrEngine:
    """PP-OCR via onnxruntime: detection on a copy whose longer side is at most ``det_max_side``,
    recognition on crops of the page as given."""

    name = "rapidocr"

    def __init__(
        self, det_max_side: int = DEFAULT_DET_MAX_SIDE, threads: int = DEFAULT_THREADS
    ) -> None:
        if det_max_side < 320 or threads < 1:
            raise ValueError("det_max_side must be at least 320 and threads at least 1")
        self.det_max_side = det_max_side
        self.threads = threads

    def warm_up(self) -> None:
        _models(self.threads)

    def warm_up_in_background(self) -> threading.Thread:
        """Load the models on a daemon thread (onnxruntime releases the GIL while it builds its
        sessions), so a one-shot process reads its input meanwhile; ``recognise`` waits."""
        thread = threading.Thread(target=self.warm_up, name="ocr-warm-up", daemon=True)
        thread.start()
        return thread

    def recognise(self, image: np.ndarray) -> list[OcrLine]:
        return self._read(image, self._boxes(image), check_upside_down=True)

    reads_ahead = True  # ``recognise_upright`` takes ``while_reading``

    def recognise_upright(
        self, image: np.ndarray, while_reading: WhileReading | None = None
    ) -> list[OcrLine]:
        """``recognise`` for a page already turned upright (``verification.orientation``): no
        0/180 vote of its own, which on whole lines is weak (three of six upright lines of a
        simulator page voted "upside down" at 0.97 and more).

        ``while_reading(lines)``: called once on the calling thread, with the page's topmost
        lines (``_TOP_SHARE``, read first) while the recogniser threads read the rest, for work
        that needs only those (the pipeline guesses the template from its header and compares
        the seal meanwhile); the lines returned are the same with or without it."""
        boxes = self._boxes(image)
        return self._read(image, boxes, check_upside_down=False, while_reading=while_reading)

    def recognise_if_upright(
        self,
        image: np.ndarray,
        upright: Callable[[], bool],
        while_reading: WhileReading | None = None,
    ) -> list[OcrLine] | None:
        """``recognise_upright`` for a page whose orientation is still being found: its lines
        are detected meanwhile, and read only if ``upright()`` (asked once they are found) says
        the page is upright; None if not (nothing read). The same lines as ``recognise_upright``."""
        boxes = self._boxes(image)
        if not upright():
            return None
        return self._read(image, boxes, check_upside_down=False, while_reading=while_reading)

    def _boxes(self, image: np.ndarray) -> list[np.ndarray]:
        """The page's text line quads (``_detect``)."""
        return _detect(_models(self.threads), image, self.det_max_side)

    def _read(
        self,
        image: np.ndarray,
        boxes: list[np.ndarray],
        *,
        check_upside_down: bool,
        while_reading: WhileReading | None = None,
    ) -> list[OcrLine]:
        models = _models(self.threads)
        if not boxes:
            return []
        crops = [_crop(image, box) for box in boxes]
        turned = check_upside_down and _upside_down(models, crops)
        if turned:
            crops, _, _ = models.cls(crops)
        # Spaces are measured on the page's ink, which runs the other way on a turned page:
        # there the character boxes' own gaps decide.
        gray = (
            None
            if turned
            else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
            if image.ndim == 3
            else image
        )
        page = _Page(models, gray, image.shape[1], image.shape[0])
        read = _read_lines(page, crops, boxes, self.threads, while_reading)
        return [line for line in read if line is not None]


@dataclass(frozen=True)
class _Page:
    """What reading one line of a page needs besides its crop and quad."""

    models: _Models
    gray: np.ndarray | None  # the page's ink for spaces and left-out letters; None if turned
    width: int
    height: int


def _read_lines(
    page: _Page,
    crops: list[np.ndarray],
    boxes: list[np.ndarray],
    workers: int,
    while_reading: WhileReading | None = None,
) -> list[OcrLine | None]:
    """Each crop read through to its ``OcrLine`` (``_read_line``; None for a line dropped), in
    order. ``workers`` lines at once, widest crops first so the last ones to finish are short:
    a line's Python work (word boxes, its ink, spaces) runs while the other thread's recogniser
    does (onnxruntime releases the GIL), not after all lines are read.

    With ``while_reading``, the topmost lines (``_TOP_SHARE``) are read first, and once they
    are, ``while_reading`` gets them (in page order) on the calling thread while the recogniser
    threads read on; while lines are waiting to be read, ``beside`` and ``side_by_side`` run
    their work on the calling thread (``_reading``). Each line is read alone, so the order
    changes when a line is read, never what it reads."""
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
    order.reverse()
    first: list[int] = []
    if while_reading is not None and crops:
        tops = sorted(range(len(crops)), key=lambda i: (float(np.min(boxes[i][:, 1])), i))
        first = tops[: max(1, math.ceil(_TOP_SHARE * len(crops)))]
        chosen = set(first)
        order = [i for i in order if i in chosen] + [i for i in order if i not in chosen]
    if workers <= 1 or len(crops) < 2:
        out: list[OcrLine | None] = [None] * len(crops)
        for n, i in enumerate(order):
            out[i] = _read_line(page, crops[i], boxes[i])
            if while_reading is not None and n + 1 == len(first):
                while_reading([ln for k in sorted(first) if (ln := out[k]) is not None])
        return out
    out = [None] * len(crops)
    with _reading(len(order)) as done:

        def one(i: int) -> OcrLine | None:
            try:
                return _read_line(page, crops[i], boxes[i])
            finally:
                done()

        futures = [_pool(workers).submit(one, i) for i in order]
        try:
            for n, (i, future) in enumerate(zip(order, futures, strict=True)):
                out[i] = future.result()
                if while_reading is not None and n + 1 == len(first):
                    while_reading([ln for k in sorted(first) if (ln := out[k]) is not None])
        finally:
            for future in futures:
                future.cancel()  # an error: lines not started yet are not read
    return out


_WAITING = 0  # lines submitted to the recogniser threads and not read yet (all pages)
_WAITING_LOCK = threading.Lock()


@contextmanager
def _reading(lines: int) -> Iterator[Callable[[], None]]:
    """Count ``lines`` as waiting for the recogniser threads; the callable yielded counts one
    read (each line exactly once: its task, or the exit for a line never started)."""
    global _WAITING
    left = [lines]

    def done() -> None:
        global _WAITING
        with _WAITING_LOCK:
            if left[0] > 0:  # not after the exit, which counted the lines left
                left[0] -= 1
                _WAITING -= 1

    with _WAITING_LOCK:
        _WAITING += lines
    try:
        yield done
    finally:
        with _WAITING_LOCK:
            _WAITING -= left[0]
            left[0] = 0


def _busy() -> bool:
    """Whether the recogniser threads have lines of a page waiting: work handed to them now
    would wait behind those lines."""
    return _WAITING > 0


def _read_line(page: _Page, crop: np.ndarray, box: np.ndarray) -> OcrLine | None:
    """One line: recognised, read again from variants when weak (``_reread.reread``), letters
    the ink shows left out read again widened (``_reread.fill_dropped``, not on a turned page),
    dropped below ``_TEXT_SCORE`` or blank. The same steps, on each line alone, as the page's
    lines in phases (each step looks at its own line only); run on a recogniser thread, so its
    second readings run on it too (``map``), never waiting for the pool it runs in."""
    rec = page.models.rec
    crops, results = _reread.reread(rec, [crop], [rec([crop], True)[0][0]])
    results = _word_boxes(crops, [box], results)
    if page.gray is not None:
        results = _reread.fill_dropped(rec, crops, [box], results, page.gray, _word_boxes)
    text, conf, word_quads, words, confs = results[0]
    if float(conf) < _TEXT_SCORE:
        return None
    item = [box.tolist(), text, conf, _clip(word_quads, page.width, page.height), words, confs]
    return _line(item, page.gray) if str(item[1]).strip() else None


def _word_boxes(crops: list[np.ndarray], boxes: list[np.ndarray], rec: list[Any]) -> list[Any]:
    """RapidOCR's ``CalRecBoxes`` (per character boxes from the recogniser's columns, mapped
    back through each crop's perspective warp), with the mapping done in one matrix product
    per line instead of per point in Python. Character quads come out in page pixels (their
    corner order is not kept: only their extent is used)."""
    from rapidocr_onnxruntime.cal_rec_boxes import CalRecBoxes

    out = []
    for crop, quad, (text, conf, info) in zip(crops, boxes, rec, strict=True):
        h, w = crop.shape[:2]
        frame = np.array([[0, 0], [w, 0], [w, h], [0, h]])
        chars, cells, confs = CalRecBoxes.cal_ocr_word_box(text, frame, info)
        cells = CalRecBoxes.adjust_box_overlap(cells)
        out.append([text, conf, _to_page(quad, cells), chars, confs])
    return out


def _to_page(quad: np.ndarray, cells: list[Any]) -> list[list[list[int]]]:
    """Crop-space quads -> page pixels (``CalRecBoxes.reverse_rotate_crop_image``)."""
    if not cells:
        return []
    src = np.array(quad, dtype=np.float32)  # a copy: the line quad is used after this
    left, top = int(np.min(src[:, 0])), int(np.min(src[:, 1]))
    src[:, 0] -= left
    src[:, 1] -= top
    width = int(np.linalg.norm(src[0] - src[1]))
    height = int(np.linalg.norm(src[0] - src[3]))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    _ok, inverse = cv2.invert(cv2.getPerspectiveTransform(src, target))
    pts = np.asarray(cells, dtype=np.float32).reshape(-1, 2).astype(np.float64)
    tall = int(max(np.linalg.norm(src[0] - src[3]), np.linalg.norm(src[1] - src[2])))
    long = int(max(np.linalg.norm(src[0] - src[1]), np.linalg.norm(src[2] - src[3])))
    if tall / max(long, 1) >= 1.5:  # the crop was turned upright: turn its points back
        a = math.radians(-90)
        x, y = pts[:, 0].copy(), pts[:, 1].copy()
        pts[:, 0] = x * math.cos(a) + y * math.sin(a) + width
        pts[:, 1] = y * math.cos(a) - x * math.sin(a)
    pts = pts.astype(np.float32).astype(np.float64)
    mapped = np.column_stack([pts, np.ones(len(pts))]) @ inverse.T
    xy = np.trunc(mapped[:, :2] / mapped[:, 2:3] + (left, top)).astype(np.int64)
    return [q.tolist() for q in xy.reshape(-1, 4, 2)]


@functools.lru_cache(maxsize=2)
def _pool(workers: int) -> ThreadPoolExecutor:
    """Recogniser threads kept for the process (threads made per page each took a malloc
    arena of their own: ~250 MB more resident memory over a dozen pages)."""
    return ThreadPoolExecutor(workers, thread_name_prefix="ocr-rec")


def side_by_side(
    fn: Callable[[_T], _R], items: Sequence[_T], threads: int = DEFAULT_THREADS
) -> list[_R]:
    """``[fn(x) for x in items]`` run on the recogniser threads, ``threads`` at once, for a
    stage outside OCR that reads several strips with ``read_line`` (the recogniser threads idle
    then; onnxruntime releases the GIL, so the readings overlap on two cores). The same calls
    on the same inputs, so the same results in the same order. On a recogniser thread itself
    (which must never wait for its own pool), or while the recogniser threads have a page's
    lines to read (``_read_lines``'s ``while_reading``), they run one after the other."""
    on_pool = threading.current_thread().name.startswith("ocr-rec")
    if threads <= 1 or len(items) < 2 or on_pool or _busy():
        return [fn(x) for x in items]
    return list(_pool(threads).map(fn, items))


def beside(fn: Callable[[], _R], threads: int = DEFAULT_THREADS) -> Future[_R] | None:
    """``fn()`` started on a recogniser thread while the caller does other work (a stage outside
    OCR, when the recogniser threads idle); None where it cannot run beside the caller (one
    thread, or the caller is a recogniser thread, which must never wait for its own pool, or
    the recogniser threads have lines to read): the caller then does the work itself when it
    needs it. A result never asked for is dropped."""
    if threads <= 1 or threading.current_thread().name.startswith("ocr-rec") or _busy():
        return None
    return _pool(threads).submit(fn)


def read_line(image: np.ndarray, threads: int = DEFAULT_THREADS) -> tuple[str, float]:
    """Text and confidence of one image that already holds a single text line (the recogniser
    alone, no detection): for strips cut out by other stages, e.g. a seal's unwrapped ring.
    The recogniser's output is kept a while (``_LineOutputs``): a stage that then asks how
    well some texts fit the same strip (``text_log_likelihoods``) needs no second run."""
    rec = _models(threads).rec
    probs, ratio = _line_output(rec, image)
    found = rec.postprocess_op(
        probs[np.newaxis], False, wh_ratio_list=[_wh_ratio(image)], max_wh_ratio=ratio
    )
    _LINE_OUTPUTS.keep(image, _latin(rec, probs))
    return (str(found[0][0]), float(found[0][1])) if found else ("", 0.0)


def text_log_likelihoods(
    image: np.ndarray, texts: Sequence[str], threads: int = DEFAULT_THREADS
) -> list[float]:
    """How well each of ``texts`` fits one image that holds a single text line: its CTC
    log-likelihood under the recogniser's output (``_ctc``), where ``read_line`` gives only the
    likeliest reading. Over the recogniser's Latin characters (``_latin``): others in
    ``texts`` are left out, which changes every text's likelihood alike."""
    from verification._ctc import log_likelihoods

    rec = _models(threads).rec
    latin = _LINE_OUTPUTS.get(image)
    if latin is None:
        latin = _latin(rec, _line_output(rec, image)[0])
        _LINE_OUTPUTS.keep(image, latin)
    return log_likelihoods(latin, _latin_charset(rec), texts)


def _wh_ratio(image: np.ndarray) -> float:
    return image.shape[1] / max(1, image.shape[0])


def _line_output(rec: Any, image: np.ndarray) -> tuple[np.ndarray, float]:
    """The recogniser's per-column distributions (T x C) for one line image, as its own call
    on a batch of one computes them (the same resize and normalisation), and the width ratio
    it was resized to."""
    height, width = rec.rec_image_shape[1:3]
    ratio = max(width / height, _wh_ratio(image))
    batch = rec.resize_norm_img(image, ratio)[np.newaxis].astype(np.float32)
    return rec.session(batch)[0][0], ratio


@functools.lru_cache(maxsize=2)
def _latin_columns(rec: Any) -> np.ndarray:
    """The recogniser's columns for the blank, the space and printable ASCII characters."""
    chars = rec.postprocess_op.character
    keep = [i for i, ch in enumerate(chars) if i == 0 or (len(ch) == 1 and " " <= ch <= "~")]
    return np.array(keep, dtype=np.int64)


def _latin(rec: Any, probs: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(probs[:, _latin_columns(rec)])


def _latin_charset(rec: Any) -> list[str]:
    chars = rec.postprocess_op.character
    return [chars[i] for i in _latin_columns(rec)]


class _LineOutputs:
    """The last few line images' recogniser outputs (Latin columns only: ~100 of 6,600, a few
    hundred KB at most), by the image's digest."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._items: dict[bytes, np.ndarray] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(image: np.ndarray) -> bytes:
        digest = hashlib.blake2b(np.ascontiguousarray(image).data, digest_size=16)
        digest.update(repr((image.shape, image.dtype.str)).encode())
        return digest.digest()

    def keep(self, image: np.ndarray, latin: np.ndarray) -> None:
        key = self._key(image)
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = latin
            while len(self._items) > self._size:
                self._items.pop(next(iter(self._items)))

    def get(self, image: np.ndarray) -> np.ndarray | None:
        key = self._key(image)
        with self._lock:
            return self._items.get(key)


_LINE_OUTPUTS = _LineOutputs()


def _detect(models: _Models, image: np.ndarray, max_side: int) -> list[np.ndarray]:
    """Text line quads (float32 4x2, page coordinates) in reading order."""
    import cv2
    from rapidocr_onnxruntime.main import RapidOCR

    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    small = image
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    found = _run_detector(models.det, small)
    if found is None or len(found) == 0:
        return []
    boxes = [np.asarray(b, dtype=np.float32) / np.float32(scale) for b in found]
    for b in boxes:
        np.clip(b[:, 0], 0, w - 1, out=b[:, 0])
        np.clip(b[:, 1], 0, h - 1, out=b[:, 1])
    return list(RapidOCR.sorted_boxes(np.asarray(boxes)))


def _run_detector(det: Any, image: np.ndarray) -> Any:
    """RapidOCR's ``TextDetector.__call__`` (the same resize, model and box post-processing) with
    the input normalised through a 256-entry table (the library's float64 arithmetic on every
    pixel, ~0.1 s a page, gives the same float32 values) and the session's memory arena shrunk
    after the run (``_shrink``)."""
    shape = image.shape[0], image.shape[1]
    pre = det.get_preprocess(max(shape))
    resized = pre.resize(image)
    if resized is None:
        return None
    if resized.dtype == np.uint8 and resized.ndim == 3:
        batch = _normalised(resized, pre)
    else:  # not seen here (pages are 8-bit RGB): the library's own arithmetic
        batch = np.expand_dims(pre.permute(pre.normalize(resized)), axis=0).astype(np.float32)
    session = det.infer.session
    preds = session.run(None, {session.get_inputs()[0].name: batch}, _shrink())[0]
    boxes, _scores = det.postprocess_op(preds, shape)
    return det.filter_tag_det_res(boxes, shape)


@functools.cache
def _shrink() -> Any:
    """Run options that hand the arena's unused blocks back at the end of a run."""
    import onnxruntime as ort

    opts = ort.RunOptions()
    opts.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return opts


def _normalised(image: np.ndarray, pre: Any) -> np.ndarray:
    """``pre.normalize``, ``permute`` and the float32 batch of one, as one table look-up per
    channel: ``normalize`` maps each uint8 level the same way wherever it is."""
    levels = np.arange(256, dtype=np.uint8).reshape(1, 256, 1).repeat(image.shape[2], axis=2)
    table = np.asarray(pre.normalize(levels), dtype=np.float32)[0].T  # channels x 256
    out = np.empty((1, image.shape[2], *image.shape[:2]), dtype=np.float32)
    for c in range(image.shape[2]):
        np.take(table[c], image[:, :, c], out=out[0, c])
    return out


def _crop(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The text line under ``quad``, warped upright (PP-OCR's crop; tall crops turned 90)."""
    import cv2

    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    width, height = max(1, width), max(1, height)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    crop = cv2.warpPerspective(
        image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    return np.rot90(crop) if height / width >= 1.5 else crop


def _upside_down(models: _Models, crops: list[np.ndarray]) -> bool:
    """Whether most of the longest lines read as turned 180 degrees (one classifier batch)."""
    longest = sorted(crops, key=lambda c: c.shape[1], reverse=True)[:_ORIENTATION_SAMPLE]
    _imgs, labels, _elapsed = models.cls(longest)
    turned = sum(1 for label, score in labels if "180" in label and score > _CLS_THRESH)
    return turned * 2 > len(labels)


def _clip(quads: Any, w: int, h: int) -> list[list[list[int]]]:
    if not quads:
        return []
    arr = np.asarray(quads, dtype=np.float32)
    arr[..., 0] = np.clip(arr[..., 0], 0, w)
    arr[..., 1] = np.clip(arr[..., 1], 0, h)
    out: list[list[list[int]]] = arr.astype(np.int32).tolist()
    return out


def _line(item: list[Any], gray: np.ndarray | None = None) -> OcrLine:
    quad = tuple((float(x), float(y)) for x, y in item[0])
    text, conf = unicodedata.normalize("NFKC", str(item[1])), float(item[2])
    chars = _chars(item)
    if chars:
        measured = spacing.respace(chars, quad, gray) if gray is not None else None
        if measured is not None:
            chars, text = measured, "".join(ch for ch, _, _ in measured)
        else:
            text = _respace(chars)
        words = _words(chars, conf, text)
    else:
        words = ()
    return OcrLine(text=text.strip(), box=_quad_box(quad), confidence=conf, words=words, quad=quad)


def _chars(item: list[Any]) -> list[tuple[str, Box, float]]:
    if len(item) < 6 or not item[3] or len(item[3]) != len(item[4]):
        return []
    confs = item[5] if len(item[5]) == len(item[4]) else [item[2]] * len(item[4])
    chars = [
        (
            unicodedata.normalize("NFKC", str(ch)),
            _quad_box(tuple((float(x), float(y)) for x, y in q)),
            float(c),
        )
        for q, ch, c in zip(item[3], item[4], confs, strict=True)
    ]
    return [(ch[:1] or " ", box, c) for ch, box, c in chars]


def _quad_box(quad: tuple[tuple[float, float], ...]) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))


def _respace(chars: list[tuple[str, Box, float]]) -> str:
    widths = [b[2] - b[0] for ch, b, _ in chars if ch.strip()]
    if not widths:
        return "".join(ch for ch, _, _ in chars)
    median = statistics.median(widths)
    out: list[str] = []
    prev: Box | None = None
    for ch, box, _ in chars:
        if ch == " ":
            out.append(" ")
            prev = None
            continue
        if prev is not None and out and out[-1] != " ":
            if (box[0] - prev[2]) / median > _gap_needed(out[-1], ch):
                out.append(" ")
        out.append(ch)
        prev = box
    return "".join(out)


def _gap_needed(before: str, ch: str) -> float:
    """How wide a gap (in median character widths) makes a space between two characters."""
    if before in ",;:" and ch.isalpha():
        return -1.0  # "Citrusdal 7340, South Africa": always a space after the separator
    if ch == "(" and before.isalnum():
        return 0.1
    if (before == "." and ch.isupper()) or (before.islower() and ch.isupper()):
        return 0.25
    if before.isalpha() != ch.isalpha() and before.isalnum() and ch.isalnum():
        return 0.3
    return _SPACE_GAP


def _words(chars: list[tuple[str, Box, float]], line_conf: float, text: str) -> tuple[OcrWord, ...]:
    words: list[OcrWord] = []
    boxes = [b for ch, b, _ in chars if ch != " "]
    confs = [c for ch, _, c in chars if ch != " "]
    i = 0
    for token in text.split():
        n = len(token)
        seg, cs = boxes[i : i + n], confs[i : i + n]
        i += n
        if not seg:
            continue
        box = (seg[0][0], min(b[1] for b in seg), seg[-1][2], max(b[3] for b in seg))
        words.append(OcrWord(token, box, _word_confidence(token, cs, line_conf)))
    return tuple(words)


def _word_confidence(token: str, confs: list[float], line_conf: float) -> float:
    """The mean of the word's characters' confidences, less a separator that ends it: "1," of
    "November 1, 2026" read at 0.73 for a faint comma (held-out seeds 261, 264, 265: genuine
    dates reviewed) though its 1 was sure. A separator inside a word ("1,250.5") counts."""
    if len(token) > 1 and token[-1] in _TRAILING and len(confs) == len(token):
        confs = confs[:-1]
    return statistics.fmean(confs) if confs else line_conf


_TRAILING = ",.;:"


def classify_angles(crops: list[np.ndarray], threads: int = DEFAULT_THREADS) -> list[float]:
    """For each text-line image, PP-OCR's 0/180 classifier's probability that it is upside
    down (one batch): for stages that check a page's orientation before it is read."""
    if not crops:
        return []
    _imgs, labels, _elapsed = _models(threads).cls(list(crops))
    return [float(score) if "180" in label else 1.0 - float(score) for label, score in labels]


def recognition_confidence(crops: list[np.ndarray], threads: int = DEFAULT_THREADS) -> list[float]:
    """For each text-line image, the recogniser's confidence in what it reads (0 when it reads
    nothing): text the right way up reads far more surely than the same text turned over."""
    if not crops:
        return []
    read, _elapsed = _models(threads).rec(list(crops), True)
    return [float(r[1]) if str(r[0]).strip() else 0.0 for r in read]
