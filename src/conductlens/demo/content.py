"""Routine content of the demo group: the roster and everyday chatter.

Everything here is invented.  "Westshire Police" and "Northtown" do not exist; every phone
number is in Ofcom's drama range (07700 900000-900999); addresses use the unused ``NT``
postcode area.  Planted misconduct lives in :mod:`conductlens.demo.incidents`.
"""

from __future__ import annotations

import random

from conductlens.demo.model import Officer

GROUP_SUBJECTS: tuple[str, ...] = (
    "Team 3 Northtown",
    "Team 3 Northtown Response 🚓",
    "T3 Response - no work chat after 10pm",
)

# (id, name, rank, collar, saved-contact name or "" for unsaved)
_ROSTER: tuple[tuple[str, str, str, str, str], ...] = (
    ("o01", "Mark Dunmore", "Sgt", "S1142", "Sgt Mark Dunmore"),
    ("o02", "Priya Natt", "Sgt", "S1187", "Priya Sgt T3"),
    ("o03", "Jordan Reeve", "PC", "2741", ""),
    ("o04", "Dave Harrop", "PC", "2216", "Dave Harrop"),
    ("o05", "Kieran Walsh", "PC", "3054", "Kieran W"),
    ("o06", "Sophie Tranter", "PC", "3311", "Sophie Tranter Work"),
    ("o07", "Liam Corbett", "PC", "2987", "Corbs"),
    ("o08", "Aisha Rahman", "PC", "3402", "Aisha R"),
    ("o09", "Gareth Lowe", "PC", "1865", "Gaz Lowe"),
    ("o10", "Hannah Fisk", "PC", "3520", "Hannah Fisk"),
    ("o11", "Tom Okafor", "PC", "3133", "Tom O"),
    ("o12", "Becky Marsh", "PC", "3377", "Becky Marsh T3"),
    ("o13", "Craig Pendle", "PC", "2458", "Craig Pendle"),
    ("o14", "Ellie Vaughan", "PC", "3601", ""),
    ("o15", "Stuart Kemp", "PC", "2079", "Kempy"),
    ("o16", "Nadia Kowalski", "PC", "3488", "Nadia K"),
    ("o17", "Ryan Fairclough", "PC", "3216", "Ryan F"),
    ("o18", "Josh Abbott", "PCSO", "7712", "Josh PCSO"),
    ("o19", "Lauren Hesketh", "PC", "3555", "Lauren H"),
    ("o20", "Dan Whitlock", "PC", "2673", "Whitlock"),
    ("o21", "Chloe Barnes", "SC", "9051", ""),
    ("o22", "Martin Greaves", "PC", "1790", "Martin Greaves"),
    ("o23", "Sam Idowu", "PC", "3640", "Sam Idowu"),
    ("o24", "Jess Calloway", "PC", "3688", "Jess C"),
    ("o25", "Owen Pritchard", "PC", "3702", ""),
    ("o26", "Zara Malik", "PC", "3719", "Zara M"),
    ("o27", "Ben Seddon", "PC", "3733", "Ben Seddon"),
    ("o28", "Kelly Rourke", "PC", "3741", "Kelly R"),
)

OWNER_ID = "o07"
"""The exhibit phone belongs to PC Liam Corbett (his messages are ``from_me``)."""
CREATOR_ID = "o01"
FOUNDING_IDS: tuple[str, ...] = tuple(f"o{i:02d}" for i in range(1, 24))
NUMBER_CHANGER_ID = "o13"


def roster() -> tuple[Officer, ...]:
    """The fixed roster with fictional numbers, staff numbers and collar numbers."""
    officers: list[Officer] = []
    for index, (oid, name, rank, collar, saved) in enumerate(_ROSTER):
        phone = f"+4477009001{index + 10:02d}"
        officers.append(
            Officer(
                id=oid,
                name=name,
                rank=rank,
                collar=collar,
                staff_number=f"WP{40210 + index * 37}",
                phone=phone,
                contact_name=saved or None,
                push_name=name.split()[0] if index % 3 else name,
                new_phone="+447700900512" if oid == NUMBER_CHANGER_ID else None,
            )
        )
    return tuple(officers)


STREETS: tuple[str, ...] = (
    "Ashgrove Road",
    "Foxglove Close",
    "Tanners Lane",
    "Mill Street",
    "Kestrel Way",
    "Orchard Rise",
    "Brindle Court",
    "Canal Walk",
    "Station Parade",
    "Larch Avenue",
    "Pennine View",
    "Chapel Row",
    "Weaver Street",
    "Hollins Drive",
    "Market Square",
)
PLACES: tuple[str, ...] = (
    "the Co-op on Mill Street",
    "Northtown bus station",
    "the retail park",
    "the Red Lion",
    "Castle Hill park",
    "the leisure centre",
    "McDonald's drive-thru",
    "the canal towpath",
)
FOODS: tuple[str, ...] = ("Greggs", "the kebab van", "chippy", "Maccies", "the Polish deli")
DAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHIFTS: tuple[str, ...] = ("earlies", "lates", "nights", "rest day")

