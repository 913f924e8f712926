"""The exhaustive pose search. Which candidate blobs it starts from: a fragment of an impression
already compared is skipped only when that comparison started from a blob of the same
impression (seed 354 c00055: a blue signature's blob reached the genuine stamp a half-turn off,
and the stamp's own blobs, which find it at the right pose, were skipped as its fragments).
And the rotation of a round stamp, where the coarse search cannot tell it."""

from types import SimpleNamespace

import numpy as np

from verification import seal as S
from verification.imaging import colour_ink_mask
from verification.ports import SealSpecimen
from verification.seal import Candidate, Comparison, SealThresholds
from verification.testing import draw_seal, paste, png_bytes, render_page

STAMP = (50.0, 0.0, 500.0, 300.0)  # where the specimen sits on the impression
SIGNATURE = Candidate((900.0, 0.0, 1000.0, 100.0), (950.0, 50.0))
OWN = Candidate((100.0, 0.0, 400.0, 200.0), (250.0, 100.0))
FRAGMENT = Candidate((300.0, 150.0, 380.0, 250.0), (340.0, 200.0))


def _search(monkeypatch, cands, found):
    calls = []

    def compare(ink, cand, spec, exhaustive=False, memo=None, key=(0, "")):
        calls.append(cand)
        return found[cand]

    monkeypatch.setattr(S, "compare", compare)
    spec = SimpleNamespace(key="spec")
    ink = np.zeros((10, 10), np.uint8)
    best = S._best(ink, cands, [spec], SealThresholds(), {}, exhaustive=True)  # type: ignore[list-item]
    return best[1], calls


def test_impression_reached_from_another_blob_is_searched_from_its_own(monkeypatch):
    wrong = Comparison(0.74, 0.29, 0.45, 149.5, STAMP)  # a half-turn off
    right = Comparison(1.0, 0.48, 0.65, 329.5, STAMP)
    best, calls = _search(monkeypatch, [SIGNATURE, OWN], {SIGNATURE: wrong, OWN: right})
    assert calls == [SIGNATURE, OWN]
    assert best is right


def test_fragments_of_an_impression_compared_from_its_own_blob_are_skipped(monkeypatch):
    poor = Comparison(0.74, 0.29, 0.45, 149.5, STAMP)
    best, calls = _search(monkeypatch, [OWN, FRAGMENT], {OWN: poor, FRAGMENT: poor})
    assert calls == [OWN]
    assert best is poor


RING = "DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTRY"


def _ring_turned_28():
    """A round specimen, and the search region of its impression turned 28 degrees on a page."""
    spec = S.prepare_specimen(SealSpecimen("AU-DAFF-S1", "AU-DAFF", png_bytes(draw_seal(RING))))
    assert spec is not None and spec.ringed
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-1"])])
    paste(page, draw_seal(RING, rotation=28), (900, 1500))
    ink = colour_ink_mask(page.rgb())
    cand = S.find_candidates(page.rgb(), ink)[0]
    region, _ox, _oy = S._region(ink, cand, spec.mask.shape[0])
    return spec, region


def test_round_stamp_turned_over_the_circle_where_the_coarse_rotation_is_wrong(monkeypatch):
    """At 1/6 of the resolution a gappy round impression's text and emblem blur into its rings
    and every rotation fits about alike, the best a wrong one (seed 356 c00003: 90 degrees for
    a true 28). The pose still comes out right: a round specimen is turned over the whole
    circle at the coarse place as well."""
    spec, region = _ring_turned_28()
    fit, angle, loc = S._coarse(region, spec)
    assert abs(angle - 28) <= 5  # the coarse search is right on a clean impression ...
    monkeypatch.setattr(S, "_coarse", lambda region, spec: (fit, 90.0, loc))  # ... made wrong
    _fit, found, _loc = S._pose(region, spec)
    assert abs(found - 28) <= 1.5


def test_the_sweep_runs_beside_the_search_near_the_coarse_angle_for_the_same_pose(monkeypatch):
    """The sweep over the circle and the search near the coarse angle run side by side on the
    recogniser threads: the pose is the one the two give one after the other (the better fit,
    the search near the coarse angle on a tie), and the calling thread does only one of them."""
    import threading

    spec, region = _ring_turned_28()
    fit, _angle, loc = S._coarse(region, spec)
    match = S._match
    caller: list[int] = []

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread() is threading.main_thread():
            caller.append(1)
        return match(*args, **kwargs)

    for coarse in (28.0, 90.0, 200.0):
        monkeypatch.setattr(S, "_coarse", lambda region, spec, c=coarse: (fit, c, loc))
        starts = [
            match(region, spec.mask, np.arange(coarse - 6, coarse + 6.1, 2.0), 1 / 3, loc, 6),
            match(region, spec.mask, np.arange(0.0, 360.0, S._SWEEP_STEP), 1 / 3, loc, 6),
        ]
        found = [
            match(region, spec.mask, np.arange(a - 1.5, a + 1.6, 0.5), 1.0, near, 5)
            for _f, a, near in starts
        ]
        caller.clear()
        monkeypatch.setattr(S, "_match", counted)
        assert S._pose(region, spec) == max(found, key=lambda f: f[0])
        assert len(caller) == 0  # both searches ran on the recogniser threads
        monkeypatch.setattr(S, "_match", match)


