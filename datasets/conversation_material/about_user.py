"""Hand-written facts, preferences and paraphrase questions about the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .world import World, fmt

if TYPE_CHECKING:
    from build_conversations import Builder


@dataclass
class Item:
    """A fact or preference of the user: one memory (variants) and its questions (variants)."""

    topic: str
    mems: list[str]
    asks: list[str]
    decoys: list[str] = field(default_factory=list)  # the same kind of fact about someone else


OWNER_FACTS = [
    Item(
        "health",
        ["User's blood type is O negative.", 'User: "My blood group? O negative."'],
        ["What's my blood type?", "Which blood group am I?"],
        ["{partner}'s blood type is A positive."],
    ),
    Item(
        "health",
        ["User is allergic to penicillin — it gives them hives.", "Allergy: penicillin (user gets a rash and hives)."],
        ["Which antibiotic am I allergic to?", "Do I have a drug allergy?"],
        ["{f1} is allergic to ibuprofen."],
    ),
    Item(
        "shopping",
        ["User wears a size 10 shoe (EU 44).", 'User: "Shoes are always a 10 for me, or 44 in European sizes."'],
        ["What's my shoe size?", "What size trainers should I order?"],
        ["{partner} takes a size 7 shoe."],
    ),
    Item(
        "sport",
        ["User has supported {team} since childhood.", "User is a lifelong {team} fan."],
        ["Which football team do I support?", "Who do I follow in football?"],
        ["{best} supports Liverpool, annoyingly."],
    ),
    Item(
        "learning",
        [
            "User is learning {language} on Duolingo and has a 200-day streak.",
            "User started {language} lessons to prepare for a trip.",
        ],
        ["Which language am I learning?", "What language have I been practising?"],
        ["{partner} is learning Japanese for a trip."],
    ),
    Item(
        "home",
        [
            "Bins: general waste goes out on Monday night; recycling every other Thursday.",
            "User's recycling is collected every second Thursday, general rubbish on Tuesday mornings.",
        ],
        ["Which day do the bins go out?", "When is recycling collected?"],
    ),
    Item(
        "home",
        [
            "The stopcock in the user's flat is under the kitchen sink, behind the bleach.",
            "User's water stopcock: under the kitchen sink.",
        ],
        ["Where do I turn the water off at the mains?", "Where's the stopcock?"],
    ),
    Item(
        "home",
        ["User's spare key is with their neighbour {neighbour}.", "{neighbour} keeps a spare key to the user's flat."],
        ["Who has my spare key?", "If I lock myself out, who has a key?"],
        ["User has a spare key to {f2}'s place for feeding the cat."],
    ),
    Item(
        "health",
        ["User is left-handed.", 'User: "Being left-handed, I always smudge my notes."'],
        ["Am I left- or right-handed?", "Which hand do I write with?"],
    ),
    Item(
        "health",
        [
            "User's glasses prescription is -2.25 in both eyes, for distance only.",
            "User needs glasses for distance: -2.25 each eye.",
        ],
        ["What's my glasses prescription?", "How strong are my glasses?"],
        ["{dad} had his cataracts done and no longer needs glasses for driving."],
    ),
    Item(
        "background",
        ["User grew up in {hometown}.", "User is originally from {hometown}."],
        ["Where did I grow up?", "Which town am I from originally?"],
        ["{partner} grew up in Leicester."],
    ),
    Item(
        "background",
        ["User studied {degree} at {uni}.", "User has a {degree} degree from {uni}."],
        ["What did I study at university?", "Where did I go to uni?"],
        ["{best} studied law at Durham."],
    ),
    Item(
        "hobbies",
        [
            "User plays bass in a covers band called The Late Fees.",
            "User's band, The Late Fees, rehearses on Thursdays; user plays bass.",
        ],
        ["What instrument do I play in the band?", "What's my band called?"],
        ["{f4} plays drums in a ceilidh band."],
    ),
    Item(
        "hobbies",
        [
            "User volunteers at the food bank on Saturday mornings.",
            "Most Saturday mornings the user helps out at the local food bank.",
        ],
        ["Where do I volunteer?", "What do I do on Saturday mornings?"],
    ),
    Item(
        "hobbies",
        [
            "User's sourdough starter is called Clint Yeastwood and lives in the fridge.",
            'User named the sourdough starter "Clint Yeastwood".',
        ],
        ["What did I name my sourdough starter?", "What's the starter in the fridge called?"],
    ),
    Item(
        "home",
        ["User's bike is a Genesis Croix de Fer, 54 cm frame.", "The user rides a 54 cm Genesis Croix de Fer."],
        ["What bike do I have?", "What frame size is my bike?"],
    ),
    Item(
        "money",
        ["User's pension is with Nest through work.", "Workplace pension provider: Nest."],
        ["Who is my pension with?", "Which company runs my workplace pension?"],
        ["{partner}'s pension is a public-sector scheme."],
    ),
    Item(
        "work",
        ["User gets {leave}.", "Holiday allowance at work: user gets {leave}."],
        ["How much holiday do I get a year?", "What's my annual leave allowance?"],
    ),
    Item(
        "background",
        ["User's childhood dog was a spaniel called Rufus.", 'User: "We had a spaniel called Rufus when I was a kid."'],
        ["What was my childhood dog called?", "What pet did I have growing up?"],
        ["{partner} had a cat called Smudge growing up."],
    ),
    Item(
        "health",
        ["User is red-green colour-blind.", "User has red-green colour blindness, so charts need labels."],
        ["Am I colour-blind?", "Why do I struggle with red and green charts?"],
    ),
    Item(
        "sport",
        ["User plays five-a-side football on Wednesday nights.", "Wednesday evenings are five-a-side for the user."],
        ["What do I do on Wednesday evenings?", "When is my five-a-side game?"],
        ["{f1} plays basketball on Tuesday nights."],
    ),
    Item(
        "money",
        ["User is saving for a house deposit; the target is £30,000.", "House deposit goal: £30k."],
        ["How much am I trying to save for a deposit?", "What's my savings target for the house?"],
    ),
    Item(
        "health",
        [
            "User has asthma; the blue inhaler lives in the bedside drawer.",
            "User's reliever inhaler is kept in the bedside drawer.",
        ],
        ["Where do I keep my inhaler?", "Do I have asthma?"],
    ),
    Item(
        "family",
        ["User is godparent to {f1}'s son.", "{f1} asked the user to be godparent to their little boy."],
        ["Whose child am I godparent to?", "Who made me a godparent?"],
    ),
    Item(
        "background",
        [
            "User speaks {mother_tongue} with their mum and English with their dad.",
            "At home growing up, user spoke {mother_tongue} with mum, English with dad.",
        ],
        ["Which language do I speak with my mother?", "What language did I grow up speaking with mum?"],
    ),
    Item(
        "hobbies",
        ["User has an allotment, plot 23 at the Horfield site.", "The user rents allotment plot 23."],
        ["Which plot is my allotment?", "Where is my allotment?"],
        ["{neighbour} has an allotment by the railway line."],
    ),
    Item(
        "home",
        [
            "User's flat is on the third floor and there is no lift.",
            "No lift in the user's building; the flat is up three flights.",
        ],
        ["Which floor is my flat on?", "Is there a lift in my building?"],
    ),
    Item(
        "health",
        [
            "User is scared of needles and needs to lie down for blood tests.",
            "User gets faint at blood tests because of a needle phobia.",
        ],
        ["Do I need anything special at blood tests?", "Why do I have to lie down when I get blood taken?"],
    ),
    Item(
        "work",
        ["User's work laptop is a 14-inch MacBook Pro.", 'Work gave the user a 14" MacBook Pro.'],
        ["What laptop does work give me?", "What computer do I use for work?"],
    ),
    Item(
        "family",
        ["User's parents met in {parents_met} in 1984.", "The user's mum and dad met in {parents_met} in '84."],
        ["Where did my parents meet?", "When did mum and dad meet?"],
    ),
    Item(
        "hobbies",
        [
            "User is treasurer of the residents' association.",
            "User took on the treasurer role for the residents' association.",
        ],
        ["What's my role in the residents' association?", "Am I on any committees?"],
    ),
    Item(
        "health",
        ["User's resting heart rate is around 52.", "User's watch says resting heart rate 52 bpm."],
        ["What's my resting heart rate?", "How low is my resting pulse?"],
    ),
    Item(
        "home",
        [
            "The window cleaner comes every six weeks and is paid £18 in cash.",
            "User pays the window cleaner £18 cash every six weeks.",
        ],
        ["How much do I pay the window cleaner?", "How often does the window cleaner come?"],
    ),
    Item(
        "travel",
        ["User has a Two Together railcard with {partner}.", "User and {partner} share a Two Together railcard."],
        ["Which railcard do I have?", "Do I get a discount on train tickets?"],
    ),
    Item(
        "hobbies",
        ["User made a set of six mugs at a ceramics course.", "User took a ceramics course and threw six mugs."],
        ["How many mugs did I make at pottery?", "What did I make at the ceramics course?"],
    ),
    Item(
        "background",
        ["User was born in {birthplace} and moved to the UK at four.", "User's birthplace is {birthplace}."],
        ["Where was I born?", "Which city is my birthplace?"],
        ["{partner} was born in Nairobi."],
    ),
]

OWNER_PREFS = [
    Item(
        "travel",
        ["User always wants an aisle seat on flights.", 'User: "Aisle seat, always — I hate climbing over people."'],
        ["Window or aisle — which do I like when flying?", "What seat should you pick for me on the plane?"],
        ["{partner} always wants the window seat."],
    ),
    Item(
        "food",
        ["User hates olives.", "User can't stand olives — pick them off everything."],
        ["Do I like olives?", "Should I order the tapenade?"],
        ["{f2} loves olives and eats them straight from the jar."],
    ),
    Item(
        "music",
        ["User puts on Nils Frahm to focus at work.", "For deep work the user listens to Nils Frahm."],
        ["What music helps me concentrate?", "What should I play while I work?"],
        ["{c1} listens to lo-fi beats to concentrate."],
    ),
    Item(
        "assistant",
        [
            "User prefers short answers with bullet points, no waffle.",
            'User asked: "Keep answers short, bullets please."',
        ],
        ["How do I like you to format answers?", "Do I like long explanations?"],
    ),
    Item(
        "assistant",
        [
            "User wants distances in kilometres except for running, which is in miles.",
            "User thinks in km, but logs runs in miles.",
        ],
        ["Should you give my running distances in km or miles?", "Which units do I use for runs?"],
    ),
    Item(
        "food",
        ["User's afternoon drink is Earl Grey, no milk.", "User drinks Earl Grey without milk in the afternoon."],
        ["What's my usual afternoon tea?", "How do I take my tea?"],
        ["{mum} drinks builder's tea with two sugars."],
    ),
    Item(
        "travel",
        ["User asks for quiet hotel rooms away from the lift.", 'User: "Always request a room away from the lift."'],
        ["Anything I like to request when booking hotels?", "What kind of hotel room do I want?"],
        ["{partner} likes hotel rooms with a bath."],
    ),
    Item(
        "food",
        ["User's favourite cuisine is Georgian — khachapuri and khinkali.", "User loves Georgian food above all."],
        ["What's my favourite type of food?", "Which cuisine do I like best?"],
    ),
    Item(
        "travel",
        [
            "User prefers hiking holidays to beach holidays.",
            "User would rather hike in the mountains than lie on a beach.",
        ],
        ["What kind of holiday do I enjoy most?", "Beach or mountains for my holiday?"],
        ["{partner} loves a lazy beach holiday."],
    ),
    Item(
        "work",
        [
            "User is a morning person and does deep work before 11.",
            "The user's best focus hours are early morning, before 11.",
        ],
        ["When in the day am I most productive?", "When should I schedule hard work?"],
    ),
    Item(
        "work",
        ["User hates meetings before 10am and blocks their mornings.", 'User: "No meetings before ten, please."'],
        ["Do I mind early meetings?", "Can I be booked for a 9am call?"],
    ),
    Item(
        "books",
        [
            "User likes literary sci-fi: Ted Chiang, Becky Chambers, Ursula Le Guin.",
            "User's favourite authors are Ted Chiang and Ursula Le Guin.",
        ],
        ["What sort of books do I like?", "Which authors do I love?"],
        ["{f3} reads a lot of Scandinavian crime fiction."],
    ),
    Item(
        "tv",
        ["User can't stand reality TV.", "User refuses to watch reality shows."],
        ["What kind of TV do I avoid?", "Would I enjoy Love Island?"],
    ),
    Item(
        "food",
        ["User prefers dry white wine, especially Albariño.", "User's wine of choice is a crisp Albariño."],
        ["What wine do I like?", "Which wine should I order?"],
        ["{partner} prefers red wine, usually a Rioja."],
    ),
    Item(
        "food",
        ["User likes food very spicy — extra chilli on everything.", 'User: "The hotter the better, honestly."'],
        ["How spicy do I like my food?", "Should I ask for it mild?"],
        ["{dad} can't handle any spice at all."],
    ),
    Item(
        "home",
        ["User keeps the thermostat at 19°C.", "User likes the heating set to 19 degrees."],
        ["What temperature do I keep the heating at?", "What should the thermostat be on?"],
        ["{partner} would have the heating at 22°C if allowed."],
    ),
    Item(
        "sport",
        [
            "User prefers bouldering to the gym; goes to {climbing}.",
            "User's favourite exercise is bouldering at {climbing}.",
        ],
        ["What's my favourite way to exercise?", "Where do I go climbing?"],
    ),
    Item(
        "gifts",
        [
            "User would rather have experiences than things as presents.",
            'User: "Don\'t buy me stuff — take me somewhere."',
        ],
        ["What kind of presents do I like?", "Should people buy me things for my birthday?"],
    ),
    Item(
        "work",
        ["User signs emails 'Best, {owner}' — never 'Cheers'.", "User's email sign-off is always 'Best'."],
        ["How do I sign off emails?", "What sign-off should you use when drafting for me?"],
    ),
    Item(
        "leisure",
        ["User likes to sit at the back of the cinema, on the end of a row.", "Cinema: user wants back row, end seat."],
        ["Where do I like to sit at the cinema?", "Which cinema seats should I book?"],
        ["{best} likes to sit right at the front of the cinema."],
    ),
    Item(
        "leisure",
        ["User listens to The Rest Is History on the commute.", "User's commute podcast is The Rest Is History."],
        ["What podcast do I listen to on the way to work?", "Which history podcast do I follow?"],
        ["{partner} listens to Desert Island Discs on Sundays."],
    ),
    Item(
        "work",
        ["User keeps notes in Obsidian, not Notion.", "User prefers Obsidian for notes."],
        ["Which notes app do I use?", "Should you put this in Notion for me?"],
    ),
    Item(
        "food",
        [
            "User skips breakfast on weekdays but loves a big Sunday brunch.",
            "Weekdays: no breakfast. Sundays: big brunch.",
        ],
        ["Do I eat breakfast?", "What's my weekend morning meal routine?"],
        ["{partner} never skips breakfast — porridge every day."],
    ),
    Item(
        "life",
        ["User is a cat person, not a dog person.", 'User: "Cats over dogs, every time."'],
        ["Am I a cat or a dog person?", "Do I like dogs more than cats?"],
    ),
    Item(
        "life",
        ["User doesn't like surprise parties.", "User hates surprise parties — tell them in advance."],
        ["Would I enjoy a surprise party?", "Should my friends surprise me for my birthday?"],
    ),
    Item(
        "home",
        [
            "User prefers second-hand furniture from Facebook Marketplace.",
            "User buys furniture second-hand where possible.",
        ],
        ["Do I like buying new furniture?", "Where do I usually get furniture?"],
    ),
    Item(
        "health",
        ["Strong perfume gives the user headaches.", "User gets headaches from heavy scents and perfume."],
        ["What gives me headaches?", "Should I avoid scented candles?"],
    ),
    Item(
        "food",
        ["User's go-to pizza is nduja and hot honey.", "User always orders nduja and honey on pizza."],
        ["What pizza do I usually get?", "What toppings should I order for myself?"],
        ["{partner}'s favourite pizza is a plain margherita."],
    ),
    Item(
        "assistant",
        [
            "User wants reminders the evening before, not on the morning of.",
            'User: "Remind me the night before, mornings are chaos."',
        ],
        ["When should you send me reminders?", "Do I want reminders on the morning of an event?"],
    ),
    Item(
        "life",
        ["User prefers texts to phone calls.", "User would rather get a message than a call."],
        ["Do I like phone calls?", "Should people ring me or message me?"],
        ["{mum} prefers a phone call to a text."],
    ),
    Item(
        "life",
        ["User likes to be in bed by 10:30 on work nights.", "Work nights: user aims for bed at half ten."],
        ["What time do I go to bed on weeknights?", "Is 11pm too late for me on a school night?"],
        ["{partner} is a night owl and rarely sleeps before 1am."],
    ),
    Item(
        "food",
        ["User drinks alcohol-free beer, usually Lucky Saint.", "User's usual beer is Lucky Saint, alcohol-free."],
        ["What beer do I drink?", "Do I drink proper beer?"],
        ["{f1} only drinks Guinness."],
    ),
    Item(
        "travel",
        [
            "User prefers trains to flights within Europe, for the climate.",
            "User avoids short-haul flights and takes the train.",
        ],
        ["How do I like to travel in Europe?", "Would I fly to Paris?"],
    ),
    Item(
        "leisure",
        ["User's favourite board game is Wingspan.", "User loves Wingspan more than any other board game."],
        ["What's my favourite board game?", "What game should we play on games night?"],
        ["{f4}'s favourite board game is Catan."],
    ),
    Item(
        "life",
        ["User's favourite season is autumn.", 'User: "Autumn is the best season, no contest."'],
        ["Which season do I like best?", "Do I prefer summer or autumn?"],
        ["{partner} loves summer more than any other season."],
    ),
    Item(
        "shopping",
        ["User only wears plain t-shirts without logos.", "User refuses clothes with big logos."],
        ["What kind of t-shirts do I wear?", "Would I wear a branded hoodie?"],
    ),
    Item(
        "food",
        ["User likes very dark chocolate, 85% or more.", "User's chocolate: 85% dark."],
        ["What chocolate do I like?", "Milk or dark chocolate for me?"],
        ["{niece} only likes milk chocolate."],
    ),
    Item(
        "leisure",
        ["User prefers small venues to stadium gigs.", "User dislikes big arena concerts; small rooms only."],
        ["What kind of concerts do I enjoy?", "Would I go to a stadium show?"],
    ),
    Item(
        "work",
        ["User likes working standing up in the afternoons.", "Afternoons: user switches the desk to standing."],
        ["When do I use my standing desk?", "Do I like to stand while working?"],
    ),
    Item(
        "travel",
        [
            "User likes to arrive at the airport three hours early.",
            'User: "I\'m the person at the gate three hours early."',
        ],
        ["How early do I like to get to the airport?", "When should I leave for my flight?"],
        ["{partner} likes to get to the airport at the last possible minute."],
    ),
    Item(
        "food",
        ["User takes their steak medium-rare.", "User orders steak medium rare."],
        ["How do I like my steak cooked?", "What should I say when they ask about my steak?"],
        ["{brother} has his steak well done."],
    ),
    Item(
        "leisure",
        ["User's comfort show is Parks and Recreation.", "When tired, user rewatches Parks and Rec."],
        ["What do I watch when I need cheering up?", "What's my comfort TV show?"],
        ["{partner}'s comfort show is Gilmore Girls."],
    ),
]


PARAPHRASES = [
    Item("health", ["User gets seasick on ferries and small boats."], ["Am I OK on the water, or do I get queasy?"]),
    Item(
        "health", ["User is scared of heights and won't go on glass-floored viewing decks."], ["Do I have any phobias?"]
    ),
    Item("health", ["User can't digest lactose and sticks to oat milk."], ["Is dairy a problem for me?"]),
    Item("family", ["{mum} is recovering from a hip replacement."], ["What surgery did my mother have recently?"]),
    Item(
        "home",
        ["The landlord agreed in writing that the user can keep a cat in the flat."],
        ["Am I allowed pets where I rent?"],
    ),
    Item(
        "work",
        ["User finds open-plan rooms too noisy to focus in."],
        ["What kind of workspace do I struggle to concentrate in?"],
    ),
    Item("health", ["User's knee flares up after long downhill walks."], ["Which joint gives me trouble when hiking?"]),
    Item("family", ["User and {partner} are trying for a baby."], ["Are we thinking about starting a family?"]),
    Item("family", ["User's grandfather fought at Arnhem in 1944."], ["Did anyone in my family serve in the war?"]),
    Item("health", ["User gave up smoking last winter and hasn't had one since."], ["When did I quit cigarettes?"]),
    Item(
        "home",
        ["The landlord is selling the building, so the user may have to move out in spring."],
        ["Could I be losing my home soon?"],
    ),
    Item("social", ["{f4} just had twins, a boy and a girl."], ["Has anyone I know had babies recently?"]),
    Item(
        "family",
        ["User's great-aunt passed away in the spring; the funeral was in {hometown}."],
        ["Has there been a death in my family this year?"],
    ),
    Item(
        "health",
        ["User fainted at the blood donation session and was told not to donate for a while."],
        ["Can I give blood?"],
    ),
    Item("life", ["User's bike was stolen from outside the station."], ["What happened to my bicycle?"]),
    Item(
        "home",
        ["There is damp and black mould in the user's bathroom; the landlord has been told."],
        ["Is there a problem with my home that I reported to the owner?"],
    ),
    Item(
        "life",
        ["User failed the driving test twice and passed at the third attempt."],
        ["How many tries did it take me to get my licence?"],
    ),
    Item("health", ["User has tinnitus from years of loud gigs."], ["Why do my ears ring?"]),
    Item(
        "home",
        ["{partner} snores, so the user sleeps with earplugs."],
        ["Why do I wear something in my ears at night?"],
    ),
    Item("life", ["{f1} lent the user a drill and a spirit level."], ["Whose tools have I borrowed?"]),
    Item("health", ["User broke their wrist skateboarding at fifteen."], ["Have I ever fractured a bone?"]),
    Item("car", ["User got a speeding ticket: 36 in a 30 zone."], ["Have I had any driving fines?"]),
    Item(
        "family",
        ["User's parents separated for a year in the nineties but got back together."],
        ["Did mum and dad ever split up?"],
    ),
    Item("work", ["User dreads presenting to senior management."], ["What makes me anxious at work?"]),
    Item("home", ["The downstairs neighbour plays drums late at night."], ["Who is making noise in my building?"]),
    Item(
        "work", ["User wants to retrain as a teacher in a few years."], ["What career change have I been considering?"]
    ),
    Item(
        "family",
        ["User hasn't spoken to their uncle Patrice since the argument at Christmas."],
        ["Have I fallen out with anyone in my family?"],
    ),
    Item("money", ["User donates £20 a month to Médecins Sans Frontières."], ["Which charity do I support regularly?"]),
    Item("home", ["User is growing tomatoes and chillies on the balcony."], ["What have I planted this year?"]),
    Item(
        "tech",
        ["User's laptop screen cracked when it was dropped at the airport."],
        ["Did I damage any of my electronics?"],
    ),
    Item("health", ["User sleepwalks occasionally when stressed."], ["Do I do anything odd at night?"]),
    Item(
        "work",
        ["User finds it hard to say no to extra work and ends up overloaded."],
        ["What's my weakness when it comes to workload?"],
    ),
    Item(
        "health",
        ["User has started seeing a therapist every other Friday."],
        ["Am I getting any help for my mental health?"],
    ),
    Item("life", ["User is terrible at remembering faces."], ["Do I struggle to recognise people?"]),
    Item(
        "money", ["A scam caller pretending to be the bank took £400 from the user."], ["Have I ever been defrauded?"]
    ),
    Item("health", ["User runs to clear their head after arguments."], ["How do I cope with stress?"]),
    Item(
        "family",
        ["{partner}'s mother disapproves of them not being married yet."],
        ["Is there any tension with my partner's parents?"],
    ),
    Item("health", ["User had COVID in the spring and lost their sense of smell for weeks."], ["When was I last ill?"]),
    Item(
        "travel", ["User's flight home was cancelled and they slept at Schiphol."], ["What travel disaster did I have?"]
    ),
    Item("leisure", ["User cried at the end of Past Lives."], ["Which film made me emotional?"]),
    Item(
        "work", ["User thinks their manager takes credit for their work."], ["Do I have any frustrations with my boss?"]
    ),
    Item(
        "social", ["User gave the toast at {f1}'s wedding reception."], ["Have I given a speech at someone's marriage?"]
    ),
    Item("pets", ["User is considering adopting a retired greyhound."], ["Am I thinking about getting a dog?"]),
    Item("life", ["User can't swim front crawl, only breaststroke."], ["How good am I in the pool?"]),
    Item("work", ["User feels underpaid compared with others in similar roles."], ["Am I happy with my salary?"]),
]


def ask_item(b: Builder, w: World, item: Item, category: str, kind: str) -> None:
    memory = b.mem(fmt(b.rng.choice(item.mems), w.fills), kind=kind, topic=item.topic)
    decoys = [b.mem(fmt(text, w.fills), kind=kind, topic=item.topic) for text in item.decoys]
    b.ask(fmt(b.rng.choice(item.asks), w.fills), [memory], category, decoys)
