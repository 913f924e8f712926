"""Folding the OCR models: a small PPLCNetV3-shaped graph run by onnxruntime before and after."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from verification import _onnx_fold

RNG = np.random.default_rng(3)


def _const(name: str, value: np.ndarray | float) -> onnx.NodeProto:
    arr = np.asarray(value, dtype=np.float32)
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(arr, name))


def _block(i: int, x: str, channels: int, *, depthwise: bool) -> tuple[list, list, str]:
    """Conv -> affine -> spelled-out hardswish -> affine, as the Paddle export writes it."""
    p = f"b{i}"
    shape = (channels, 1, 3, 3) if depthwise else (channels, channels, 1, 1)
    w = RNG.normal(0, 0.5, shape).astype(np.float32)
    bias = RNG.normal(0, 0.1, channels).astype(np.float32)
    attrs = {"pads": [1, 1, 1, 1], "group": channels} if depthwise else {}
    scalars = {"s1": 1.7, "c1": 0.4, "three": 3.0, "six": 6.0, "s2": 0.3, "c2": -0.2}
    nodes = [_const(f"{p}.{k}", v) for k, v in scalars.items()]
    nodes += [
        _const(f"{p}.lo", np.float32(0.0)),
        _const(f"{p}.hi", np.float32(6.0)),
        helper.make_node("Conv", [x, f"{p}.w", f"{p}.bias"], [f"{p}.conv"], **attrs),
        helper.make_node("Mul", [f"{p}.s1", f"{p}.conv"], [f"{p}.m1"]),
        helper.make_node("Add", [f"{p}.m1", f"{p}.c1"], [f"{p}.a1"]),
        helper.make_node("Add", [f"{p}.a1", f"{p}.three"], [f"{p}.a3"]),
        helper.make_node("Clip", [f"{p}.a3", f"{p}.lo", f"{p}.hi"], [f"{p}.clip"]),
        helper.make_node("Mul", [f"{p}.a1", f"{p}.clip"], [f"{p}.m"]),
        helper.make_node("Div", [f"{p}.m", f"{p}.six"], [f"{p}.hs"]),
        helper.make_node("Mul", [f"{p}.s2", f"{p}.hs"], [f"{p}.m2"]),
        helper.make_node("Add", [f"{p}.m2", f"{p}.c2"], [f"{p}.out"]),
    ]
    inits = [numpy_helper.from_array(w, f"{p}.w"), numpy_helper.from_array(bias, f"{p}.bias")]
    return nodes, inits, f"{p}.out"


def _model(channels: int = 4) -> bytes:
    nodes, inits, x = [], [], "x"
    for i, depthwise in enumerate([False, True, False, True, False]):
        n, w, x = _block(i, x, channels, depthwise=depthwise)
        nodes += n
        inits += w
    nodes.append(helper.make_node("Identity", [x], ["y"]))
    graph = helper.make_graph(
        nodes,
        "lcnet",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, 8, 12])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, channels, 8, 12])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 7
    return bytes(model.SerializeToString())


def _run(data: bytes, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    out: np.ndarray = session.run(None, {"x": x})[0]
    return out


def _ops(data: bytes) -> list[str]:
    return [n.op_type for n in onnx.load_from_string(data).graph.node if n.op_type != "Constant"]


def test_folded_graph_computes_the_same_with_fewer_elementwise_ops() -> None:
    original = _model()
    folded = _onnx_fold.fold_model_bytes(original)
    x = RNG.uniform(-2, 2, (1, 4, 8, 12)).astype(np.float32)
    np.testing.assert_allclose(_run(folded, x), _run(original, x), rtol=1e-5, atol=1e-5)
    before, after = _ops(original), _ops(folded)
    assert before.count("Div") == 5 and "Div" not in after and "Clip" not in after
    assert after.count("HardSigmoid") == 5
    # the padded depthwise convolutions keep one Add each for the shift, the last block (no
    # convolution after it) its Mul and Add; all else went into the convolutions
    assert after.count("Add") == 3
    assert after.count("Mul") == 6  # five x * HardSigmoid(x)
    assert len(after) < len(before) / 2


def test_a_graph_without_the_pattern_is_left_alone() -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "plain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 7
    assert _ops(_onnx_fold.fold_model_bytes(model.SerializeToString())) == ["Relu"]


def test_folded_copy_is_written_once_and_reused(tmp_path: Path) -> None:
    source = tmp_path / "net.onnx"
    source.write_bytes(_model())
    first = _onnx_fold.folded(source, (1, 4, 8, 12), tmp_path / "cache")
    assert first != source and first.parent == tmp_path / "cache"
    assert _ops(first.read_bytes()).count("HardSigmoid") == 5
    stamp = first.stat().st_mtime_ns
    assert _onnx_fold.folded(source, (1, 4, 8, 12), tmp_path / "cache") == first
    assert first.stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [first.name]  # no temp files


def test_a_copy_that_disagrees_is_not_used(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "net.onnx"
    source.write_bytes(_model())
    monkeypatch.setattr(_onnx_fold, "max_difference", lambda *a: 0.5)
    assert _onnx_fold.folded(source, (1, 4, 8, 12), tmp_path / "cache") == source
    assert not (tmp_path / "cache").exists()


def test_an_unreadable_model_falls_back_to_the_original(tmp_path: Path) -> None:
    source = tmp_path / "broken.onnx"
    source.write_bytes(b"not a model")
    assert _onnx_fold.folded(source, (1, 4, 8, 12), tmp_path / "cache") == source


def test_cache_directory_comes_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CUSDEP_MODEL_CACHE", str(tmp_path / "m"))
    assert _onnx_fold.cache_dir() == tmp_path / "m"
    monkeypatch.delenv("CUSDEP_MODEL_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _onnx_fold.cache_dir() == tmp_path / "xdg" / "cusdep" / "models"


@pytest.mark.parametrize("shape", [(1, 4, 8, 12)])
def test_max_difference_of_a_model_with_itself_is_zero(shape: tuple[int, ...]) -> None:
    data = _model()
    assert _onnx_fold.max_difference(data, data, shape) == 0.0
