"""`arrears generate`: a synthetic but realistic loan book for demos, tests and benchmarks.

The book spans Spanish, Chinese and English speaking markets. It is written as the five import
files described in docs/import-formats.md plus ``profiles`` (the ground truth behind each
borrower's payment behaviour, which the importer never sees).

Design notes
------------
* ``accounts`` counts loan accounts. Most borrowers hold one loan, some two.
* Strings (names, streets, employers) come from Faker, but Faker is only called to fill small
  pools per locale once; rows sample from the pools, so a million accounts stays affordable.
* Numbers that matter are vectorised with numpy: schedules (French amortisation in integer minor
  units, half-even rounding) and payments (simulated per behaviour, never after ``as_of``).
* Money never passes through float on its way out: amounts are int64 minor units, written as
  ``decimal128`` (Parquet) or decimal text (CSV).
* Deterministic: every random draw comes from generators seeded by ``seed`` (and the chunk
  number), so the same (accounts, as_of, seed) gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from faker import Faker

from arrears.domain.errors import InvalidInput
from arrears.domain.money import minor_units

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]
    FloatArray = npt.NDArray[np.float64]

Format = Literal["csv", "parquet"]

FILE_KINDS: Final = (
    "borrowers",
    "related-parties",
    "loans",
    "installments",
    "payments",
    "profiles",
)
BEHAVIOURS: Final = (
    "on_time",
    "payday_mismatch",
    "partial",
    "missed_run",
    "sporadic",
    "cured",
    "never_paid",
)
DEBTOR_TYPES: Final = ("cooperative", "lost_contact", "able_unwilling", "willing_unable")
REASON_CODES: Final = (
    "payday_mismatch",
    "debit_failure",
    "income_loss",
    "business_receivables",
    "dispute",
    "forgot",
    "unwilling",
    "third_party_use",
    "none",
)
PRODUCTS: Final = ("personal", "card", "sme", "auto")
CHANNELS: Final = ("debit", "transfer", "card", "cash", "agency", "other")

ON_TIME, PAYDAY, PARTIAL, MISSED_RUN, SPORADIC, CURED, NEVER_PAID = range(7)
PERSONAL, CARD, SME, AUTO = range(4)
DEBIT, TRANSFER, CARD_CH, CASH, AGENCY, OTHER = range(6)

#: Share of borrowers per behaviour (same order as BEHAVIOURS). Tuned so that about 80 % of
#: loans are current at ``as_of`` and the rest spread over M1..M7 with a long tail.
BEHAVIOUR_MIX: Final = (0.655, 0.09, 0.05, 0.085, 0.04, 0.05, 0.03)

#: (debtor type, reason code, weight) per behaviour; see docs/generator.md.
_PROFILE_OPTIONS: Final[dict[int, tuple[tuple[str, str, float], ...]]] = {
    ON_TIME: (("cooperative", "none", 1.0),),
    PAYDAY: (("cooperative", "payday_mismatch", 1.0),),
    PARTIAL: (
        ("willing_unable", "income_loss", 0.85),
        ("able_unwilling", "dispute", 0.15),
    ),
    MISSED_RUN: (
        ("lost_contact", "none", 0.35),
        ("willing_unable", "income_loss", 0.35),
        ("able_unwilling", "unwilling", 0.15),
        ("able_unwilling", "dispute", 0.15),
    ),
    SPORADIC: (("willing_unable", "income_loss", 1.0),),
    CURED: (
        ("cooperative", "forgot", 0.4),
        ("cooperative", "debit_failure", 0.4),
        ("willing_unable", "income_loss", 0.2),
    ),
    NEVER_PAID: (
        ("able_unwilling", "unwilling", 0.4),
        ("lost_contact", "third_party_use", 0.35),
        ("able_unwilling", "dispute", 0.1),
        ("lost_contact", "none", 0.15),
    ),
}

_EPOCH: Final = dt.date(1970, 1, 1)
_BORROWERS_PER_CHUNK: Final = 40_000
_SECOND_LOAN_SHARE: Final = 0.12
_DUE_DAYS: Final = (1, 5, 10, 15, 20, 25, 28)
_DUE_DAY_WEIGHTS: Final = (0.22, 0.18, 0.15, 0.15, 0.1, 0.12, 0.08)
_PRODUCT_MIX: Final = (0.45, 0.28, 0.1, 0.17)
_TERMS: Final[dict[int, tuple[tuple[int, ...], tuple[float, ...]]]] = {
    PERSONAL: ((6, 12, 18, 24), (0.1, 0.5, 0.2, 0.2)),
    CARD: ((6, 12), (0.35, 0.65)),
    SME: ((12, 18, 24), (0.45, 0.3, 0.25)),
    AUTO: ((12, 18, 24), (0.25, 0.3, 0.45)),
}
#: Annual rate in basis points: (low, mode, high) of a triangular distribution.
_RATES_BP: Final[dict[int, tuple[int, int, int]]] = {
    PERSONAL: (800, 1300, 2400),
    CARD: (1800, 2600, 3600),
    SME: (800, 1100, 1800),
    AUTO: (800, 1000, 1500),
}
#: Principal in EUR-equivalent: (median, log-sigma).
_PRINCIPAL_EUR: Final[dict[int, tuple[float, float]]] = {
    PERSONAL: (6_000.0, 0.7),
    CARD: (2_500.0, 0.6),
    SME: (14_000.0, 0.55),
    AUTO: (13_000.0, 0.45),
}
#: Per-row probabilities of the rarer payment events.
_OVERPAY_SHARE: Final = 0.012
_SPLIT_SHARE: Final = 0.01
_DEBIT_RETRY_SHARE: Final = 0.02


@dataclass(frozen=True, slots=True)
class _Currency:
    code: str
    fx: float  # units per EUR, used only to scale principal ranges
    step: int  # principal is a multiple of this many major units
    low: int  # principal bounds in major units
    high: int
    card_fee: str  # monthly card fee, decimal text in major units


_CURRENCIES: Final = {
    "EUR": _Currency("EUR", 1.0, 50, 500, 30_000, "3.00"),
    "MXN": _Currency("MXN", 18.0, 500, 9_000, 540_000, "59.00"),
    "CNY": _Currency("CNY", 7.0, 500, 5_000, 200_000, "20.00"),
    "TWD": _Currency("TWD", 28.0, 1_000, 20_000, 800_000, "100.00"),
    "USD": _Currency("USD", 1.1, 50, 500, 35_000, "3.50"),
    "GBP": _Currency("GBP", 0.85, 50, 500, 25_000, "2.50"),
}


@dataclass(frozen=True, slots=True)
class _City:
    name: str
    postal: tuple[str, ...]  # postal-code prefixes (GB: postcode areas)
    area: tuple[tuple[str, int], ...]  # landline prefixes of the national number, with its length
    ident: str = ""  # market-specific: CN division code, TW id letter, MX state code


@dataclass(frozen=True, slots=True)
class _Region:
    name: str
    zone: str
    weight: float
    cities: tuple[_City, ...]


@dataclass(frozen=True, slots=True)
class _Market:
    country: str
    language: str
    locale: str
    currency: str
    weight: float
    calling_code: int
    #: Mobile prefixes of the national number with its length; empty where mobiles share the
    #: geographic area codes (US, MX).
    mobile: tuple[tuple[str, int], ...]
    names: Literal["es", "zh", "en"]
    email_domains: tuple[str, ...]
    single_zone: bool
    regions: tuple[_Region, ...]


def _regions(table: str) -> tuple[_Region, ...]:
    """Parse a region table: a ``region | zone | weight`` line, then its cities, indented, as
    ``city @ postal prefixes @ landline prefix:length, ... @ id code``.

    A landline prefix is the start of the national (significant) number in that city and the
    length is the national number's; the id code is the city's part of a national id.
    """
    regions: list[_Region] = []
    header: list[str] = []
    cities: list[_City] = []
    for line in [*table.strip().splitlines(), "end | | 0"]:
        if not line.startswith(" "):
            if header:
                regions.append(_Region(header[0], header[1], float(header[2]), tuple(cities)))
            header, cities = [part.strip() for part in line.split("|")], []
            continue
        name, postal, areas, *ident = (part.strip() for part in line.split("@"))
        area = tuple((a.split(":")[0], int(a.split(":")[1])) for a in areas.split(","))
        cities.append(_City(name, tuple(postal.split(",")), area, "".join(ident)))
    return tuple(regions)


_ES_REGIONS = """
Madrid | Europe/Madrid | 14
    Madrid @ 280 @ 91:9
    Móstoles @ 289 @ 91:9
    Alcalá de Henares @ 288 @ 91:9
    Getafe @ 289 @ 91:9
Barcelona | Europe/Madrid | 11
    Barcelona @ 080 @ 93:9
    L'Hospitalet de Llobregat @ 089 @ 93:9
    Badalona @ 089 @ 93:9
    Sabadell @ 082 @ 93:9
