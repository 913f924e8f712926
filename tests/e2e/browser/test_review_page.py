"""The review page in Debian's headless Chromium (Playwright, never `playwright install`).

A node serves REST + UI over a real socket (uvicorn, port 0). A forged certificate scan is
reviewed (fake verifier with the contract's verify JSON shape), the officer signs in with a token,
opens it, sees the seal mismatch first, rejects it with the keyboard, and the decision shows in
the page's trace and in the REST trace. A screenshot is taken and its pixels inspected.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright

from node.api.server import ApiServer
from node.api.tokens import TokenService
from node.bootstrap import build_node
from tests.aging import dispose_aged
from tests.unit.api.fakes import (
    BOXES,
    TEMPLATE,
    FakeVerifier,
    add_partner,
    declaration,
    fakes,
    labelled_scan,
    png,
    receive_copy,
    settings,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOT = Path("/tmp/cusdep-review-page.png")


async def _seed(node) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    reg = node.registry
    await reg.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    await reg.add_seal("AU-DAFF", "AU-DAFF-S1", png("#0b3d91", (120, 120)))
    await reg.add_officer("AU-DAFF", "AU-DAFF-O7", "Jane Citizen", png("navy", (160, 60)))
    await reg.add_template(json.dumps(TEMPLATE).encode())
    review = node.extras["review"]
    review.intake.submit_electronic(
        declaration("AU-2026-forged"), kind="declaration", actor="clerk"
    )
    _issuers_copy(node, "AU-2026-genuine")
    forged = review.submit_scan(labelled_scan("forged"), actor="clerk")["sha256"]
    genuine = await _reviewed(node, "genuine")
    return str(forged), str(genuine)


async def _reviewed(node, label: str) -> str:  # type: ignore[no-untyped-def]
    """A ``labelled_scan`` submitted and reviewed (fake verifier): its SHA-256."""
    review = node.extras["review"]
    sha = review.submit_scan(labelled_scan(label), actor="clerk")["sha256"]
    await review.process_pending()
    return str(sha)


def _issuers_copy(node, number: str) -> None:  # type: ignore[no-untyped-def]
    """AU's node sent its certificate ``number`` (weight 1200.0 kg) over the exchange."""
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, number, net_weight_kg=1200.0)


def _red_share(png_bytes: bytes) -> float:
    """Share of pixels in the mismatch palette (error red border / pale red background)."""
    rgb = np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    strong = (r > 180) & (g < 120) & (b < 120)
    pale = (r > 245) & (g > 225) & (g < 245) & (b > 225) & (b < 245)
    return float((strong | pale).mean())


@pytest.mark.timeout(120)
async def test_forged_certificate_review_in_chromium(home, tmp_path) -> None:
    assert shutil.which(CHROMIUM), "Debian chromium missing: make setup (scripts/apt-packages.txt)"
    async with _served(home) as (node, url):
        forged, genuine = await _seed(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        await _drive(url, forged, genuine, token)
        async with httpx.AsyncClient(base_url=url) as c:
            t = await c.get(f"/api/v1/trace/{forged}", headers={"Authorization": f"Bearer {token}"})
        reviewed = [e for e in t.json()["events"] if e["kind"] == "reviewed"]
        assert [
            (e["actor"], e["detail"]["decision"], e["detail"]["outcome"]) for e in reviewed
        ] == [("jane", "reject", "confirmed")]


async def _drive(url: str, sha: str, genuine: str, token: str) -> None:
    async with _chromium() as (browser, page, errors):
        await page.goto(f"{url}/ui/review/{sha}")
        await page.wait_for_url(f"{url}/ui/?next=*")  # no token yet: sent to sign in
        await page.fill("#token", token)
        await page.click("#signin button[type=submit]")
        await page.wait_for_url(f"{url}/ui/review/{sha}")
        await page.wait_for_selector("body[data-ready='1']")
        first = page.locator("#findings li").first
        assert await first.get_attribute("data-rule") == "seal.agency"
        assert "fail error" in (await first.get_attribute("class") or "")
        assert "does not match" in await first.inner_text()
        assert await page.locator("#findings li").count() == 2  # failures only
        assert await page.inner_text("#passed-summary") == "2 checks passed"
        assert "mismatch" in await page.inner_text("#seal-score")
        assert await page.locator("#scan-boxes rect.seal.bad").count() == 1
        assert await page.locator("#seal-specimen").get_attribute("src") is not None
        assert (await page.inner_text("#seal-specimen-cap")) == "registered AU-DAFF-S1"
        assert await page.locator("#next").is_enabled()
        await page.wait_for_function("() => document.getElementById('who').textContent.length > 0")
        assert await page.inner_text("#who") == "jane (officer)"
        diff = page.locator("#compare-rows tr.diff")
        assert await diff.count() == 1 and "1200" in await diff.inner_text()
        assert "no copy" in await diff.inner_text()  # no issuer's copy came for it
        assert await page.inner_text("#copy-note") == "no electronic copy from the issuer"
        assert "Issuer's copy" in await page.inner_text("table.compare thead")
        assert await page.locator("#scan-boxes rect.diff").count() == 1
        assert await page.locator("#capture").is_hidden()  # a scan: used as it came
        shot = await page.screenshot(path=str(SHOT), full_page=False)
        finding = await first.screenshot()
        assert _red_share(finding) > 0.3, "the first finding is not drawn as an error"
        assert _red_share(shot) > 0.002, "no red seal-mismatch marking on the screen"
        await page.fill("#reason", "seal does not match the registered specimen")
        await page.locator("body").click(position={"x": 5, "y": 5})  # leave the textarea
        await page.keyboard.press("r")
        await page.wait_for_selector("#decided:not([hidden])")
        assert "reject (confirmed) by jane" in await page.inner_text("#decided")
        await page.wait_for_selector("#trace li[data-kind='reviewed']")
        assert "jane" in await page.inner_text("#trace li[data-kind='reviewed']")
        await page.keyboard.press("n")  # next in the queue: the genuine scan
        await page.wait_for_url(f"{url}/ui/review/{genuine}")
        await page.wait_for_selector("body[data-ready='1']")
        assert await page.inner_text("#verdict") == "REVIEW"
        capture = await page.inner_text("#capture")  # a photo, made flat before review
        assert "Photographed page" in capture and "straightened to A4" in capture
        assert "sent by AU-SYD" in await page.inner_text("#copy-note")
        weight = page.locator("#compare-rows tr.diff")  # 1250.5 on paper, 1200 in the copy
        assert await weight.count() == 1 and "1200" in await weight.inner_text()
        assert await page.locator("#compare-rows td.differs").count() == 1
        fresh = await browser.new_page()  # a link with the token in its fragment signs in
        await fresh.goto(f"{url}/ui/#token={token}")
        await fresh.wait_for_selector("#queue-rows tr")
        assert "token" not in fresh.url
        await fresh.close()
        await page.goto(f"{url}/ui/")  # the queue: the decided forgery has left it
        await page.wait_for_selector("#queue-rows tr")
        assert await page.locator("#queue-rows tr").count() == 1
        assert await page.locator(f"#queue-rows a[href='/ui/review/{genuine}']").count() == 1
        assert errors == []
    assert base64.b64encode(SHOT.read_bytes())[:8]  # the screenshot file exists for people too


@asynccontextmanager
async def _served(home: Path) -> AsyncIterator[tuple[Any, str]]:
    """A node with the fake review, its API served: (node, base URL)."""
    node = build_node(settings(home), verifier=FakeVerifier(), **fakes())
    server = ApiServer(node, port=0)
    async with node:
        await server.start()
        try:
            yield node, server.url
        finally:
            await server.aclose()


@asynccontextmanager
async def _chromium() -> AsyncIterator[tuple[Browser, Page, list[str]]]:
    """Headless Debian chromium: (the browser, a page, that page's script errors)."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield browser, page, errors
        finally:
            await browser.close()


@asynccontextmanager
async def _officer_page(url: str, sha: str, token: str) -> AsyncIterator[tuple[Page, list[str]]]:
    """Chromium on the review page of ``sha``, signed in: (the page, its script errors)."""
    async with _chromium() as (_browser, page, errors):
        await page.goto(f"{url}/ui/review/{sha}#token={token}")
        await page.wait_for_selector("body[data-ready='1']")
        yield page, errors


@pytest.mark.timeout(120)
async def test_a_copied_seal_is_shown_beside_the_paper_it_was_copied_from(home) -> None:
    """``seal.unique``: the review of a paper whose seal is the very stamping on an earlier
    paper sets that paper's seal crop beside its own, with a link to its review."""
    async with _served(home) as (node, url):
        await _seed(node)
        original = await _reviewed(node, "original")
        copied = await _reviewed(node, "copied")
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, copied, token) as (page, errors):
            assert await page.locator("#findings li[data-rule='seal.unique']").count() == 1
            assert await page.locator("#seal-earlier-fig").is_visible()
            link = page.locator("#seal-earlier-cap a")
            assert await link.get_attribute("href") == f"/ui/review/{original}"
            assert "certificate AU-2026-original" in await link.inner_text()
            loaded = "document.getElementById('seal-earlier').naturalWidth"
            assert await page.evaluate(loaded) > 0
            await page.goto(f"{url}/ui/review/{original}")
            await page.wait_for_selector("body[data-ready='1']")
            assert not await page.locator("#seal-earlier-fig").is_visible()
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_photo_not_made_flat_is_said_so_under_the_page(home) -> None:
    """A photographed page whose paper was not found (``photo_not_flat``) is shown as it came,
    with a note that its seal and signature could not be compared reliably."""
    async with _served(home) as (node, url):
        askew = await _reviewed(node, "askew")
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, askew, token) as (page, errors):
            note = await page.inner_text("#capture")
            assert "could not be found to straighten it" in note, note
            assert "straightened to" not in note
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_paper_behind_a_cover_page_opens_on_the_certificate(home) -> None:
    """A cover page, then the certificate: the page opens where the seal and fields are (it
    opened on the blank cover, no boxes), and the digit keys turn the pages."""
    async with _served(home) as (node, url):
        sha = await _reviewed(node, "cover")
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, sha, token) as (page, errors):
            assert await page.input_value("#page") == "1"
            assert await page.locator("#scan-boxes rect.box.seal").count() == 1
            boxes = "n => document.querySelectorAll('#scan-boxes rect.box').length === n"
            await page.keyboard.press("1")
            assert await page.input_value("#page") == "0"
            await page.wait_for_function(boxes, arg=0, timeout=10_000)  # the cover: none
            await page.keyboard.press("2")
            await page.wait_for_function(boxes, arg=6, timeout=10_000)
            assert await page.locator("#scan-boxes rect.box.seal").count() == 1
            assert errors == []


