"""One corpus case: choose what is wrong, render it, and write down the truth.

Case kinds and the verdict a correct review reaches:

==========================  ====================================================  =========
kind                        what is wrong                                         verdict
==========================  ====================================================  =========
genuine                     nothing                                               accept
declaration_mismatch        declaration disagrees with the certificate            reject
field_altered               a printed value was patched over in another font      review
forged_seal                 imitation of the agency's seal (text/geometry/emblem)  reject
foreign_seal                another registered agency's seal                      reject
unregistered_officer        signed by someone not on the specimen list            reject
expired                     certificate validity ended, or officer's authority     reject
no_seal                     no stamp at all                                       reject
cloned_seal                 the seal copied from another genuine certificate      reject
forged_signature            a registered officer's name, signed by someone else   reject
==========================  ====================================================  =========

A ``cloned_seal`` case also carries that other certificate (``earlier``): reviewed first, as
the node that reviews the copy saw it before (``cusdep eval`` does so). A
``forged_signature`` (``variant``) is a ``stand_in``'s own hand writing the officer's name, or
an ``imitation``: the officer's signature copied freehand (``signature.COPYING_HAND``). Neither
kind is in the default mix.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator import _pools
from simulator.extras import sections
from simulator.iso6346 import container_number
from simulator.layouts import LAYOUTS, Layout
from simulator.render import Marks, SignatureForgery, render_case
from simulator.signature import COPYING_HAND, OWN_HAND
from simulator.values import REFERENCE_DAY, Values, company, format_date, format_weight, make_values
from simulator.world import Officer, SealSpec, World, forge_seal

KINDS = (
    "genuine",
    "declaration_mismatch",
    "field_altered",
    "forged_seal",
    "foreign_seal",
    "unregistered_officer",
    "expired",
    "no_seal",
    "cloned_seal",
    "forged_signature",
)
VERDICTS: dict[str, tuple[str, ...]] = {
    "genuine": ("accept",),
    "declaration_mismatch": ("reject", "review"),
    "field_altered": ("review", "reject"),
    "forged_seal": ("reject", "review"),
    "foreign_seal": ("reject", "review"),
    "unregistered_officer": ("reject", "review"),
    "expired": ("reject", "review"),
    "no_seal": ("reject", "review"),
    "cloned_seal": ("reject", "review"),
    "forged_signature": ("reject", "review"),
}


@dataclass
class CaseFiles:
    case_id: str
    pdf: bytes
    scan: bytes
    scan_fmt: str
    declaration: dict[str, Any]
    truth: dict[str, Any]
    earlier: bytes | None = None  # the scan of the certificate a cloned seal was copied from


CAPTURES = ("scan", "photo", "mixed")


def capture_of(seed: int, index: int, capture: str) -> str:
    """``scan`` or ``photo``: ``mixed`` draws one of the two for each case, from its own seed
    (a case's other draws stay those of a scan corpus of the same seed)."""
    if capture not in CAPTURES:
        raise ValueError(f"unknown capture {capture!r} (scan, photo or mixed)")
    if capture != "mixed":
        return capture
    return random.Random(f"capture-{seed}-{index}").choice(("scan", "photo"))


def build_case(
    world: World, seed: int, index: int, kind: str, scan_fmt: str = "jpg", capture: str = "scan"
) -> CaseFiles:
    """Case ``index`` of corpus ``seed``; ``capture`` (``scan``, ``photo`` or ``mixed``) is how
    the paper reached the reviewer. The certificate (PDF, values, marks) is the same whatever
    the capture."""
    captured = capture_of(seed, index, capture)
    rng = random.Random(f"case-{seed}-{index}")
    nrng = np.random.default_rng([seed, index, 7])
    case_id = f"c{index:05d}"
    variant = _VARIANTS[kind](rng) if kind in _VARIANTS else ""
    layouts = (
        [lay for lay in LAYOUTS if lay.has("expiry_date")]
        if variant == "certificate"
        else list(LAYOUTS)
    )
    if kind == "field_altered":
        layouts = [lay for lay in layouts if lay.has("net_weight_kg")]
    layout = rng.choice(layouts)
    issue = REFERENCE_DAY - dt.timedelta(days=rng.randint(10, 70))
    values = make_values(rng, layout, issue)
    arrival = issue + dt.timedelta(days=rng.randint(5, 25))
    defects: list[dict[str, str]] = []

    officer = _officer(rng, world, layout, kind, variant, issue, defects)
    seal, imitated = _seal(rng, world, layout, kind, defects)
    if variant == "certificate":
        arrival = _expire(rng, layout, values, issue, defects)
    alteration = _alter(rng, layout, values, defects) if kind == "field_altered" else None
    values.truth["officer_name"] = officer.name
    values.printed["officer_name"] = [officer.name]

    marks = Marks(seal=seal, officer=officer, alteration=alteration, imitated=imitated)
    if kind == "forged_signature":
        marks.forged_signature = _forged_signature(rng, officer, variant, defects)
    earlier = None
    if kind == "cloned_seal" and seal is not None:
        marks.stamping = _stamping(seal, seed, index, rng)
        earlier = _earlier(world, seed, index, layout, marks, scan_fmt, defects)
    extra = sections(layout.certificate_type, layout.country, issue, rng, layout.date_order)
    pdf, scan, placed = render_case(
        layout, values.printed, marks, rng, nrng, scan_fmt, extra, captured
    )
    declaration = _declaration(rng, values, arrival, index)
    if kind == "declaration_mismatch":
        _mismatch(rng, declaration, values, defects)
    truth = {
        "case_id": case_id,
        "kind": kind,
        "variant": variant or None,
        "template_id": layout.id,
        "certificate_type": layout.certificate_type,
        "issuing_country": layout.country,
        "agency_id": layout.agency,
        "files": {
            "pdf": "certificate.pdf",
            "scan": f"scan.{scan_fmt}",
            "declaration": "declaration.json",
        },
        "fields": dict(sorted(values.truth.items())),
        "printed": {k: v for k, v in sorted(values.printed.items())},
        "date_order": layout.date_order,
        "seal": placed["seal"],
        "signature": placed["signature"],
        "arrival_date": arrival.isoformat(),
        "expected_verdict": VERDICTS[kind][0],
        "acceptable_verdicts": list(VERDICTS[kind]),
        "defects": defects,
        "alteration": alteration,
        "scan": placed["scan"],
        "capture": captured,
    }
    if earlier is not None:
        truth["files"]["earlier"] = f"earlier.{scan_fmt}"
        truth["earlier_certificate_number"] = earlier[1]
    return CaseFiles(
        case_id, pdf, scan, scan_fmt, declaration, truth, earlier[0] if earlier else None
    )


_VARIANTS: dict[str, Callable[[random.Random], str]] = {
    "expired": lambda rng: rng.choice(("certificate", "officer")),
    "forged_signature": lambda rng: rng.choice(("stand_in", "imitation")),
}


def _forged_signature(
    rng: random.Random, officer: Officer, variant: str, defects: list[dict[str, str]]
) -> SignatureForgery:
    if variant == "stand_in":  # a colleague or clerk signs the officer's name in their own hand
        seed = rng.randrange(1, 2**31)
        seed += seed == officer.style_seed
        note = f"{officer.name}'s name signed in another hand"
        forged = SignatureForgery(seed, OWN_HAND, note)
    else:
        note = f"{officer.name}'s signature copied freehand"
        forged = SignatureForgery(officer.style_seed, COPYING_HAND, note)
    defects.append({"code": "signature.forged", "detail": f"{officer.id}: {note}"})
    return forged


def _stamping(
    seal: SealSpec, seed: int, index: int, rng: random.Random
) -> tuple[np.ndarray, float]:
    """One stamping of ``seal``, printed on two certificates (``cloned_seal``)."""
    from simulator.render import INK_DPI
    from simulator.seal import impression

    angle = rng.uniform(-35, 35)
    return impression(seal, INK_DPI, np.random.default_rng([seed, index, 13]), angle), angle


def _earlier(
    world: World,
    seed: int,
    index: int,
    layout: Layout,
    marks: Marks,
    scan_fmt: str,
    defects: list[dict[str, str]],
) -> tuple[bytes, str]:
    """The genuine certificate whose seal a ``cloned_seal`` case copies (same issuer, other
    values, the same stamping): its scan and its certificate number."""
    rng = random.Random(f"case-{seed}-{index}-earlier")
    issue = REFERENCE_DAY - dt.timedelta(days=rng.randint(40, 90))
    values = make_values(rng, layout, issue)
    values.printed["officer_name"] = [marks.officer.name]
    stamped = Marks(seal=marks.seal, officer=marks.officer, stamping=marks.stamping)
    nrng = np.random.default_rng([seed, index, 17])
    extra = sections(layout.certificate_type, layout.country, issue, rng, layout.date_order)
    _pdf, scan, _placed = render_case(layout, values.printed, stamped, rng, nrng, scan_fmt, extra)
    number = values.truth["certificate_number"]
    defects.append({"code": "seal.copied", "detail": f"seal copied from certificate {number}"})
    return scan, number


def _officer(
    rng: random.Random,
    world: World,
    layout: Layout,
    kind: str,
    variant: str,
    issue: dt.date,
    defects: list[dict[str, str]],
) -> Officer:
    if kind == "unregistered_officer":
        ghost = rng.choice([o for o in world.ghosts.values() if o.agency == layout.agency])
        defects.append(
            {
                "code": "officer.unregistered",
                "detail": f"{ghost.name} is not on {layout.agency}'s specimen list",
            }
        )
        return ghost
    if variant == "officer":
        lapsed = [o for o in world.officers_of(layout.agency) if o.valid_to < issue.isoformat()]
        off = rng.choice(lapsed)
        defects.append(
            {
                "code": "officer.expired",
                "detail": f"{off.id} authorised until {off.valid_to}, signed {issue}",
            }
        )
        return off
    return rng.choice(world.officers_of(layout.agency, active_on=issue))


def _seal(
    rng: random.Random, world: World, layout: Layout, kind: str, defects: list[dict[str, str]]
) -> tuple[SealSpec | None, SealSpec | None]:
    """The seal stamped, and the genuine seal it imitates when it is a forgery."""
    own = world.seals_of(layout.agency)
    if kind == "no_seal":
        defects.append({"code": "seal.missing", "detail": "no official stamp on the certificate"})
        return None, None
    if kind == "foreign_seal":
        other = rng.choice([s for s in world.seals.values() if s.agency != layout.agency])
        defects.append(
            {"code": "seal.wrong_agency", "detail": f"stamp {other.id} belongs to {other.agency}"}
        )
        return other, None
    genuine = rng.choice(own)
    if kind == "forged_seal":
        forged = forge_seal(rng, genuine)
        defects.append({"code": "seal.forged", "detail": f"imitates {genuine.id}: {forged.note}"})
        return forged, genuine
    return genuine, None


def _expire(
    rng: random.Random,
    layout: Layout,
    values: Values,
    issue: dt.date,
    defects: list[dict[str, str]],
) -> dt.date:
    expiry = issue + dt.timedelta(days=rng.randint(10, 21))
    style = values.extra["date_style"]
    values.printed["expiry_date"] = [format_date(expiry, style)]
    values.truth["expiry_date"] = expiry.isoformat()
    arrival = expiry + dt.timedelta(days=rng.randint(3, 20))
    defects.append(
        {"code": "certificate.expired", "detail": f"valid until {expiry}, goods arrived {arrival}"}
    )
    return arrival


def _alter(
    rng: random.Random, layout: Layout, values: Values, defects: list[dict[str, str]]
) -> dict[str, Any]:
    kg = values.extra["kg"]
    new_kg = float(round(kg * rng.uniform(1.15, 1.6)))
    original = values.printed["net_weight_kg"][0]
    altered = format_weight(new_kg, rng)
    values.printed["net_weight_kg"] = [altered]
    values.truth["net_weight_kg"] = new_kg
    values.extra["kg"] = new_kg
    defects.append(
        {"code": "scan.field_altered", "detail": f"net weight overwritten: {original} -> {altered}"}
    )
    return {
        "field": "net_weight_kg",
        "original_printed": original,
        "original_value": kg,
        "altered_printed": altered,
        "altered_value": new_kg,
    }


def _declaration(
    rng: random.Random, values: Values, arrival: dt.date, index: int
) -> dict[str, Any]:
    x = values.extra
    hs = x["hs6"] + (rng.choice(("", "00", "10", "90")) if rng.random() < 0.6 else "")
    upper = rng.random() < 0.3
    return {
        "declaration_number": f"{arrival.year % 100}{x['destination']}{index:06d}"
        f"{rng.randint(10, 99)}",
        "consignor_name": x["consignor_name"].upper() if upper else x["consignor_name"],
        "consignee_name": x["consignee_name"].upper() if upper else x["consignee_name"],
        "origin_country": x["origin"],
        "commodity": x["commodity"],
        "hs_code": hs,
        "quantity": x["kg"],
        "unit": "kg",
        "net_weight_kg": x["kg"],
        "packages": x["packages"],
        "port_of_entry": x["port_of_entry"],
        "container_numbers": ", ".join(x["containers"]),
        "arrival_date": arrival.isoformat(),
        "certificate_numbers": [x["certificate_number"]],
    }


def differing(draw: Callable[[], str], before: str) -> str:
    """The first of ``draw``'s values that differs from ``before`` (case aside): a declared
    party drawn equal to the certificate's is no mismatch, yet the case said it was one (seed
    341 c00088 declared "Tasman Foods B.V." as printed, and was counted a false accept)."""
    while True:
        value = draw()
        if value.casefold() != before.casefold():
            return value


def _mismatch(
    rng: random.Random, decl: dict[str, Any], values: Values, defects: list[dict[str, str]]
) -> None:
    what = rng.choice(
        (
            "net_weight_kg",
            "packages",
            "hs_code",
            "consignee_name",
            "container_numbers",
            "origin_country",
        )
    )
    before = decl[what]
    if what == "net_weight_kg":
        decl["net_weight_kg"] = decl["quantity"] = float(round(before * rng.uniform(1.08, 1.4)))
    elif what == "packages":
        decl["packages"] = before + rng.choice((-1, 1)) * max(2, round(before * 0.2))
    elif what == "hs_code":
        other = rng.choice([c[1] for c in _pools.COMMODITIES if c[1][:4] != before[:4]])
        decl["hs_code"] = other
    elif what == "consignee_name":
        decl["consignee_name"] = differing(
            lambda: company(rng, values.extra["destination"]), before
        )
    elif what == "container_numbers":
        first = values.extra["containers"][0]
        decl["container_numbers"] = ", ".join(
            [differing(lambda: container_number(rng), first)] + values.extra["containers"][1:]
        )
    else:
        decl["origin_country"] = rng.choice(
            [c for c in _pools.LOADING_PORTS if c != values.extra["origin"]]
        )
    defects.append(
        {
            "code": f"declaration.{what}",
            "detail": f"declared {decl[what]!r}, certificate {before!r}",
        }
    )
