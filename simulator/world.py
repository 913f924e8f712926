"""The simulated world: issuing agencies, their seals and officers, derived from a seed.

Agencies are fixed reference data (one or more per country). Officers (names, validity,
signature style) and some seal details are drawn from the seed, so two corpora with
different seeds have different registries, and the same seed gives the same registry.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass, field, replace

from simulator import _pools

logger = logging.getLogger(__name__)

RED = (196, 32, 38)
BLUE = (28, 58, 160)
VIOLET = (104, 40, 150)
INKS = {"red": RED, "blue": BLUE, "violet": VIOLET}


@dataclass(frozen=True)
class Agency:
    id: str
    country: str
    name: str
    ring_text: str
    emblem: str


@dataclass(frozen=True)
class SealSpec:
    """Everything needed to draw one official stamp."""

    id: str
    agency: str
    shape: str  # round | oval | rect
    ink: str  # red | blue | violet
    ring_text: str
    inner_text: tuple[str, ...]
    emblem: str
    size_mm: tuple[float, float]
    inner_ratio: float = 0.72
    stars: int = 2
    registered: bool = True
    note: str = ""


@dataclass(frozen=True)
class Officer:
    id: str
    agency: str
    name: str
    valid_from: str
    valid_to: str
    style_seed: int
    registered: bool = True


@dataclass
class World:
    seed: int
    agencies: dict[str, Agency]
    seals: dict[str, SealSpec]
    officers: dict[str, Officer]
    ghosts: dict[str, Officer] = field(default_factory=dict)  # unregistered impostors

    def seals_of(self, agency: str) -> list[SealSpec]:
        return [s for s in self.seals.values() if s.agency == agency]

    def officers_of(self, agency: str, *, active_on: dt.date | None = None) -> list[Officer]:
        found = [o for o in self.officers.values() if o.agency == agency]
        if active_on is None:
            return found
        day = active_on.isoformat()
        return [o for o in found if o.valid_from <= day <= o.valid_to]


AGENCIES: tuple[Agency, ...] = (
    Agency(
        "AU-DAFF",
        "AU",
        "Department of Agriculture, Fisheries and Forestry",
        "DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTRY",
        "star",
    ),
    Agency(
        "NZ-MPI",
        "NZ",
        "Ministry for Primary Industries",
        "MINISTRY FOR PRIMARY INDUSTRIES NEW ZEALAND",
        "fern",
    ),
    Agency(
        "CN-GACC",
        "CN",
        "General Administration of Customs of the People's Republic of China",
        "GENERAL ADMINISTRATION OF CUSTOMS P.R. CHINA",
        "star",
    ),
    Agency(
        "CN-CCPIT",
        "CN",
        "China Council for the Promotion of International Trade",
        "CHINA COUNCIL FOR THE PROMOTION OF INTERNATIONAL TRADE",
        "star",
    ),
    Agency(
        "US-APHIS",
        "US",
        "Animal and Plant Health Inspection Service",
        "UNITED STATES DEPARTMENT OF AGRICULTURE APHIS PPQ",
        "shield",
    ),
    Agency(
        "BR-MAPA",
        "BR",
        "Ministerio da Agricultura e Pecuaria",
        "MINISTERIO DA AGRICULTURA E PECUARIA BRASIL",
        "wheat",
    ),
    Agency(
        "FR-DGAL",
        "FR",
        "Direction generale de l'alimentation",
        "REPUBLIQUE FRANCAISE SERVICES VETERINAIRES",
        "shield",
    ),
    Agency(
        "TH-DOF",
        "TH",
        "Department of Fisheries",
        "DEPARTMENT OF FISHERIES KINGDOM OF THAILAND",
        "fish",
    ),
    Agency(
        "CL-SAG", "CL", "Servicio Agricola y Ganadero", "SERVICIO AGRICOLA Y GANADERO CHILE", "star"
    ),
    Agency(
        "CL-SERNAPESCA",
        "CL",
        "Servicio Nacional de Pesca y Acuicultura",
        "SERVICIO NACIONAL DE PESCA Y ACUICULTURA",
        "fish",
    ),
    Agency(
        "ZA-SACCI",
        "ZA",
        "South African Chamber of Commerce and Industry",
        "SOUTH AFRICAN CHAMBER OF COMMERCE AND INDUSTRY",
        "wheat",
    ),
    Agency(
        "NO-MATTILSYNET",
        "NO",
        "Norwegian Food Safety Authority",
        "MATTILSYNET NORWEGIAN FOOD SAFETY AUTHORITY",
        "shield",
    ),
    Agency(
        "NO-FDIR",
        "NO",
        "Directorate of Fisheries",
        "FISKERIDIREKTORATET DIRECTORATE OF FISHERIES",
        "fish",
    ),
)

_SHAPES = {
    "AU-DAFF": ("round", "red"),
    "NZ-MPI": ("round", "blue"),
    "CN-GACC": ("round", "red"),
    "CN-CCPIT": ("oval", "red"),
    "US-APHIS": ("round", "blue"),
    "BR-MAPA": ("oval", "blue"),
    "FR-DGAL": ("round", "violet"),
    "TH-DOF": ("round", "violet"),
    "CL-SAG": ("oval", "violet"),
    "CL-SERNAPESCA": ("rect", "blue"),
    "ZA-SACCI": ("rect", "violet"),
    "NO-MATTILSYNET": ("round", "blue"),
    "NO-FDIR": ("rect", "red"),
}
_SECOND_SEAL = {"AU-DAFF": ("rect", "blue"), "CN-GACC": ("oval", "red"), "NZ-MPI": ("rect", "red")}


def build_world(seed: int) -> World:
    """Agencies, seals and officers for a corpus; deterministic from ``seed``."""
    rng = random.Random(f"world-{seed}")
    agencies = {a.id: a for a in AGENCIES}
    seals: dict[str, SealSpec] = {}
    officers: dict[str, Officer] = {}
    ghosts: dict[str, Officer] = {}
    for agency in AGENCIES:
        shape, ink = _SHAPES[agency.id]
        seals[f"{agency.id}-S1"] = _seal(rng, agency, f"{agency.id}-S1", shape, ink)
        if agency.id in _SECOND_SEAL:
            shape2, ink2 = _SECOND_SEAL[agency.id]
            seals[f"{agency.id}-S2"] = _seal(rng, agency, f"{agency.id}-S2", shape2, ink2)
        names = _names(rng, agency.country, 6)
        for n, name in enumerate(names[:4], start=1):
            expired = n == 4
            officers[f"{agency.id}-O{n}"] = Officer(
                id=f"{agency.id}-O{n}",
                agency=agency.id,
                name=name,
                valid_from=f"{rng.choice((2019, 2020, 2021, 2022, 2023))}"
                f"-{rng.randint(1, 12):02d}-01",
                valid_to="2026-06-30" if expired else f"{rng.choice((2028, 2029, 2030))}-12-31",
                style_seed=rng.getrandbits(32),
            )
        for n, name in enumerate(names[4:], start=90):
            ghosts[f"{agency.id}-X{n}"] = Officer(
                id=f"{agency.id}-X{n}",
                agency=agency.id,
                name=name,
                valid_from="2020-01-01",
                valid_to="2030-12-31",
                style_seed=rng.getrandbits(32),
                registered=False,
            )
    return World(seed=seed, agencies=agencies, seals=seals, officers=officers, ghosts=ghosts)


def _seal(rng: random.Random, agency: Agency, sid: str, shape: str, ink: str) -> SealSpec:
    country = _pools.COUNTRY_NAMES[agency.country].upper()
    if shape == "rect":
        inner: tuple[str, ...] = (agency.name.upper(), country, "OFFICIAL STAMP")
        size = (rng.uniform(46, 54), rng.uniform(20, 25))
    elif shape == "oval":
        inner = (country, f"No. {rng.randint(1, 99):02d}")
        size = (rng.uniform(44, 50), rng.uniform(30, 34))
    else:
        inner = (f"No. {rng.randint(1, 99):02d}",)
        d = rng.uniform(36, 42)
        size = (d, d)
    return SealSpec(
        id=sid,
        agency=agency.id,
        shape=shape,
        ink=ink,
        ring_text=agency.ring_text,
        inner_text=inner,
        emblem=agency.emblem,
        size_mm=size,
        inner_ratio=rng.uniform(0.66, 0.74),
        stars=rng.choice((0, 2, 2, 4)),
    )


def forge_seal(rng: random.Random, genuine: SealSpec) -> SealSpec:
    """An imitation of ``genuine``: wrong ring text or wrong geometry; never registered."""
    how = rng.choice(("text", "geometry", "emblem"))
    if how == "text" and genuine.shape == "rect":  # a rectangle prints its inner text only
        forged = _forge_inner_text(rng, genuine)
    elif how == "text":
        words = genuine.ring_text.split()
        i = rng.randrange(len(words))
        variants = [w for w in (_misspell(rng, words[i]),) if w != words[i]] or [words[i] + "S"]
        words[i] = variants[0]
        forged = replace(genuine, ring_text=" ".join(words), note=f"ring text altered: {words[i]}")
    elif how == "emblem" and genuine.shape == "rect":  # its emblem is the pair of stars
        forged = replace(
            genuine,
            emblem="" if genuine.emblem else "star",
            note="emblem altered: stars " + ("removed" if genuine.emblem else "added"),
        )
    elif how == "geometry":
        forged = replace(
            genuine,
            size_mm=(genuine.size_mm[0] * rng.uniform(0.8, 0.88), genuine.size_mm[1] * 0.86),
            inner_ratio=genuine.inner_ratio - rng.uniform(0.1, 0.16),
            note="geometry altered: smaller stamp, wider ring",
        )
    else:
        other = {
            "star": "shield",
            "shield": "star",
            "fish": "star",
            "wheat": "shield",
            "fern": "star",
        }[genuine.emblem]
        forged = replace(
            genuine,
            emblem=other,
            stars=(genuine.stars + 2) % 6,
            note=f"emblem altered: {other} instead of {genuine.emblem}",
        )
    return replace(forged, id=f"{genuine.id}-FORGED", registered=False)


def _forge_inner_text(rng: random.Random, genuine: SealSpec) -> SealSpec:
    lines = list(genuine.inner_text)
    words = lines[0].split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    words[i] = next((w for w in (_misspell(rng, words[i]),) if w != words[i]), words[i] + "S")
    lines[0] = " ".join(words)
    return replace(genuine, inner_text=tuple(lines), note=f"inner text altered: {words[i]}")


def _misspell(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word + "E"
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _names(rng: random.Random, country: str, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        given = rng.choice(_pools.GIVEN_NAMES[country])
        name = f"{given} {rng.choice(_pools.FAMILY_NAMES[country])}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out