def _open_reviews(node, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``count`` reviews waiting for an officer, queued one second apart (oldest first)."""
    from node.review.tables import ReviewRow

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    shas = [hashlib.sha256(f"paper {i}".encode()).hexdigest() for i in range(count)]
    with node.db.session() as session:
        for i, sha in enumerate(shas):
            when = start + dt.timedelta(seconds=i)
            session.add(ReviewRow(sha256=sha, state="review", verdict="review", queued_at=when))
    return shas


@pytest.mark.timeout(120)
async def test_the_queue_pages_through_more_papers_than_fit_on_one_page(home) -> None:
    """Hundreds waiting: the queue shows them a page at a time and says there are more
    (it showed the API's first 50, silently)."""
    async with _served(home) as (node, url):
        shas = _open_reviews(node, 57)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            await page.goto(f"{url}/ui/#token={token}")
            await page.wait_for_selector("#queue-rows tr")
            assert await page.locator("#queue-rows tr").count() == 50
            assert await page.inner_text("#queue-range") == "1–50"
            assert await page.locator("#queue-prev").is_hidden()
            await page.click("#queue-next")
            await page.wait_for_url(f"{url}/ui/?offset=50")
            await page.wait_for_selector("#queue-rows tr")
            links = page.locator("#queue-rows a")
            hrefs = [await links.nth(i).get_attribute("href") for i in range(await links.count())]
            assert hrefs == [f"/ui/review/{sha}" for sha in shas[50:]]
            assert await page.locator("#queue-next").is_hidden()
            assert await page.locator("#queue-prev").is_visible()
            assert errors == []


@pytest.mark.timeout(120)
async def test_long_declared_values_stay_inside_the_screen(home) -> None:
    """An importer's 3000-character value (no spaces) and a finding quoting it: the
    comparison table stretched to 30,000 px, the issuer's-copy column off the screen, and
    the finding pushed the decision far below; now values wrap and long ones scroll."""
    async with _served(home) as (node, url):
        review = node.extras["review"]
        decl = json.loads(declaration("AU-2026-long"))
        decl["consignor_name"] = "Orchard" + "X" * 3000
        stored = review.intake.submit_electronic(
            json.dumps(decl).encode(), kind="declaration", actor="clerk"
        )
        sha = review.submit_scan(
            labelled_scan("long"), actor="clerk", declaration_sha256=stored["sha256"]
        )["sha256"]
        await review.process_pending()
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, sha, token) as (page, errors):
            side = await page.evaluate(
                "(() => { const s = document.querySelector('.side');"
                " return [s.scrollWidth, s.clientWidth]; })()"
            )
            assert side[0] <= side[1], side
            row = page.locator("#compare-rows tr[data-field='consignor_name']")
            assert "diff" in (await row.get_attribute("class") or "")
            box = await row.bounding_box()
            assert box is not None and box["height"] < 200, box
            accept = await page.locator("#accept").bounding_box()
            assert accept is not None and accept["y"] + accept["height"] <= 1000, accept
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_copied_seal_that_matches_its_specimen_is_not_shown_as_a_match(home) -> None:
    """``seal.unique`` failed on a seal whose image matches the specimen: the seal's header,
    its box on the scan and the queue showed a green "match"."""
    async with _served(home) as (node, url):
        await _reviewed(node, "original")
        copied = await _reviewed(node, "copied")
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, copied, token) as (page, errors):
            score = page.locator("#seal-score")
            assert "bad" in (await score.get_attribute("class") or "")
            assert "seal.unique failed" in await score.inner_text()
            assert await page.locator("#scan-boxes rect.seal.bad").count() == 1
            assert await page.locator("#scan-boxes rect.seal.ok").count() == 0
            await page.goto(f"{url}/ui/")
            await page.wait_for_selector("#queue-rows tr")
            row = page.locator("#queue-rows tr", has=page.locator(f"a[href='/ui/review/{copied}']"))
            seal = row.locator("td").nth(4)
            assert await seal.inner_text() == "copied"
            assert await seal.get_attribute("class") == "bad"
            assert errors == []


