"""The demo branch: a realistic rural home-care branch to try BranchDesk on, and for tests.

Everything is drawn from one ``random.Random(seed)`` and the day the history ends, so the
same seed and day always build the same branch. The first twelve clients are set out to
cover every category, funding type, end reason, envelope reason, suspension reason and
review status, so even a small demo shows every screen at work; the rest are drawn at random.

The data is written in one transaction into a new file beside the target, which replaces
the target only when complete. An existing demo branch is replaced; any other file is
refused, so a real branch can never be overwritten by mistake.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from branchdesk.i18n import _
from branchdesk.models.contracts import Contract, contract_to_row, parse_band_rates
from branchdesk.models.dates import (
    add_months,
    format_date,
    iso,
    month_key,
    month_name,
    parse_month,
    previous_month,
)
from branchdesk.models.db import Store, open_branch
from branchdesk.models.errors import BranchDeskError, BranchFileError
from branchdesk.models.file_lock import is_stale, read_lock
from branchdesk.models.hours_bank import expiry_for
from branchdesk.models.money import format_decimal

#: Setting that marks a file as a demo branch (so building a demo may replace it).
DEMO_SETTING = "demo_branch"

ONE_DAY = dt.timedelta(days=1)
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
LAST_START = 23 * 60 + 50  # a visit starts on its own day; a late night visit may end after midnight

Progress = Callable[[int, int, str], None]

# -- the branch and its contracts ---------------------------------------------------------------
BRANCH = {
    "id": 1,
    "name": "Orchard Lane Home Care – Ledbury",
    "address": "Unit 4, Bye Street Mews\nLedbury\nHerefordshire\nHR8 2AA",
    "phone": "01531 632418",
    "email": "ledbury@orchardlanecare.co.uk",
    "cqc_location_id": "1-558234917",
    "bank_account_name": "Orchard Lane Home Care Ltd",
    "bank_sort_code": "30-96-26",
    "bank_account_number": "41827305",
    "signatory_name": "Helen Pritchard",
    "signatory_role": "Registered Manager",
}
MANAGER = "Helen Pritchard"
COORDINATOR = "Jo Hadley"


def _contracts(start: dt.date) -> list[Contract]:
    """The four payment styles a border branch meets: outcomes with a reward pot, fee per
    outcome, banded rates, and time and task."""
    return [
        Contract(
            id=1, ref="HCC", council="Herefordshire Council", core_basis="envelope", hourly_rate_pence=2340,
            commissioner="Rachel Bowen, Commissioning Officer (Home Care)",
            address="Adult Social Care Commissioning\nHerefordshire Council\nPlough Lane\nHereford\nHR4 0LE",
            start_date=start, supplier_number="HC-SUP-20417", purchase_order="PO-4700031882", claim_prefix="HCC",
            print_names="initials", core_share=Decimal("0.8"), outcome_upfront_share=Decimal("0.2"),
            reward_share=Decimal("0.2"), hours_saved_share=Decimal("0.5"), hours_saved_months=12, retainer_days=3,
            bank_expiry_weeks=13,
        ),
        Contract(
            id=2, ref="WCC", council="Worcestershire County Council", core_basis="none", hourly_rate_pence=2280,
            commissioner="Gareth Lloyd, Senior Commissioner – Reablement",
            address="Commissioning Unit\nWorcestershire County Council\nCounty Hall, Spetchley Road\nWorcester\nWR5 2NP",
            start_date=start, supplier_number="100482", purchase_order="WCC/HC/0193", claim_prefix="WCC",
            print_names="full", episode_fee_pence=157500, outcome_partial_share=Decimal("0.5"), bank_expiry_weeks=13,
        ),
        Contract(
            id=3, ref="BAND", council="NHS Herefordshire and Worcestershire ICB", core_basis="band",
            hourly_rate_pence=2340, commissioner="Continuing Healthcare Team",
            address="Continuing Healthcare\nNHS Herefordshire and Worcestershire ICB\nMarches House, Midland Road\nWorcester\nWR5 1DU",
            start_date=start, supplier_number="V-338120", purchase_order="HW-CHC-55817", claim_prefix="ICB",
            print_names="initials", band_rates=parse_band_rates("lower=75;higher=150;intensive=320"), retainer_days=7,
            bank_expiry_weeks=13,
        ),
        Contract(
            id=4, ref="SPOT", council="Herefordshire Council", core_basis="delivered", hourly_rate_pence=2410,
            commissioner="Brokerage Team (spot purchases)",
            address="Brokerage Team\nHerefordshire Council\nPlough Lane\nHereford\nHR4 0LE",
            start_date=start, supplier_number="HC-SUP-20417", purchase_order="PO-4700035120", claim_prefix="SPOT",
            print_names="full", bank_expiry_weeks=13,
        ),
    ]


def _band_for(hours: Decimal) -> str:
    if hours < 7:
        return "lower"
    if hours <= 14:
        return "higher"
    return "intensive"


# -- places, people and words ---------------------------------------------------------------------
TEAMS = ("Ledbury", "Malvern Hills", "Marcle Ridge", "Ross & Wye")

#: place, county, postcode sectors, dialling code, team (Worcestershire places are WCC's)
PLACES = (
    ("Ledbury", "Herefordshire", ("HR8 1", "HR8 2"), "01531", "Ledbury"),
    ("Eastnor", "Herefordshire", ("HR8 1",), "01531", "Ledbury"),
    ("Bosbury", "Herefordshire", ("HR8 1",), "01531", "Ledbury"),
    ("Wellington Heath", "Herefordshire", ("HR8 1",), "01531", "Ledbury"),
    ("Colwall", "Herefordshire", ("WR13 6",), "01684", "Malvern Hills"),
    ("Cradley", "Herefordshire", ("WR13 5",), "01886", "Malvern Hills"),
    ("Much Marcle", "Herefordshire", ("HR8 2",), "01531", "Marcle Ridge"),
    ("Ashperton", "Herefordshire", ("HR8 2",), "01531", "Marcle Ridge"),
    ("Tarrington", "Herefordshire", ("HR1 4",), "01432", "Marcle Ridge"),
    ("Fownhope", "Herefordshire", ("HR1 4",), "01432", "Marcle Ridge"),
    ("Putley", "Herefordshire", ("HR8 2",), "01531", "Marcle Ridge"),
    ("Ross-on-Wye", "Herefordshire", ("HR9 5", "HR9 7"), "01989", "Ross & Wye"),
    ("Upton Bishop", "Herefordshire", ("HR9 7",), "01989", "Ross & Wye"),
    ("Bridstow", "Herefordshire", ("HR9 6",), "01989", "Ross & Wye"),
    ("Malvern", "Worcestershire", ("WR14 1", "WR14 2", "WR14 3"), "01684", "Malvern Hills"),
    ("Malvern Wells", "Worcestershire", ("WR14 4",), "01684", "Malvern Hills"),
    ("Welland", "Worcestershire", ("WR13 6",), "01684", "Malvern Hills"),
    ("Upton-upon-Severn", "Worcestershire", ("WR8 0",), "01684", "Malvern Hills"),
    ("Hanley Swan", "Worcestershire", ("WR8 0",), "01684", "Malvern Hills"),
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STREETS = (
    "Church Lane", "The Homend", "Bye Street", "New Street", "Orchard Close", "Belle Orchard", "Biddulph Way",
    "Knapp Lane", "Station Road", "Hereford Road", "Mill Lane", "Fir Tree Close", "Jubilee Close", "Woodleigh Road",
    "The Southend", "Victoria Road", "Long Acre", "Copse Close", "Kiln Lane", "Hollybush Lane", "Mayfield Close",
    "Ross Road", "Walwyn Road", "Brook Lane", "Cherry Tree Close", "The Green", "Chapel Lane", "Pound Lane",
    "Vicarage Close", "Barnfield Road", "Old Road", "Hawthorn Rise",
)
HOUSE_NAMES = ("Rose Cottage", "The Old Forge", "Meadow View", "Orchard House", "1 Glebe Cottages", "The Laurels", "Perrystone Cottage")

WOMEN = (
    "Margaret", "Joan", "Dorothy", "Eileen", "Patricia", "Barbara", "Jean", "Sheila", "Maureen", "Brenda", "Mary",
    "Doreen", "Irene", "Pauline", "Sylvia", "Valerie", "Audrey", "Betty", "Gwen", "Iris", "Edna", "Rita", "Joyce",
    "Marjorie", "Elsie", "Siân", "Olive", "Phyllis", "Ruth", "Beryl",
)
MEN = (
    "John", "David", "Peter", "Michael", "Brian", "Alan", "Kenneth", "Roy", "Dennis", "Ronald", "Derek", "Geoffrey",
    "Arthur", "Bernard", "Colin", "Raymond", "Trevor", "Gordon", "Keith", "Malcolm", "Leslie", "Harold", "Norman",
    "Stanley", "Gwilym", "Cyril",
)
SURNAMES = (
    "Price", "Powell", "Pritchard", "Bevan", "Jones", "Davies", "Williams", "Morgan", "Watkins", "Preece", "Probert",
    "Gwynne", "Parry", "Lewis", "Bayliss", "Smith", "Taylor", "Baker", "Hill", "Wood", "Turner", "Cooper", "Ward",
    "Hughes", "Griffiths", "Meredith", "Bowen", "Jenkins", "Vaughan", "Harris", "Tompkins", "Powles", "Bromage",
    "Godsall", "Hodges", "O'Neill", "Thomas", "Evans", "Wilding", "Apperley", "Symonds", "Gardiner", "Lane",
    "Skyrme", "Bufton", "Matthews", "Tranter", "Careless",
)
YOUNGER_WOMEN = (
    "Sarah", "Emma", "Laura", "Kirsty", "Gemma", "Hayley", "Rebecca", "Lucy", "Chloe", "Jade", "Amy", "Danielle",
    "Katie", "Natalie", "Stacey", "Beth", "Megan", "Sophie", "Hannah", "Rachel", "Joanne", "Claire", "Nicola",
    "Lisa", "Tracey", "Michelle", "Ioana", "Agnieszka", "Mihaela", "Priya", "Karen", "Julie", "Wendy", "Alison",
)
YOUNGER_MEN = ("Tom", "Ben", "Josh", "Ryan", "Liam", "Dan", "Craig", "Luke", "Adam", "Marius", "Mark", "Steve", "Paul", "Gary")
SOCIAL_WORKERS = {
    "Herefordshire": ("Anna Whitcombe", "Dev Patel", "Siân Meredith", "Mark Godsall", "Laura Tranter"),
    "Worcestershire": ("Kate Ingram", "Tom Hollis", "Amrit Sandhu"),
}
RELATIVES = (
    ("daughter", "F"), ("son", "M"), ("daughter", "F"), ("wife", "F"), ("husband", "M"), ("niece", "F"),
    ("nephew", "M"), ("granddaughter", "F"), ("son-in-law", "M"), ("daughter-in-law", "F"),
)

OUTCOME_WORDS = {
    "control_daily_life": (
        "I want to choose when I get up and go to bed",
        "I want to manage my own money and post again",
        "I want to decide for myself what I do with my day",
    ),
    "personal_care": (
        "I want to have a shower on my own again",
        "I want to get myself washed and dressed in the morning",
        "I'd like to manage my own tablets",
    ),
    "food_drink": (
        "I want to make my own breakfast again",
        "I want to cook a proper dinner for me and my wife",
        "I want to get to the shop for my own bits",
    ),
    "safety": (
        "I want to feel safe getting up and down the stairs",
        "I don't want to fall again",
        "I want to feel safe on my own at night",
    ),
    "social_participation": (
        "I want to get back to the lunch club on Tuesdays",
        "I want to see my friends at chapel again",
        "I want to go to the Legion on a Friday night",
    ),
    "occupation": (
        "I want to get back out in my garden",
        "I want to do some baking for the WI stall",
        "I want to go back to helping at the charity shop",
    ),
    "accommodation": (
        "I want to stay in my own home",
        "I want to keep my bungalow clean and tidy the way I like it",
        "I want to sleep upstairs in my own bed again",
    ),
    "dignity": (
        "I want to be treated as me, not as a list of jobs",
        "I want the same faces coming in",
        "I'd like to be helped to wash by a woman",
    ),
    "health": (
        "I want to walk to the end of the lane with my frame",
        "I want to get my strength back after the hospital",
        "I want my legs to heal so I can wear proper shoes",
    ),
    "end_of_life": (
        "I want to stay at home with my family to the end",
        "I want to be comfortable and free of pain",
        "I want my wife to be able to get some sleep at night",
    ),
}
DOMAINS_BY_CATEGORY = {
    "reablement": ("personal_care", "food_drink", "health", "safety", "control_daily_life", "social_participation"),
    "long_term": ("personal_care", "food_drink", "social_participation", "occupation", "accommodation", "safety", "dignity", "control_daily_life", "health"),
    "dementia": ("safety", "dignity", "personal_care", "social_participation", "accommodation", "food_drink", "control_daily_life"),
    "palliative": ("end_of_life", "dignity", "personal_care", "health", "control_daily_life"),
}
#: which outcomes a visit at each part of the day serves
DOMAINS_BY_PART = {
    "morning": ("personal_care", "food_drink", "control_daily_life", "health"),
    "lunchtime": ("food_drink", "social_participation", "occupation"),
    "afternoon": ("occupation", "social_participation", "health", "accommodation"),
    "teatime": ("food_drink", "health", "accommodation"),
    "evening": ("safety", "dignity", "personal_care", "control_daily_life"),
    "night": ("safety", "end_of_life", "dignity"),
}
#: when each part of the day's visits may start (minutes after midnight): first and last start
WINDOWS = {
    "morning": (420, 660),
    "lunchtime": (705, 810),
    "afternoon": (840, 960),
    "teatime": (975, 1095),
    "evening": (1140, 1290),
    "night": (1380, 1410),
}
RUN_GAP = 20  # minutes kept free in a worker's run for travel and for a visit running late
PURPOSES = {
    "morning": (
        "Help to get up, wash and dress; breakfast together",
        "Shower and getting ready for the day at {first}'s own pace",
        "Morning tablets, and make breakfast together",
        "Help with washing and dressing; {first} makes the tea",
    ),
    "lunchtime": ("Lunch together and a chat", "Prepare lunch with {first}; check drinks are within reach", "Warm lunch and help with the crossword"),
    "afternoon": (
        "Walk to the end of the lane with the frame",
        "Out to the shops in {town}",
        "Sit with {first} so the family can have a break",
        "Time in the garden together",
    ),
    "teatime": ("Tea and evening tablets", "Light tea together; check the house is warm", "Tea, and help to get comfortable in the chair"),
    "evening": ("Help to get ready for bed", "Settle for the night; check the pendant is on", "Wash, night clothes and a hot drink"),
    "night": ("Turn and make comfortable; mouth care", "Check and settle for the night; night-time medication"),
}
REABLEMENT_PURPOSES = {
    "morning": ("Practise washing and dressing with the OT's plan", "Practise making breakfast safely with the kettle tipper"),
    "lunchtime": ("Practise making a sandwich and a hot drink",),
    "teatime": ("Practise making a light tea; exercises from the physio",),
    "evening": ("Practise getting ready for bed with the new rail",),
}
BANK_PURPOSES = (
    "A trip to the garden centre",
    "Christmas shopping in Hereford",
    "A day in Malvern to see family",
    "An afternoon at the Three Counties Show",
    "Fish and chips by the river at Ross with the grandchildren",
    "A trip to the cattle market in Hereford",
)
SATISFACTION_WORDS = {
    5: ("They've been marvellous, I couldn't ask for more.", "I look forward to them coming. It's like family.", "Best thing that's happened since my hip."),
    4: ("Very good, just the odd late evening call.", "I like that it's mostly the same girls now.", "Good. I'd like a bit more time in the mornings."),
    3: ("All right, but I never know who's coming at the weekend.", "The care is fine but the times jump about.", "Some are better than others."),
    2: ("Too many different faces, and they're rushed.", "Not happy with the evening calls being late."),
}
EVIDENCE = {
    "achieved": ("Seen doing it on the review visit.", "The family confirm it has been managed without help for a month.", "Care notes show no help needed for weeks."),
    "partly": ("Manages on good days; still needs a prompt.", "Does it with someone nearby for confidence.", "About half the week without help."),
    "not_achieved": ("Not possible since the fall in the winter.", "Tried, but too tired after the chest infection.", "Still needs full help."),
    "active": ("Working on it; keep going.", "Steady progress; review again next time.", "Ongoing, and still what matters most."),
    "withdrawn": ("No longer what matters most.", "Agreed to drop this after the move downstairs.", "Replaced by a new outcome."),
}
NOTES = (
    "Referral received from {sw}; first visit arranged with {contact}.",
    "{contact} rang: {first} had a fall on the stairs last night, no injury. GP informed.",
    "Key worker changed to {key} at {first}'s request.",
    "OT visited and left a perching stool and a kettle tipper.",
    "{first} was upset about the late evening call on Saturday; apologised and explained the cover.",
    "Pharmacy now delivers a blister pack every Thursday.",
    "Community nurse asked us to watch the skin on {first}'s heels and report any redness.",
)
CHANGE_NOTES = {
    "independence": "Manages more without help now; visit shortened",
    "community_link": "Goes to the lunch club instead of a lunchtime call",
    "needs_increased": "More help needed after a fall; extra call added",
    "needs_decreased": "Family now cover weekend evenings",
    "other": "Hours adjusted after the council recalculated the personal budget",
}


# -- what each demo client is set up to show ------------------------------------------------------
@dataclass
class Profile:
    """A client's shape: who funds them, when they start and end, and what they are there to show."""

    category: str
    funding: str
    contract: str
    start_ago: int  # days before today (negative: a referral starting soon)
    length: int | None = None  # days of service when the service has ended
    end_reason: str | None = None
    flags: tuple[str, ...] = ()
    review_changes: tuple[str, ...] = ()  # envelope reasons decided at the first reviews, in order
    review_statuses: tuple[str, ...] = ()  # statuses given at the first review, outcome by outcome
    suspensions: tuple[tuple[str, int, int], ...] = ()  # reason, days before today, length in days


