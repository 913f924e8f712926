"""Every access-control rule of the contracts, against a real anvil, by its named error."""

from __future__ import annotations

import hashlib

import pytest

from node.anchoring.merkle import MerkleTree, leaf_for
from node.errors import ChainReverted

SHA = hashlib.sha256(b"specimen").hexdigest()
OTHER_SHA = hashlib.sha256(b"other").hexdigest()


async def _authorities(deployed, anvil_url):
    admin_reg = deployed.registry(deployed.admin)
    cn = await deployed.client(anvil_url)
    au = await deployed.client(anvil_url)
    await admin_reg.add_authority("CN", cn.address)
    await admin_reg.add_authority("AU", au.address)
    return deployed.registry(cn), deployed.registry(au)


def _agency(agency_id: str, country: str, authoritative: bool) -> dict:
    return {
        "id": agency_id,
        "country": country,
        "name": f"{agency_id} agency",
        "authoritative": authoritative,
    }


async def expect(error: str, coro) -> ChainReverted:
    with pytest.raises(ChainReverted) as info:
        await coro
    assert info.value.detail["error"] == error, info.value.message
    return info.value


async def test_authority_writes_authoritative_records_for_its_own_country(deployed, anvil_url):
    cn, au = await _authorities(deployed, anvil_url)
    await au.register("agency", "AU", _agency("AU-DAFF", "AU", True))
    await au.register(
        "seal", "AU", {"id": "AU-DAFF-S1", "agency_id": "AU-DAFF", "image_sha256": SHA}
    )
    record = await au.get("seal", "AU", "AU-DAFF-S1")
    assert record is not None and record["authoritative"] is True
    assert record["image_sha256"] == SHA and record["registrar"] == "AU"


async def test_au_cannot_write_an_authoritative_record_for_nz(deployed, anvil_url):
    _, au = await _authorities(deployed, anvil_url)
    await expect("NotAuthoritativeFor", au.register("agency", "AU", _agency("NZ-MPI", "NZ", True)))
    await expect("NotRegistrar", au.register("agency", "NZ", _agency("NZ-MPI", "NZ", True)))
    assert await au.get("agency", "AU", "NZ-MPI") is None


async def test_importer_attests_a_partner_agency_not_authoritatively(deployed, anvil_url):
    cn, _ = await _authorities(deployed, anvil_url)
    await cn.register("agency", "CN", _agency("AU-DAFF", "AU", False))
    record = await cn.get("agency", "CN", "AU-DAFF")
    assert record == {**record, "registrar": "CN", "country": "AU", "authoritative": False}


async def test_au_cannot_change_or_revoke_a_record_cn_attested(deployed, anvil_url):
    cn, au = await _authorities(deployed, anvil_url)
    await cn.register("agency", "CN", _agency("AU-DAFF", "AU", False))
    await cn.register("seal", "CN", {"id": "S1", "agency_id": "AU-DAFF", "image_sha256": SHA})
    await expect("NotRegistrar", au.revoke("seal", "CN", "S1", "mine now"))
    await expect(
        "NotRegistrar",
        au.register("seal", "CN", {"id": "S2", "agency_id": "AU-DAFF", "image_sha256": OTHER_SHA}),
    )
    await expect(
        "RecordExists",
        cn.register("seal", "CN", {"id": "S1", "agency_id": "AU-DAFF", "image_sha256": OTHER_SHA}),
    )
    record = await cn.get("seal", "CN", "S1")
    assert record is not None and record["image_sha256"] == SHA and record["revoked_at"] == 0


async def test_unknown_account_cannot_write_the_registry(deployed, anvil_url):
    stranger = deployed.registry(await deployed.client(anvil_url))
    await expect("NotAuthority", stranger.register("agency", "CN", _agency("X", "CN", True)))
    await expect("NotAdmin", stranger.add_authority("CN", stranger.client.address))


async def test_seal_needs_a_live_agency_of_the_same_registrar(deployed, anvil_url):
    cn, au = await _authorities(deployed, anvil_url)
    await au.register("agency", "AU", _agency("AU-DAFF", "AU", True))
    await expect(
        "UnknownAgency",
        cn.register("seal", "CN", {"id": "S1", "agency_id": "AU-DAFF", "image_sha256": SHA}),
    )
    await au.revoke("agency", "AU", "AU-DAFF", "closed")
    await expect(
        "UnknownAgency",
        au.register("seal", "AU", {"id": "S1", "agency_id": "AU-DAFF", "image_sha256": SHA}),
    )
    await expect("AlreadyRevoked", au.revoke("agency", "AU", "AU-DAFF", "again"))


