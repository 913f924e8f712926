"""A declaration naming several certificates of one kind splits its consignment under them:
the declaration check adds up their quantities (net weight, packages) once all are on the
node, and checks the earlier pairs again when the last one comes. Certificates of another kind
(an origin certificate beside a phytosanitary one) each cover the whole. Over HTTP, on a real
SQLite database (the issuers' electronic copies stored as the exchange leaves them)."""

from __future__ import annotations

import json

from tests.unit.api.conftest import bearer, post_declaration
from tests.unit.api.fakes import add_partner, declaration, receive_copy

_PHYTO = {"certificate_type": "phytosanitary", "consignor_name": "Orchard Exports Pty Ltd"}


async def _declare(client, tokens, numbers: list[str], weight: float, **changes) -> str:
    body = {
        **json.loads(declaration(numbers[0])),
        "certificate_numbers": numbers,
        "net_weight_kg": weight,
        **changes,
    }
    return await post_declaration(client, tokens["officer"], body)


async def _checks(client, tokens, declaration_sha: str) -> dict[str, dict]:
    r = await client.get(
        f"/api/v1/declaration-checks/{declaration_sha}", headers=bearer(tokens["auditor"])
    )
    assert r.status_code == 200, r.text
    return {c["certificate_number"]: c for c in r.json()}


def _weight(check: dict) -> dict:
    [rule] = [r for r in check["rules"] if r["id"] == "declaration.net_weight"]
    return dict(rule)


async def test_two_certificates_of_one_kind_are_added_up(node, client, tokens) -> None:
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, packages=20, **_PHYTO)
    receive_copy(node, "AU-2026-B", net_weight_kg=650.5, packages=28, **_PHYTO)
    decl = await _declare(client, tokens, ["AU-2026-A", "AU-2026-B"], 1250.5, packages=48)
    await node.extras["review"].process_pending()
    checks = await _checks(client, tokens, decl)
    assert {k: c["state"] for k, c in checks.items()} == {
        "AU2026A": "consistent",
        "AU2026B": "consistent",
    }
    weight = _weight(checks["AU2026A"])
    assert weight["passed"] and weight["message"] == (
        "net weight: 1250.5 kg on certificates AU-2026-A + AU-2026-B, 1250.5 kg declared "
        "(+0.0%), within 2%"
    )


async def test_certificates_adding_up_to_more_than_declared_are_inconsistent(
    node, client, tokens
) -> None:
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, **_PHYTO)
    receive_copy(node, "AU-2026-B", net_weight_kg=800.0, **_PHYTO)
    decl = await _declare(client, tokens, ["AU-2026-A", "AU-2026-B"], 1250.5)
    await node.extras["review"].process_pending()
    checks = await _checks(client, tokens, decl)
    assert {c["state"] for c in checks.values()} == {"inconsistent"}
    assert checks["AU2026B"]["reasons"] == [
        "declaration.net_weight: net weight: 1400 kg on certificates AU-2026-B + AU-2026-A, "
        "1250.5 kg declared (+12.0%), tolerance 2%"
    ]


async def test_a_part_alone_waits_for_an_officer_until_the_rest_comes(node, client, tokens) -> None:
    add_partner(node, "AU-SYD", "AU")
    review = node.extras["review"]
    decl = await _declare(client, tokens, ["AU-2026-A", "AU-2026-B"], 1250.5)
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, **_PHYTO)
    await review.process_pending()
    checks = await _checks(client, tokens, decl)
    assert (checks["AU2026A"]["state"], checks["AU2026B"]["state"]) == ("review", "waiting")
    assert checks["AU2026A"]["reasons"] == [
        "declaration.net_weight: net weight: 600 kg on certificate, 1250.5 kg declared "
        "(-52.0%); AU-2026-B named too, not on this node"
    ]
    receive_copy(node, "AU-2026-B", net_weight_kg=650.5, **_PHYTO)  # the rest: both again
    assert {c["state"] for c in (await _checks(client, tokens, decl)).values()} == {"pending"}
    await review.process_pending()
    checks = await _checks(client, tokens, decl)
    assert {c["state"] for c in checks.values()} == {"consistent"}