@pytest.mark.timeout(120)
async def test_each_field_read_is_shown_with_its_crop_and_a_doubtful_reading_is_marked(
    home,
) -> None:
    """Every field the machine read is listed (the certificate number too, which is not
    compared with the declaration), each with its crop of the scan above the value read;
    a reading under 0.8 confidence is marked."""
    async with _served(home) as (node, url):
        review = node.extras["review"]
        review.intake.submit_electronic(
            declaration("AU-2026-doubtful"), kind="declaration", actor="clerk"
        )
        sha = await _reviewed(node, "doubtful")
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, sha, token) as (page, errors):
            rows = page.locator("#compare-rows tr")
            fields = [
                await rows.nth(i).get_attribute("data-field") for i in range(await rows.count())
            ]
            assert sorted(str(f) for f in fields) == sorted(BOXES)
            crops = page.locator("#compare-rows img.crop")
            assert await crops.count() == len(BOXES)
            widths = await page.evaluate(
                "[...document.querySelectorAll('#compare-rows img.crop')].map(i => i.naturalWidth)"
            )
            assert all(w > 0 for w in widths), widths
            number = page.locator("#compare-rows tr[data-field='certificate_number']")
            assert "AU-2026-doubtful" in await number.inner_text()
            weight = page.locator("#compare-rows tr[data-field='net_weight_kg']")
            assert "read with doubt (0.62)" in await weight.inner_text()
            assert await page.locator("#compare-rows .conf").count() == 1
            assert errors == []


@pytest.mark.timeout(120)
async def test_an_officer_whose_token_is_refused_is_told_why_and_comes_back_to_the_paper(
    home,
) -> None:
    """The token revoked (or expired) while the paper is open: the officer was sent to an
    empty sign-in form on the queue, not told why, and not brought back to the paper."""
    async with _served(home) as (node, url):
        forged, _genuine = await _seed(node)
        tokens = TokenService(node.db)
        old = tokens.issue("officer", "jane")
        async with _officer_page(url, forged, old["token"]) as (page, errors):
            tokens.revoke(old["id"])
            await page.keyboard.press("r")
            await page.wait_for_url(f"{url}/ui/?next=*")
            await page.wait_for_selector("#signin:not([hidden])")
            assert "this token was revoked" in await page.inner_text("#signin-error")
            await page.fill("#token", tokens.issue("officer", "jane")["token"])
            await page.click("#signin button[type=submit]")
            await page.wait_for_url(f"{url}/ui/review/{forged}")
            await page.wait_for_selector("body[data-ready='1']")
            assert await page.locator("#decision").is_visible()  # nothing was decided
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_paper_another_officer_decided_meanwhile_shows_the_decision_that_stands(
    home,
) -> None:
    """Two officers on one paper: the second's key press got 409 and the page kept offering
    a decision; now it shows the first officer's decision and the trace."""
    async with _served(home) as (node, url):
        forged, _genuine = await _seed(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, forged, token) as (page, errors):
            node.extras["review"].decide(forged, "reject", "seal differs", "bob")
            await page.keyboard.press("r")
            await page.wait_for_selector("#decided:not([hidden])")
            assert "reject (confirmed) by bob" in await page.inner_text("#decided")
            assert "already decided by bob" in await page.inner_text("#decision-error")
            assert await page.locator("#decision").is_hidden()
            assert await page.inner_text("#state") == "decided: reject by bob"
            await page.wait_for_selector("#trace li[data-kind='reviewed']")
            assert "seal differs" in await page.inner_text("#trace li[data-kind='reviewed']")
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_review_verdict_is_decided_with_a_reason_by_keyboard_alone(home) -> None:
    """On a paper the machine left to the officer either decision needs a reason (the label
    said only accepting a reject did): A asks for it, Esc leaves the text box, A decides;
    the reason and the time are shown with the decision and in the trace."""
    async with _served(home) as (node, url):
        _forged, genuine = await _seed(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, genuine, token) as (page, errors):
            assert "machine left this to you" in await page.inner_text("#reason-rule")
            await page.keyboard.press("a")
            await page.wait_for_function("() => document.activeElement.id === 'reason'")
            assert "needs a reason" in await page.inner_text("#decision-error")
            await page.keyboard.type("weight matches the issuer's copy")
            await page.keyboard.press("Escape")
            await page.keyboard.press("a")
            await page.wait_for_selector("#decided:not([hidden])")
            decided = await page.inner_text("#decided")
            assert "accept (left to an officer) by jane at 20" in decided
            assert "weight matches the issuer's copy" in decided
            await page.wait_for_selector("#trace li[data-kind='reviewed']")
            trace = await page.inner_text("#trace li[data-kind='reviewed']")
            assert "weight matches the issuer's copy" in trace
            assert "accept (left to an officer)" in trace  # it was "overridden": nothing was
            assert errors == []


@pytest.mark.timeout(120)
async def test_accepting_what_the_machine_rejected_says_it_overrode_the_reject(home) -> None:
    """Only a decision against the machine's accept or reject overrides it; the screen and
    the trace say which verdict it overrode."""
    async with _served(home) as (node, url):
        forged, _genuine = await _seed(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, forged, token) as (page, errors):
            assert "accept what the machine rejected" in await page.inner_text("#reason-rule")
            await page.fill("#reason", "the die was re-cut; the agency confirmed by phone")
            await page.locator("body").click(position={"x": 5, "y": 5})
            await page.keyboard.press("a")
            await page.wait_for_selector("#decided:not([hidden])")
            decided = await page.inner_text("#decided")
            assert "accept (overriding the machine's reject) by jane" in decided
            await page.wait_for_selector("#trace li[data-kind='reviewed']")
            trace = await page.inner_text("#trace li[data-kind='reviewed']")
            assert "accept (overriding the machine's reject)" in trace
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_bidi_control_in_a_reason_stays_inside_it(home) -> None:
    """A value a sender wrote with U+202E (RIGHT-TO-LEFT OVERRIDE) in a reason must not turn
    the rest of the queue's cell around (a Unicode audit: the "(+1 more)" read backwards)."""
    from node.review.tables import ReviewRow

    spoof = "certificate \u202eAU-1234 is not among the declared"
    async with _served(home) as (node, url):
        with node.db.session() as session:
            session.add(
                ReviewRow(
                    sha256="ab" * 32,
                    state="review",
                    verdict="review",
                    result={"reasons": [spoof, "seal.agency: no match"]},
                )
            )
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            await page.goto(f"{url}/ui/#token={token}")
            await page.wait_for_selector("#queue-rows tr")
            cell = page.locator("#queue-rows td.why")
            assert await cell.locator("bdi").inner_text() == spoof
            assert await cell.locator(".more").inner_text() == "(+1 more)"
            assert (await cell.inner_text()).endswith("\n(+1 more)")
            isolate = await cell.evaluate("c => getComputedStyle(c).unicodeBidi")
            assert isolate == "isolate"
            assert errors == []