async def test_officer_validity_window_is_checked(deployed, anvil_url):
    _, au = await _authorities(deployed, anvil_url)
    await au.register("agency", "AU", _agency("AU-DAFF", "AU", True))
    bad = {
        "id": "O1",
        "agency_id": "AU-DAFF",
        "signature_sha256": SHA,
        "valid_from": 200,
        "valid_to": 100,
    }
    await expect("InvalidValidity", au.register("officer", "AU", bad))
    await au.register("officer", "AU", {**bad, "valid_from": 100, "valid_to": 200})
    record = await au.get("officer", "AU", "O1")
    assert record is not None and (record["valid_from"], record["valid_to"]) == (100, 200)


async def test_only_the_registrar_changes_an_officers_validity_or_revokes_its_records(
    deployed, anvil_url
):
    """``setOfficerValidity`` and the ``revoke*`` functions, from another registrar's authority
    and from an account that is none: refused by name, the record unchanged."""
    cn, au = await _authorities(deployed, anvil_url)
    stranger = deployed.registry(await deployed.client(anvil_url))
    await au.register("agency", "AU", _agency("AU-DAFF", "AU", True))
    officer = {"id": "O1", "agency_id": "AU-DAFF", "signature_sha256": SHA}
    await au.register("officer", "AU", {**officer, "valid_from": 100, "valid_to": 200})
    for caller, error in ((cn, "NotRegistrar"), (stranger, "NotAuthority")):
        await expect(error, caller.set_officer_validity("AU", "O1", 100, 10**10))
        for kind, record_id in (("officer", "O1"), ("agency", "AU-DAFF")):
            await expect(error, caller.revoke(kind, "AU", record_id, "not yours"))
    remove = (await stranger._c()).functions.removeAuthority(au.client.address)
    await expect("NotAdmin", stranger.client.transact(remove))
    record = await au.get("officer", "AU", "O1")
    assert record is not None
    assert (record["valid_from"], record["valid_to"], record["revoked_at"]) == (100, 200, 0)
    agency = await au.get("agency", "AU", "AU-DAFF")
    assert agency is not None and agency["revoked_at"] == 0


async def test_unknown_account_cannot_anchor_or_revoke(deployed, anvil_url):
    stranger = deployed.anchor(await deployed.client(anvil_url))
    root = "0x" + SHA
    await expect("NotWriter", stranger.anchor(root, 1, root))
    await expect("NotWriter", stranger.revoke(root, [], root, "no"))
    await expect("NotAdmin", stranger.authorise(stranger.client.address))
    assert await stranger.find_anchor(root) is None


async def test_admin_authorises_a_writer(deployed, anvil_url):
    admin = deployed.anchor(deployed.admin)
    writer = deployed.anchor(await deployed.client(anvil_url))
    root = "0x" + SHA
    await admin.authorise(writer.client.address)
    receipt = await writer.anchor(root, 3, root)
    assert receipt.timestamp > 0 and receipt.block_number > 0
    await expect("AlreadyAnchored", writer.anchor(root, 3, root))
    await expect("ZeroRoot", writer.anchor("0x" + "00" * 32, 3, root))
    await expect("EmptyBatch", writer.anchor("0x" + OTHER_SHA, 0, root))
    found = await writer.find_anchor(root)
    assert found is not None and found.tx_hash == receipt.tx_hash


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


async def _writers(deployed, anvil_url):
    """The admin's anchor port and two writers it authorised (CN, AU)."""
    admin = deployed.anchor(deployed.admin)
    cn = deployed.anchor(await deployed.client(anvil_url))
    au = deployed.anchor(await deployed.client(anvil_url))
    await admin.authorise(cn.client.address)
    await admin.authorise(au.client.address)
    return admin, cn, au


async def _anchored(anchor, tag: str):
    leaves = [leaf_for(hashlib.sha256(f"{tag}{i}".encode()).hexdigest()) for i in range(3)]
    tree = MerkleTree.build(leaves)
    root = _hex(tree.root)
    await anchor.anchor(root, len(leaves), root)
    return root, [(_hex(leaf), [_hex(p) for p in tree.proof(leaf)]) for leaf in leaves]


