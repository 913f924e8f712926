"""Another agency's rectangle is not taken for the document agency's. Rectangles of one frame
geometry pass each other's cells where the text that differs is faint or in an ink gap (ink off
a specimen's footprint is not counted); the impression then fits its own agency's specimen
better than the one it matched (``seal._other_agency``). Seed 401 c00001: a ZA-SACCI stamp,
its first line faint, its left end in a gap, matched NO-FDIR's specimen at 1.0."""

from dataclasses import replace

import cv2
import numpy as np

from simulator.seal import colourise, seal_mask, specimen_png
from simulator.world import INKS, build_world
from verification import seal as S
from verification.intake import WORK_DPI
from verification.ports import SealSpecimen
from verification.testing import render_page

WORLD = build_world(21)
RECTS = [s for s in WORLD.seals.values() if s.shape == "rect"]


def _specimen(seal_id: str) -> SealSpecimen:
    s = WORLD.seals[seal_id]
    return SealSpecimen(s.id, s.agency, specimen_png(s))


def _stamped(seal_id: str, faint: float = 0.2, gap: float = 0.0) -> np.ndarray:
    """A page with ``seal_id`` stamped: frame, stars and last line well inked, the other lines
    at ``faint`` of the ink, the stamp's left ``gap`` (share of its width) in an ink gap."""
    drawn = WORLD.seals[seal_id]
    full = seal_mask(drawn, WORK_DPI)
    plain = seal_mask(replace(drawn, inner_text=("", "", *drawn.inner_text[2:])), WORK_DPI)
    mask = np.maximum(plain * 0.85, full * faint).astype(np.float32)
    mask[:, : int(gap * mask.shape[1])] = 0.0
    grain = 1.0 - 0.25 * np.random.default_rng(0).random(mask.shape, dtype=np.float32)
    mask = cv2.GaussianBlur(np.pad(mask * grain, 6), (0, 0), 0.6)
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-1"])]).rgb().copy()
    ink = np.asarray(colourise(mask, INKS[drawn.ink]), dtype=np.float32)
    h, w = ink.shape[:2]
    region = page[1400 : 1400 + h, 700 : 700 + w].astype(np.float32)
    page[1400 : 1400 + h, 700 : 700 + w] = (region * ink / 255.0).astype(np.uint8)
    return page


def _others(agency: str) -> list[SealSpecimen]:
    return [_specimen(s.id) for s in WORLD.seals.values() if s.agency != agency]


def test_another_agencys_rectangle_that_passes_the_cells_is_left_for_review():
    page = _stamped("ZA-SACCI-S1", gap=0.12)
    own = [_specimen("NO-FDIR-S1")]
    alone = S.check_seal(page, own)
    assert alone.match  # its cells pass NO-FDIR's specimen: without the others, accepted
    res = S.check_seal(page, own, others=_others("NO-FDIR"))
    assert res.found and not res.match and res.uncertain


def test_the_agencys_own_rectangle_still_matches_beside_every_other_agencys():
    for seal_id in ("NO-FDIR-S1", "CL-SERNAPESCA-S1", "AU-DAFF-S2"):
        agency = WORLD.seals[seal_id].agency
        own = [_specimen(s.id) for s in WORLD.seals.values() if s.agency == agency]
        for gap, faint in ((0.0, 0.8), (0.12, 0.2)):
            page = _stamped(seal_id, faint, gap)
            assert S.check_seal(page, own).match, (seal_id, gap)
            assert S.check_seal(page, own, others=_others(agency)).match, (seal_id, gap)


def test_a_rectangle_matched_upside_down_is_judged_the_right_way_up(monkeypatch):
    """A faint genuine rectangle can match its own specimen at the wrong half-turn: the frame
    and stars still pass the cells, the letters do not fit (simulator seed 622 case 91, every
    impression at 0.65 of its ink: CL-SERNAPESCA stamped at 19.5 degrees, matched at 199.5,
    detail fit 0.47; the right way up 0.60). Another agency's specimen, searched afresh from
    the impression's place, lands the right way up, so the own specimen is judged at its best
    pose too (``seal._own_fit``). Here the other agency registered the very same die: it
    cannot fit better than the agency's own."""
    import simulator.seal as sm
    from simulator.cases import build_case
    from verification.intake import load_pages
    from verification.pipeline import PipelineConfig

    drawn = sm.impression
    monkeypatch.setattr(
        sm, "impression", lambda spec, dpi, rng, angle: drawn(spec, dpi, rng, angle) * 0.65
    )
    world = build_world(622)
    case = build_case(world, 622, 91, "genuine")
    assert case.truth["seal"]["drawn_as"] == "CL-SERNAPESCA-S1"
    page = load_pages(case.scan, PipelineConfig().limits)[0].image
    die = world.seals["CL-SERNAPESCA-S1"]
    own = [SealSpecimen(die.id, die.agency, specimen_png(die))]
    twin = SealSpecimen("XX-COPY-S1", "XX-COPY", specimen_png(die))
    judged = []
    text = S._text
    monkeypatch.setattr(S, "_text", lambda cmp, *a: judged.append(cmp.angle) or text(cmp, *a))
    res = S.check_seal(page, own, others=[twin])
    assert res.match and not res.uncertain
    # and its text is compared the right way up (``seal._upright``), not upside down, where
    # nothing confirms and nothing contradicts: an imitation matched so would pass unread
    assert len(judged) == 1 and abs((judged[0] - 19.5 + 180) % 360 - 180) < 5, judged
