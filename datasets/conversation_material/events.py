"""Dated events, facts that changed during the year, and questions answered by several memories."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from .world import Fills, World, clock, datestr, fmt

if TYPE_CHECKING:
    from build_conversations import Builder


@dataclass
class Dated:
    """An upcoming (or past) event: ``{d}`` is its date; decoys are similar events on other dates
    (a decoy starting ``past:`` tells of something that happened before it was noted)."""

    topic: str
    mems: list[str]
    asks: list[str]
    decoys: list[str] = field(default_factory=list)
    extra: Callable[[random.Random], Fills] | None = None
    upcoming: bool = True


DATES = [
    Dated(
        "family",
        [
            "{sister} and {fiance}'s wedding is on {d} in Porto.",
            'User: "{sister}\'s wedding is {d}, I need to book flights to Porto!"',
        ],
        ["When is my sister's wedding again?", "What's the date of {sister}'s wedding?"],
        ["past:User was an usher at {f2}'s wedding on {d}."],
    ),
    Dated(
        "family",
        ["User and {partner}'s anniversary is {d}.", "Anniversary with {partner}: {d}."],
        ["When's our anniversary?", "What date is my anniversary with {partner}?"],
        ["{brother} and his wife's anniversary is {d}."],
    ),
    Dated(
        "admin",
        ["User's passport expires on {d}.", "Passport expiry: {d} — renew before travelling."],
        ["When does my passport run out?", "When do I need to renew my passport?"],
        ["{partner}'s passport expires on {d}."],
        upcoming=True,
    ),
    Dated(
        "car",
        ["The car's MOT is due on {d}.", "User's MOT deadline: {d}."],
        ["When is my car's MOT due?", "When does the car need its MOT?"],
    ),
    Dated(
        "home",
        [
            "Boiler service booked for {d}, between 8 and 12.",
            "The gas engineer is coming to service the boiler on {d}.",
        ],
        ["When's the boiler being serviced?", "When is the gas engineer coming?"],
        ["{neighbour}'s boiler service is on {d}."],
    ),
    Dated(
        "leisure",
        ["User has tickets to see Wet Leg at the O2 Academy on {d}.", "Wet Leg gig: {d}, user + {best}."],
        ["When is the Wet Leg concert?", "What night am I seeing Wet Leg?"],
        ["{f3} is going to see Fontaines D.C. on {d}.", "User missed out on Idles tickets for {d}."],
    ),
    Dated(
        "work",
        ["User is giving a talk at {meetup} on {d}.", "User's talk at {meetup}: {d}."],
        ["When is my talk?", "What date am I speaking at {meetup}?"],
        ["{c1} is presenting at the all-hands on {d}."],
    ),
    Dated(
        "family",
        ["{mum} and {dad}'s 40th wedding anniversary party is on {d}.", "Parents' ruby anniversary party: {d}."],
        ["When is mum and dad's anniversary party?", "What date is my parents' ruby wedding do?"],
    ),
    Dated(
        "pets",
        ["{cat} is booked in at the vet for vaccinations on {d}.", "Vet appointment for {cat}'s jabs: {d}."],
        ["When is the cat's vet appointment?", "When are {cat}'s vaccinations?"],
        ["{f1}'s dog has a vet appointment on {d}."],
    ),
    Dated(
        "health",
        ["User's eye test is on {d} at Specsavers.", "Eye test booked: {d}."],
        ["When is my eye test?", "When am I getting my eyes checked?"],
        ["{partner} has an eye test on {d}."],
    ),
    Dated(
        "admin",
        ["The home insurance renews on {d}.", "Home insurance renewal date: {d} — shop around first."],
        ["When does my home insurance renew?", "When do I need to sort the house insurance?"],
        ["past:The car insurance renewed on {d}."],
    ),
    Dated(
        "social",
        [
            "{best}'s {stag} is the weekend of {d}, in Newcastle.",
            'User: "{best}\'s {stag} — {d}, Newcastle, God help us."',
        ],
        ["When is {best}'s {stag}?", "What weekend is the {stag}?"],
        ["{f1}'s 40th is on {d}."],
    ),
    Dated(
        "family",
        ["{niece}'s school nativity play is on {d} at 2pm.", "User promised to go to {niece}'s nativity on {d}."],
        ["When is my niece's school play?", "What day is {niece}'s nativity?"],
    ),
    Dated(
        "family",
        [
            "Big family lunch for {gran} at the Italian place on {d}.",
            "Family lunch with {gran}: {d}, everyone's coming.",
        ],
        ["When is the family lunch with gran?", "What's the date of the lunch for my grandmother?"],
    ),
    Dated(
        "travel",
        ["User flies to {country} to see family on {d}.", "Flight to {country} for the family visit: {d}."],
        ["When do I fly to {country}?", "What day is my flight for the family visit?"],
    ),
    Dated(
        "leisure",
        ["User is booked on a pottery course starting {d}, eight Tuesday evenings.", "Pottery course begins {d}."],
        ["When does my pottery course start?", "What's the first night of the ceramics class?"],
    ),
    Dated(
        "work",
        ["User's mid-year review with {boss} is on {d}.", "Performance review booked for {d}."],
        ["When is my performance review?", "What date is my review with my manager?"],
        ["{c2}'s review is on {d}."],
    ),
    Dated(
        "travel",
        ["User booked annual leave for the week starting {d}.", "Leave booked: the week of {d}."],
        ["When is my next week off?", "What week did I book as holiday?"],
        ["{c3} is on leave from {d}."],
    ),
    Dated(
        "money",
        ["Meeting with the mortgage adviser on {d}.", "Mortgage appointment: {d}, bring three months of payslips."],
        ["When is my mortgage appointment?", "When am I seeing the mortgage adviser?"],
    ),
    Dated(
        "sport",
        ["User is running a trail half marathon in the Brecon Beacons on {d}.", "Race day: Brecon trail half, {d}."],
        ["When is the trail half marathon?", "What date is my race in the Brecons?"],
        ["{f4} is doing the Bath Half on {d}."],
    ),
    Dated(
        "leisure",
        [
            "Table booked at Wilks for {partner}'s birthday dinner on {d}.",
            "Dinner at Wilks, {d}, for {partner}'s birthday.",
        ],
        ["When is the dinner reservation for {partner}'s birthday?", "What date did I book the restaurant for?"],
        ["Booked brunch at Bakesmiths with {f2} on {d}."],
    ),
    Dated(
        "home",
        ["The new sofa is being delivered on {d}.", "Sofa delivery slot: {d}, 7am–1pm."],
        ["When is the sofa arriving?", "What day is the sofa delivery?"],
    ),
    Dated(
        "health",
        ["User's next physio session is on {d} at {t}.", "Physio for the knee: {d}, {t}."],
        ["When's my next physio appointment?", "When do I see the physio?"],
        ["{partner}'s physio is on {d}."],
        extra=lambda rng: {"t": clock(rng)},
    ),
    Dated(
        "social",
        ["Book club meets on {d} to discuss Tomorrow, and Tomorrow, and Tomorrow.", "Next book club: {d}."],
        ["When is the next book club?", "What date is book club this month?"],
        ["past:Last book club was on {d}."],
    ),
    Dated(
        "admin",
        ["User's council tax direct debit leaves on {d}.", "Council tax payment date: {d}."],
        ["When does the council tax come out?", "What day is council tax taken?"],
    ),
    Dated(
        "leisure",
        [
            "User has weekend tickets for a folk festival in Wales starting {d}.",
            "Folk festival in Wales: from {d}, camping.",
        ],
        ["When is the folk festival?", "When does the festival in Wales start?"],
        ["past:{f3} went to a festival in Devon on {d}."],
    ),
    Dated(
        "family",
        ["{brother} and family are visiting from {d} for a long weekend.", "{brother} is coming to stay on {d}."],
        ["When is my brother coming to visit?", "What date does {brother} arrive?"],
    ),
    Dated(
        "work",
        ["{offsite} is on {d}.", "Work away-day: {d}."],
        ["When's the away-day?", "What date is the work away-day?"],
    ),
    Dated(
        "health",
        ["User's dental hygienist appointment is on {d}.", "Hygienist booked: {d}."],
        ["When do I see the hygienist?", "When's my teeth cleaning?"],
    ),
    Dated(
        "home",
        ["The landlord's inspection is on {d}.", "Flat inspection by the letting agent: {d}."],
        ["When is the flat inspection?", "When is the landlord coming round?"],
    ),
]


@dataclass
class Change:
    """A fact that changed: ``old`` early in the year, ``new`` later; the question asks for the current state.

    With ``event``, ``{d1}`` and ``{d2}`` are an event's old and new dates (rescheduled).
    """

    topic: str
    old: list[str]
    new: list[str]
    asks: list[str]
    extra: Callable[[random.Random], Fills] | None = None
    event: bool = False


CHANGES = [
    Change(
        "home",
        ["User lives at {street1}, {area1}.", "User's address: {street1}, {area1}, {city}."],
        ["User has moved to {street2} in {area2}.", "New address from this month: {street2}, {area2}."],
        ["What's my current address?", "Where do I live now?"],
    ),
    Change(
        "work",
        ["User works as a {job} at {employer}.", "User's job: {job}, {employer}."],
        [
            "User has started a new job as {job2} at {employer2}.",
            "User left {employer} and joined {employer2} as {job2}.",
        ],
        ["Where do I work now?", "What's my job at the moment?"],
    ),
    Change(
        "admin",
        ["User's mobile number is {n1}.", "User's phone: {n1}."],
        ["User got a new SIM; their number is now {n2}.", "User's new mobile number is {n2}."],
        ["What's my phone number?", "Which number should I give people to reach me?"],
        lambda rng: {"n1": f"07700 900{rng.randint(100, 999)}", "n2": f"07700 900{rng.randint(100, 999)}"},
    ),
    Change(
        "car",
        ["User drives a grey 2016 Ford Focus.", "User's car is an old Ford Focus."],
        ["User sold the Focus and bought a second-hand Kia Niro EV.", "User now drives a blue Kia Niro, electric."],
        ["What car do I drive at the moment?", "What's my car now?"],
    ),
    Change(
        "food",
        ["User takes coffee black, double shot.", 'User: "Black coffee, two shots, no nonsense."'],
        ["User has cut out caffeine and now drinks decaf oat flat whites.", "User switched to decaf oat flat whites."],
        ["How do I take my coffee these days?", "What's my usual coffee order now?"],
    ),
    Change(
        "sport",
        ["User goes to the gym on Tuesdays and Thursdays at 7am.", "Gym: Tue/Thu, 7am."],
        ["User moved gym sessions to Monday and Wednesday evenings.", "Gym is now Monday and Wednesday after work."],
        ["When do I usually go to the gym now?", "Which days are my gym sessions?"],
    ),
    Change(
        "health",
        ["Dentist check-up booked for {d1} at 9:30.", "User's dental check-up: {d1}, 9:30am."],
        [
            "The dentist moved the user's check-up to {d2} at 14:15.",
            "Dental check-up rescheduled to {d2}, quarter past two.",
        ],
        ["When's my dentist appointment?", "What time is my dental check-up?"],
        event=True,
    ),
    Change(
        "travel",
        ["Flight to Lisbon on {d1} leaves at 06:40.", "Lisbon flight: {d1}, departs 06:40."],
        [
            "The airline changed the Lisbon flight: it now leaves at 11:25 on {d2}.",
            "Lisbon flight retimed to {d2}, 11:25.",
        ],
        ["What time is my flight to Lisbon?", "When does the Lisbon flight leave now?"],
        event=True,
    ),
    Change(
        "family",
        [
            "{sister}'s wedding reception will be at Quinta da Pacheca.",
            "Reception venue for {sister}'s wedding: Quinta da Pacheca.",
        ],
        [
            "{sister}'s reception moved to Casa do Rio after the first venue double-booked.",
            "New reception venue for {sister}: Casa do Rio.",
        ],
        ["Where's the reception for my sister's wedding?", "What's the wedding reception venue now?"],
    ),
    Change(
        "food",
        ["User is trying a keto diet.", "User started keto this month."],
        [
            "User gave up keto; eating normally again but no red meat.",
            "User dropped keto and now just avoids red meat.",
        ],
        ["What diet am I on at the moment?", "Am I still doing keto?"],
    ),
    Change(
        "home",
        ["Broadband is with Virgin Media, 350 Mb.", "User's internet provider: Virgin Media."],
        ["User switched broadband to Zen, 500 Mb fibre.", "User moved the internet to Zen and cancelled Virgin."],
        ["Who is my broadband provider?", "Which company do we get internet from?"],
    ),
    Change(
        "money",
        ["User's salary is paid into a Barclays current account.", "User banks with Barclays."],
        ["User moved their salary to Monzo.", "Salary now goes into the user's Monzo account."],
        ["Which bank does my salary go to now?", "Where does my pay go?"],
    ),
    Change(
        "social",
        ["Book club meets the first Tuesday of each month at {pub}.", "Book club: first Tuesdays, {pub}."],
        [
            "Book club has moved to the last Thursday of the month.",
            "Book club now meets on the last Thursday of each month.",
        ],
        ["When is book club these days?", "Which night does book club meet now?"],
    ),
    Change(
        "family",
        ["User calls {mum} every Sunday evening.", "Weekly call with mum: Sunday nights."],
        ["The weekly call with {mum} moved to Saturday mornings.", "User now calls mum on Saturday mornings."],
        ["When do I call mum each week?", "What's the usual time for my call with my mother?"],
    ),
    Change(
        "sport",
        ["User is training for a 10k in the spring.", "User signed up for a 10k."],
        [
            "User upgraded from the 10k to a half marathon.",
            "User is now training for a half marathon instead of the 10k.",
        ],
        ["What race am I training for?", "What distance am I training for now?"],
    ),
    Change(
        "travel",
        ["Summer holiday booked: two weeks in Crete.", "User and {partner} are going to Crete for the summer."],
        [
            "User cancelled Crete; they're going to Sicily instead, staying in Cefalù.",
            "Summer plans changed to Sicily (Cefalù).",
        ],
        ["Where are we going on holiday this summer?", "What's the summer holiday destination?"],
    ),
    Change(
        "money",
        ["User's rent is £1,250 a month.", "Rent: £1,250/month."],
        ["The landlord raised the rent to £1,340 a month.", "Rent went up to £1,340."],
        ["How much is my rent now?", "What do I pay in rent each month?"],
    ),
    Change(
        "health",
        ["User's GP is Dr Brandt at the local surgery.", "User is registered with Dr Brandt."],
        ["User registered with a new GP practice; their doctor is now Dr Okonjo.", "New GP: Dr Okonjo."],
        ["Who is my GP now?", "Which doctor am I registered with?"],
    ),
    Change(
        "life",
        ["User gets their hair cut at Ruby's on the high street.", "User's hairdresser is Ruby's."],
        ["User found a new barber: Tony at Clifton Cuts.", "User now goes to Tony at Clifton Cuts for haircuts."],
        ["Where do I get my hair cut now?", "Who's my barber?"],
    ),
    Change(
        "pets",
        ["{cat} eats Lily's Kitchen wet food.", "Cat food: Lily's Kitchen."],
        ["The vet put {cat} on a Hill's k/d kidney diet.", "{cat} is now on prescription renal food (Hill's k/d)."],
        ["What food is the cat on?", "What should I feed {cat}?"],
    ),
    Change(
        "work",
        ["User is working on {project1}.", "User's main project at work: {project1}."],
        ["User has moved on to {project2}.", "User's work focus is now {project2}."],
        ["What project am I on now?", "What am I mainly working on at the moment?"],
    ),
    Change(
        "family",
        ["{partner} works night shifts on the ward.", "{partner} is on nights at the moment."],
        ["{partner} moved to day shifts.", "{partner} is off nights — days only now."],
        ["Is {partner} still on nights?", "What shifts is {partner} working?"],
    ),
    Change(
        "tech",
        ["User has a Pixel 6.", "User's phone is a Google Pixel 6."],
        ["User switched to an iPhone 15.", "User now uses an iPhone 15."],
        ["What phone do I have?", "Is my phone Android or iPhone?"],
    ),
    Change(
        "work",
        ["User cycles to work.", "User's commute is by bike."],
        ["User takes the train to work now; the cycle path is shut for a year.", "User now commutes by train."],
        ["How do I get to work now?", "Do I still cycle to the office?"],
    ),
    Change(
        "leisure",
        ["User goes to a Monday salsa class.", "User started salsa classes on Mondays."],
        ["User gave up salsa and now does Lindy Hop on Wednesdays.", "User swapped salsa for Lindy Hop."],
        ["Which dance class do I go to now?", "What dancing am I doing these days?"],
    ),
    Change(
        "home",
        ["Energy supplier: Octopus.", "User's gas and electric are with Octopus."],
        ["User switched energy to E.ON Next.", "The energy account moved to E.ON Next."],
        ["Who is my energy supplier?", "Which company do I pay for gas and electricity?"],
    ),
    Change(
        "family",
        ["{f2}'s baby is due on {d1}.", "{f2} is due {d1}."],
        ["After the scan, {f2}'s due date moved to {d2}.", "{f2}'s new due date: {d2}."],
        ["When is {f2} due?", "When is {f2}'s baby expected?"],
        event=True,
    ),
    Change(
        "social",
        ["{brother}'s big birthday party is at The Old Duke.", "The party for {brother}'s birthday: The Old Duke."],
        [
            "{brother}'s birthday party moved to his back garden.",
            "{brother} is now hosting his party at home in the garden.",
        ],
        ["Where is my brother's party happening?", "What's the venue for {brother}'s party?"],
    ),
    Change(
        "work",
        ["{standup} is at 9:15.", "Daily: {standup} at 9:15am."],
        ["{standup} moved to 8:30.", "{standup} now starts at half eight."],
        ["What time is {standup_q} now?", "When is {standup_q} these days?"],
    ),
    Change(
        "car",
        ["Car insurance is with Admiral.", "User's car insurer: Admiral."],
        ["User switched the car insurance to LV.", "Car insurer is now LV."],
        ["Who insures my car?", "Which company is my car insurance with?"],
    ),
    Change(
        "health",
        ["User uses a Beconase nasal spray for hay fever.", "Hay fever spray: Beconase."],
        ["User switched to Avamys spray because Beconase stopped working.", "Hay fever: now the Avamys spray."],
        ["What hay fever spray do I use?", "Which nasal spray am I on for hay fever?"],
    ),
    Change(
        "admin",
        ["User's emergency contact is {brother}.", "Emergency contact: {brother}."],
        ["User changed their emergency contact to {partner}.", "Emergency contact is now {partner}."],
        ["Who is my emergency contact?", "Who should be called in an emergency?"],
    ),
    Change(
        "work",
        ["User {desk1}.", "At work, user {desk1}."],
        ["User {desk2}.", "Change at work: user {desk2}."],
        ["{desk_q}", "{desk_q}"],
    ),
    Change(
        "money",
        ["User earns £52,000.", "User's salary: £52k."],
        ["After the promotion, user earns £58,000.", "User's salary went up to £58k."],
        ["What's my salary now?", "How much do I earn?"],
    ),
    Change(
        "social",
        ["{f3} is dating Marek.", "{f3}'s boyfriend is Marek."],
        ["{f3} and Marek split up; she's now seeing Jules.", "{f3} is going out with Jules now."],
        ["Who is {f3} going out with now?", "Is {f3} still with Marek?"],
    ),
    Change(
        "sport",
        ["User runs in Brooks Ghost 14s.", "Running shoes: Brooks Ghost."],
        ["User switched to Hoka Clifton 9s after a knee twinge.", "User now runs in Hokas."],
        ["What running shoes do I use?", "Which trainers do I run in now?"],
    ),
    Change(
        "social",
        ["The pub quiz team is called Quizteama Aguilera.", "Quiz team name: Quizteama Aguilera."],
        ["The quiz team renamed itself Agatha Quiztie.", "New pub quiz team name: Agatha Quiztie."],
        ["What's our pub quiz team called?", "What name do we use at the quiz?"],
    ),
    Change(
        "family",
        ["{mum} and {dad} live in {hometown}.", "User's parents live in {hometown}."],
        ["User's parents have downsized to a bungalow in Marlborough.", "{mum} and {dad} moved to Marlborough."],
        ["Where do my parents live now?", "Which town are mum and dad in these days?"],
    ),
    Change(
        "family",
        ["{niece} goes to Greenfield Primary.", "{niece} is at Greenfield Primary School."],
        ["{niece} has started at St Mary's Juniors.", "{niece} moved schools to St Mary's."],
        ["Which school does {niece} go to now?", "Where is my niece at school?"],
    ),
    Change(
        "leisure",
        ["User is reading Middlemarch, very slowly.", "Current book: Middlemarch."],
        ["User gave up on Middlemarch and is reading Piranesi.", "Now reading: Piranesi."],
        ["What book am I reading at the moment?", "What am I reading?"],
    ),
    Change(
        "work",
        ["User's one-to-ones with {boss} are on Fridays.", "1:1 with {boss}: Fridays."],
        ["One-to-ones with {boss} moved to Tuesday afternoons.", "1:1s are now on Tuesdays."],
        ["When are my one-to-ones?", "What day do I meet my boss each week?"],
    ),
    Change(
        "home",
        ["User's cleaner comes on Wednesdays.", "The cleaner's day is Wednesday."],
        ["The cleaner now comes on Friday mornings.", "Cleaner moved to Fridays."],
        ["Which day does the cleaner come?", "When is the cleaner in?"],
    ),
    Change(
        "pets",
        ["{cat} is an indoor cat.", "{cat} stays indoors."],
        ["{cat} is allowed out now, with a microchip cat flap.", "{cat} goes outside these days."],
        ["Is {cat} an indoor cat?", "Does the cat go outside?"],
    ),
    Change(
        "health",
        ["User's physio exercises: three sets of squats daily.", "Physio plan: daily squats."],
        ["The physio swapped squats for step-ups and bridges.", "New physio plan: step-ups and glute bridges."],
        ["What exercises did the physio give me?", "What's my physio routine now?"],
    ),
    Change(
        "tech",
        ["User's password manager is LastPass.", "User uses LastPass."],
        ["User moved from LastPass to Bitwarden.", "Password manager is now Bitwarden."],
        ["Which password manager do I use?", "Where are my passwords stored?"],
    ),
]


@dataclass
class Aggregate:
    """A question whose answer is spread over several memories (``members``); ``decoys`` look alike but do not answer it."""

    topic: str
    asks: list[str]
    members: list[str]
    decoys: list[str]


AGGREGATES = [
    Aggregate(
        "travel",
        ["Which countries have I been to this year?", "Where have I travelled abroad this year?"],
        [
            "User got back from a long weekend in Copenhagen.",
            "User spent a week walking in the Picos de Europa in Spain.",
            "User was in Kraków, Poland for a friend's wedding.",
            "User went to Lisbon for work and stayed an extra day.",
        ],
        ["User wants to visit Japan one day.", "User is thinking about Iceland for next year."],
    ),
    Aggregate(
        "books",
        ["Which books have I finished this year?", "What have I read this year?"],
        [
            "User finished Klara and the Sun — loved it.",
            "User finished The Ministry for the Future.",
            "User just finished reading Braiding Sweetgrass.",
        ],
        ["User abandoned Infinite Jest halfway.", "User wants to read The Overstory next."],
    ),
    Aggregate(
        "gifts",
        ["Which Christmas presents have I already bought?", "What have I got for people for Christmas so far?"],
        [
            "Bought a scarf for {mum} for Christmas.",
            "Christmas present for {brother}: a bike lock, bought.",
            "Got {niece} a telescope for Christmas.",
        ],
        ["Still need a Christmas present for {dad}.", "Thinking about getting {partner} a watch for Christmas."],
    ),
    Aggregate(
        "health",
        ["What medication am I currently taking?", "Which tablets am I on at the moment?"],
        ["User takes levothyroxine every morning.", "User is on a vitamin D supplement through the winter."],
        ["User finished the course of amoxicillin.", "User stopped taking melatonin."],
    ),
    Aggregate(
        "money",
        ["Which subscriptions am I paying for?", "What do I have monthly subscriptions to?"],
        [
            "User pays £7 a month for a Guardian subscription.",
            "User has Strava premium.",
            "User gets a weekly veg box from Riverford.",
            "User pays for Spotify Family.",
        ],
        ["User cancelled their Headspace subscription.", "User is on the free trial of Audible."],
    ),
    Aggregate(
        "life",
        ["What have I borrowed that I need to give back?", "What do I owe people in terms of borrowed stuff?"],
        [
            "User borrowed {f2}'s camping stove.",
            "User has {f4}'s tent from the festival.",
            "User borrowed a ladder from {neighbour}.",
        ],
        ["User lent {f3} their Kindle.", "{f1} borrowed the user's car jack."],
    ),
    Aggregate(
        "food",
        ["Which restaurants have I enjoyed recently?", "Where have I had a good meal out?"],
        [
            "User loved dinner at Bokman — the lamb was incredible.",
            "User thought Cargo's tacos were excellent.",
            "User had a brilliant lunch at the Ethiopian place on the high street.",
        ],
        [
            "User found the new steakhouse overpriced and bland.",
            "User wants to try the Vietnamese place on Park Street.",
        ],
    ),
    Aggregate(
        "home",
        ["What's been fixed in the flat this year?", "What repairs have been done at home?"],
        [
            "The leaking shower was fixed by the plumber.",
            "An electrician replaced the faulty kitchen socket.",
            "The landlord had the broken window latch repaired.",
        ],
        ["The dripping tap in the bathroom still needs fixing.", "User wants someone to look at the squeaky door."],
    ),
    Aggregate(
        "leisure",
        ["Which gigs have I been to this year?", "What concerts have I seen this year?"],
        [
            "User saw Khruangbin live — amazing.",
            "User went to see Arooj Aftab at a small venue.",
            "User saw Fontaines D.C. with {best}.",
        ],
        ["User missed the Idles gig because of a cold.", "User wants tickets for Bon Iver next year."],
    ),
    Aggregate(
        "money",
        ["Who do I owe money to?", "Which friends do I need to pay back?"],
        [
            "User owes {f1} £40 for the festival tickets.",
            "User owes {f3} £25 for dinner.",
            "User owes {best} £60 for the train.",
        ],
        ["{f2} owes the user £30.", "{f4} paid the user back for the taxi."],
    ),
    Aggregate(
        "learning",
        ["What courses have I done this year?", "Which classes have I completed this year?"],
        [
            "User completed a first-aid course.",
            "User finished a six-week life drawing class.",
            "User did an online course on accessibility design.",
        ],
        ["User signed up for a welding course next year.", "User dropped out of the evening coding class."],
    ),
    Aggregate(
        "home",
        ["Which flats have I been to see?", "What properties have I viewed?"],
        [
            "User viewed a two-bed flat near the park: great light, small kitchen.",
            "User saw a terraced house with a garden; needs a new roof.",
            "User viewed a new-build flat by the station; soulless but warm.",
        ],
        [
            "User saved a listing for a cottage but hasn't viewed it.",
            "User's friend {f1} viewed a flat near the river.",
        ],
    ),
]


def ask_date(b: Builder, w: World, dated: Dated) -> None:
    rng = b.rng
    at = b.time(b.span - 100, b.span - 3) if dated.upcoming else b.time(b.span * 0.1, b.span * 0.6)
    event = b.now + timedelta(days=rng.randint(6, 110)) if dated.upcoming else at + timedelta(days=rng.randint(5, 40))
    fills = {**w.fills, **(dated.extra(rng) if dated.extra else {}), "d": datestr(rng, event)}
    memory = b.mem(fmt(rng.choice(dated.mems), fills), at=at, kind="event", topic=dated.topic, episodic=False)
    decoys = []
    for template in dated.decoys:  # "past:" decoys tell of something before they were noted
        when = b.time(0, b.span - 3)
        if template.startswith("past:"):
            template, other = template[5:], when - timedelta(days=rng.randint(3, 60))
        else:
            other = event + timedelta(days=rng.choice([-1, 1]) * rng.randint(10, 80))
        text = fmt(template, {**fills, "d": datestr(rng, other)})
        decoys.append(b.mem(text, at=when, kind="event", topic=dated.topic, episodic=False))
    b.ask(fmt(rng.choice(dated.asks), fills), [memory], "date", decoys)


def ask_change(b: Builder, w: World, change: Change) -> None:
    rng = b.rng
    fills = {**w.fills, **(change.extra(rng) if change.extra else {})}
    if change.event:
        old_at = b.time(b.span - 150, b.span - 60)
        new_at = b.time(b.day_of(old_at) + 5, b.span - 5)
        first = b.now + timedelta(days=rng.randint(8, 40))
        fills |= {"d1": datestr(rng, first), "d2": datestr(rng, first + timedelta(days=rng.randint(3, 21)))}
    else:
        old_at = b.time(0, b.span * 0.55)
        new_at = b.time(b.day_of(old_at) + 30, None)
    old = b.mem(fmt(rng.choice(change.old), fills), at=old_at, kind="fact", topic=change.topic)
    new = b.mem(fmt(rng.choice(change.new), fills), at=new_at, kind="fact", topic=change.topic)
    b.ask(fmt(rng.choice(change.asks), fills), [new], "changed", [old])


def ask_aggregate(b: Builder, w: World, aggregate: Aggregate) -> None:
    fills = w.fills
    members = [b.mem(fmt(t, fills), kind="record", topic=aggregate.topic) for t in aggregate.members]
    decoys = [b.mem(fmt(t, fills), kind="record", topic=aggregate.topic) for t in aggregate.decoys]
    b.ask(fmt(b.rng.choice(aggregate.asks), fills), members, "aggregate", decoys)
