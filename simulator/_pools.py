"""Value pools: countries, ports, companies, streets, commodities with HS codes, names.

Plain data, no logic. Every entry is invented (company and person names) or public reference
data (country names, port names, HS headings).
"""

from __future__ import annotations

COUNTRY_NAMES: dict[str, str] = {
    "AU": "Australia",
    "NZ": "New Zealand",
    "CN": "China",
    "US": "United States of America",
    "BR": "Brazil",
    "FR": "France",
    "TH": "Thailand",
    "CL": "Chile",
    "ZA": "South Africa",
    "NO": "Norway",
    "JP": "Japan",
    "KR": "Republic of Korea",
    "SG": "Singapore",
    "DE": "Germany",
    "NL": "Netherlands",
    "GB": "United Kingdom",
    "AE": "United Arab Emirates",
    "VN": "Viet Nam",
    "MY": "Malaysia",
    "ID": "Indonesia",
    "IN": "India",
    "CA": "Canada",
}

# destination country -> ports of entry (name printed on the certificate and the declaration)
PORTS: dict[str, tuple[str, ...]] = {
    "CN": ("Shanghai", "Ningbo", "Qingdao", "Tianjin", "Shenzhen", "Guangzhou", "Xiamen"),
    "JP": ("Tokyo", "Yokohama", "Osaka", "Kobe", "Nagoya"),
    "KR": ("Busan", "Incheon", "Gwangyang"),
    "SG": ("Singapore",),
    "DE": ("Hamburg", "Bremerhaven"),
    "NL": ("Rotterdam", "Amsterdam"),
    "GB": ("Felixstowe", "Southampton", "London Gateway"),
    "AE": ("Jebel Ali", "Abu Dhabi"),
    "VN": ("Ho Chi Minh City", "Hai Phong"),
    "MY": ("Port Klang", "Penang"),
    "ID": ("Tanjung Priok", "Surabaya"),
    "IN": ("Nhava Sheva", "Chennai", "Mundra"),
    "CA": ("Vancouver", "Montreal"),
    "US": ("Los Angeles", "Long Beach", "Newark", "Savannah", "Seattle"),
    "FR": ("Le Havre", "Marseille"),
    "AU": ("Melbourne", "Sydney", "Brisbane", "Fremantle"),
}

LOADING_PORTS: dict[str, tuple[str, ...]] = {
    "AU": ("Melbourne", "Sydney", "Brisbane", "Fremantle", "Adelaide"),
    "NZ": ("Tauranga", "Auckland", "Napier", "Lyttelton"),
    "CN": ("Shanghai", "Ningbo", "Qingdao", "Dalian"),
    "US": ("Oakland", "Seattle", "Savannah", "Norfolk"),
    "BR": ("Santos", "Paranagua", "Itajai", "Rio Grande"),
    "FR": ("Le Havre", "Marseille-Fos", "Bordeaux", "Dunkerque"),
    "TH": ("Laem Chabang", "Bangkok", "Songkhla"),
    "CL": ("San Antonio", "Valparaiso", "Coronel", "Puerto Montt"),
    "ZA": ("Durban", "Cape Town", "Port Elizabeth"),
    "NO": ("Alesund", "Bergen", "Oslo", "Tromso"),
}

CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "AU": (
        ("Port Melbourne VIC 3207", "Melbourne"),
        ("Mildura VIC 3500", "Mildura"),
        ("Shepparton VIC 3630", "Shepparton"),
        ("Griffith NSW 2680", "Griffith"),
        ("Stanthorpe QLD 4380", "Stanthorpe"),
        ("Manjimup WA 6258", "Manjimup"),
    ),
    "NZ": (
        ("Tauranga 3110", "Tauranga"),
        ("Hastings 4120", "Hastings"),
        ("Nelson 7010", "Nelson"),
        ("Te Puke 3119", "Te Puke"),
        ("Timaru 7910", "Timaru"),
    ),
    "CN": (
        ("Pudong, Shanghai 200120", "Shanghai"),
        ("Huangdao, Qingdao 266555", "Qingdao"),
        ("Yantian, Shenzhen 518083", "Shenzhen"),
        ("Beilun, Ningbo 315800", "Ningbo"),
    ),
    "US": (
        ("Wenatchee, WA 98801", "Wenatchee"),
        ("Fresno, CA 93721", "Fresno"),
        ("Omaha, NE 68102", "Omaha"),
        ("Yakima, WA 98901", "Yakima"),
    ),
    "BR": (
        ("Petrolina - PE, 56302-000", "Petrolina"),
        ("Chapeco - SC, 89801-000", "Chapeco"),
        ("Santos - SP, 11010-000", "Santos"),
        ("Cuiaba - MT, 78005-000", "Cuiaba"),
    ),
    "FR": (
        ("29200 Brest", "Brest"),
        ("13002 Marseille", "Marseille"),
        ("33000 Bordeaux", "Bordeaux"),
        ("76600 Le Havre", "Le Havre"),
        ("69007 Lyon", "Lyon"),
    ),
    "TH": (
        ("Samut Sakhon 74000", "Samut Sakhon"),
        ("Songkhla 90000", "Songkhla"),
        ("Chanthaburi 22000", "Chanthaburi"),
        ("Bangkok 10110", "Bangkok"),
    ),
    "CL": (
        ("Rancagua, Region de O'Higgins", "Rancagua"),
        ("Curico, Region del Maule", "Curico"),
        ("Puerto Montt, Region de Los Lagos", "Puerto Montt"),
        ("Santiago", "Santiago"),
    ),
    "ZA": (
        ("Paarl 7646, Western Cape", "Paarl"),
        ("Citrusdal 7340", "Citrusdal"),
        ("Durban 4001, KwaZulu-Natal", "Durban"),
        ("Cape Town 8001", "Cape Town"),
    ),
    "NO": (
        ("6002 Alesund", "Alesund"),
        ("5003 Bergen", "Bergen"),
        ("9008 Tromso", "Tromso"),
        ("0150 Oslo", "Oslo"),
    ),
}

STREETS = (
    "Harbour Road",
    "Industrial Avenue",
    "Station Street",
    "Riverside Drive",
    "Market Lane",
    "Export Park Road",
    "Orchard Way",
    "Wharf Street",
    "Commerce Boulevard",
    "Cold Store Road",
    "Logistics Drive",
    "Packhouse Lane",
    "Quay Street",
    "Airport Road",
    "Trade Centre Road",
)

FOREIGN_ADDRESSES: dict[str, tuple[str, ...]] = {
    "CN": (
        "No. 88 Yanggao Road, Pudong, Shanghai 200135",
        "Room 1203, 6 Xianggang Road, Qingdao",
        "18 Binhai Avenue, Tianjin 300450",
        "Building 3, 55 Shennan Road, Shenzhen 518000",
    ),
    "JP": ("2-4-1 Kaigan, Minato-ku, Tokyo 105-0022", "1-1 Honmachi, Chuo-ku, Osaka 541-0053"),
    "KR": ("77 Jungang-daero, Jung-gu, Busan 48939", "25 Incheon Tower-daero, Incheon 22008"),
    "SG": (
        "10 Pasir Panjang Road #08-01, Singapore 117438",
        "2 Jurong Port Road, Singapore 619088",
    ),
    "DE": ("Grosse Elbstrasse 145, 22767 Hamburg", "Am Lunedeich 12, 27572 Bremerhaven"),
    "NL": ("Waalhaven Z.z. 40, 3089 JH Rotterdam", "Moezelweg 180, 3198 LS Rotterdam"),
    "GB": ("Unit 4, Dock Road, Felixstowe IP11 3QW", "12 Western Avenue, Southampton SO15 0HH"),
    "AE": ("Plot S30104, Jebel Ali Free Zone, Dubai", "Office 1402, Khalifa Port, Abu Dhabi"),
    "VN": ("12 Nguyen Tat Thanh, District 4, Ho Chi Minh City", "45 Le Thanh Tong, Hai Phong"),
    "MY": ("Lot 5, Jalan Pelabuhan, 42000 Port Klang", "22 Lebuh Pantai, 10300 Penang"),
    "ID": ("Jl. Yos Sudarso 23, Tanjung Priok, Jakarta 14310", "Jl. Perak Timur 118, Surabaya"),
    "IN": ("Plot 7, JNPT Road, Navi Mumbai 400707", "34 Rajaji Salai, Chennai 600001"),
    "CA": ("1000 Commissioner Street, Vancouver BC V6A 1A9", "2100 Notre-Dame Est, Montreal QC"),
    "US": ("2201 E Carson Street, Long Beach, CA 90810", "450 Port Street, Newark, NJ 07114"),
    "FR": ("12 Quai de Southampton, 76600 Le Havre", "40 Boulevard de Dunkerque, 13002 Marseille"),
    "AU": ("15 Coode Road, Port Melbourne VIC 3207", "8 Foreshore Road, Botany NSW 2019"),
}

