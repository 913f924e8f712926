"""The CTC likelihood of a text given the recogniser's per-column distributions, checked against
the sum over every alignment enumerated by brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from verification._ctc import log_likelihoods

CHARSET = ["blank", "A", "B", "C", " "]


def _collapse(path: tuple[int, ...]) -> tuple[int, ...]:
    out: list[int] = []
    prev = -1
    for c in path:
        if c != prev and c != 0:
            out.append(c)
        prev = c
    return tuple(out)


def _brute(probs: np.ndarray, labels: tuple[int, ...]) -> float:
    total = 0.0
    for path in itertools.product(range(probs.shape[1]), repeat=probs.shape[0]):
        if _collapse(path) == labels:
            total += float(np.prod([probs[t, c] for t, c in enumerate(path)]))
    return float(np.log(total))


@pytest.fixture
def probs() -> np.ndarray:
    rng = np.random.default_rng(7)
    p = rng.random((5, 4))  # no space column: the brute force needs none
    return p / p.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("text", ["A", "AB", "BA", "AA", "ABC", "CAB", "ABA"])
def test_matches_the_sum_over_all_alignments(probs: np.ndarray, text: str) -> None:
    labels = tuple(CHARSET.index(ch) for ch in text)
    (got,) = log_likelihoods(probs, CHARSET[:4], [text])
    assert got == pytest.approx(_brute(probs, labels), rel=1e-9)


def test_texts_of_one_length_scored_together_as_alone(probs: np.ndarray) -> None:
    texts = ["AB", "BA", "ABC", "CA"]
    together = log_likelihoods(probs, CHARSET[:4], texts)
    alone = [log_likelihoods(probs, CHARSET[:4], [t])[0] for t in texts]
    assert together == pytest.approx(alone, rel=1e-12)


def test_a_swap_the_columns_show_is_likelier_than_the_text_printed() -> None:
    # columns read A, blank, C, B: "ACB" fits, "ABC" does not
    p = np.full((4, 5), 0.01)
    for t, c in enumerate([1, 0, 3, 2]):
        p[t, c] = 0.96
    printed, swapped = log_likelihoods(p, CHARSET, ["ABC", "ACB"])
    assert swapped - printed > 5


def test_spaces_are_optional_and_unknown_characters_dropped() -> None:
    p = np.full((3, 5), 0.01)
    for t, c in enumerate([1, 4, 2]):  # A, space, B
        p[t, c] = 0.96
    with_space, without, odd = log_likelihoods(p, CHARSET, ["A B", "AB", "A\u2605B"])
    assert with_space == pytest.approx(without)
    assert odd == pytest.approx(without)
