"""A certificate whose rule set allows partial use (``partial_use``: partial shipments written
off against it) may be named by several declarations: each draws on the balance the earlier
ones left, an amendment counting once, at its latest version. Over HTTP, on a real SQLite
database (the issuer's electronic copy stored as the exchange leaves it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from node.review.tables import DeclarationIndexRow
from tests.unit.api.conftest import bearer, post_declaration
from tests.unit.api.fakes import add_partner, declaration, receive_copy
from verification.rules.loader import DEFAULT_RULES, load_rules

_PHYTO = {"certificate_type": "phytosanitary", "consignor_name": "Orchard Exports Pty Ltd"}
_CERTIFICATE = "AU-2026-LOT"
_KEY = "AU2026LOT"


@pytest.fixture
def partial(node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The node's rules with AU phytosanitary certificates drawn on by several declarations."""
    edited = tmp_path / "rules.toml"
    edited.write_text(
        DEFAULT_RULES.read_text() + '\n[sets."phytosanitary/AU"]\npartial_use = true\n'
    )
    monkeypatch.setattr(node.extras["review"].matches, "rules", load_rules(edited))


async def _declare(client, tokens, number: str, weight: float, **changes) -> str:
    body = {
        **json.loads(declaration(_CERTIFICATE)),
        "declaration_number": number,
        "net_weight_kg": weight,
        **changes,
    }
    return await post_declaration(client, tokens["officer"], body)


async def _check(client, tokens, declaration_sha: str) -> dict:
    r = await client.get(
        f"/api/v1/declaration-checks/{declaration_sha}", headers=bearer(tokens["auditor"])
    )
    assert r.status_code == 200, r.text
    [check] = r.json()
    return dict(check)


def _rule(check: dict, rule_id: str) -> dict:
    [rule] = [r for r in check["rules"] if r["id"] == rule_id]
    return dict(rule)


async def _certified(node, **fields) -> None:
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, _CERTIFICATE, **{"net_weight_kg": 1000.0, **_PHYTO, **fields})


async def test_declarations_draw_on_the_balance_until_it_is_spent(
    node, client, tokens, partial
) -> None:
    """600 + 400 kg of a 1,000 kg certificate: both consistent (no reuse finding); a third
    of 50 kg is more than is left (beyond 2% of the certified weight)."""
    await _certified(node)
    review = node.extras["review"]
    first = await _declare(client, tokens, "CN-DEC-1", 600.0)
    second = await _declare(client, tokens, "CN-DEC-2", 400.0)
    await review.process_pending()
    assert (await _check(client, tokens, first))["state"] == "consistent"
    check = await _check(client, tokens, second)
    assert (check["state"], check["reasons"]) == ("consistent", [])
    assert _rule(check, "declaration.net_weight")["message"] == (
        "net weight: 400 kg declared, 400 kg left of 1000 kg certified "
        "(600 kg drawn by 1 earlier declaration), within 2%"
    )
    reuse = _rule(check, "declaration.certificate_reused")
    assert reuse["passed"] and reuse["message"].endswith("partial use, within the balance")
    third = await _declare(client, tokens, "CN-DEC-3", 50.0)
    await review.process_pending()
    check = await _check(client, tokens, third)
    assert (check["state"], check["verdict"]) == ("inconsistent", "reject")
    assert check["reasons"] == [
        "declaration.net_weight: net weight: 50 kg declared, nothing left of 1000 kg certified "
        "(1000 kg drawn by 2 earlier declarations), tolerance 2%",
        "declaration.certificate_reused: certificate AU-2026-LOT is also named by "
        f"declaration(s) CN-DEC-1 ({first[:12]}), CN-DEC-2 ({second[:12]})",
    ]


