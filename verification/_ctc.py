"""How well a text line's recogniser output fits given texts: the CTC log-likelihood.

The PP-OCR recogniser gives, for each of T columns of a line image, a probability over its
characters and a blank; decoding takes the likeliest character per column. Decoding fails on a
faint, gappy seal line where a forced comparison still works: the likelihood of the specimen's
text and of the same text with two neighbouring letters swapped differ only where those
letters stand, so their ratio is local evidence of what is printed there, however poorly the
rest of the line reads. Spaces are optional (the recogniser drops many): a space's probability
counts as a blank's, and texts are scored without their spaces. Characters the recogniser
does not know are left out of the texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_FLOOR = 1e-30  # probabilities are floored before the log (a hard zero would make -inf)


def log_likelihoods(probs: np.ndarray, charset: Sequence[str], texts: Sequence[str]) -> list[float]:
    """log P(text) under CTC for each of ``texts`` given ``probs`` (T x C, each row a
    distribution; column 0 the blank, ``charset[c]`` the character of column c). Texts of the
    same length (once spaces and unknown characters are dropped) are scored together."""
    index = {ch: i for i, ch in enumerate(charset) if i > 0}
    q = np.array(probs, dtype=np.float64)
    space = index.get(" ")
    if space is not None:
        q[:, 0] += q[:, space]
    logq = np.log(np.maximum(q, _FLOOR))
    labels = [[index[ch] for ch in text if ch != " " and ch in index] for text in texts]
    out = [0.0] * len(texts)
    by_length: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        by_length.setdefault(len(lab), []).append(i)
    for members in by_length.values():
        scores = _forward(logq, np.array([labels[i] for i in members], dtype=np.int64))
        for i, s in zip(members, scores, strict=True):
            out[i] = float(s)
    return out


def _forward(logq: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The CTC forward algorithm over V label sequences of one length at once (V x N labels):
    log P of each."""
    v, n = labels.shape
    if n == 0:
        return np.full(v, float(logq[:, 0].sum()))
    ext = np.zeros((v, 2 * n + 1), dtype=np.int64)  # blank, l1, blank, l2, ..., blank
    ext[:, 1::2] = labels
    width = ext.shape[1]
    skip = np.zeros_like(ext, dtype=bool)  # a label may follow the one two back directly
    skip[:, 2:] = (ext[:, 2:] != 0) & (ext[:, 2:] != ext[:, :-2])
    alpha = np.full((v, width), -np.inf)
    alpha[:, 0] = logq[0, 0]
    alpha[:, 1] = logq[0, ext[:, 1]]
    for t in range(1, logq.shape[0]):
        one = np.full_like(alpha, -np.inf)
        one[:, 1:] = alpha[:, :-1]
        two = np.full_like(alpha, -np.inf)
        two[:, 2:] = np.where(skip[:, 2:], alpha[:, :-2], -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, one), two) + logq[t, ext]
    if width == 1:
        return alpha[:, 0]
    return np.logaddexp(alpha[:, -1], alpha[:, -2])
