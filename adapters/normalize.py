"""Normalisation of printed values into the canonical vocabulary.

Every function takes the text as a partner or a scan prints it and returns the normalised value,
or raises :class:`NormalizationError` (a ``ValueError``) naming what it could not read.

* :func:`parse_date` — ``12/03/2026``, ``12 March 2026``, ``2026-03-12``, ``12.03.2026``,
  ``2016-04-22T13:53:08-03:00`` → ``date(2026, 3, 12)``; day first unless ``order="MDY"``.
* :func:`parse_number` — ``"1,250.50 kg"`` → ``1250.5``; ``"1.250,50"`` → ``1250.5``.
* :func:`parse_quantity` — ``"1,250.50 kg"`` → ``(1250.5, "kg")``; :func:`to_kg` converts.
* :func:`country_code` — ``"Australia"``, ``"AUS"``, ``"au"`` → ``"AU"`` (static table).
* :func:`hs_code` — ``"0808.10"`` → ``"080810"``.
* :func:`container_number` / :func:`container_numbers` — ISO 6346 with check digit;
  :func:`container_identifier` — another equipment or vehicle identifier kept as written.
* :func:`normalize_name` / :func:`name_similarity` — party names for fuzzy matching.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Literal

from adapters._countries import _ALIASES, COUNTRIES

logger = logging.getLogger(__name__)

__all__ = [
    "NormalizationError",
    "parse_date",
    "parse_number",
    "parse_quantity",
    "normalize_unit",
    "unit_name",
    "rec20_code",
    "REC20",
    "to_kg",
    "country_code",
    "hs_code",
    "container_number",
    "container_numbers",
    "container_check_digit",
    "is_valid_container_number",
    "normalize_name",
    "name_similarity",
    "normalize_text",
]

DateOrder = Literal["DMY", "MDY", "YMD"]


class NormalizationError(ValueError):
    """A printed value that cannot be read as the expected kind."""


# Letters no Unicode decomposition takes to a base letter, as an ASCII record spells them: a
# Turkish certificate's "Aydın Fındık" is the declaration's "AYDIN FINDIK" (0.75 without these,
# under the 0.85 a name must reach), and so is "Łódź", "Đà Nẵng", "Øresund" or "Straße".
_UNACCENTED = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ø": "o", "Ø": "O",
     "ħ": "h", "Ħ": "H", "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
     "þ": "th", "Þ": "TH"}
)  # fmt: skip


def strip_accents(text: str) -> str:
    """Letters without their accents ("Expéditeur" -> "Expediteur", "Straße" -> "Strasse")."""
    if text.isascii():  # most labels and OCR lines: nothing to drop (NFKD keeps ASCII as is)
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UNACCENTED)


# ---------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1, "january": 1, "janvier": 1, "enero": 1, "januar": 1,
    "feb": 2, "february": 2, "fevrier": 2, "febrero": 2, "februar": 2,
    "mar": 3, "march": 3, "mars": 3, "marzo": 3, "marz": 3,
    "apr": 4, "april": 4, "avril": 4, "abril": 4,
    "may": 5, "mai": 5, "mayo": 5,
    "jun": 6, "june": 6, "juin": 6, "junio": 6, "juni": 6,
    "jul": 7, "july": 7, "juillet": 7, "julio": 7, "juli": 7,
    "aug": 8, "august": 8, "aout": 8, "agosto": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9, "septiembre": 9,
    "oct": 10, "october": 10, "octobre": 10, "octubre": 10, "oktober": 10, "okt": 10,
    "nov": 11, "november": 11, "novembre": 11, "noviembre": 11,
    "dec": 12, "december": 12, "decembre": 12, "diciembre": 12, "dezember": 12, "dez": 12,
    # Portuguese (Brazil), Norwegian and Danish, Dutch, Italian, and the short forms each prints
    "janeiro": 1, "fevereiro": 2, "marco": 3, "maio": 5, "junho": 6, "julho": 7, "setembro": 9,
    "outubro": 10, "novembro": 11, "dezembro": 12,
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8, "desember": 12,
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12, "setiembre": 9, "maj": 5,
    "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "abr": 4, "juil": 7, "ago": 8, "set": 9,
    "out": 10, "ene": 1, "dic": 12, "des": 12, "mrt": 3, "gen": 1, "mag": 5, "giu": 6,
    "lug": 7, "ott": 10,
}  # fmt: skip

# an xs:date may carry a zone of its own ("2016-04-22Z", "2016-04-22+02:00"); a time may carry
# an hours-only one too (ISO 8601 "2016-04-22T13:53:08+01")
_ISO_DT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}(?::?\d{2})?)?|Z|[+-]\d{2}:?\d{2})?$"
)
_NUMERIC = re.compile(r"^(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})$")
# UN/EDIFACT 2379 forms: 102 CCYYMMDD, 203/204 with the time, 205/303/304 with its zone too
# ("20260226154205+01", "20240125094643Z", as WCO and SPS DateTimeString write them)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\d{4,6}(?:z|[+-]\d{2}(?::?\d{2})?)?)?$")
# "12 March 2026", "05-MAR-26" (a two-digit year: ``_SHORT_YEAR``), "March 12, 2026",
# "2026-MAR-05"
_WORDY = re.compile(
    r"^(?:(\d{1,2})\s*([a-z]+)\.?,?\s*(\d{4}|\d{2})|([a-z]+)\.?\s*(\d{1,2}),?\s*(\d{4})"
    r"|(\d{4})\s*([a-z]+)\.?\s*(\d{1,2}))$"
)
# a two-digit year printed as a style: day, abbreviated month and year run together or joined
# by one separator ("05-MAR-26", "05MAR26", "05/Mar/26"), never spaced as a cut year would be
_SHORT_YEAR = re.compile(r"^\d{1,2}([-/.]?)[A-Za-z]{3,4}\.?\1\d{2}$")
_CJK = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


def parse_date(text: str | date, order: DateOrder = "DMY") -> date:
    """Read a printed date; numeric dates are day first unless ``order`` says otherwise."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    cleaned = strip_accents(raw).lower().replace(",", " ").strip()
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)
    # "10 de dezembro de 2026", "10-Mar-2026", "10/dic/2026": a month's name between separators
    cleaned = re.sub(r"(?<=\d)\s*(?:[-/.]|\s+del?\s+)\s*(?=[a-z])", " ", cleaned)
    cleaned = re.sub(r"(?<=[a-z])\.?\s*(?:[-/]|\s+del?\s+)\s*(?=\d)", " ", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned)
    try:
        return _parse_date_forms(raw, cleaned, order)
    except ValueError as err:
        raise NormalizationError(f"not a date: {raw!r}") from err


