"""A declaration that comes after its certificate was accepted (a paper reviewed without it, an
issuer's electronic copy) is checked against it; officers decide the pairs that disagree. Over
HTTP, on a real SQLite database (the machine review is the fake verifier)."""

from __future__ import annotations

import json

from node.bootstrap import build_node
from node.review.tables import DeclarationMatchRow
from tests.unit.api.conftest import bearer, post_declaration
from tests.unit.api.fakes import (
    FakeVerifier,
    add_partner,
    declaration,
    fakes,
    labelled_scan,
    receive_copy,
    settings,
)


async def _declare(client, tokens, number: str, **changes) -> str:
    body = {**json.loads(declaration(number)), **changes}
    return await post_declaration(client, tokens["officer"], body)


async def _accepted_paper(node, client, tokens) -> str:
    """The "genuine" paper (AU-2026-genuine, 1250.5 kg), reviewed and accepted by an officer
    with no declaration on the node."""
    r = await client.post(
        "/api/v1/documents/scans",
        content=labelled_scan("genuine"),
        headers={**bearer(tokens["officer"]), "Content-Type": "image/png"},
    )
    assert r.status_code == 202, r.text
    sha = r.json()["sha256"]
    review = node.extras["review"]
    await review.process_pending()
    review.decide(sha, "accept", "seal and signature checked by hand", "CN-O1")
    return str(sha)


async def _checks(client, tokens, declaration_sha: str) -> list[dict]:
    r = await client.get(
        f"/api/v1/declaration-checks/{declaration_sha}", headers=bearer(tokens["auditor"])
    )
    assert r.status_code == 200, r.text
    return list(r.json())


async def test_a_declaration_after_its_paper_was_accepted_is_checked_against_it(
    node, client, tokens
) -> None:
    paper = await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU 2026 genuine")  # spelled otherwise: one key
    assert await node.extras["review"].process_pending() == 1
    [check] = await _checks(client, tokens, decl)
    assert check["certificate_number"] == "AU2026GENUINE"
    assert (check["state"], check["verdict"]) == ("inconsistent", "reject")
    assert (check["source"], check["certificate_sha256"]) == ("paper", paper)
    assert check["declaration_number"] == "CN-DEC-1"
    assert check["reasons"] == [
        "declaration.net_weight: net weight 1250.5 kg on certificate, 1200 kg declared "
        "(+4.2%), tolerance 2%"
    ]
    assert check["rules"][0]["id"] == "declaration.net_weight"
    assert {r["id"] for r in check["rules"] if r["passed"]} >= {
        "declaration.consignor",
        "declaration.origin",
        "declaration.certificate_number",
    }
    queue = await client.get("/api/v1/declaration-checks", headers=bearer(tokens["officer"]))
    assert [(c["declaration_sha256"], c["state"]) for c in queue.json()] == [(decl, "inconsistent")]
    metrics = (await client.get("/metrics")).text
    assert 'cusdep_declaration_checks{state="inconsistent"} 1.0' in metrics
    # the paper stays accepted: it is authentic; the pairing is what failed
    body = (await client.get(f"/api/v1/review/{paper}", headers=bearer(tokens["auditor"]))).json()
    assert body["state"] == "decided" and body["decision"]["decision"] == "accept"
    assert [(c["declaration_sha256"], c["state"]) for c in body["declaration_checks"]] == [
        (decl, "inconsistent")
    ]
    trace = (await client.get(f"/api/v1/trace/{decl}", headers=bearer(tokens["auditor"]))).json()
    [checked] = [e for e in trace["events"] if e["detail"].get("check") == "certificate"]
    assert checked["kind"] == "verified" and checked["detail"]["verdict"] == "reject"
    assert checked["detail"]["certificate_sha256"] == paper