@pytest.mark.timeout(120)
async def test_an_officer_clears_a_declaration_that_disagrees_with_an_accepted_paper(
    home,
) -> None:
    """A declaration came after its paper was accepted and declares another weight: the queue
    page lists the pair under the papers, and the officer clears it with a reason."""
    async with _served(home) as (node, url):
        review = node.extras["review"]
        paper = await _reviewed(node, "genuine")
        review.decide(paper, "accept", "checked by hand", "jane")
        stored = review.intake.submit_electronic(
            declaration("AU-2026-genuine"), kind="declaration", actor="clerk"
        )
        decl = stored["sha256"]
        await review.process_pending()
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            await page.goto(f"{url}/ui/#token={token}")
            row = page.locator(f"#checks-rows tr[data-declaration='{decl}']")
            await row.wait_for()
            assert await row.locator("td").nth(0).inner_text() == "CN-DEC-1"
            assert "net weight 1250.5 kg on certificate, 1200 kg declared" in (
                await row.locator("td.why").inner_text()
            )
            assert await row.locator(f"a[href='/ui/review/{paper}']").count() == 1
            await row.locator("button.clear").click()  # no reason: refused, said so
            await row.locator("[role=alert]").filter(has_text="needs a reason").wait_for()
            await row.locator("input.reason").fill("second lot declared separately")
            await row.locator("button.clear").click()
            await row.locator("td.decision").filter(has_text="clear by jane").wait_for()
            # the paper's own review shows the declaration that came after it
            await page.goto(f"{url}/ui/review/{paper}")
            await page.wait_for_selector("body[data-ready='1']")
            later = page.locator(f"#later-checks li[data-declaration='{decl}']")
            text = await later.inner_text()
            assert text.startswith("CN-DEC-1: decided — clear by jane"), text
            assert "net weight 1250.5 kg" in text
            assert errors == []
        [check] = review.matches.of_declaration(decl)
        assert (check["decision"], check["reason"]) == ("clear", "second lot declared separately")
        # an auditor sees the open pairs, without buttons it could not use
        other = {**json.loads(declaration("AU-2026-genuine")), "declaration_number": "CN-DEC-2"}
        second = review.intake.submit_electronic(
            json.dumps(other).encode(), kind="declaration", actor="clerk"
        )
        await review.process_pending()
        auditor = TokenService(node.db).issue("auditor", "ann")["token"]
        async with _chromium() as (_browser, page, errors):
            await page.goto(f"{url}/ui/#token={auditor}")
            row = page.locator(f"#checks-rows tr[data-declaration='{second['sha256']}']")
            await row.wait_for()
            assert await row.locator("td.decision").inner_text() == "an officer decides"
            assert await row.locator("button").count() == 0
            assert errors == []


async def _withdrawn_paper(node) -> str:  # type: ignore[no-untyped-def]
    """A paper accepted by an officer and anchored, whose certificate the issuer (AU-SYD)
    revoked since ("issued in error"): its SHA-256."""
    from node.exchange._pb import documents_pb2 as docs
    from node.exchange.revocations import DocumentRevocation

    add_partner(node, "AU-SYD", "AU")
    copy_sha = receive_copy(node, "AU-2026-genuine", net_weight_kg=1250.5)
    paper = await _reviewed(node, "genuine")
    node.extras["review"].decide(paper, "accept", "checked by hand", "jane")
    await node.anchoring.run_once(force=True)
    revocation = docs.Revocation(
        target=docs.Revocation.TARGET_DOCUMENT, subject_id=copy_sha, reason="issued in error"
    )
    with node.db.session() as session:
        DocumentRevocation("AU-SYD", "m-1", revocation).write(session)
    return paper