async def test_a_revoked_part_sends_the_others_back_to_an_officer(node, client, tokens) -> None:
    review = node.extras["review"]
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, **_PHYTO)
    b = receive_copy(node, "AU-2026-B", net_weight_kg=650.5, **_PHYTO)
    decl = await _declare(client, tokens, ["AU-2026-A", "AU-2026-B"], 1250.5)
    await review.process_pending()
    assert {c["state"] for c in (await _checks(client, tokens, decl)).values()} == {"consistent"}
    assert review._record_revocation(b, "issued in error", "AU-DAFF", "0x1") == []
    await review.process_pending()
    checks = await _checks(client, tokens, decl)
    assert (checks["AU2026A"]["state"], checks["AU2026B"]["state"]) == ("review", "inconsistent")
    assert checks["AU2026A"]["reasons"] == [  # not "not on this node": it is, revoked
        "declaration.net_weight: net weight: 600 kg on certificate, 1250.5 kg declared "
        "(-52.0%); AU-2026-B named too, revoked"
    ]


async def test_certificates_of_another_kind_each_cover_the_whole(node, client, tokens) -> None:
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-A", net_weight_kg=1250.5, **_PHYTO)
    origin = {**_PHYTO, "certificate_type": "origin"}
    receive_copy(node, "AU-CO-77", net_weight_kg=1250.5, **origin)
    decl = await _declare(client, tokens, ["AU-2026-A", "AU-CO-77"], 1250.5)
    await node.extras["review"].process_pending()
    checks = await _checks(client, tokens, decl)
    assert {c["state"] for c in checks.values()} == {"consistent"}
    assert _weight(checks["AU2026A"])["message"].startswith(
        "net weight: 1250.5 kg on certificate, 1250.5 kg declared"
    )


async def test_a_part_of_a_type_not_known_is_for_an_officer(node, client, tokens) -> None:
    """An issuer's copy of a type code the node does not name may be a part or the whole: the
    sum cannot be told, so an officer looks (not "inconsistent", as if 600 kg were all)."""
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, **_PHYTO)
    receive_copy(node, "AU-2026-B", net_weight_kg=650.5, consignor_name="Orchard Exports Pty Ltd")
    decl = await _declare(client, tokens, ["AU-2026-A", "AU-2026-B"], 1250.5)
    await node.extras["review"].process_pending()
    checks = await _checks(client, tokens, decl)
    assert (checks["AU2026A"]["state"], checks["AU2026B"]["state"]) == ("review", "review")
    assert checks["AU2026A"]["reasons"] == [
        "declaration.net_weight: net weight: 600 kg on certificate, 1250.5 kg declared "
        "(-52.0%); AU-2026-B named too, its type not known"
    ]
    assert checks["AU2026B"]["reasons"] == [
        "declaration.net_weight: net weight: 650.5 kg on certificate, 1250.5 kg declared "
        "(-48.0%); AU-2026-A named too, this certificate's type not known"
    ]


async def test_a_split_under_many_certificates_looks_each_up_once_a_check_page(
    node, client, tokens, monkeypatch
) -> None:
    """Each arrival checks all the declaration's pairs again, and each pair its siblings: 12
    certificates coming one by one looked up ~900 certificates (N x N x (N-1) / 2; 50 took a
    minute of the worker); once for the page of checks an arrival queues, ~2 x N x N."""
    from node.review.matching import MatchService

    add_partner(node, "AU-SYD", "AU")
    looked_up: list[str] = []
    certificate = MatchService._certificate

    def counted(self, session, key):
        looked_up.append(key)
        return certificate(self, session, key)

    monkeypatch.setattr(MatchService, "_certificate", counted)
    numbers = [f"AU-2026-{i:03d}" for i in range(12)]
    decl = await _declare(client, tokens, numbers, 12 * 25.0, packages=12)
    for number in numbers:
        receive_copy(node, number, net_weight_kg=25.0, packages=1, **_PHYTO)
        await node.extras["review"].process_pending()
    assert {c["state"] for c in (await _checks(client, tokens, decl)).values()} == {"consistent"}
    assert len(looked_up) <= 3 * 12 * 12


async def test_a_sibling_arriving_during_a_page_of_checks_is_seen_by_the_next(
    node, client, tokens
) -> None:
    """What a page looked up for a declaration stands only while its pairs are not queued
    again: B coming between the checks of A and C queues C again, whose check sees B."""
    from node.review.matching import _Page

    add_partner(node, "AU-SYD", "AU")
    matches = node.extras["review"].matches
    numbers = ["AU-2026-A", "AU-2026-B", "AU-2026-C"]
    decl = await _declare(client, tokens, numbers, 900.0)
    receive_copy(node, "AU-2026-A", net_weight_kg=300.0, **_PHYTO)
    receive_copy(node, "AU-2026-C", net_weight_kg=300.0, **_PHYTO)
    page = _Page()
    matches.check(decl, "AU2026A", page)  # B not here yet
    receive_copy(node, "AU-2026-B", net_weight_kg=300.0, **_PHYTO)
    matches.check(decl, "AU2026C", page)
    weight = _weight((await _checks(client, tokens, decl))["AU2026C"])
    assert weight["passed"], weight