def _parse_date_forms(raw: str, cleaned: str, order: DateOrder) -> date:
    if m := _ISO_DT.match(raw.strip().upper()):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _CJK.match(raw):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _COMPACT.match(cleaned):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.match(cleaned):
        return _numeric_date(m[1], m[2], m[3], order)
    if m := _WORDY.match(cleaned):
        if m[1]:
            day, month_name, year = m[1], m[2], m[3]
        elif m[4]:
            month_name, day, year = m[4], m[5], m[6]
        else:
            year, month_name, day = m[7], m[8], m[9]
        month = _MONTHS.get(month_name)
        if month is None or (len(year) == 2 and not _SHORT_YEAR.match(raw.strip())):
            # "05-MAR-26" is a style; "12 May 20" is a year cut short, not 2020
            raise ValueError(month_name)
        return date(_century(year), month, int(day))
    raise ValueError(raw)


def _numeric_date(a: str, b: str, c: str, order: DateOrder) -> date:
    if len(a) == 4:  # 2026/03/12 is always year first
        return date(int(a), int(b), int(c))
    if order == "YMD" and len(c) <= 2:  # "26/03/05": 5 March 2026, not 26 March 2005
        return date(_century(a), int(b), int(c))
    year = _century(c)
    if order == "MDY":
        return date(year, int(a), int(b))
    return date(year, int(b), int(a))


def _century(year: str) -> int:
    """A printed year, its two-digit form taken as 1970-2069."""
    if len(year) == 2:
        return int(year) + (2000 if int(year) < 70 else 1900)
    if len(year) != 4:
        raise ValueError(year)
    return int(year)


# ---------------------------------------------------------------------------- numbers

_NUM = re.compile(r"[-+]?\d[\d\s.,'\u00a0\u202f]*")
_EXPONENT = re.compile(r"[eE][-+]?\d")