@pytest.mark.timeout(120)
async def test_an_officer_revokes_an_accepted_paper_the_issuer_withdrew(home) -> None:
    """The issuer revoked its copy of a certificate accepted here: the queue page lists the
    paper apart; its review says who withdrew it and why, and the officer revokes it on chain
    from there; it then leaves the list."""
    async with _served(home) as (node, url):
        review = node.extras["review"]
        paper = await _withdrawn_paper(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            await page.goto(f"{url}/ui/#token={token}")
            row = page.locator(f"#withdrawn-rows tr[data-sha256='{paper}']")
            await row.wait_for()
            cells = [await row.locator("td").nth(i).inner_text() for i in range(5)]
            assert cells[1:3] == ["AU-2026-genuine", "jane (officer)"]
            assert cells[3].startswith("AU-SYD at ") and cells[4] == "issued in error"
            await row.locator("a").click()
            await page.wait_for_selector("body[data-ready='1']")
            note = await page.locator("#withdrawn-note").inner_text()
            assert "The issuer (AU-SYD) revoked certificate AU-2026-genuine" in note
            assert note.endswith(": issued in error.")
            await page.locator("#revoke").click()  # no reason: refused, said so
            await page.locator("#revoke-error").filter(has_text="reason").wait_for()
            await page.locator("#revoke-reason").fill("the issuer withdrew it")
            await page.locator("#revoke").click()
            await page.locator("#revoked-note").filter(has_text="revoked by jane").wait_for()
            assert not await page.locator("#revoke-form").is_visible()
            assert await page.locator("#state").inner_text() == "revoked by jane"
            assert not await page.locator("#decide-keys").is_visible()  # A/R do nothing
            await page.locator("#trace li[data-kind='revoked']").wait_for()
            await page.goto(f"{url}/ui/")
            await page.wait_for_selector("#withdrawn[data-loaded='0']", state="attached")
            assert not await page.locator("#withdrawn").is_visible()
            assert errors == []
        assert review.get(paper)["revoked"]["reason"] == "the issuer withdrew it"


def _synced_from_au(node) -> None:  # type: ignore[no-untyped-def]
    """AU's agency, seal, officer and template as registry sync leaves them: registered by AU
    (its node AU-SYD), authoritative and confirmed, none by this node."""
    from node.registry.tables import RegistryRecordRow

    add_partner(node, "AU-SYD", "AU")
    seal, sig = node.blobs.put(png("#0b3d91", (120, 120))), node.blobs.put(png("navy", (160, 60)))
    records = [
        ("agency", "AU-DAFF", ""),
        ("seal", "AU-DAFF-S1", seal),
        ("officer", "AU-DAFF-O7", sig),
        ("template", "AU-PHYTO-2025", ""),
    ]
    with node.db.session() as session:
        for kind, record_id, sha in records:
            session.add(
                RegistryRecordRow(
                    kind=kind,
                    registrar="AU",
                    record_id=record_id,
                    agency_id="AU-DAFF",
                    country="AU",
                    sha256=sha,
                    authoritative=True,
                    state="confirmed",
                    source="AU-SYD",
                )
            )


@pytest.mark.timeout(120)
async def test_specimens_a_partner_registered_are_shown_beside_the_seal_and_signature(
    home,
) -> None:
    """Specimens come to an importing node by registry sync, registered by the issuing
    country: the page asked for them as this node's own (404) and showed no specimen beside
    the seal or the signature on any partner's paper."""
    async with _served(home) as (node, url):
        _synced_from_au(node)
        genuine = await _reviewed(node, "genuine")
        forged = await _reviewed(node, "forged")  # no seal matched: the agency's seal shown
        token = TokenService(node.db).issue("officer", "jane")["token"]
        loaded = "id => document.getElementById(id).naturalWidth"
        for sha in (genuine, forged):
            async with _officer_page(url, sha, token) as (page, errors):
                assert await page.inner_text("#seal-specimen-cap") == "registered AU-DAFF-S1"
                assert await page.inner_text("#sig-specimen-cap") == "registered AU-DAFF-O7"
                assert await page.evaluate(loaded, "seal-specimen") == 120
                assert await page.evaluate(loaded, "sig-specimen") == 160
                assert await page.locator("#seal-specimen").is_visible()
                assert errors == []


@pytest.mark.timeout(120)
async def test_an_auditor_sees_a_review_without_the_buttons_it_may_not_use(home) -> None:
    """An auditor reads reviews: the page offered it Accept, Reject and Revoke, and a key
    press or a click answered 403 "role auditor may not do this"."""
    async with _served(home) as (node, url):
        withdrawn = await _withdrawn_paper(node)
        forged = await _reviewed(node, "forged")
        token = TokenService(node.db).issue("auditor", "ann")["token"]
        async with _officer_page(url, forged, token) as (page, errors):
            assert await page.locator("#decision").is_hidden()
            assert await page.locator("#accept").is_hidden()
            assert await page.locator("#reject").is_hidden()
            assert "an officer decides" in await page.inner_text("#read-only")
            await page.keyboard.press("r")  # its handler has run when press returns
            assert await page.evaluate("state.deciding") is False  # no decision sent
            assert await page.inner_text("#decision-error") == ""
            await page.goto(f"{url}/ui/review/{withdrawn}")
            await page.wait_for_selector("body[data-ready='1']")
            assert await page.locator("#withdrawn-note").is_visible()
            assert await page.locator("#revoke-form").is_hidden()
            assert await page.locator("#revoke").is_hidden()
            assert errors == []
        assert node.extras["review"].get(forged)["decision"] is None


@pytest.mark.timeout(120)
async def test_enter_in_the_revocation_reason_revokes_the_paper(home) -> None:
    """Keyboard only: the officer types the reason and presses Enter. The form was submitted
    as a page load (``?`` appended): the reason typed was lost and nothing was revoked."""
    async with _served(home) as (node, url):
        paper = await _withdrawn_paper(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, paper, token) as (page, errors):
            await page.focus("#revoke-reason")
            await page.keyboard.type("the issuer withdrew it")
            await page.keyboard.press("Enter")
            await page.locator("#revoked-note").filter(has_text="revoked by jane").wait_for()
            assert page.url == f"{url}/ui/review/{paper}"
            assert errors == []
        assert node.extras["review"].get(paper)["revoked"]["reason"] == "the issuer withdrew it"


@pytest.mark.timeout(120)
async def test_back_to_the_queue_after_a_decision_lists_it_no_more(home) -> None:
    """The officer opens a paper from the queue, decides it and goes back (the browser's Back):
    the queue was the answer cached before the decision, still listing the paper."""
    async with _served(home) as (node, url):
        forged, genuine = await _seed(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            await page.goto(f"{url}/ui/#token={token}")
            await page.locator(f"#queue-rows a[href='/ui/review/{forged}']").click()
            await page.wait_for_selector("body[data-ready='1']")
            await page.keyboard.press("r")
            await page.wait_for_selector("#decided:not([hidden])")
            await page.go_back()
            await page.wait_for_selector(f"#queue-rows a[href='/ui/review/{genuine}']")
            assert await page.locator("#queue-rows tr").count() == 1
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_paper_no_template_fits_says_why_in_its_findings(home) -> None:
    """No template fits (a country whose templates are not registered): no rule ran, and the
    only finding said "the machine could not read this document" of a page read well; the
    verdict's reason (register the country's template) is the finding now."""
    from node.review.tables import ReviewRow

    why = (
        "the page is a certificate of Norway (its origin and its exporter's address say so) and"
        " no template of NO fits it; the closest, AU-HEALTH-2024, is for AU: register NO's template"
    )
    async with _served(home) as (node, url):
        with node.db.session() as session:
            session.add(
                ReviewRow(
                    sha256="cd" * 32, state="review", verdict="review", result={"reasons": [why]}
                )
            )
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, "cd" * 32, token) as (page, errors):
            findings = page.locator("#findings li")
            assert await findings.count() == 1
            text = await findings.first.inner_text()
            assert "could not read" not in text and "register NO's template" in text, text
            assert "fail warning" in (await findings.first.get_attribute("class") or "")
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_findings_severity_stands_apart_from_its_rule(home) -> None:
    """A warning's severity, as wide as its column, ran into the rule's id
    ("WARNINGcopy.present") on the officer's screen."""
    async with _served(home) as (node, url):
        sha = await _reviewed(node, "genuine")
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, sha, token) as (page, errors):
            warning = page.locator("#findings li.fail.warning").first
            sev = await warning.locator(".sev").bounding_box()
            rule = await warning.locator("code").bounding_box()
            assert sev is not None and rule is not None
            assert rule["x"] - (sev["x"] + sev["width"]) >= 3, (sev, rule)
            assert errors == []


