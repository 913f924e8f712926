"""Certificate layouts: printed titles, labels, field order and style for each template.

A layout is what an issuing agency prints; ``template_json`` turns it into the registered
template (contract format) that label-anchored extraction reads it back with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SPLIT = {
    "consignor": ("consignor_name", "consignor_address"),
    "consignee": ("consignee_name", "consignee_address"),
}
DMY_STYLES = ("dmy_slash", "dmy_long", "iso", "dmy_dot")


@dataclass(frozen=True)
class Layout:
    id: str
    certificate_type: str
    country: str
    agency: str
    titles: tuple[str, ...]
    style: str  # boxes | lines | table
    labels: dict[str, str]
    rows: tuple[tuple[str, ...], ...]
    table: tuple[str, ...] = ()
    font: str = "Helvetica"
    value_font: str = "Helvetica"
    date_order: str = "DMY"
    date_styles: tuple[str, ...] = DMY_STYLES
    upper_countries: bool = False
    numbered: bool = False
    statement: str = ""
    alt_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    subtitle: str = ""

    def field_names(self) -> list[str]:
        return [f for row in self.rows for f in row] + list(self.table)

    def has(self, name: str) -> bool:
        return name in self.field_names()


# The format of each country's certificate numbers (``values._certificate_number``), registered
# with the templates as the field's ``pattern``.
NUMBER_FORMATS = {
    "AU": r"AU-\d{4}-\d{6}",
    "NZ": r"NZ\d{2}/\d{6}",
    "CN": r"CCPIT\d{9}",
    "US": r"E-\d{3}-\d{7}",
    "BR": r"\d{6}/\d{4}",
    "FR": r"FR-[A-Z]+-\d{4}-\d{6}",
    "TH": r"TH-DOF-\d{2}-\d{6}",
    "CL": r"CL\d{11}",
    "ZA": r"ZA\d{8}",
    "NO": r"NO-\d{4}-\d{6}",
}


def template_json(layout: Layout) -> dict[str, Any]:
    """The registered template for ``layout`` in the CLI contract's format."""
    fields: list[dict[str, Any]] = []
    for name in layout.field_names():
        printed = layout.labels[name]
        labels = [printed, *[a for a in layout.alt_labels.get(name, ()) if a != printed]]
        entry: dict[str, Any] = {"name": name, "labels": labels}
        if name in SPLIT:
            entry["split_lines"] = list(SPLIT[name])
        if name == "certificate_number" and layout.country in NUMBER_FORMATS:
            entry["pattern"] = NUMBER_FORMATS[layout.country]
        fields.append(entry)
    doc: dict[str, Any] = {
        "id": layout.id,
        "certificate_type": layout.certificate_type,
        "issuing_country": layout.country,
        "agency": layout.agency,
        "titles": list(layout.titles),
        "fields": fields,
    }
    if layout.date_order != "DMY":
        doc["date_order"] = layout.date_order
    return doc


def _bi(labels: dict[str, tuple[str, str]], first: str = "en") -> tuple[dict, dict]:
    """Bilingual labels 'English / Other' (or the other way round) plus each half as alias."""
    printed, alts = {}, {}
    for k, (en, other) in labels.items():
        printed[k] = f"{en} / {other}" if first == "en" else f"{other} / {en}"
        alts[k] = (en, other)
    return printed, alts


_PHYTO_STATEMENT = (
    "This is to certify that the plants, plant products or other regulated articles described "
    "herein have been inspected and/or tested according to appropriate official procedures and "
    "are considered to be free from the quarantine pests specified by the importing contracting "
    "party and to conform with the current phytosanitary requirements of the importing "
    "contracting party, including those for regulated non-quarantine pests."
)
_VET_STATEMENT = (
    "I, the undersigned certifying veterinarian, hereby certify that the products described above "
    "were derived from animals which passed ante-mortem and post-mortem inspection, were "
    "processed in an approved establishment under official supervision and are fit for human "
    "consumption."
)
_HEALTH_STATEMENT = (
    "The competent authority certifies that the products described above were produced, "
    "processed, stored and transported under hygienic conditions in accordance with the "
    "legislation of the exporting country and are fit for human consumption."
)
_CATCH_STATEMENT = (
    "I hereby validate that the above information is complete, true and correct to the best of "
    "my knowledge and belief, and that the catches were made in accordance with applicable "
    "conservation and management measures."
)
_COO_STATEMENT = (
    "It is hereby certified, on the basis of control carried out, that the declaration by the "
    "exporter is correct and that the goods described above originate in the country shown."
)

