"""Compiled contract artifacts shipped in the package (written by contracts/compile.py)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def artifact(name: str) -> dict[str, Any]:
    text = resources.files("node.chain").joinpath("abi", f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def abi(name: str) -> list[dict[str, Any]]:
    return list(artifact(name)["abi"])


def type_str(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(type_str(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


@cache
def _error_table() -> dict[bytes, tuple[str, list[str], list[str]]]:
    from eth_utils import function_signature_to_4byte_selector

    table: dict[bytes, tuple[str, list[str], list[str]]] = {}
    for name in ("DocumentAnchor", "TrustRegistry"):
        for entry in abi(name):
            if entry.get("type") != "error":
                continue
            types = [type_str(i) for i in entry["inputs"]]
            sig = f"{entry['name']}({','.join(types)})"
            table[function_signature_to_4byte_selector(sig)] = (
                entry["name"],
                [i["name"] for i in entry["inputs"]],
                types,
            )
    return table


def decode_revert(data: str | bytes | None) -> tuple[str, dict[str, Any]]:
    """Name and arguments of a custom error from its revert data, or ("unknown", {})."""
    if data is None:
        return "unknown", {}
    raw = (
        bytes.fromhex(data[2:] if data.startswith("0x") else data)
        if isinstance(data, str)
        else data
    )
    entry = _error_table().get(raw[:4])
    if entry is None:
        return "unknown", {"data": "0x" + raw.hex()}
    from eth_abi import decode as abi_decode

    name, names, types = entry
    values = abi_decode(types, raw[4:])
    return name, {n: _plain(v) for n, v in zip(names, values, strict=True)}


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("ascii") if len(value) == 2 and value.isalpha() else "0x" + value.hex()
    return value
