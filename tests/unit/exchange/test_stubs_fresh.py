"""The committed gRPC stubs match the .proto sources (run `make proto` when this fails)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
COMMITTED = REPO / "node" / "exchange" / "_pb"


def _generator():
    spec = importlib.util.spec_from_file_location("proto_generate", REPO / "protos/generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_stubs_match_a_fresh_generation(tmp_path: Path) -> None:
    fresh = {p.name: p.read_text() for p in _generator().generate(tmp_path / "_pb")}
    committed = {p.name: p.read_text() for p in COMMITTED.iterdir() if p.is_file()}
    assert sorted(fresh) == sorted(committed), "stub files differ: run `make proto`"
    for name, text in fresh.items():
        assert committed[name] == text, f"{name} is stale: run `make proto`"


def test_generated_imports_are_package_relative() -> None:
    for path in COMMITTED.glob("*.py"):
        assert "from cusdep." not in path.read_text(), f"{path.name} has an absolute import"
    from node.exchange._pb import exchange_pb2, exchange_pb2_grpc

    assert exchange_pb2.DESCRIPTOR.package == "cusdep.exchange.v1"
    assert hasattr(exchange_pb2_grpc, "ExchangeStub")