Valencia | Europe/Madrid | 5
    València @ 460 @ 96:9
    Torrent @ 469 @ 96:9
Sevilla | Europe/Madrid | 4
    Sevilla @ 410 @ 954:9
    Dos Hermanas @ 417 @ 955:9
Málaga | Europe/Madrid | 3.5
    Málaga @ 290 @ 952:9
    Marbella @ 296 @ 952:9
Bizkaia | Europe/Madrid | 2.3
    Bilbao @ 480 @ 94:9
    Barakaldo @ 489 @ 94:9
Zaragoza | Europe/Madrid | 2
    Zaragoza @ 500 @ 976:9
Murcia | Europe/Madrid | 3
    Murcia @ 300 @ 968:9
    Cartagena @ 302 @ 968:9
Alicante | Europe/Madrid | 3.8
    Alicante @ 030 @ 965:9
    Elche @ 032 @ 966:9
Illes Balears | Europe/Madrid | 2.4
    Palma @ 070 @ 971:9
A Coruña | Europe/Madrid | 2.2
    A Coruña @ 150 @ 981:9
    Santiago de Compostela @ 157 @ 981:9
Asturias | Europe/Madrid | 2
    Oviedo @ 330 @ 985:9
    Gijón @ 332 @ 985:9
Las Palmas | Atlantic/Canary | 2.2
    Las Palmas de Gran Canaria @ 350 @ 928:9
    Telde @ 352 @ 928:9
Santa Cruz de Tenerife | Atlantic/Canary | 2.1
    Santa Cruz de Tenerife @ 380 @ 922:9
    San Cristóbal de La Laguna @ 382 @ 922:9
"""

_MX_REGIONS = """
Ciudad de México | America/Mexico_City | 9.2
    Ciudad de México @ 03,06,11,14 @ 55:10 @ DF
Estado de México | America/Mexico_City | 17
    Toluca @ 50 @ 722:10 @ MC
    Naucalpan @ 53 @ 55:10 @ MC
    Ecatepec @ 55 @ 55:10 @ MC
Jalisco | America/Mexico_City | 8.3
    Guadalajara @ 44 @ 33:10 @ JC
    Zapopan @ 45 @ 33:10 @ JC
    Puerto Vallarta @ 48 @ 322:10 @ JC
Nuevo León | America/Monterrey | 5.8
    Monterrey @ 64 @ 81:10 @ NL
    San Nicolás de los Garza @ 66 @ 81:10 @ NL
Puebla | America/Mexico_City | 6.6
    Puebla @ 72 @ 222:10 @ PL
Guanajuato | America/Mexico_City | 6.2
    León @ 37 @ 477:10 @ GT
    Irapuato @ 36 @ 462:10 @ GT
Veracruz | America/Mexico_City | 8.1
    Veracruz @ 91 @ 229:10 @ VZ
    Xalapa @ 91 @ 228:10 @ VZ
Yucatán | America/Merida | 2.3
    Mérida @ 97 @ 999:10 @ YN
Quintana Roo | America/Cancun | 1.9
    Cancún @ 77 @ 998:10 @ QR
    Playa del Carmen @ 77 @ 984:10 @ QR
Baja California | America/Tijuana | 3.8
    Tijuana @ 22 @ 664:10 @ BC
    Mexicali @ 21 @ 686:10 @ BC
Sonora | America/Hermosillo | 2.9
    Hermosillo @ 83 @ 662:10 @ SR
Sinaloa | America/Mazatlan | 3
    Culiacán @ 80 @ 667:10 @ SL
    Mazatlán @ 82 @ 669:10 @ SL
Chihuahua | America/Chihuahua | 1.5
    Chihuahua @ 31 @ 614:10 @ CH
"""

_CN_REGIONS = """
北京市 | Asia/Shanghai | 22
    北京市 @ 100 @ 10:10 @ 110105
上海市 | Asia/Shanghai | 25
    上海市 @ 200 @ 21:10 @ 310115
广东省 | Asia/Shanghai | 60
    广州市 @ 510 @ 20:10 @ 440106
    深圳市 @ 518 @ 755:11 @ 440304
    东莞市 @ 523 @ 769:11 @ 441900
浙江省 | Asia/Shanghai | 30
    杭州市 @ 310 @ 571:11 @ 330106
    宁波市 @ 315 @ 574:11 @ 330203
江苏省 | Asia/Shanghai | 35
    南京市 @ 210 @ 25:10 @ 320102
    苏州市 @ 215 @ 512:11 @ 320505
四川省 | Asia/Shanghai | 25
    成都市 @ 610 @ 28:10 @ 510104
湖北省 | Asia/Shanghai | 18
    武汉市 @ 430 @ 27:10 @ 420102
山东省 | Asia/Shanghai | 30
    济南市 @ 250 @ 531:11 @ 370102
    青岛市 @ 266 @ 532:11 @ 370202
河南省 | Asia/Shanghai | 20
    郑州市 @ 450 @ 371:11 @ 410102
重庆市 | Asia/Shanghai | 16
    重庆市 @ 400 @ 23:10 @ 500103
"""

_TW_REGIONS = """
臺北市 | Asia/Taipei | 25
    大安區 @ 106 @ 2:9 @ A
    信義區 @ 110 @ 2:9 @ A
    中山區 @ 104 @ 2:9 @ A
    內湖區 @ 114 @ 2:9 @ A
新北市 | Asia/Taipei | 40
    板橋區 @ 220 @ 2:9 @ F
    新莊區 @ 242 @ 2:9 @ F
    中和區 @ 235 @ 2:9 @ F
桃園市 | Asia/Taipei | 23
    桃園區 @ 330 @ 3:8 @ H
    中壢區 @ 320 @ 3:8 @ H
臺中市 | Asia/Taipei | 28
    西屯區 @ 407 @ 4:9 @ B
    北屯區 @ 406 @ 4:9 @ B
臺南市 | Asia/Taipei | 18
    東區 @ 701 @ 6:8 @ D
    永康區 @ 710 @ 6:8 @ D
高雄市 | Asia/Taipei | 27
    苓雅區 @ 802 @ 7:8 @ E
    左營區 @ 813 @ 7:8 @ E
新竹市 | Asia/Taipei | 4.5
    東區 @ 300 @ 3:8 @ O
"""

_US_REGIONS = """
California | America/Los_Angeles | 39
    Los Angeles @ 900 @ 213:10,310:10,323:10
    San Francisco @ 941 @ 415:10
    San Diego @ 921 @ 619:10,858:10
    Sacramento @ 958 @ 916:10
Texas | America/Chicago | 30
    Houston @ 770 @ 713:10,832:10
    Dallas @ 752 @ 214:10,972:10
    Austin @ 787 @ 512:10
    San Antonio @ 782 @ 210:10
Florida | America/New_York | 22
    Miami @ 331 @ 305:10,786:10
    Orlando @ 328 @ 407:10
    Tampa @ 336 @ 813:10
    Jacksonville @ 322 @ 904:10
New York | America/New_York | 20
    New York @ 100 @ 212:10,646:10,917:10
    Brooklyn @ 112 @ 718:10,347:10
    Buffalo @ 142 @ 716:10
    Rochester @ 146 @ 585:10
Pennsylvania | America/New_York | 13
    Philadelphia @ 191 @ 215:10,267:10
    Pittsburgh @ 152 @ 412:10
Illinois | America/Chicago | 12.5
    Chicago @ 606 @ 312:10,773:10
    Naperville @ 605 @ 630:10
Ohio | America/New_York | 11.8
    Columbus @ 432 @ 614:10
    Cleveland @ 441 @ 216:10
    Cincinnati @ 452 @ 513:10
Georgia | America/New_York | 11
    Atlanta @ 303 @ 404:10,678:10
    Savannah @ 314 @ 912:10
North Carolina | America/New_York | 10.8
    Charlotte @ 282 @ 704:10
    Raleigh @ 276 @ 919:10
Michigan | America/Detroit | 10
    Detroit @ 482 @ 313:10
    Grand Rapids @ 495 @ 616:10
Washington | America/Los_Angeles | 7.8
    Seattle @ 981 @ 206:10
    Spokane @ 992 @ 509:10
Arizona | America/Phoenix | 7.4
    Phoenix @ 850 @ 602:10,480:10
    Tucson @ 857 @ 520:10
Colorado | America/Denver | 5.9
    Denver @ 802 @ 303:10,720:10
    Colorado Springs @ 809 @ 719:10
Nevada | America/Los_Angeles | 3.2
    Las Vegas @ 891 @ 702:10
    Reno @ 895 @ 775:10
Utah | America/Denver | 3.4
    Salt Lake City @ 841 @ 801:10
Hawaii | Pacific/Honolulu | 1.4
    Honolulu @ 968 @ 808:10
