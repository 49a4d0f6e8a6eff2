"""Introductions and facts about the people in the user's life; some people move or change job."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .world import Fills, Person, World, datestr, fmt

if TYPE_CHECKING:
    from build_conversations import Builder


def introduce(b: Builder, w: World) -> None:
    for p in w.people:
        p.intro = b.mem(b.rng.choice(p.intros), window=(0, b.span * 0.35), kind="person", topic="people")


@dataclass
class Family:
    """One kind of fact about a person; ``chance`` that a person has it, ``ask`` that it is queried."""

    name: str
    category: str
    chance: float
    ask: float
    mems: list[str]
    asks: list[str]
    extra: Callable[[random.Random, World, Person], Fills]
    kind: str = "fact"
    roles: tuple[str, ...] = ()  # only these roles (empty: all)
    skip: tuple[str, ...] = ("colleague",)
    avoid: tuple[str, ...] = ()  # fill keys (f3, ...) of people whom other items contradict


def _birthday(rng: random.Random, w: World, p: Person) -> Fills:
    moment = datetime(2026, 1, 1) + timedelta(days=rng.randrange(365))
    return {"d": datestr(rng, moment), "age": p.age + 1}


JOBS = [
    "a paediatric nurse at the children's hospital",
    "a structural engineer at Arup",
    "a secondary-school history teacher",
    "a vet at a small practice",
    "a freelance wedding photographer",
    "a pharmacist at Boots",
    "a sous-chef at an Italian place",
    "a family-law solicitor",
    "a train driver for GWR",
    "a physiotherapist for a rugby club",
    "a data analyst for the NHS",
    "a landscape gardener",
    "an air traffic controller",
    "a primary-school teaching assistant",
    "an accountant at a small firm",
    "a museum conservator",
    "an electrician",
    "a product manager at Spotify",
    "a midwife",
    "a bike mechanic",
    "an architect",
    "a radio producer at the BBC",
    "a dental hygienist",
    "an occupational therapist",
    "a joiner",
    "a university librarian",
    "a marine biologist",
    "a paramedic",
    "a tattoo artist",
    "a civil servant at the Home Office",
]
CITIES = [
    "Leeds",
    "Glasgow",
    "Cardiff",
    "Lyon",
    "Lisbon",
    "Manchester",
    "Brighton",
    "Norwich",
    "York",
    "Berlin",
    "Toronto",
    "Dublin",
    "Exeter",
    "Sheffield",
    "Nantes",
    "Rotterdam",
    "Bath",
    "Cambridge",
    "Oxford",
    "Melbourne",
    "Barcelona",
    "Aberdeen",
    "Belfast",
    "Newcastle",
    "Copenhagen",
    "Valencia",
    "Plymouth",
    "Inverness",
]
DIETS = [
    ("is vegetarian", ["Does {ref} eat meat?", "Is {ref} veggie?"]),
    (
        "is vegan — no eggs, dairy or honey",
        ["Can {ref} eat eggs and cheese?", "What should I avoid cooking for {ref}?"],
    ),
    ("is pescatarian: fish, but no meat", ["Is fish OK for {ref}?", "What does {ref} eat and not eat?"]),
    (
        "has coeliac disease, so everything must be gluten-free",
        ["Can {ref} eat bread and pasta?", "Does {ref} have a food intolerance?"],
    ),
    ("doesn't drink alcohol at all", ["Should I get some wine in for {ref}?", "Does {ref} drink?"]),
    (
        "eats halal and never pork",
        ["Is there anything {ref} won't eat for religious reasons?", "Can I serve sausages to {ref}?"],
    ),
    (
        "is allergic to shellfish, prawns especially",
        ["Is {ref} allergic to any seafood?", "Any food allergies for {ref}?"],
    ),
    (
        "has a tree-nut allergy and carries an EpiPen",
        ["Does {ref} have a nut allergy?", "Does {ref} need to avoid nuts?"],
    ),
    ("can't stand mushrooms", ["Which vegetable does {ref} hate?", "Is there a food {ref} really dislikes?"]),
    (
        "thinks coriander tastes of soap",
        ["Is there a herb {ref} hates?", "Should I leave the coriander out for {ref}?"],
    ),
    ("is lactose intolerant", ["Can {ref} have milk?", "Is dairy a problem for {ref}?"]),
    ("is doing keto and avoids carbs", ["Is {ref} on some kind of diet?", "Will {ref} want potatoes with dinner?"]),
]
FOODS = [
    "Sichuan food, the spicier the better",
    "Ethiopian food — injera and all",
    "a proper Sunday roast",
    "sushi",
    "Lebanese mezze",
    "Neapolitan pizza",
    "Korean fried chicken",
    "Vietnamese pho",
    "a good dhal",
    "Basque tapas",
    "Georgian khachapuri",
    "Mexican tacos al pastor",
    "Turkish breakfasts",
    "Malaysian laksa",
]
GIFTS = [
    "a Kindle Paperwhite",
    "a cast-iron Dutch oven",
    "trail running shoes",
    "Rumours on vinyl",
    "the Lego bonsai tree set",
    "a Lamy fountain pen",
    "a pasta machine",
    "noise-cancelling headphones",
    "a sourdough starter kit",
    "a hammock",
    "a bottle of Islay whisky",
    "a big monstera plant",
    "a bird-feeder camera",
    "a weighted blanket",
    "a pizza oven",
    "a film camera",
    "a climbing chalk bag",
    "an embroidery kit",
    "a Moka pot",
    "a Switch game, Zelda",
]
PETS = [
    ("dog", "whippet"),
    ("dog", "cockapoo"),
    ("dog", "border collie"),
    ("dog", "dachshund"),
    ("dog", "rescue greyhound"),
    ("dog", "staffie"),
    ("cat", "tabby"),
    ("cat", "Maine Coon"),
    ("cat", "ragdoll"),
    ("tortoise", "Hermann's tortoise"),
    ("rabbit", "lop-eared rabbit"),
    ("dog", "labrador"),
    ("dog", "Jack Russell"),
    ("cat", "Bengal"),
]
PET_NAMES = [
    "Biscuit",
    "Pickle",
    "Moss",
    "Juno",
    "Pepper",
    "Bramble",
    "Otto",
    "Mabel",
    "Fig",
    "Hugo",
    "Nala",
    "Ziggy",
    "Clementine",
    "Basil",
    "Waffle",
    "Dobby",
    "Luna",
    "Crumpet",
    "Sprout",
    "Mango",
]
PARTNER_NAMES = {
    "f": ["Joe", "Sam", "Tomasz", "Olu", "Harry", "Dev", "Luca", "Finn", "Rhys", "Ahmed"],
    "m": ["Amy", "Zoe", "Nadia", "Grace", "Leah", "Mira", "Ellie", "Chiara", "Tess", "Yasmin"],
}
KID_NAMES = [
    "Isla",
    "Noah",
    "Maya",
    "Leo",
    "Ruby",
    "Arlo",
    "Elsie",
    "Theo",
    "Nia",
    "Otis",
    "Hazel",
    "Reuben",
    "Iris",
    "Kit",
]


def _pet(rng: random.Random, w: World, p: Person) -> Fills:
    species, breed = w.take("pets", PETS)
    return {"species": species, "breed": breed, "pet": w.take("pet_names", PET_NAMES)}


def _partner(rng: random.Random, w: World, p: Person) -> Fills:
    word = rng.choice(["partner", "wife" if p.gender == "m" else "husband"])
    return {"pname": w.take(f"partners_{p.gender}", PARTNER_NAMES[p.gender]), "pword": word, "n": rng.randint(2, 15)}


def _kids(rng: random.Random, w: World, p: Person) -> Fills:
    return {
        "k1": w.take("kids", KID_NAMES),
        "k2": w.take("kids", KID_NAMES),
        "a1": rng.randint(5, 12),
        "a2": rng.randint(1, 4),
    }


FAMILIES = [
    Family(
        "birthday",
        "date",
        0.85,
        0.5,
        [
            "{who} has {his} birthday on {d}.",
            "{who} turns {age} on {d}.",
            "User said: \"Don't let me forget {myposs} birthday — it's {d}.\"",
            "Birthday to remember: {name}{paren}, {d}.",
            "{who} celebrates {his} birthday on {d} and usually has people round.",
        ],
        [
            "When's {poss} birthday?",
            "What date is {poss} birthday again?",
            "When do I need to send {ref} a birthday card?",
            "Remind me when {poss} birthday is.",
            "Is {poss} birthday coming up? What's the date?",
        ],
        _birthday,
        skip=("colleague", "partner"),
    ),
    Family(
        "job",
        "fact",
        0.9,
        0.35,
        [
            "{who} works as {job}.",
            "{who} is {job} and has been for about {n} years.",
            "User mentioned that {whom} is {job}.",
            'User: "{mycap} is {job} — {he} loves it."',
        ],
        [
            "What does {ref} do for a living?",
            "What's {poss} job?",
            "Remind me what {ref} does for work.",
            "What line of work is {ref} in?",
        ],
        lambda rng, w, p: {"job": w.take("jobs", JOBS), "n": rng.randint(2, 12)},
        skip=("colleague", "boss", "niece", "gran", "partner", "mum", "dad", "mil", "fil"),
    ),
    Family(
        "city",
        "fact",
        0.75,
        0.3,
        [
            "{who} lives in {place}.",
            "{who} is based in {place}.",
            "{who} rents a flat near the centre of {place}.",
            'User said {whom} lives "miles away" in {place}, so they only meet a few times a year.',
        ],
        ["Where does {ref} live?", "Which city is {ref} in?", "Where is {ref} based?"],
        lambda rng, w, p: {"place": w.take("cities", CITIES)},
        skip=("colleague", "boss", "partner", "niece", "neighbour", "fiance", "mum", "dad", "gran"),
    ),
    Family(
        "diet",
        "preference",
        0.6,
        0.5,
        [
            "{who} {diet}.",
            "Note for cooking: {whom} {diet}.",
            'User: "{mycap} {diet}, so plan the menu around that."',
            "When planning meals with {whom}, remember {he} {diet}.",
        ],
        [],
        lambda rng, w, p: dict(zip(("diet", "diet_asks"), w.take("diets", DIETS), strict=True)),
        skip=("partner",),
    ),
    Family(
        "food",
        "preference",
        0.45,
        0.4,
        [
            "{name}'s favourite food is {food}.",
            "{who} absolutely loves {food}.",
            "User said that for {whom} it's always {food}.",
        ],
        [
            "What's {poss} favourite food?",
            "What kind of food does {ref} like best?",
            "If I take {ref} out for dinner, what cuisine should I pick?",
        ],
        lambda rng, w, p: {"food": w.take("foods", FOODS)},
        skip=("partner",),
    ),
    Family(
        "gift",
        "preference",
        0.5,
        0.45,
        [
            "{who} has been hinting that {he} wants {gift}.",
            "Present idea for {whom}: {gift}.",
            "{who} mentioned wanting {gift} — good birthday present.",
            'User: "{mycap} keeps going on about {gift}."',
        ],
        ["What could I get {ref} as a present?", "Any gift ideas for {ref}?", "What did {ref} say {he} wanted?"],
        lambda rng, w, p: {"gift": w.take("gifts", GIFTS)},
    ),
    Family(
        "pet",
        "fact",
        0.4,
        0.45,
        [
            "{who} has a {breed} called {pet}.",
            "{pet} is {name}'s {breed}.",
            'User: "{mycap} got a {breed} — named it {pet}!"',
        ],
        [
            "What's {poss} {species} called?",
            "What kind of {species} does {ref} have?",
            "What's the name of {poss} {species}?",
        ],
        _pet,
        skip=("colleague", "niece"),
    ),
    Family(
        "partner",
        "fact",
        0.45,
        0.4,
        [
            "{who} is married to {pname}.",
            "{who} has been with {his} {pword} {pname} for {n} years.",
            "User said {name}'s {pword} is called {pname}.",
        ],
        ["What's {poss} {pword} called?", "Who is {ref} with?", "What's the name of {poss} {pword}?"],
        _partner,
        skip=("partner", "niece", "gran", "fiance", "sister", "mil", "fil", "sil", "mum", "dad"),
        avoid=("f3",),
    ),
    Family(
        "kids",
        "fact",
        0.4,
        0.4,
        [
            "{who} has two kids, {k1} ({a1}) and {k2} ({a2}).",
            "{name}'s children are {k1}, {a1}, and little {k2}, {a2}.",
            'User: "{mycap}\'s kids are {k1} and {k2}."',
        ],
        ["What are {poss} kids called?", "How old are {poss} children?", "What are the names of {poss} kids?"],
        _kids,
        roles=("friend", "best", "boss", "cousin"),
        avoid=("f2", "f4"),
    ),
]


def person_facts(b: Builder, w: World, movers: int) -> None:
    """Facts about every person, some of them queried; ``movers`` people move city or change job mid-year."""
    eligible = [p for p in w.people if p.role in ("friend", "sister", "brother", "cousin", "best")]
    moved = {p.name: ("city" if i % 2 == 0 else "job") for i, p in enumerate(b.rng.sample(eligible, movers))}
    avoid_names = {family.name: {w.fills[key] for key in family.avoid} for family in FAMILIES}
    for family in FAMILIES:
        for p in w.people:
            if (
                p.role in family.skip
                or (family.roles and p.role not in family.roles)
                or p.name in avoid_names[family.name]
                or moved.get(p.name) == family.name
                or b.rng.random() > family.chance
            ):
                continue
            _person_fact(b, w, p, family)
    for name, what in moved.items():
        _person_change(b, w, next(p for p in w.people if p.name == name), what)


def _person_fact(b: Builder, w: World, p: Person, family: Family) -> None:
    # "Priya's mum" is asked by a name the memory would not use: never mention such relations
    mention = b.rng.random() < 0.35 and (p.rel_ref or "my ").startswith(("my ", "mum", "dad"))
    who = p.name
    if mention:
        who = b.rng.choice([f"the user's {p.rel_word} {p.name}", f"{p.name} (the user's {p.rel_word})"])
    fills = {
        "who": who,
        "whom": who,
        "name": p.name,
        "he": p.he,
        "his": p.his,
        "him": p.him,
        "paren": f" (the user's {p.rel_word})" if mention else "",
        "mycap": f"My {p.rel_word} {p.name}" if mention else p.name,
        "myposs": f"my {p.rel_word} {p.name}'s" if mention else f"{p.name}'s",
        **family.extra(b.rng, w, p),
    }
    text = fmt(b.rng.choice(family.mems), fills)
    mentioned = f"user's {p.rel_word}" in text or f"my {p.rel_word} " in text.lower()
    memory = b.mem(text, kind="pref" if family.category == "preference" else "fact", topic="people")
    if b.rng.random() >= family.ask:
        return
    by_relation = p.rel_ref is not None and b.rng.random() < 0.7
    ref = p.rel_ref if by_relation else p.name
    question = fmt(b.rng.choice(fills.get("diet_asks") or family.asks), {**fills, "ref": ref, "poss": f"{ref}'s"})
    if by_relation and not mentioned and p.intro is not None:
        b.ask(question, [memory, p.intro], "multi-hop")  # the relation is only in the introduction
    else:
        b.ask(question, [memory], family.category)


def _person_change(b: Builder, w: World, p: Person, what: str) -> None:
    """Someone moved city or changed job: a 'changed' question; the old memory is the distractor."""
    old_at = b.time(0, b.span * 0.45)
    new_at = b.time(b.day_of(old_at) + 40, None)
    if what == "city":
        a, c = w.take("cities", CITIES), w.take("cities", CITIES)
        olds = ["{name} lives in {a}.", "{name} has a flat in {a}.", "{name} is living in {a} at the moment."]
        news = [
            "{name} has moved from {a} to {c}.",
            "{name} just relocated to {c} — {he} left {a} last month.",
            'User said {name} finally moved to {c}; {he} is "done with {a}".',
        ]
        asks = ["Where does {name} live now?", "Where's {name} living these days?", "Which city is {name} in now?"]
    else:
        a, c = w.take("jobs", JOBS), w.take("jobs", JOBS)
        olds = ["{name} works as {a}.", "{name} is {a}."]
        news = [
            "{name} has left {his} old job and now works as {c}.",
            "{name} changed careers: {he} is now {c}.",
            "User said {name} quit being {a} and is now {c}.",
        ]
        asks = ["What does {name} do for work now?", "What's {name}'s job these days?", "Where is {name} working now?"]
    fills = {"name": p.name, "a": a, "c": c, "he": p.he, "his": p.his}
    old = b.mem(fmt(b.rng.choice(olds), fills), at=old_at, kind="fact", topic="people")
    new = b.mem(fmt(b.rng.choice(news), fills), at=new_at, kind="fact", topic="people")
    b.ask(fmt(b.rng.choice(asks), fills), [new], "changed", [old])
