"""Folded copies of the PP-OCR ONNX models: the same function in fewer, fused operations.

PP-OCRv4's PPLCNetV3 backbone (detector and recogniser) follows every convolution with a
"learnable affine block" (two scalar ``Mul``/``Add`` pairs) and a hardswish that the Paddle
export spells out as ``Add(3) -> Clip(0, 6) -> Mul -> Div(6)``. onnxruntime fuses none of them, so
about half of the recogniser's time went to element-wise passes over the activations. Here, on
the model graph:

* ``Conv -> Mul(s) -> Add(b)`` becomes one ``Conv`` (weights times ``s``, bias ``b_conv*s + b``);
* the hardswish chain becomes ``x * HardSigmoid(x)`` (alpha 1/6, beta 1/2: the same function);
* ``Mul(s) -> Add(b)`` in front of convolutions moves into them: ``s`` always (zero padding
  scales), ``b`` too when every consumer is a 1x1 convolution without padding, else it stays
  as ``Add(b/s)``.

The result equals the original up to float rounding (checked on a probe input before a folded
model is used: ``_MAX_DIFF``). It is written once, next to nothing else, in a cache directory
(``$CUSDEP_MODEL_CACHE``, else ``$XDG_CACHE_HOME/cusdep/models``, else ``~/.cache/...``), named
by the source model's SHA-256; it is generated locally from the model in the wheel, never
downloaded. Anything that goes wrong leaves the original model in use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from verification import _ort

_ort.telemetry_off()  # before any onnxruntime import below (they are lazy)
logger = logging.getLogger(__name__)

FOLD_VERSION = 1  # bump when the rewrite changes: the cache key includes it
_MAX_DIFF = 1e-3  # largest output difference (probabilities) a folded model may show


def cache_dir() -> Path:
    if env := os.environ.get("CUSDEP_MODEL_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cusdep" / "models"


def folded(model: Path, probe_shape: tuple[int, ...], directory: Path | None = None) -> Path:
    """The folded copy of ``model`` (made and checked on first use), or ``model`` itself when
    it cannot be made (``onnx`` missing, unwritable cache, a check that fails)."""
    directory = directory or cache_dir()
    digest = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
    target = directory / f"{model.stem}.fold{FOLD_VERSION}.{digest}.onnx"
    if target.is_file():
        return target
    try:
        data = fold_model_bytes(model.read_bytes())
        diff = max_difference(model.read_bytes(), data, probe_shape)
        if not diff <= _MAX_DIFF:
            logger.warning("folded %s differs by %.2g: using the original", model.name, diff)
            return model
        _write_atomically(target, data)
    except Exception as err:  # any failure: the original model still works
        logger.warning("cannot fold %s (%s): using the original", model.name, err)
        return model
    logger.info("folded %s into %s (max difference %.2g)", model.name, target, diff)
    return target


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)  # concurrent processes: the last identical copy wins
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def max_difference(original: bytes, folded_model: bytes, shape: tuple[int, ...]) -> float:
    """Largest absolute difference between the two models' first outputs on a fixed probe."""
    import onnxruntime as ort

    probe = np.random.default_rng(7).uniform(-1, 1, size=shape).astype(np.float32)
    outs = []
    for data in (original, folded_model):
        opts = ort.SessionOptions()
        opts.log_severity_level = 4
        session = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
        outs.append(session.run(None, {session.get_inputs()[0].name: probe})[0])
    return float(np.abs(outs[0] - outs[1]).max())


def fold_model_bytes(data: bytes) -> bytes:
    import onnx

    model = onnx.load_from_string(data)
    _Folder(model.graph).run()
    onnx.checker.check_model(model)
    out: bytes = model.SerializeToString()
    return out