@pytest.mark.timeout(120)
async def test_the_officer_signs_in_by_keyboard_alone(home) -> None:
    """The sign-in form opened with nothing focused: the officer had to click the token field
    (or tab past the header's links) before pasting the token."""
    async with _served(home) as (node, url):
        forged, _genuine = await _seed(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            await page.goto(f"{url}/ui/review/{forged}")
            await page.wait_for_selector("#signin:not([hidden])")
            await page.wait_for_function("() => document.activeElement.id === 'token'")
            await page.keyboard.type(token)
            await page.keyboard.press("Enter")
            await page.wait_for_url(f"{url}/ui/review/{forged}")
            await page.wait_for_selector("body[data-ready='1']")
            assert errors == []


@pytest.mark.timeout(120)
async def test_the_withdrawal_and_the_revocation_are_timed_as_the_decision_is(home) -> None:
    """The issuer's withdrawal and this node's revocation were timed in raw ISO with
    microseconds ("at 2026-12-06T04:30:20.148542Z"), the decision and the trace beside them
    as "2026-12-06 04:30:20"."""

    stamp = re.compile(r" at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b(?![.\d])")
    async with _served(home) as (node, url):
        paper = await _withdrawn_paper(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, paper, token) as (page, errors):
            note = await page.inner_text("#withdrawn-note")
            assert stamp.search(note) and not re.search(r"\dT\d", note), note
            await page.fill("#revoke-reason", "the issuer withdrew it")
            await page.locator("#revoke").click()
            revoked = page.locator("#revoked-note").filter(has_text="revoked by jane")
            await revoked.wait_for()
            text = await revoked.inner_text()
            assert stamp.search(text) and "Z" not in text.split(" — ")[0], text
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_key_pressed_twice_decides_once_without_an_error(home) -> None:
    """R pressed twice (or held down, repeating) sent the decision twice: the second answered
    409 and the page showed "already decided by jane" in red under jane's own decision."""
    async with _served(home) as (node, url):
        forged, _genuine = await _seed(node)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, forged, token) as (page, errors):
            await page.keyboard.press("r")
            await page.keyboard.press("r")
            await page.wait_for_selector("#decided:not([hidden])")
            await page.wait_for_selector("#trace li[data-kind='reviewed']")
            await page.wait_for_timeout(500)
            assert await page.inner_text("#decision-error") == ""
            assert "reject (confirmed) by jane" in await page.inner_text("#decided")
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_paper_the_machine_has_not_reviewed_yet_shows_nothing_as_failed(home) -> None:
    """A paper still waiting for the machine: its seal and signature were "not found" in red
    (nothing had looked for them yet) and the scan a broken image."""
    async with _served(home) as (node, url):
        review = node.extras["review"]
        sha = review.submit_scan(labelled_scan("waiting"), actor="clerk")["sha256"]
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, sha, token) as (page, errors):
            assert "waiting for the machine review" in await page.inner_text("#findings")
            for part in ("#seal-score", "#sig-score"):
                assert await page.inner_text(part) == "not reviewed yet"
                assert "bad" not in (await page.get_attribute(part, "class") or "")
            assert await page.locator("#scan-img").is_hidden()
            # the machine reviews it meanwhile: the page shows the review without a reload
            assert (await page.inner_text("#verdict")).lower() == "pending"
            await review.process_pending()
            await page.locator("#verdict").filter(has_text="review").wait_for(timeout=30_000)
            await page.wait_for_selector("body[data-ready='1']")
            assert await page.inner_text("#seal-score") != "not reviewed yet"
            assert errors == []


_UTC = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"


@pytest.mark.timeout(120)
async def test_the_queue_page_shows_each_reason_number_and_time_as_the_officer_reads_them(
    home,
) -> None:
    """An audit of the officer's queue page: the "Why" cell cut its reason off on one line
    (the "(+1 more)" behind it, and the declared weight, only in the tooltip); times carried no
    zone; the declaration checks named the certificate by its key ("AU2026GENUINE"), a number
    no paper carries, and timed its revocation in raw ISO with microseconds."""
    import re

    from node.review.tables import ReviewRow

    weight = "declaration.net_weight: net weight 1250.5 kg on certificate, 1200 kg declared (+4.2%)"
    endless = "copy.fields: the paper differs from the issuer's electronic copy: " + "x " * 400
    async with _served(home) as (node, url):
        review = node.extras["review"]
        with node.db.session() as session:
            for sha, reasons in (
                ("ab" * 32, [weight, "seal.agency: no match"]),
                ("cd" * 32, [endless]),
            ):
                session.add(
                    ReviewRow(
                        sha256=sha, state="review", verdict="review", result={"reasons": reasons}
                    )
                )
        paper = await _withdrawn_paper(node)  # AU-2026-genuine, revoked by its issuer
        review.intake.submit_electronic(
            declaration("AU 2026 genuine"), kind="declaration", actor="clerk"
        )
        await review.process_pending()
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            await page.goto(f"{url}/ui/#token={token}")
            check = page.locator("#checks-rows tr").first
            await check.wait_for()
            why = page.locator(
                "#queue-rows tr", has=page.locator("a[href='/ui/review/" + "ab" * 32 + "']")
            ).locator("td.why")
            assert await why.get_attribute("title") == f"{weight}\nseal.agency: no match"
            clipped = "e => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight"
            assert not await why.evaluate(clipped), "the reason is cut off in its cell"
            assert await why.locator(".first").inner_text() == weight
            assert await why.locator(".more").inner_text() == "(+1 more)"
            assert not await why.locator(".first").evaluate(clipped)
            long_row = page.locator(
                "#queue-rows tr", has=page.locator("a[href='/ui/review/" + "cd" * 32 + "']")
            )
            box = await long_row.bounding_box()  # two lines of it at most, all of it on hover
            assert box is not None and box["height"] < 60, box
            assert await long_row.locator("td.why").get_attribute("title") == endless
            for queued in await page.locator("#queue-rows td.at").all_inner_texts():
                assert re.fullmatch(_UTC, queued), queued
            gone = page.locator(f"#withdrawn-rows tr[data-sha256='{paper}'] td").nth(3)
            assert re.fullmatch(f"AU-SYD at {_UTC}", await gone.inner_text())
            number = check.locator("td.number bdi")
            assert await number.inner_text() == "AU-2026-genuine"
            lines = "e => e.getClientRects().length"  # "AU-2026-" over "genuine" reads as two
            assert await number.evaluate(lines) == 1
            reason = await check.locator("td.why").inner_text()
            assert "revoked certificate AU-2026-genuine: issued in error" in reason, reason
            assert re.search(rf"\({_UTC}\)$", reason), reason
            await check.locator("input.reason").fill("the issuer's withdrawal is being appealed")
            await check.locator("button.clear").click()
            decided = check.locator("td.decision").filter(has_text="clear by jane")
            await decided.wait_for()
            assert re.fullmatch(f"clear by jane at {_UTC}", await decided.inner_text())
            assert errors == []


@pytest.mark.timeout(120)
async def test_the_photo_note_is_on_the_page_with_the_seal_and_times_say_utc(home) -> None:
    """A photographed paper not made flat, a cover page before the certificate: the note that
    its seal and signature could not be compared reliably stood under the blank cover page too,
    which has neither. The decision's and the trace's times carried no zone."""
    import re

    from node.review.tables import ReviewRow

    async with _served(home) as (node, url):
        sha = await _reviewed(node, "cover")
        with node.db.session() as session:
            row = session.get(ReviewRow, sha)
            layout = dict(row.layout)
            layout["pages"] = [{**p, "photo_not_flat": True} for p in layout["pages"]]
            row.layout = layout
            session.add(row)
        node.extras["review"].decide(sha, "reject", "seal not legible", "bob")
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, sha, token) as (page, errors):
            assert await page.input_value("#page") == "1"  # the certificate, seal and signature
            note = await page.inner_text("#capture")
            assert "seen at an angle, so its seal and signature could not be compared" in note
            await page.keyboard.press("1")  # the blank cover: nothing on it was compared
            await page.wait_for_selector("#capture", state="hidden", timeout=5_000)
            decided = await page.inner_text("#decided")
            assert re.search(f"by bob at {_UTC} — seal not legible", decided), decided
            times = await page.locator("#trace time").all_inner_texts()
            assert times and all(re.fullmatch(_UTC, t) for t in times), times
            assert errors == []