COMPANY_STEMS = (
    "Southern Cross",
    "Pacific Rim",
    "Golden Valley",
    "Blue Harbour",
    "Evergreen",
    "Silver Fern",
    "Red Earth",
    "Northwind",
    "Coastal",
    "Highland",
    "Sunrise",
    "Great Plains",
    "Oceanic",
    "Andes",
    "Cape Point",
    "Fjord",
    "Orchid",
    "Lotus",
    "Jade River",
    "Summit",
    "Riverbend",
    "Tasman",
    "Atlas",
    "Meridian",
    "Horizon",
    "Kingfisher",
    "Albatross",
    "Condor",
    "Baobab",
)
COMPANY_TRADES = (
    "Fresh Produce",
    "Agri Exports",
    "Seafood",
    "Meat Packers",
    "Foods",
    "Trading",
    "Orchards",
    "Fisheries",
    "Dairy",
    "Grain",
    "Cold Chain",
    "Farms",
    "Import & Export",
    "Provisions",
)
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "AU": ("Pty Ltd",),
    "NZ": ("Limited", "Ltd"),
    "CN": ("Co., Ltd.",),
    "US": ("Inc.", "LLC"),
    "BR": ("Ltda.", "S.A."),
    "FR": ("SAS", "SARL", "S.A."),
    "TH": ("Co., Ltd.", "Public Co., Ltd."),
    "CL": ("S.A.", "SpA", "Ltda."),
    "ZA": ("(Pty) Ltd",),
    "NO": ("AS", "ASA"),
    "JP": ("K.K.", "Co., Ltd."),
    "KR": ("Co., Ltd.",),
    "SG": ("Pte. Ltd.",),
    "DE": ("GmbH",),
    "NL": ("B.V.",),
    "GB": ("Ltd", "PLC"),
    "AE": ("LLC", "FZE"),
    "VN": ("JSC", "Co., Ltd."),
    "MY": ("Sdn. Bhd.",),
    "ID": ("PT",),
    "IN": ("Pvt. Ltd.",),
    "CA": ("Inc.", "Ltd."),
}