_PHYTO_EN = {
    "certificate_number": "Certificate No.",
    "consignor": "Name and address of exporter",
    "consignee": "Declared name and address of consignee",
    "destination_country": "To: Plant Protection Organization(s) of",
    "origin_country": "Place of origin",
    "means_of_transport": "Declared means of conveyance",
    "port_of_entry": "Declared point of entry",
    "container_numbers": "Distinguishing marks",
    "packages": "Number and description of packages",
    "commodity": "Name of produce and botanical name of plants",
    "net_weight_kg": "Quantity declared",
    "hs_code": "HS code",
    "establishment_number": "Registered packhouse",
    "place_of_issue": "Place of issue",
    "issue_date": "Date of issue",
    "expiry_date": "Valid until",
    "officer_name": "Name of authorized officer",
}
_PHYTO_ROWS = (
    ("consignor", "certificate_number"),
    ("consignee", "destination_country"),
    ("origin_country", "port_of_entry"),
    ("means_of_transport", "container_numbers"),
    ("packages", "net_weight_kg"),
    ("commodity",),
    ("hs_code", "establishment_number"),
)
_SIGN_ROWS = (("place_of_issue", "issue_date"), ("officer_name",))

_PHYTO_ES, _PHYTO_ES_ALT = _bi(
    {
        "certificate_number": ("Certificate No.", "Certificado N°"),
        "consignor": ("Name and address of exporter", "Nombre y direccion del exportador"),
        "consignee": ("Name and address of consignee", "Nombre y direccion del destinatario"),
        "destination_country": ("Country of destination", "Pais de destino"),
        "origin_country": ("Place of origin", "Lugar de origen"),
        "means_of_transport": ("Means of conveyance", "Medio de transporte"),
        "port_of_entry": ("Point of entry", "Punto de ingreso"),
        "container_numbers": ("Distinguishing marks", "Marcas distintivas"),
        "packages": ("Number and description of packages", "Numero y descripcion de bultos"),
        "commodity": ("Name of produce", "Nombre del producto"),
        "net_weight_kg": ("Net weight", "Peso neto"),
        "hs_code": ("HS code", "Codigo SA"),
        "establishment_number": ("Packing plant code", "Codigo de planta"),
        "place_of_issue": ("Place of issue", "Lugar de expedicion"),
        "issue_date": ("Date of issue", "Fecha de expedicion"),
        "officer_name": ("Authorized officer", "Inspector autorizado"),
    },
    first="es",
)

_VET_FR, _VET_FR_ALT = _bi(
    {
        "certificate_number": ("Certificate reference number", "Numero de reference du certificat"),
        "consignor": ("Consignor", "Expediteur"),
        "consignee": ("Consignee", "Destinataire"),
        "origin_country": ("Country of origin", "Pays d'origine"),
        "destination_country": ("Country of destination", "Pays de destination"),
        "establishment_number": ("Approval number of establishment", "Numero d'agrement"),
        "commodity": ("Description of commodity", "Description de la marchandise"),
        "hs_code": ("Commodity code (HS)", "Code marchandise (SH)"),
        "packages": ("Number of packages", "Nombre de colis"),
        "net_weight_kg": ("Net weight", "Poids net"),
        "means_of_transport": ("Means of transport", "Moyen de transport"),
        "container_numbers": ("Container number(s)", "Numero(s) de conteneur"),
        "port_of_entry": ("Point of entry", "Point d'entree"),
        "place_of_issue": ("Issued at", "Delivre a"),
        "issue_date": ("Date of signature", "Date de signature"),
        "expiry_date": ("Valid until", "Valable jusqu'au"),
        "officer_name": ("Official veterinarian", "Veterinaire officiel"),
    },
    first="fr",
)