@pytest.mark.timeout(120)
async def test_a_disposed_paper_says_so_instead_of_broken_images(home) -> None:
    """Its bytes, page images and evidence disposed of (retention): the page asked for them
    and drew broken images from the 410s; it says when and under which policy they went."""

    async with _served(home) as (node, url):
        await _seed(node)
        sha = await _reviewed(node, "original")
        node.extras["review"].decide(sha, "accept", "seal checked by hand", "CN-O1")
        await node.anchoring.run_once(force=True)
        assert sha in dispose_aged(node, home)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            gone: list[str] = []
            page.on("response", lambda r: gone.append(r.url) if r.status == 410 else None)
            await page.goto(f"{url}/ui/review/{sha}#token={token}")
            await page.wait_for_selector("body[data-ready='1']")
            notice = await page.inner_text("#disposed-notice")
            assert "disposed of on" in notice and "retention policy (7 days)" in notice
            assert "anchor proof" in notice  # accepted and anchored: its proof is kept
            await _notice_spans_the_screen(page)
            assert gone == [] and errors == []


@pytest.mark.timeout(120)
async def test_a_copied_seal_beside_a_disposed_paper_says_when_it_went_not_a_broken_image(
    home,
) -> None:
    """``seal.unique`` names the paper this seal was copied from; that paper disposed of since
    (retention), its seal crop answered 410 and the figure stood empty. It says when and under
    which policy that paper went, asks for nothing that 410s, and still links to its review."""

    async with _served(home) as (node, url):
        await _seed(node)
        original = await _reviewed(node, "original")
        copied = await _reviewed(node, "copied")
        node.extras["review"].decide(original, "accept", "seal checked by hand", "CN-O1")
        await node.anchoring.run_once(force=True)
        assert dispose_aged(node, home, original) == [original]
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            gone: list[str] = []
            page.on("response", lambda r: gone.append(r.url) if r.status == 410 else None)
            await page.goto(f"{url}/ui/review/{copied}#token={token}")
            await page.wait_for_selector("body[data-ready='1']")
            assert await page.locator("#seal-earlier-fig").is_visible()
            assert not await page.locator("#seal-earlier").is_visible()
            link = page.locator("#seal-earlier-cap a")
            assert await link.get_attribute("href") == f"/ui/review/{original}"
            notice = await page.inner_text("#seal-earlier-disposed")
            assert "disposed of on" in notice and "retention policy (7 days)" in notice
            assert not await page.locator("#disposed-notice").count()  # this paper is kept
            assert gone == [] and errors == []


@pytest.mark.timeout(120)
async def test_a_held_certificate_disposed_of_says_when_and_its_replacement_held_is_linked(
    home,
) -> None:
    """A held certificate decided and then disposed of (retention): its fields panel stood
    empty but for "disposed of"; it says when and under which policy its fields went. Its
    replacement came from a partner not of its issuing country, held too: it was said "not on
    this node"; it is linked to its review."""

    async with _served(home) as (node, url):
        add_partner(node, "AU-SYD", "AU")
        add_partner(node, "NZ-WLG", "NZ")
        new = receive_copy(node, "AU-10", "NZ-WLG", status_code="SUBMITTED")
        old = receive_copy(node, "AU-9", status_code="REPLACED", replaced_by="AU-10")
        node.extras["review"].decide(old, "reject", "replaced: not valid", "CN-O1")
        assert dispose_aged(node, home, old) == [old]
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            failed: list[str] = []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            await page.goto(f"{url}/ui/review/{old}#token={token}")
            await page.wait_for_selector("body[data-ready='1']")
            gone = await page.inner_text("#held-fields-gone")
            assert "disposed of on" in gone and "retention policy (7 days)" in gone
            notice = await page.inner_text("#disposed-notice")
            assert "the certificate as its issuer sent it is gone" in notice
            assert "page images" not in notice
            link = page.locator("#replacement-link")
            assert await link.get_attribute("href") == f"/ui/review/{new}"
            replacement = await page.inner_text("#held-replacement")
            assert "on this node (in_review" in replacement and "held for its status" in replacement
            assert failed == [] and errors == []


@pytest.mark.timeout(120)
async def test_an_electronic_certificate_held_for_its_status_is_decided_on_one_screen(
    home,
) -> None:
    """A partner's certificate whose own status says it is not issued (here replaced by a
    certificate held too: not validated yet) is shown as the electronic certificate it is: its
    status, the replacing certificate linked, the sender, its fields as sent; no scan, seal,
    signature or comparison panels, no request that fails, no script error. The officer
    accepts it with a reason by keyboard, and the queue says what it was."""
    goods = {
        "issue_date": "2026-11-30",
        "issuing_agency": "AU-DAFF",
        "consignor_name": "Harvest Pty Ltd",
        "consignee_name": "Shanghai Fresh Co",
        "commodity": "Fresh cherries",
        "net_weight_kg": 1200.0,
    }
    async with _served(home) as (node, url):
        add_partner(node, "AU-SYD", "AU")
        new = receive_copy(node, "AU-2026-NEW", status_code="SUBMITTED", **goods)
        old = receive_copy(
            node, "AU-2026-OLD", status_code="REPLACED", replaced_by="AU-2026-NEW", **goods
        )
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            failed: list[str] = []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            await page.goto(f"{url}/ui/review/{old}#token={token}")
            await page.wait_for_selector("body[data-ready='1']")
            assert await page.inner_text("#doc-kind") == "Electronic certificate"
            status = await page.inner_text("#held-status")
            assert "Held for its status: replaced by AU-2026-NEW (status REPLACED)" in status
            assert "not a scan" in status
            link = page.locator("#replacement-link")
            assert await link.get_attribute("href") == f"/ui/review/{new}"
            assert "on this node (in_review" in await page.inner_text("#held-replacement")
            meta = await page.inner_text("#held-meta")
            assert "AU-SYD (its issuer's copy)" in meta and "REPLACED" in meta
            rows = page.locator("#held-fields tr")
            assert await page.locator("#held-fields tr[data-field]").count() == 8
            first = [c.strip() for c in (await rows.first.inner_text()).split("\t")]
            assert first == ["certificate number", "AU-2026-OLD"]
            fields = await page.inner_text("#held-fields")
            for shown in ("Harvest Pty Ltd", "Shanghai Fresh Co", "Fresh cherries", "2026-11-30"):
                assert shown in fields
            for gone in ("#scan-frame", "#legend", "#specimens", "#compare-card", "#page"):
                assert await page.locator(gone).is_hidden(), gone
            assert await page.locator("#scan-keys").is_hidden()  # no field boxes, no pages
            broken = "[...document.images].filter((i) => i.offsetParent && !i.naturalWidth)"
            assert await page.evaluate(f"{broken}.length") == 0
            assert await page.locator("#findings li[data-rule='certificate.status']").count() == 1
            await page.fill("#reason", "the issuer confirmed AU-2026-OLD stands for this lot")
            await page.locator("body").click(position={"x": 5, "y": 5})
            await page.keyboard.press("a")
            await page.wait_for_selector("#decided:not([hidden])")
            assert "accept (left to an officer) by jane" in await page.inner_text("#decided")
            status = await page.inner_text("#held-status")  # the decision, not how to decide
            assert "Accept it only if" not in status, status
            accepted = f"Accepted by jane at {_UTC} \\(the machine left it to an officer\\): "
            assert re.search(accepted + "the issuer confirmed", status), status
            assert "; it is queued for anchoring." in status and "not a scan" in status
            await page.wait_for_selector("#trace li[data-kind='reviewed']")
            await page.goto(f"{url}/ui/")  # the queue: the other one, said to be electronic
            await page.wait_for_selector("#queue-rows tr")
            row = page.locator("#queue-rows tr")
            assert await row.count() == 1
            cells = await row.locator("td").all_inner_texts()
            assert cells[2:5] == ["electronic certificate", "REVIEW", "none (electronic)"]
            assert failed == [] and errors == []
        assert node.anchoring.state(old) == "pending"  # accepted by the officer: anchored


