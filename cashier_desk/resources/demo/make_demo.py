"""Generate the demo reference data for cashier_desk (training, demos, acceptance tests).

Writes ``revenue_codes.csv``, ``users.csv`` and ``open_items.csv`` next to this script, in the
import formats of ``spec/headless.md`` ("Import files"), and the city's programs apart (so the
base files, which the tests load, stay as they are): ``program_codes.csv`` (one revenue code
per rule of ``program_rules.toml``), ``program_items.csv`` (citations under the citation rule:
late penalties, contests, plans) and ``accounts.csv`` (registered TOT operators and licensed
businesses). Everything is made up (no real people
or businesses) and deterministic: the same script always writes byte-identical files.

    python cashier_desk/resources/demo/make_demo.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
YEAR = 2026

CITE = "250-0000-22010=4.50;101-0000-41300"  # state surcharge; the city keeps the rest
CITE2 = "250-0000-22010=4.50;251-0000-22020=3.00;101-0000-41300"  # + court construction
CITE3 = "250-0000-22010=4.50;101-0000-41300;252-0000-22030=10.00"  # + disabled-access fund
CASP = "260-0000-22040=4.00;101-0000-41100"  # state disability-access fee on licences

# code | description | program | gl | fee_type | amount (empty for open) | partial_allowed
CODE_TABLE = f"""
UB-WATER     | Water service bill              | UTILITY  | 501-0000-44110 | open     |        | yes
UB-SEWER     | Wastewater service bill         | UTILITY  | 502-0000-44210 | open     |        | yes
UB-REFUSE    | Refuse collection bill          | UTILITY  | 503-0000-44310 | open     |        | yes
UB-DEPOSIT   | Utility service deposit         | UTILITY  | 501-0000-22100 | fixed    | 150.00 | no
PKG-CIT-MTR  | Citation: expired meter         | PARKING  | {CITE}         | fixed    | 45.00  | no
PKG-CIT-OVT  | Citation: overtime parking      | PARKING  | {CITE}         | fixed    | 45.00  | no
PKG-CIT-STC  | Citation: street sweeping       | PARKING  | {CITE}         | fixed    | 55.00  | no
PKG-CIT-PRM  | Citation: no residential permit | PARKING  | {CITE}         | fixed    | 50.00  | no
PKG-CIT-RED  | Citation: red zone              | PARKING  | {CITE}         | fixed    | 65.00  | no
PKG-CIT-DBL  | Citation: double parking        | PARKING  | {CITE}         | fixed    | 65.00  | no
PKG-CIT-HYD  | Citation: fire hydrant          | PARKING  | {CITE2}        | fixed    | 80.00  | no
PKG-CIT-DIS  | Citation: disabled space        | PARKING  | {CITE3}        | fixed    | 350.00 | no
PKG-PRM-RES  | Residential parking permit, 1yr | PARKING  | 101-0000-41310 | fixed    | 35.00  | no
PKG-PRM-VIS  | Visitor parking pass, per day   | PARKING  | 101-0000-41310 | per_unit | 2.00   | no
BUS-LIC-NEW  | Business licence, new           | BUSINESS | {CASP}         | fixed    | 95.00  | no
BUS-LIC-REN  | Business licence, renewal       | BUSINESS | {CASP}         | fixed    | 65.00  | no
BUS-LIC-LATE | Business licence late penalty   | BUSINESS | 101-0000-41190 | fixed    | 25.00  | no
BUS-TAX      | Business tax                    | BUSINESS | 101-0000-41110 | open     |        | no
DOG-LIC      | Dog licence, altered, 1 year    | ANIMAL   | 101-2200-42100 | fixed    | 20.00  | no
DOG-LIC-U    | Dog licence, unaltered, 1 year  | ANIMAL   | 101-2200-42100 | fixed    | 60.00  | no
DOG-LIC-S    | Dog licence, senior owner       | ANIMAL   | 101-2200-42100 | fixed    | 10.00  | no
CAT-LIC      | Cat licence, 1 year             | ANIMAL   | 101-2200-42110 | fixed    | 10.00  | no
ANIMAL-TAG   | Replacement animal tag          | ANIMAL   | 101-2200-42120 | fixed    | 5.00   | no
BLD-PRM-ROOF | Building permit: re-roof        | PERMITS  | 101-3100-42210 | fixed    | 185.00 | no
BLD-PRM-WH   | Building permit: water heater   | PERMITS  | 101-3100-42210 | fixed    | 95.00  | no
BLD-PLAN-CHK | Plan check fee                  | PERMITS  | 101-3100-42220 | open     |        | no
ENC-PRM      | Encroachment permit             | PERMITS  | 101-5100-42310 | fixed    | 250.00 | no
SPEC-EVENT   | Special event permit            | PERMITS  | 101-1200-42320 | fixed    | 150.00 | no
GARAGE-SALE  | Garage sale permit              | PERMITS  | 101-1200-42330 | fixed    | 10.00  | no
TOT          | Transient occupancy tax (TOT)   | TOT      | 101-0000-40300 | open     |        | yes
DUI-COST     | DUI emergency response costs    | POLICE   | 101-2100-43400 | open     |        | yes
ALARM-FALSE  | False alarm response fee        | POLICE   | 101-2100-43410 | fixed    | 100.00 | no
FAC-RENT     | Facility rental, per hour       | PARKS    | 101-4100-43600 | per_unit | 45.00  | no
COPIES       | Copies, per page                | CLERK    | 101-1200-43900 | per_unit | 0.25   | no
NOTARY       | Notary service, per signature   | CLERK    | 101-1200-43910 | fixed    | 15.00  | no
NSF-FEE      | Returned check (NSF) fee        | FINANCE  | 101-0000-43950 | fixed    | 35.00  | no
AR-INV       | Accounts receivable invoice     | FINANCE  | 101-0000-13100 | open     |        | yes
PAY-PLAN     | Payment plan instalment         | FINANCE  | 101-0000-13200 | open     |        | yes
MISC         | Miscellaneous revenue           | MISC     | 101-0000-49100 | open     |        | no
"""
CODES = [[f.strip() for f in line.split("|")] for line in CODE_TABLE.strip().splitlines()]
CODE = {c[0]: c for c in CODES}

USERS = [
    ("amy", "Amy Okafor", "cashier", "4821"),
    ("bob", "Bob Lindqvist", "cashier", "2468"),
    ("cara", "Cara Mendez", "cashier", "5307"),
    ("dev", "Dev Raman", "cashier", "7152"),
    ("eli", "Eli Brandt", "cashier", "6094"),
    ("lee", "Lee Santangelo", "lead", "1111"),
    ("pat", "Pat Whitcombe", "lead", "2222"),
    ("sam", "Sam Achterberg", "supervisor", "3333"),
    ("ada", "Ada Quintero", "admin", "9999"),
]


def words(text: str) -> list[str]:
    """Split on commas when there are any, else on whitespace."""
    return [w.strip() for w in text.split("," if "," in text else None)]


FIRST = words("""Alma Arturo Beatrice Calvin Dana Dmitri Elena Farah Gideon Hana Imelda Jonah
    Kiri Leona Marcus Nadia Orrin Priya Quentin Rosalind Soren Tamsin Ulises Vera Wendell
    Ximena Yusuf Zelda Hollis Marisol Thaddeus Noor Everett Lucia Bram Odessa""")
LAST = words("""Ashgrove Bellweather Castellanos Dunmore Ekwueme Fairbanks Galloway Hargreave
    Ishikawa Jaramillo Kowalczyk Lindgren Maddox Nakashima Oyelaran Pemberton Quayle Rasmussen
    Szabo Thornbury Underhill Valdivia Wexford Yarborough Zamora Brightwater Coldfield Delacroix
    Esterhaus Fenwick""")
STREETS = words("""Alder, Birchwood, Canyon View, Dovetail, Elmira, Foxglove, Granite,
    Harbor Light, Ironwood, Juniper Ridge, Kestrel, Larkspur, Meadowlark, Northgate, Orchard,
    Pinecrest, Quarry, Redwater, Sagebrush, Tamarack, Upland, Vista Del Sol, Willowbrook""")
SUFFIXES = words("St Ave Blvd Ct Dr Ln Way Pl")
BIZ_KIND = words("""Bakery, Auto Repair, Dental Group, Florist, Hardware, Yoga Studio,
    Tax Service, Taqueria, Bookshop, Dry Cleaners, Barber Shop, Plumbing, Pet Grooming,
    Coffee Roasters, Print Shop, Tailoring""")
HOTELS = words("""Harborview Inn, Sagebrush Motor Lodge, The Larkspur Hotel, Canyon Suites,
    Northgate Executive Stay, Redwater Bed & Breakfast, Pinecrest Lodge""")

R = random.Random(2026)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def fee(code: str) -> int:
    """The fixed fee of a revenue code, in cents."""
    dollars, cents = CODE[code][5].split(".")
    return int(dollars) * 100 + int(cents)


def business() -> str:
    return f"{R.choice(LAST)} {R.choice(BIZ_KIND)}"


def person() -> str:
    return f"{R.choice(FIRST)} {R.choice(LAST)}"


def address() -> str:
    line = f"{R.randint(100, 9899)} {R.choice(STREETS)} {R.choice(SUFFIXES)}"
    return line + (f" Apt {R.randint(1, 40)}" if R.random() < 0.15 else "")


def day(start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=R.randint(0, (end - start).days))


def status(paid: float, hold: float, appeal: float = 0.0) -> str:
    x = R.random()
    if x < paid:
        return "paid"
    if x < paid + hold:
        return "hold"
    return "appeal" if x < paid + hold + appeal else "open"


def open_items() -> list[list[str]]:
    jan1, dec31 = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    rows: list[list[str]] = []

    def add(
        ref: str, code: str, acct: str, name: str, addr: str, cents: int, due: dt.date, st: str
    ) -> None:
        rows.append([ref, CODE[code][2], acct, name, addr, money(cents), due.isoformat(), code, st])

    for i in range(640):  # utility bills
        ref = f"UB-{100001 + i}"
        code = R.choices(["UB-WATER", "UB-SEWER", "UB-REFUSE"], [50, 25, 25])[0]
        acct = f"{R.randint(10, 48):02d}-{R.randint(1000, 9999)}-{R.randint(1, 9):02d}"
        cents, st = R.randint(2400, 26000), status(0.03, 0.02)
        if ref in ("UB-100234", "UB-100235"):
            code, cents, st = "UB-WATER", 8215 if ref == "UB-100234" else 4560, "open"
        add(ref, code, acct, person(), address(), cents, day(jan1, dec31), st)
    cites = [c[0] for c in CODES if c[0].startswith("PKG-CIT-")]
    for i in range(360):  # parking citations, always at the code's fixed fee
        code = R.choices(cites, [30, 20, 25, 10, 8, 5, 4, 1])[0]
        letters = "".join(R.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=3))
        plate = f"CA {R.randint(4, 9)}{letters}{R.randint(0, 999):03d}"
        st = {0: "open", 1: "hold"}.get(i, status(0.03, 0.02, 0.03))
        ref = f"PC-{YEAR}-{i + 1:06d}"
        add(ref, code, plate, person(), address(), fee(code), day(jan1, dec31), st)
    for i in range(120):  # business licence renewals, due by the end of Q1
        ref, acct, biz = f"BL-{YEAR}-{i + 1:04d}", f"BUS-{i * 37 + 1001:05d}", business()
        st, due = "open" if i == 0 else status(0.04, 0.02), day(jan1, dt.date(YEAR, 3, 31))
        add(ref, "BUS-LIC-REN", acct, biz, address(), fee("BUS-LIC-REN"), due, st)
    for i in range(50):  # business tax (gross-receipts based)
        ref, acct = f"BT-{YEAR}-{i + 1:04d}", f"BUS-{i * 53 + 2003:05d}"
        cents, due, st = R.randint(5000, 480000), dt.date(YEAR, 2, 28), status(0.04, 0.02)
        add(ref, "BUS-TAX", acct, business(), address(), cents, due, st)
    for i in range(110):  # animal licence renewals
        code = R.choices(["DOG-LIC", "DOG-LIC-U", "DOG-LIC-S", "CAT-LIC"], [55, 20, 10, 15])[0]
        ref, acct = f"AL-{YEAR}-{i + 1:05d}", f"A-{R.randint(1, 99999):05d}"
        add(ref, code, acct, person(), address(), fee(code), day(jan1, dec31), status(0.04, 0.01))
    for p in range(1, 41):  # payment plans: one open item per monthly instalment
        n, total = R.randint(3, 6), R.randint(30000, 240000)
        name, addr, first = person(), address(), dt.date(YEAR, R.randint(1, 6), 15)
        paid_upto, hold = R.choice([0, 0, 0, 0, 0, 1, 1, 2]), R.random() < 0.05
        for k in range(n):
            part = total // n + (total % n if k == n - 1 else 0)
            st = "paid" if k < paid_upto else ("hold" if hold else "open")
            due = first.replace(month=first.month + k)
            add(f"PP-{p:04d}-{k + 1:02d}", "PAY-PLAN", f"PP-{p:04d}", name, addr, part, due, st)
    for h, hotel in enumerate(HOTELS, start=1):  # monthly TOT remittances
        addr, rooms = address().split(" Apt")[0], R.randint(20, 180)
        for m in range(12):  # periods: December of last year .. November; due a month later
            period = f"{YEAR - 1}-12" if m == 0 else f"{YEAR}-{m:02d}"
            due = dec31 if m == 11 else dt.date(YEAR, m + 2, 1) - dt.timedelta(days=1)
            rents = rooms * R.randint(2500, 5200) * 30 * R.randint(55, 90) // 100
            ref, tax = f"TOT-H{h:02d}-{period}", rents * 12 // 100  # 12 % TOT rate
            add(ref, "TOT", f"TOT-H{h:02d}", hotel, addr, tax, due, status(0.05, 0.02))
    for i in range(40):  # invoices / accounts receivable
        ref, acct = f"AR-{YEAR}-{i + 1:05d}", f"C-{R.randint(1, 9999):04d}"
        cents = R.randint(7500, 350000)
        add(ref, "AR-INV", acct, person(), address(), cents, day(jan1, dec31), status(0.05, 0.02))
    for i in range(25):  # DUI emergency response cost recovery
        ref, acct = f"DUI-{YEAR}-{i + 1:04d}", f"PD-{R.randint(1, 99999):05d}"
        cents = R.randint(45000, 1200000)
        add(ref, "DUI-COST", acct, person(), address(), cents, day(jan1, dec31), status(0.04, 0.04))
    return rows


# code | description | program | gl | fee_type | amount | partial_allowed | rule — one code per
# rule of program_rules.toml (programs.md: a rule code is `open` with no amount, but a permit's)
PROGRAM_CODE_TABLE = f"""
CITATION     | Parking citation                             | PARKING  | {CITE} | open  |       | no | citation
TOT-RETURN   | Transient occupancy tax return               | TOT      | 101-0000-31300 | open  |       | no | tot
BUS-LICENCE  | Business licence (gross receipts)            | BUSINESS | 101-0000-41100 | open  |       | no | business_licence
ANIMAL-LIC   | Animal licence (dog or cat)                   | ANIMAL   | 101-2200-42100 | open  |       | no | animal_licence
PKG-PRM-ZONE | Zone parking permit                           | PARKING  | 101-0000-41310 | fixed | 40.00 | no | parking_permit
"""  # noqa: E501
PROGRAM_CODES = [
    [f.strip() for f in line.split("|")] for line in PROGRAM_CODE_TABLE.strip().splitlines()
]

# ref | fine as issued | issued | due (last day before the late penalty) | status | name |
# address | plate — fixed dates around the end of the year, names of their own (no search of
# the base city finds them)
CITATIONS = """
PC-2026-500001 | 45.00  | 2026-11-30 | 2026-12-21 | open | Wren Halvorsen   | 14 Cedar Hollow Rd      | CA 9DMO101
PC-2026-500002 | 55.00  | 2026-10-01 | 2026-10-22 | open | Ines Marchetti   | 2209 Saltmarsh Rd       | CA 8DMO202
PC-2026-500003 | 65.00  | 2026-11-20 | 2026-12-11 | open | Otto Vandermeer  | 77 Copperleaf Ter       | CA 7DMO303
PC-2026-500004 | 80.00  | 2026-09-12 | 2026-10-03 | open | Pilar Esquivel   | 5120 Thistledown Rd     | CA 6DMO404
PC-2026-500005 | 350.00 | 2026-08-15 | 2026-09-05 | open | Rafe Okonjo      | 903 Bellflower Ter      | CA 5DMO505
PC-2026-500006 | 45.00  | 2026-07-02 | 2026-07-23 | hold | Sunniva Tallis   | 41 Cedar Hollow Rd      | CA 4DMO606
"""  # noqa: E501

# account | rule | name | opened — the hotels of the TOT remittances above, and businesses
ACCOUNTS = [
    *([f"TOT-H{h:02d}", "tot", hotel, "", f"{2015 + h}-04-01"] for h, hotel in
      enumerate(HOTELS, start=1)),
    ["BL-0101", "business_licence", "Halvorsen Bakery", "14 Cedar Hollow Rd", "2019-02-01"],
    ["BL-0102", "business_licence", "Marchetti Print Shop", "2209 Saltmarsh Rd", "2021-06-15"],
    ["BL-0103", "business_licence", "Okonjo Tax Service", "903 Bellflower Ter", "2023-01-09"],
]  # fmt: skip


def program_items() -> list[list[str]]:
    rows = []
    for line in CITATIONS.strip().splitlines():
        ref, fine, issued, due, st, name, addr, plate = (f.strip() for f in line.split("|"))
        rows.append([ref, "PARKING", plate, name, addr, fine, due, "CITATION", st, issued, plate])
    return rows


def write(name: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    write(
        "revenue_codes.csv",
        words("code description program gl fee_type amount partial_allowed"),
        CODES,
    )
    write("users.csv", words("login name role pin"), USERS)
    items = open_items()
    header = words("ref program account name address amount_due due_date revenue_code status")
    write("open_items.csv", header, items)
    print(f"{len(CODES)} revenue codes, {len(USERS)} users, {len(items)} open items")
    rule_header = words("code description program gl fee_type amount partial_allowed rule")
    write("program_codes.csv", rule_header, PROGRAM_CODES)
    write("program_items.csv", [*header, "issued", "plate"], program_items())
    write("accounts.csv", words("account rule name address opened"), ACCOUNTS)
    print(f"programs: {len(PROGRAM_CODES)} codes, {len(program_items())} citations, "
          f"{len(ACCOUNTS)} accounts")  # fmt: skip


if __name__ == "__main__":
    main()