def _coverage(today: dt.date) -> list[Profile]:
    """The first clients: between them, every category, funding, end reason and rule at work."""
    month_start = dt.date(today.year, today.month, 1)
    crossing = add_months(month_start, -2) - dt.timedelta(days=5)  # a hospital stay across a month end
    return [
        Profile("reablement", "council", "HCC", 120, 35, "no_further_care", ("closing_review",)),
        Profile("long_term", "direct_payment", "HCC", 430, flags=("many_workers", "all_items", "bank"),
                review_changes=("independence", "community_link"), review_statuses=("achieved", "partly", "active"),
                suspensions=(("hospital", (today - crossing).days, 12),)),
        Profile("dementia", "isf", "BAND", 300, flags=("poor_continuity",), review_changes=("needs_increased",),
                review_statuses=("not_achieved", "withdrawn", "active"), suspensions=(("respite", 5, 14),)),
        Profile("palliative", "council", "BAND", 100, 70, "died", flags=("night", "above_cap"), review_changes=("other",)),
        Profile("long_term", "self_funder", "SPOT", 25, suspensions=(("holiday", 14, 6),)),
        Profile("reablement", "council", "WCC", 75, 40, "no_further_care", ("closing_review",)),
        Profile("long_term", "council", "WCC", 250, 200, "moved_provider", ("bank",), review_changes=("needs_decreased",)),
        Profile("dementia", "direct_payment", "HCC", 380, 330, "residential_care", ("after_hospital",),
                suspensions=(("hospital", 200, 10),)),
        Profile("long_term", "council", "HCC", 200, 150, "hospital"),
        Profile("long_term", "isf", "SPOT", 160, 100, "other"),
        Profile("reablement", "council", "HCC", -9),
        Profile("long_term", "council", "HCC", 55, flags=("above_envelope", "overdue"), suspensions=(("other", 30, 4),)),
    ]


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    r = rng.random() * sum(w for _v, w in weighted)
    for value, weight in weighted:
        r -= weight
        if r < 0:
            return value
    return weighted[-1][0]