async def test_an_officer_refuses_or_clears_a_pair_and_the_decision_is_traced(
    node, client, tokens
) -> None:
    await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine")
    await node.extras["review"].process_pending()
    url = f"/api/v1/declaration-checks/{decl}/AU-2026-genuine/decision"
    auditor = await client.post(url, json={"decision": "refuse"}, headers=bearer(tokens["auditor"]))
    assert auditor.status_code == 403
    unknown = await client.post(
        url.replace("genuine", "other"),
        json={"decision": "refuse"},
        headers=bearer(tokens["officer"]),
    )
    assert unknown.status_code == 404 and unknown.json()["type"] == "cusdep.not_found"
    clear = await client.post(url, json={"decision": "clear"}, headers=bearer(tokens["officer"]))
    assert clear.status_code == 400 and "needs a reason" in clear.json()["detail"]
    refused = await client.post(url, json={"decision": "refuse"}, headers=bearer(tokens["officer"]))
    assert refused.status_code == 200, refused.text
    body = refused.json()
    assert (body["state"], body["decision"], body["verdict"]) == ("decided", "refuse", "reject")
    again = await client.post(
        url, json={"decision": "clear", "reason": "split"}, headers=bearer(tokens["officer"])
    )
    assert again.status_code == 409 and "already decided" in again.json()["detail"]
    queue = await client.get("/api/v1/declaration-checks", headers=bearer(tokens["officer"]))
    assert queue.json() == []
    trace = (await client.get(f"/api/v1/trace/{decl}", headers=bearer(tokens["auditor"]))).json()
    [decided] = [e for e in trace["events"] if e["kind"] == "reviewed"]
    assert decided["detail"]["decision"] == "refuse" and decided["actor"] == body["decided_by"]


async def test_a_declaration_that_agrees_is_consistent_and_not_for_an_officer(
    node, client, tokens
) -> None:
    await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine", net_weight_kg=1250.5)
    await node.extras["review"].process_pending()
    [check] = await _checks(client, tokens, decl)
    assert (check["state"], check["verdict"], check["reasons"]) == ("consistent", "accept", [])
    url = f"/api/v1/declaration-checks/{decl}/AU-2026-genuine/decision"
    r = await client.post(
        url, json={"decision": "refuse", "reason": "x"}, headers=bearer(tokens["officer"])
    )
    assert r.status_code == 409 and "nothing for an officer to decide" in r.json()["detail"]


async def test_a_declaration_before_its_paper_waits_and_is_checked_when_it_is_accepted(
    node, client, tokens
) -> None:
    decl = await _declare(client, tokens, "AU-2026-genuine")
    review = node.extras["review"]
    await review.process_pending()
    [check] = await _checks(client, tokens, decl)
    assert check["state"] == "waiting"
    assert check["reasons"] == ["no accepted certificate AU2026GENUINE on this node yet"]
    await _accepted_paper(node, client, tokens)  # reviewed with the declaration, then accepted
    assert [c["state"] for c in await _checks(client, tokens, decl)] == ["pending"]
    await review.process_pending()
    [check] = await _checks(client, tokens, decl)  # the officer accepted it over the weight
    assert (check["state"], check["source"]) == ("consistent", "paper") and check["note"]


async def test_the_issuers_electronic_copy_is_checked_against_before_a_paper(
    node, client, tokens
) -> None:
    await _accepted_paper(node, client, tokens)
    add_partner(node, "AU-SYD", "AU")
    copy = receive_copy(
        node, "AU-2026-genuine", net_weight_kg=1200.0, consignor_name="Someone Else Ltd"
    )
    decl = await _declare(client, tokens, "AU-2026-genuine")
    await node.extras["review"].process_pending()
    [check] = await _checks(client, tokens, decl)
    assert (check["source"], check["certificate_sha256"]) == ("electronic", copy)
    assert check["state"] == "inconsistent"
    assert [r.split(":")[0] for r in check["reasons"]] == ["declaration.consignor"]


async def test_a_copy_arriving_after_the_check_checks_the_declaration_again(
    node, client, tokens
) -> None:
    decl = await _declare(client, tokens, "AU-2026-genuine")
    review = node.extras["review"]
    await review.process_pending()
    add_partner(node, "AU-SYD", "AU")
    copy = receive_copy(node, "AU-2026-genuine", net_weight_kg=1200.0)
    assert [c["state"] for c in await _checks(client, tokens, decl)] == ["pending"]
    await review.process_pending()
    [check] = await _checks(client, tokens, decl)
    assert (check["state"], check["certificate_sha256"]) == ("consistent", copy)


