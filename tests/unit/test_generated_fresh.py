"""Generated artifacts are committed; these tests fail when they are stale."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _compile_module():
    spec = importlib.util.spec_from_file_location(
        "compile_contracts", REPO / "contracts/compile.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_contract_artifacts_match_sources() -> None:
    compile_contracts = _compile_module()
    expected = compile_contracts.sources_sha256()
    for name in compile_contracts.CONTRACTS:
        artifact = json.loads((REPO / f"node/chain/abi/{name}.json").read_text())
        assert artifact["sourceSha256"] == expected, f"{name} is stale: run `make contracts`"


def test_contract_artifacts_recompile_identically() -> None:
    compile_contracts = _compile_module()
    fresh = compile_contracts.compile_all()
    for name, artifact in fresh.items():
        committed = json.loads((REPO / f"node/chain/abi/{name}.json").read_text())
        assert committed["abi"] == artifact["abi"], f"{name} ABI is stale: run `make contracts`"
        assert committed["bytecode"] == artifact["bytecode"], f"{name} bytecode is stale"


def test_readme_config_reference_is_fresh() -> None:
    from node.config_doc import render

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert render(readme) == readme, "README config reference is stale: python -m node.config_doc"