class _Folder:
    """One pass of each rewrite over a graph (edited in place)."""

    def __init__(self, graph: Any) -> None:
        from onnx import numpy_helper

        self.graph = graph
        self.consts: dict[str, np.ndarray] = {
            i.name: numpy_helper.to_array(i) for i in graph.initializer
        }
        for n in graph.node:
            if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
                self.consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        self.outputs = {o.name for o in graph.output}
        self.new: dict[str, np.ndarray] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def run(self) -> dict[str, int]:
        self._fold_after_conv()
        self._hardswish()
        self._fold_before_conv()
        self._commit()
        return dict(self.counts)

    # ---- graph helpers ----------------------------------------------------------------
    def _consumers(self) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = defaultdict(list)
        for n in self.graph.node:
            for name in n.input:
                found[name].append(n)
        return found

    def _next(self, consumers: dict[str, list[Any]], node: Any, op: str) -> Any:
        """The single consumer of ``node``'s output if it is an ``op`` node (and that output
        is internal); None for no ``node``."""
        if node is None:
            return None
        name = node.output[0]
        nodes = consumers.get(name, [])
        if len(nodes) == 1 and nodes[0].op_type == op and name not in self.outputs:
            return nodes[0]
        return None

    def _scalar(self, node: Any) -> tuple[float, str] | None:
        """(constant, other input) of a binary node with one scalar constant input."""
        if node is None or len(node.input) != 2:
            return None
        a, b = node.input
        for const, other in ((a, b), (b, a)):
            if const in self.consts and self.consts[const].size == 1 and other not in self.consts:
                return float(self.consts[const].reshape(-1)[0]), other
        return None

    def _const(self, name: str) -> np.ndarray:
        return self.new[name] if name in self.new else self.consts[name]

    def _weights(self, conv: Any) -> tuple[np.ndarray, np.ndarray]:
        w = self._const(conv.input[1]).astype(np.float32)
        b = (
            self._const(conv.input[2]).astype(np.float32)
            if len(conv.input) > 2 and conv.input[2]
            else np.zeros(w.shape[0], np.float32)
        )
        return w, b

    def _set_weights(self, conv: Any, source: str, w: np.ndarray, b: np.ndarray) -> None:
        key = conv.output[0]
        wn, bn = f"{key}.fold_w", f"{key}.fold_b"
        self.new[wn], self.new[bn] = w.astype(np.float32), b.astype(np.float32)
        del conv.input[:]
        conv.input.extend([source, wn, bn])

    def _drop(self, nodes: list[Any]) -> None:
        for n in nodes:
            self.graph.node.remove(n)

    # ---- rewrites ---------------------------------------------------------------------
    def _fold_after_conv(self) -> None:
        """Conv -> Mul(s) -> Add(b)  =>  Conv(w*s, bias*s + b)."""
        for conv in [n for n in self.graph.node if n.op_type == "Conv"]:
            consumers = self._consumers()
            mul = self._next(consumers, conv, "Mul")
            add = self._next(consumers, mul, "Add")
            ms, ad = self._scalar(mul), self._scalar(add)
            if ms is None or ad is None:
                continue
            w, b = self._weights(conv)
            self._set_weights(conv, conv.input[0], w * ms[0], b * ms[0] + ad[0])
            conv.output[0] = add.output[0]
            self._drop([mul, add])
            self.counts["conv_affine"] += 1

    def _hardswish(self) -> None:
        """x -> Add(3) -> Clip(0, 6) -> Mul(x, .) -> Div(6)  =>  Mul(x, HardSigmoid(x))."""
        from onnx import helper

        for add in [n for n in self.graph.node if n.op_type == "Add"]:
            consumers = self._consumers()
            three = self._scalar(add)
            if three is None or three[0] != 3.0:
                continue
            x = three[1]
            clip = self._next(consumers, add, "Clip")
            mul = self._next(consumers, clip, "Mul")
            div = self._next(consumers, mul, "Div")
            six = self._scalar(div)
            if six is None or six[0] != 6.0 or set(mul.input) != {x, clip.output[0]}:
                continue
            if not self._clips_to(clip, 0.0, 6.0):
                continue
            out = div.output[0]
            gate = helper.make_node(
                "HardSigmoid", [x], [f"{out}.gate"], alpha=1.0 / 6.0, beta=0.5, name=f"{out}.hs"
            )
            prod = helper.make_node("Mul", [x, f"{out}.gate"], [out], name=f"{out}.hsw")
            at = list(self.graph.node).index(add)
            self._drop([add, clip, mul, div])
            self.graph.node.insert(at, prod)
            self.graph.node.insert(at, gate)
            self.counts["hardswish"] += 1

    def _clips_to(self, clip: Any, low: float, high: float) -> bool:
        bounds = list(clip.input[1:3])
        if len(bounds) == 2 and all(b in self.consts for b in bounds):
            return (float(self.consts[bounds[0]]), float(self.consts[bounds[1]])) == (low, high)
        attrs = {a.name: a.f for a in clip.attribute}
        return (attrs.get("min"), attrs.get("max")) == (low, high)

    def _fold_before_conv(self) -> None:
        """Mul(s) -> Add(b) -> Conv...  =>  Conv(w*s, bias + b*sum(w)) for 1x1 unpadded
        convolutions, else Add(b/s) -> Conv(w*s) (zero padding commutes with scaling only)."""
        for mul in [n for n in self.graph.node if n.op_type == "Mul"]:
            consumers = self._consumers()
            ms = self._scalar(mul)
            add = self._next(consumers, mul, "Add")
            ad = self._scalar(add)
            if ms is None or ad is None or ms[0] == 0.0:
                continue
            convs = consumers.get(add.output[0], [])
            if not convs or add.output[0] in self.outputs:
                continue
            if any(c.op_type != "Conv" or c.input[0] != add.output[0] for c in convs):
                continue
            (s, x), b = ms, ad[0]
            if all(_pointwise(c, self._const(c.input[1])) for c in convs):
                for conv in convs:
                    w, bias = self._weights(conv)
                    self._set_weights(conv, x, w * s, bias + b * w.sum(axis=(1, 2, 3)))
                self._drop([mul, add])
                self.counts["affine_conv"] += 1
                continue
            for conv in convs:
                w, bias = self._weights(conv)
                self._set_weights(conv, add.output[0], w * s, bias)
            name = f"{add.output[0]}.fold_shift"
            self.new[name] = np.asarray([b / s], np.float32)
            del add.input[:]
            add.input.extend([x, name])
            self._drop([mul])
            self.counts["affine_shift"] += 1

    def _commit(self) -> None:
        """Add the new initializers; drop constants nothing reads any more."""
        from onnx import numpy_helper

        for name, value in self.new.items():
            self.graph.initializer.append(numpy_helper.from_array(value, name))
        used = {i for n in self.graph.node for i in n.input} | self.outputs
        for n in [n for n in self.graph.node if n.op_type == "Constant"]:
            if n.output[0] not in used:
                self.graph.node.remove(n)
        for init in [i for i in self.graph.initializer if i.name not in used]:
            self.graph.initializer.remove(init)


def _pointwise(conv: Any, w: np.ndarray) -> bool:
    pads = [list(a.ints) for a in conv.attribute if a.name == "pads"]
    auto = [a.s for a in conv.attribute if a.name == "auto_pad"]
    unpadded = (not pads or not any(pads[0])) and (not auto or auto[0] in (b"NOTSET", b"VALID"))
    return w.ndim == 4 and w.shape[2] == 1 and w.shape[3] == 1 and unpadded
