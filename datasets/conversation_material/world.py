"""The people of each split and small helpers (formatting, dates) every scenario uses."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from build_conversations import Mem

Fills = dict[str, Any]


@dataclass
class Person:
    name: str
    surname: str
    gender: str
    role: str
    age: int
    rel_word: str  # "sister": used as "the user's sister", "my sister"
    rel_ref: str | None  # how the user names them without the name ("my sister"); None if not unique
    intros: list[str]
    intro: Mem | None = None

    @property
    def he(self) -> str:
        return "she" if self.gender == "f" else "he"

    @property
    def him(self) -> str:
        return "her" if self.gender == "f" else "him"

    @property
    def his(self) -> str:
        return "her" if self.gender == "f" else "his"


@dataclass
class World:
    rng: random.Random
    people: list[Person]
    fills: Fills
    _pools: dict[str, list[Any]] = field(default_factory=dict)

    def role(self, role: str) -> Person:
        return next(p for p in self.people if p.role == role)

    def roles(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]

    def take(self, pool: str, items: list[Any]) -> Any:
        """The next unused item of ``pool`` (shuffled once per world), so no two people share one."""
        if pool not in self._pools:
            self._pools[pool] = self.rng.sample(items, len(items))
        if not self._pools[pool]:
            self._pools[pool] = self.rng.sample(items, len(items))
        return self._pools[pool].pop()


def _p(
    name: str, surname: str, gender: str, role: str, age: int, rel_word: str, rel_ref: str | None, *intros: str
) -> Person:
    return Person(name, surname, gender, role, age, rel_word, rel_ref, list(intros))


def test_world(rng: random.Random) -> World:
    people = [
        _p(
            "Priya",
            "Raman",
            "f",
            "partner",
            34,
            "partner",
            "my partner",
            "The user's partner is Priya; they have been together since 2019 and live together.",
            "User lives with their partner, Priya.",
        ),
        _p(
            "Lena",
            "Moreau",
            "f",
            "sister",
            33,
            "sister",
            "my sister",
            "Lena is the user's younger sister.",
            "User has a younger sister called Lena.",
        ),
        _p(
            "Tom",
            "Moreau",
            "m",
            "brother",
            40,
            "brother",
            "my brother",
            "User has an older brother, Tom — 'the sensible one'.",
            "Tom is the user's big brother.",
        ),
        _p(
            "Catherine",
            "Moreau",
            "f",
            "mum",
            66,
            "mum",
            "mum",
            "The user's mum is called Catherine; she grew up in Lyon.",
            "Catherine is the user's mother.",
        ),
        _p("Alain", "Moreau", "m", "dad", 68, "dad", "dad", "The user's dad is Alain, a retired engineer."),
        _p(
            "Odile",
            "Bernard",
            "f",
            "gran",
            91,
            "gran",
            "my gran",
            "Odile is the user's grandmother on their mum's side.",
            "User's gran is called Odile.",
        ),
        _p(
            "Marco",
            "Bellini",
            "m",
            "fiance",
            35,
            "sister's fiancé",
            "Lena's fiancé",
            "Marco is engaged to Lena, the user's sister.",
        ),
        _p("Ava", "Moreau", "f", "niece", 9, "niece", "my niece", "Ava is the user's niece — Tom's daughter."),
        _p(
            "Jonas",
            "Weber",
            "m",
            "best",
            36,
            "best friend",
            "my best mate",
            "Jonas is the user's best friend; they met at university in Sheffield.",
        ),
        _p(
            "Femi",
            "Adeyemi",
            "m",
            "friend",
            37,
            "friend",
            None,
            "Femi is a friend of the user's from five-a-side football.",
        ),
        _p("Hannah", "Price", "f", "friend", 35, "friend", None, "Hannah is an old university friend of the user's."),
        _p("Sofia", "Marin", "f", "friend", 32, "friend", None, "Sofia is a friend from the user's previous job."),
        _p("Kenji", "Sato", "m", "friend", 38, "friend", None, "Kenji is the user's climbing partner."),
        _p("Rosa", "Delgado", "f", "friend", 41, "friend", None, "Rosa runs the book club the user goes to."),
        _p(
            "Callum",
            "Reid",
            "m",
            "friend",
            36,
            "friend",
            None,
            "Callum has been the user's friend since primary school.",
        ),
        _p("Margaret", "Haines", "f", "boss", 52, "manager", "my boss", "Margaret Haines is the user's line manager."),
        _p("Ines", "Duarte", "f", "colleague", 29, "colleague", None, "Ines is a user researcher on the user's team."),
        _p("Raj", "Mehta", "m", "colleague", 31, "colleague", None, "Raj is a back-end engineer the user works with."),
        _p(
            "Beth",
            "Collins",
            "f",
            "colleague",
            39,
            "colleague",
            None,
            "Beth is the product manager on the user's squad.",
        ),
        _p(
            "Wojtek",
            "Nowak",
            "m",
            "colleague",
            44,
            "colleague",
            None,
            "Wojtek is a senior engineer on the user's team.",
        ),
        _p(
            "Gwen",
            "Lloyd",
            "f",
            "neighbour",
            71,
            "neighbour",
            "my upstairs neighbour",
            "Gwen is the user's upstairs neighbour.",
        ),
        _p(
            "Elodie",
            "Bernard",
            "f",
            "cousin",
            30,
            "cousin",
            "my cousin",
            "Elodie is the user's cousin on their mum's side.",
        ),
        _p("Sunita", "Raman", "f", "mil", 63, "partner's mum", "Priya's mum", "Sunita is Priya's mother."),
        _p("Vikram", "Raman", "m", "fil", 66, "partner's dad", "Priya's dad", "Vikram is Priya's father."),
    ]
    fills = {
        "city": "Bristol",
        "hometown": "Swindon",
        "uni": "Sheffield",
        "employer": "Lumen Pay",
        "job": "UX designer",
        "employer2": "Kestrel Health",
        "job2": "senior product designer",
        "area1": "Redland",
        "area2": "Totterdown",
        "street1": "14 Belvoir Road",
        "street2": "7 Cambridge Street",
        "pub": "the Cat & Wheel",
        "cat": "Miso",
        "team": "Bristol Rovers",
        "river": "the Avon",
        "station": "Temple Meads",
        "park": "St Andrew's Park",
        "climbing": "The Climbing Academy",
        "country": "France",
        "language": "Portuguese",
        "owner": "Dan",
        "mother_tongue": "French",
        "parents_met": "Lyon",
        "birthplace": "Montreal",
        "degree": "architecture",
        "leave": "27 days of annual leave plus bank holidays",
        "project1": "the payments app redesign",
        "project2": "the onboarding squad",
        "standup": "the team stand-up",
        "standup_q": "stand-up",
        "desk1": "hot-desks on the third floor",
        "desk2": "has a fixed desk on the fifth floor by the window",
        "desk_q": "Where do I sit at the office now?",
        "meetup": "the Design Systems meetup",
        "stag": "stag do",
        "offsite": "The team offsite in the Cotswolds",
    }
    return World(rng, people, fills | _role_fills(people))


def dev_world(rng: random.Random) -> World:
    people = [
        _p(
            "Ben",
            "Achebe",
            "m",
            "partner",
            33,
            "partner",
            "my partner",
            "The user's partner is Ben; they moved in together two years ago.",
            "User lives with their boyfriend Ben.",
        ),
        _p("Freya", "Lindqvist", "f", "sister", 27, "sister", "my sister", "Freya is the user's little sister."),
        _p("Erik", "Lindqvist", "m", "brother", 36, "brother", "my brother", "User has an older brother called Erik."),
        _p("Ingrid", "Lindqvist", "f", "mum", 62, "mum", "mum", "The user's mum is Ingrid; she is Swedish."),
        _p("Graham", "Lindqvist", "m", "dad", 64, "dad", "dad", "The user's dad, Graham, is a retired postman."),
        _p(
            "Elsa",
            "Berg",
            "f",
            "gran",
            88,
            "gran",
            "my gran",
            "Elsa is the user's grandmother and lives in Gothenburg.",
        ),
        _p(
            "Jamie",
            "Fraser",
            "m",
            "fiance",
            29,
            "sister's fiancé",
            "Freya's fiancé",
            "Jamie is engaged to Freya, the user's sister.",
        ),
        _p("Tilly", "Lindqvist", "f", "niece", 7, "niece", "my niece", "Tilly is the user's niece, Erik's daughter."),
        _p(
            "Zainab",
            "Hussain",
            "f",
            "best",
            31,
            "best friend",
            "my best friend",
            "Zainab is the user's best friend from teacher training.",
        ),
        _p("Luis", "Ortega", "m", "friend", 34, "friend", None, "Luis is a friend from the user's running club."),
        _p("Mei", "Chen", "f", "friend", 30, "friend", None, "Mei is a friend the user met at a pottery class."),
        _p("Daisy", "Okoro", "f", "friend", 32, "friend", None, "Daisy is a friend from the user's choir."),
        _p("Patrick", "Doyle", "m", "friend", 35, "friend", None, "Patrick is an old flatmate of the user's."),
        _p(
            "Alan",
            "McLeod",
            "m",
            "boss",
            55,
            "head of department",
            "my head of department",
            "Alan McLeod is the user's head of department at school.",
        ),
        _p(
            "Siobhan",
            "Kerr",
            "f",
            "colleague",
            41,
            "colleague",
            None,
            "Siobhan teaches physics in the user's department.",
        ),
        _p(
            "Kwame",
            "Mensah",
            "m",
            "colleague",
            28,
            "colleague",
            None,
            "Kwame is a biology teacher the user works with.",
        ),
        _p(
            "Fiona",
            "Grant",
            "f",
            "colleague",
            47,
            "colleague",
            None,
            "Fiona teaches maths and shares a corridor with the user.",
        ),
        _p(
            "Morag",
            "Baird",
            "f",
            "neighbour",
            69,
            "neighbour",
            "my neighbour",
            "Morag is the user's next-door neighbour.",
        ),
        _p("Harriet", "Achebe", "f", "sil", 30, "partner's sister", "Ben's sister", "Harriet is Ben's sister."),
    ]
    fills = {
        "city": "Edinburgh",
        "hometown": "Dundee",
        "uni": "St Andrews",
        "employer": "Leith Academy",
        "job": "chemistry teacher",
        "employer2": "Boroughmuir High School",
        "job2": "principal teacher of chemistry",
        "area1": "Gorgie",
        "area2": "Portobello",
        "street1": "22 Wheatfield Road",
        "street2": "5 Bath Street",
        "pub": "the Sheep Heid",
        "cat": "Tattie",
        "team": "Hibs",
        "river": "the Water of Leith",
        "station": "Waverley",
        "park": "the Meadows",
        "climbing": "EICA Ratho",
        "country": "Sweden",
        "language": "Italian",
        "owner": "Nora",
        "mother_tongue": "Swedish",
        "parents_met": "Gothenburg",
        "birthplace": "Malmö",
        "degree": "chemistry",
        "leave": "the school holidays off but can't take leave in term time",
        "project1": "the S3 chemistry curriculum rewrite",
        "project2": "the new Higher chemistry course",
        "standup": "the morning staff briefing",
        "standup_q": "the staff briefing",
        "desk1": "teaches in room S12, next to the prep room",
        "desk2": "has moved into room S4 on the top floor",
        "desk_q": "Which classroom am I teaching in now?",
        "meetup": "the Scottish science teachers' conference",
        "stag": "hen do",
        "offsite": "The department in-service day at Dynamic Earth",
    }
    return World(rng, people, fills | _role_fills(people))


def _role_fills(people: list[Person]) -> Fills:
    fills: Fills = {}
    counters: dict[str, int] = {}
    for p in people:
        if p.role in ("friend", "colleague"):
            counters[p.role] = counters.get(p.role, 0) + 1
            fills[f"{p.role[0]}{counters[p.role]}"] = p.name  # f1.., c1..
        else:
            fills[p.role] = p.name
    return fills


def fmt(template: str, fills: Fills) -> str:
    return template.format_map(fills)


def datestr(rng: random.Random, moment: datetime, *, year: bool = False) -> str:
    day = moment.day
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    month = moment.strftime("%B")
    weekday = moment.strftime("%A")
    styles = [f"{day} {month}", f"{month} {day}{suffix}", f"the {day}{suffix} of {month}", f"{weekday} {day} {month}"]
    text = rng.choice(styles)
    return f"{text} {moment.year}" if year else text


def clock(rng: random.Random) -> str:
    return rng.choice(
        ["08:40", "9:15", "9:30am", "10:00", "11:20", "13:45", "2:30pm", "15:10", "4pm", "17:30", "18:45"]
    )
