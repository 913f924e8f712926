"""RegistryService with the in-memory chain: durable writes, idempotency, validation."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image

from node.errors import ChainUnavailable, Conflict, InputError, LimitExceeded, NotFound
from tests.unit.registry.records import AU_TEMPLATE


def _png(color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buf, "PNG")
    return buf.getvalue()


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(buf, "JPEG", quality=95)
    return buf.getvalue()


def _bomb() -> bytes:
    """A PNG claiming 30000 x 30000 pixels (PIL's DecompressionBombError on opening)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))


async def test_partner_agency_is_attested_not_authoritative(node) -> None:
    reg = node.registry
    au = await reg.add_agency("AU-DAFF", "au", "Department of Agriculture")
    cn = await reg.add_agency("CN-GACC", "CN", "GACC")
    assert (au["registrar"], au["country"], au["authoritative"], au["state"]) == (
        "CN",
        "AU",
        False,
        "confirmed",
    )
    assert cn["authoritative"] is True
    seal = await reg.add_seal("AU-DAFF", "AU-DAFF-S1", _png())
    on_chain = await node.extras["chain"].get("seal", "CN", "AU-DAFF-S1")
    assert on_chain["image_sha256"] == seal["sha256"]
    assert node.blobs.get(seal["sha256"]) == _png()


async def test_a_seal_image_without_its_resolution_is_registered_with_a_warning(node) -> None:
    reg = node.registry
    await reg.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    bare = await reg.add_seal("AU-DAFF", "AU-DAFF-S1", _png())
    assert "no resolution" in bare["warnings"][0] and "300 dpi" in bare["warnings"][0]
    buf = io.BytesIO()
    Image.new("RGB", (128, 128), "blue").save(buf, "PNG", dpi=(600, 600))
    tagged = await reg.add_seal("AU-DAFF", "AU-DAFF-S2", buf.getvalue())
    assert "warnings" not in tagged and tagged["state"] == "confirmed"


async def test_chain_down_keeps_the_write_pending_and_the_worker_finishes_it(node) -> None:
    reg, chain = node.registry, node.extras["chain"]
    chain.down = True
    with pytest.raises(ChainUnavailable, match="'AU-DAFF' is recorded here and stays pending"):
        await reg.add_agency("AU-DAFF", "AU", "Dept")
    assert reg.list("agency")[0]["state"] == "pending"
    chain.down = False
    assert await reg.process_pending() == 1
    assert reg.list("agency")[0]["state"] == "confirmed"
    assert await chain.get("agency", "CN", "AU-DAFF") is not None


async def test_same_registration_twice_is_idempotent_different_is_conflict(node) -> None:
    reg = node.registry
    await reg.add_agency("AU-DAFF", "AU", "Dept")
    again = await reg.add_agency("AU-DAFF", "AU", "Dept")
    assert again["state"] == "confirmed"
    with pytest.raises(Conflict):
        await reg.add_agency("AU-DAFF", "NZ", "Dept")
    with pytest.raises(Conflict, match="with another name"):  # was taken as the same, silently
        await reg.add_agency("AU-DAFF", "AU", "Another department")
    await reg.add_officer("AU-DAFF", "O1", "Jane Citizen", _png(), "2024-01-01")
    with pytest.raises(Conflict, match="with another valid_from"):
        await reg.add_officer("AU-DAFF", "O1", "Jane Citizen", _png(), "2025-01-01")
    assert reg.list("agency")[0]["name"] == "Dept"


async def test_adopts_a_record_that_reached_the_chain_before_a_crash(node) -> None:
    reg, chain = node.registry, node.extras["chain"]
    tx = await chain.register(
        "agency", "CN", {"id": "AU-DAFF", "country": "AU", "name": "Dept", "authoritative": False}
    )
    out = await reg.add_agency("AU-DAFF", "AU", "Dept")
    # the transaction that put it there, which an auditor can look up (was "adopted")
    assert out["state"] == "confirmed" and out["tx_hash"] == tx


def _patterned(pattern: str) -> dict:
    """The AU template with a number format (``pattern``) on its certificate number."""
    fields = [
        {**f, "pattern": pattern} if f["name"] == "certificate_number" else f
        for f in AU_TEMPLATE["fields"]
    ]
    return {**AU_TEMPLATE, "fields": fields}


def _named(name: str) -> dict:  # type: ignore[type-arg]
    """AU_TEMPLATE with its first field renamed (a typo of the vocabulary's net_weight_kg)."""
    first = {**AU_TEMPLATE["fields"][0], "name": name}
    return {**AU_TEMPLATE, "fields": [first, *AU_TEMPLATE["fields"][1:]]}


async def test_a_template_with_a_number_format_is_registered(node) -> None:
    await node.registry.add_agency("AU-DAFF", "AU", "Dept")
    out = await node.registry.add_template(json.dumps(_patterned(r"AU-\d{4}-\d{6}")).encode())
    assert out["state"] == "confirmed"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda r: r.add_seal("NOPE", "S1", _png()), NotFound),
        (lambda r: r.add_agency("bad id!", "AU", "x"), InputError),
        (lambda r: r.add_agency("AU-X", "AUS", "x"), InputError),
        (lambda r: r.add_agency("AB-X", "AB", "x"), InputError),  # no country has "AB"
        # a truncated JPEG passes PIL's verify() but cannot be decoded
        (lambda r: r.add_seal("AU-DAFF", "S1", _jpeg()[:600]), InputError),
        (lambda r: r.add_seal("AU-DAFF", "S1", _bomb()), LimitExceeded),
        # the chain holds validity in seconds since 1970
        (lambda r: r.add_officer("AU-DAFF", "O1", "Jane", _png(), "1960-01-01"), InputError),
        (lambda r: r.add_officer("AU-DAFF", "O1", "Jane", b"not an image"), InputError),
        (lambda r: r.add_officer("AU-DAFF", "O1", "Jane", _png(), "2024-13-01"), InputError),
        (
            lambda r: r.add_officer("AU-DAFF", "O1", "Jane", _png(), "2025-01-01", "2024-01-01"),
            InputError,
        ),
        (lambda r: r.add_template(b"{not json"), InputError),
        (lambda r: r.add_template(json.dumps({"id": "T"}).encode()), InputError),
        (lambda r: r.add_template(json.dumps(_named("net_weight")).encode()), InputError),
        (lambda r: r.add_template(json.dumps(_patterned("AU-(\\d")).encode()), InputError),
        # a template names its issuing agency: registered here, of the issuing country
        (
            lambda r: r.add_template(json.dumps({**AU_TEMPLATE, "agency": "ZZ-NONE"}).encode()),
            NotFound,
        ),
        (
            lambda r: r.add_template(json.dumps({**AU_TEMPLATE, "issuing_country": "NZ"}).encode()),
            InputError,
        ),
    ],
)
async def test_bad_input_is_rejected_and_nothing_is_written(node, call, error) -> None:
    await node.registry.add_agency("AU-DAFF", "AU", "Dept")
    before = node.registry.list()
    with pytest.raises(error):
        await call(node.registry)
    assert node.registry.list() == before


