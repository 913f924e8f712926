"""The page images of a review (``page-N.jpg`` beside its evidence crops): what the review
screen shows under the boxes. They are a cache of the stored scan, re-rendered from it when
asked for and absent (pruned by ``cusdep review prune-pages``, or lost), so the node need not
keep them for ever: a 200 dpi page kept as PNG took 5.7 MB, five times the scan it came from.
JPEG at quality 90 keeps what an officer reads (the evidence crops stay PNG)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import cv2

from verification.intake import IntakeLimits, Page, load_pages

_NAME = re.compile(r"^page-(\d{1,4})\.(png|jpg)$")
_QUALITY = [cv2.IMWRITE_JPEG_QUALITY, 90]
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg"}


def write_pages(data: bytes, limits: IntakeLimits, evidence_dir: Path) -> list[dict[str, Any]]:
    """Render and store the scan's pages; each one's entry for the review's layout."""
    evidence_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    for page in load_pages(data, limits):
        name = f"page-{page.index}.jpg"
        _write(evidence_dir / name, page)
        h, w = page.image.shape[:2]
        shown: dict[str, Any] = {"name": name, "width": w, "height": h}
        if page.rectified is not None:  # a photo: the flat page is what the boxes are on
            shown["rectified"] = page.rectified.to_json()
        elif page.unflattened_photo:  # a photo whose paper was not found: as it came
            shown["photo_not_flat"] = True
        pages.append(shown)
    return pages


def is_page(name: str) -> bool:
    return _NAME.match(name) is not None


def render_again(data: bytes, limits: IntakeLimits, path: Path) -> bool:
    """Render page image ``path`` (``page-N.jpg`` or ``.png``) from the scan again; whether
    the scan has that page."""
    m = _NAME.match(path.name)
    if m is None:
        return False
    index = int(m[1])
    for page in load_pages(data, limits):
        if page.index == index:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, page)
            return True
    return False


def _write(path: Path, page: Page) -> None:
    bgr = cv2.cvtColor(page.image, cv2.COLOR_RGB2BGR)
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    cv2.imwrite(str(tmp), bgr, _QUALITY if path.suffix == ".jpg" else [])
    tmp.replace(path)  # whole or absent: a reader never serves half a file