Alaska | America/Anchorage | 0.7
    Anchorage @ 995 @ 907:10
"""

_GB_REGIONS = """
Greater London | Europe/London | 9
    London @ SW,SE,E,N,NW,W @ 20:10
Greater Manchester | Europe/London | 2.8
    Manchester @ M @ 161:10
West Midlands | Europe/London | 2.9
    Birmingham @ B @ 121:10
    Coventry @ CV @ 24:10
West Yorkshire | Europe/London | 2.3
    Leeds @ LS @ 113:10
    Bradford @ BD @ 1274:10
Merseyside | Europe/London | 1.4
    Liverpool @ L @ 151:10
South Yorkshire | Europe/London | 1.4
    Sheffield @ S @ 114:10
Tyne and Wear | Europe/London | 1.1
    Newcastle upon Tyne @ NE @ 191:10
Bristol | Europe/London | 0.5
    Bristol @ BS @ 117:10
Glasgow City | Europe/London | 0.6
    Glasgow @ G @ 141:10
City of Edinburgh | Europe/London | 0.5
    Edinburgh @ EH @ 131:10
Cardiff | Europe/London | 0.4
    Cardiff @ CF @ 29:10
Belfast | Europe/London | 0.35
    Belfast @ BT @ 28:10
"""


def _prefixes(prefixes: str, length: int) -> tuple[tuple[str, int], ...]:
    return tuple((p, length) for p in prefixes.split())


_MARKETS: Final = (
    _Market(
        country="ES",
        language="es",
        locale="es_ES",
        currency="EUR",
        weight=0.22,
        calling_code=34,
        mobile=_prefixes("60 61 62 63 64 65 66 67 68 69 71 72 73 74", 9),
        names="es",
        email_domains=("correo.example", "mail.example.com", "buzon.example.net"),
        single_zone=False,
        regions=_regions(_ES_REGIONS),
    ),
    _Market(
        country="MX",
        language="es-MX",
        locale="es_MX",
        currency="MXN",
        weight=0.22,
        calling_code=52,
        mobile=(),
        names="es",
        email_domains=("correo.example", "mail.example.com", "example.org"),
        single_zone=False,
        regions=_regions(_MX_REGIONS),
    ),
    _Market(
        country="CN",
        language="zh-Hans",
        locale="zh_CN",
        currency="CNY",
        weight=0.16,
        calling_code=86,
        mobile=_prefixes(
            "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 176 177 "
            "178 180 181 182 183 185 186 187 188 189 191 198 199",
            11,
        ),
        names="zh",
        email_domains=("youxiang.example", "mail.example.com", "example.net"),
        single_zone=False,
        regions=_regions(_CN_REGIONS),
    ),
    _Market(
        country="TW",
        language="zh-Hant",
        locale="zh_TW",
        currency="TWD",
        weight=0.08,
        calling_code=886,
        mobile=_prefixes("90 91 92 93 95 96 97 98", 9),
        names="zh",
        email_domains=("youxiang.example", "mail.example.com", "example.org"),
        single_zone=True,
        regions=_regions(_TW_REGIONS),
    ),
    _Market(
        country="US",
        language="en",
        locale="en_US",
        currency="USD",
        weight=0.2,
        calling_code=1,
        mobile=(),
        names="en",
        email_domains=("mail.example.com", "example.net", "inbox.example"),
        single_zone=False,
        regions=_regions(_US_REGIONS),
    ),
    _Market(
        country="GB",
        language="en-GB",
        locale="en_GB",
        currency="GBP",
        weight=0.12,
        calling_code=44,
        mobile=_prefixes("71 72 73 74 75 77 78 79", 10),
        names="en",
        email_domains=("mail.example.com", "example.org", "post.example"),
        single_zone=True,
        regions=_regions(_GB_REGIONS),
    ),
)


#: Where a related party abroad lives, by the borrower's country.
_ABROAD: Final = {"ES": "GB", "GB": "ES", "MX": "US", "US": "MX", "CN": "US", "TW": "US"}


# --------------------------------------------------------------------------------------------
# public API


@dataclass(frozen=True, slots=True)
class GenerateSummary:
    """What ``generate_portfolio`` wrote: row counts per file and the paths."""

    out_dir: Path
    fmt: Format
    borrowers: int
    related_parties: int
    loans: int
    installments: int
    payments: int
    profiles: int
    paths: Mapping[str, Path]

    def rows(self) -> dict[str, int]:
        return {
            "borrowers": self.borrowers,
            "related-parties": self.related_parties,
            "loans": self.loans,
            "installments": self.installments,
            "payments": self.payments,
            "profiles": self.profiles,
        }


def generate_portfolio(
    *,
    accounts: int,
    as_of: dt.date,
    out_dir: Path,
    seed: int = 42,
    fmt: Format = "csv",
    progress: Callable[[str, int, int], None] | None = None,
) -> GenerateSummary:
    """Write a synthetic loan book of ``accounts`` loans as seen on ``as_of`` into ``out_dir``.

    Progress is reported as ``progress(stage, done, total)`` with the stages ``pools``
    (locales prepared) and ``accounts`` (loans written).
    """
    if isinstance(accounts, bool) or not isinstance(accounts, int) or accounts < 1:
        raise InvalidInput(f"accounts must be a whole number >= 1, got {accounts!r}")
    if fmt not in ("csv", "parquet"):
        raise InvalidInput(f"format must be 'csv' or 'parquet', got {fmt!r}")
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise InvalidInput(f"as_of must be a date, got {as_of!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput(f"seed must be a whole number >= 0, got {seed!r}")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create output folder {out_dir}: {exc}") from exc
    report = progress or _no_progress

    pools: list[_Pools] = []
    for i, market in enumerate(_MARKETS):
        report("pools", i, len(_MARKETS))
        pools.append(_pools(market.locale, seed))
    report("pools", len(_MARKETS), len(_MARKETS))

    loans_per_borrower = _loans_per_borrower(accounts, seed)
    money = _MoneyCodec.create()
    ctx = _Context(as_of=as_of, seed=seed, fmt=fmt, pools=tuple(pools), money=money)
    writer = _Writer(out_dir, fmt, money.arrow_type(fmt))
    counts = dict.fromkeys(FILE_KINDS, 0)
    report("accounts", 0, accounts)
    try:
        first_borrower = 0
        first_loan = 0
        chunk_no = 0
        while first_borrower < len(loans_per_borrower):
            per = loans_per_borrower[first_borrower : first_borrower + _BORROWERS_PER_CHUNK]
            tables = _generate_chunk(ctx, chunk_no, per, first_borrower, first_loan)
            for kind, table in tables.items():
                writer.write(kind, table)
                counts[kind] += table.num_rows
            first_borrower += len(per)
            first_loan += int(per.sum())
            chunk_no += 1
            report("accounts", first_loan, accounts)
        paths = writer.finish()
    except BaseException:
        writer.abort()
        raise
    return GenerateSummary(
        out_dir=out_dir,
        fmt=fmt,
        borrowers=counts["borrowers"],
        related_parties=counts["related-parties"],
        loans=counts["loans"],
        installments=counts["installments"],
        payments=counts["payments"],
        profiles=counts["profiles"],
        paths=paths,
    )


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


# --------------------------------------------------------------------------------------------
# pools of strings from Faker


@dataclass(frozen=True, slots=True)
class _Pools:
    male: tuple[str, ...]
    female: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]
    companies: tuple[str, ...]
    jobs: tuple[str, ...]
    user_names: tuple[str, ...]


#: Truncated entries in Faker's English job list.
_BROKEN_JOBS: Final = frozenset({"Copy", "Land", "Make"})


@lru_cache(maxsize=16)
def _pools(locale: str, seed: int) -> _Pools:
    """Draw a few hundred values per field once; rows then sample from these pools."""
    fake = Faker(locale)
    fake.seed_instance(seed)

    def draw(method: str, count: int) -> tuple[str, ...]:
        make = getattr(fake, method)
        return tuple(" ".join(str(make()).split()) for _ in range(count))

    return _Pools(
        male=draw("first_name_male", 500),
        female=draw("first_name_female", 500),
        last=draw("last_name", 600),
        streets=draw("street_name", 800),
        companies=draw("company", 600),
        jobs=tuple(job for job in draw("job", 400) if job not in _BROKEN_JOBS),
        user_names=draw("user_name", 600) if locale.startswith("zh") else (),
    )


# --------------------------------------------------------------------------------------------
# context, money encoding and output


@dataclass(frozen=True, slots=True)
class _MoneyCodec:
    """int64 minor units -> Arrow decimal arrays (or decimal text where scales differ)."""

    scale: int  # the largest number of decimals among the markets' currencies
    uniform: bool  # every currency has ``scale`` decimals
    market_scales: IntArray  # decimals of each market's currency

    @classmethod
    def create(cls) -> _MoneyCodec:
        scales = np.asarray([minor_units(m.currency) for m in _MARKETS], dtype=np.int64)
        top = int(scales.max())
        return cls(top, bool((scales == top).all()), scales)

    def arrow_type(self, fmt: Format) -> pa.DataType:
        if fmt == "csv" and not self.uniform:
            return pa.string()
        return pa.decimal128(18, self.scale)

    def encode(self, minor: IntArray, market: IntArray, fmt: Format) -> pa.Array:
        """Amounts in the minor units of each row's market currency."""
        if self.uniform:
            return _decimal_array(minor, self.scale)
        row_scales = self.market_scales[market]
        if fmt == "parquet":
            return _decimal_array(minor * 10 ** (self.scale - row_scales), self.scale)
        text: pa.Array = pa.nulls(len(minor), pa.string())
        for scale in sorted({int(s) for s in self.market_scales}):
            as_text = _decimal_array(minor, scale).cast(pa.string())
            text = pc.if_else(pa.array(row_scales == scale), as_text, text)
        return text