async def test_officer_validity_goes_on_chain(node) -> None:
    reg, chain = node.registry, node.extras["chain"]
    await reg.add_agency("AU-DAFF", "AU", "Dept")
    out = await reg.add_officer(
        "AU-DAFF", "AU-DAFF-O7", "Jane Citizen", _png("blue"), "2024-01-01", "2028-12-31"
    )
    record = await chain.get("officer", "CN", "AU-DAFF-O7")
    assert record["valid_from"] == 1704067200 and record["valid_to"] == 1861919999
    assert out["name"] == "Jane Citizen" and out["valid_to"] == "2028-12-31"


async def test_a_concurrent_writer_that_landed_first_is_adopted(node) -> None:
    reg, chain = node.registry, node.extras["chain"]
    original = chain.register

    won: list[str] = []

    async def racing(kind, registrar, fields):
        won.append(await original(kind, registrar, fields))  # someone else wins the race…
        return await original(kind, registrar, fields)  # …so our write reverts RecordExists

    chain.register = racing
    out = await reg.add_agency("AU-DAFF", "AU", "Dept")
    assert out["state"] == "confirmed" and out["tx_hash"] == won[0]


def _mined_revert() -> Exception:
    """What a transaction mined and reverted raises on a chain with block times: both
    writers' transactions passed the pre-flight, and the receipt names no error."""
    from node.errors import ChainReverted

    return ChainReverted("transaction 0x5e1f reverted")


async def test_a_concurrent_writer_whose_win_left_ours_reverting_nameless_is_adopted(
    node,
) -> None:
    reg, chain = node.registry, node.extras["chain"]
    original = chain.register
    won: list[str] = []

    async def racing(kind, registrar, fields):
        won.append(await original(kind, registrar, fields))
        raise _mined_revert()

    chain.register = racing
    out = await reg.add_agency("AU-DAFF", "AU", "Dept")
    assert out["state"] == "confirmed" and out["tx_hash"] == won[0]


async def test_a_revocation_another_writer_landed_first_is_adopted_not_failed(node) -> None:
    reg, chain = node.registry, node.extras["chain"]
    await reg.add_agency("AU-DAFF", "AU", "Dept")
    original = chain.revoke

    async def racing(kind, registrar, record_id, reason):
        await original(kind, registrar, record_id, reason)
        raise _mined_revert()

    chain.revoke = racing
    out = await reg.revoke("agency", "AU-DAFF", "merged")
    assert out["state"] == "revoked"
    assert (await chain.get("agency", "CN", "AU-DAFF"))["revoked_at"]

    async def failing(kind, registrar, record_id, reason):
        raise _mined_revert()  # reverted, and nobody revoked it: the operation failed

    await reg.add_agency("AU-BIO", "AU", "Biosecurity")
    chain.revoke = failing
    with pytest.raises(Exception, match="reverted"):
        await reg.revoke("agency", "AU-BIO", "typo")
    assert not (await chain.get("agency", "CN", "AU-BIO"))["revoked_at"]