async def _notice_spans_the_screen(page: Page) -> None:
    """The disposed-of notice is a banner across the screen with both panels right under it
    and filling the rest (it sat in the scan's grid cell, a large empty area beneath it)."""
    notice = await page.locator("#disposed-notice").bounding_box()
    screen = await page.locator("#review").bounding_box()
    scan = await page.locator("#review > .scan").bounding_box()
    side = await page.locator("#review > .side").bounding_box()
    assert notice and screen and scan and side
    assert notice["width"] > 0.95 * screen["width"], (notice, screen)
    below = notice["y"] + notice["height"]
    assert below <= scan["y"] < below + 20 and abs(side["y"] - scan["y"]) < 1, (notice, scan)
    assert scan["x"] < side["x"] and scan["height"] > 0.6 * screen["height"], (scan, screen)
    overflow = "document.documentElement.scrollHeight - innerHeight"
    assert await page.evaluate(overflow) <= 0  # the screen does not scroll below its panels


async def _dispose(node, home: Path, sha: str) -> None:  # type: ignore[no-untyped-def]
    """``sha`` past a 7-day retention period and disposed of."""

    assert dispose_aged(node, home, sha) == [sha]


@pytest.mark.timeout(120)
async def test_a_held_certificate_rejected_and_disposed_of_shows_its_decision_not_how_to_decide(
    home,
) -> None:
    """A held certificate an officer rejected, then disposed of: its status box still said
    "Accept it only if you know it stands", its notice spoke of an anchor proof it never had,
    and the notice sat in the scan's cell above a large empty area. It shows the decision (who,
    when, outcome, reason), offers no decision (A sends nothing), says it was never anchored,
    and the notice spans the screen above the panels."""
    async with _served(home) as (node, url):
        add_partner(node, "AU-SYD", "AU")
        old = receive_copy(node, "AU-9", status_code="REPLACED", replaced_by="AU-10")
        node.extras["review"].decide(old, "reject", "replaced: not valid", "CN-O1")
        await _dispose(node, home, old)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.url) if r.method == "POST" else None)
            await page.goto(f"{url}/ui/review/{old}#token={token}")
            await page.wait_for_selector("body[data-ready='1']")
            await page.screenshot(path="/tmp/cusdep-review-held-disposed.png")
            status = await page.inner_text("#held-status")
            assert "Accept it only if" not in status, status
            assert "Held for its status: replaced by AU-10" in status
            decided = f"Rejected by CN-O1 at {_UTC} \\(the machine left it to an officer\\): "
            assert re.search(decided + "replaced: not valid. This", status), status
            assert "reject (left to an officer) by CN-O1" in await page.inner_text("#decided")
            assert await page.locator("#decision").is_hidden()
            assert await page.locator("#decide-keys").is_hidden()
            notice = await page.inner_text("#disposed-notice")
            assert "the certificate as its issuer sent it is gone" in notice
            assert "anchor proof" not in notice and "never anchored" in notice, notice
            await _notice_spans_the_screen(page)
            await page.keyboard.press("a")
            await page.keyboard.press("r")
            assert await page.inner_text("#decision-error") == ""
            assert asked == [] and errors == []
        assert node.extras["review"].get(old)["decision"]["decision"] == "reject"


@pytest.mark.timeout(120)
async def test_a_paper_rejected_and_disposed_of_shows_its_decision_and_no_anchor_proof(
    home,
) -> None:
    """A paper the machine rejected and an officer confirmed, then disposed of: its notice
    spoke of an anchor proof a rejected paper never has. It shows the decision, offers none,
    says the paper was never anchored, and the notice spans the screen above the panels."""
    async with _served(home) as (node, url):
        forged, _genuine = await _seed(node)
        assert node.extras["review"].get(forged)["verdict"] == "reject"
        node.extras["review"].decide(forged, "reject", "seal differs", "CN-O1")
        await _dispose(node, home, forged)
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _chromium() as (_browser, page, errors):
            gone: list[str] = []
            page.on("response", lambda r: gone.append(r.url) if r.status == 410 else None)
            await page.goto(f"{url}/ui/review/{forged}#token={token}")
            await page.wait_for_selector("body[data-ready='1']")
            await page.screenshot(path="/tmp/cusdep-review-paper-disposed.png")
            decided = await page.inner_text("#decided")
            assert re.search(f"reject \\(confirmed\\) by CN-O1 at {_UTC} — seal differs", decided)
            assert await page.locator("#decision").is_hidden()
            assert await page.locator("#read-only").is_hidden()
            notice = await page.inner_text("#disposed-notice")
            assert "its page images and evidence are gone" in notice
            assert "No page to show" in await page.inner_text("#scan-gone")
            assert await page.locator("#scan-frame").is_hidden()
            assert "anchor proof" not in notice and "never anchored" in notice, notice
            await _notice_spans_the_screen(page)
            assert gone == [] and errors == []


@pytest.mark.timeout(120)
async def test_an_auditor_on_an_open_held_certificate_is_not_told_how_to_decide_it(home) -> None:
    """The status box told everyone "Accept it only if you know it stands": an auditor, who
    may not decide, reads that an officer decides, and no decision is offered."""
    async with _served(home) as (node, url):
        add_partner(node, "AU-SYD", "AU")
        old = receive_copy(node, "AU-9", status_code="REPLACED", replaced_by="AU-10")
        token = TokenService(node.db).issue("auditor", "audrey")["token"]
        async with _officer_page(url, old, token) as (page, errors):
            status = await page.inner_text("#held-status")
            assert "Accept it only if" not in status, status
            assert "An officer decides whether it stands. This is an electronic" in status
            assert await page.locator("#decision").is_hidden()
            assert await page.locator("#read-only").is_visible()
            assert errors == []