def _decimal_array(unscaled: IntArray, scale: int) -> pa.Array:
    """Build decimal128(18, scale) from integers without going through Python or float."""
    words = np.empty((len(unscaled), 2), dtype="<i8")
    words[:, 0] = unscaled
    words[:, 1] = unscaled >> 63  # sign extension into the high 64 bits
    return pa.Array.from_buffers(
        pa.decimal128(18, scale), len(unscaled), [None, pa.py_buffer(words.tobytes())]
    )


def _date_array(days: IntArray) -> pa.Array:
    return pa.array(days.astype(np.int32)).cast(pa.date32())


@dataclass(slots=True)
class _Context:
    as_of: dt.date
    seed: int
    fmt: Format
    pools: tuple[_Pools, ...]
    money: _MoneyCodec
    taken_phones: set[int] = field(default_factory=set)
    taken_emails: set[str] = field(default_factory=set)
    next_party: int = 0
    next_payment: int = 0

    @property
    def as_of_day(self) -> int:
        return (self.as_of - _EPOCH).days


_STRING = pa.string()


def _schemas(money: pa.DataType) -> dict[str, pa.Schema]:
    def strings(*names: str) -> list[tuple[str, pa.DataType]]:
        return [(n, _STRING) for n in names]

    return {
        "borrowers": pa.schema(
            [
                *strings(
                    "borrower_id",
                    "full_name",
                    "language",
                    "country",
                    "region",
                    "occupation",
                    "employer",
                    "national_id",
                ),
                ("date_of_birth", pa.date32()),
                *strings(
                    "mobile_phone",
                    "home_phone",
                    "work_phone",
                    "email",
                    "address_line",
                    "city",
                    "postal_code",
                    "time_zone",
                ),
            ]
        ),
        "related-parties": pa.schema(
            [
                *strings(
                    "party_id",
                    "borrower_id",
                    "role",
                    "relation",
                    "full_name",
                    "phone",
                    "email",
                    "country",
                    "language",
                ),
                ("guarantee_enforceable", pa.bool_()),
            ]
        ),
        "loans": pa.schema(
            [
                *strings("loan_id", "borrower_id", "product", "currency"),
                ("principal", money),
                ("disbursed_on", pa.date32()),
                ("annual_interest_rate", pa.decimal128(9, 4)),
            ]
        ),
        "installments": pa.schema(
            [
                ("loan_id", _STRING),
                ("installment_no", pa.int32()),
                ("due_date", pa.date32()),
                ("principal", money),
                ("interest", money),
                ("fee", money),
            ]
        ),
        "payments": pa.schema(
            [
                *strings("payment_id", "loan_id"),
                ("paid_on", pa.date32()),
                ("amount", money),
                *strings("currency", "channel"),
            ]
        ),
        "profiles": pa.schema(strings("borrower_id", "debtor_type", "behaviour", "reason_code")),
    }


class _Writer:
    """Streams chunks into one file per kind; files appear under their final names at the end."""

    def __init__(self, out_dir: Path, fmt: Format, money: pa.DataType) -> None:
        self.out_dir = out_dir
        self.fmt: Format = fmt
        self.schemas = _schemas(money)
        self.writers: dict[str, Any] = {}

    def _partial(self, kind: str) -> Path:
        return self.out_dir / f".{kind}.{self.fmt}.partial"

    def _open(self, kind: str) -> Any:
        schema = self.schemas[kind]
        sink = self._partial(kind)
        if self.fmt == "csv":
            options = pa_csv.WriteOptions(include_header=True, quoting_style="needed")
            return pa_csv.CSVWriter(str(sink), schema, write_options=options)
        return pq.ParquetWriter(str(sink), schema, compression="zstd")

    def write(self, kind: str, table: pa.Table) -> None:
        if kind not in self.writers:
            self.writers[kind] = self._open(kind)
        self.writers[kind].write_table(table.cast(self.schemas[kind]))

    def finish(self) -> dict[str, Path]:
        paths: dict[str, Path] = {}
        for kind in FILE_KINDS:
            if kind not in self.writers:  # no rows of this kind: still write the header
                self.writers[kind] = self._open(kind)
            self.writers.pop(kind).close()
            final = self.out_dir / f"{kind}.{self.fmt}"
            self._partial(kind).replace(final)
            paths[kind] = final
        return paths

    def abort(self) -> None:
        for kind, writer in list(self.writers.items()):
            writer.close()
            self._partial(kind).unlink(missing_ok=True)
        self.writers.clear()


# --------------------------------------------------------------------------------------------
# dates and integer helpers


