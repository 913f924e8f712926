"""The registry reader's own ABI codec agrees with eth_abi / eth_utils value for value."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from node.chain import abi_lite, reader
from node.chain.records import KINDS
from node.errors import ChainError

TEXTS = ["", "S1", "AU-DAFF", "x" * 31, "y" * 32, "z" * 33, "Ōtautahi ünïcode €", "w" * 200]


def test_keccak_and_checksums_match_eth_utils() -> None:
    rng = random.Random(7)
    for n in [*range(0, 280), 1000]:
        data = rng.randbytes(n)
        assert abi_lite.keccak256(data) == keccak(data), n
    for _ in range(50):
        address = "0x" + rng.randbytes(20).hex()
        assert abi_lite.checksum_address(address) == to_checksum_address(address)


@pytest.mark.parametrize("kind", KINDS)
def test_getter_calls_encode_and_decode_as_eth_abi_does(kind: str) -> None:
    rng = random.Random(kind)
    sel, inputs, outputs = reader._signature(kind)
    name = reader.GETTERS[kind]
    assert sel == function_signature_to_4byte_selector(f"{name}({','.join(inputs)})")
    for text in TEXTS:
        args = [b"AU", text]
        assert abi_lite.encode(inputs, args) == encode(inputs, args)
    types = abi_lite.tuple_types(outputs[0])
    for text in TEXTS:
        values = []
        for t in types:
            if t == "string":
                values.append(text + rng.choice(TEXTS))
            elif t == "address":
                values.append(to_checksum_address("0x" + rng.randbytes(20).hex()))
            elif t == "bool":
                values.append(rng.random() < 0.5)
            elif t.startswith("bytes"):
                values.append(rng.randbytes(int(t[5:])))
            else:
                values.append(rng.choice([0, 1, 2**64 - 1, rng.getrandbits(64)]))
        raw = encode(outputs, [tuple(values)])
        (web3_way,) = decode(outputs, raw)  # what the reader returned: addresses checksummed
        web3_way = tuple(to_checksum_address(v) if reader._is_address(v) else v for v in web3_way)
        assert abi_lite.decode_tuple(types, raw) == web3_way == tuple(values)


def test_malformed_data_and_unknown_types() -> None:
    _, _, outputs = reader._signature("seal")
    types = abi_lite.tuple_types(outputs[0])
    raw = encode(outputs, [("S", "A", b"\1" * 32, b"AU", "0x" + "11" * 20, True, 5, 0)])
    with pytest.raises(ChainError):
        abi_lite.decode_tuple(types, raw[:-32])  # cut short
    bad_bool = bytearray(raw)
    bad_bool[32 + 5 * 32 + 31] = 2
    with pytest.raises(ChainError):
        abi_lite.decode_tuple(types, bytes(bad_bool))
    for t in ("(uint256[],string)", "((string),bool)", "(int64,bool)", "(bytes,bool)"):
        with pytest.raises(abi_lite.Unsupported):
            abi_lite.tuple_types(t)
    with pytest.raises(abi_lite.Unsupported):
        abi_lite.encode(["uint256"], [1])


def test_reading_the_registry_imports_no_eth_abi() -> None:
    code = (
        "import sys\nfrom node.chain import reader\n"
        "reader.call_data('seal', 'AU', 'S1')\n"
        "reader.output('seal', bytes.fromhex(sys.argv[1]))\n"
        "heavy = ('eth_abi', 'eth_utils', 'hexbytes', 'Crypto')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    _, _, outputs = reader._signature("seal")
    raw = encode(outputs, [("S", "A", b"\1" * 32, b"AU", "0x" + "11" * 20, True, 5, 0)])
    out = subprocess.run(
        [sys.executable, "-c", code, raw.hex()], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