async def test_a_second_declaration_naming_the_certificate_goes_to_an_officer(
    node, client, tokens
) -> None:
    await _accepted_paper(node, client, tokens)
    first = await _declare(client, tokens, "AU-2026-genuine", net_weight_kg=1250.5)
    second = await _declare(
        client, tokens, "AU-2026-genuine", net_weight_kg=1250.5, declaration_number="CN-DEC-2"
    )
    await node.extras["review"].process_pending()
    [one] = await _checks(client, tokens, first)
    [two] = await _checks(client, tokens, second)
    assert one["state"] == "consistent"
    assert (two["state"], two["verdict"]) == ("review", "review")
    assert two["reasons"] == [
        "declaration.certificate_reused: certificate AU-2026-genuine is also named by "
        f"declaration(s) CN-DEC-1 ({first[:12]})"
    ]


async def test_a_queued_check_survives_a_restart(home, tokens, node, client) -> None:
    await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine")
    with node.db.session() as session:  # committed with the declaration, not yet checked
        row = session.get(DeclarationMatchRow, (decl, "AU2026GENUINE"))
        assert row is not None and row.state == "pending"
    await node.aclose()
    again = build_node(settings(home), verifier=FakeVerifier(), **fakes())
    async with again:
        assert await again.extras["review"].process_pending() == 1
        [check] = again.extras["review"].matches.of_declaration(decl)
        assert check["state"] == "inconsistent"


async def test_bad_requests_are_problems(node, client, tokens) -> None:
    r = await client.get(
        "/api/v1/declaration-checks", params={"state": "x"}, headers=bearer(tokens["officer"])
    )
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    r = await client.get(
        f"/api/v1/declaration-checks/{'0' * 64}", headers=bearer(tokens["officer"])
    )
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


