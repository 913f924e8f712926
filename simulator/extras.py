"""Printed sections that are not template fields: additional declarations, treatments,
health attestations, catch details, the exporter's declaration. They make a page look like
the real forms (and give extraction realistic text to ignore)."""

from __future__ import annotations

import datetime as dt
import random

from simulator import _pools

Section = tuple[str, list[str]]

_HEALTH = (
    "II.1 The products were obtained from animals or catches originating in {name}.",
    "II.2 The products were handled, stored and transported under hygienic conditions.",
    "II.3 The products were found free from residues above the maximum limits set by",
    "        the importing country, according to the official monitoring programme.",
    "II.4 Each carton bears the official health mark of {name}.",
)
_EXPORTER = (
    "The undersigned hereby declares that the above details and statements are correct,",
    "that all the goods were produced in {name} and that they comply with the origin",
    "requirements specified for these goods.",
)


def sections(
    certificate_type: str,
    country: str,
    issue: dt.date,
    rng: random.Random,
    date_order: str = "DMY",
) -> list[Section]:
    name = _pools.COUNTRY_NAMES[country]
    if certificate_type == "phytosanitary":
        return _phyto(issue, rng, "%m/%d/%Y" if date_order == "MDY" else "%d/%m/%Y")
    if certificate_type in ("veterinary_health", "health"):
        return [("II. HEALTH ATTESTATION", [line.format(name=name) for line in _HEALTH])]
    if certificate_type == "fishery_catch":
        return [("CATCH INFORMATION", _catch(issue, rng))]
    criterion = rng.choice(("WO", "PE", "CTH", "RVC 40%"))
    lines = [line.format(name=name) for line in _EXPORTER]
    return [("DECLARATION BY THE EXPORTER", [*lines, f'Origin criterion: "{criterion}"'])]


def _catch(issue: dt.date, rng: random.Random) -> list[str]:
    vessel = rng.choice(("NORDSTJERNEN", "PACIFIC STAR", "ISLA MOCHA", "HAVBRYN", "ANTARES"))
    call = f"{rng.choice('LJKC')}{rng.randint(1000, 9999)}"
    caught = issue - dt.timedelta(days=rng.randint(10, 40))
    gear = rng.choice(("pelagic trawl", "longline", "purse seine"))
    return [
        f"Fishing vessel: {vessel}    Call sign: {call}    IMO: {rng.randint(7000000, 9999999)}",
        f"Catch area: FAO {rng.choice((27, 41, 87, 57))}    Gear: {gear}",
        f"Dates of catch: {caught:%d/%m/%Y} - {caught + dt.timedelta(days=6):%d/%m/%Y}",
    ]


def _phyto(issue: dt.date, rng: random.Random, fmt: str) -> list[Section]:
    treatment = rng.choice(_pools.PHYTO_TREATMENTS)
    kind, _, detail = treatment.partition(": ")
    when = issue - dt.timedelta(days=rng.randint(2, 20))
    first = f"Treatment: {kind}" + (f"    Treatment date: {when.strftime(fmt)}" if detail else "")
    return [
        ("ADDITIONAL DECLARATION", [rng.choice(_pools.ADDITIONAL_DECLARATIONS)]),
        (
            "DISINFESTATION AND/OR DISINFECTION TREATMENT",
            [first, f"Duration, temperature and concentration: {detail or 'N/A'}"],
        ),
    ]