_VET_PT, _VET_PT_ALT = _bi(
    {
        "certificate_number": ("Certificate No.", "Certificado No."),
        "consignor": ("Exporter", "Exportador"),
        "consignee": ("Importer", "Importador"),
        "origin_country": ("Country of origin", "Pais de origem"),
        "destination_country": ("Country of destination", "Pais de destino"),
        "establishment_number": ("Establishment registration (SIF)", "Registro do estabelecimento"),
        "commodity": ("Description of the product", "Descricao do produto"),
        "hs_code": ("NCM / HS code", "Codigo NCM"),
        "packages": ("Number of packages", "Quantidade de volumes"),
        "net_weight_kg": ("Net weight", "Peso liquido"),
        "means_of_transport": ("Means of transport", "Meio de transporte"),
        "container_numbers": ("Container", "Conteiner"),
        "port_of_entry": ("Port of destination", "Porto de destino"),
        "place_of_issue": ("Place of issue", "Local de emissao"),
        "issue_date": ("Date of issue", "Data de emissao"),
        "expiry_date": ("Validity", "Validade"),
        "officer_name": ("Federal veterinary inspector", "Fiscal federal agropecuario"),
    },
    first="en",
)

_CATCH_ES, _CATCH_ES_ALT = _bi(
    {
        "certificate_number": ("Document number", "Numero de documento"),
        "consignor": ("Exporter", "Exportador"),
        "consignee": ("Importer", "Importador"),
        "origin_country": ("Flag State", "Estado de pabellon"),
        "commodity": ("Species", "Especie"),
        "hs_code": ("Product code", "Codigo del producto"),
        "packages": ("Packages", "Bultos"),
        "net_weight_kg": ("Verified weight (kg)", "Peso verificado (kg)"),
        "means_of_transport": ("Transport details", "Detalles del transporte"),
        "container_numbers": ("Container numbers", "Numeros de contenedor"),
        "port_of_entry": ("Port of discharge", "Puerto de descarga"),
        "establishment_number": ("Processing plant", "Planta de proceso"),
        "place_of_issue": ("Place of validation", "Lugar de validacion"),
        "issue_date": ("Date of validation", "Fecha de validacion"),
        "officer_name": ("Validating official", "Funcionario validador"),
    },
    first="en",
)

_VET_EN = {
    "certificate_number": "Certificate reference No.",
    "consignor": "Name and address of consignor",
    "consignee": "Name and address of consignee",
    "origin_country": "Country of origin",
    "destination_country": "Country of destination",
    "establishment_number": "Approval number of establishment",
    "means_of_transport": "Means of transport",
    "container_numbers": "Container No(s).",
    "port_of_entry": "Port of entry",
    "commodity": "Description of commodity",
    "hs_code": "HS code",
    "packages": "Number of packages",
    "net_weight_kg": "Net weight (kg)",
    "place_of_issue": "Place of signing",
    "issue_date": "Date of signing",
    "expiry_date": "Valid until",
    "officer_name": "Official veterinarian",
}
_COO_EN = {
    "certificate_number": "Certificate No.",
    "consignor": "Exporter (name, full address, country)",
    "consignee": "Consignee (name, full address, country)",
    "means_of_transport": "Means of transport and route",
    "port_of_entry": "Port of discharge",
    "destination_country": "Importing country",
    "origin_country": "Country of origin",
    "container_numbers": "Marks and numbers on packages",
    "commodity": "Description of goods",
    "hs_code": "HS code",
    "packages": "Number and kind of packages",
    "net_weight_kg": "Net weight",
    "place_of_issue": "Place of certification",
    "issue_date": "Date of certification",
    "officer_name": "Certifying officer",
}
_HEALTH_EN = {
    "certificate_number": "Health Certificate No.",
    "consignor": "Exporter",
    "consignee": "Consignee",
    "origin_country": "Country of origin",
    "destination_country": "Country of destination",
    "establishment_number": "Establishment approval No.",
    "commodity": "Product description",
    "hs_code": "Tariff code",
    "packages": "Packages",
    "net_weight_kg": "Net weight (kg)",
    "means_of_transport": "Vessel / voyage",
    "container_numbers": "Container numbers",
    "port_of_entry": "Port of discharge",
    "place_of_issue": "Place of issue",
    "issue_date": "Date of issue",
    "expiry_date": "Expiry date",
    "officer_name": "Authorised officer",
}
_CATCH_EN = {
    "certificate_number": "Catch certificate number",
    "consignor": "Exporter",
    "consignee": "Importer",
    "origin_country": "Flag State",
    "commodity": "Species",
    "hs_code": "Product code",
    "packages": "Number of packages",
    "net_weight_kg": "Verified weight landed (kg)",
    "means_of_transport": "Transport details",
    "container_numbers": "Container numbers",
    "port_of_entry": "Port of discharge",
    "establishment_number": "Processing plant approval number",
    "place_of_issue": "Place of validation",
    "issue_date": "Date of validation",
    "expiry_date": "Valid until",
    "officer_name": "Validating authority officer",
}