# (commodity printed, HS6, package kind, kg per package range, certificate types)
COMMODITIES: tuple[tuple[str, str, str, tuple[int, int], tuple[str, ...]], ...] = (
    ("Fresh apples (Malus domestica)", "080810", "cartons", (18, 20), ("phyto", "coo")),
    ("Fresh table grapes (Vitis vinifera)", "080610", "cartons", (8, 10), ("phyto", "coo")),
    ("Fresh kiwifruit (Actinidia chinensis)", "081050", "trays", (3, 4), ("phyto", "coo")),
    ("Fresh cherries (Prunus avium)", "080929", "cartons", (5, 5), ("phyto", "coo")),
    ("Fresh avocados (Persea americana)", "080440", "cartons", (4, 11), ("phyto", "coo")),
    ("Fresh oranges (Citrus sinensis)", "080510", "cartons", (15, 17), ("phyto", "coo")),
    ("Fresh durian (Durio zibethinus)", "081060", "cartons", (15, 20), ("phyto", "health")),
    ("Soya beans (Glycine max) for processing", "120190", "bags", (50, 60), ("phyto", "coo")),
    ("Unroasted coffee beans (Coffea arabica)", "090111", "bags", (60, 60), ("phyto", "coo")),
    ("Barley grain (Hordeum vulgare)", "100390", "bags", (50, 50), ("phyto",)),
    ("Frozen boneless beef cuts", "020230", "cartons", (25, 27), ("vet", "health", "coo")),
    ("Frozen pork cuts, bone in", "020329", "cartons", (20, 25), ("vet", "health")),
    ("Frozen chicken feet", "020714", "cartons", (10, 20), ("vet", "health")),
    ("Chilled lamb carcases", "020410", "cartons", (20, 25), ("vet", "health")),
    ("Whole milk powder, 26% fat", "040221", "bags", (25, 25), ("vet", "health", "coo")),
    (
        "Frozen Atlantic salmon, whole gutted (Salmo salar)",
        "030313",
        "boxes",
        (20, 25),
        ("catch", "health", "vet"),
    ),
    ("Frozen hake fillets (Merluccius spp.)", "030474", "cartons", (10, 20), ("catch", "health")),
    (
        "Frozen whiteleg shrimp (Penaeus vannamei)",
        "030617",
        "cartons",
        (10, 12),
        ("catch", "health"),
    ),
    ("Frozen Atlantic cod (Gadus morhua)", "030363", "boxes", (20, 25), ("catch", "health")),
    ("Frozen skipjack tuna (Katsuwonus pelamis)", "030343", "bags", (20, 25), ("catch", "health")),
    ("Canned tuna in vegetable oil", "160414", "cartons", (10, 18), ("health", "coo")),
    ("Red wine in bottles, 750 ml", "220421", "cases", (9, 9), ("coo",)),
    ("Greasy wool, shorn", "510111", "bales", (180, 200), ("coo", "vet")),
    ("Copper cathodes", "740311", "bundles", (2400, 2600), ("coo",)),
    ("Polished rice (Oryza sativa)", "100630", "bags", (25, 50), ("phyto", "coo")),
    (
        "Frozen Atlantic mackerel (Scomber scombrus)",
        "030354",
        "cartons",
        (20, 25),
        ("catch", "health"),
    ),
    (
        "Frozen Atlantic herring (Clupea harengus)",
        "030351",
        "cartons",
        (20, 25),
        ("catch", "health"),
    ),
    (
        "Frozen jack mackerel (Trachurus murphyi)",
        "030355",
        "cartons",
        (20, 25),
        ("catch", "health"),
    ),
)

# what each exporting country plausibly ships (HS6); empty intersection -> any commodity
ORIGIN_GOODS: dict[str, frozenset[str]] = {
    "AU": frozenset(
        {
            "080810",
            "080610",
            "080510",
            "080929",
            "100390",
            "020230",
            "020410",
            "040221",
            "510111",
            "220421",
        }
    ),
    "NZ": frozenset(
        {
            "081050",
            "080810",
            "080440",
            "080929",
            "020410",
            "020230",
            "040221",
            "510111",
            "220421",
            "030313",
        }
    ),
    "CN": frozenset({"080810", "100630", "030474", "030617", "160414", "740311"}),
    "US": frozenset(
        {"080810", "080929", "120190", "020230", "020329", "020714", "100390", "080510", "040221"}
    ),
    "BR": frozenset({"120190", "090111", "020230", "020714", "020329", "080510"}),
    "FR": frozenset({"220421", "020329", "040221", "100390", "080810", "020714"}),
    "TH": frozenset({"081060", "100630", "030617", "160414", "030343", "020714"}),
    "CL": frozenset(
        {"080610", "080929", "080440", "080810", "030313", "030474", "030355", "220421", "740311"}
    ),
    "ZA": frozenset(
        {"080510", "080610", "080810", "220421", "080440", "030474", "510111", "740311"}
    ),
    "NO": frozenset({"030313", "030363", "030354", "030351"}),
}