def _random_profile(rng: random.Random, window_days: int) -> Profile:
    category = _pick(rng, (("reablement", 0.25), ("long_term", 0.42), ("dementia", 0.22), ("palliative", 0.11)))
    funding = _pick(rng, (("council", 0.6), ("direct_payment", 0.15), ("isf", 0.1), ("self_funder", 0.15)))
    contract = {
        "reablement": (("HCC", 0.6), ("WCC", 0.4)),
        "long_term": (("HCC", 0.55), ("BAND", 0.2), ("WCC", 0.15), ("SPOT", 0.1)),
        "dementia": (("HCC", 0.5), ("BAND", 0.4), ("SPOT", 0.1)),
        "palliative": (("BAND", 0.6), ("HCC", 0.4)),
    }[category]
    contract = _pick(rng, contract)
    roll = rng.random()
    existing = category in ("long_term", "dementia") and 0.04 <= roll < 0.55
    if roll < 0.04:
        start_ago = -rng.randint(3, 28)
    elif existing:  # already supported when the history begins
        start_ago = window_days + rng.randint(30, 900)
    elif category == "reablement" and roll < 0.3:  # an episode under way: reablement lasts weeks, not months
        start_ago = rng.randint(2, 40)
    else:
        start_ago = rng.randint(2, max(window_days, 3))
    if existing:
        length = start_ago - window_days + int(rng.expovariate(1 / 900)) + 10
        reason = _pick(rng, (("died", 0.35), ("residential_care", 0.3), ("hospital", 0.15), ("moved_provider", 0.1), ("other", 0.1)))
    elif category == "reablement":
        length = rng.randint(22, 49)
        reason = _pick(rng, (("no_further_care", 0.7), ("moved_provider", 0.1), ("residential_care", 0.06),
                             ("hospital", 0.08), ("died", 0.02), ("other", 0.04)))
    elif category == "palliative":
        length = rng.randint(14, 200)
        reason = _pick(rng, (("died", 0.85), ("hospital", 0.1), ("residential_care", 0.05)))
    else:
        length = int(rng.expovariate(1 / 1100)) + 30
        reason = _pick(rng, (("died", 0.35), ("residential_care", 0.3), ("hospital", 0.15), ("moved_provider", 0.1), ("other", 0.1)))
    if start_ago <= 0 or length >= start_ago:
        length, reason = None, None
    flags = []
    for flag, chance in (("many_workers", 0.03), ("poor_continuity", 0.05), ("above_envelope", 0.06),
                         ("above_cap", 0.02), ("bank", 0.15), ("overdue", 0.06), ("night", 0.3 if category == "palliative" else 0)):
        if rng.random() < chance:
            flags.append(flag)
    return Profile(category, funding, contract, start_ago, length, reason, tuple(flags))


# -- building ---------------------------------------------------------------------------------------
@dataclass
class Slot:
    """A paid visit in an ideal week."""

    day: int
    part: str
    start: int  # minutes after midnight
    minutes: int
    purpose: str
    outcomes: list[int]
    workers: list[int]


@dataclass
class Item:
    """Something family, friends, the community or technology do in the week."""

    day: int
    part: str
    kind: str
    who: str
    purpose: str
    time: str | None = None


@dataclass
class Version:
    effective: dt.date
    agreed_with: str
    slots: list[Slot]
    items: list[Item]
    override: str = ""

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.slots)


@dataclass
class Worker:
    id: int
    ref: str
    name: str
    team: str
    role: str
    hours: str
    left_on: dt.date | None = None
    #: the worker's runs: (part of day, start, end, first day, last day) of each regular visit booked
    runs: list = field(default_factory=list)


