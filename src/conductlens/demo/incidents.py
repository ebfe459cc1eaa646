"""Planted misconduct and hard negatives for the demo group.

The wording paraphrases the kinds of message described in published UK police misconduct
cases (see DOMAIN.md, "What turns up in these chats").  Every person, address, number,
registration and reference below is invented; phone numbers are Ofcom drama numbers.
The offensive words are here because detection has to be tested against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conductlens.demo.model import Severity

Response = Literal["laugh", "silence", "challenge", "challenge_leave", "laugh_leave"]


@dataclass(frozen=True, slots=True)
class IncidentSpec:
    """Template of one planted incident and the group's response."""

    category: str
    severity: Severity
    text: str
    description: str
    response: Response
    media: bool = False


def _i(
    category: str,
    severity: Severity,
    response: Response,
    text: str,
    description: str,
    media: bool = False,
) -> IncidentSpec:
    return IncidentSpec(category, severity, text, description, response, media)


# fmt: off
INCIDENTS: tuple[IncidentSpec, ...] = (
    _i("race", "high", "laugh",
       "Another car full of pakis doing 50 through town, stop the lot of them",
       "racial slur and call for racial profiling"),
    _i("race", "high", "laugh",
       "Tell you what, Northtown market is like Mogadishu now. Send them all back",
       "racist remark about residents"),
    _i("race", "high", "challenge",
       "What do you call a black lad in a suit? The defendant 😂",
       "racist 'joke'"),
    _i("race", "medium", "silence",
       "Her off the Eastern European car wash, typical pikey family that",
       "ethnic slur against Travellers"),
    _i("religion", "high", "laugh",
       "Mosque on Mill Street is letting out, muzzies everywhere, lock the doors",
       "anti-Muslim slur"),
    _i("religion", "medium", "challenge_leave",
       "Suspect was wearing a turban, told him to take his tea towel off 😂",
       "mocking a Sikh detainee's religious dress"),
    _i("sex", "medium", "laugh",
       "Women shouldn't be on response, they can't fight, just get in the way",
       "misogynist remark"),
    _i("sex", "high", "laugh",
       "New probationer has a lovely pair on her, she'll be in my car 😉",
       "sexualised comment about a colleague"),
    _i("sex", "medium", "challenge",
       "Get back in the kitchen love, leave the arrests to the men",
       "sexist remark to a female colleague"),
    _i("sex", "high", "laugh_leave",
       "Typical slag, 3 kids by 3 dads, no wonder he slaps her about",
       "misogynist slur about a domestic abuse victim"),
    _i("sexual_orientation", "high", "laugh",
       "That new PCSO's a right poof, watch your backs in the showers",
       "homophobic slur about a colleague"),
    _i("sexual_orientation", "medium", "silence",
       "Pride parade detail Saturday, who's drawn the short straw 🏳️‍🌈🤮",
       "homophobic mockery of a policing duty"),
    _i("sexual_orientation", "high", "challenge",
       "Don't send Sam to the gay bar job, he'll enjoy it too much 😂",
       "homophobic remark about a colleague"),
    _i("gender_reassignment", "high", "laugh",
       "Custody had a tranny in tonight, 'she' wanted a female search lol",
       "transphobic slur about a detainee"),
    _i("gender_reassignment", "medium", "challenge_leave",
       "It's a bloke in a dress, I'm not calling it she",
       "transphobic misgendering"),
    _i("disability", "high", "laugh",
       "Informant's a total retard, couldn't find his own arse",
       "ableist slur"),
    _i("disability", "medium", "silence",
       "Bloke at the front counter was a proper spacker, took 20 mins",
       "ableist slur about a member of the public"),
    _i("disability", "medium", "laugh",
       "Put the mental health job on Kempy, he's half mong himself 😂",
       "ableist slur used to bully a colleague"),
    _i("age", "low", "laugh",
       "Old biddy rang 999 again about her cat, should be put down, her not the cat",
       "ageist remark about an elderly caller"),
    _i("sexual_violence", "high", "challenge_leave",
       "She was asking for it dressed like that, not rape if you enjoy it 😂",
       "rape 'joke' about a complainant"),
    _i("sexual_violence", "high", "laugh",
       "Rape victim at the SARC again, third time this year, must like it",
       "mocking a rape victim"),
    _i("domestic_abuse", "high", "laugh",
       "If my missus nagged like that I'd give her a slap too 🤷",
       "domestic violence 'joke'"),
    _i("domestic_abuse", "medium", "silence",
       "DV job on Foxglove Close again. Just let him finish her off and save us a job",
       "wishing harm on a domestic abuse victim"),
    _i("violence", "high", "laugh",
       "Lad at the Red Lion gobbed off so I gave him a few digs in the van, BWV was off 😎",
       "boasting about assaulting a detainee with body-worn video off"),
    _i("violence", "high", "laugh",
       "Turn your cameras off lads, we're going to teach him some manners",
       "encouraging force off camera"),
    _i("violence", "medium", "challenge",
       "Tasered him twice for fun, he was already on the floor",
       "boasting about unnecessary force"),
    _i("violence", "high", "laugh_leave",
       "Kneeling on his neck till he went quiet, best part of my shift",
       "boasting about dangerous restraint"),
    _i("mocking_victims", "high", "laugh",
       "Jumper off the multi-storey, looks like strawberry jam 📸",
       "crime-scene photo of a deceased person shared with a joke", media=True),
    _i("mocking_victims", "high", "laugh",
       "RTC fatal on the bypass, head's over by the hedge 😂",
       "mocking the dead at a fatal collision", media=True),
    _i("mocking_victims", "medium", "silence",
       "Burglary victim crying about her telly, get a grip love",
       "mocking a crime victim"),
    _i("mocking_victims", "high", "challenge",
       "Sudden death on Weaver St, been there 3 weeks, the smell 🤢 pic below",
       "mocking a deceased person with a scene photo", media=True),
    _i("personal_data", "high", "laugh",
       "Victim's Kerry Mallin, 23 Foxglove Close NT4 2QP, 07700 900871. Fit as well",
       "victim's name, address and phone shared with a sexualised remark"),
    _i("personal_data", "medium", "silence",
       "Anyone know Dean Pollitt? DOB 14/07/1991, 9 Larch Avenue. He's my sister's new "
       "bloke",
       "checking a private individual's details for personal reasons"),
    _i("personal_data", "high", "laugh",
       "Custody pic of the lad from the Co-op 😂 look at the state of him",
       "custody photograph shared for ridicule", media=True),
    _i("personal_data", "medium", "challenge",
       "That witness from Tanners Lane, Mrs Okonedo, 07700 900934, proper nutter",
       "witness's name and number shared with a slur"),
    _i("police_information", "high", "silence",
       "PNC says Tyler Brannigan has warning markers for firearms and drugs, he's my "
       "neighbour's son lol",
       "PNC details disclosed for personal reasons"),
    _i("police_information", "medium", "silence",
       "Plate WX19 KLM is the dealer's car, intel says he's being done Tuesday",
       "vehicle registration and operational intelligence"),
    _i("police_information", "medium", "laugh",
       "CRI/26/012345 is the one with the headteacher, you'll love this",
       "crime reference shared with gossip about a suspect"),
    _i("police_information", "high", "silence",
       "OFFICIAL-SENSITIVE: Op Kestrel warrant list for Thursday, 6 addresses, don't tell "
       "anyone 😂",
       "protectively marked operational material posted in a personal chat", media=True),
    _i("police_information", "medium", "laugh",
       "CAD 2604-0318 is a celeb's son, drunk again, screenshot of the log",
       "CAD log shared for gossip", media=True),
    _i("collusion", "high", "silence",
       "Right, get our stories straight before the statements. He swung first, we all saw "
       "it, yeah?",
       "agreeing accounts before statements"),
    _i("collusion", "high", "challenge_leave",
       "Delete this chat before PSD gets the phones. I mean it",
       "instruction to destroy evidence"),
    _i("collusion", "medium", "silence",
       "Nobody mention the van stop on here again. Phone calls only",
       "moving misconduct off the record"),
    _i("drugs", "medium", "laugh",
       "Kept a bit of the weed from the stop, Friday's sorted 🌿",
       "retaining seized drugs for personal use"),
    _i("drugs", "high", "challenge",
       "Anyone want some charlie for the leaving do? Mate can sort it",
       "offering to supply cocaine"),
    _i("profanity", "low", "laugh",
       "Fucking hell this shift is shit, fuck the lot of them",
       "gratuitous profanity"),
    _i("profanity", "low", "silence",
       "Tell the cunt in custody he can wait, I'm on my break",
       "abusive profanity about a detainee"),
    _i("bullying", "medium", "laugh",
       "{target} is a useless fat waste of space, nobody wants her on their car",
       "bullying a colleague"),
    _i("bullying", "medium", "laugh_leave",
       "Let's all ignore {target} on nights, see how long before she cries 😂",
       "organised exclusion of a colleague"),
    _i("bullying", "low", "challenge",
       "{target} grassed on Gaz, she can forget any backup from now on",
       "threatening to withhold backup from a colleague who reported"),
)
# fmt: on

