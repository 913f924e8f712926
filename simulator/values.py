"""Consignment values for one certificate: what is printed and its normalised truth.

Each printed field keeps two forms: ``printed`` (the text on the page, possibly several lines)
and ``truth`` (the contract's normalised value). Normalisation rules follow the field
vocabulary of the CLI contract (dates YYYY-MM-DD, digits-only HS code, numbers, ISO alpha-2).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from simulator import _pools
from simulator.iso6346 import container_number
from simulator.layouts import Layout

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
REFERENCE_DAY = dt.date(2026, 11, 20)  # the simulated "today": arrivals cluster around it

_TYPE_KEY = {
    "phytosanitary": "phyto",
    "veterinary_health": "vet",
    "certificate_of_origin": "coo",
    "health": "health",
    "fishery_catch": "catch",
}
_DESTINATIONS = (
    "CN",
    "CN",
    "CN",
    "JP",
    "KR",
    "SG",
    "DE",
    "NL",
    "GB",
    "AE",
    "VN",
    "MY",
    "ID",
    "IN",
    "CA",
    "US",
    "FR",
)


@dataclass
class Values:
    printed: dict[str, list[str]] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # not printed as template fields


def format_date(day: dt.date, style: str) -> str:
    d, m, y = day.day, day.month, day.year
    return {
        "dmy_slash": f"{d:02d}/{m:02d}/{y}",
        "dmy_long": f"{d} {MONTHS[m - 1]} {y}",
        "iso": day.isoformat(),
        "dmy_dot": f"{d:02d}.{m:02d}.{y}",
        "mdy_slash": f"{m:02d}/{d:02d}/{y}",
        "mdy_long": f"{MONTHS[m - 1]} {d}, {y}",
    }[style]


def format_weight(kg: float, rng: random.Random) -> str:
    """Thousands separators, a unit, and never fewer decimals than the value has."""
    need = 0 if kg == int(kg) else (1 if round(kg, 1) == kg else 2)
    style = rng.randrange(4)
    if style == 0:
        return f"{kg:,.{max(2, need)}f} kg"
    if style == 1:
        return f"{kg:,.{need}f} KG"
    if style == 2:
        return f"{kg:,.{max(3, need)}f} kg net"
    return f"{kg:,.{max(1, need)}f} kgs"


def format_hs(hs: str, rng: random.Random) -> str:
    return rng.choice((hs, f"{hs[:4]}.{hs[4:]}", f"{hs[:4]}.{hs[4:6]}"))


def country_text(code: str, layout: Layout) -> str:
    name = _pools.COUNTRY_NAMES[code]
    return name.upper() if layout.upper_countries else name


_TRADES = {
    "phyto": ("Fresh Produce", "Orchards", "Agri Exports", "Farms", "Grain"),
    "vet": ("Meat Packers", "Foods", "Dairy", "Cold Chain", "Farms"),
    "catch": ("Seafood", "Fisheries", "Cold Chain"),
    "health": ("Foods", "Seafood", "Cold Chain", "Provisions"),
    "coo": ("Trading", "Import & Export", "Foods", "Agri Exports"),
}


def company(rng: random.Random, country: str, key: str = "") -> str:
    stem = rng.choice(_pools.COMPANY_STEMS)
    trade = rng.choice(_TRADES.get(key) or _pools.COMPANY_TRADES)
    form = rng.choice(_pools.LEGAL_FORMS.get(country, ("Ltd",)))
    return f"PT {stem} {trade}" if form == "PT" else f"{stem} {trade} {form}"


def exporter_address(rng: random.Random, country: str) -> list[str]:
    city, _ = rng.choice(_pools.CITIES[country])
    street = f"{rng.randint(1, 240)} {rng.choice(_pools.STREETS)}"
    return [street, f"{city}, {_pools.COUNTRY_NAMES[country]}"]


def importer_address(rng: random.Random, country: str) -> list[str]:
    base = rng.choice(_pools.FOREIGN_ADDRESSES[country])
    return [base, _pools.COUNTRY_NAMES[country]]


def make_values(rng: random.Random, layout: Layout, issue_day: dt.date) -> Values:
    """Draw a consistent consignment for ``layout``; every template field gets a value."""
    v = Values()
    origin = layout.country
    dest = rng.choice([c for c in _DESTINATIONS if c != origin])
    key = _TYPE_KEY[layout.certificate_type]
    goods = [c for c in _pools.COMMODITIES if key in c[4]]
    local = [c for c in goods if c[1] in _pools.ORIGIN_GOODS.get(origin, ())]
    goods = local or goods
    name, hs, kind, (lo, hi), _ = rng.choice(goods)
    n_cont = rng.choice((1, 1, 1, 2, 2, 3))
    per = rng.uniform(lo, hi)
    packages = max(1, round(n_cont * rng.uniform(6000, 24000) / per))
    kg = round(packages * per, rng.choice((0, 1, 2)))
    containers = sorted({container_number(rng) for _ in range(n_cont)})
    vessel = rng.choice(_pools.VESSELS)
    voyage = f"{rng.randint(1, 999):03d}{rng.choice('NSEW')}"
    load_port = rng.choice(_pools.LOADING_PORTS[origin])
    entry = rng.choice(_pools.PORTS[dest])
    exporter = company(rng, origin, key)
    importer = company(rng, dest, rng.choice(("coo", "health")))
    exp_addr = exporter_address(rng, origin)
    imp_addr = importer_address(rng, dest)
    style = rng.choice(layout.date_styles)
    validity = rng.choice((30, 60, 90, 120))
    expiry = issue_day + dt.timedelta(days=validity)
    city = rng.choice(_pools.CITIES[origin])[1]
    est = _establishment(rng, origin, key)
    transport = rng.choice(
        (
            f"Vessel {vessel} V.{voyage}",
            f"By sea, {vessel} voyage {voyage}",
            f"M/V {vessel} / {voyage}",
            f"Sea freight - {vessel} {voyage}",
        )
    )
    if layout.certificate_type == "certificate_of_origin":
        transport = f"By sea from {load_port} to {entry} on {vessel} V.{voyage}"
    sep = rng.choice((", ", "; ", ", "))
    serial = _certificate_number(rng, origin, key, issue_day)
    fields: dict[str, tuple[list[str], Any]] = {
        "certificate_number": ([serial], serial),
        "consignor": ([exporter, *exp_addr], (exporter, ", ".join(exp_addr))),
        "consignee": ([importer, *imp_addr], (importer, ", ".join(imp_addr))),
        "origin_country": ([country_text(origin, layout)], origin),
        "destination_country": ([country_text(dest, layout)], dest),
        "means_of_transport": ([transport], transport),
        "port_of_entry": ([entry], entry),
        "container_numbers": ([sep.join(containers)], ", ".join(containers)),
        "commodity": ([name], name),
        "hs_code": ([format_hs(hs, rng)], hs),
        "packages": (
            [f"{packages:,} {kind}" if rng.random() < 0.6 else f"{packages} {kind.upper()}"],
            packages,
        ),
        "net_weight_kg": ([format_weight(kg, rng)], float(kg)),
        "establishment_number": ([est], est),
        "place_of_issue": ([city], city),
        "issue_date": ([format_date(issue_day, style)], issue_day.isoformat()),
        "expiry_date": ([format_date(expiry, style)], expiry.isoformat()),
    }
    for fname in layout.field_names():
        if fname == "officer_name":
            continue
        printed, truth = fields[fname]
        v.printed[fname] = printed
        if fname in ("consignor", "consignee"):
            v.truth[f"{fname}_name"], v.truth[f"{fname}_address"] = truth
        else:
            v.truth[fname] = truth
    v.extra.update(
        date_style=style,
        hs6=hs,
        package_kind=kind,
        destination=dest,
        origin=origin,
        consignor_name=exporter,
        consignee_name=importer,
        containers=containers,
        kg=float(kg),
        packages=packages,
        port_of_entry=entry,
        commodity=name,
        issue_day=issue_day.isoformat(),
        expiry_day=expiry.isoformat(),
        certificate_number=serial,
    )
    return v


def _certificate_number(rng: random.Random, country: str, key: str, day: dt.date) -> str:
    n = rng.randint(1, 999999)
    patterns = {
        "AU": f"AU-{day.year}-{n:06d}",
        "NZ": f"NZ{day.year % 100}/{n:06d}",
        "CN": f"CCPIT{day.year % 100}{n:07d}",
        "US": f"E-{rng.randint(100, 999)}-{n:07d}",
        "BR": f"{n:06d}/{day.year}",
        "FR": f"FR-{key.upper()}-{day.year}-{n:06d}",
        "TH": f"TH-DOF-{day.year % 100}-{n:06d}",
        "CL": f"CL{day.year}{n:07d}",
        "ZA": f"ZA{n:08d}",
        "NO": f"NO-{day.year}-{n:06d}",
    }
    return patterns[country]


def _establishment(rng: random.Random, country: str, key: str) -> str:
    n = rng.randint(10, 9999)
    prefix = {"phyto": "PH", "vet": "EST", "health": "EST", "catch": "PL", "coo": "EXP"}[key]
    if country == "BR":
        return f"SIF {n}"
    if country == "FR":
        return f"FR {rng.randint(10, 95)}.{rng.randint(100, 999)}.{rng.randint(1, 99):03d} CE"
    return f"{country}-{prefix}-{n:04d}"