def _hm(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class _Builder:
    """Draws the whole branch in memory, table by table, ready for one bulk write."""

    def __init__(self, clients: int, months: int, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.n_clients = clients
        self.today = today
        self.first_day = add_months(today, -months)  # the history of visits runs from here
        self.last_day = today - ONE_DAY  # to yesterday
        self.window_days = (today - self.first_day).days
        self.contracts = {c.ref: c for c in _contracts(dt.date(self.first_day.year - 3, 4, 1))}
        self.tables: dict[str, list] = {name: [] for name in (
            "clients", "contacts", "client_notes", "outcomes", "reviews", "review_outcomes", "envelopes", "ideal_weeks",
            "ideal_week_items", "ideal_week_item_outcomes", "ideal_week_item_workers", "hours_bank", "suspensions", "visits")}
        self.ids = {name: 0 for name in self.tables}
        self.busy: dict[int, list[tuple[int, int]]] = {}
        self.used_domains: list[str] = []
        self.used_names: set[str] = set()
        self.council_refs: set[str] = set()
        self.visit_statuses: dict[str, int] = {}
        self.outcome_count: dict[int, int] = {}
        self.seed = seed
        #: the client being built: a woman or not; the workers who may take their regular visits, and until when
        self.woman = False
        self.booking: tuple[list[Worker], dt.date | None] = ([], None)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # -- people ----------------------------------------------------------------------------------
    def unique_name(self, firsts, surnames=SURNAMES) -> str:
        while True:
            name = f"{self.rng.choice(firsts)} {self.rng.choice(surnames)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def phone(self, code: str) -> str:
        return f"{code} {self.rng.randint(200000, 899999)}"

    def mobile(self) -> str:
        return f"07{self.rng.randint(700, 989)} {self.rng.randint(100000, 999999)}"

    def build_workers(self) -> None:
        count = max(6, round(self.n_clients / 3.5))  # about 1.1 contracted hours for each envelope hour in service
        teams = TEAMS if count >= 12 else TEAMS[:3]
        self.teams = teams
        self.workers: list[Worker] = []
        for index in range(count):
            team = teams[index % len(teams)]
            first_of_team = index < len(teams)
            name = self.unique_name(YOUNGER_WOMEN if self.rng.random() < 0.82 else YOUNGER_MEN)
            if first_of_team:
                role, hours = "Team coach", "37.5"
            elif index == len(teams):
                role, hours = "Reablement worker", "30"
            elif index % 9 == 5:
                role, hours = "Night carer", "30"
            else:
                role = self.rng.choice(("Wellbeing worker", "Wellbeing worker", "Senior wellbeing worker"))
                hours = self.rng.choice(("16", "22.5", "30", "30", "37.5"))
            self.workers.append(Worker(index + 1, f"W{index + 1:02d}", name, team, role, hours))
        if count >= 8:  # one worker left the branch part-way through the history
            self.workers[-1].left_on = self.today - dt.timedelta(days=min(100, self.window_days // 2))
        self.by_team = {team: [w for w in self.workers if w.team == team] for team in teams}

    def available(self, worker: Worker, day: dt.date) -> bool:
        return worker.left_on is None or day <= worker.left_on

    # -- one client ------------------------------------------------------------------------------
    def build_client(self, number: int, profile: Profile) -> None:
        rng = self.rng
        client_id = self.next_id("clients")
        contract = self.contracts[profile.contract]
        start = self.today - dt.timedelta(days=profile.start_ago)
        end = start + dt.timedelta(days=profile.length) if profile.length is not None else None
        if end is not None and end >= self.today:
            end, profile.end_reason = None, None
        places = [p for p in PLACES if (p[1] == "Worcestershire") == (contract.ref == "WCC") and p[4] in self.teams]
        if not places:
            places = [p for p in PLACES if p[4] in self.teams]
        town, county, sectors, code, team = rng.choice(places)
        woman = rng.random() < 0.64
        self.woman = woman
        name = self.unique_name(WOMEN if woman else MEN)
        first = name.split()[0]
        age = rng.randint(60, 95) if profile.category == "palliative" else rng.randint(68, 97)
        birth = dt.date(self.today.year - age, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        street = rng.choice(HOUSE_NAMES) + ", " + rng.choice(STREETS) if rng.random() < 0.15 else f"{rng.randint(1, 64)} {rng.choice(STREETS)}"
        postcode = f"{rng.choice(sectors)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        council_ref = self.council_ref(contract.ref)
        team_workers = [w for w in self.by_team[team] if self.available(w, max(start, self.first_day))] or self.by_team[team]
        preferred = self.preferred_workers(profile, team_workers, start, end)
        self.booking = (preferred + [w for w in team_workers if w not in preferred]
                        + [w for w in self.workers if w not in team_workers and w not in preferred], end)
        key_worker = preferred[0]
        social_worker = "" if profile.funding == "self_funder" else rng.choice(SOCIAL_WORKERS[county])
        ot_required = rng.random() < (0.75 if profile.category == "reablement" else 0.3)
        ot_done = None
        if ot_required:
            done = start + dt.timedelta(days=rng.randint(2, 20))
            ot_done = done if done < self.today and rng.random() < 0.9 else None

        contacts = self.build_contacts(client_id, name, woman, code)
        outcomes = self.build_outcomes(client_id, profile, contract, start)
        version = self.first_plan(profile, start, first, town, outcomes, preferred, contacts)
        planned = Decimal(version.minutes) / 60
        envelope = self.initial_envelope(profile, planned)
        rate = contract.hourly_rate
        if profile.funding == "self_funder":
            budget = None
        else:
            factor = Decimal(rng.randint(105, 125)) / 100
            if "above_cap" in profile.flags:
                factor = Decimal("0.9") * planned / envelope
                version.override = "Extra night calls agreed with the district nurse and the family while the CHC application is decided"
            budget = int((envelope * rate * factor).to_integral_value()) * 100
        suspensions = self.build_suspensions(client_id, profile, start, end)
        envelopes = [(start, envelope, "initial", "Indicative hours on referral", None)]
        versions = [version]
        self.build_reviews(client_id, profile, contract, start, end, first, contacts, key_worker, outcomes, envelopes,
                           versions, suspensions)
        if "after_hospital" in profile.flags and suspensions:
            self.change_after_hospital(suspensions[0], end, envelopes, versions, first, contacts)

        self.tables["clients"].append({
            "id": client_id, "ref": f"C{number:03d}", "council_ref": council_ref, "name": name, "date_of_birth": iso(birth),
            "address": f"{street}\n{town}\n{county}", "postcode": postcode, "phone": self.phone(code),
            "contract_id": contract.id, "category": profile.category, "funding": profile.funding,
            "personal_budget_weekly_pence": budget, "start_date": iso(start), "end_date": iso(end),
            "end_reason": profile.end_reason if end else None, "ot_required": int(ot_required), "ot_done_date": iso(ot_done),
            "social_worker": social_worker, "key_worker": key_worker.name, "team": team,
        })
        for effective, hours, reason, note, review_id in envelopes:
            band = _band_for(hours) if contract.core_basis == "band" else ""
            self.tables["envelopes"].append({
                "id": self.next_id("envelopes"), "client_id": client_id, "effective_date": iso(effective),
                "hours_per_week": format_decimal(hours), "band": band, "reason": reason, "note": note, "review_id": review_id})
        for plan in versions:
            self.write_plan(client_id, plan)
        self.build_notes(client_id, start, end, first, social_worker, contacts, key_worker)
        weekly = self.build_visits(client_id, profile, start, end, versions, suspensions, preferred, team_workers)
        if "bank" in profile.flags:
            self.build_bank(client_id, contract, start, end, envelopes, weekly, suspensions, preferred, team_workers)

    def council_ref(self, contract_ref: str) -> str:
        while True:
            number = self.rng.randint(100000, 999999)
            ref = {"WCC": f"WCC{number}", "BAND": f"CHC/{number // 1000:03d}/{number % 1000:03d}"}.get(contract_ref, f"HC{number}")
            if ref not in self.council_refs:
                self.council_refs.add(ref)
                return ref

    def preferred_workers(self, profile: Profile, team_workers: list[Worker], start: dt.date, end: dt.date | None) -> list[Worker]:
        """The people the client would like to see: a lead (the key worker, the least busy in the
        team over the client's service) and one or two others."""
        rng = self.rng
        last = end or dt.date.max
        lead = min(team_workers, key=lambda w: (sum(1 for r in w.runs if r[3] <= last and r[4] >= start), w.id))
        others = [w for w in team_workers if w is not lead]
        rng.shuffle(others)
        wanted = rng.randint(5, 6) if "many_workers" in profile.flags else rng.choice((1, 2, 2, 3))
        chosen = [lead, *others[: wanted - 1]]
        if len(chosen) < wanted:
            spare = [w for w in self.workers if w not in chosen and w.left_on is None]
            chosen += spare[: wanted - len(chosen)]
        return chosen

    def build_contacts(self, client_id: int, name: str, woman: bool, code: str) -> list[tuple[str, str, bool]]:
        rng = self.rng
        surname = name.split()[-1]
        found = []
        for _i in range(rng.choice((1, 2, 2, 3))):
            relationship, sex = rng.choice(RELATIVES)
            if relationship == "wife" and woman or relationship == "husband" and not woman:
                relationship, sex = "son", "M"
            if any(c[1] in ("wife", "husband") for c in found) and relationship in ("wife", "husband"):
                relationship, sex = "niece", "F"
            first = rng.choice(YOUNGER_WOMEN if sex == "F" else YOUNGER_MEN)
            family_name = surname if relationship in ("son", "wife", "husband", "nephew") else rng.choice(SURNAMES)
            told = rng.random() < 0.88
            found.append((f"{first} {family_name}", relationship, told))
        if rng.random() < 0.3:
            found.append((f"{rng.choice(WOMEN)} {rng.choice(SURNAMES)}", "neighbour", False))
        for contact_name, relationship, told in found:
            phone = self.mobile() if rng.random() < 0.6 else self.phone(code)
            self.tables["contacts"].append({
                "id": self.next_id("contacts"), "client_id": client_id, "name": contact_name, "relationship": relationship,
                "phone": phone, "may_be_told": int(told)})
        return found

    def pick_domains(self, category: str, count: int) -> list[str]:
        choices = list(DOMAINS_BY_CATEGORY[category])
        domains = []
        missing = [d for d in OUTCOME_WORDS if d not in self.used_domains and d in choices]
        if missing:
            domains.append(missing[0])
        while len(domains) < count:
            domain = self.rng.choice(choices)
            if domain not in domains:
                domains.append(domain)
        self.used_domains.extend(d for d in domains if d not in self.used_domains)
        return domains

    def outcome_fee(self, contract: Contract) -> int:
        if contract.ref == "HCC":
            return self.rng.randrange(250, 525, 25) * 100
        if contract.ref == "WCC":
            return self.rng.randrange(400, 925, 25) * 100
        return 0

    def build_outcomes(self, client_id: int, profile: Profile, contract: Contract, start: dt.date) -> list[dict]:
        agreed = start - dt.timedelta(days=self.rng.randint(0, 5)) if profile.start_ago < 0 else start
        count = max(3, len(profile.review_statuses)) if profile.review_statuses else self.rng.choice((2, 3, 3, 4))
        outcomes = []
        for domain in self.pick_domains(profile.category, count):
            outcomes.append(self.add_outcome(client_id, profile, contract, domain, agreed))
        return outcomes

    def add_outcome(self, client_id: int, profile: Profile, contract: Contract, domain: str, agreed: dt.date) -> dict:
        target = agreed + dt.timedelta(days=42) if profile.category == "reablement" else add_months(agreed, 6)
        row = {
            "id": self.next_id("outcomes"), "client_id": client_id,
            "ref": f"O{self.outcome_count.setdefault(client_id, 0) + 1}",
            "description": self.own_words(self.rng.choice(OUTCOME_WORDS[domain])), "domain": domain, "agreed_date": iso(agreed),
            "target_date": iso(target), "fee_pence": self.outcome_fee(contract), "withdrawn_date": None,
        }
        self.outcome_count[client_id] += 1
        self.tables["outcomes"].append(row)
        return row

    def own_words(self, text: str) -> str:
        """The outcome as this person says it (a woman speaks of her husband)."""
        return text.replace("my wife", "my husband") if self.woman else text

    # -- the plan ------------------------------------------------------------------------------
    def first_plan(self, profile: Profile, start: dt.date, first: str, town: str, outcomes: list[dict],
                   preferred: list[Worker], contacts) -> Version:
        rng = self.rng
        patterns = {
            "reablement": (("morning", ALL_DAYS, (45, 60), 1.0), ("teatime", ALL_DAYS, (30,), 0.8),
                           ("lunchtime", ALL_DAYS, (30,), 0.4), ("evening", ALL_DAYS, (30,), 0.3)),
            "long_term": (("morning", ALL_DAYS, (30, 45), 1.0), ("lunchtime", ALL_DAYS, (30,), 0.5),
                          ("teatime", ALL_DAYS, (30,), 0.6), ("evening", ALL_DAYS, (30,), 0.5), ("afternoon", (2, 4), (60, 90, 120), 0.4)),
            "dementia": (("morning", ALL_DAYS, (45, 60), 1.0), ("lunchtime", ALL_DAYS, (30,), 0.85),
                         ("teatime", ALL_DAYS, (30,), 0.8), ("evening", ALL_DAYS, (30, 45), 0.7), ("afternoon", (1, 3), (120, 180), 0.3)),
            "palliative": (("morning", ALL_DAYS, (60,), 1.0), ("lunchtime", ALL_DAYS, (30,), 0.8),
                           ("teatime", ALL_DAYS, (30,), 0.7), ("evening", ALL_DAYS, (45,), 0.9)),
        }[profile.category]
        parts = [p for p in patterns if p[3] >= 1 or rng.random() < p[3]]
        if "night" in profile.flags:
            parts.append(("night", ALL_DAYS, (45,), 1.0))
        if "all_items" in profile.flags or "community_link" in profile.review_changes:
            if not any(p[0] == "lunchtime" for p in parts):
                parts.append(("lunchtime", ALL_DAYS, (30,), 1.0))
        if "independence" in profile.review_changes:
            parts = [("morning", ALL_DAYS, (60,), 1.0) if p[0] == "morning" else p for p in parts]
        if "needs_decreased" in profile.review_changes and not any(p[0] in ("teatime", "evening") for p in parts):
            parts.append(("teatime", ALL_DAYS, (30,), 1.0))
        slots = []
        for part, days, lengths, _chance in parts:
            minutes = rng.choice(lengths)
            owner, begin = self.book(part, minutes, start, self.booking[1], self.booking[0])
            purpose = self.purpose(profile.category, part, first, town)
            served = self.served(part, outcomes)
            for day in days:
                slots.append(Slot(day, part, begin, minutes, purpose, served, self.slot_workers(owner, preferred, len(slots))))
        items = self.plan_items(profile, contacts, first, town)
        agreed_with = self.agreed_with(first, contacts)
        return Version(start, agreed_with, slots, items)

    def purpose(self, category: str, part: str, first: str, town: str) -> str:
        if category == "reablement" and part in REABLEMENT_PURPOSES:
            return self.rng.choice(REABLEMENT_PURPOSES[part])
        return self.rng.choice(PURPOSES[part]).format(first=first, town=town)

    def served(self, part: str, outcomes: list[dict]) -> list[int]:
        fitting = [o["id"] for o in outcomes if o["domain"] in DOMAINS_BY_PART[part]]
        return fitting[:2] or [outcomes[0]["id"]]

    def book(self, part: str, minutes: int, start: dt.date, end: dt.date | None, workers: list[Worker]) -> tuple[Worker, int]:
        """A regular time in a worker's run for this part of the day, over the whole service.

        Runs leave room for travel and for a visit growing by a quarter of an hour, so the
        worker who owns the run is never booked in two places at once.
        """
        first, last = WINDOWS[part]
        until = end or dt.date.max
        length = minutes + 15
        for worker in workers:
            if worker.left_on is not None and worker.left_on < until:
                continue
            taken = [(r[1], r[2]) for r in worker.runs if r[0] == part and r[3] <= until and r[4] >= start]
            for begin in range(first, last + 1, 15):
                if all(begin + length + RUN_GAP <= b or begin >= e + RUN_GAP for b, e in taken):
                    worker.runs.append((part, begin, begin + length, start, until))
                    return worker, begin
        return workers[0], first + 15 * self.rng.randint(0, (last - first) // 15)

    def slot_workers(self, owner: Worker, preferred: list[Worker], index: int) -> list[int]:
        """The worker whose run holds the visit first, then the client's second preferred worker.

        A client with many preferred workers has them spread over the week's visits.
        """
        others = [w for w in preferred if w is not owner]
        if not others:
            return [owner.id]
        if len(preferred) > 3:
            return [owner.id, others[index % len(others)].id]
        return [owner.id, others[0].id]

    def agreed_with(self, first: str, contacts) -> str:
        family = [c for c in contacts if c[1] != "neighbour"]
        if family and self.rng.random() < 0.7:
            return f"{first} and {family[0][0].split()[0]} ({family[0][1]})"
        return first

    def plan_items(self, profile: Profile, contacts, first: str, town: str) -> list[Item]:
        rng = self.rng
        everything = "all_items" in profile.flags
        items: list[Item] = []
        family = [c for c in contacts if c[1] != "neighbour"]
        if family and (everything or rng.random() < 0.7):
            who = f"{family[0][0].split()[0]} ({family[0][1]})"
            day, part, text = rng.choice(((6, "lunchtime", "Sunday lunch together"), (5, "morning", "Does the weekly shop"),
                                          (2, "evening", "Pops round after work and does the bins")))
            items.append(Item(day, part, "family", who, text, "12:30" if part == "lunchtime" else None))
        if everything or rng.random() < 0.3:
            friend = f"{rng.choice(WOMEN)} {rng.choice(SURNAMES)}"
            items.append(Item(3, "morning", "friend", f"{friend} (friend)", f"Coffee and a catch-up; takes {first} to the hairdresser once a month"))
        if everything or rng.random() < 0.4:
            day, part, text = rng.choice(((1, "lunchtime", f"Lunch club at the community hall, {town}"),
                                          (3, "morning", "Coffee morning at the Methodist chapel"),
                                          (2, "afternoon", "Day centre; community transport collects at ten")))
            items.append(Item(day, part, "community", "Community group", text))
        if everything or rng.random() < 0.6:
            text = rng.choice(("Pendant alarm (Careline), worn day and night", "Tablet dispenser reminds about the tablets",
                               "Door sensor tells the family if the door opens at night"))
            for day in ALL_DAYS:
                items.append(Item(day, "night", "technology", "Careline", text))
        if everything or rng.random() < 0.2:
            items.append(Item(0, "morning", "other", "Community nurse", "Leg dressings (Mondays and Thursdays)"))
            items.append(Item(3, "morning", "other", "Community nurse", "Leg dressings (Mondays and Thursdays)"))
        return items

    def initial_envelope(self, profile: Profile, planned: Decimal) -> Decimal:
        rng = self.rng
        if "above_envelope" in profile.flags:
            return max(Decimal("1"), planned - Decimal(rng.choice((75, 100, 150))) / 100)
        slack = Decimal(rng.choice((0, 0, 50, 100, 150))) / 100
        if "bank" in profile.flags:
            slack = Decimal(rng.choice((100, 150, 200))) / 100
        return planned + slack

    def write_plan(self, client_id: int, plan: Version) -> None:
        week_id = self.next_id("ideal_weeks")
        agreed_on = plan.effective - dt.timedelta(days=self.rng.randint(0, 3))
        self.tables["ideal_weeks"].append({
            "id": week_id, "client_id": client_id, "effective_date": iso(plan.effective), "agreed_with": plan.agreed_with,
            "agreed_on": iso(agreed_on), "override_reason": plan.override})
        for slot in sorted(plan.slots, key=lambda s: (s.day, s.start)):
            item_id = self.next_id("ideal_week_items")
            self.tables["ideal_week_items"].append({
                "id": item_id, "ideal_week_id": week_id, "day": slot.day, "part_of_day": slot.part, "kind": "paid_visit",
                "approx_time": _hm(slot.start), "minutes": slot.minutes, "who": "", "purpose": slot.purpose})
            for outcome_id in slot.outcomes:
                self.tables["ideal_week_item_outcomes"].append({"item_id": item_id, "outcome_id": outcome_id})
            for worker_id in slot.workers:
                self.tables["ideal_week_item_workers"].append({"item_id": item_id, "worker_id": worker_id})
        for item in plan.items:
            self.tables["ideal_week_items"].append({
                "id": self.next_id("ideal_week_items"), "ideal_week_id": week_id, "day": item.day, "part_of_day": item.part,
                "kind": item.kind, "approx_time": item.time, "minutes": None, "who": item.who, "purpose": item.purpose})

    def changed_plan(self, plan: Version, reason: str, on: dt.date, agreed_with: str) -> Version | None:
        """A new version of the week for an envelope change; None when the plan cannot change that way."""
        slots = [Slot(s.day, s.part, s.start, s.minutes, s.purpose, list(s.outcomes), list(s.workers)) for s in plan.slots]
        items = list(plan.items)
        parts = {s.part for s in slots}
        if reason == "independence":
            morning = [s for s in slots if s.part == "morning" and s.minutes >= 45]
            if morning:
                for s in morning:
                    s.minutes -= 15
            elif "lunchtime" in parts:
                slots = [s for s in slots if s.part != "lunchtime"]
            else:
                return None
        elif reason == "community_link":
            lunch = [s for s in slots if s.part in ("lunchtime", "afternoon") and s.day in (1, 3)]
            if not lunch:
                return None
            gone = lunch[0]
            slots.remove(gone)
            if not any(i.kind == "community" and i.day == gone.day and i.part == gone.part for i in items):
                items.append(Item(gone.day, gone.part, "community", "Community group", "Lunch club at the community hall", "12:15"))
        elif reason == "needs_increased":
            if "evening" not in parts:
                template = slots[0]
                candidates, end = self.booking
                owner, begin = self.book("evening", 30, on, end, candidates)
                workers = [owner.id] + [w for w in template.workers if w != owner.id][:1]
                slots += [Slot(d, "evening", begin, 30, "Help to get ready for bed", list(template.outcomes), workers) for d in ALL_DAYS]
            else:
                for s in slots:
                    if s.part == "morning":
                        s.minutes += 15
        elif reason == "needs_decreased":
            weekend = [s for s in slots if s.day in (5, 6) and s.part in ("evening", "teatime", "lunchtime")]
            if not weekend:
                return None
            slots = [s for s in slots if s not in weekend]
            items.append(Item(6, "teatime", "family", "Family", "Family cover weekend teas and evenings"))
        if not slots:
            return None
        return Version(on, agreed_with, slots, items)

    # -- suspensions, reviews and envelope changes -------------------------------------------------
    def build_suspensions(self, client_id: int, profile: Profile, start: dt.date, end: dt.date | None) -> list[tuple]:
        rng = self.rng
        wanted = [(reason, self.today - dt.timedelta(days=ago), length) for reason, ago, length in profile.suspensions]
        service_end = end or self.last_day
        service_days = (service_end - max(start, self.first_day - dt.timedelta(days=365))).days
        if not profile.suspensions and service_days > 60:
            for reason, per_year, lengths in (("hospital", 0.35, (3, 21)), ("respite", 0.12, (7, 14)),
                                              ("holiday", 0.15, (7, 14)), ("other", 0.05, (2, 10))):
                if rng.random() < per_year * service_days / 365:
                    first = start + dt.timedelta(days=rng.randint(10, max(11, (service_end - start).days - 5)))
                    wanted.append((reason, first, rng.randint(*lengths)))
        periods: list[tuple] = []
        for reason, first, length in sorted(wanted, key=lambda w: w[1]):
            last = first + dt.timedelta(days=length - 1)
            if first <= start or (end and last >= end):
                continue
            if last >= self.today and reason == "hospital" and rng.random() < 0.5:
                continue
            if any(first <= p[1] and last >= p[0] for p in periods):
                continue
            periods.append((first, last, reason))
        notes = {"hospital": "Admitted to Hereford County Hospital", "respite": "Respite stay at a care home while the family have a break",
                 "holiday": "On holiday with family", "other": "Staying with family; care paused"}
        for first, last, reason in periods:
            self.tables["suspensions"].append({
                "id": self.next_id("suspensions"), "client_id": client_id, "start_date": iso(first), "end_date": iso(last),
                "reason": reason, "note": notes[reason]})
        return periods

    def build_reviews(self, client_id, profile: Profile, contract: Contract, start, end, first, contacts, key_worker,
                      outcomes, envelopes, versions, suspensions) -> None:
        rng = self.rng
        if profile.category == "reablement":
            if end is None:
                due = start + dt.timedelta(days=42)
                if due < self.today - dt.timedelta(days=3):
                    self.hold_review(client_id, profile, contract, due + dt.timedelta(days=rng.randint(-3, 2)), "visit",
                                     first, contacts, key_worker, outcomes, envelopes, versions, 0, closing=False)
            elif profile.end_reason == "no_further_care" or rng.random() < 0.5:
                self.hold_review(client_id, profile, contract, end, "visit", first, contacts, key_worker, outcomes,
                                 envelopes, versions, 0, closing=True)
            return
        due, method, count = start + dt.timedelta(days=42), "visit", 0
        limit = min(end, self.today) if end else self.today
        while due < limit:
            held = due + dt.timedelta(days=rng.choice((-10, -5, -2, 0, 0, 1, 3, 6, 12, 20)))
            held = max(held, start + dt.timedelta(days=28))
            for first_day, last_day, _reason in suspensions:
                if first_day <= held <= last_day:
                    held = last_day + dt.timedelta(days=rng.randint(2, 5))
            if held >= limit:
                break
            if "overdue" in profile.flags and due >= self.today - dt.timedelta(days=60):
                break
            self.hold_review(client_id, profile, contract, held, method, first, contacts, key_worker, outcomes,
                             envelopes, versions, count, closing=False)
            due, method, count = add_months(held, 6), ("phone" if method == "visit" else "visit"), count + 1

    def status_for(self, profile: Profile, index: int, position: int, closing: bool) -> str:
        if index == 0 and position < len(profile.review_statuses):
            return profile.review_statuses[position]
        if profile.category == "reablement":
            return _pick(self.rng, (("achieved", 0.6), ("partly", 0.25), ("not_achieved", 0.1), ("withdrawn", 0.05)) if closing
                         else (("active", 0.5), ("partly", 0.3), ("achieved", 0.2)))
        if profile.category == "palliative":
            return _pick(self.rng, (("active", 0.6), ("achieved", 0.2), ("partly", 0.15), ("withdrawn", 0.05)))
        return _pick(self.rng, (("active", 0.35), ("partly", 0.25), ("achieved", 0.25), ("not_achieved", 0.1), ("withdrawn", 0.05)))

    def hold_review(self, client_id, profile: Profile, contract: Contract, day: dt.date, method: str, first: str, contacts,
                    key_worker: Worker, outcomes, envelopes, versions, index: int, closing: bool) -> None:
        rng = self.rng
        review_id = self.next_id("reviews")
        assessed = [o for o in outcomes if o["withdrawn_date"] is None and not o.get("achieved") and o["agreed_date"] < iso(day)]
        statuses = {}
        for position, outcome in enumerate(assessed):
            status = self.status_for(profile, index, position, closing)
            statuses[outcome["id"]] = status
            if status == "withdrawn":
                outcome["withdrawn_date"] = iso(day)
            if status == "achieved":
                outcome["achieved"] = True
            self.tables["review_outcomes"].append({
                "review_id": review_id, "outcome_id": outcome["id"], "status": status, "notes": rng.choice(EVIDENCE[status])})
        satisfaction = 2 if "poor_continuity" in profile.flags and index else _pick(rng, (("5", 0.45), ("4", 0.4), ("3", 0.12), ("2", 0.03)))
        satisfaction = int(satisfaction)
        family = [c for c in contacts if c[1] != "neighbour" and c[2]]
        who = [first] + [f"{c[0]} ({c[1]})" for c in family[:1]] + [f"{key_worker.name} (key worker)"]
        reason = self.review_change(profile, index, closing)
        decision = "unchanged"
        if reason:
            agreed_with = self.agreed_with(first, contacts)
            current = versions[-1]
            old_hours = envelopes[-1][1]
            if reason == "other":
                new_hours = old_hours + Decimal("0.5")
                new_plan = None
            else:
                new_plan = self.changed_plan(current, reason, day, agreed_with)
                new_hours = old_hours + Decimal(new_plan.minutes - current.minutes) / 60 if new_plan else old_hours
            if new_hours != old_hours and new_hours > 0 and day not in [e[0] for e in envelopes]:
                decision = "changed"
                envelopes.append((day, new_hours, reason, CHANGE_NOTES[reason], review_id))
                if new_plan is not None and day not in [v.effective for v in versions]:
                    new_plan.override = current.override
                    versions.append(new_plan)
        sequence = {
            "seq_self_care": 1, "seq_technology": int(rng.random() < 0.85), "seq_community": int(rng.random() < 0.8),
            "seq_team": int(rng.random() < 0.9)}
        notes = [
            "Self-care: " + rng.choice(("makes own breakfast most days", "washes at the sink with the perching stool", "still needs help with the shower")),
            "Technology: " + ("pendant alarm in place" if sequence["seq_technology"] else "not discussed this time"),
            "Community: " + ("lunch club suggested" if sequence["seq_community"] else "not wanted at present"),
            "Team: " + ("same faces most days" if sequence["seq_team"] else "to look at the weekend rota"),
        ]
        next_date = None if closing else add_months(day, 6)
        summary = {
            "changed": _("Envelope changed: {note}.").format(note=CHANGE_NOTES[reason].lower()) if reason else "",
            "unchanged": _("Envelope unchanged."),
        }[decision]
        self.tables["reviews"].append({
            "id": review_id, "client_id": client_id, "review_date": iso(day), "method": method, "participants": ", ".join(who),
            "satisfaction": satisfaction, "satisfaction_words": rng.choice(SATISFACTION_WORDS[satisfaction]),
            **sequence, "sequence_notes": "; ".join(notes) + ".", "envelope_decision": decision,
            "next_review_date": iso(next_date),
            "notes": (_("Closing review at the end of the reablement episode. ") if closing else "") + summary,
        })
        if index == 0 and not closing and profile.category != "palliative" and rng.random() < 0.4:
            domain = self.pick_domains(profile.category, 1)[0]
            outcomes.append(self.add_outcome(client_id, profile, contract, domain, day))

    def review_change(self, profile: Profile, index: int, closing: bool) -> str | None:
        if index < len(profile.review_changes):
            return profile.review_changes[index]
        if closing or profile.review_changes or profile.category == "reablement" or "after_hospital" in profile.flags:
            return None
        if self.rng.random() < 0.3:
            return _pick(self.rng, (("independence", 0.3), ("community_link", 0.2), ("needs_increased", 0.25),
                                    ("needs_decreased", 0.15), ("other", 0.1)))
        return None

    def change_after_hospital(self, stay: tuple, end, envelopes, versions, first, contacts) -> None:
        """More help after a hospital stay, agreed with the social worker rather than at a review."""
        day = stay[1] + ONE_DAY
        if (end and day >= end) or day in [e[0] for e in envelopes]:
            return
        current = max((v for v in versions if v.effective <= day), key=lambda v: v.effective)
        plan = self.changed_plan(current, "needs_increased", day, self.agreed_with(first, contacts))
        if plan is None or day in [v.effective for v in versions]:
            return
        old = max((e for e in envelopes if e[0] <= day), key=lambda e: e[0])[1]
        envelopes.append((day, old + Decimal(plan.minutes - current.minutes) / 60, "needs_increased",
                          "More help needed after the hospital stay; agreed with the social worker", None))
        envelopes.sort(key=lambda e: e[0])
        versions.append(plan)
        versions.sort(key=lambda v: v.effective)

    def build_notes(self, client_id, start, end, first, social_worker, contacts, key_worker) -> None:
        rng = self.rng
        last = min(end or self.last_day, self.last_day)
        if last < start:
            last = start
        contact = contacts[0][0].split()[0] if contacts else "the family"
        texts = [NOTES[0]] + rng.sample(NOTES[1:], rng.randint(0, 3))
        for position, text in enumerate(texts):
            day = start - dt.timedelta(days=2) if position == 0 else start + dt.timedelta(days=rng.randint(0, max(0, (last - start).days)))
            self.tables["client_notes"].append({
                "id": self.next_id("client_notes"), "client_id": client_id, "written_on": iso(day),
                "author": rng.choice((MANAGER, COORDINATOR)),
                "text": text.format(sw=social_worker or "the family", contact=contact, first=first, key=key_worker.name)})

    # -- delivered visits ----------------------------------------------------------------------------
    def free(self, worker_id: int, ordinal: int, begin: int, finish: int) -> bool:
        for other_begin, other_end in self.busy.get(ordinal * 100000 + worker_id, ()):
            if begin < other_end + 10 and other_begin < finish + 10:
                return False
        return True

    def free_from(self, worker: Worker, ordinal: int, begin: int, minutes: int) -> int:
        """The earliest start from ``begin`` at which the worker is free (after their previous call)."""
        for _attempt in range(20):
            clashes = [e for b, e in self.busy.get(ordinal * 100000 + worker.id, ()) if begin < e + 10 and b < begin + minutes + 10]
            if not clashes:
                break
            begin = max(clashes) + 10
        return begin

    def in_run(self, worker: Worker, day: dt.date, begin: int, finish: int) -> bool:
        """Whether the time is kept for one of the worker's own regular visits that day."""
        return any(r[3] <= day <= r[4] and begin < r[2] and r[1] < finish for r in worker.runs)

    def assign(self, ordinal: int, day: dt.date, begin: int, minutes: int, candidates: list[Worker],
               owner: Worker | None = None) -> tuple[Worker, int]:
        """Who does a visit, and when it starts.

        The intended worker comes late when their previous call ran over; when they would be
        more than an hour and a quarter late, the first other candidate free at the time goes instead (never
        into time kept for their own regular visits), and when nobody is free the intended
        worker is late. ``owner`` is the worker whose run holds this visit.
        """
        finish = begin + minutes
        intended = None
        for worker in candidates:
            if (worker.left_on is None or day <= worker.left_on) and (worker is owner or not self.in_run(worker, day, begin, finish)):
                intended = worker
                break
        if intended is None:
            intended = owner if owner is not None and (owner.left_on is None or day <= owner.left_on) else candidates[0]
        start = self.free_from(intended, ordinal, begin, minutes)
        if start - begin <= 75:
            return intended, start
        for worker in candidates:
            if (worker is not intended and (worker.left_on is None or day <= worker.left_on)
                    and self.free(worker.id, ordinal, begin, finish) and not self.in_run(worker, day, begin, finish)):
                return worker, begin
        return intended, start

    def build_visits(self, client_id, profile: Profile, start, end, versions, suspensions, preferred, team_workers) -> dict:
        """Visits from the ideal week in force on each day in service; returns completed minutes per ISO week."""
        rng = self.rng
        first = max(start, self.first_day)
        last = min(end or self.last_day, self.last_day)
        weekly: dict[dt.date, int] = {}
        if last < first:
            return weekly
        suspended = set()
        for s_first, s_last, _reason in suspensions:
            day = s_first
            while day <= s_last:
                suspended.add(day.toordinal())
                day += ONE_DAY
        poor = "poor_continuity" in profile.flags
        cover = [w for w in self.workers if w not in preferred]
        rows = self.tables["visits"]
        counts = self.visit_statuses
        plans = sorted(versions, key=lambda v: v.effective)
        by_day = [{d: sorted((s for s in v.slots if s.day == d), key=lambda s: s.start) for d in ALL_DAYS} for v in plans]
        worker_by_id = {w.id: w for w in self.workers}
        team_cover = [w for w in team_workers if w not in preferred]
        regular_cover = team_cover[rng.randrange(len(team_cover)):][:1] if team_cover else []
        plan_index = 0
        ordinal, end_ordinal = first.toordinal(), last.toordinal()
        while ordinal <= end_ordinal:
            if ordinal in suspended:
                ordinal += 1
                continue
            day = dt.date.fromordinal(ordinal)
            while plan_index + 1 < len(plans) and plans[plan_index + 1].effective <= day:
                plan_index += 1
            date_text = day.isoformat()
            week = day - dt.timedelta(days=day.weekday())
            for slot in by_day[plan_index][day.weekday()]:
                planned = _hm(slot.start)
                listed = [worker_by_id[i] for i in slot.workers]
                if poor:
                    pool = team_cover + cover[:4] + listed
                    lead = pool[rng.randrange(len(pool))]
                else:
                    roll = rng.random()
                    lead = listed[0] if roll < 0.88 or len(listed) == 1 else listed[1]
                    if roll > 0.97 and regular_cover:
                        lead = regular_cover[0]
                candidates = [lead] + [w for w in listed if w is not lead] + regular_cover + team_cover + cover
                if lead is not listed[0]:  # the run's owner is free at the run's time, so steps in first
                    candidates.remove(listed[0])
                    candidates.insert(1, listed[0])
                roll = rng.random()
                status = "completed"
                if roll < 0.03:
                    status = ("missed", "cancelled_by_client", "cancelled_by_client", "cancelled_by_provider", "no_access")[int(roll / 0.006)]
                if status in ("missed", "cancelled_by_client", "cancelled_by_provider"):
                    planned_worker = next((w for w in candidates if self.available(w, day)), lead)
                    key = f"{client_id}|{date_text}|{planned}|{planned_worker.id}"
                    rows.append((client_id, planned_worker.id, date_text, planned, None, None, None, status, "import", key))
                    counts[status] = counts.get(status, 0) + 1
                    continue
                late = rng.random()
                offset = (rng.randint(-5, 10) if late < 0.7 else rng.randint(10, 25) if late < 0.9
                          else rng.randint(25, 45) if late < 0.97 else rng.randint(45, 90))
                if status == "no_access":
                    minutes = rng.randint(5, 15)
                else:
                    shape = rng.random()
                    minutes = (slot.minutes + rng.randint(-3, 5) if shape < 0.85
                               else max(5, int(slot.minutes * rng.uniform(0.45, 0.8))) if shape < 0.95
                               else slot.minutes + rng.randint(10, 20))
                begin = min(slot.start + offset, LAST_START)
                worker, begin = self.assign(ordinal, day, begin, minutes, candidates, owner=listed[0])
                if begin > LAST_START:  # nobody could get there before midnight
                    key = f"{client_id}|{date_text}|{planned}|{worker.id}"
                    rows.append((client_id, worker.id, date_text, planned, None, None, None, "missed", "import", key))
                    counts["missed"] = counts.get("missed", 0) + 1
                    continue
                self.busy.setdefault(ordinal * 100000 + worker.id, []).append((begin, begin + minutes))
                key = f"{client_id}|{date_text}|{planned}|{worker.id}"
                source = "manual" if rng.random() < 0.01 else "import"
                rows.append((client_id, worker.id, date_text, planned, _hm(begin), _hm(begin + minutes), minutes, status, source, key))
                counts[status] = counts.get(status, 0) + 1
                if status == "completed":
                    weekly[week] = weekly.get(week, 0) + minutes
            ordinal += 1
        return weekly

    def build_bank(self, client_id, contract: Contract, start, end, envelopes, weekly, suspensions, preferred, team_workers) -> None:
        """Unused hours of some past weeks stored for a purpose, drawn down for an outing; the last store may expire."""
        rng = self.rng
        first_monday = max(start, self.first_day) + dt.timedelta(days=7 - max(start, self.first_day).weekday())
        last_monday = min(end or self.last_day, self.last_day) - dt.timedelta(days=14)
        stores: list[list] = []  # [expires_on, hours left]
        purpose = rng.choice(BANK_PURPOSES)
        week = first_monday
        while week <= last_monday:
            hours = sum((max((e for e in envelopes if e[0] <= week + dt.timedelta(days=d)), key=lambda e: e[0],
                             default=envelopes[0])[1] for d in range(7)), Decimal(0)) / 7
            unused = hours - Decimal(weekly.get(week, 0)) / 60
            week_end = week + dt.timedelta(days=6)
            interrupted = any(s[0] <= week_end and s[1] >= week for s in suspensions)
            if unused >= Decimal("0.5") and week in weekly and not interrupted:
                stored = min((unused * 4).to_integral_value(rounding=ROUND_FLOOR) / 4, Decimal(rng.choice((100, 150, 200))) / 100)
                entry = week + dt.timedelta(days=7 + rng.randint(0, 3))
                expires = expiry_for(week, contract.bank_expiry_weeks)
                self.tables["hours_bank"].append({
                    "id": self.next_id("hours_bank"), "client_id": client_id, "kind": "store", "entry_date": iso(entry),
                    "week_start": iso(week), "hours": format_decimal(stored), "purpose": purpose, "expires_on": iso(expires)})
                stores.append([expires, stored])
                draw_on = entry + dt.timedelta(days=rng.randint(5, 20))
                balance = sum(s[1] for s in stores if s[0] > draw_on)
                if balance >= 3 and draw_on <= self.last_day - dt.timedelta(days=21) and self.draw(
                        client_id, draw_on, Decimal(3), purpose, stores, suspensions, preferred, team_workers, weekly):
                    purpose = rng.choice(BANK_PURPOSES)
            week += dt.timedelta(days=rng.choice((21, 28, 35)))

    def draw(self, client_id, day, hours: Decimal, purpose, stores, suspensions, preferred, team_workers, weekly) -> bool:
        if any(s[0] <= day <= s[1] for s in suspensions):
            return False
        left = hours
        for entry in stores:  # oldest first, only hours not yet expired
            if entry[0] > day and left:
                used = min(entry[1], left)
                entry[1] -= used
                left -= used
        minutes = int(hours * 60)
        worker, begin = self.assign(day.toordinal(), day, 825, minutes, preferred + [w for w in team_workers if w not in preferred])
        self.busy.setdefault(day.toordinal() * 100000 + worker.id, []).append((begin, begin + minutes))
        monday = day - dt.timedelta(days=day.weekday())
        weekly[monday] = weekly.get(monday, 0) + minutes
        date_text = day.isoformat()
        self.tables["visits"].append((client_id, worker.id, date_text, "13:45", _hm(begin), _hm(begin + minutes), minutes,
                                      "completed", "manual", f"{client_id}|{date_text}|13:45|{worker.id}"))
        self.visit_statuses["completed"] = self.visit_statuses.get("completed", 0) + 1
        self.tables["hours_bank"].append({
            "id": self.next_id("hours_bank"), "client_id": client_id, "kind": "draw", "entry_date": iso(day),
            "week_start": None, "hours": format_decimal(hours), "purpose": purpose, "expires_on": None})
        return True

    def every_visit_status(self) -> None:
        """Small demos still show every visit status: turn a few completed visits into the missing ones."""
        rows = self.tables["visits"]
        completed = [i for i, row in enumerate(rows) if row[7] == "completed" and row[8] == "import"]
        for status in ("missed", "cancelled_by_client", "cancelled_by_provider", "no_access"):
            if self.visit_statuses.get(status) or not completed:
                continue
            index = completed.pop(self.rng.randrange(len(completed)))
            row = rows[index]
            if status == "no_access":
                rows[index] = (*row[:5], _hm(int(row[4][:2]) * 60 + int(row[4][3:]) + 10), 10, status, *row[8:])
            else:
                rows[index] = (*row[:4], None, None, None, status, *row[8:])
            self.visit_statuses[status] = 1

    # -- all of it -------------------------------------------------------------------------------
    def build(self, progress: Progress | None) -> None:
        self.build_workers()
        profiles = _coverage(self.today)[: self.n_clients]
        while len(profiles) < self.n_clients:
            profiles.append(_random_profile(self.rng, self.window_days))
        for number, profile in enumerate(profiles, start=1):
            self.build_client(number, profile)
            if progress and number % 10 == 0:
                progress(number, self.n_clients + 10, _("Clients and their visits…"))
        self.every_visit_status()


# -- writing ----------------------------------------------------------------------------------------
VISIT_COLUMNS = "client_id, worker_id, visit_date, planned_start, actual_start, actual_end, minutes, status, source, match_key"


def _insert_all(store: Store, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    store.conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})", rows)


def _write(store: Store, builder: _Builder) -> None:
    """Everything the builder drew, in one transaction, parents before children."""
    _insert_all(store, "branch", [BRANCH])
    _insert_all(store, "contracts", [{"id": c.id, **contract_to_row(c)} for c in builder.contracts.values()])
    _insert_all(store, "workers", [
        {"id": w.id, "ref": w.ref, "name": w.name, "team": w.team, "role": w.role, "contracted_hours": w.hours,
         "active": int(w.left_on is None)} for w in builder.workers])
    tables = builder.tables
    for table in ("clients", "contacts", "client_notes"):
        _insert_all(store, table, tables[table])
    _insert_all(store, "outcomes", [{k: v for k, v in o.items() if k != "achieved"} for o in tables["outcomes"]])
    for table in ("reviews", "review_outcomes", "envelopes", "ideal_weeks", "ideal_week_items", "ideal_week_item_outcomes",
                  "ideal_week_item_workers", "hours_bank", "suspensions"):
        _insert_all(store, table, tables[table])
    visits = sorted(tables["visits"], key=lambda row: (row[2], row[3], row[0]))
    store.conn.executemany(f"INSERT INTO visits ({VISIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", visits)


# -- issued claims ------------------------------------------------------------------------------------
def _claim_months(builder: _Builder, count: int) -> list[str]:
    """Past months to issue: not the last full month (still to issue) nor the current one."""
    year, month = previous_month(builder.today.year, builder.today.month)
    months = []
    for _i in range(count):
        year, month = previous_month(year, month)
        if dt.date(year, month, 1) < builder.first_day:
            break
        months.append(month_key(year, month))
    return list(reversed(months))


def _issue_claims(store: Store, builder: _Builder, progress: Progress | None) -> list[str]:
    """Several months of issued claims: the latest posted and waiting for payment (one not yet
    posted), one earlier claim queried, one part paid, the rest paid in full. Returns the numbers."""
    from branchdesk.models.claims import issue_claim, record_payment, record_posting, record_query

    rng = builder.rng
    months = _claim_months(builder, 4)
    yesterday = builder.last_day
    issued = []  # (month position, contract ref, claim)
    for position, month in enumerate(months):
        year, number = int(month[:4]), int(month[5:])
        following = dt.date(year, number, 28) + dt.timedelta(days=7)
        issued_on = min(dt.date(following.year, following.month, rng.randint(3, 7)), yesterday)
        for contract_ref in builder.contracts:
            try:
                claim = issue_claim(store, contract_ref, month, on=issued_on)
            except BranchDeskError:
                continue  # nothing to claim for that contract and month
            if position == len(months) - 1 and contract_ref == "SPOT":
                continue  # issued, printed, still in the tray to post
            posted = min(claim.issued_on + dt.timedelta(days=rng.randint(1, 3)), yesterday)
            record_posting(store, claim.id, posted)
            issued.append((position, contract_ref, claim, posted))
        if progress:
            progress(builder.n_clients + 2 + 2 * position, builder.n_clients + 10, _("Issuing claims…"))
    earlier = [entry for entry in issued if entry[0] < len(months) - 1 and entry[2].total_pence > 0]
    queried = next((e for e in reversed(earlier) if e[1] == "WCC"), earlier[-1] if earlier else None)
    part_paid = next((e for e in earlier if e[1] == "BAND" and e is not queried), None)
    for entry in earlier:
        _position, _ref, claim, posted = entry
        if entry is queried:
            record_query(store, claim.id, "Please send the review record for the first outcome claimed as achieved.",
                         on=min(posted + dt.timedelta(days=12), yesterday))
            continue
        paid_on = posted + dt.timedelta(days=rng.randint(24, 35))
        if paid_on > yesterday:
            continue
        if entry is part_paid:
            record_payment(store, claim.id, paid_on, claim.total_pence * 9 // 10,
                           "Part payment: one client's band is being checked by the ICB")
        else:
            record_payment(store, claim.id, paid_on, claim.total_pence, "BACS remittance")
    return [row[0] for row in store.rows("SELECT number FROM claims ORDER BY month, id")]


def _late_change(store: Store, months: list[str]) -> None:
    """An envelope change typed in after its month was claimed, so the next claim carries an adjustment."""
    if not months:
        return
    month = months[-1]
    day = dt.date(int(month[:4]), int(month[5:]), 10)
    row = store.row(
        "SELECT c.id, e.hours_per_week, e.band FROM clients c JOIN contracts k ON k.id = c.contract_id"
        " JOIN envelopes e ON e.client_id = c.id"
        " AND e.effective_date = (SELECT MAX(effective_date) FROM envelopes WHERE client_id = c.id AND effective_date < :day)"
        " WHERE k.ref = 'HCC' AND c.start_date < :day AND (c.end_date IS NULL OR c.end_date > :day)"
        " AND NOT EXISTS (SELECT 1 FROM envelopes x WHERE x.client_id = c.id AND x.effective_date = :day)"
        " ORDER BY c.id LIMIT 1",
        {"day": iso(day)},
    )
    if row is None:
        return
    hours = Decimal(row["hours_per_week"]) + Decimal("1.5")
    values = {"client_id": row["id"], "effective_date": iso(day), "hours_per_week": format_decimal(hours), "band": row["band"],
              "reason": "needs_increased", "note": "Extra hours agreed by the social worker, back-dated; letter arrived late"}
    with store.transaction():
        envelope_id = store.conn.execute(
            "INSERT INTO envelopes (client_id, effective_date, hours_per_week, band, reason, note)"
            " VALUES (:client_id, :effective_date, :hours_per_week, :band, :reason, :note)", values).lastrowid
        store.audit("create", "envelope", envelope_id, _("Envelope {hours} h/week from {day} (needs increased)").format(
            hours=format_decimal(hours), day=format_date(day)), new=values, client_id=row["id"])


# -- the entry point ------------------------------------------------------------------------------------
def _make_room(path: Path) -> None:
    """Refuse to replace anything but an earlier demo branch not open in BranchDesk; remove that one."""
    if not path.exists():
        if not path.parent.is_dir():
            raise BranchFileError(_("The folder “{folder}” does not exist. Choose another place for the demo branch.").format(folder=path.parent))
        return
    if path.is_dir():
        raise BranchFileError(_("“{path}” is a folder. Give a file name for the demo branch.").format(path=path))
    try:
        with open_branch(path, read_only=True) as store:
            is_demo = store.setting(DEMO_SETTING) is not None
    except BranchDeskError:
        is_demo = False
    if not is_demo:
        raise BranchFileError(_(
            "“{path}” already exists and is not a demo branch, so it was left alone. Choose another file name for the demo."
        ).format(path=path))
    holder = read_lock(path)
    if holder is not None and not is_stale(path, holder):
        raise BranchFileError(_(
            "“{path}” is open in BranchDesk by {user} on {computer} since {since}, so it was left alone. "
            "Close it there first, or choose another file name for the demo."
        ).format(path=path, user=holder.user, computer=holder.computer, since=holder.since_text))
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build_demo(path, clients: int = 120, months: int = 18, seed: int = 1, today: dt.date | None = None,
               progress: Progress | None = None) -> str:
    """Build a demo branch at ``path`` and return a one-paragraph summary of what it holds.

    ``today`` is the day the history ends (visits run to the day before). The same seed and
    ``today`` give the same data. An earlier demo branch at ``path`` is replaced; any other
    file is refused with a ``BranchFileError``.
    """
    if clients < 1 or months < 1:
        raise BranchDeskError(_("A demo branch needs at least one client and one month of history."))
    path = Path(path)
    today = today or dt.date.today()
    _make_room(path)
    building = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)

    builder = _Builder(clients, months, seed, today)
    builder.build(progress)
    store = open_branch(building, create=True)
    store.clock = lambda: f"{today.isoformat()} 00:00:00"
    try:
        with store.transaction():
            _write(store, builder)
            store.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)",
                               (DEMO_SETTING, f"seed={seed};clients={clients};months={months};today={today.isoformat()}"))
            store.audit("create", "branch", 1, _("Demo branch created"),
                        new={"clients": clients, "months": months, "seed": seed, "history_ends": today.isoformat()})
        if progress:
            progress(clients + 1, clients + 10, _("Issuing claims…"))
        numbers = _issue_claims(store, builder, progress)
        _late_change(store, _claim_months(builder, 4))
        summary = _summary(store, builder, numbers, path)
    except BaseException:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(building) + suffix).unlink(missing_ok=True)
        raise
    store.close()
    os.replace(building, path)
    if progress:
        progress(clients + 10, clients + 10, _("Done"))
    return summary


def _summary(store: Store, builder: _Builder, numbers: list[str], path: Path) -> str:
    today = iso(builder.today)
    in_service = store.value("SELECT COUNT(*) FROM clients WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?)", (today, today))
    referred = store.value("SELECT COUNT(*) FROM clients WHERE start_date > ?", (today,))
    ended = store.value("SELECT COUNT(*) FROM clients WHERE end_date < ?", (today,))
    visits = store.value("SELECT COUNT(*) FROM visits")
    reviews = store.value("SELECT COUNT(*) FROM reviews")
    months = [row[0] for row in store.rows("SELECT DISTINCT month FROM claims ORDER BY month")]
    claims = _("{count} issued claims for {first} to {last}").format(
        count=len(numbers), first=month_name(*parse_month(months[0])), last=month_name(*parse_month(months[-1]))) if numbers else _("no issued claims yet")
    return _(
        "Built the demo branch “{name}” in {path}: {clients} ({in_service} in service, {referred} referred to start soon, "
        "{ended} ended) on {contracts} contracts, {workers} workers in {teams} teams, {visits:,} delivered visits from {first} to {last}, "
        "{reviews} reviews and {claims}. Seed {seed}; the same seed and day build the same branch."
    ).format(name=BRANCH["name"], path=path,
             clients=_("1 client") if builder.n_clients == 1 else _("{n} clients").format(n=builder.n_clients),
             in_service=in_service, referred=referred, ended=ended, contracts=len(builder.contracts), workers=len(builder.workers),
             teams=len(builder.teams), visits=visits, first=format_date(builder.first_day), last=format_date(builder.last_day),
             reviews=reviews, claims=claims, seed=builder.seed)
