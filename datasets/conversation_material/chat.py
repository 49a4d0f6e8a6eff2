"""Everyday chat that no question asks about: the haystack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .world import Fills, World, fmt

if TYPE_CHECKING:
    from build_conversations import Builder


FILLER = [
    "Helped the user draft an email to {who} about {topic}.",
    "User asked for a recipe for {dish}; suggested adding {twist}.",
    "User asked how to {howto}.",
    "Helped the user plan a {n}-day trip to {place}.",
    "User went to see {film} at the cinema with {who}; thought it was {opinion}.",
    "User had a long week at work and was tired.",
    "User cooked {dish} for {who}.",
    "User went for a {n} km run along {river}.",
    "User spent Saturday {activity}.",
    "User's {appliance} is making a strange noise again.",
    "It has been raining all week in {city}; user is fed up.",
    "User presented research findings to stakeholders; it went well.",
    "User asked for a summary of an article about {subject}.",
    "Brainstormed names for {naming} with the user.",
    "User wanted film recommendations similar to {film}.",
    "User met {who} for a drink at {pub}.",
    "User played {game} with {who} and lost.",
    "User asked for help writing a birthday message for a colleague's card.",
    "User is annoyed that {who} keeps scheduling meetings over lunch.",
    "Helped the user compare two {compare} for value.",
    "User asked what to do with leftover {leftover}.",
    "User walked to {park} with {who} in the sunshine.",
    "User asked for a packing list for a weekend of {activity2}.",
    "User tried a new café near {station} and liked the cinnamon buns.",
    "User mentioned {who} recommended the podcast {podcast}.",
    "User asked how long to boil an egg for a runny yolk.",
    "Helped the user write a complaint to the council about {complaint}.",
    "User did a big clear-out and took three bags to the charity shop.",
    "User asked for stretches for a stiff lower back.",
    "User was stuck in traffic for an hour coming back from {place}.",
    "User asked for a simple budget spreadsheet layout.",
    "User watched the football with {who}.",
    "User asked for ideas to keep {who} entertained on a rainy afternoon.",
    "User's train was delayed by forty minutes at {station}.",
    "User asked for a reminder of the difference between affect and effect.",
    "User fixed the wobbly kitchen table with a folded beer mat.",
    "User asked what wine goes with {dish}.",
    "User had friends round for games night.",
    "User asked how to get red wine out of a carpet.",
    "User said work was quiet today.",
    "User asked for a haiku about {subject} for fun.",
    "Helped the user rewrite their CV summary.",
    "User asked for advice on repotting a {plant}.",
    "User fell asleep on the sofa watching {film}.",
    "User asked for a shopping list for {dish}.",
]
FILL = {
    "topic": [
        "the broken heater",
        "a refund",
        "a delayed invoice",
        "next week's plans",
        "the shared bills",
        "a noise complaint",
        "project deadlines",
        "a missing parcel",
        "holiday cover",
        "the team social",
    ],
    "dish": [
        "banana bread",
        "a mushroom risotto",
        "chicken katsu curry",
        "shakshuka",
        "a lentil soup",
        "fish tacos",
        "a Thai green curry",
        "lasagne",
        "a tarte tatin",
        "pad thai",
        "a veggie chilli",
        "Yorkshire puddings",
    ],
    "twist": ["smoked paprika", "brown butter", "a squeeze of lime", "miso", "toasted seeds", "a splash of vinegar"],
    "howto": [
        "descale a kettle",
        "bleed a radiator",
        "change a bike tyre",
        "unblock a sink",
        "reset the router",
        "remove limescale from a shower head",
        "sharpen a kitchen knife",
        "fix a dripping tap",
        "grout tiles",
    ],
    "place": [
        "Cornwall",
        "the Peak District",
        "Amsterdam",
        "Snowdonia",
        "Paris",
        "the Lake District",
        "Norfolk",
        "Seville",
    ],
    "film": [
        "Dune: Part Two",
        "Past Lives",
        "Paddington in Peru",
        "Anatomy of a Fall",
        "Oppenheimer",
        "The Holdovers",
        "Perfect Days",
        "Conclave",
        "Wicked",
        "Aftersun",
    ],
    "opinion": ["brilliant", "too long", "a bit slow", "beautiful", "overrated", "surprisingly funny"],
    "activity": [
        "clearing out the shed",
        "painting the hallway",
        "at a car boot sale",
        "doing the garden",
        "building flat-pack furniture",
    ],
    "activity2": ["camping", "hiking", "wild swimming", "cycling"],
    "appliance": ["washing machine", "fridge", "dishwasher", "boiler", "extractor fan"],
    "subject": [
        "sleep science",
        "urban foxes",
        "four-day working weeks",
        "the history of tea",
        "octopus intelligence",
        "rewilding",
    ],
    "naming": [
        "a pub quiz team",
        "a WhatsApp group",
        "a side project",
        "a sourdough starter",
        "a fantasy football team",
    ],
    "game": ["Catan", "Codenames", "chess", "Ticket to Ride", "Mario Kart", "Scrabble"],
    "compare": ["broadband deals", "phone contracts", "electric toothbrushes", "air fryers", "bike locks"],
    "leftover": ["rice", "roast chicken", "bread", "egg whites", "coconut milk"],
    "podcast": ["Desert Island Discs", "No Such Thing As A Fish", "Reply All", "Off Menu", "The Adventure Zone"],
    "complaint": ["potholes on the road", "an overflowing bin", "street lights being out", "fly-tipping in the lane"],
    "plant": ["monstera", "snake plant", "fiddle-leaf fig", "pothos"],
}


def filler(b: Builder, w: World) -> None:
    rng = b.rng
    template = rng.choice(FILLER)
    fills: Fills = {key: rng.choice(values) for key, values in FILL.items()}
    fills |= {"who": rng.choice(w.people).name, "n": rng.randint(2, 12), **w.fills}
    b.mem(fmt(template, fills), kind="chat", topic="chat")
