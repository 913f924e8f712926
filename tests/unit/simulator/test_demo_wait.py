"""The demo waits for CN's reviews on one reading of its database."""

from __future__ import annotations

from simulator.demo import _settled


def test_reviews_are_settled_only_when_every_scan_has_a_finished_one() -> None:
    scans = ["a" * 64, "b" * 64]
    # the demo printed "pending" for every scan (on PostgreSQL) when a first reading found no
    # review yet (all() of nothing is True) and a second found both pending
    assert not _settled({}, scans)
    assert not _settled({scans[0]: {"state": "accept"}}, scans)
    assert not _settled({s: {"state": "pending"} for s in scans}, scans)
    assert not _settled({scans[0]: {"state": "accept"}, scans[1]: {"state": None}}, scans)
    assert _settled({scans[0]: {"state": "accept"}, scans[1]: {"state": "review"}}, scans)