def _month_day(month_index: IntArray, day: IntArray) -> IntArray:
    """Days since 1970-01-01 of ``day`` in month ``year * 12 + month - 1``."""
    first = (month_index - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray(first.astype(np.int64) + day - 1, dtype=np.int64)


def _div_half_even(num: IntArray, den: int) -> IntArray:
    """Round ``num / den`` to the nearest integer, ties to even (for num >= 0)."""
    quotient, rest = np.divmod(num, den)
    twice = 2 * rest
    up = (twice > den) | ((twice == den) & (quotient % 2 == 1))
    return np.asarray(quotient + up, dtype=np.int64)


def _pick(u: FloatArray, weights: Sequence[float]) -> IntArray:
    """Categorical draw from uniforms ``u`` in [0, 1)."""
    edges = np.cumsum(np.asarray(weights, dtype=np.float64))
    edges /= edges[-1]
    return np.minimum(np.searchsorted(edges, u, side="right"), len(weights) - 1).astype(np.int64)


def _loans_per_borrower(accounts: int, seed: int) -> IntArray:
    """1 or 2 loans per borrower, adding up to exactly ``accounts``."""
    rng = np.random.default_rng([seed, 0])
    per = 1 + (rng.random(accounts) < _SECOND_LOAN_SHARE).astype(np.int64)
    total = np.cumsum(per)
    count = int(np.searchsorted(total, accounts)) + 1
    per = per[:count].copy()
    if int(total[count - 1]) > accounts:
        per[-1] = 1
    return per


@lru_cache(maxsize=65_536)
def _level_payment(principal_minor: int, rate_bp: int, months: int) -> int:
    """French amortisation: the equal instalment, in minor units, rounded half-even."""
    with localcontext() as ctx:
        ctx.prec = 40
        principal = Decimal(principal_minor)
        monthly = Decimal(rate_bp) / Decimal(120_000)
        if monthly == 0:
            payment = principal / months
        else:
            payment = principal * monthly / (1 - (1 + monthly) ** -months)
        return int(payment.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


# --------------------------------------------------------------------------------------------
# phone numbers


_Desc = tuple["re.Pattern[str]", frozenset[int]]


@dataclass(frozen=True, slots=True)
class _PhoneRules:
    general: _Desc
    special: tuple[_Desc, ...]
    fixed: _Desc | None
    mobile: _Desc | None
    same_pattern: bool


def _desc(desc: Any) -> _Desc | None:
    if desc is None or desc.national_number_pattern is None:
        return None
    return re.compile(desc.national_number_pattern), frozenset(desc.possible_length or ())


@cache
def _phone_rules(country: str) -> _PhoneRules:
    """The number-type patterns libphonenumber uses for ``country``, compiled once."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(country)
    general = None if meta is None else _desc(meta.general_desc)
    if meta is None or general is None:  # pragma: no cover - every market has metadata
        raise RuntimeError(f"no phone metadata for {country}")
    special = tuple(
        d
        for d in (
            _desc(getattr(meta, name))
            for name in (
                "premium_rate",
                "toll_free",
                "shared_cost",
                "voip",
                "personal_number",
                "pager",
                "uan",
                "voicemail",
            )
        )
        if d is not None
    )
    return _PhoneRules(
        general,
        special,
        _desc(meta.fixed_line),
        _desc(meta.mobile),
        bool(meta.same_mobile_and_fixed_line_pattern),
    )


def _matches(desc: _Desc | None, nsn: str) -> bool:
    if desc is None:
        return False
    pattern, lengths = desc
    return (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None


def _line_kind(country: str, nsn: str) -> Literal["fixed", "mobile", "both", "other"]:
    """Classify a national number the way phonenumbers.number_type does ("other": not wanted)."""
    rules = _phone_rules(country)
    if not _matches(rules.general, nsn) or any(_matches(d, nsn) for d in rules.special):
        return "other"
    if _matches(rules.fixed, nsn):
        if rules.same_pattern or _matches(rules.mobile, nsn):
            return "both"
        return "fixed"
    if not rules.same_pattern and _matches(rules.mobile, nsn):
        return "mobile"
    return "other"


def _new_phone(ctx: _Context, rnd: random.Random, market: _Market, city: _City, kind: str) -> str:
    """A valid, unused E.164 number of ``kind`` ("mobile" or "fixed") for ``market``."""
    options = market.mobile if kind == "mobile" and market.mobile else city.area
    wanted = ("mobile", "both") if kind == "mobile" else ("fixed", "both")
    for _ in range(500):
        prefix, length = rnd.choice(options)
        rest = length - len(prefix)
        if kind == "fixed" or not market.mobile:  # subscriber numbers do not start with 0 or 1
            nsn = f"{prefix}{rnd.randrange(2, 10)}{rnd.randrange(10 ** (rest - 1)):0{rest - 1}d}"
        else:
            nsn = f"{prefix}{rnd.randrange(10**rest):0{rest}d}"
        key = market.calling_code * 10**15 + int(nsn)
        if key in ctx.taken_phones or _line_kind(market.country, nsn) not in wanted:
            continue
        ctx.taken_phones.add(key)
        return f"+{market.calling_code}{nsn}"
    raise RuntimeError(f"could not draw a valid {kind} number for {market.country}")


# --------------------------------------------------------------------------------------------
# national identifiers, names, e-mail and addresses


_DNI_LETTERS: Final = "TRWAGMYFPDXBNJZSQVHLCKE"
_CN_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_TW_LETTERS: Final = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
_CURP_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_NINO_FIRST: Final = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND: Final = "ABCEGHJKLMNPRSTWXYZ"
_NINO_BAD: Final = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_POSTCODE_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.upper() if ch.isalpha())


def _curp(names: tuple[str, str, str], dob: dt.date, *, female: bool, state: str) -> str:
    """A Mexican CURP with a correct check digit (names and birth data are the borrower's)."""
    a, b, n = _ascii(names[1]) or "X", _ascii(names[2]) or "X", _ascii(names[0]) or "X"
    vowel = next((ch for ch in a[1:] if ch in "AEIOU"), "X")

    def inner_consonant(word: str) -> str:
        return next((ch for ch in word[1:] if ch not in "AEIOU"), "X")

    body = (
        f"{a[0]}{vowel}{b[0]}{n[0]}{dob:%y%m%d}{'M' if female else 'H'}{state}"
        f"{inner_consonant(a)}{inner_consonant(b)}{inner_consonant(n)}"
        f"{'0' if dob.year < 2000 else 'A'}"
    )
    total = sum(_CURP_ALPHABET.index(ch) * (18 - i) for i, ch in enumerate(body))
    return f"{body}{(10 - total % 10) % 10}"


def _national_id(
    rnd: random.Random,
    market: _Market,
    city: _City,
    *,
    names: tuple[str, str, str],
    dob: dt.date,
    female: bool,
) -> str:
    country = market.country
    if country == "ES":
        number = rnd.randrange(10_000_000, 100_000_000)
        return f"{number:08d}{_DNI_LETTERS[number % 23]}"
    if country == "MX":
        return _curp(names, dob, female=female, state=city.ident)
    if country == "CN":
        sequence = rnd.randrange(0, 500) * 2 + (0 if female else 1)
        body = f"{city.ident}{dob:%Y%m%d}{sequence:03d}"
        return (
            body
            + "10X98765432"[sum(int(d) * w for d, w in zip(body, _CN_WEIGHTS, strict=True)) % 11]
        )
    if country == "TW":
        digits = f"{2 if female else 1}{rnd.randrange(10**7):07d}"
        value = _TW_LETTERS[city.ident]
        total = value // 10 + (value % 10) * 9
        total += sum(int(d) * w for d, w in zip(digits, range(8, 0, -1), strict=True))
        return f"{city.ident}{digits}{(10 - total % 10) % 10}"
    if country == "US":
        area = rnd.randrange(1, 899)
        area = 667 if area == 666 else area
        return f"{area:03d}-{rnd.randrange(1, 100):02d}-{rnd.randrange(1, 10_000):04d}"
    prefix = "BG"
    while prefix in _NINO_BAD:
        prefix = rnd.choice(_NINO_FIRST) + rnd.choice(_NINO_SECOND)
    return f"{prefix}{rnd.randrange(10**6):06d}{rnd.choice('ABCD')}"


def _full_name(market: _Market, names: tuple[str, str, str], rnd: random.Random) -> str:
    first, last1, last2 = names
    if market.names == "zh":
        return f"{last1}{first}"
    if market.names == "es":
        return f"{first} {last1} {last2}"
    if market.country == "US" and rnd.random() < 0.12:
        return f"{first} {rnd.choice('ABCDEFGHJKLMNPRSTW')}. {last1}"
    return f"{first} {last1}"


def _email(
    ctx: _Context, rnd: random.Random, market: _Market, pools: _Pools, names: tuple[str, str]
) -> str:
    """A unique address on a reserved example domain, never a deliverable one."""
    first, last = _ascii(names[0]).lower(), _ascii(names[1]).lower()
    if not first or not last:  # Chinese script: take a romanised user name
        base = rnd.choice(pools.user_names) if pools.user_names else "user"
        local = re.sub(r"[^a-z0-9._-]", "", base.lower()) or "user"
    else:
        style = rnd.random()
        if style < 0.35:
            local = f"{first}.{last}"
        elif style < 0.6:
            local = f"{first}{last}{rnd.randrange(60, 100)}"
        elif style < 0.85:
            local = f"{first[0]}{last}"
        else:
            local = f"{first}_{last}{rnd.randrange(1, 1000)}"
    domain = rnd.choice(market.email_domains)
    address = f"{local}@{domain}"
    while address in ctx.taken_emails:
        address = f"{local}{rnd.randrange(1, 10_000)}@{domain}"
    ctx.taken_emails.add(address)
    return address


def _street_address(market: _Market, street: str, rnd: random.Random) -> str:
    """A street line in the local style around a Faker street name."""
    country = market.country
    number = rnd.randrange(1, 9_000) if country == "US" else rnd.randrange(1, 200)
    if country == "ES":
        line = f"{street}, {number}, {rnd.randrange(1, 9)}º {rnd.choice('ABCD')}"
    elif country == "MX":
        interior = f" Int. {rnd.randrange(1, 30)}" if rnd.random() < 0.3 else ""
        line = f"{street} {number}{interior}"
    elif country == "CN":
        building, room = rnd.randrange(1, 30), rnd.randrange(1, 30) * 100 + rnd.randrange(1, 6)
        line = f"{street}{number}号{building}栋{room}室"
    elif country == "TW":
        section = rnd.choice(("路", "街", "路一段", "路二段", "路三段"))
        line = f"{street}{section}{number}號{rnd.randrange(2, 15)}樓"
    elif country == "GB" and rnd.random() < 0.25:
        line = f"Flat {rnd.randrange(1, 40)}, {rnd.randrange(1, 200)} {street}"
    elif country == "US" and rnd.random() < 0.2:
        line = f"{number} {street} Apt {rnd.randrange(1, 40)}"
    else:
        line = f"{number} {street}"
    return line


def _postal_code(market: _Market, city: _City, rnd: random.Random) -> str:
    prefix = rnd.choice(city.postal)
    country = market.country
    if country == "GB":
        inward = rnd.choice(_POSTCODE_LETTERS) + rnd.choice(_POSTCODE_LETTERS)
        return f"{prefix}{rnd.randrange(1, 21)} {rnd.randrange(10)}{inward}"
    width = {"CN": 6}.get(country, 5)
    rest = width - len(prefix)
    return f"{prefix}{rnd.randrange(10**rest):0{rest}d}"


# --------------------------------------------------------------------------------------------
# one chunk of borrowers


@dataclass(frozen=True, slots=True)
class _CityTable:
    cities: tuple[_City, ...]
    regions: tuple[_Region, ...]
    market: IntArray
    weight: FloatArray


@lru_cache(maxsize=1)
def _city_table() -> _CityTable:
    cities: list[_City] = []
    regions: list[_Region] = []
    markets: list[int] = []
    weights: list[float] = []
    for m, market in enumerate(_MARKETS):
        region_total = sum(r.weight for r in market.regions)
        for region in market.regions:
            for city in region.cities:
                cities.append(city)
                regions.append(region)
                markets.append(m)
                weights.append(market.weight * region.weight / region_total / len(region.cities))
    weight = np.asarray(weights, dtype=np.float64)
    return _CityTable(
        tuple(cities), tuple(regions), np.asarray(markets, dtype=np.int64), weight / weight.sum()
    )


def _generate_chunk(
    ctx: _Context, chunk_no: int, per: IntArray, first_borrower: int, first_loan: int
) -> dict[str, pa.Table]:
    rng = np.random.default_rng([ctx.seed, 1, chunk_no])
    rnd = random.Random(f"{ctx.seed}:{chunk_no}")  # noqa: S311 - synthetic data, not security
    nb = len(per)
    table = _city_table()

    # borrower-level draws
    city_ix = rng.choice(len(table.cities), size=nb, p=table.weight)
    market_ix = table.market[city_ix]
    female = rng.random(nb) < 0.5
    age_days = (np.clip(rng.normal(41.0, 11.0, nb), 21.0, 74.0) * 365.25).astype(np.int64)
    dob_days = ctx.as_of_day - age_days
    behaviour = _pick(rng.random(nb), BEHAVIOUR_MIX)

    # loans (needed before profiles: SME borrowers explain arrears by unpaid receivables)
    borrower_of_loan = np.repeat(np.arange(nb, dtype=np.int64), per)
    first_loan_ix = np.cumsum(per) - per
    product = _pick(rng.random(len(borrower_of_loan)), _PRODUCT_MIX)
    debtor_type, reason = _profiles(rng, behaviour, product[first_loan_ix])

    # contact data
    lost = debtor_type == DEBTOR_TYPES.index("lost_contact")
    has_email = rng.random(nb) < np.where(lost, 0.5, 0.85)
    has_mobile = rng.random(nb) < 0.97
    has_employer = rng.random(nb) < 0.82
    has_home = (rng.random(nb) < 0.25) | ~has_mobile
    has_work = has_employer & (rng.random(nb) < 0.2)
    has_id = rng.random(nb) < 0.9
    has_occupation = rng.random(nb) < 0.93
    no_zone = rng.random(nb) < 0.08

    borrower_ids = [f"B{first_borrower + i + 1:07d}" for i in range(nb)]
    names: list[tuple[str, str, str]] = []
    rows: dict[str, list[Any]] = {name: [] for name in _schemas(_STRING)["borrowers"].names}
    dob_dates = [_EPOCH + dt.timedelta(days=int(d)) for d in dob_days]
    for i in range(nb):
        market = _MARKETS[market_ix[i]]
        pools = ctx.pools[market_ix[i]]
        city = table.cities[city_ix[i]]
        region = table.regions[city_ix[i]]
        first = rnd.choice(pools.female if female[i] else pools.male)
        person = (first, rnd.choice(pools.last), rnd.choice(pools.last))
        names.append(person)
        rows["borrower_id"].append(borrower_ids[i])
        rows["full_name"].append(_full_name(market, person, rnd))
        rows["language"].append(market.language)
        rows["country"].append(market.country)
        rows["region"].append(region.name)
        rows["occupation"].append(rnd.choice(pools.jobs) if has_occupation[i] else None)
        rows["employer"].append(rnd.choice(pools.companies) if has_employer[i] else None)
        rows["national_id"].append(
            _national_id(rnd, market, city, names=person, dob=dob_dates[i], female=bool(female[i]))
            if has_id[i]
            else None
        )
        rows["mobile_phone"].append(
            _new_phone(ctx, rnd, market, city, "mobile") if has_mobile[i] else None
        )
        rows["home_phone"].append(
            _new_phone(ctx, rnd, market, city, "fixed") if has_home[i] else None
        )
        rows["work_phone"].append(
            _new_phone(ctx, rnd, market, city, "fixed") if has_work[i] else None
        )
        rows["email"].append(
            _email(ctx, rnd, market, pools, (person[0], person[1])) if has_email[i] else None
        )
        rows["address_line"].append(_street_address(market, rnd.choice(pools.streets), rnd))
        rows["city"].append(city.name)
        rows["postal_code"].append(_postal_code(market, city, rnd))
        rows["time_zone"].append(None if market.single_zone and no_zone[i] else region.zone)
    rows["date_of_birth"] = dob_dates
    borrowers = pa.table(rows)

    profiles = pa.table(
        {
            "borrower_id": borrower_ids,
            "debtor_type": pa.array(np.asarray(DEBTOR_TYPES)[debtor_type]),
            "behaviour": pa.array(np.asarray(BEHAVIOURS)[behaviour]),
            "reason_code": pa.array(np.asarray(REASON_CODES)[reason]),
        }
    )

    parties = _related_parties(
        ctx,
        rnd,
        rng,
        _Household(market_ix, city_ix, female, names, borrower_ids),
        product[first_loan_ix],
    )

    loan_market = market_ix[borrower_of_loan]
    loans = _loans(ctx, rng, loan_market, product, behaviour[borrower_of_loan])
    schedule = _schedule(loans)
    params = _BehaviourParams.draw(rng, nb)
    payments = _payments(
        ctx,
        rng,
        loans,
        schedule,
        behaviour=behaviour[borrower_of_loan],
        habits=params.per_loan(borrower_of_loan),
    )

    nl = len(product)
    loan_ids = pa.array([f"L{first_loan + j + 1:07d}" for j in range(nl)])
    currency_names = pa.array([m.currency for m in _MARKETS])
    loans_table = pa.table(
        {
            "loan_id": loan_ids,
            "borrower_id": pa.array(borrower_ids).take(pa.array(borrower_of_loan)),
            "product": pa.array(PRODUCTS).take(pa.array(product)),
            "currency": currency_names.take(pa.array(loan_market)),
            "principal": ctx.money.encode(loans.principal, loan_market, ctx.fmt),
            "disbursed_on": _date_array(loans.disbursed),
            "annual_interest_rate": _decimal_array(loans.rate_bp, 4).cast(pa.decimal128(9, 4)),
        }
    )
    inst_market = loan_market[schedule.loan]
    installments_table = pa.table(
        {
            "loan_id": loan_ids.take(pa.array(schedule.loan)),
            "installment_no": pa.array(schedule.number.astype(np.int32)),
            "due_date": _date_array(schedule.due),
            "principal": ctx.money.encode(schedule.principal, inst_market, ctx.fmt),
            "interest": ctx.money.encode(schedule.interest, inst_market, ctx.fmt),
            "fee": ctx.money.encode(schedule.fee, inst_market, ctx.fmt),
        }
    )
    pay_market = loan_market[payments.loan]
    payment_ids = [f"P{ctx.next_payment + j + 1:09d}" for j in range(len(payments.loan))]
    ctx.next_payment += len(payment_ids)
    payments_table = pa.table(
        {
            "payment_id": pa.array(payment_ids, pa.string()),
            "loan_id": loan_ids.take(pa.array(payments.loan)),
            "paid_on": _date_array(payments.day),
            "amount": ctx.money.encode(payments.amount, pay_market, ctx.fmt),
            "currency": pc.if_else(
                pa.array(payments.with_currency),
                currency_names.take(pa.array(pay_market)),
                pa.scalar(None, pa.string()),
            ),
            "channel": pa.array(CHANNELS).take(pa.array(payments.channel)),
        }
    )
    return {
        "borrowers": borrowers,
        "related-parties": parties,
        "loans": loans_table,
        "installments": installments_table,
        "payments": payments_table,
        "profiles": profiles,
    }


def _profiles(
    rng: np.random.Generator, behaviour: IntArray, first_product: IntArray
) -> tuple[IntArray, IntArray]:
    """Debtor type and reason code per borrower, drawn from the behaviour's options."""
    debtor_type = np.zeros(len(behaviour), dtype=np.int64)
    reason = np.zeros(len(behaviour), dtype=np.int64)
    u = rng.random(len(behaviour))
    for code, options in _PROFILE_OPTIONS.items():
        mask = behaviour == code
        choice = _pick(u[mask], [weight for _, _, weight in options])
        debtor_type[mask] = np.asarray([DEBTOR_TYPES.index(o[0]) for o in options])[choice]
        reason[mask] = np.asarray([REASON_CODES.index(o[1]) for o in options])[choice]
    # a small business that cannot pay is usually waiting for its own customers to pay
    receivables = (reason == REASON_CODES.index("income_loss")) & (first_product == SME)
    reason[receivables] = REASON_CODES.index("business_receivables")
    return debtor_type, reason


# --------------------------------------------------------------------------------------------
# related parties


@dataclass(frozen=True, slots=True)
class _Household:
    market: IntArray
    city: IntArray
    female: BoolArray
    names: list[tuple[str, str, str]]
    borrower_ids: list[str]


_REFERENCE_RELATIONS: Final = (
    ("spouse", 0.22),
    ("parent", 0.18),
    ("sibling", 0.2),
    ("friend", 0.15),
    ("colleague", 0.1),
    ("relative", 0.08),
    ("child", 0.04),
    ("employer", 0.02),
    ("other", 0.01),
)
_GUARANTOR_RELATIONS: Final = (
    ("spouse", 0.3),
    ("parent", 0.3),
    ("sibling", 0.15),
    ("relative", 0.1),
    ("other", 0.15),
)
_FAMILY: Final = frozenset({"parent", "sibling", "child", "relative"})
#: Chance that the borrower has a guarantor, by the product of the first loan.
_GUARANTOR_SHARE: Final = (0.1, 0.02, 0.45, 0.3)


def _party_name(
    market: _Market,
    pools: _Pools,
    rnd: random.Random,
    borrower: tuple[str, str, str],
    *,
    relation: str,
    female: bool,
) -> str:
    first = rnd.choice(pools.female if female else pools.male)
    shares_surname = relation in _FAMILY and rnd.random() < 0.85
    if market.names == "zh":
        last = borrower[1] if shares_surname else rnd.choice(pools.last)
        return f"{last}{first}"
    if market.names == "es":
        if shares_surname and relation == "sibling":
            return f"{first} {borrower[1]} {borrower[2]}"
        last1 = borrower[1] if shares_surname else rnd.choice(pools.last)
        return f"{first} {last1} {rnd.choice(pools.last)}"
    keeps_name = shares_surname or (relation == "spouse" and rnd.random() < 0.7)
    return f"{first} {borrower[1] if keeps_name else rnd.choice(pools.last)}"


def _given_family(name: str) -> tuple[str, str]:
    parts = name.split()
    return (parts[0], parts[1]) if len(parts) > 1 else (name, "")


def _related_parties(
    ctx: _Context,
    rnd: random.Random,
    rng: np.random.Generator,
    household: _Household,
    first_product: IntArray,
) -> pa.Table:
    nb = len(household.market)
    count = _pick(rng.random(nb), (0.25, 0.38, 0.25, 0.12))
    has_guarantor = rng.random(nb) < np.asarray(_GUARANTOR_SHARE)[first_product]
    count = np.where(has_guarantor & (count == 0), 1, count)
    table = _city_table()
    columns = _schemas(_STRING)["related-parties"].names
    rows: dict[str, list[Any]] = {name: [] for name in columns}
    reference_rel = [r for r, _ in _REFERENCE_RELATIONS]
    reference_w = [w for _, w in _REFERENCE_RELATIONS]
    guarantor_rel = [r for r, _ in _GUARANTOR_RELATIONS]
    guarantor_w = [w for _, w in _GUARANTOR_RELATIONS]
    for i in range(nb):
        home = _MARKETS[household.market[i]]
        pools = ctx.pools[household.market[i]]
        has_spouse = False
        for j in range(int(count[i])):
            guarantor = bool(has_guarantor[i]) and j == 0
            if guarantor:
                relation = rnd.choices(guarantor_rel, guarantor_w)[0]
            else:
                relation = rnd.choices(reference_rel, reference_w)[0]
            if relation == "spouse" and has_spouse:
                relation = "sibling"
            has_spouse = has_spouse or relation == "spouse"
            female = (not household.female[i]) if relation == "spouse" else rnd.random() < 0.5
            if relation == "employer":
                name = rnd.choice(pools.companies)
            else:
                name = _party_name(
                    home, pools, rnd, household.names[i], relation=relation, female=female
                )
            market, city = home, table.cities[household.city[i]]
            abroad = relation not in ("employer", "spouse") and rnd.random() < 0.03
            if abroad:
                market = next(m for m in _MARKETS if m.country == _ABROAD[home.country])
                city = rnd.choice([c for r in market.regions for c in r.cities])
            ctx.next_party += 1
            rows["party_id"].append(f"R{ctx.next_party:07d}")
            rows["borrower_id"].append(household.borrower_ids[i])
            rows["role"].append("guarantor" if guarantor else "reference")
            rows["relation"].append(relation)
            rows["full_name"].append(name)
            rows["phone"].append(
                _new_phone(ctx, rnd, market, city, "mobile" if rnd.random() < 0.9 else "fixed")
                if rnd.random() < 0.9
                else None
            )
            rows["email"].append(
                _email(ctx, rnd, home, pools, _given_family(name)) if rnd.random() < 0.25 else None
            )
            rows["country"].append(market.country if abroad else None)
            rows["language"].append(None)
            rows["guarantee_enforceable"].append(rnd.random() < 0.65 if guarantor else None)
    return pa.table(rows, schema=_schemas(_STRING)["related-parties"])


# --------------------------------------------------------------------------------------------
# loans and schedules


@dataclass(frozen=True, slots=True)
class _Loans:
    principal: IntArray  # minor units
    rate_bp: IntArray  # annual rate in basis points
    term: IntArray  # months
    fee: IntArray  # minor units per installment
    unit: IntArray  # one major currency unit in minor units
    due_day: IntArray
    first_due_month: IntArray  # year * 12 + month - 1
    disbursed: IntArray  # days since 1970-01-01


@dataclass(frozen=True, slots=True)
class _Schedule:
    loan: IntArray
    number: IntArray
    due: IntArray
    principal: IntArray
    interest: IntArray
    fee: IntArray
    starts: IntArray  # row of each loan's first installment

    @property
    def amount(self) -> IntArray:
        return self.principal + self.interest + self.fee


def _loans(
    ctx: _Context,
    rng: np.random.Generator,
    market: IntArray,
    product: IntArray,
    behaviour: IntArray,
) -> _Loans:
    nl = len(product)
    currencies = [_CURRENCIES[m.currency] for m in _MARKETS]
    fx = np.asarray([c.fx for c in currencies])[market]
    step = np.asarray([c.step for c in currencies], dtype=np.int64)[market]
    low = np.asarray([c.low for c in currencies], dtype=np.int64)[market]
    high = np.asarray([c.high for c in currencies], dtype=np.int64)[market]
    unit = 10 ** ctx.money.market_scales[market]

    median = np.asarray([_PRINCIPAL_EUR[p][0] for p in range(4)])[product]
    sigma = np.asarray([_PRINCIPAL_EUR[p][1] for p in range(4)])[product]
    in_eur = median * np.exp(sigma * rng.standard_normal(nl))
    steps = np.maximum(np.rint(in_eur * fx / step), 1).astype(np.int64)
    principal = np.clip(steps * step, low, high) * unit

    rate = np.zeros(nl, dtype=np.int64)
    term = np.zeros(nl, dtype=np.int64)
    u_term = rng.random(nl)
    for code in range(4):
        mask = product == code
        lo, mode, hi = _RATES_BP[code]
        drawn = rng.triangular(lo, mode, hi, int(mask.sum()))
        rate[mask] = np.clip(np.rint(drawn / 10) * 10, lo, hi).astype(np.int64)
        months, weights = _TERMS[code]
        term[mask] = np.asarray(months, dtype=np.int64)[_pick(u_term[mask], weights)]

    card_fee = np.asarray(
        [
            int(Decimal(c.card_fee).scaleb(int(s)))
            for c, s in zip(currencies, ctx.money.market_scales, strict=True)
        ],
        dtype=np.int64,
    )[market]
    insured = (product == PERSONAL) & (rng.random(nl) < 0.25)
    fee = np.where(product == CARD, card_fee, 0)
    fee = np.where(insured, _div_half_even(principal * 25, 10_000), fee)

    # where in its life each loan is at as_of: not started, running or finished
    due_day = np.asarray(_DUE_DAYS, dtype=np.int64)[_pick(rng.random(nl), _DUE_DAY_WEIGHTS)]
    as_of_month = ctx.as_of.year * 12 + ctx.as_of.month - 1
    last_due_month = as_of_month - (due_day > ctx.as_of.day).astype(np.int64)
    stage = _pick(rng.random(nl), (0.06, 0.1, 0.84))
    running_due = 1 + (rng.random(nl) * (term - 1)).astype(np.int64)  # 1 .. term - 1 due
    # a first-payment default is noticed within months (older ones have been written off), so
    # never-paid loans are young: 1 to 6 instalments due
    never_paid = behaviour == NEVER_PAID
    young = 1 + _pick(rng.random(nl), (0.3, 0.25, 0.18, 0.12, 0.09, 0.06))
    running_due = np.where(never_paid, np.minimum(young, term - 1), running_due)
    stage = np.where(never_paid & (stage == 1), 2, stage)
    months_since_end = rng.integers(0, 9, nl)
    first_due_month = np.select(
        [stage == 0, stage == 1],
        [last_due_month + 1, last_due_month - (term - 1) - months_since_end],
        last_due_month - (running_due - 1),
    )
    disbursed = _month_day(first_due_month - 1, due_day) - rng.integers(0, 15, nl)
    return _Loans(principal, rate, term, fee, unit, due_day, first_due_month, disbursed)


def _schedule(loans: _Loans) -> _Schedule:
    """French amortisation in integer minor units: equal instalments, interest on the balance
    rounded half-even, the last instalment absorbing the rounding."""
    term = loans.term
    nl = len(term)
    loan = np.repeat(np.arange(nl, dtype=np.int64), term)
    starts = np.cumsum(term) - term
    number = np.arange(len(loan), dtype=np.int64) - starts[loan] + 1
    due = _month_day(loans.first_due_month[loan] + number - 1, loans.due_day[loan])

    level = np.fromiter(
        (
            _level_payment(int(p), int(r), int(n))
            for p, r, n in zip(loans.principal, loans.rate_bp, term, strict=True)
        ),
        dtype=np.int64,
        count=nl,
    )
    principal = np.zeros(len(loan), dtype=np.int64)
    interest = np.zeros(len(loan), dtype=np.int64)
    balance = loans.principal.copy()
    for k in range(1, int(term.max()) + 1):
        active = np.flatnonzero(term >= k)
        rows = starts[active] + k - 1
        owed = balance[active]
        due_interest = _div_half_even(owed * loans.rate_bp[active], 120_000)
        repaid = np.where(term[active] == k, owed, np.minimum(level[active] - due_interest, owed))
        interest[rows] = due_interest
        principal[rows] = repaid
        balance[active] = owed - repaid
    fee = loans.fee[loan]
    return _Schedule(loan, number, due, principal, interest, fee, starts)


# --------------------------------------------------------------------------------------------
# payments


#: Months since a ``missed_run`` borrower stopped paying: 1, 2, 3, ... 12 (a long tail).
_STOP_MONTHS: Final = (0.3, 0.2, 0.14, 0.1, 0.08, 0.06, 0.04, 0.03, 0.02, 0.01, 0.01, 0.01)


@dataclass(frozen=True, slots=True)
class _BehaviourParams:
    """Per-borrower habits; ``per_loan`` spreads them over the borrower's loans."""

    debit: BoolArray  # pays by direct debit (on the due date) rather than transfer
    lead: IntArray  # days early a transfer payer pays
    late: IntArray  # payday_mismatch: days after the due date salary arrives
    partial_bp: IntArray  # partial: share of the instalment paid, basis points
    sporadic_bp: IntArray  # sporadic: chance to pay in a month, basis points
    stopped: IntArray  # missed_run: months since payments stopped

    @classmethod
    def draw(cls, rng: np.random.Generator, nb: int) -> _BehaviourParams:
        return cls(
            debit=rng.random(nb) < 0.6,
            lead=rng.integers(0, 5, nb),
            late=rng.integers(2, 9, nb),
            partial_bp=rng.integers(4_500, 9_200, nb),
            sporadic_bp=rng.integers(4_000, 8_500, nb),
            stopped=1 + _pick(rng.random(nb), _STOP_MONTHS),
        )

    def per_loan(self, borrower: IntArray) -> _BehaviourParams:
        return _BehaviourParams(
            self.debit[borrower],
            self.lead[borrower],
            self.late[borrower],
            self.partial_bp[borrower],
            self.sporadic_bp[borrower],
            self.stopped[borrower],
        )


@dataclass(frozen=True, slots=True)
class _Payments:
    loan: IntArray
    day: IntArray
    amount: IntArray
    channel: IntArray
    with_currency: BoolArray


def _payments(
    ctx: _Context,
    rng: np.random.Generator,
    loans: _Loans,
    sched: _Schedule,
    *,
    behaviour: IntArray,
    habits: _BehaviourParams,
) -> _Payments:
    """One candidate payment per instalment, shaped by the borrower's behaviour; then the
    cure lump sums, overpayments and same-day splits; nothing after ``as_of``."""
    n = len(sched.loan)
    lo = sched.loan
    beh = behaviour[lo]
    number = sched.number
    owed = sched.amount
    unit = loans.unit[lo]
    as_of_day = ctx.as_of_day
    elapsed = np.bincount(lo, weights=sched.due <= as_of_day, minlength=len(loans.term))
    elapsed = elapsed.astype(np.int64)[lo]

    amount = np.zeros(n, dtype=np.int64)
    day = sched.due.copy()
    channel = np.full(n, TRANSFER, dtype=np.int64)

    # the habit of a regular payer: debit on the due date (a failed debit is retried a few days
    # later) or a transfer a few days early
    debit = habits.debit[lo]
    retry = debit & (rng.random(n) < _DEBIT_RETRY_SHARE)
    early = habits.lead[lo] + rng.integers(0, 2, n)
    regular_day = np.where(debit, sched.due + retry * rng.integers(3, 8, n), sched.due - early)
    regular_channel = np.where(debit, DEBIT, np.where(rng.random(n) < 0.1, CARD_CH, TRANSFER))

    # cured: skipped 1-3 instalments, then paid them all with the next one
    skipped = rng.integers(1, 4, len(loans.term))[lo]
    catch_up = np.maximum(elapsed - 1 - rng.integers(0, 4, len(loans.term))[lo], skipped + 1)
    feasible = catch_up <= elapsed - 1
    catch_up = np.where(feasible, catch_up, 0)
    first_skipped = np.where(feasible, catch_up - skipped, 0)
    in_gap = (beh == CURED) & (number >= first_skipped) & (number < catch_up)
    is_catch = (beh == CURED) & (number == catch_up)

    regular = (
        (beh == ON_TIME)
        | ((beh == MISSED_RUN) & (sched.due <= as_of_day - 30 * habits.stopped[lo]))
        | ((beh == CURED) & ~in_gap & ~is_catch)
    )
    amount[regular] = owed[regular]
    day[regular] = regular_day[regular]
    channel[regular] = regular_channel[regular]

    late = beh == PAYDAY
    amount[late] = owed[late]
    day[late] = (sched.due + habits.late[lo] + rng.integers(0, 3, n))[late]
    channel[late] = _pick(rng.random(n), (0.0, 0.7, 0.2, 0.1))[late]

    partial = beh == PARTIAL
    share = (owed * habits.partial_bp[lo] // 10_000) // unit * unit
    share = np.minimum(np.maximum(share, unit), owed)
    pays_full = rng.random(n) < 0.15
    amount[partial] = np.where(pays_full, owed, share)[partial]
    day[partial] = (sched.due + rng.integers(0, 7, n))[partial]
    channel[partial] = _pick(rng.random(n), (0.0, 0.4, 0.1, 0.3, 0.2))[partial]

    sporadic = (beh == SPORADIC) & (rng.random(n) * 10_000 < habits.sporadic_bp[lo])
    some = (owed * rng.integers(4_000, 10_001, n) // 10_000) // unit * unit
    amount[sporadic] = np.maximum(some, unit)[sporadic]
    day[sporadic] = (sched.due + rng.integers(-5, 21, n))[sporadic]
    channel[sporadic] = _pick(rng.random(n), (0.0, 0.3, 0.0, 0.35, 0.25, 0.1))[sporadic]

    if is_catch.any():
        total = np.cumsum(owed)
        before_gap = sched.starts[lo] + first_skipped - 2  # row before the first skipped one
        paid_before = np.where(
            first_skipped >= 2,
            total[np.maximum(before_gap, 0)],
            total[sched.starts[lo]] - owed[sched.starts[lo]],
        )
        amount[is_catch] = (total - paid_before)[is_catch]
        day[is_catch] = (sched.due + rng.integers(0, 11, n))[is_catch]
        channel[is_catch] = _pick(rng.random(n), (0.0, 0.6, 0.1, 0.0, 0.3))[is_catch]

    # now and then someone rounds the amount up to the next ten
    over = (regular | late) & (rng.random(n) < _OVERPAY_SHARE)
    ten = 10 * unit
    amount[over] = ((amount // ten + 1) * ten)[over]

    keep = np.flatnonzero((amount > 0) & (day <= as_of_day))
    loan, day, amount, channel = lo[keep], day[keep], amount[keep], channel[keep]
    unit = unit[keep]

    # occasionally a payment arrives in two parts on the same day
    split = (rng.random(len(keep)) < _SPLIT_SHARE) & (amount >= 2 * unit)
    first_part = (amount * rng.integers(3_000, 7_001, len(keep)) // 10_000) // unit * unit
    first_part = np.clip(first_part, unit, amount - unit)
    amount = np.where(split, amount - first_part, amount)
    loan = np.concatenate([loan, loan[split]])
    day = np.concatenate([day, day[split]])
    amount = np.concatenate([amount, first_part[split]])
    channel = np.concatenate([channel, channel[split]])
    order = np.lexsort((np.arange(len(loan)), day, loan))
    return _Payments(
        loan[order],
        day[order],
        amount[order],
        channel[order],
        rng.random(len(order)) < 0.8,
    )