_LINES_ORDER = (
    ("certificate_number",),
    ("consignor",),
    ("consignee",),
    ("origin_country",),
    ("destination_country",),
    ("means_of_transport",),
    ("port_of_entry",),
    ("container_numbers",),
    ("commodity",),
    ("hs_code",),
    ("packages",),
    ("net_weight_kg",),
    ("establishment_number",),
)
_TABLE_GOODS = ("commodity", "hs_code", "packages", "net_weight_kg")


def _without(rows: tuple[tuple[str, ...], ...], *names: str) -> tuple[tuple[str, ...], ...]:
    out = []
    for row in rows:
        kept = tuple(f for f in row if f not in names)
        if kept:
            out.append(kept)
    return tuple(out)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "AU-PHYTO-2025",
        "phytosanitary",
        "AU",
        "AU-DAFF",
        ("PHYTOSANITARY CERTIFICATE",),
        "boxes",
        _PHYTO_EN,
        _PHYTO_ROWS + (("expiry_date",),) + _SIGN_ROWS,
        numbered=True,
        statement=_PHYTO_STATEMENT,
        subtitle="Plant Protection Organization of Australia",
    ),
    Layout(
        "NZ-PHYTO-2024",
        "phytosanitary",
        "NZ",
        "NZ-MPI",
        ("PHYTOSANITARY CERTIFICATE",),
        "lines",
        _PHYTO_EN,
        _LINES_ORDER + _SIGN_ROWS,
        font="Times-Roman",
        value_font="Courier",
        statement=_PHYTO_STATEMENT,
        upper_countries=True,
        subtitle="Plant Protection Organisation of New Zealand",
    ),
    Layout(
        "CL-PHYTO-2023",
        "phytosanitary",
        "CL",
        "CL-SAG",
        ("CERTIFICADO FITOSANITARIO", "PHYTOSANITARY CERTIFICATE"),
        "boxes",
        _PHYTO_ES,
        _without(_PHYTO_ROWS, "expiry_date") + _SIGN_ROWS,
        alt_labels=_PHYTO_ES_ALT,
        numbered=True,
        statement=_PHYTO_STATEMENT,
        subtitle="Gobierno de Chile",
    ),
    Layout(
        "US-PHYTO-2024",
        "phytosanitary",
        "US",
        "US-APHIS",
        ("PHYTOSANITARY CERTIFICATE",),
        "boxes",
        _PHYTO_EN,
        _PHYTO_ROWS + _SIGN_ROWS,
        value_font="Courier",
        date_order="MDY",
        date_styles=("mdy_slash", "mdy_long"),
        numbered=True,
        statement=_PHYTO_STATEMENT,
        upper_countries=True,
        subtitle="United States Department of Agriculture",
    ),
    Layout(
        "FR-VET-2024",
        "veterinary_health",
        "FR",
        "FR-DGAL",
        ("CERTIFICAT SANITAIRE VETERINAIRE", "VETERINARY HEALTH CERTIFICATE"),
        "lines",
        _VET_FR,
        _LINES_ORDER + (("expiry_date",),) + _SIGN_ROWS,
        alt_labels=_VET_FR_ALT,
        font="Times-Roman",
        statement=_VET_STATEMENT,
        subtitle="Republique Francaise",
    ),
    Layout(
        "NZ-VET-2025",
        "veterinary_health",
        "NZ",
        "NZ-MPI",
        ("VETERINARY CERTIFICATE",),
        "table",
        _VET_EN,
        _without(_LINES_ORDER, *_TABLE_GOODS) + (("expiry_date",),) + _SIGN_ROWS,
        table=_TABLE_GOODS,
        statement=_VET_STATEMENT,
        subtitle="Ministry for Primary Industries - Animal Products",
    ),
    Layout(
        "BR-VET-2024",
        "veterinary_health",
        "BR",
        "BR-MAPA",
        ("CERTIFICADO SANITARIO INTERNACIONAL", "INTERNATIONAL HEALTH CERTIFICATE"),
        "boxes",
        _VET_PT,
        _PHYTO_ROWS[:4]
        + (
            ("commodity",),
            ("packages", "net_weight_kg"),
            ("hs_code", "establishment_number"),
            ("expiry_date",),
        )
        + _SIGN_ROWS,
        alt_labels=_VET_PT_ALT,
        statement=_VET_STATEMENT,
        subtitle="Republica Federativa do Brasil",
    ),
    Layout(
        "CN-COO-2024",
        "certificate_of_origin",
        "CN",
        "CN-CCPIT",
        ("CERTIFICATE OF ORIGIN",),
        "boxes",
        _COO_EN,
        (
            ("consignor", "certificate_number"),
            ("consignee", "origin_country"),
            ("means_of_transport", "destination_country"),
            ("port_of_entry", "container_numbers"),
            ("commodity",),
            ("hs_code", "packages"),
            ("net_weight_kg",),
        )
        + _SIGN_ROWS,
        numbered=True,
        statement=_COO_STATEMENT,
        subtitle="The People's Republic of China",
    ),
    Layout(
        "ZA-COO-2023",
        "certificate_of_origin",
        "ZA",
        "ZA-SACCI",
        ("CERTIFICATE OF ORIGIN",),
        "table",
        _COO_EN,
        _without(_LINES_ORDER, *_TABLE_GOODS, "establishment_number") + _SIGN_ROWS,
        table=_TABLE_GOODS,
        font="Times-Roman",
        statement=_COO_STATEMENT,
        upper_countries=True,
        subtitle="South African Chamber of Commerce and Industry",
    ),
    Layout(
        "TH-HEALTH-2024",
        "health",
        "TH",
        "TH-DOF",
        ("HEALTH CERTIFICATE",),
        "table",
        _HEALTH_EN,
        _without(_LINES_ORDER, *_TABLE_GOODS) + (("expiry_date",),) + _SIGN_ROWS,
        table=_TABLE_GOODS,
        statement=_HEALTH_STATEMENT,
        subtitle="Fish Inspection and Quality Control Division",
    ),
    Layout(
        "AU-HEALTH-2024",
        "health",
        "AU",
        "AU-DAFF",
        ("OFFICIAL HEALTH CERTIFICATE", "FOOD FOR HUMAN CONSUMPTION"),
        "lines",
        _HEALTH_EN,
        _LINES_ORDER + (("expiry_date",),) + _SIGN_ROWS,
        statement=_HEALTH_STATEMENT,
        subtitle="Export Control Act 2020",
    ),
    Layout(
        "NO-CATCH-2024",
        "fishery_catch",
        "NO",
        "NO-FDIR",
        ("CATCH CERTIFICATE",),
        "lines",
        _CATCH_EN,
        _without(_LINES_ORDER, "destination_country") + _SIGN_ROWS,
        font="Times-Roman",
        value_font="Courier",
        statement=_CATCH_STATEMENT,
        upper_countries=True,
        subtitle="Kingdom of Norway",
    ),
    Layout(
        "CL-CATCH-2024",
        "fishery_catch",
        "CL",
        "CL-SERNAPESCA",
        ("CERTIFICADO DE CAPTURA", "CATCH CERTIFICATE"),
        "table",
        _CATCH_ES,
        _without(_LINES_ORDER, *_TABLE_GOODS, "destination_country") + _SIGN_ROWS,
        table=_TABLE_GOODS,
        alt_labels=_CATCH_ES_ALT,
        statement=_CATCH_STATEMENT,
        subtitle="Gobierno de Chile",
    ),
    Layout(
        "NO-HEALTH-2025",
        "health",
        "NO",
        "NO-MATTILSYNET",
        ("HEALTH CERTIFICATE",),
        "boxes",
        _HEALTH_EN,
        _PHYTO_ROWS[:4]
        + (
            ("commodity",),
            ("packages", "net_weight_kg"),
            ("hs_code", "establishment_number"),
            ("expiry_date",),
        )
        + _SIGN_ROWS,
        font="Times-Roman",
        statement=_HEALTH_STATEMENT,
        subtitle="Norwegian Food Safety Authority",
    ),
)
LAYOUTS_BY_ID = {layout.id: layout for layout in LAYOUTS}
