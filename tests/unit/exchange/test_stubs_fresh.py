"""The committed gRPC stubs match the .proto sources (run `make proto` when this fails).

Compared by what the stubs encode — the serialized file descriptors and the service methods —
so a newer grpcio-tools (other header comments, version guards) does not count as stale.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
COMMITTED = REPO / "node" / "exchange" / "_pb"
_DESCRIPTOR = re.compile(r"AddSerializedFile\((b'.*?')\)", re.DOTALL)
_METHOD = re.compile(r"'(/cusdep\.exchange\.v1\.\w+/\w+)'")


def _generator():
    spec = importlib.util.spec_from_file_location("proto_generate", REPO / "protos/generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _meaning(directory: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for path in sorted(directory.glob("*.py")):
        text = path.read_text()
        if path.name.endswith("_pb2.py"):
            match = _DESCRIPTOR.search(text)
            assert match, f"{path.name}: no serialized descriptor"
            out[path.name] = ast.literal_eval(match.group(1))
        elif path.name.endswith("_pb2_grpc.py"):
            out[path.name] = sorted(set(_METHOD.findall(text)))
    return out


def test_committed_stubs_match_a_fresh_generation(tmp_path: Path) -> None:
    _generator().generate(tmp_path / "_pb")
    fresh, committed = _meaning(tmp_path / "_pb"), _meaning(COMMITTED)
    assert sorted(fresh) == sorted(committed), "stub files differ: run `make proto`"
    for name, value in fresh.items():
        assert committed[name] == value, f"{name} is stale: run `make proto`"
    assert "/cusdep.exchange.v1.Exchange/Deliver" in fresh["exchange_pb2_grpc.py"]  # type: ignore[operator]


def test_generated_imports_are_package_relative() -> None:
    for path in COMMITTED.glob("*.py*"):
        assert "from cusdep." not in path.read_text(), f"{path.name} has an absolute import"
    from node.exchange._pb import exchange_pb2, exchange_pb2_grpc

    assert exchange_pb2.DESCRIPTOR.package == "cusdep.exchange.v1"
    assert hasattr(exchange_pb2_grpc, "ExchangeStub")