VESSELS = (
    "MSC AURORA",
    "MAERSK KENSINGTON",
    "COSCO SHIPPING ARIES",
    "CMA CGM TAGE",
    "ONE HARMONY",
    "EVER GENTLE",
    "HMM OSLO",
    "OOCL BRISBANE",
    "YM WELLNESS",
    "HAPAG EXPRESS LEIPZIG",
    "SANTOS EXPRESS",
    "NORTHERN JUVENILE",
    "KOTA PERMAI",
    "ANL WARRNAMBOOL",
    "POLAR ECUADOR",
)

CONTAINER_OWNERS = (
    "MSCU",
    "MAEU",
    "CMAU",
    "HLXU",
    "OOLU",
    "TGHU",
    "TCLU",
    "CSNU",
    "SEGU",
    "TRIU",
    "CAIU",
    "GESU",
)

GIVEN_NAMES: dict[str, tuple[str, ...]] = {
    "AU": ("Jane", "Michael", "Sarah", "David", "Emma", "Lachlan", "Olivia", "Peter"),
    "NZ": ("Aroha", "James", "Hannah", "Tane", "Sophie", "Liam", "Mere", "Andrew"),
    "CN": ("Wei", "Li Na", "Jun", "Xiaoming", "Fang", "Hao", "Mei", "Qiang"),
    "US": ("Robert", "Jennifer", "Carlos", "Ashley", "Thomas", "Maria", "Kevin", "Linda"),
    "BR": ("Joao", "Ana", "Paulo", "Fernanda", "Ricardo", "Juliana", "Marcos", "Beatriz"),
    "FR": ("Pierre", "Claire", "Nicolas", "Sophie", "Julien", "Camille", "Antoine", "Isabelle"),
    "TH": ("Somchai", "Siriporn", "Anan", "Kanya", "Prasert", "Malee", "Wichai", "Nong"),
    "CL": ("Cristobal", "Valentina", "Matias", "Francisca", "Sebastian", "Catalina", "Diego"),
    "ZA": ("Thabo", "Annelie", "Sipho", "Johan", "Nomvula", "Pieter", "Lerato", "Willem"),
    "NO": ("Ole", "Ingrid", "Lars", "Kari", "Magnus", "Sigrid", "Eirik", "Astrid"),
}
FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "AU": ("Citizen", "Walker", "Nguyen", "Thompson", "O'Brien", "Kelly", "Murray", "Fraser"),
    "NZ": ("Ngata", "Wilson", "Parata", "Campbell", "Reid", "Tane", "Harris", "Morgan"),
    "CN": ("Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Zhao", "Huang"),
    "US": ("Johnson", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Anderson", "Clark"),
    "BR": ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Almeida", "Ferreira"),
    "FR": ("Martin", "Bernard", "Dubois", "Lefebvre", "Moreau", "Laurent", "Fournier", "Girard"),
    "TH": ("Srisuk", "Chaiyaporn", "Boonmee", "Wongsawat", "Rattanakul", "Suksawat", "Thongdee"),
    "CL": ("Gonzalez", "Munoz", "Rojas", "Diaz", "Soto", "Contreras", "Araya", "Espinoza"),
    "ZA": ("Nkosi", "van der Merwe", "Dlamini", "Botha", "Mokoena", "Naidoo", "Pretorius"),
    "NO": ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Berg"),
}

PHYTO_TREATMENTS = (
    "Cold disinfestation: 1.0 C or below for 16 days",
    "Fumigation: methyl bromide 48 g/m3, 2 hours at 21 C",
    "Irradiation: minimum absorbed dose 400 Gy",
    "Vapour heat treatment: 47 C pulp temperature for 20 minutes",
    "None",
)

ADDITIONAL_DECLARATIONS = (
    "The consignment was inspected and found free from Bactrocera tryoni.",
    "The fruit was produced in a pest free area for Ceratitis capitata.",
    "The fruit was packed in an approved packing facility under official supervision.",
    "The commodity was grown in an area free from Tilletia indica.",
)