CHALLENGES: tuple[str, ...] = (
    "Mate that's not on, delete it",
    "Not funny. Take that down please",
    "Seriously? That's way over the line. I'm not having that on here",
    "Can we not. That could cost you your job, and it's vile",
    "Delete that now or I'm telling the sarge",
)
DEFENCES: tuple[str, ...] = (
    "It's just banter, calm down",
    "Snowflake 🙄",
    "Lighten up, it's a private group",
)
LAUGH_REPLIES: tuple[str, ...] = ("😂😂", "😂😂😂", "🤣", "Dead 😂", "lmao", "Classic 😂")
LAUGH_EMOJIS: tuple[str, ...] = ("😂", "🤣", "😂", "😆")
OTHER_EMOJIS: tuple[str, ...] = ("👍", "❤️", "🙏", "😮")

# (text, why benign)
# fmt: off
HARD_NEGATIVES: tuple[tuple[str, str], ...] = (
    ("Victim says suspect called him a paki and spat at him, hate crime report raised, "
     "he's been arrested",
     "quotes a racial slur from a victim's account while recording a hate crime"),
    ("Statement done: the suspect shouted 'you're a retard' at the bus driver. I've put "
     "it verbatim as required",
     "verbatim quotation of an ableist slur for evidence"),
    ("Hate crime training Tuesday covers homophobic and transphobic abuse, words like "
     "'poof' and 'tranny' will be discussed, it's in the slides",
     "training announcement naming slurs"),
    ("BWV was on throughout the arrest, footage uploaded and tagged",
     "body-worn video mentioned in a proper way"),
    ("Reminder: do NOT put victim names, addresses or phone numbers on here. Use Niche "
     "or secure email",
     "supervisor reminding the team of data protection"),
    ("Drugs warrant briefing 0600 Thursday, bring MOE kit",
     "legitimate operational logistics (no addresses or targets)"),
    ("Male arrested for possession with intent, cannabis and cocaine seized and booked "
     "into property",
     "lawful drugs seizure reported"),
    ("Please delete the old rota photo from Tuesday, wrong dates on it",
     "deletion of a rota image, not evidence"),
    ("Domestic abuse victims' champion is in on Friday if anyone wants advice on DASH",
     "welfare and training about domestic abuse"),
    ("Complainant reports being called a 'dyke' by a neighbour, recorded as a homophobic "
     "incident",
     "quotes a slur while recording a hate incident"),
    ("Rape investigation team have taken over the job from last night, well done on "
     "scene preservation",
     "legitimate mention of a sexual offence investigation"),
    ("Suspect was shouting that he'd 'kill the lot of us', now calm in cell 4",
     "quotation of a threat made by a detainee"),
    ("PSD have asked everyone to keep their phones, nothing to worry about, it's a "
     "routine audit",
     "mentions PSD and phones without collusion"),
    ("The Mosque on Mill Street has asked for extra patrols after the graffiti, please "
     "drop by on lates",
     "protective policing of a religious building"),
)
# fmt: on