ELSEWHERE = [
    Candidate((1200.0 + 300 * i, 900.0, 1300.0 + 300 * i, 1000.0), (1250.0 + 300 * i, 950.0))
    for i in range(3)
]
NO_MATCH = Comparison(0.2, 0.1, 0.4, 0.0, (0.0, 2000.0, 10.0, 2010.0))  # poor, far from all


def _threaded_search(monkeypatch, cands, found, beside=True, waits=None):
    """``_best`` with the comparisons recorded with the thread each ran on; ``waits``: (a, b),
    the comparison of ``a`` returns only once that of ``b`` has started."""
    import threading

    from verification import ocr

    calls = []
    started = threading.Event()

    def compare(ink, cand, spec, exhaustive=False, memo=None, key=(0, "")):
        calls.append((cand, threading.current_thread() is threading.main_thread()))
        if waits is not None and cand == waits[1]:
            started.set()
        if waits is not None and cand == waits[0]:
            assert started.wait(timeout=10)
        return found[cand]

    spec = SimpleNamespace(key="spec")
    ink = np.zeros((10, 10), np.uint8)
    with monkeypatch.context() as patch:
        patch.setattr(S, "compare", compare)
        if not beside:  # the sequential oracle: nothing can be started ahead
            patch.setattr(ocr, "beside", lambda fn, threads=2: None)
        best = S._best(ink, cands, [spec], SealThresholds(), {}, exhaustive=True)  # type: ignore[list-item]
    return best, calls


def test_after_a_pair_that_does_not_match_the_next_one_is_compared_beside_it(monkeypatch):
    """No seal of the agency's on the page: every pair is compared. The first one alone on the
    calling thread, then each with the next one's comparison running beside it on a recogniser
    thread; the same best as one after the other."""
    found = dict.fromkeys(ELSEWHERE, NO_MATCH)
    oracle, seq = _threaded_search(monkeypatch, ELSEWHERE, found, beside=False)
    best, calls = _threaded_search(monkeypatch, ELSEWHERE, found)
    assert best == oracle and best[1] is NO_MATCH
    assert [c for c, _ in seq] == ELSEWHERE
    assert len(calls) == 3 and {c for c, _ in calls} == set(ELSEWHERE)  # each pair once
    on_main = {c: main for c, main in calls}
    assert on_main == {ELSEWHERE[0]: True, ELSEWHERE[1]: True, ELSEWHERE[2]: False}


def test_a_first_pair_that_matches_starts_nothing_ahead(monkeypatch):
    right = Comparison(1.0, 0.48, 0.65, 329.5, STAMP)
    found = {OWN: right, SIGNATURE: NO_MATCH, FRAGMENT: NO_MATCH}
    best, calls = _threaded_search(monkeypatch, [OWN, SIGNATURE, FRAGMENT], found)
    assert best[1] is right
    assert calls == [(OWN, True)]


def test_a_pair_compared_ahead_but_then_skipped_as_a_fragment_is_dropped(monkeypatch):
    """The signature's blob does not match; the stamp's own blob is compared with its fragment's
    comparison started beside it; the fragment is then skipped (the stamp was compared from its
    own blob), and what was compared ahead for it changes nothing."""
    poor = Comparison(0.74, 0.29, 0.45, 149.5, STAMP)
    better_fragment = Comparison(0.9, 0.29, 0.45, 149.5, STAMP)
    found = {SIGNATURE: NO_MATCH, OWN: poor, FRAGMENT: better_fragment}
    cands = [SIGNATURE, OWN, FRAGMENT]
    oracle, seq = _threaded_search(monkeypatch, cands, found, beside=False)
    best, calls = _threaded_search(monkeypatch, cands, found, waits=(OWN, FRAGMENT))
    assert [c for c, _ in seq] == [SIGNATURE, OWN]
    assert (FRAGMENT, False) in calls  # it was compared ahead ...
    assert oracle[1] is poor and best == oracle  # ... and dropped