_UNITS = {
    "kg": "kg", "kgs": "kg", "kgm": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg",
    "kilograms": "kg", "kilogramme": "kg", "kilogrammes": "kg", "公斤": "kg", "千克": "kg",
    "g": "g", "gr": "g", "grm": "g", "gram": "g", "grams": "g", "克": "g",
    "t": "t", "tne": "t", "mt": "t", "ton": "t", "tons": "t", "tonne": "t", "tonnes": "t",
    "吨": "t",
    "lb": "lb", "lbs": "lb", "lbr": "lb", "pound": "lb", "pounds": "lb",
    "mg": "mg", "mgm": "mg", "milligram": "mg", "milligrams": "mg",
    "oz": "oz", "onz": "oz", "ounce": "oz", "ounces": "oz",
    "hg": "hg", "hgm": "hg", "dt": "dt", "dtn": "dt",  # hectogram; decitonne (quintal)
    "l": "l", "ltr": "l", "litre": "l", "litres": "l", "liter": "l", "liters": "l",
    "m3": "m3", "mtq": "m3", "cbm": "m3",
    "pcs": "pcs", "pc": "pcs", "piece": "pcs", "pieces": "pcs", "units": "pcs", "unit": "pcs",
    "h87": "pcs", "c62": "pcs", "nar": "pcs", "p/st": "pcs", "head": "head", "heads": "head",
    "ml": "ml", "millilitre": "ml", "millilitres": "ml", "milliliter": "ml", "milliliters": "ml",
    "hl": "hl", "hectolitre": "hl", "hectolitres": "hl", "hectoliter": "hl", "hectoliters": "hl",
    "m": "m", "metre": "m", "metres": "m", "meter": "m", "meters": "m",
    "m2": "m2", "sqm": "m2", "pairs": "pairs", "pair": "pairs", "pr": "pairs", "pa": "pairs",
    "ct": "ct", "carat": "ct", "carats": "ct", "c/k": "ct",
}  # fmt: skip
# UN/ECE Recommendation 20 codes of the units above that customs (WCO DE 6/2 supplementary
# units, EU/UK CN "p/st", "pa", "l alc. 100 %", ...) and SPS quantities use: the one table both
# ways (a unit's code on write; the code, read, is the unit by _UNITS below). A unit not here
# has no code: the writers leave its quantity out (and ``cusdep convert`` says so), never guess.
REC20: dict[str, str] = {
    "kg": "KGM", "g": "GRM", "mg": "MGM", "hg": "HGM", "dt": "DTN", "t": "TNE", "lb": "LBR",
    "oz": "ONZ", "l": "LTR", "ml": "MLT", "hl": "HLT", "m3": "MTQ", "m": "MTR", "m2": "MTK",
    "pcs": "NAR", "pairs": "NPR", "100 pcs": "CEN", "1000 pcs": "MIL", "ct": "CTM",
    "l alc": "LPA", "kWh": "KWH", "MWh": "MWH", "TJ": "D30",
    "head": "HEA",  # Rec 20 "head: a person or animal considered as one of a number" (3.5)
}  # fmt: skip
for _name, _code in REC20.items():
    _UNITS.setdefault(_name.lower(), _name)
    _UNITS.setdefault(_code.lower(), _name)
_TO_KG = {
    "kg": 1.0, "g": 0.001, "mg": 1e-6, "hg": 0.1, "t": 1000.0, "dt": 100.0,
    "lb": 0.45359237, "oz": 0.028349523125,
}  # fmt: skip


def parse_number(text: str | float | int) -> float:
    """Read a number with thousands separators, decimal comma or point, and a trailing unit."""
    if isinstance(text, bool):
        raise NormalizationError(f"not a number: {text!r}")
    if isinstance(text, int | float):
        try:
            value = float(text)
        except OverflowError as err:  # an int too large for a float
            raise NormalizationError("number out of range") from err
        if not math.isfinite(value):
            raise NormalizationError(f"number out of range: {text!r}")
        return value
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    m = _NUM.search(raw)
    if m is None:
        raise NormalizationError(f"not a number: {raw!r}")
    if _EXPONENT.match(raw, m.end()):  # "1e3" is no decimal: it was read as 1 (unit "e3")
        raise NormalizationError(f"not a decimal number (an exponent): {raw[:40]!r}")
    token = re.sub(r"[\s'\u00a0\u202f]", "", m.group(0)).rstrip(".,")
    try:
        value = float(_canonical_digits(token))
    except ValueError as err:
        raise NormalizationError(f"not a number: {raw[:40]!r}") from err
    if not math.isfinite(value):
        raise NormalizationError(f"number out of range: {raw[:40]!r}")
    return value


def _canonical_digits(token: str) -> str:
    sign = ""
    if token[:1] in "+-":
        sign, token = token[0], token[1:]
    commas, dots = token.count(","), token.count(".")
    if commas and dots:
        decimal = "," if token.rfind(",") > token.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        token = token.replace(thousands, "").replace(decimal, ".")
    elif commas:
        head, _, tail = token.rpartition(",")
        if commas > 1 or (len(tail) == 3 and head and len(head) <= 3 and head != "0"):
            token = token.replace(",", "")
        else:
            token = token.replace(",", ".")
    elif dots > 1:
        token = token.replace(".", "")
    return sign + token