ROTA: tuple[str, ...] = (
    "Anyone fancy swapping my {day} {shift} for {day2} {shift2}? Kids' parents evening 🙏",
    "Rota for next week is up on the drive. {first} you're on {shift} {day}",
    "Who's got the van {day}? I need it for the court run",
    "Can someone cover 2 hours at the start of my {shift} {day}? Dentist",
    "Overtime going at the football {day}, 12-8. Reply if you want it",
    "Reminder: annual leave requests for August in by Friday please",
    "Swapped with {first}, sorted 👍",
    "Is anyone actually on {shift} tomorrow or am I on my own again",
    "Mandatory OST refresher {day} 0900, don't be late or it's rebooked for 3 months",
    "Briefing moved to 0645 {day}, inspector's coming in",
)
JOBS: tuple[str, ...] = (
    "Anyone free to back me up at {street}? Male being verbally aggressive to staff",
    "Concern for welfare on {street}, door's locked, neighbour hasn't seen her for 3 days",
    "RTC on the bypass by the retail park, two cars, no injuries, traffic are en route",
    "Shoplifter detained at {place}, on my way in with him",
    "Missing from home, 15yo, last seen {place} about 1930. Description on the log",
    "Burglary on {street}, scenes of crime booked for the morning",
    "Can someone bring a spare cage van to {place}? Three lads kicking off",
    "Domestic at {street} dealt with, DASH done, referral submitted",
    "Stolen bike recovered on the canal towpath, owner traced 👍",
    "Sudden death at {street}, non-suspicious, GP happy to sign. Waiting for undertakers",
    "Drunk male asleep in the bus shelter at {place}, ambulance not needed, took him home",
    "Alarm activation at {place}, all secure, probably a spider again",
    "Cat stuck up a tree on {street}. Yes really. Fire service have politely declined",
    "Prisoner handed over to custody, interviews in the morning",
)
WELFARE: tuple[str, ...] = (
    "Hope your dad's ok {first}, thinking of you ❤️",
    "Anyone need anything from {food}? Tea run in 10",
    "Proud of you lot today, that was a horrible job and you handled it brilliantly",
    "Reminder the TRiM team are there if anyone wants a chat after last night",
    "{first} congrats on passing your driving course!! 🎉",
    "Who's coming to Becky's leaving do? Red Lion, Friday, 8pm",
    "Get well soon {first}, sick note in?",
    "Baby's here! 7lb 2oz, both doing well 😍",
    "Thanks all for the card and flowers, meant a lot",
    "Please remember to book your flu jab, occ health have slots {day}",
    "Anyone want to join the charity run in June? Sponsor form in the parade room",
    "Rough night last night. Well done everyone, look after yourselves",
    "{first} is back from leave Monday, go easy on them",
    "Reminder that the wellbeing dog is in on {day} 🐶",
    "Thanks for covering {first}, owe you one",
)
BANTER: tuple[str, ...] = (
    "Who's parked the car across two bays in the yard again 🙄",
    "{first} has eaten my yoghurt from the fridge. This is a crime scene",
    "Football tonight? 5-a-side at the leisure centre, need 2 more",
    "Whoever left the van on 5 miles of fuel: I know where you live",
    "Coffee machine is broken. Morale at an all-time low",
    "Did anyone else see the inspector trying to reverse park 😂",
    "That storm last night though",
    "lol",
    "😂😂",
    "👍",
    "Same",
    "On my way",
    "Anyone seen my hat? Left it in one of the cars",
    "{first} you're a legend",
    "Quiz team name suggestions please, we lost again",
    "Weather for tonight's nights shift: wet. Very wet",
    "Who's got the key to the locker room? Locked out again",
    "Happy birthday {first}! 🎂 Cakes are on you",
    "Did anyone watch the match last night? Robbed",
    "Haha",
    "Ok",
    "Nice one {first}",
    "Fair",
    "What time's briefing tomorrow?",
    "Spare radio battery anyone?",
    "Van 2 has a flat tyre, logged with fleet",
    "Going to {food} if anyone wants anything",
)
PHOTO_CAPTIONS: tuple[str, ...] = (
    "Sunrise from Castle Hill on nights 🌅",
    "New cars have arrived!",
    "Cake in the parade room, help yourselves 🎂",
    "The cat from {street}. Safe and well",
    "",
    "Team photo from the charity walk",
    "This is what happens when you leave {first} in charge of the brew",
)
REPLIES: tuple[str, ...] = (
    "👍",
    "Cheers",
    "Will do",
    "Nice one",
    "Thanks Sarge",
    "Ha",
    "Yep",
    "No worries",
    "I can do it",
    "On it",
)

MULTILINE: tuple[str, ...] = (
    "Rota changes:\n12/04/2026 - {first} on earlies\n13/04/2026 - swap: lates\n"
    "Any issues - speak to me",
    "Notes from briefing:\n1. Cars: 2 down for service\n2. Priorities - ASB on {street}\n"
    "3. Court: 09:30 Thursday",
    "Kit check - please sign the book:\nTaser: 3 out\nBWV: 2 faulty - reported 22/03/2026\n"
    "Radios: all OK",
    "Reminder\n\n- Statements in by 1600\n- Overtime forms: Sgt Natt\n"
    "- Time: 14:00 - 15:00 training",
)


def fill_template(rng: random.Random, template: str, first: str) -> str:
    """Fill a chatter template's placeholders; ``first`` is a colleague's first name."""
    return template.format(
        day=rng.choice(DAYS),
        day2=rng.choice(DAYS),
        shift=rng.choice(SHIFTS),
        shift2=rng.choice(SHIFTS),
        first=first,
        street=rng.choice(STREETS),
        num=rng.randint(1, 140),
        place=rng.choice(PLACES),
        food=rng.choice(FOODS),
    )
