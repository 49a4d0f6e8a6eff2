"""Order numbers, licence plates, booking codes, policy numbers, model codes and uncommon names."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from .world import World, datestr

if TYPE_CHECKING:
    from build_conversations import Builder

Share = Callable[[int], bool]


SHOPS = [
    ("Amazon", "amazon"),
    ("John Lewis", "jl"),
    ("IKEA", "ikea"),
    ("Wiggle", "shop"),
    ("Argos", "argos"),
    ("Etsy", "etsy"),
    ("Screwfix", "screwfix"),
    ("Decathlon", "shop"),
]
ORDER_ITEMS = [
    "a standing desk",
    "a replacement kettle",
    "two bar stools",
    "a bike pump and inner tubes",
    "a 10-metre extension lead",
    "a birthday card and wrapping paper",
    "a blender",
    "a pair of walking boots",
    "a drill bit set",
    "a desk lamp",
    "a handmade ceramic vase",
    "a duvet and pillows",
    "a cat scratching post",
    "a rain jacket",
    "a coffee grinder",
    "a set of saucepans",
    "a bathroom mirror",
    "a yoga mat",
    "a laptop stand",
    "a garden hose",
    "a wireless doorbell",
    "a toaster",
    "a pair of running tights",
    "a phone case",
    "a kids' scooter for Christmas",
    "a bag of potting compost",
    "a printer toner cartridge",
    "an air fryer",
    "a waterproof picnic blanket",
    "a set of Allen keys",
    "a shower head",
    "a bedside table",
    "a whiteboard for the kitchen",
    "a tent footprint",
    "a pack of LED bulbs",
    "a mattress topper",
]
PRODUCTS = [
    ("dishwasher", "Bosch Serie 4 SMS4HVI33G", "the engineer said the drain pump needs replacing"),
    ("boiler", "Worcester Bosch Greenstar 30i", "the pressure keeps dropping below 1 bar"),
    ("router", "TP-Link Archer AX55", "it drops the connection every evening"),
    ("washing machine", "Hotpoint NSWM1045CWUKN", "the door seal has split"),
    ("fridge", "Samsung RB38T602CWW", "the ice builds up at the back"),
    ("printer", "HP LaserJet M234dwe", "it needs HP 135X toner"),
    ("TV", "LG OLED55C34LA", "it's still under warranty until next spring"),
    ("headphones", "Sony WH-1000XM5", "the left ear cushion is cracking"),
    ("hob", "Neff T36FB41X0G", "one ring won't turn off"),
    ("e-bike", "Ribble Hybrid AL e", "the battery only gives 30 miles now"),
    ("camera", "Fujifilm X-T30 II", "the shutter button sticks"),
    ("smoke alarm", "Nest Protect 2nd gen", "it chirps at 3am when the battery is low"),
    ("oven", "AEG BPS555020M", "the steam function leaks"),
    ("vacuum", "Dyson V11 Absolute", "the battery was replaced under warranty"),
    ("watch", "Garmin Forerunner 265", "the strap pin keeps falling out"),
]
RARE_NAMES = [
    (
        "Radomir Szczepański",
        "the tiler",
        "quoted £1,150 to retile the bathroom",
        ["Who is Radomir Szczepański?", "What did Radomir Szczepański quote?"],
    ),
    (
        "Ieuan ap Dafydd",
        "the electrician",
        "rewired the kitchen and charged £640",
        ["How much did Ieuan ap Dafydd charge?", "What did Ieuan ap Dafydd do for us?"],
    ),
    (
        "Thandiwe Mbeki-Rowe",
        "the accountant",
        "will do the user's self-assessment for £250",
        ["What is Thandiwe Mbeki-Rowe helping me with?", "How much does Thandiwe Mbeki-Rowe charge?"],
    ),
    (
        "Dr Oyelaran",
        "the physio",
        "thinks the knee pain is patellar tendinopathy",
        ["What did Dr Oyelaran say about my knee?", "Who is Dr Oyelaran?"],
    ),
    (
        "Gwenllian Prys",
        "the piano teacher",
        "teaches on Tuesdays at 6pm, £32 a lesson",
        ["When does Gwenllian Prys teach?", "How much is a lesson with Gwenllian Prys?"],
    ),
    (
        "Caoimhe Ní Bhriain",
        "the vet",
        "recommended a dental clean for the cat",
        ["What did Caoimhe Ní Bhriain recommend?", "Who is Caoimhe Ní Bhriain?"],
    ),
    (
        "Bartholomew Quist",
        "the solicitor",
        "is handling the lease dispute",
        ["What is Bartholomew Quist dealing with?", "Who is Bartholomew Quist?"],
    ),
    (
        "Zdeněk Horák",
        "the mechanic",
        "said the clutch has about a year left",
        ["What did Zdeněk Horák say about the car?", "Who's Zdeněk Horák?"],
    ),
    (
        "Eilidh Macaskill",
        "the wedding florist",
        "needs the colour scheme by the end of the month",
        ["What does Eilidh Macaskill need from me?", "Who is Eilidh Macaskill?"],
    ),
    (
        "Nkechi Obiora-Lund",
        "the mortgage broker",
        "found a 4.1% five-year fix",
        ["What rate did Nkechi Obiora-Lund find?", "Who is Nkechi Obiora-Lund?"],
    ),
    (
        "Aurelio Bazzanella",
        "the guide for the Dolomites trip",
        "meets the group at Ortisei at 8am",
        ["Where do we meet Aurelio Bazzanella?", "Who is Aurelio Bazzanella?"],
    ),
    (
        "Sigrún Þórsdóttir",
        "the yoga teacher",
        "runs a Thursday class at the community centre",
        ["When is Sigrún Þórsdóttir's class?", "Who is Sigrún Þórsdóttir?"],
    ),
    (
        "Ksawery Wróblewski",
        "the builder",
        "can start the loft conversion in March",
        ["When can Ksawery Wróblewski start?", "What is Ksawery Wróblewski building for us?"],
    ),
    (
        "Tadhg Ó Súilleabháin",
        "the chimney sweep",
        "said the flue is safe for another year",
        ["What did Tadhg Ó Súilleabháin say about the chimney?", "Who is Tadhg Ó Súilleabháin?"],
    ),
    (
        "Oluwaseun Adebanjo-Tate",
        "the dog trainer",
        "suggested short sessions twice a day",
        ["What did Oluwaseun Adebanjo-Tate suggest?", "Who is Oluwaseun Adebanjo-Tate?"],
    ),
    (
        "Ffion Llewellyn-Jones",
        "the wedding photographer",
        "needs a £400 deposit",
        ["How much is Ffion Llewellyn-Jones's deposit?", "Who is Ffion Llewellyn-Jones?"],
    ),
]
RARE_NAME_MEMS = [
    "{name}, {role}, {what}.",
    "User said {name} ({role}) {what}.",
    "Note: {role} is {name}; {what}.",
]
_ALNUM = "ABCDEFGHJKLMNPRSTUVWXYZ23456789"


def _code(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


def _order_number(rng: random.Random, style: str) -> str:
    if style == "amazon":
        return f"{rng.randint(202, 206)}-{rng.randint(1000000, 9999999)}-{rng.randint(1000000, 9999999)}"
    if style == "jl":
        return f"JL{rng.randint(10000000, 99999999)}"
    if style == "ikea":
        return f"{rng.randint(1000000000, 1999999999)}"
    if style == "argos":
        return f"AR-{rng.randint(100000, 999999)}"
    if style == "etsy":
        return f"#{rng.randint(2900000000, 3299999999)}"
    if style == "screwfix":
        return f"SFX{rng.randint(1000000, 9999999)}"
    return f"ORD-{rng.randint(10000, 99999)}-{rng.choice('ABCDEFGHK')}"


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNOPRSTUVWXY"
    year = rng.choice(["16", "17", "18", "19", "20", "21", "22", "23", "66", "67", "68", "69", "70", "71"])
    return f"{rng.choice(letters)}{rng.choice(letters)}{year} {''.join(rng.choice(letters) for _ in range(3))}"


def rare_terms(b: Builder, w: World, share: Share, scale: float) -> None:
    rng = b.rng

    def n(count: int) -> int:
        return max(1, round(count * scale))

    # orders: many alike, only the number tells them apart
    items = rng.sample(ORDER_ITEMS, n(26))
    for i, item in enumerate(items):
        shop, style = rng.choice(SHOPS)
        number = _order_number(rng, style)
        at = b.time()
        arrive = datestr(rng, at + timedelta(days=rng.randint(2, 9)))
        text = rng.choice(
            [
                "Ordered {item} from {shop}, order {number}; arriving {arrive}.",
                "{shop} order {number}: {item}, due {arrive}.",
                "User ordered {item} ({shop}, order no. {number}).",
                "Placed an order with {shop} for {item} — reference {number}.",
            ]
        ).format(item=item, shop=shop, number=number, arrive=arrive)
        memory = b.mem(text, at=at, kind="record", topic="shopping")
        if i < n(8):
            b.ask(
                rng.choice(
                    [
                        "What did I buy in order {number}?",
                        "What was order {number} for?",
                        "Which item is order {number}?",
                        "Has order {number} arrived — what was it again?",
                    ]
                ).format(number=number),
                [memory],
                "rare-terms",
            )
    # licence plates
    owners = [
        ("the user's car", None),
        (f"{w.fills['partner']}'s car", None),
        ("the hire car for the Lake District trip", None),
        (f"{w.fills['neighbour']}'s visitor, who keeps blocking the drive", None),
        ("the van that clipped the user's wing mirror", None),
        (f"{w.fills['f1']}'s camper van", None),
        (f"{w.fills['dad']}'s new car", None),
        ("the courtesy car from the garage", None),
    ]
    for i, (owner, _) in enumerate(rng.sample(owners, n(8))):
        plate = _plate(rng)
        text = rng.choice(
            ["Registration {plate} is {owner}.", "{owner} has the plate {plate}.", "Number plate of {owner}: {plate}."]
        )
        memory = b.mem(text.format(plate=plate, owner=owner), kind="record", topic="car")
        if i < n(5):
            b.ask(
                rng.choice(
                    [
                        "Whose car is {plate}?",
                        "Which car has the registration {plate}?",
                        "What do I know about {plate}?",
                    ]
                ).format(plate=plate),
                [memory],
                "rare-terms",
            )
    # appliances and gadgets by model code
    products = [p for i, p in enumerate(PRODUCTS) if share(i)]
    for i, (thing, model, issue) in enumerate(rng.sample(products, min(len(products), n(10)))):
        text = rng.choice(
            [
                "The {thing} is a {model}; {issue}.",
                "User's {thing}: {model} — {issue}.",
                "User said their {model} ({thing}) has a problem: {issue}.",
            ]
        )
        memory = b.mem(text.format(thing=thing, model=model, issue=issue), kind="record", topic="home")
        if i < n(7):
            short = model.split()[-1] if any(ch.isdigit() for ch in model.split()[-1]) else model
            b.ask(
                rng.choice(
                    [
                        "What's wrong with the {short}?",
                        "What did I note about the {short}?",
                        "What's the issue with my {short}?",
                    ]
                ).format(short=short),
                [memory],
                "rare-terms",
            )
    # booking references
    trips = rng.sample(
        [
            "Porto",
            "Berlin",
            "Edinburgh",
            "Kraków",
            "Bilbao",
            "Copenhagen",
            "Nice",
            "Belfast",
            "Amsterdam",
            "Bruges",
            "Cork",
            "York",
            "Inverness",
            "Lyon",
        ],
        n(12),
    )
    for i, place in enumerate(trips):
        ref = _code(rng, 6)
        kind = rng.choice(["flight", "hotel", "train", "ferry"])
        text = rng.choice(
            [
                "Booking reference for the {kind} to {place}: {ref}.",
                "{place} {kind} booked, confirmation code {ref}.",
                "User's {kind} booking for {place} is {ref}.",
            ]
        )
        memory = b.mem(text.format(kind=kind, place=place, ref=ref), kind="record", topic="travel")
        if i < n(4):
            b.ask(
                rng.choice(
                    [
                        "Which trip is booking {ref}?",
                        "What's the booking {ref} for?",
                        "Where am I going with booking reference {ref}?",
                    ]
                ).format(ref=ref),
                [memory],
                "rare-terms",
            )
    # policies and accounts
    accounts = rng.sample(
        [
            ("home insurance", "Aviva"),
            ("pet insurance", "Petplan"),
            ("car breakdown cover", "the AA"),
            ("travel insurance", "Staysure"),
            ("phone insurance", "Protect Your Bubble"),
            ("boiler cover", "British Gas"),
        ],
        n(5),
    )
    for i, (what, company) in enumerate(accounts):
        number = f"{rng.choice('ABCHKMPTX')}{rng.choice('BDFGLRSW')}{rng.randint(10000000, 99999999)}"
        text = rng.choice(["{what} is with {company}, policy number {number}.", "Policy {number}: {what}, {company}."])
        memory = b.mem(text.format(what=what, company=company, number=number), kind="record", topic="admin")
        if i < n(3):
            b.ask(
                rng.choice(
                    ["Which policy is {number}?", "What is policy {number} for?", "Who is policy {number} with?"]
                ).format(number=number),
                [memory],
                "rare-terms",
            )
    # uncommon names
    names = [r for i, r in enumerate(RARE_NAMES) if share(i)]
    for i, (name, role, what, asks) in enumerate(rng.sample(names, min(len(names), n(10)))):
        memory = b.mem(
            rng.choice(RARE_NAME_MEMS).format(name=name, role=role, what=what), kind="record", topic="contacts"
        )
        if i < n(8):
            b.ask(rng.choice(asks), [memory], "rare-terms")
