"""The review page in Debian's headless Chromium (Playwright, never `playwright install`).

A node serves REST + UI over a real socket (uvicorn, port 0). A forged certificate scan is
reviewed (fake verifier with the contract's verify JSON shape), the officer signs in with a token,
opens it, sees the seal mismatch first, rejects it with the keyboard, and the decision shows in
the page's trace and in the REST trace. A screenshot is taken and its pixels inspected.
"""

from __future__ import annotations

import base64
import io
import json
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
from tests.unit.api.fakes import (
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
    genuine = review.submit_scan(labelled_scan("genuine"), actor="clerk")["sha256"]
    await review.process_pending()
    return str(forged), str(genuine)


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
        await page.wait_for_function("document.getElementById('who').textContent.length > 0")
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
        review = node.extras["review"]
        original = review.submit_scan(labelled_scan("original"), actor="clerk")["sha256"]
        await review.process_pending()
        copied = review.submit_scan(labelled_scan("copied"), actor="clerk")["sha256"]
        await review.process_pending()
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
        review = node.extras["review"]
        askew = review.submit_scan(labelled_scan("askew"), actor="clerk")["sha256"]
        await review.process_pending()
        token = TokenService(node.db).issue("officer", "jane")["token"]
        async with _officer_page(url, askew, token) as (page, errors):
            note = await page.inner_text("#capture")
            assert "could not be found to straighten it" in note, note
            assert "straightened to" not in note
            assert errors == []