async def test_without_partial_use_a_second_declaration_is_a_second_use(
    node, client, tokens
) -> None:
    """The default: the certificate covers one consignment, its quantity declared once."""
    await _certified(node)
    await _declare(client, tokens, "CN-DEC-1", 1000.0)
    second = await _declare(client, tokens, "CN-DEC-2", 400.0)
    await node.extras["review"].process_pending()
    check = await _check(client, tokens, second)
    assert check["state"] == "inconsistent"
    assert [r.split(":")[0] for r in check["reasons"]] == [
        "declaration.net_weight",
        "declaration.certificate_reused",
    ]
    assert check["reasons"][0].endswith(
        "1000 kg on certificate, 400 kg declared (+150.0%), tolerance 2%"
    )


async def test_a_balance_over_by_the_tolerance_at_most_is_consistent(
    node, client, tokens, partial
) -> None:
    """2% of the certified 1,000 kg over what is left (the weighing differs per shipment); a
    gram more is not."""
    await _certified(node)
    review = node.extras["review"]
    await _declare(client, tokens, "CN-DEC-1", 600.0)
    within = await _declare(client, tokens, "CN-DEC-2", 420.0)
    await review.process_pending()
    assert (await _check(client, tokens, within))["state"] == "consistent"
    over = await _declare(client, tokens, "CN-DEC-3", 0.001)
    await review.process_pending()
    assert (await _check(client, tokens, over))["state"] == "inconsistent"


async def test_an_amendment_counts_once_at_its_latest_version(
    node, client, tokens, partial
) -> None:
    """The importer corrects CN-DEC-1 from 600 to 500 kg: the balance counts 500 (not 600 +
    500), so a third declaration's 50 kg of the 100 kg left is consistent; and the third,
    found over the balance before the correction came, is checked again."""
    await _certified(node)
    review = node.extras["review"]
    await _declare(client, tokens, "CN-DEC-1", 600.0)
    await _declare(client, tokens, "CN-DEC-2", 400.0)
    third = await _declare(client, tokens, "CN-DEC-3", 50.0)
    await review.process_pending()
    assert (await _check(client, tokens, third))["state"] == "inconsistent"
    amended = await _declare(client, tokens, "CN-DEC-1", 500.0)
    await review.process_pending()  # the amendment's check queues the third's again
    check = await _check(client, tokens, amended)
    assert check["state"] == "consistent"
    assert _rule(check, "declaration.net_weight")["message"] == (
        "net weight: 500 kg declared, 1000 kg left of 1000 kg certified "
        "(nothing drawn by earlier declarations), within 2%"
    )
    assert (await _check(client, tokens, third))["state"] == "pending"
    await review.process_pending()
    check = await _check(client, tokens, third)
    assert (check["state"], check["reasons"]) == ("consistent", [])
    assert _rule(check, "declaration.net_weight")["message"] == (
        "net weight: 50 kg declared, 100 kg left of 1000 kg certified "
        "(900 kg drawn by 2 earlier declarations), within 2%"
    )


async def test_packages_are_drawn_on_without_a_tolerance(node, client, tokens, partial) -> None:
    await _certified(node, packages=48)
    review = node.extras["review"]
    await _declare(client, tokens, "CN-DEC-1", 500.0, packages=30)
    second = await _declare(client, tokens, "CN-DEC-2", 400.0, packages=19)
    await review.process_pending()
    check = await _check(client, tokens, second)
    assert check["state"] == "inconsistent"
    assert check["reasons"][0] == (
        "declaration.packages: packages: 19 packages declared, 18 packages left of 48 packages "
        "certified (30 packages drawn by 1 earlier declaration)"
    )


async def test_an_earlier_declaration_of_unknown_quantity_is_for_an_officer(
    node, client, tokens, partial
) -> None:
    """A declaration indexed before the node recorded quantities (migration 0011): its
    weight is not known, so neither is the balance; an officer is told, not a silent pass."""
    await _certified(node)
    review = node.extras["review"]
    first = await _declare(client, tokens, "CN-DEC-1", 600.0)
    with node.db.session() as session:
        row = session.get(DeclarationIndexRow, first)
        row.net_weight_kg = None
    second = await _declare(client, tokens, "CN-DEC-2", 400.0)
    await review.process_pending()
    check = await _check(client, tokens, second)
    assert (check["state"], check["verdict"]) == ("review", "review")
    assert check["reasons"] == [
        "declaration.net_weight: net weight: 400 kg declared, 1000 kg left of 1000 kg "
        "certified (nothing drawn by earlier declarations); 1 more earlier declaration naming "
        "it, net weight not known on this node (indexed before the node recorded quantities, "
        "or none declared): the balance is not known"
    ]


