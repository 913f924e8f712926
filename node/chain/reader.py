"""Read-only TrustRegistry getters over plain JSON-RPC: what a one-shot ``cusdep verify`` needs.

``Web3TrustRegistry`` reads the same records, but importing web3 (and through it eth_account and
py_ecc) costs a one-shot process about 1.6 s of CPU on start-up, competing with OCR for the two
cores. Reading needs only ``eth_call``: the getter's selector and arguments ABI-encoded
(``node.chain.abi_lite``, not eth_abi, whose import costs ~0.3 s more), a JSON-RPC batch over
HTTP, and the struct decoded the way web3 decodes it. The two agree
record for record (``tests/integration/test_registry_reader.py``, on a real anvil).
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from functools import cache
from typing import Any

from node.chain import abi_lite
from node.chain.artifacts import abi, type_str
from node.chain.records import BATCH, GETTERS, country2, decode
from node.errors import ChainError, ChainUnavailable


class RpcRegistryReader:
    """``get_many`` of the TrustRegistry port at ``address`` on the chain at ``rpc_url``."""

    def __init__(self, rpc_url: str, address: str, *, timeout: float = 10.0) -> None:
        self.rpc_url = rpc_url
        self.address = address
        self.timeout = timeout

    async def get_many(self, keys: Sequence[tuple[str, str, str]]) -> list[dict[str, Any] | None]:
        """Records in order (``None`` where nothing is registered), ``BATCH`` per request."""
        out: list[dict[str, Any] | None] = []
        for i in range(0, len(keys), BATCH):
            chunk = keys[i : i + BATCH]
            results = await asyncio.to_thread(self._batch, [call_data(*key) for key in chunk])
            out.extend(
                decode(kind, output(kind, raw))
                for (kind, _r, _i), raw in zip(chunk, results, strict=True)
            )
        return out

    def _batch(self, data: list[str]) -> list[bytes]:
        requests = [
            {
                "jsonrpc": "2.0",
                "id": n,
                "method": "eth_call",
                "params": [{"to": self.address, "data": d}, "latest"],
            }
            for n, d in enumerate(data)
        ]
        replies = {r.get("id"): r for r in self._post(requests)}
        out = []
        for n in range(len(data)):
            reply = replies.get(n) or {}
            if "result" not in reply:
                raise ChainError(f"eth_call failed: {reply.get('error') or 'no reply'}")
            out.append(bytes.fromhex(str(reply["result"]).removeprefix("0x")))
        return out

    def _post(self, body: list[dict[str, Any]]) -> list[dict[str, Any]]:
        req = urllib.request.Request(
            self.rpc_url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                replies = json.loads(resp.read())
        except (urllib.error.URLError, OSError) as err:
            raise ChainUnavailable(f"chain RPC unreachable ({type(err).__name__})") from err
        if not isinstance(replies, list):
            raise ChainError(f"eth_call batch failed: {replies.get('error') or replies}")
        return replies


def call_data(kind: str, registrar: str, record_id: str) -> str:
    """The ``eth_call`` data of the getter of a (kind, registrar, record_id)."""
    selector, inputs, _ = _signature(kind)
    args = [country2(registrar), record_id]
    try:
        encoded = abi_lite.encode(inputs, args)
    except abi_lite.Unsupported:
        from eth_abi import encode

        encoded = encode(inputs, args)
    return "0x" + (selector + encoded).hex()


def output(kind: str, raw: bytes) -> tuple[Any, ...]:
    """The getter's struct as web3 returns it (addresses checksummed)."""
    _, _, outputs = _signature(kind)
    try:
        return abi_lite.decode_tuple(abi_lite.tuple_types(outputs[0]), raw)
    except abi_lite.Unsupported:
        pass
    from eth_abi import decode
    from eth_utils import to_checksum_address

    (values,) = decode(outputs, raw)
    return tuple(to_checksum_address(v) if _is_address(v) else v for v in values)


def _is_address(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("0x") and len(value) == 42


@cache
def _signature(kind: str) -> tuple[bytes, list[str], list[str]]:
    """(selector, input types, output types) of the getter for ``kind``, from the ABI."""
    name = GETTERS[kind]
    entry = next(e for e in abi("TrustRegistry") if e.get("name") == name)
    inputs = [type_str(p) for p in entry["inputs"]]
    outputs = [type_str(p) for p in entry["outputs"]]
    return abi_lite.selector(f"{name}({','.join(inputs)})"), inputs, outputs