async def test_cli_lists_and_decides_the_checks(node, home, client, tokens, capsys) -> None:
    from node.cli import main
    from node.config import write_settings

    write_settings(node.settings)
    await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine")
    await node.extras["review"].process_pending()
    capsys.readouterr()
    assert main(["review", "checks", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["declaration_sha256"], row["state"]) == (decl, "inconsistent")
    # the number as issued, as the officer's screen shows it; the key only as the key
    assert (row["certificate_printed"], row["certificate_number"]) == (
        "AU-2026-genuine",
        "AU2026GENUINE",
    )
    assert main(["review", "checks"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.split()[:3] == [decl, "AU-2026-genuine", "inconsistent"]
    assert "AU2026GENUINE" not in line
    assert main(["review", "checks", "--state", "consistent", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    args = ["review", "decide-check", decl, "AU-2026-genuine", "--decision", "clear"]
    assert main([*args, "--officer", "CN-O1"]) == 2  # clearing an inconsistent pair: why?
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a reason" in err
    assert main([*args, "--officer", "CN-O1", "--reason", "split consignment, 2 lots"]) == 0
    assert capsys.readouterr().out == f"clear {decl} AU-2026-genuine\n"
    assert main(["review", "checks", "--declaration", decl, "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["state"], row["decision"], row["decided_by"]) == ("decided", "clear", "CN-O1")
    assert main(["review", "checks", "--declaration", "f" * 64]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no declaration" in err


async def test_a_copy_arriving_while_the_pair_is_checked_is_not_lost(
    node, client, tokens, monkeypatch
) -> None:
    """The issuer's copy comes while the check against the paper runs: that check's outcome is
    dropped (the pair was queued again meanwhile) and the next one is against the copy."""
    from node.review import matching

    await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine")
    add_partner(node, "AU-SYD", "AU")
    real, copies = matching.check_pairing, []

    def racing(*args, **kwargs):
        if not copies:  # the first check, against the paper: the copy arrives meanwhile
            copies.append(receive_copy(node, "AU-2026-genuine", net_weight_kg=1200.0))
        return real(*args, **kwargs)

    monkeypatch.setattr(matching, "check_pairing", racing)
    matches = node.extras["review"].matches
    assert matches.process_pending() == 1
    [check] = await _checks(client, tokens, decl)
    assert check["state"] == "pending"  # the paper's outcome was not recorded
    assert matches.process_pending() == 1
    [check] = await _checks(client, tokens, decl)
    assert (check["state"], check["source"]) == ("consistent", "electronic")
    assert check["certificate_sha256"] == copies[0]


async def test_a_paper_accepted_on_a_review_against_the_declaration_is_not_judged_twice(
    node, client, tokens
) -> None:
    """The officer accepted the paper over the weight its review against this declaration
    showed: the pair is consistent (no second decision on the same difference), saying why;
    a second declaration naming the certificate is still judged."""
    decl = await _declare(client, tokens, "AU-2026-genuine")
    paper = await _accepted_paper(node, client, tokens)  # found the declaration: against it
    assert node.extras["review"].get(paper)["declaration_sha256"] == decl
    await node.extras["review"].process_pending()
    [check] = await _checks(client, tokens, decl)
    assert (check["state"], check["source"], check["reasons"]) == ("consistent", "paper", [])
    assert "reviewed against this declaration" in check["note"]
    assert any(r["id"] == "declaration.net_weight" and not r["passed"] for r in check["rules"])
    second = await _declare(client, tokens, "AU-2026-genuine", declaration_number="CN-DEC-2")
    await node.extras["review"].process_pending()
    [other] = await _checks(client, tokens, second)
    assert other["state"] == "inconsistent" and other["note"] is None
    assert [r.split(":")[0] for r in other["reasons"]] == [
        "declaration.net_weight",
        "declaration.certificate_reused",
    ]


async def test_a_paper_revoked_after_its_declaration_agreed_turns_the_pair_inconsistent(
    node, client, tokens
) -> None:
    review = node.extras["review"]
    paper = await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine", net_weight_kg=1250.5)
    await review.process_pending()
    assert [c["state"] for c in await _checks(client, tokens, decl)] == ["consistent"]
    assert review._record_revocation(paper, "the seal was forged after all", "CN-O1", "0x1") == []
    assert [c["state"] for c in await _checks(client, tokens, decl)] == ["pending"]
    await review.process_pending()
    [check] = await _checks(client, tokens, decl)
    assert (check["state"], check["certificate_sha256"]) == ("inconsistent", paper)
    assert check["reasons"][0].startswith(
        "certificate.revoked: CN-O1 revoked certificate AU-2026-genuine: the seal was forged"
    )


async def test_the_certificate_number_is_shown_as_issued_not_as_its_key(
    node, client, tokens
) -> None:
    """The officer's checks table showed the key the pair is filed under ("AU2026GENUINE",
    "AU2026000123"): a number no paper carries. ``certificate_printed`` is the number as issued
    (as read on the paper, as on the issuer's copy), else as the declaration writes it."""
    review = node.extras["review"]
    paper = await _accepted_paper(node, client, tokens)
    on_paper = await _declare(client, tokens, "au 2026 genuine")
    waiting = await _declare(client, tokens, "AU-2026/000777", declaration_number="CN-DEC-7")
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-000123", net_weight_kg=1200.0)
    copied = await _declare(client, tokens, "au2026000123", declaration_number="CN-DEC-8")
    await review.process_pending()
    printed = {
        sha: [
            (c["certificate_number"], c["certificate_printed"])
            for c in await _checks(client, tokens, sha)
        ]
        for sha in (on_paper, waiting, copied)
    }
    assert printed == {
        on_paper: [("AU2026GENUINE", "AU-2026-genuine")],
        waiting: [("AU2026000777", "AU-2026/000777")],
        copied: [("AU2026000123", "AU-2026-000123")],
    }
    assert review.get(paper)["certificate_number"] == "AU-2026-genuine"


async def test_a_revoked_certificate_is_named_and_timed_as_the_officer_reads_them(
    node, client, tokens
) -> None:
    """The reason read "revoked certificate AU2026GENUINE: ... (2026-12-06T07:16:36.224835Z)"."""
    import re

    review = node.extras["review"]
    paper = await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU 2026 genuine", net_weight_kg=1250.5)
    await review.process_pending()
    assert review._record_revocation(paper, "counterfeit", "CN-O2", "0x2") == []
    await review.process_pending()
    [check] = await _checks(client, tokens, decl)
    stamp = r"\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$"
    assert re.match(
        rf"certificate\.revoked: CN-O2 revoked certificate AU-2026-genuine: counterfeit {stamp}",
        check["reasons"][0],
    ), check["reasons"]


async def test_a_number_typed_in_full_width_names_the_certificate(node, client, tokens) -> None:
    """An importer typing on a CJK keyboard sends "ＡＵ－２０２６－ｇｅｎｕｉｎｅ": it is the
    paper's AU-2026-genuine (its key was empty: the declaration was never checked)."""
    paper = await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "ＡＵ－２０２６－ｇｅｎｕｉｎｅ")
    await node.extras["review"].process_pending()
    [check] = await _checks(client, tokens, decl)
    assert (check["certificate_number"], check["certificate_sha256"]) == ("AU2026GENUINE", paper)
    assert check["state"] == "inconsistent"


async def test_a_certificate_named_by_many_declarations_reads_only_a_few_of_them(
    node, client, tokens, monkeypatch
) -> None:
    """Each check named every earlier declaration of the certificate, reading each one's
    bytes: 2,000 declarations of one certificate took 5.5 minutes to check (quadratic), and the
    reason grew with each. A few are named, the rest counted."""
    await _accepted_paper(node, client, tokens)
    declared = [
        await _declare(
            client, tokens, "AU-2026-genuine", net_weight_kg=1250.5, declaration_number=f"D{i}"
        )
        for i in range(9)
    ]
    matches, last = node.extras["review"].matches, declared[-1]
    for earlier in declared[:-1]:
        matches.check(earlier, "AU2026GENUINE")
    real, reads = node.blobs.get, []
    monkeypatch.setattr(node.blobs, "get", lambda sha: reads.append(sha) or real(sha))
    matches.check(last, "AU2026GENUINE")
    assert len(reads) <= 4  # the declaration itself, and the three named
    [check] = await _checks(client, tokens, last)
    assert check["state"] == "review"
    [why] = check["reasons"]
    assert why.startswith(
        "declaration.certificate_reused: certificate AU-2026-genuine is also named by "
        "declaration(s) D0 ("
    )
    assert "D2 (" in why and "D3" not in why and why.endswith(", 5 more")


async def test_the_review_worker_requeues_a_pair_left_waiting_for_a_certificate_here(
    node, client, tokens
) -> None:
    """A pair recorded ``waiting`` though its paper is accepted (the two committed at once on
    PostgreSQL: tests/integration/storage/test_postgres.py) is checked by the worker's sweep."""
    import asyncio

    from node.review.worker import ReviewWorker

    review = node.extras["review"]
    paper = await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine")
    with node.db.session() as session:
        session.get(DeclarationMatchRow, (decl, "AU2026GENUINE")).state = "waiting"
    worker = ReviewWorker(review, interval=0.05)
    await worker.start()
    try:
        for _ in range(100):
            [check] = await _checks(client, tokens, decl)
            if check["state"] not in ("waiting", "pending"):
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.aclose()
    assert (check["state"], check["certificate_sha256"]) == ("inconsistent", paper)


async def test_a_pair_an_officer_cleared_is_reopened_when_its_certificate_is_revoked(
    node, client, tokens
) -> None:
    """The officer cleared the pair on a certificate that has been revoked since: the
    clearance rested on what no longer stands, so the pair is checked again (its decision set
    aside, kept in the declaration's trace)."""
    review = node.extras["review"]
    paper = await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine")
    await review.process_pending()
    review.matches.decide(decl, "AU-2026-genuine", "clear", "split consignment", "CN-O1")
    assert review._record_revocation(paper, "counterfeit", "CN-O2", "0x2") == []
    await review.process_pending()
    [check] = await _checks(client, tokens, decl)
    assert (check["state"], check["decision"], check["decided_by"]) == ("inconsistent", None, None)
    assert "CN-O2 revoked certificate AU-2026-genuine: counterfeit" in check["reasons"][0]
    trace = (await client.get(f"/api/v1/trace/{decl}", headers=bearer(tokens["auditor"]))).json()
    assert [e["detail"]["decision"] for e in trace["events"] if e["kind"] == "reviewed"] == [
        "clear"
    ]


async def test_of_two_declarations_committed_out_of_order_the_later_one_is_still_flagged(
    node, client, tokens
) -> None:
    """On PostgreSQL two declarations may commit in the other order than they were indexed:
    the later one checked before the earlier one was there came out consistent. The earlier
    one's check queues the later one's again, which then sees it (the order is forced here by
    back-dating the earlier one's index row)."""
    import datetime as dt

    from node.review.tables import DeclarationIndexRow

    review = node.extras["review"]
    await _accepted_paper(node, client, tokens)
    later = await _declare(client, tokens, "AU-2026-genuine", net_weight_kg=1250.5)
    await review.process_pending()
    assert [c["state"] for c in await _checks(client, tokens, later)] == ["consistent"]
    first = await _declare(
        client, tokens, "AU-2026-genuine", net_weight_kg=1250.5, declaration_number="CN-DEC-0"
    )
    with node.db.session() as session:  # indexed first, committed (and checked) last
        row = session.get(DeclarationIndexRow, first)
        row.indexed_at = row.indexed_at - dt.timedelta(hours=1)
    await review.process_pending()
    assert [c["state"] for c in await _checks(client, tokens, first)] == ["consistent"]
    assert [c["state"] for c in await _checks(client, tokens, later)] == ["pending"]
    await review.process_pending()
    [check] = await _checks(client, tokens, later)
    assert check["state"] == "review"
    assert check["reasons"] == [
        "declaration.certificate_reused: certificate AU-2026-genuine is also named by "
        f"declaration(s) CN-DEC-0 ({first[:12]})"
    ]


async def test_an_amended_declaration_is_no_second_use_of_its_certificate(
    node, client, tokens
) -> None:
    """The importer corrects its declaration (a new file, the same declaration number): the
    correction is checked on its own values, and is not flagged as using the certificate a
    second time; a declaration of another number still is."""
    review = node.extras["review"]
    await _accepted_paper(node, client, tokens)
    first = await _declare(client, tokens, "AU-2026-genuine")  # CN-DEC-1, 1200 kg: wrong
    amended = await _declare(client, tokens, "AU-2026-genuine", net_weight_kg=1250.5)
    other = await _declare(
        client, tokens, "AU-2026-genuine", net_weight_kg=1250.5, declaration_number="CN-DEC-9"
    )
    await review.process_pending()
    assert [c["state"] for c in await _checks(client, tokens, first)] == ["inconsistent"]
    [check] = await _checks(client, tokens, amended)
    assert (check["state"], check["reasons"]) == ("consistent", [])
    [check] = await _checks(client, tokens, other)
    assert check["state"] == "review"
    assert check["reasons"] == [
        "declaration.certificate_reused: certificate AU-2026-genuine is also named by "
        f"declaration(s) CN-DEC-1 ({first[:12]}), CN-DEC-1 ({amended[:12]})"
    ]


async def test_a_decision_on_a_check_that_was_made_again_since_is_refused(
    node, client, tokens
) -> None:
    """The officer looked at the pair checked against the paper; the issuer's copy came and
    the pair was checked again (the same state, other grounds): a decision naming the check
    looked at is refused, one naming the new check stands."""
    review = node.extras["review"]
    await _accepted_paper(node, client, tokens)
    decl = await _declare(client, tokens, "AU-2026-genuine")
    await review.process_pending()
    [looked] = await _checks(client, tokens, decl)
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-genuine", net_weight_kg=1250.5, consignor_name="Other Ltd")
    await review.process_pending()
    [now] = await _checks(client, tokens, decl)
    assert now["state"] == looked["state"] == "inconsistent"
    assert now["generation"] > looked["generation"] and now["source"] == "electronic"
    url = f"/api/v1/declaration-checks/{decl}/AU-2026-genuine/decision"
    stale = {"decision": "refuse", "generation": looked["generation"]}
    r = await client.post(url, json=stale, headers=bearer(tokens["officer"]))
    assert r.status_code == 409 and "checked again since you looked" in r.json()["detail"]
    fresh = {"decision": "refuse", "generation": now["generation"]}
    r = await client.post(url, json=fresh, headers=bearer(tokens["officer"]))
    assert r.status_code == 200 and r.json()["decision"] == "refuse"


async def test_a_copy_that_no_longer_reads_sends_the_pair_to_an_officer_not_to_wait(
    node, client, tokens
) -> None:
    """The issuer's copy is indexed but no longer parses (an adapter upgraded since, stricter):
    the pair is for an officer, told why; ``waiting`` had the review worker's sweep queue it
    again every minute, for good."""
    from node.review.tables import CertificateCopyRow

    copy = node.blobs.put(b'{"doc_type": "certificate", "issue_date": "soon"}')
    with node.db.session() as session:
        session.add(
            CertificateCopyRow(
                sha256=copy,
                certificate_number="AU2026GENUINE",
                issuing_country="AU",
                source="AU-SYD",
            )
        )
    decl = await _declare(client, tokens, "AU-2026-genuine", net_weight_kg=1250.5)
    review = node.extras["review"]
    await review.process_pending()
    [check] = await _checks(client, tokens, decl)
    assert check["state"] == "review"
    assert check["reasons"][0].startswith(
        f"the check could not run: the issuer's copy {copy} could not be read: "
    )
    assert review.matches.requeue_found() == 0