async def test_a_sibling_whose_arrival_missed_the_declaration_still_rechecks_the_others(
    node, client, tokens, monkeypatch
) -> None:
    """On PostgreSQL a certificate's arrival committed with a declaration naming it does not
    see the declaration's pairs: ``recheck_found`` queues the waiting pair later, and its check,
    finding B, queues again the pairs checked when B was not here (A: "not on this node")."""
    import node.review.intake as intake

    add_partner(node, "AU-SYD", "AU")
    review = node.extras["review"]
    decl = await _declare(client, tokens, ["AU-2026-A", "AU-2026-B"], 1250.5)
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, **_PHYTO)
    await review.process_pending()
    monkeypatch.setattr(intake, "recheck", lambda session, key, **kw: 0)  # the race's miss
    receive_copy(node, "AU-2026-B", net_weight_kg=650.5, **_PHYTO)
    monkeypatch.undo()
    assert review.matches.requeue_found() == 1
    while await review.process_pending():
        pass
    checks = await _checks(client, tokens, decl)
    assert {k: c["state"] for k, c in checks.items()} == {
        "AU2026A": "consistent",
        "AU2026B": "consistent",
    }


def _rule(check: dict, rule_id: str) -> dict:
    [rule] = [r for r in check["rules"] if r["id"] == rule_id]
    return dict(rule)


async def test_a_split_by_container_has_each_declared_container_on_a_certificate(
    node, client, tokens
) -> None:
    """Two containers, one under each certificate: each pair finds the declared containers on
    the two together; while the second certificate is not here, its container is for an
    officer; a declared container on neither is inconsistent."""
    add_partner(node, "AU-SYD", "AU")
    review = node.extras["review"]
    both = ["MSCU1234566", "TGHU7654320"]
    decl = await _declare(
        client, tokens, ["AU-2026-A", "AU-2026-B"], 1250.5, container_numbers=both
    )
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, container_numbers=both[:1], **_PHYTO)
    await review.process_pending()
    first = (await _checks(client, tokens, decl))["AU2026A"]
    assert _rule(first, "declaration.containers")["message"] == (
        "declared containers on none of the certificates here: ['TGHU7654320']; "
        "AU-2026-B named too, not on this node"
    )
    receive_copy(node, "AU-2026-B", net_weight_kg=650.5, container_numbers=both[1:], **_PHYTO)
    await review.process_pending()
    checks = await _checks(client, tokens, decl)
    assert {c["state"] for c in checks.values()} == {"consistent"}
    assert _rule(checks["AU2026B"], "declaration.containers")["message"] == (
        "the 2 declared container number(s) are on the certificates"
    )
    third = await _declare(
        client,
        tokens,
        ["AU-2026-A", "AU-2026-B"],
        1250.5,
        container_numbers=[*both, "CSQU3054383"],
        declaration_number="CN-DEC-3",
    )
    await review.process_pending()
    checks = await _checks(client, tokens, third)
    assert checks["AU2026A"]["state"] == "inconsistent"
    assert (
        "declared containers on none of the certificates here: ['CSQU3054383']"
        in (checks["AU2026A"]["reasons"][0])
    )


async def test_a_sibling_whose_copy_no_longer_reads_leaves_the_others_checked(
    node, client, tokens
) -> None:
    """The issuer's copy of the other certificate no longer parses: that pair is for an
    officer, told why; this one is still checked (the unreadable one counted as not known),
    not failed as if its own certificate could not be read."""
    from node.review.tables import CertificateCopyRow

    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, **_PHYTO)
    copy = node.blobs.put(b'{"doc_type": "certificate", "issue_date": "soon"}')
    with node.db.session() as session:
        session.add(
            CertificateCopyRow(
                sha256=copy, certificate_number="AU2026B", issuing_country="AU", source="AU-SYD"
            )
        )
    decl = await _declare(client, tokens, ["AU-2026-A", "AU-2026-B"], 1250.5)
    await node.extras["review"].process_pending()
    checks = await _checks(client, tokens, decl)
    assert checks["AU2026B"]["reasons"][0].startswith("the check could not run: the issuer's")
    assert checks["AU2026A"]["state"] == "review"
    assert checks["AU2026A"]["reasons"] == [
        "declaration.net_weight: net weight: 600 kg on certificate, 1250.5 kg declared "
        "(-52.0%); AU-2026-B named too, its issuer's copy could not be read"
    ]
