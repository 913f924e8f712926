"""Compile contracts/src with py-solc-x (`compile_standard`) into node/chain/abi/<Name>.json.

The compiler is, in order: $CUSDEP_SOLC; a native `solc` on PATH; the npm solc package through
tools/bin/solc (tools/solc-shim.js), since no native solc can be downloaded here. Each artifact
records the ABI, bytecode, compiler version, settings and the SHA-256 of the sources, so a test
can tell when the committed artifacts are stale (`make contracts` refreshes them).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "contracts" / "src"
OUT = REPO / "node" / "chain" / "abi"
CONTRACTS = ("DocumentAnchor", "TrustRegistry")
SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}


def sources_sha256() -> str:
    digest = hashlib.sha256()
    for path in sorted(SRC.glob("*.sol")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def find_solc() -> Path:
    env = os.environ.get("CUSDEP_SOLC")
    if env:
        return Path(env)
    shim = REPO / "tools" / "bin" / "solc"
    found = shutil.which("solc")
    if found and Path(found).resolve() != shim.resolve():
        return Path(found)
    if shim.exists():
        return shim
    raise SystemExit("no solc: run `make setup` (installs the npm solc package and its shim)")


def compile_all() -> dict[str, dict[str, Any]]:
    import solcx

    solc = find_solc()
    sources = {
        p.name: {"content": p.read_text(encoding="utf-8")} for p in sorted(SRC.glob("*.sol"))
    }
    out = solcx.compile_standard(
        {"language": "Solidity", "sources": sources, "settings": SETTINGS},
        solc_binary=solc,
        base_path=str(SRC),
        allow_paths=[str(SRC)],
    )
    errors = [e for e in out.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise SystemExit("\n".join(e.get("formattedMessage", str(e)) for e in errors))
    version = str(solcx.wrapper.get_solc_version(solc, with_commit_hash=True))
    source_hash = sources_sha256()
    artifacts = {}
    for name in CONTRACTS:
        contract = out["contracts"][f"{name}.sol"][name]
        artifacts[name] = {
            "contractName": name,
            "abi": contract["abi"],
            "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
            "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
            "compiler": {"name": "solc", "version": version, "settings": SETTINGS},
            "sourceSha256": source_hash,
        }
    return artifacts


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, artifact in compile_all().items():
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        sys.stdout.write(f"wrote {path.relative_to(REPO)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