async def test_a_declaration_an_officer_refused_draws_nothing_on_the_balance(
    node, client, tokens, partial
) -> None:
    """700 kg by another consignor, then 400 kg, of a 1,000 kg certificate: both inconsistent
    (the second over the balance); the officer refuses the first: the second is checked again,
    on all 1,000 kg."""
    await _certified(node)
    review = node.extras["review"]
    first = await _declare(client, tokens, "CN-DEC-1", 700.0, consignor_name="Someone Else Ltd")
    second = await _declare(client, tokens, "CN-DEC-2", 400.0)
    await review.process_pending()
    assert (await _check(client, tokens, first))["state"] == "inconsistent"
    assert (await _check(client, tokens, second))["state"] == "inconsistent"
    review.matches.decide(first, _CERTIFICATE, "refuse", "", "CN-O1")
    assert (await _check(client, tokens, second))["state"] == "pending"
    await review.process_pending()
    check = await _check(client, tokens, second)
    assert check["state"] == "consistent"
    assert _rule(check, "declaration.net_weight")["message"] == (
        "net weight: 400 kg declared, 1000 kg left of 1000 kg certified "
        "(nothing drawn by earlier declarations), within 2%"
    )


async def test_declarations_indexed_before_0011_get_their_quantities_once(
    node, client, tokens
) -> None:
    """Migration 0011 left the quantities of declarations indexed before it NULL (it cannot
    read the blob store): the review worker fills them from the stored files, a page at a
    time, and records that it is done (a new node process does not read them again)."""
    from sqlmodel import col, update

    from node.review.quantities import QuantityBackfill
    from node.review.worker import ReviewWorker
    from node.storage.core import WorkerCursorRow

    shas = [await _declare(client, tokens, f"CN-DEC-{i}", 100.0 + i, packages=i) for i in (1, 2)]
    await node.extras["review"].process_pending()  # their checks: waiting for the certificate
    with node.db.session() as session:  # as migration 0011 left them
        session.exec(
            update(DeclarationIndexRow)
            .where(col(DeclarationIndexRow.sha256).in_(shas))
            .values(net_weight_kg=None, packages=None)
        )
    worker = ReviewWorker(node.extras["review"])
    assert await worker.round() == 2 and await worker.round() == 0
    with node.db.session() as session:
        rows = [session.get(DeclarationIndexRow, sha) for sha in shas]
        assert sorted((r.net_weight_kg, r.packages) for r in rows if r) == [(101.0, 1), (102.0, 2)]
        assert session.get(WorkerCursorRow, "declaration_quantities") is not None
        session.exec(update(DeclarationIndexRow).values(net_weight_kg=None, packages=None))
    assert QuantityBackfill(node.db, node.blobs).step() == 0  # done: not read again


async def test_an_amendment_after_a_later_declaration_is_not_checked_again_forever(
    node, client, tokens, partial
) -> None:
    """CN-DEC-1 corrected after CN-DEC-2 came: each check queues again those begun after its
    own declaration, and the balance of each counts those begun before it, so the queue empties
    (it used to pass the two checks back and forth for ever, a ``verified`` event each)."""
    await _certified(node)
    review = node.extras["review"]
    await _declare(client, tokens, "CN-DEC-1", 600.0)
    second = await _declare(client, tokens, "CN-DEC-2", 400.0)
    await review.process_pending()
    amended = await _declare(client, tokens, "CN-DEC-1", 500.0)
    for _ in range(6):
        await review.process_pending()
    assert review.matches.pending() == []
    assert (await _check(client, tokens, amended))["state"] == "consistent"
    check = await _check(client, tokens, second)
    assert (check["state"], check["reasons"]) == ("consistent", [])
    assert _rule(check, "declaration.net_weight")["message"] == (
        "net weight: 400 kg declared, 500 kg left of 1000 kg certified "
        "(500 kg drawn by 1 earlier declaration), within 2%"
    )


