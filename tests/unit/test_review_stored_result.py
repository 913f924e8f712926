"""The result a node keeps and serves names its evidence files, not their paths on the node."""

from __future__ import annotations

from node.review.verifier import layout, stored_result
from verification.results import SealResult, SignatureResult, VerificationResult


def test_evidence_is_named_not_placed() -> None:
    result = VerificationResult(
        document_sha256="a" * 64,
        template_id="AU-PHYTO-2025",
        fields={},
        seal=SealResult(),
        signature=SignatureResult(),
        rules=[],
        verdict="review",
        elapsed_ms=1,
        evidence={"seal": "/srv/cusdep/evidence/aaaa/aaaa-seal.png"},
    )
    kept = stored_result(result)
    assert kept["evidence"] == {"seal": "aaaa-seal.png"} == layout(result)["evidence"]
    assert "/srv/cusdep" not in repr(kept)
    assert {k: v for k, v in kept.items() if k != "evidence"} == {
        k: v for k, v in result.to_json().items() if k != "evidence"
    }


def test_a_review_stored_before_the_upgrade_is_served_without_the_nodes_paths() -> None:
    """Reviews a release before names stored kept their evidence paths (dcf84d66 of an upgraded
    node's `review show` and REST review named /srv/cusdep/evidence/...): served by name."""
    from node.review.tables import ReviewRow
    from node.review.view import review_dict

    stored = {
        "verdict": "reject",
        "rules": [],
        "evidence": {"seal": "/srv/cusdep/evidence/aaaa/aaaa-seal.png"},
    }
    row = ReviewRow(sha256="a" * 64, state="reject", verdict="reject", result=stored)
    served = review_dict(row)
    assert served["result"]["evidence"] == {"seal": "aaaa-seal.png"}
    assert "/srv/cusdep" not in repr(served)