async def test_a_second_writer_cannot_revoke_the_first_writers_leaf(deployed, anvil_url):
    _, cn, au = await _writers(deployed, anvil_url)
    root, leaves = await _anchored(cn, "cn")
    leaf, proof = leaves[1]
    assert await au.root_writer(root) == cn.client.address
    err = await expect("NotRootWriter", au.revoke(root, proof, leaf, "mine now"))
    assert err.detail["args"]["caller"].lower() == au.client.address.lower()
    assert not await cn.is_revoked_in(root, leaf) and not await cn.is_revoked(leaf)
    await cn.revoke(root, proof, leaf, "issued in error")  # its writer can
    assert await cn.is_revoked_in(root, leaf) and await cn.is_revoked_by(cn.client.address, leaf)
    assert not await cn.is_revoked(leaf)  # the admin's word only
    await expect("AlreadyRevoked", cn.revoke(root, proof, leaf, "again"))
    other, other_proof = leaves[2]
    await expect("NotRootWriter", au.revoke(root, other_proof, other, "x"))


async def test_a_leaf_never_anchored_cannot_be_revoked(deployed, anvil_url):
    admin, cn, _ = await _writers(deployed, anvil_url)
    root, leaves = await _anchored(cn, "anchored")
    never = _hex(leaf_for(hashlib.sha256(b"not anchored yet").hexdigest()))
    for port in (cn, admin):  # not even the admin: a pre-emptive revocation is refused
        await expect("NotAnchored", port.revoke(never, [], never, "pre-emptive"))
        await expect("NotInRoot", port.revoke(root, leaves[0][1], never, "pre-emptive"))
    assert not await cn.is_revoked(never)


async def test_the_admin_can_revoke_any_writers_leaf(deployed, anvil_url):
    admin, cn, _ = await _writers(deployed, anvil_url)
    root, leaves = await _anchored(cn, "admin")
    leaf, proof = leaves[0]
    await admin.revoke(root, proof, leaf, "consortium decision")
    assert await cn.is_revoked_in(root, leaf) and await cn.is_revoked(leaf)
    assert await cn.is_revoked_by(cn.client.address, leaf)
    assert not await cn.is_revoked_in(root, leaves[1][0])


async def test_a_deauthorised_writer_cannot_revoke_its_own_leaf(deployed, anvil_url):
    admin, cn, _ = await _writers(deployed, anvil_url)
    root, leaves = await _anchored(cn, "gone")
    await admin.deauthorise(cn.client.address)
    await expect("NotWriter", cn.revoke(root, leaves[0][1], leaves[0][0], "x"))
    assert not await cn.is_revoked_in(root, leaves[0][0])


async def test_a_writer_revoking_anothers_leaf_under_its_own_root_changes_no_view_of_it(
    deployed, anvil_url
):
    """AU anchors a root of its own over CN's leaf and revokes it there. Before DocumentAnchor
    3.0.0 that set ``revoked(leaf)`` for everyone: CN's genuine document read as revoked."""
    _, cn, au = await _writers(deployed, anvil_url)
    root, leaves = await _anchored(cn, "genuine")
    leaf, proof = leaves[0]
    filler = leaf_for(hashlib.sha256(b"filler").hexdigest())
    own = MerkleTree.build([bytes.fromhex(leaf[2:]), filler])
    own_root, own_proof = _hex(own.root), [_hex(p) for p in own.proof(bytes.fromhex(leaf[2:]))]
    await au.anchor(own_root, 2, own_root)
    tx = await au.revoke(own_root, own_proof, leaf, "griefing")

    contract = await cn._c()
    receipt = await cn.client.w3.eth.get_transaction_receipt(tx)
    [event] = contract.events.LeafRevoked().process_receipt(receipt)  # what auditors read
    assert (_hex(event.args.root), event.args.by) == (own_root, au.client.address)
    assert await cn.is_revoked_in(own_root, leaf)
    assert await cn.is_revoked_by(au.client.address, leaf)  # AU withdrew its own attestation
    assert not await cn.is_revoked_in(root, leaf)
    assert not await cn.is_revoked_by(cn.client.address, leaf)
    assert not await cn.is_revoked(leaf)

    await cn.revoke(root, proof, leaf, "withdrawn by issuer")  # the genuine revocation
    assert await cn.is_revoked_in(root, leaf) and await cn.is_revoked_by(cn.client.address, leaf)
    assert not await cn.is_revoked_by(cn.client.address, leaves[1][0])
