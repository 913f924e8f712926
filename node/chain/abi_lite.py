"""The little of the Solidity ABI that reading the registry's getters needs, without eth_abi.

Importing eth_abi (its grammar is built with parsimonious at import) and eth_utils (whose
Keccak comes from pycryptodome, whose cffi parses C declarations in Python at import) costs a
one-shot ``cusdep verify`` ~0.3 s of CPU on its registry thread, holding the GIL beside OCR.
The getters take ``(bytes2, string)`` and return one tuple of ``string``, ``bytesN``,
``address``, ``bool`` and ``uintN``: encoding and decoding those is a few lines, and Keccak-256
(for the 4-byte selectors and EIP-55 checksums) is done here in Python, on a few short inputs.
Any other type raises ``Unsupported`` (the caller then uses eth_abi). eth_abi and eth_utils
agree value for value (``tests/unit/chain/test_abi_lite.py``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from node.errors import ChainError

_WORD = 32


class Unsupported(ValueError):
    """A type this codec does not handle."""


# ---- Keccak-256 (the pre-SHA-3 padding Ethereum uses) ----------------------------------------
_ROUND_CONSTANTS = (
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808A,
    0x8000000080008000,
    0x000000000000808B,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008A,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000A,
    0x000000008000808B,
    0x800000000000008B,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800A,
    0x800000008000000A,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
)
_ROTATIONS = (
    (0, 36, 3, 41, 18),
    (1, 44, 10, 45, 2),
    (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)
_MASK = (1 << 64) - 1
_RATE = 136  # bytes: 1600 - 2 * 256 bits


def _rol(x: int, n: int) -> int:
    return ((x << n) | (x >> (64 - n))) & _MASK if n else x


def _keccak_f(a: list[list[int]]) -> None:
    """The Keccak-f[1600] permutation on lanes ``a[x][y]``, in place."""
    for rc in _ROUND_CONSTANTS:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        for x in range(5):
            for y in range(5):
                a[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rol(a[x][y], _ROTATIONS[x][y])
        for x in range(5):
            for y in range(5):
                a[x][y] = b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y])
        a[0][0] ^= rc


def keccak256(data: bytes) -> bytes:
    room = _RATE - len(data) % _RATE  # bytes of padding: 0x01, zeros, 0x80 (one byte: 0x81)
    padded = data + (b"\x81" if room == 1 else b"\x01" + b"\x00" * (room - 2) + b"\x80")
    state = [[0] * 5 for _ in range(5)]
    for start in range(0, len(padded), _RATE):
        block = padded[start : start + _RATE]
        for i in range(_RATE // 8):
            state[i % 5][i // 5] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(state)
    return b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


def selector(signature: str) -> bytes:
    """The 4-byte function selector of ``name(type,...)``."""
    return keccak256(signature.encode("ascii"))[:4]


@cache
def checksum_address(raw: str) -> str:
    """An address in EIP-55 mixed case (as web3 returns addresses)."""
    hexaddr = raw.lower().removeprefix("0x")
    digest = keccak256(hexaddr.encode("ascii")).hex()[: len(hexaddr)]
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(h, 16) >= 8 else c
        for c, h in zip(hexaddr, digest, strict=True)
    )


# ---- encoding and decoding -------------------------------------------------------------------
def _fixed_bytes_size(t: str) -> int | None:
    if t.startswith("bytes") and t[5:].isdigit() and 1 <= int(t[5:]) <= 32:
        return int(t[5:])
    return None


def _uint_bits(t: str) -> int | None:
    if t.startswith("uint") and t[4:].isdigit():
        bits = int(t[4:])
        if 8 <= bits <= 256 and bits % 8 == 0:
            return bits
    return None


def _check(t: str) -> None:
    if t not in ("string", "address", "bool") and not (_fixed_bytes_size(t) or _uint_bits(t)):
        raise Unsupported(t)


def encode(types: list[str], values: list[Any]) -> bytes:
    """The arguments ``values`` of ``types`` (``string`` and ``bytesN`` only), ABI-encoded."""
    heads: list[bytes] = []
    tails: list[bytes] = []
    offset = _WORD * len(types)
    for t, v in zip(types, values, strict=True):
        size = _fixed_bytes_size(t)
        if size is not None:
            raw = bytes(v)
            if len(raw) > size:
                raise ValueError(f"{t}: {len(raw)} bytes")
            heads.append(raw.ljust(_WORD, b"\x00"))
        elif t == "string":
            data = str(v).encode("utf-8")
            tail = len(data).to_bytes(_WORD, "big") + data.ljust(
                -(-len(data) // _WORD) * _WORD, b"\0"
            )
            heads.append(offset.to_bytes(_WORD, "big"))
            tails.append(tail)
            offset += len(tail)
        else:
            raise Unsupported(t)
    return b"".join(heads + tails)


def tuple_types(t: str) -> list[str]:
    """The component types of a flat tuple type ``(a,b,...)``."""
    if not (t.startswith("(") and t.endswith(")")) or "(" in t[1:] or "[" in t:
        raise Unsupported(t)
    types = t[1:-1].split(",")
    for part in types:
        _check(part)
    return types


def decode_tuple(types: list[str], raw: bytes) -> tuple[Any, ...]:
    """A function's single tuple return value of component ``types`` (checked with
    ``tuple_types``) from its return data, as eth_abi decodes it (addresses checksummed)."""
    base = _uint(_word(raw, 0), 256)  # the tuple is dynamic (strings): its offset
    return tuple(_component(t, raw, base, i) for i, t in enumerate(types))


def _word(raw: bytes, at: int) -> bytes:
    if at < 0 or at + _WORD > len(raw):
        raise ChainError("registry getter returned short data")
    return raw[at : at + _WORD]


def _uint(word: bytes, bits: int) -> int:
    value = int.from_bytes(word, "big")
    if value >> bits:
        raise ChainError(f"uint{bits} out of range in registry getter data")
    return value


def _component(t: str, raw: bytes, base: int, i: int) -> Any:
    word = _word(raw, base + _WORD * i)
    if t == "string":
        start = base + _uint(word, 256)
        length = _uint(_word(raw, start), 256)
        if start + _WORD + length > len(raw):
            raise ChainError("registry getter returned short data")
        try:
            return raw[start + _WORD : start + _WORD + length].decode("utf-8")
        except UnicodeDecodeError as err:
            raise ChainError("registry getter returned a string that is not UTF-8") from err
    if t == "address":
        if word[:12].strip(b"\0"):
            raise ChainError("address out of range in registry getter data")
        return checksum_address(word[12:].hex())
    if t == "bool":
        value = _uint(word, 8)
        if value > 1:
            raise ChainError("bool out of range in registry getter data")
        return bool(value)
    size = _fixed_bytes_size(t)
    if size is not None:
        if word[size:].strip(b"\0"):
            raise ChainError(f"{t} with non-zero padding in registry getter data")
        return word[:size]
    bits = _uint_bits(t)
    if bits is None:
        raise Unsupported(t)
    return _uint(word, bits)