def _unit_key(unit: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", unit).strip().strip(".").lower().split())


def normalize_unit(unit: str) -> str:
    """Map a printed or UNECE Rec. 20 unit (``KGM``, ``kgs``) to our short unit name (one we
    do not know: lower-cased, as a key to compare)."""
    key = _unit_key(unit)
    return _UNITS.get(key, key)


def unit_name(unit: str) -> str | None:
    """Our short name of a known unit (``"KGM"``, ``"Kilograms"`` → ``"kg"``), None for one we
    do not know (``"cartons"``): the canonical model keeps that one as written."""
    return _UNITS.get(_unit_key(unit))


def rec20_code(unit: str) -> str | None:
    """The UN/ECE Rec. 20 code of a unit (``"kg"``, ``"KGM"``, ``"litres"`` → ``"KGM"``,
    ``"KGM"``, ``"LTR"``); None when :data:`REC20` has none (``"cartons"``)."""
    name = unit_name(unit)
    return REC20.get(name) if name is not None else None


def parse_quantity(text: str) -> tuple[float, str | None]:
    """``"1,250.50 kg"`` → ``(1250.5, "kg")``; the unit is ``None`` when none is printed."""
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    value = parse_number(raw)
    m = _NUM.search(raw)
    rest = raw[m.end() :].strip() if m else ""
    unit_match = re.match(r"([^\W\d_]+\d?|m3)", rest)
    return value, (normalize_unit(unit_match.group(1)) if unit_match else None)


def to_kg(value: float, unit: str | None) -> float:
    """Convert a mass in ``unit`` (kg, g, t, lb or a UNECE code) to kilograms."""
    norm = normalize_unit(unit) if unit else "kg"
    factor = _TO_KG.get(norm)
    if factor is None:
        raise NormalizationError(f"not a unit of mass: {unit!r}")
    return round(value * factor, 6)


# ---------------------------------------------------------------------------- countries


def _country_key(text: str) -> str:
    text = strip_accents(unicodedata.normalize("NFKC", text)).upper()
    text = re.sub(r"[^\w]+", " ", text).strip()
    return re.sub(r"^THE ", "", text)


def _build_country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for alpha2, alpha3, name, official in COUNTRIES:
        index[alpha2] = alpha2
        index[alpha3] = alpha2
        for label in (name, official):
            if label:
                index[_country_key(label)] = alpha2
                index[_country_key(label.split(",")[0])] = alpha2
    for alias, alpha2 in _ALIASES.items():
        index[_country_key(alias)] = alpha2
    return index


_COUNTRY_INDEX = _build_country_index()


def country_names(alpha2: str) -> tuple[str, ...]:
    """The English names (short, official, common aliases) of the country ``alpha2``."""
    code = alpha2.upper()
    names = [lb for a2, _a3, name, official in COUNTRIES if a2 == code for lb in (name, official)]
    names += [alias for alias, a2 in _ALIASES.items() if a2 == code]
    return tuple(dict.fromkeys(n for n in names if n))


def country_code(text: str) -> str:
    """An ISO 3166-1 alpha-2 code from an alpha-2/alpha-3 code or an English (or common) name."""
    key = _country_key(str(text))
    code = _COUNTRY_INDEX.get(key)
    if code is None:
        raise NormalizationError(f"unknown country: {text!r}")
    return code


# ---------------------------------------------------------------------------- HS codes


def hs_code(text: str | int) -> str:
    """Digits only (``"0808.10"`` → ``"080810"``); at least 2 and at most 14 digits."""
    digits = re.sub(r"\D", "", str(text))
    if not 2 <= len(digits) <= 14:
        raise NormalizationError(f"not an HS code: {text!r}")
    return digits


# ---------------------------------------------------------------------------- containers

_CONTAINER = re.compile(r"^[A-Z]{3}[UJZR]\d{7}$")


def _letter_value(ch: str) -> int:
    value = 10
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        if c == ch:
            return value
        value += 1
    raise NormalizationError(f"not a container letter: {ch!r}")


def container_check_digit(first10: str) -> int:
    """ISO 6346 check digit of owner code + category + 6-digit serial."""
    total = 0
    for i, ch in enumerate(first10.upper()):
        total += (int(ch) if ch.isdigit() else _letter_value(ch)) * (2**i)
    return total % 11 % 10


def is_valid_container_number(text: str) -> bool:
    """True when ``text`` (separators ignored) is ISO 6346 with a correct check digit."""
    cleaned = re.sub(r"[\s\-/.]", "", str(text)).upper()
    if not _CONTAINER.match(cleaned):
        return False
    return container_check_digit(cleaned[:10]) == int(cleaned[10])


def container_number(text: str, *, check: bool = True) -> str:
    """Upper case, separators removed; with ``check`` the ISO 6346 check digit must match."""
    cleaned = _unseparated(text)
    if not cleaned:
        raise NormalizationError("empty container number")
    if check and not is_valid_container_number(cleaned):
        raise NormalizationError(f"not a valid ISO 6346 container number: {text!r}")
    return cleaned


def container_numbers(value: str | Iterable[str], *, check: bool = False) -> str:
    """``"mscu1234565;tghu 000000-1"`` or a list → ``"MSCU1234565, TGHU0000001"``.

    Numbers are separated by commas, semicolons, new lines, a slash between spaces or two
    spaces; identifiers of one shape each, a space apart ("GP067VP GR701DQ", trailer and
    vehicle registrations), are two. An ISO 6346 number loses its separators ("TGHU 000000-1");
    without ``check`` another identifier is kept as written, upper case ("CN-1234228/34")."""
    items = _container_items(value) if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        if item and item.strip():
            number = container_identifier(item) if not check else container_number(item)
            if number not in out:
                out.append(number)
    return ", ".join(out)


_ISO_6346 = re.compile(r"[A-Z]{4}\d{7}")


def _container_items(value: str) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[,;\n]+|\s{2,}|\s+/\s+", value):
        tokens = part.split()
        if len(tokens) > 1 and not _ISO_6346.fullmatch(_unseparated(part)):
            if all(_identifier(t) for t in tokens):
                out.extend(tokens)
                continue
        out.append(part)
    return out


def _identifier(token: str) -> bool:
    """A registration or equipment number on its own: five characters or more, letters and
    digits."""
    return (
        len(token) >= 5 and any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token)
    )