async def test_a_backfill_page_whose_commit_failed_is_read_again(
    node, client, tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of the quantities backfill whose transaction did not commit (the database busy)
    is read again by the next step, not passed over for good."""
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session, col, update

    from node.review.quantities import QuantityBackfill

    shas = [await _declare(client, tokens, f"CN-DEC-{i}", 100.0 + i) for i in (1, 2)]
    with node.db.session() as session:  # as migration 0011 left them
        session.exec(
            update(DeclarationIndexRow)
            .where(col(DeclarationIndexRow.sha256).in_(shas))
            .values(net_weight_kg=None, packages=None)
        )
    backfill, commit = QuantityBackfill(node.db, node.blobs), Session.commit

    def busy(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(Session, "commit", busy)
    with pytest.raises(OperationalError):
        backfill.step()
    monkeypatch.setattr(Session, "commit", commit)
    assert backfill.step() == 2
    with node.db.session() as session:
        rows = [session.get(DeclarationIndexRow, sha) for sha in shas]
        assert sorted(r.net_weight_kg for r in rows if r) == [101.0, 102.0]


async def test_a_balance_not_known_is_checked_again_once_the_quantities_are_filled(
    node, client, tokens, partial
) -> None:
    """The first declaration came before migration 0011 (its quantity NULL): the second's
    balance was not known, for an officer; the backfill fills it and queues that check again."""
    from sqlmodel import col, update

    from node.review.worker import ReviewWorker

    await _certified(node)
    review = node.extras["review"]
    first = await _declare(client, tokens, "CN-DEC-1", 600.0)
    with node.db.session() as session:  # as migration 0011 left it
        session.exec(
            update(DeclarationIndexRow)
            .where(col(DeclarationIndexRow.sha256) == first)
            .values(net_weight_kg=None, packages=None)
        )
    second = await _declare(client, tokens, "CN-DEC-2", 400.0)
    await review.process_pending()
    assert (await _check(client, tokens, second))["state"] == "review"
    worker = ReviewWorker(review)
    while await worker.round():  # the backfill's pages, then the checks it queued again
        pass
    check = await _check(client, tokens, second)
    assert (check["state"], check["reasons"]) == ("consistent", [])


async def test_a_failing_backfill_does_not_stop_the_worker_round(node, client, tokens) -> None:
    """The backfill failing (its database busy, say) is logged; the round's reviews count."""
    from node.review.worker import ReviewWorker

    review = node.extras["review"]
    await _declare(client, tokens, "CN-DEC-1", 600.0)

    def broken() -> int:
        raise RuntimeError("database is locked")

    review.quantities.step = broken
    assert await ReviewWorker(review).round() == 1  # the declaration's check


async def test_an_amendment_no_longer_naming_the_certificate_gives_its_quantity_back(
    node, client, tokens, partial
) -> None:
    """600 kg, then 500 kg over the balance; the first declaration is corrected to name
    another certificate: the second is checked again, on all 1,000 kg."""
    await _certified(node)
    review = node.extras["review"]
    await _declare(client, tokens, "CN-DEC-1", 600.0)
    second = await _declare(client, tokens, "CN-DEC-2", 500.0)
    await review.process_pending()
    assert (await _check(client, tokens, second))["state"] == "inconsistent"
    await _declare(client, tokens, "CN-DEC-1", 600.0, certificate_numbers=["AU-2026-OTHER"])
    assert (await _check(client, tokens, second))["state"] == "pending"
    await review.process_pending()
    check = await _check(client, tokens, second)
    assert (check["state"], check["reasons"]) == ("consistent", [])