def _unseparated(text: str) -> str:
    return re.sub(r"[\s\-/.]", "", str(text)).upper()


def container_identifier(text: str) -> str:
    """An ISO 6346 number without separators; any other identifier upper case, as written."""
    plain = _unseparated(text)
    if not plain:
        raise NormalizationError("empty container number")
    return plain if _ISO_6346.fullmatch(plain) else " ".join(text.split()).upper()


# ---------------------------------------------------------------------------- names

_LEGAL_FORMS = {
    "ltd", "limited", "llc", "inc", "incorporated", "corp", "corporation", "co", "company",
    "plc", "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "pty", "pte",
    "ab", "as", "asa", "oy", "aps", "sl", "slu", "kk", "cv", "de", "the", "and", "y", "e",
    "lda", "ltda", "sp", "zoo", "oao", "ooo", "pvt", "jsc", "llp", "lp", "sdn", "bhd", "tbk",
}  # fmt: skip
# Not legal forms: "Trading", "Group", "Holdings", "International" name the business, and
# "Coastal Trading K.K." stripped to "coastal" was within "Coastal Foods K.K." (held-out seed
# 254 c00091: a consignee switched on the declaration was accepted).


def normalize_text(text: str) -> str:
    """NFKC, collapsed whitespace, trimmed: the form free-text fields are stored in."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text))).strip()


def normalize_name(text: str) -> str:
    """Party name reduced for matching: no accents, case, punctuation or legal-form suffixes."""
    base = strip_accents(unicodedata.normalize("NFKC", str(text))).lower()
    base = base.replace("&", " and ")
    base = re.sub(r"(?<=\b[a-z])\.(?=[a-z]\.)", "", base)  # s.a. -> sa., p.t.y -> pty
    tokens = re.findall(r"\w+", base)
    kept = [t for t in tokens if t not in _LEGAL_FORMS]
    return " ".join(kept or tokens)


def name_similarity(a: str, b: str) -> float:
    """0..1 similarity of two party names after :func:`normalize_name` (token-order tolerant)."""
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    sa, sb = " ".join(sorted(na.split())), " ".join(sorted(nb.split()))
    ratio = max(SequenceMatcher(None, na, nb).ratio(), SequenceMatcher(None, sa, sb).ratio())
    ta, tb = set(na.split()), set(nb.split())
    if ta <= tb or tb <= ta:
        ratio = max(ratio, 0.9)
    return round(ratio, 4)
