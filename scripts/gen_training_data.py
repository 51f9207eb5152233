"""Generate labelled synthetic cancellation cases for every scenario in ``rules/scenarios.yaml``.

Why: the small model and the embedding shortlister need examples of each
scenario, and the project may not train on the labelled dev cases (they are
for measuring only). Everything here is hand-written templates and slot
fillers of the project's own making: services, names, cities, phrasings in
English, romanised Hindi, Hinglish and a little Kannada-English, with call
noise (fillers, recognition errors, "hello? can you hear me?"), misleading
``reason_selected`` values, accounts that contradict each other (labelled
``unclear``) and hard negatives between confusable scenarios (e.g.
``pro_no_show`` vs ``cust_not_available``: the same "nobody came / nobody
opened" words, told by the other side).

Output is the eval format of the shared spec (``eval-format.md``): one case
per line with ``label.scenario``, and ``label.responsible``/``label.penalty``
derived from the project's rule table through :class:`referee.rules.RuleEngine`
and the same facts the decide stage builds.

It also writes the training files of the shortlister's further ensemble
members (``train-seed<N>.jsonl.gz``, one per ``GenOptions.member_seeds``): the
same recipe at other seeds.

Deterministic: the same ``--seed`` and options give byte-identical files.

    .venv/bin/python scripts/gen_training_data.py            # data/training/{train,val}.jsonl, members
    .venv/bin/python scripts/gen_training_data.py --per-scenario 20 --out /tmp/x
    .venv/bin/python scripts/gen_training_data.py --wording-half 0 --out /tmp/h0   # see GenOptions
"""

# Template sentences are data: they stay whole on one line each, however long.
# ruff: noqa: E501

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ROOT = Path(__file__).resolve().parent.parent


class GenOptions(BaseModel):
    """Knobs of the generator. Defaults make the committed data/training files."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = Field(default=20260521, description="Random seed; same seed, same files.")
    member_seeds: tuple[int, ...] = Field(
        default=(101, 102, 103),
        description="Seeds of the shortlister's further ensemble members: one more training "
        "file each, train-seed<N>.jsonl.gz, made like train.jsonl (see "
        "ShortlistOptions.member_paths). Compressed: the same templates repeat, and three "
        "more 4 MB files would weigh on every clone.",
    )
    per_scenario: int = Field(default=160, ge=1, description="Training cases per scenario.")
    val_per_scenario: int = Field(
        default=12, ge=0, description="Held-out cases per scenario (generated from another seed)."
    )
    scenarios_path: Path = Field(default=ROOT / "rules" / "scenarios.yaml")
    rules_path: Path = Field(default=ROOT / "rules" / "default.csv")
    out_dir: Path = Field(default=ROOT / "data" / "training")
    p_noise_turn: float = Field(
        default=0.25, ge=0, le=1, description="Chance a turn gets a recognition error or filler."
    )
    p_filler_turn: float = Field(
        default=0.3, ge=0, le=1, description="Chance of an off-topic turn (directions, line noise)."
    )
    p_misleading_reason: float = Field(
        default=0.3, ge=0, le=1, description="Chance reason_selected is wrong or vague."
    )
    p_opening: float = Field(
        default=0.75, ge=0, le=1, description="Chance the call starts with a greeting exchange."
    )
    p_context: float = Field(
        default=0.45, ge=0, le=1, description="Chance of neutral job talk before the point."
    )
    p_chat: float = Field(default=0.35, ge=0, le=1, description="Chance of in-app chat.")
    p_chat_only: float = Field(
        default=0.08, ge=0, le=1, description="Chance of chat with no call at all."
    )
    p_conflict_unclear: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of 'unclear' cases built from two contradicting accounts "
        "(the rest: calls that never say why).",
    )
    share_self_serving: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Of the wrong reasons, the share that blames the other party (picked "
        "to avoid the fee) rather than a random entry of the app's list.",
    )
    language_weights: dict[str, float] = Field(
        default={"en": 0.38, "hi-en": 0.34, "hi": 0.18, "kn-en": 0.10},
        description="Language mix; 'hi' and 'hi-en' are romanised.",
    )
    wording_half: Literal[0, 1] | None = Field(
        default=None,
        description="Use only every other phrasing of each turn and chat message (0: the "
        "first, third, ...; 1: the second, fourth, ...). Two sets made with 0 and 1 are "
        "worded apart, so a knob chosen on one after fitting on the other is chosen on "
        "wording the fit never saw. None uses every phrasing (the committed data).",
    )


# =====================================================================================
# Slot fillers
# =====================================================================================


@dataclass(frozen=True)
class Service:
    key: str
    en: str  # "AC service"
    hx: str  # "AC service" as said in Hindi/Hinglish
    kit: tuple[str, ...]  # things the professional brings
    job: tuple[str, ...]  # what the customer wants done
    bigger: tuple[str, ...]  # what inspection finds that is out of scope (en)
    bigger_hx: tuple[str, ...]
    wrong: tuple[str, ...]  # a service booked by mistake instead of this one
    worker_en: str
    worker_hx: str


SERVICES: tuple[Service, ...] = (
    Service(
        "salon_at_home",
        "salon at home",
        "salon wala service",
        ("wax heater", "facial kit", "threading thread", "disposable sheets", "waxing strips"),
        ("full arms waxing and facial", "eyebrow threading and cleanup", "pedicure and manicure"),
        ("bridal makeup for the whole family", "hair colouring for five people"),
        ("poori family ka bridal makeup", "paanch logon ka hair colour"),
        ("men's haircut", "massage", "bathroom cleaning"),
        "beautician",
        "beautician didi",
    ),
    Service(
        "mens_grooming",
        "men's haircut",
        "haircut",
        ("trimmer", "clipper", "scissors set", "cape and towels"),
        ("haircut and beard trim", "hair spa", "head massage and shave"),
        ("hair colour and keratin for three people",),
        ("teen logon ka keratin treatment",),
        ("women's salon", "facial", "cleaning"),
        "barber",
        "barber bhaiya",
    ),
    Service(
        "home_cleaning",
        "home cleaning",
        "ghar ki safai",
        ("vacuum machine", "cleaning chemicals", "scrubbing machine", "mop and buckets"),
        ("full home deep cleaning", "kitchen cleaning", "bathroom cleaning", "sofa cleaning"),
        ("post-construction debris removal", "cleaning a four-bedroom villa in three hours"),
        ("construction ka malba hatana", "chaar bedroom villa teen ghante mein"),
        ("sofa cleaning", "pest control", "car wash"),
        "cleaner",
        "safai wale bhaiya",
    ),
    Service(
        "ac_repair",
        "AC service",
        "AC service",
        ("gas cylinder", "jet pump", "pressure gauge", "cover sheet"),
        ("split AC servicing", "AC gas refill", "window AC not cooling"),
        ("compressor replacement", "a PCB board change", "copper piping replacement"),
        ("compressor change", "PCB board badalna", "poori copper piping badalni"),
        ("fridge repair", "washing machine repair", "RO service"),
        "AC technician",
        "AC wale bhaiya",
    ),
    Service(
        "plumbing",
        "plumbing",
        "plumber ka kaam",
        ("pipe wrench", "thread tape", "spare tap", "drill machine"),
        ("kitchen tap replacement", "leaking flush tank", "blocked drain"),
        ("a concealed pipe burst inside the wall", "replacing the whole bathroom line"),
        ("deewar ke andar concealed pipe phata hai", "poori bathroom line badalni"),
        ("electrician", "carpenter", "cleaning"),
        "plumber",
        "plumber bhaiya",
    ),
    Service(
        "electrician",
        "electrician visit",
        "electrician ka kaam",
        ("tester", "drill machine", "wire roll", "ladder"),
        ("fan installation", "switchboard repair", "light fitting"),
        ("rewiring the whole flat", "a new MCB panel", "an inverter installation"),
        ("poore flat ki wiring", "naya MCB panel", "inverter fitting"),
        ("plumbing", "AC service", "carpentry"),
        "electrician",
        "electrician bhaiya",
    ),
    Service(
        "appliance_repair",
        "washing machine repair",
        "washing machine repair",
        ("multimeter", "spare belt", "tool box"),
        ("washing machine not spinning", "fridge not cooling", "RO water purifier service"),
        ("a drum motor replacement", "a fridge compressor change", "a new control board"),
        ("drum motor badalna", "fridge ka compressor", "naya control board"),
        ("AC service", "microwave repair", "TV installation"),
        "technician",
        "technician bhaiya",
    ),
    Service(
        "pest_control",
        "pest control",
        "pest control",
        ("spray machine", "gel syringe", "chemical cans", "mask"),
        ("cockroach treatment", "bed bug treatment", "general pest control"),
        ("termite drilling treatment for the whole house",),
        ("poore ghar ka termite drilling treatment",),
        ("home cleaning", "sofa cleaning", "painting"),
        "pest control technician",
        "pest control wale",
    ),
    Service(
        "carpentry",
        "carpenter visit",
        "carpenter ka kaam",
        ("drill machine", "hinges and screws", "saw", "tool kit"),
        ("door lock repair", "wardrobe hinge fix", "curtain rod fitting"),
        ("making a new wardrobe", "a modular kitchen repair"),
        ("nayi almirah banana", "poora modular kitchen theek karna"),
        ("plumbing", "painting", "electrician"),
        "carpenter",
        "carpenter bhaiya",
    ),
    Service(
        "massage_at_home",
        "massage at home",
        "massage",
        ("massage table", "oils", "towels", "hot stones"),
        ("full body massage", "head and shoulder massage", "foot reflexology"),
        ("physiotherapy for a back injury",),
        ("back injury ki physiotherapy",),
        ("salon", "cleaning", "haircut"),
        "therapist",
        "therapist",
    ),
)

CITIES: dict[str, tuple[str, ...]] = {
    "Bengaluru": (
        "Whitefield",
        "HSR Layout",
        "Koramangala",
        "Indiranagar",
        "Jayanagar",
        "Electronic City",
        "Marathahalli",
        "Yelahanka",
        "Hebbal",
        "BTM Layout",
    ),
    "Mumbai": ("Andheri East", "Powai", "Bandra West", "Borivali", "Chembur", "Malad", "Goregaon"),
    "Thane": ("Ghodbunder Road", "Majiwada", "Kolshet"),
    "Delhi": ("Dwarka", "Rohini", "Lajpat Nagar", "Mayur Vihar", "Saket", "Janakpuri"),
    "Gurugram": ("Sector 56", "DLF Phase 3", "Sohna Road", "Golf Course Road"),
    "Noida": ("Sector 62", "Sector 137", "Sector 18", "Greater Noida West"),
    "Hyderabad": ("Gachibowli", "Kondapur", "Madhapur", "Kukatpally", "Banjara Hills"),
    "Pune": ("Baner", "Wakad", "Kharadi", "Hinjewadi", "Kothrud", "Viman Nagar"),
    "Chennai": ("Velachery", "Adyar", "OMR", "Anna Nagar", "T Nagar"),
    "Kolkata": ("Salt Lake", "New Town", "Behala", "Ballygunge"),
    "Ahmedabad": ("Satellite", "Bopal", "Prahlad Nagar"),
    "Jaipur": ("Malviya Nagar", "Vaishali Nagar", "Mansarovar"),
    "Lucknow": ("Gomti Nagar", "Indira Nagar", "Aliganj"),
    "Chandigarh": ("Sector 22", "Sector 35", "Mohali Phase 7"),
}

CUST_NAMES = (
    ("Priya", "f"),
    ("Ananya", "f"),
    ("Sneha", "f"),
    ("Kavya", "f"),
    ("Neha", "f"),
    ("Pooja", "f"),
    ("Divya", "f"),
    ("Meera", "f"),
    ("Farah", "f"),
    ("Lakshmi", "f"),
    ("Shalini", "f"),
    ("Ritu", "f"),
    ("Sunita", "f"),
    ("Aisha", "f"),
    ("Deepa", "f"),
    ("Rahul", "m"),
    ("Arjun", "m"),
    ("Vikram", "m"),
    ("Rohan", "m"),
    ("Karthik", "m"),
    ("Sameer", "m"),
    ("Aditya", "m"),
    ("Manish", "m"),
    ("Suresh", "m"),
    ("Imtiaz", "m"),
    ("Nikhil", "m"),
    ("Gaurav", "m"),
    ("Prakash", "m"),
    ("Joseph", "m"),
    ("Harpreet", "m"),
)
PRO_NAMES = (
    "Ramesh",
    "Suresh",
    "Imran",
    "Salman",
    "Manoj",
    "Deepak",
    "Ravi",
    "Anil",
    "Sunil",
    "Farhan",
    "Raju",
    "Mahesh",
    "Vinod",
    "Ajay",
    "Santosh",
    "Naveen",
    "Manjunath",
    "Shivu",
    "Rekha",
    "Sunita",
    "Pinky",
    "Seema",
    "Kavita",
    "Reshma",
    "Anjali",
    "Lata",
    "Geeta",
    "Nazia",
)
SOCIETIES = (
    "Prestige Shantiniketan",
    "Brigade Metropolis",
    "Lodha Palava",
    "DLF Park Place",
    "Mahagun Moderne",
    "Sobha Dream Acres",
    "Hiranandani Gardens",
    "My Home Bhooja",
    "Purva Fountain Square",
    "ATS Greens",
    "Godrej Woods",
    "Salarpuria Greenage",
)
RELATIVES_EN = ("mother", "father", "wife", "husband", "son", "daughter", "mother-in-law")
RELATIVES_HX = ("mummy", "papa", "wife", "husband", "beta", "beti", "saasu maa", "dadi")
TIMES_EN = ("10 am", "11 o'clock", "12 noon", "2 pm", "3:30", "4 pm", "5 pm", "9 in the morning")
TIMES_HX = (
    "das baje",
    "gyarah baje",
    "barah baje",
    "do baje",
    "saade teen baje",
    "chaar baje",
    "paanch baje",
    "subah nau baje",
)
NEW_TIMES_EN = (
    "7 pm",
    "late evening",
    "tomorrow morning",
    "Sunday",
    "after 8",
    "next week",
    "day after tomorrow",
    "around 9 tonight",
)
NEW_TIMES_HX = (
    "shaam saat baje",
    "raat aath baje ke baad",
    "kal subah",
    "Sunday ko",
    "parson",
    "agle hafte",
    "raat nau baje",
)
DELAYS_EN = ("45 minutes", "an hour", "one and a half hours", "two hours", "another hour")
DELAYS_HX = ("pauna ghanta", "ek ghanta", "dedh ghanta", "do ghante", "aur ek ghanta")
AMOUNTS = ("200", "300", "500", "700", "1000", "1500")
BRANDS = ("the app", "UrbanFix", "HomeHelp", "the company")

CUST_REASONS = (
    "Professional delayed",
    "Changed my mind",
    "Booked by mistake",
    "Professional asked me to cancel",
    "Found a better price",
    "Not available at the slot time",
    "Want a different professional",
    "Professional not reachable",
    "Service no longer needed",
    "Payment issue",
    "Other",
    "Emergency",
    "Wrong address",
    "Want to reschedule",
)
PRO_REASONS = (
    "Customer not reachable",
    "Customer not at home",
    "Location too far",
    "Personal emergency",
    "Vehicle issue",
    "Customer asked to reschedule",
    "Running late",
    "Job not as described",
    "Other",
    "Customer asked to cancel",
    "Entry not allowed",
    "Unsafe location",
    "Kit not available",
    "Weather",
    "App issue",
    "Not feeling well",
)

#: Reasons a canceller picks to avoid the fee, whatever happened.
SELF_SERVING: dict[str, tuple[str, ...]] = {
    "customer": (
        "Professional delayed",
        "Professional asked me to cancel",
        "Professional not reachable",
    ),
    "professional": (
        "Customer not reachable",
        "Customer not at home",
        "Customer asked to cancel",
        "Customer asked to reschedule",
    ),
}

# =====================================================================================
# Templates. A turn is (speaker, english variants, hindi/hinglish variants).
# Speaker: "P" professional, "C" customer, "U" a third voice (guard, relative).
# {slots} are filled per case; see Slots.
# =====================================================================================

Turn = tuple[str, Sequence[str], Sequence[str]]


@dataclass(frozen=True)
class Opt:
    """A turn (or run of turns) that appears with probability ``p``."""

    p: float
    turns: tuple[Turn, ...]


Beat = Turn | Opt
Script = tuple[Beat, ...]


def T(spk: str, en: Sequence[str], hx: Sequence[str]) -> Turn:
    return (spk, en, hx)


def O(p: float, *turns: Turn) -> Opt:  # noqa: E743
    return Opt(p, tuple(turns))


# --- openings: who calls whom --------------------------------------------------------
OPEN_PRO_CALLS: Script = (
    T(
        "P",
        (
            "Hello, am I speaking with {cust}?",
            "Hi {hon_c}, this is {pro} from {brand}.",
            "Good morning {hon_c}, {pro} here, your {worker} for the {time} booking.",
            "Hello {hon_c}, {pro} calling about your {service} booking.",
        ),
        (
            "Hello {hon_c}, main {pro} bol raha hoon, {service_hx} ke liye.",
            "Namaste {hon_c}, {pro} baat kar raha hoon, aapka {time_hx} ka booking hai.",
            "Haan hello, {cust} ji? Main {pro}, {brand} se.",
            "Hello {hon_c}, {worker_hx} bol raha hoon, {service_hx} ka booking tha na.",
        ),
    ),
    T(
        "C",
        ("Yes, tell me.", "Yes speaking.", "Hi, yes.", "Yeah, go ahead."),
        ("Haan ji boliye.", "Haan bolo.", "Ji boliye.", "Haan, kaun?"),
    ),
)
OPEN_CUST_CALLS: Script = (
    T(
        "C",
        (
            "Hello, is this {pro}? I have a {service} booking at {time}.",
            "Hi, I'm calling about my {service} booking today.",
            "Hello {hon_p}, {cust} here, you have my booking at {time}.",
        ),
        (
            "Hello {hon_p}, {cust} bol rahi hoon, {time_hx} ka booking hai aapka.",
            "Haan {hon_p}, main {service_hx} ke booking ke liye call kar raha hoon.",
            "Hello, {pro} ji? Aaj ka {service_hx} wala booking.",
        ),
    ),
    T(
        "P",
        ("Yes {hon_c}, tell me.", "Yes, {pro} here.", "Yes yes, I know, tell me."),
        ("Haan ji {hon_c}, boliye.", "Ji {hon_c}, bataiye.", "Haan haan, bolo."),
    ),
)

FILLERS: tuple[Turn, ...] = (
    T(
        "C",
        (
            "Hello? Hello? Can you hear me?",
            "Sorry, the network is bad here.",
            "One second, someone is at the door.",
            "Which floor did you say?",
        ),
        (
            "Hello? Hello? Awaaz aa rahi hai?",
            "Network nahi hai yahan, ek minute.",
            "Ek minute ruko, bachcha ro raha hai.",
            "Kaunsi floor bola aapne?",
        ),
    ),
    T(
        "P",
        (
            "Hello? Sorry, I'm on the road, traffic noise.",
            "Can you send the location pin?",
            "Is there parking near the building?",
            "Sorry, can you repeat?",
        ),
        (
            "Hello? Haan haan sun raha hoon.",
            "Location bhej dijiye WhatsApp pe.",
            "Gaadi kahan lagaun, parking hai?",
            "Sorry, phir se boliye, awaaz cut ho rahi hai.",
        ),
    ),
    T("C", ("Okay.", "Hmm.", "Yes yes.", "Right."), ("Accha.", "Hmm.", "Haan haan.", "Theek.")),
)

CLOSE: tuple[Script, ...] = (
    (
        T(
            "C",
            ("Okay, bye.", "Fine, thanks.", "Alright, bye."),
            ("Theek hai, bye.", "Chalo theek hai.", "Accha ok, rakhti hoon."),
        ),
    ),
    (
        T(
            "P",
            ("Sorry for the trouble, {hon_c}.", "Okay {hon_c}, sorry.", "Thank you, {hon_c}."),
            ("Sorry {hon_c}.", "Theek hai {hon_c}, sorry.", "Dhanyavaad {hon_c}."),
        ),
        T("C", ("Okay.", "It's fine.", "Hmm, okay."), ("Haan theek hai.", "Koi baat nahi.", "Ok.")),
    ),
    (),
)

# --- scenario scripts ------------------------------------------------------------------
# Each scenario: a tuple of alternative scripts (after the opening). Opening type is
# chosen per scenario in SCENARIO_META.

P_CANCELS_EN = (
    "I'll cancel the booking from my side.",
    "I'm cancelling it from my end, sorry.",
    "I will cancel it, you'll get the refund.",
)
P_CANCELS_HX = (
    "Main apni taraf se cancel kar deta hoon.",
    "Main cancel kar raha hoon booking.",
    "Mere side se cancel kar deta hoon, refund aa jayega.",
)
C_CANCELS_EN = (
    "Then I'll cancel it.",
    "Forget it, I'm cancelling.",
    "Okay, I'll cancel the booking.",
)
C_CANCELS_HX = (
    "Toh main cancel kar deti hoon.",
    "Rehne do, main cancel kar raha hoon.",
    "Chalo main booking cancel karti hoon.",
)

SCRIPTS: dict[str, tuple[Script, ...]] = {
    "pro_running_late": (
        (
            T(
                "P",
                (
                    "{hon_c}, my previous job in {other_area} is taking longer, I'll be {delay} late.",
                    "Sorry {hon_c}, the last customer's work overran, I can reach only by {new_time_short}.",
                    "I'm running late, still finishing a job in {other_area}, will need {delay} more.",
                    "I left late today, I'm stuck, I'll reach maybe {delay} after the slot.",
                ),
                (
                    "{hon_c}, pichla kaam {other_area} mein lamba chal gaya, {delay_hx} late ho jaunga.",
                    "Sorry {hon_c}, pehle wale customer ka kaam khatam nahi hua, {delay_hx} lagega.",
                    "Main thoda late hoon {hon_c}, abhi {other_area} mein hoon, {delay_hx} aur lagega.",
                    "Aaj nikalne mein late ho gaya, {delay_hx} baad pahunchunga.",
                ),
            ),
            T(
                "C",
                (
                    "{delay}? I booked {time} because I have to leave after that.",
                    "That's too late, I can't wait that long.",
                    "You should have told me earlier. I have guests coming.",
                ),
                (
                    "{delay_hx}? Maine {time_hx} isliye book kiya tha, baad mein mujhe nikalna hai.",
                    "Itna late nahi chalega, main wait nahi kar sakti.",
                    "Pehle batana chahiye tha na, mehmaan aane wale hain.",
                ),
            ),
            O(
                0.5,
                T(
                    "P",
                    (
                        "I can do it faster once I come.",
                        "Please wait, I'm coming as fast as I can.",
                    ),
                    ("Aake jaldi kar dunga {hon_c}.", "Bas thoda wait kar lo, aa raha hoon."),
                ),
            ),
            T(
                "C",
                (*C_CANCELS_EN, "No, leave it, I'll cancel."),
                (*C_CANCELS_HX, "Nahi rehne do, cancel kar rahi hoon."),
            ),
        ),
        (
            T(
                "C",
                (
                    "It's already {time}, where are you?",
                    "You were supposed to be here by now.",
                    "How long will you take? It's been half an hour past the slot.",
                ),
                (
                    "{time_hx} ho gaye, kahan ho aap?",
                    "Aapko ab tak aa jana chahiye tha.",
                    "Kitna time aur lagega? Aadha ghanta upar ho gaya.",
                ),
            ),
            T(
                "P",
                (
                    "I'm on the way, {delay} more, heavy traffic at {other_area} and I started late.",
                    "Just finishing the previous booking, I'll come in {delay}.",
                    "Sorry, got delayed at the last house, give me {delay}.",
                ),
                (
                    "Raaste mein hoon, {delay_hx} aur, {other_area} pe bahut traffic hai, late nikla tha.",
                    "Pichla booking khatam kar raha hoon, {delay_hx} mein aata hoon.",
                    "Sorry, pichle ghar pe late ho gaya, {delay_hx} do.",
                ),
            ),
            T(
                "C",
                (
                    "I can't wait {delay}, please don't come, I'm cancelling.",
                    "No, that doesn't work, I'll cancel it.",
                    "This is the second time you're late, I'm cancelling.",
                ),
                (
                    "{delay_hx} wait nahi kar sakti, mat aao, cancel kar rahi hoon.",
                    "Nahi, yeh nahi chalega, cancel kar deta hoon.",
                    "Doosri baar late ho aap, main cancel kar rahi hoon.",
                ),
            ),
        ),
    ),
    "pro_vehicle_breakdown": (
        (
            T(
                "P",
                (
                    "{hon_c}, my bike got a puncture on the flyover, there's no shop nearby.",
                    "Sorry {hon_c}, my scooter broke down, it won't start at all.",
                    "{hon_c}, I had a small accident with my bike, I'm okay but the bike is damaged.",
                    "My bike got stolen from outside the last customer's building.",
                    "The car's clutch plate has gone, I'm stuck on the highway.",
                ),
                (
                    "{hon_c}, bike puncture ho gayi flyover pe, aas paas koi dukaan nahi hai.",
                    "Sorry {hon_c}, meri scooty band pad gayi, start hi nahi ho rahi.",
                    "{hon_c}, bike ka chhota accident ho gaya, main theek hoon par gaadi toot gayi.",
                    "Meri bike chori ho gayi pichle customer ke building ke bahar se.",
                    "Gaadi ka clutch chala gaya {hon_c}, highway pe phasa hoon.",
                ),
            ),
            O(
                0.6,
                T(
                    "C",
                    (
                        "Oh no. Can you take an auto?",
                        "Can you come by cab then?",
                        "Are you okay? Can you still come?",
                    ),
                    (
                        "Arre. Auto le ke aa sakte ho?",
                        "Cab se aa jao na?",
                        "Aap theek ho? Aa paoge kya?",
                    ),
                ),
                T(
                    "P",
                    (
                        "With all the {kit} I can't come in an auto, {hon_c}.",
                        "No {hon_c}, the kit is heavy and I have to get the bike to a mechanic.",
                        "Not possible today, the mechanic will take hours.",
                    ),
                    (
                        "{kit} ke saath auto mein nahi aa sakta {hon_c}.",
                        "Nahi {hon_c}, saman bhaari hai aur gaadi mechanic ke paas le jaani hai.",
                        "Aaj nahi ho payega, mechanic ko time lagega.",
                    ),
                ),
            ),
            T(
                "P",
                (*P_CANCELS_EN, "You please rebook, I can't reach today."),
                (*P_CANCELS_HX, "Aaj pahunch nahi paunga, aap dobara book kar lo."),
            ),
        ),
    ),
    "pro_medical_emergency": (
        (
            T(
                "P",
                (
                    "{hon_c}, I'm sorry, I have high fever since last night, I can't come today.",
                    "{hon_c}, my {relative} has been admitted to hospital, I'm there right now.",
                    "I had chest pain in the morning, the doctor asked me to rest.",
                    "My child fell from the stairs, we are at the hospital.",
                    "I got food poisoning, I've been vomiting since morning.",
                ),
                (
                    "{hon_c}, kal raat se tez bukhaar hai, aaj nahi aa paunga.",
                    "{hon_c}, meri {relative_hx} ko hospital mein admit kiya hai, main wahin hoon.",
                    "Subah se seene mein dard hai, doctor ne aaram bola hai.",
                    "Mera beta seedhi se gir gaya, hum hospital mein hain.",
                    "Food poisoning ho gaya hai {hon_c}, subah se ulti ho rahi hai.",
                ),
            ),
            T(
                "C",
                (
                    "Oh, take care. No problem.",
                    "Okay, hope everything is fine.",
                    "Oh, that's serious, please go.",
                ),
                (
                    "Arre, dhyan rakhiye. Koi baat nahi.",
                    "Theek hai, sab theek ho jaye.",
                    "Achha, aap jaiye, pehle health.",
                ),
            ),
            T("P", P_CANCELS_EN, P_CANCELS_HX),
        ),
    ),
    "pro_out_of_kit": (
        (
            T(
                "P",
                (
                    "{hon_c}, I just saw that my {kit} is not in the bag, I forgot it at home.",
                    "Sorry {hon_c}, I've run out of {kit}, the last job used all of it.",
                    "My {kit} stopped working, I can't do the job without it.",
                    "The company didn't give me the {kit} refill this week.",
                ),
                (
                    "{hon_c}, abhi dekha mera {kit} bag mein nahi hai, ghar pe bhool gaya.",
                    "Sorry {hon_c}, {kit} khatam ho gaya, pichle kaam mein lag gaya sab.",
                    "Mera {kit} kharab ho gaya, uske bina kaam nahi hoga.",
                    "Company ne is hafte {kit} ka refill nahi diya.",
                ),
            ),
            O(
                0.6,
                T(
                    "C",
                    ("Can't you buy it on the way?", "Can you arrange it from somewhere?"),
                    ("Raaste mein le lo na?", "Kahin se arrange nahi ho sakta?"),
                ),
                T(
                    "P",
                    ("Not available nearby, {hon_c}.", "It will take the whole day to arrange."),
                    ("Yahan nahi milta {hon_c}.", "Arrange karne mein poora din lag jayega."),
                ),
            ),
            T("P", P_CANCELS_EN, P_CANCELS_HX),
        ),
    ),
    "pro_unwilling_to_travel": (
        (
            T(
                "P",
                (
                    "{hon_c}, your place in {area} is too far for me, almost {km} kilometres.",
                    "{hon_c}, {area} is not my side, I only work around {other_area}.",
                    "The road to your area is very bad, I won't be able to come there.",
                    "Sorry, going that far for one booking isn't worth the petrol.",
                    "Your location is outside the city, I don't go that side.",
                ),
                (
                    "{hon_c}, aapka {area} bahut door hai, lagbhag {km} kilometre.",
                    "{hon_c}, {area} meri side nahi hai, main sirf {other_area} ke aas paas karta hoon.",
                    "Aapke area ka rasta bahut kharab hai, wahan nahi aa paunga.",
                    "Itna door ek booking ke liye petrol ka bhi nahi nikalta.",
                    "Aapki location city ke bahar hai, main us taraf nahi jaata.",
                ),
            ),
            T(
                "C",
                (
                    "But you accepted the booking.",
                    "Then why did you accept it?",
                    "It's the address I gave, the app showed it.",
                ),
                (
                    "Par aapne booking accept kiya tha.",
                    "Toh accept kyun kiya?",
                    "Address toh wahi hai jo diya tha.",
                ),
            ),
            T(
                "P",
                (
                    "I accepted by mistake, I won't come.",
                    "Sorry, I can't come that far.",
                    *P_CANCELS_EN,
                ),
                (
                    "Galti se accept ho gaya, main nahi aaunga.",
                    "Sorry, itna door nahi aa sakta.",
                    *P_CANCELS_HX,
                ),
            ),
        ),
    ),
    "pro_personal_reason": (
        (
            T(
                "P",
                (
                    "{hon_c}, there's a family function today, I forgot about it when I took the slot.",
                    "I've double-booked myself at {time}, I'm at another job, so I can't come.",
                    "I'm taking the day off today, I'm not working.",
                    "I have to go to my village today, my cousin's wedding.",
                    "My kid's school has a parent meeting, I need to be there.",
                ),
                (
                    "{hon_c}, aaj ghar mein function hai, slot lete waqt bhool gaya.",
                    "{time_hx} pe mere do booking ho gaye, doosri jagah hoon, nahi aa paunga.",
                    "Aaj main chhutti pe hoon {hon_c}, kaam nahi kar raha.",
                    "Aaj gaon jaana hai, cousin ki shaadi hai.",
                    "Bachche ke school mein PTM hai, wahan jaana zaroori hai.",
                ),
            ),
            T(
                "C",
                (
                    "You should have told me yesterday.",
                    "Okay, but this is very last minute.",
                    "Fine, but I was waiting.",
                ),
                (
                    "Kal bata dete toh.",
                    "Theek hai par yeh last minute hai.",
                    "Accha, main wait kar rahi thi.",
                ),
            ),
            T(
                "P",
                (*P_CANCELS_EN, "I'm cancelling it now, please book someone else."),
                (*P_CANCELS_HX, "Main abhi cancel kar raha hoon, kisi aur ko book kar lo."),
            ),
        ),
    ),
    "pro_asked_customer_to_cancel": (
        (
            T(
                "P",
                (
                    "{hon_c}, can you please cancel the booking from your side?",
                    "{hon_c}, one request, please cancel it from the app, not me.",
                    "Please cancel it yourself, {hon_c}, if I cancel I get a penalty.",
                    "Could you do me a favour and cancel from your app?",
                ),
                (
                    "{hon_c}, aap please apni side se booking cancel kar do.",
                    "{hon_c}, ek request hai, app se aap cancel kar dijiye, main nahi.",
                    "Aap hi cancel kar do {hon_c}, main karunga toh penalty lagegi.",
                    "Ek favour kar do, app se cancel kar do na.",
                ),
            ),
            T(
                "C",
                ("Why should I cancel? What happened?", "Cancel? Why?", "Why can't you come?"),
                ("Main kyun cancel karun? Kya hua?", "Cancel? Kyun?", "Aap kyun nahi aa sakte?"),
            ),
            T(
                "P",
                (
                    "{excuse_en} My ID will get blocked if I cancel.",
                    "{excuse_en} You cancel, and book again tomorrow, I'll accept it.",
                    "{excuse_en} Just select any reason, changed my mind is fine.",
                ),
                (
                    "{excuse_hx} Main karunga toh ID block ho jayegi.",
                    "{excuse_hx} Aap cancel karo, kal phir book kar lena, main accept kar lunga.",
                    "{excuse_hx} Koi bhi reason daal do, plan change daal do.",
                ),
            ),
            T(
                "C",
                (
                    "Hmm, okay, I'll cancel it.",
                    "Fine, I'll do it from my side.",
                    "This is not right, but okay.",
                ),
                (
                    "Hmm, theek hai, kar deti hoon.",
                    "Accha, main apni side se kar deta hoon.",
                    "Yeh sahi nahi hai, par theek hai.",
                ),
            ),
        ),
    ),
    "pro_demanded_extra_payment": (
        (
            T(
                "P",
                (
                    "{hon_c}, the app price is too low, I'll need {amount} extra in cash.",
                    "Cancel this booking and I'll do it directly, pay me cash, cheaper for you.",
                    "There's a visiting charge of {amount} on top, cash only.",
                    "I'll come only if you give {amount} more, the company takes a big cut.",
                ),
                (
                    "{hon_c}, app ka rate bahut kam hai, {amount} extra cash dena padega.",
                    "Yeh booking cancel karo, main direct kar dunga, cash de dena, sasta padega.",
                    "{amount} visiting charge alag se lagega, cash mein.",
                    "{amount} upar doge toh hi aaunga, company bahut cut leti hai.",
                ),
            ),
            T(
                "C",
                (
                    "Why extra? I already paid in the app.",
                    "That's not allowed, I'll complain.",
                    "No, I'm not paying outside the app.",
                ),
                (
                    "Extra kyun? App mein pay kar diya hai.",
                    "Yeh allowed nahi hai, complaint karungi.",
                    "Nahi, app ke bahar paisa nahi dunga.",
                ),
            ),
            O(
                0.5,
                T(
                    "P",
                    ("Then I can't do it at this price.", "Everyone pays it, {hon_c}."),
                    ("Toh is rate mein nahi hoga.", "Sab dete hain {hon_c}."),
                ),
            ),
            T("C", C_CANCELS_EN, C_CANCELS_HX),
        ),
    ),
    "pro_no_show": (
        (
            T(
                "C",
                (
                    "It's {time}, nobody has come. I've called {pro} five times, no answer.",
                    "The professional hasn't shown up and his phone is switched off.",
                    "I waited for over an hour, no one came and no one picks up.",
                    "He's not answering calls or messages, the app still shows on the way.",
                ),
                (
                    "{time_hx} ho gaye, koi nahi aaya. Paanch baar call kiya, utha nahi rahe.",
                    "Bhaiya aaye hi nahi, phone bhi switch off hai.",
                    "Ek ghante se zyada wait kiya, koi nahi aaya, phone bhi nahi uthaya.",
                    "Na call utha rahe na message ka reply, app mein on the way dikha raha hai.",
                ),
            ),
            O(
                0.4,
                T(
                    "U",
                    (
                        "The number you are calling is switched off.",
                        "The person you are calling is not answering.",
                    ),
                    (
                        "Aap jis number se sampark karna chahte hain woh abhi band hai.",
                        "Aapke dwara dial kiya gaya number abhi uttar nahi de raha.",
                    ),
                ),
            ),
            T(
                "C",
                (
                    "I'm cancelling, I can't keep waiting.",
                    "I've wasted my whole morning. Cancelling.",
                ),
                (
                    "Main cancel kar rahi hoon, aur wait nahi karungi.",
                    "Poori subah barbaad. Cancel.",
                ),
            ),
        ),
    ),
    "cust_not_available": (
        (
            T(
                "P",
                (
                    "{hon_c}, I'm outside your door, I've rung the bell three times.",
                    "I've reached {area}, your flat is locked, nobody is opening.",
                    "I'm at your house, the neighbour says you went out.",
                    "{hon_c}, I'm standing at your gate for twenty minutes, I called you four times.",
                ),
                (
                    "{hon_c}, main aapke darwaze pe hoon, teen baar bell bajayi.",
                    "{area} pahunch gaya, aapka flat band hai, koi khol nahi raha.",
                    "Aapke ghar pe hoon, padosi bol rahe aap bahar gaye ho.",
                    "{hon_c}, bees minute se gate pe khada hoon, chaar baar call kiya.",
                ),
            ),
            T(
                "C",
                (
                    "Oh sorry, I'm not at home, I had to go out urgently.",
                    "I'm stuck at office, I won't be home today.",
                    "Sorry, I forgot, I'm out of town.",
                    "I'm at the market, I'll be back only in the evening.",
                ),
                (
                    "Oh sorry, main ghar pe nahi hoon, achanak bahar jaana pada.",
                    "Office mein phas gaya hoon, aaj ghar nahi aa paunga.",
                    "Sorry bhool gayi, main shehar se bahar hoon.",
                    "Market mein hoon, shaam ko hi wapas aaungi.",
                ),
            ),
            T(
                "P",
                (
                    "Then I'll have to cancel, I can't wait here.",
                    "I'll mark customer not available.",
                    *P_CANCELS_EN,
                ),
                (
                    "Toh cancel karna padega, main yahan ruk nahi sakta.",
                    "Main customer not available daal deta hoon.",
                    *P_CANCELS_HX,
                ),
            ),
        ),
        (
            T(
                "C",
                (
                    "{hon_p}, I won't be at home at {time} today, something came up.",
                    "Nobody will be home today, we're travelling.",
                    "I have to go to office today, no one is there to open the door.",
                ),
                (
                    "{hon_p}, aaj {time_hx} main ghar pe nahi rahungi, kuch kaam aa gaya.",
                    "Aaj ghar pe koi nahi hoga, hum bahar ja rahe hain.",
                    "Aaj office jaana hai, darwaza kholne wala koi nahi hai.",
                ),
            ),
            T(
                "P",
                (
                    "Okay {hon_c}, then please cancel.",
                    "Then the booking will be cancelled.",
                    "Fine, it'll be cancelled.",
                ),
                (
                    "Theek hai {hon_c}, toh cancel kar do.",
                    "Toh booking cancel ho jayegi.",
                    "Accha, cancel ho jayega.",
                ),
            ),
        ),
    ),
    "cust_wrong_address": (
        (
            T(
                "P",
                (
                    "{hon_c}, I'm at the address in the app, {area}, but they say you don't live here.",
                    "The location pin is showing {area}, is that right?",
                    "I'm at the flat number you gave, some other family lives here.",
                ),
                (
                    "{hon_c}, app wale address pe hoon, {area}, yahan bol rahe aap nahi rehte.",
                    "Location pin {area} dikha raha hai, sahi hai kya?",
                    "Jo flat number diya wahan koi aur family rehti hai.",
                ),
            ),
            T(
                "C",
                (
                    "Oh no, that's my old address, I moved to {other_area} last month.",
                    "Sorry, I booked with my old address by mistake.",
                    "Oh, the app picked my office address, I'm at home in {other_area}.",
                ),
                (
                    "Arre, woh purana address hai, main pichle mahine {other_area} shift ho gayi.",
                    "Sorry, galti se purane address pe book kar diya.",
                    "Oh, app ne office ka address le liya, main {other_area} ghar pe hoon.",
                ),
            ),
            T(
                "P",
                (
                    "{other_area} is {km} km from here, I can't come there now.",
                    "The address can't be changed now, you'll have to book again.",
                ),
                (
                    "{other_area} yahan se {km} kilometre hai, abhi nahi aa sakta.",
                    "Address ab change nahi hoga, dobara book karna padega.",
                ),
            ),
            T("C", C_CANCELS_EN, C_CANCELS_HX),
        ),
    ),
    "cust_reschedule_request": (
        (
            T(
                "C",
                (
                    "{hon_p}, can you come at {new_time} instead? I'm busy at {time}.",
                    "Something came up, can we shift it to {new_time}?",
                    "Is it possible to come {new_time}? The slot doesn't work for me now.",
                ),
                (
                    "{hon_p}, {new_time_hx} aa sakte ho? {time_hx} main busy hoon.",
                    "Kuch kaam aa gaya, {new_time_hx} kar sakte hain kya?",
                    "{new_time_hx} aa jaoge? Abhi wala slot nahi chalega.",
                ),
            ),
            T(
                "P",
                (
                    "{new_time} I have other bookings, {hon_c}, I can't.",
                    "Sorry, I don't work at that time.",
                    "I can't shift it in the app, I'm full {new_time}.",
                ),
                (
                    "{new_time_hx} mere doosre booking hain {hon_c}, nahi ho payega.",
                    "Sorry, us time main kaam nahi karta.",
                    "App mein shift nahi hota, {new_time_hx} full hoon.",
                ),
            ),
            T(
                "C",
                (
                    "Then cancel it, I'll book again later.",
                    "Okay, then cancel, I'll rebook for {new_time}.",
                    *C_CANCELS_EN,
                ),
                (
                    "Toh cancel kar do, baad mein book karungi.",
                    "Theek hai cancel karo, {new_time_hx} ke liye phir book karunga.",
                    *C_CANCELS_HX,
                ),
            ),
        ),
    ),
    "cust_changed_mind": (
        (
            T(
                "C",
                (
                    "{hon_p}, I don't need the service anymore, it's sorted.",
                    "My husband fixed it himself yesterday, so no need.",
                    "I found someone locally who's cheaper, so I'm cancelling.",
                    "It's too expensive, I'll get it done later.",
                    "We decided not to do it this month.",
                ),
                (
                    "{hon_p}, ab zaroorat nahi hai, ho gaya kaam.",
                    "Mere husband ne kal khud theek kar diya, toh zaroorat nahi.",
                    "Local mein sasta mil gaya, isliye cancel kar rahi hoon.",
                    "Bahut mehenga hai, baad mein karwa lungi.",
                    "Is mahine nahi karwana, plan change ho gaya.",
                ),
            ),
            T(
                "P",
                (
                    "Okay {hon_c}, no problem.",
                    "Oh, I was already on the way.",
                    "Alright, please cancel from the app.",
                ),
                (
                    "Theek hai {hon_c}, koi baat nahi.",
                    "Arre, main toh nikal chuka tha.",
                    "Accha, app se cancel kar dijiye.",
                ),
            ),
            T("C", C_CANCELS_EN, C_CANCELS_HX),
        ),
    ),
    "cust_medical_emergency": (
        (
            T(
                "C",
                (
                    "{hon_p}, please don't come, my {relative} collapsed, we're taking him to hospital.",
                    "I'm in the emergency ward, I got admitted last night.",
                    "My {relative} had a heart attack, we are rushing to the hospital.",
                    "My baby has very high fever and fits, we're going to the doctor now.",
                ),
                (
                    "{hon_p}, mat aaiye, {relative_hx} gir gaye, hospital le ja rahe hain.",
                    "Main emergency mein hoon, kal raat admit hui.",
                    "{relative_hx} ko heart attack aaya hai, hospital bhaag rahe hain.",
                    "Bachche ko bahut tez bukhaar hai, doctor ke paas ja rahe hain.",
                ),
            ),
            T(
                "P",
                (
                    "Oh, please take care, {hon_c}. Don't worry.",
                    "No problem, hope they're fine.",
                    "Okay, go, we'll do it another day.",
                ),
                (
                    "Arre, dhyan rakhiye {hon_c}. Tension mat lo.",
                    "Koi baat nahi, sab theek ho.",
                    "Theek hai, jaiye, baad mein kar lenge.",
                ),
            ),
            T("C", C_CANCELS_EN, C_CANCELS_HX),
        ),
    ),
    "cust_booked_by_mistake": (
        (
            T(
                "C",
                (
                    "{hon_p}, sorry, I booked this by mistake, I wanted {wrong}.",
                    "I made two bookings by mistake, this one is a duplicate.",
                    "My son was playing with the phone and booked this.",
                    "I selected the wrong date while booking, I meant next month.",
                ),
                (
                    "{hon_p}, sorry, galti se yeh book ho gaya, mujhe {wrong} chahiye tha.",
                    "Galti se do booking ho gaye, yeh wala duplicate hai.",
                    "Beta phone se khel raha tha, usne book kar diya.",
                    "Book karte waqt galat date select ho gayi, agle mahine ka tha.",
                ),
            ),
            T(
                "P",
                (
                    "Okay, no problem, please cancel it.",
                    "Oh okay, cancel it then.",
                    "I'll come for the other one then.",
                ),
                (
                    "Accha, koi baat nahi, cancel kar dijiye.",
                    "Theek hai, cancel kar do.",
                    "Toh doosre wale ke liye aa jaunga.",
                ),
            ),
            T("C", C_CANCELS_EN, C_CANCELS_HX),
        ),
    ),
    "cust_entry_denied": (
        (
            T(
                "P",
                (
                    "{hon_c}, I'm at the {society} gate, the guard is not letting me in.",
                    "Security is saying there's no entry approval from your flat.",
                    "The guard says service people can't enter without the resident's gate pass.",
                    "I'm at your office reception, they're not allowing outsiders.",
                ),
                (
                    "{hon_c}, {society} ke gate pe hoon, guard andar nahi aane de raha.",
                    "Security bol raha hai aapke flat se approval nahi aaya.",
                    "Guard bol raha hai resident ke gate pass bina service wale andar nahi jaa sakte.",
                    "Aapke office reception pe hoon, bahar walon ko allow nahi kar rahe.",
                ),
            ),
            O(
                0.5,
                T(
                    "U",
                    (
                        "Sir, without approval on MyGate I can't send him in.",
                        "Madam has not given approval, society rule.",
                    ),
                    (
                        "Sir, MyGate pe approval ke bina andar nahi bhejunga.",
                        "Madam ne approval nahi diya, society ka rule hai.",
                    ),
                ),
            ),
            T(
                "C",
                (
                    "I can't approve right now, I'm in a meeting.",
                    "Oh, I didn't register you. The app for approval isn't working for me.",
                    "I can't come down to the gate now.",
                ),
                (
                    "Abhi approve nahi kar sakti, meeting mein hoon.",
                    "Oh, maine register nahi kiya. Approval wala app chal nahi raha.",
                    "Main abhi neeche gate pe nahi aa sakti.",
                ),
            ),
            T(
                "P",
                (
                    "Then I can't go in, I'm waiting here for thirty minutes.",
                    "Without entry I can't do the job.",
                    *P_CANCELS_EN,
                ),
                (
                    "Toh main andar nahi ja sakta, aadhe ghante se khada hoon.",
                    "Entry ke bina kaam nahi ho sakta.",
                    *P_CANCELS_HX,
                ),
            ),
        ),
    ),
    "cust_unsafe_environment": (
        (
            T(
                "P",
                (
                    "{hon_c}, there's a big dog loose in the house, I'm not comfortable coming in.",
                    "The customer was shouting and abusing me at the door, I'm not going inside.",
                    "There are open live wires and water on the floor, it's not safe to work.",
                    "The person who opened the door is drunk and misbehaving.",
                    "He was making inappropriate comments, I left the house.",
                ),
                (
                    "{hon_c}, ghar mein bada kutta khula hai, main andar nahi aa sakta.",
                    "Customer darwaze pe gaali de raha tha, chilla raha tha, main andar nahi jaunga.",
                    "Khule wire hain aur farsh pe paani hai, kaam karna safe nahi hai.",
                    "Jisne darwaza khola woh nashe mein hai, badtameezi kar raha hai.",
                    "Woh galat baatein kar rahe the, main ghar se nikal gayi.",
                ),
            ),
            T(
                "C",
                (
                    "What nonsense, just come and do the work.",
                    "The dog doesn't bite.",
                    "You're overreacting.",
                ),
                (
                    "Kya bakwaas hai, aake kaam karo.",
                    "Kutta kaatta nahi hai.",
                    "Aap zyada bol rahe ho.",
                ),
            ),
            T(
                "P",
                ("Sorry, it's not safe for me.", "I won't proceed.", *P_CANCELS_EN),
                ("Sorry, mere liye safe nahi hai.", "Main kaam nahi karunga.", *P_CANCELS_HX),
            ),
        ),
    ),
    "cust_wants_different_professional": (
        (
            T(
                "C",
                (
                    "I asked for a female beautician, I'm not comfortable with a man.",
                    "Last time you damaged my tiles, I don't want you again.",
                    "Your rating is very low, I want someone else.",
                    "I need someone who speaks Kannada, my mother is alone at home.",
                    "Please send {pro_other}, the one who came last time.",
                ),
                (
                    "Maine lady beautician maanga tha, gents se comfortable nahi hoon.",
                    "Pichli baar aapne tiles tod diye the, aap dobara nahi chahiye.",
                    "Aapki rating bahut kam hai, koi aur chahiye.",
                    "Kannada bolne wala chahiye, mummy akeli hain ghar pe.",
                    "{pro_other} ko bhejo, jo pichli baar aaye the.",
                ),
            ),
            T(
                "P",
                (
                    "I can't change the professional, {hon_c}, the app assigns.",
                    "I'm the one assigned, {hon_c}.",
                    "Okay, then cancel and book again.",
                ),
                (
                    "Main professional change nahi kar sakta {hon_c}, app assign karta hai.",
                    "Mujhe hi assign hua hai {hon_c}.",
                    "Theek hai, cancel karke dobara book karo.",
                ),
            ),
            T(
                "C",
                ("I'll cancel and rebook.", "Then I'm cancelling, I want someone else."),
                (
                    "Main cancel karke phir book karungi.",
                    "Toh cancel kar rahi hoon, koi aur chahiye.",
                ),
            ),
        ),
    ),
    "service_out_of_scope": (
        (
            T(
                "P",
                (
                    "{hon_c}, I checked, it's not a simple {job}, it needs {bigger}.",
                    "This needs {bigger}, that's not part of this booking.",
                    "What's booked is {job}, but the real problem is {bigger}.",
                ),
                (
                    "{hon_c}, check kiya, yeh normal kaam nahi hai, {bigger_hx} karna padega.",
                    "Isme {bigger_hx} lagega, yeh is booking mein nahi aata.",
                    "Booking {job} ki hai, par asli problem {bigger_hx} hai.",
                ),
            ),
            T(
                "C",
                ("Can't you do it now?", "So what do I do?", "How much will that cost?"),
                ("Abhi nahi kar sakte?", "Toh ab kya karun?", "Uska kitna lagega?"),
            ),
            T(
                "P",
                (
                    "It needs parts and a different booking, I can't do it today.",
                    "You'll have to book the bigger job separately.",
                    *P_CANCELS_EN,
                ),
                (
                    "Parts lagenge aur alag booking chahiye, aaj nahi ho payega.",
                    "Bade kaam ki alag booking karni padegi.",
                    *P_CANCELS_HX,
                ),
            ),
        ),
    ),
    "platform_issue": (
        (
            T(
                "C",
                (
                    "The app took the money twice and the booking shows failed.",
                    "The app showed me {time} but you're saying the slot is tomorrow.",
                    "My payment failed three times, the booking is stuck on pending.",
                    "The app assigned a {worker_other} for my {service}, that's wrong.",
                    "The app glitched and booked the wrong date, I never chose that.",
                ),
                (
                    "App ne do baar paise kaat liye aur booking failed dikha raha hai.",
                    "App mein {time_hx} dikha raha tha, aap bol rahe ho kal ka slot hai.",
                    "Payment teen baar fail ho gaya, booking pending pe atki hai.",
                    "App ne mere {service_hx} ke liye {worker_other} bhej diya, galat hai.",
                    "App mein gadbad hui, galat date book ho gayi, maine nahi chuni.",
                ),
            ),
            T(
                "P",
                (
                    "Yes {hon_c}, the app is showing something else to me too.",
                    "This is a system problem, I can't do anything.",
                    "My app shows a different area, it's the system's mistake.",
                ),
                (
                    "Haan {hon_c}, mere app mein bhi kuch aur dikha raha hai.",
                    "Yeh system ki problem hai, main kuch nahi kar sakta.",
                    "Mere app mein alag area dikha raha hai, system ki galti hai.",
                ),
            ),
            T(
                "C",
                (
                    "Then cancel it, I'll call customer care.",
                    "Let's cancel and fix it with support.",
                    *C_CANCELS_EN,
                ),
                (
                    "Toh cancel karo, main customer care ko call karti hoon.",
                    "Cancel karke support se theek karwate hain.",
                    *C_CANCELS_HX,
                ),
            ),
        ),
    ),
    "external_disruption": (
        (
            T(
                "P",
                (
                    "{hon_c}, it's raining very heavily, the roads near {other_area} are flooded.",
                    "There's a bandh today, everything is closed, police aren't letting bikes through.",
                    "The road is blocked because of a protest rally, no way to reach {area}.",
                    "Curfew has been announced in our area, I can't step out.",
                    "A tree fell and the main road is closed, traffic is not moving at all.",
                ),
                (
                    "{hon_c}, bahut tez baarish ho rahi hai, {other_area} ke paas sab paani bhar gaya.",
                    "Aaj bandh hai, sab band hai, police bike nahi jaane de rahi.",
                    "Raste mein rally ki wajah se road block hai, {area} nahi pahunch sakta.",
                    "Hamare area mein curfew laga hai, bahar nahi nikal sakta.",
                    "Ped gir gaya hai, main road band hai, traffic hil hi nahi raha.",
                ),
            ),
            T(
                "C",
                ("Yes, it's bad here too.", "I saw the news, okay.", "Stay safe, don't come."),
                (
                    "Haan, yahan bhi bura haal hai.",
                    "News mein dekha, theek hai.",
                    "Safe raho, mat aao.",
                ),
            ),
            T(
                "P",
                (*P_CANCELS_EN, "Let's do it when the situation is normal."),
                (*P_CANCELS_HX, "Mahaul theek hone pe karte hain."),
            ),
        ),
    ),
    "unclear": (
        (
            T(
                "P",
                ("Hello {hon_c}, about your booking.", "Hello? {hon_c}?"),
                ("Hello {hon_c}, booking ke baare mein.", "Hello? {hon_c}?"),
            ),
            T(
                "C",
                ("Yes, just cancel it.", "Hello? I can't hear... cancel it.", "Okay, whatever."),
                (
                    "Haan, cancel kar do bas.",
                    "Hello? Kuch sunai nahi... cancel kar do.",
                    "Theek hai, jo bhi.",
                ),
            ),
            T(
                "P",
                ("Okay.", "Hello? Hello?", "Alright."),
                ("Theek hai.", "Hello? Hello?", "Accha."),
            ),
        ),
        (
            T(
                "C",
                ("Where is the building? I sent the pin.", "Are you coming?"),
                ("Building kahan hai? Pin bheja tha.", "Aap aa rahe ho?"),
            ),
            T(
                "P",
                ("Yes, I'll see. We'll talk.", "Let me check and call back."),
                ("Haan dekhta hoon. Baat karte hain.", "Check karke call karta hoon."),
            ),
            T("C", ("Okay.", "Fine."), ("Accha.", "Theek.")),
        ),
    ),
}

# Second and third ways each scenario is told: other opener, other wording, the reason
# reported by the other party, calls on arrival. Kept apart from SCRIPTS for reading.
MORE_SCRIPTS: dict[str, tuple[Script, ...]] = {
    "pro_running_late": (
        (
            T(
                "P",
                (
                    "{hon_c}, I'm running about {delay} behind, can I come at {new_time_short} instead?",
                    "Sorry {hon_c}, today everything is delayed, my earlier customer kept adding work. "
                    "I'll be there by {new_time_short}.",
                    "{hon_c}, I'm still at the previous house, it's taking longer than expected.",
                ),
                (
                    "{hon_c}, main {delay_hx} late hoon, {new_time_short} tak aa sakta hoon?",
                    "Sorry {hon_c}, aaj sab late chal raha hai, pichle customer ne aur kaam bola.",
                    "{hon_c}, abhi bhi pichle ghar pe hoon, time zyada lag raha hai.",
                ),
            ),
            T(
                "C",
                (
                    "No, I need it done at {time}, that's why I booked the slot.",
                    "I can't wait, I have to leave for work.",
                    "That's too late for me, sorry.",
                ),
                (
                    "Nahi, mujhe {time_hx} hi chahiye tha, isliye slot liya.",
                    "Main wait nahi kar sakti, office jaana hai.",
                    "Itna late mere liye nahi chalega.",
                ),
            ),
            T("C", C_CANCELS_EN, C_CANCELS_HX),
        ),
    ),
    "pro_vehicle_breakdown": (
        (
            T(
                "C",
                ("{hon_p}, where are you? It's almost {time}.", "Are you coming? You're late."),
                ("{hon_p}, kahan ho? {time_hx} hone wale hain.", "Aa rahe ho? Late ho gaye."),
            ),
            T(
                "P",
                (
                    "{hon_c}, my bike tyre burst on the way, I'm pushing it to a mechanic.",
                    "Sorry {hon_c}, the traffic police towed my bike, I have no vehicle now.",
                    "{hon_c}, a car hit my scooter, I fell, the scooter is not working.",
                    "Sorry, my bike's chain broke, I'm stuck near {other_area}.",
                ),
                (
                    "{hon_c}, raaste mein tyre phat gaya, mechanic ke paas dhakka laga ke le ja raha hoon.",
                    "Sorry {hon_c}, traffic police ne bike utha li, ab gaadi nahi hai.",
                    "{hon_c}, ek car ne scooty ko thok diya, gir gaya, scooty chal nahi rahi.",
                    "Sorry, bike ki chain toot gayi, {other_area} ke paas phasa hoon.",
                ),
            ),
            T(
                "C",
                ("So you can't come today?", "Okay, then what?"),
                ("Toh aaj nahi aa paoge?", "Accha, toh ab?"),
            ),
            T(
                "P",
                ("Not today {hon_c}, sorry.", "I can't reach, please cancel or I'll cancel."),
                (
                    "Aaj nahi ho payega {hon_c}.",
                    "Nahi pahunch paunga, cancel kar do ya main karta hoon.",
                ),
            ),
        ),
    ),
    "pro_medical_emergency": (
        (
            T(
                "C",
                ("Hello, is this {pro}? You were supposed to come at {time}.",),
                ("Hello, {pro} ji? Aapko {time_hx} aana tha.",),
            ),
            T(
                "U",
                (
                    "I'm his wife. He's admitted in hospital since morning, he had an accident.",
                    "This is his brother, he is very sick, we took him to the doctor.",
                ),
                (
                    "Main unki wife bol rahi hoon, subah se hospital mein admit hain, accident hua.",
                    "Main unka bhai hoon, unki tabiyat bahut kharab hai, doctor ke paas laye hain.",
                ),
            ),
            T("C", ("Oh, I'm sorry. Please take care.",), ("Oh, sorry. Dhyan rakhiye.",)),
        ),
        (
            T(
                "P",
                (
                    "{hon_c}, my wife has gone into labour, I'm taking her to the hospital.",
                    "{hon_c}, I'm sorry, my {relative} passed out at home, we're in the emergency.",
                    "I cut my hand badly at the last job, I got stitches, I can't work today.",
                ),
                (
                    "{hon_c}, wife ko labour pain shuru ho gaya, hospital le ja raha hoon.",
                    "{hon_c}, {relative_hx} ghar pe behosh ho gayi, emergency mein hain.",
                    "Pichle kaam pe haath kat gaya, taanke lage hain, aaj kaam nahi kar sakta.",
                ),
            ),
            T(
                "C",
                ("Oh, no problem at all, go.", "Take care, we'll book later."),
                ("Arre koi baat nahi, jaiye.", "Dhyan rakhiye, baad mein book kar lenge."),
            ),
        ),
    ),
    "pro_out_of_kit": (
        (
            T(
                "P",
                (
                    "{hon_c}, I've reached, but I opened the bag and the {kit} is empty.",
                    "I'm at your door, but I don't have the right {kit} for this model.",
                    "Sorry {hon_c}, my {kit} broke on the last job, I can't start.",
                ),
                (
                    "{hon_c}, pahunch gaya, par bag khola toh {kit} khatam hai.",
                    "Darwaze pe hoon, par is model ke liye sahi {kit} nahi hai mere paas.",
                    "Sorry {hon_c}, {kit} pichle kaam pe toot gaya, shuru nahi kar sakta.",
                ),
            ),
            T(
                "C",
                (
                    "You came without your tools? Unbelievable.",
                    "So what now?",
                    "Can someone bring it?",
                ),
                ("Bina saman ke aa gaye? Kamaal hai.", "Toh ab kya?", "Koi la sakta hai?"),
            ),
            T(
                "P",
                ("I'll have to cancel, sorry, I'll come another day.", *P_CANCELS_EN),
                ("Cancel karna padega, sorry, kisi aur din aata hoon.", *P_CANCELS_HX),
            ),
        ),
    ),
    "pro_unwilling_to_travel": (
        (
            T(
                "C",
                ("{hon_p}, are you coming? The app shows you accepted.",),
                ("{hon_p}, aa rahe ho? App mein accept dikha raha hai.",),
            ),
            T(
                "P",
                (
                    "{hon_c}, I saw the address now, {area} is too far from me, I won't come.",
                    "Madam it's {km} km one way, with this traffic I can't come.",
                    "No {hon_c}, that side I don't go, please book someone nearby.",
                ),
                (
                    "{hon_c}, ab address dekha, {area} bahut door hai, nahi aaunga.",
                    "{km} kilometre ek taraf ka hai, is traffic mein nahi aa sakta.",
                    "Nahi {hon_c}, us side main nahi jaata, kisi paas wale ko book karo.",
                ),
            ),
            T(
                "C",
                ("Then why did you accept?", "That's not my problem."),
                ("Toh accept kyun kiya?", "Yeh meri problem nahi hai."),
            ),
            T("P", P_CANCELS_EN, P_CANCELS_HX),
        ),
    ),
    "pro_personal_reason": (
        (
            T(
                "C",
                ("{hon_p}, confirming you're coming at {time}?", "Hi, are you on the way?"),
                ("{hon_p}, {time_hx} aa rahe ho na?", "Nikal gaye aap?"),
            ),
            T(
                "P",
                (
                    "Sorry {hon_c}, I can't come today, some personal work came up.",
                    "{hon_c}, I'm out of station today, I forgot to switch off my slots.",
                    "I got a bigger job for today, so I can't come to you, sorry.",
                    "There's a death in the family in my village, I'm travelling today.",
                    "My brother's engagement is today, I have to be there.",
                ),
                (
                    "Sorry {hon_c}, aaj nahi aa paunga, kuch personal kaam aa gaya.",
                    "{hon_c}, aaj bahar gaon gaya hoon, slot band karna bhool gaya.",
                    "Aaj ek bada kaam mil gaya, toh aapke yahan nahi aa paunga.",
                    "Gaon mein ek death ho gayi, aaj wahan ja raha hoon.",
                    "Aaj bhai ki sagai hai, wahan rehna hai.",
                ),
            ),
            T(
                "C",
                ("Okay, then I'll cancel.", "You could have told me earlier."),
                ("Theek hai, main cancel kar deti hoon.", "Pehle bata dete."),
            ),
        ),
    ),
    "pro_asked_customer_to_cancel": (
        (
            T(
                "P",
                (
                    "{hon_c}, I won't be able to come today. Please cancel it from your app.",
                    "{hon_c}, please cancel and select changed my mind, otherwise I get a fine.",
                    "Can you cancel it? The company deducts money if I cancel.",
                ),
                (
                    "{hon_c}, aaj nahi aa paunga. Aap app se cancel kar do please.",
                    "{hon_c}, cancel karke changed my mind daal do, nahi toh mujhe fine lagega.",
                    "Aap cancel kar doge? Main karunga toh company paisa kaatti hai.",
                ),
            ),
            T(
                "C",
                ("Why should I? You're the one not coming.", "But it's your fault."),
                ("Main kyun karun? Aap nahi aa rahe.", "Par galti toh aapki hai."),
            ),
            T(
                "P",
                ("Please {hon_c}, just this once.", "Please, I request you."),
                ("Please {hon_c}, bas is baar.", "Request hai {hon_c}."),
            ),
            T("C", ("Okay fine, I'll cancel.",), ("Accha theek hai, kar deti hoon.",)),
        ),
    ),
    "pro_demanded_extra_payment": (
        (
            T(
                "P",
                (
                    "{hon_c}, the app price is only labour, material is {amount} extra, cash please.",
                    "I'll do it, but pay me {amount} on GPay directly, not through the app.",
                    "Book me directly next time, cancel this one and give me cash, I'll give discount.",
                ),
                (
                    "{hon_c}, app ka rate sirf labour hai, material {amount} extra, cash mein.",
                    "Kar dunga, par {amount} GPay pe direct de dena, app se nahi.",
                    "Yeh cancel karo, mujhe direct cash do, discount de dunga.",
                ),
            ),
            T(
                "C",
                ("The app says no extra charges.", "I won't pay anything outside the app."),
                ("App mein likha hai koi extra charge nahi.", "App ke bahar kuch nahi dungi."),
            ),
            T(
                "P",
                ("Then I can't do it.", "Then cancel it."),
                ("Toh nahi ho payega.", "Toh cancel kar do."),
            ),
        ),
    ),
    "pro_no_show": (
        (
            T(
                "C",
                (
                    "{hon_p}, you said you're five minutes away, that was an hour ago.",
                    "You told me you're coming, where are you? Hello?",
                ),
                (
                    "{hon_p}, aapne bola tha paanch minute, ek ghanta ho gaya.",
                    "Aapne bola aa raha hoon, kahan ho? Hello?",
                ),
            ),
            T("P", ("Hmm... yes...", "Hello? Coming..."), ("Haan... haan...", "Hello? Aa raha...")),
            T(
                "C",
                (
                    "Hello? Hello? He cut the call again.",
                    "The call got cut, now it's switched off.",
                ),
                ("Hello? Hello? Phir call kaat diya.", "Call cut ho gaya, ab switch off hai."),
            ),
            T(
                "C",
                ("I've been waiting since {time}, nobody came. Cancelling.",),
                ("{time_hx} se wait kar rahi hoon, koi nahi aaya. Cancel.",),
            ),
        ),
    ),
    "cust_not_available": (
        (
            T(
                "P",
                (
                    "Hello {hon_c}, I'm at your flat, it's locked.",
                    "{hon_c}, I'm downstairs, please come, I'm calling for fifteen minutes.",
                ),
                (
                    "Hello {hon_c}, aapke flat pe hoon, taala laga hai.",
                    "{hon_c}, neeche hoon, aa jaiye, pandrah minute se call kar raha hoon.",
                ),
            ),
            T(
                "U",
                (
                    "Madam is not at home, she went out in the morning.",
                    "Sir is not here, nobody told us about any booking.",
                ),
                (
                    "Madam ghar pe nahi hain, subah bahar gayi.",
                    "Sahab nahi hain, hume kisi booking ka nahi bataya.",
                ),
            ),
            T(
                "P",
                ("Okay, I'll wait five more minutes then I'll leave.", *P_CANCELS_EN),
                ("Theek hai, paanch minute aur rukta hoon phir chala jaunga.", *P_CANCELS_HX),
            ),
        ),
    ),
    "cust_wrong_address": (
        (
            T(
                "C",
                (
                    "{hon_p}, I just realised the booking has my old address in {area}.",
                    "Sorry, I put my mother's address by mistake, I'm at {other_area}.",
                ),
                (
                    "{hon_p}, abhi dekha booking mein purana {area} wala address hai.",
                    "Sorry, galti se mummy ka address daal diya, main {other_area} mein hoon.",
                ),
            ),
            T(
                "P",
                (
                    "I'm already near {area}, the new place is too far.",
                    "I can't change the address, you'll need to book again.",
                ),
                (
                    "Main {area} ke paas pahunch gaya, naya address bahut door hai.",
                    "Address change nahi hota, dobara book karna padega.",
                ),
            ),
            T(
                "C",
                ("Okay, I'll cancel and book with the right address.",),
                ("Theek hai, cancel karke sahi address se book karti hoon.",),
            ),
        ),
    ),
    "cust_reschedule_request": (
        (
            T(
                "P",
                ("Hello {hon_c}, I'm leaving now for your {time} booking.",),
                ("Hello {hon_c}, {time_hx} ke booking ke liye nikal raha hoon.",),
            ),
            T(
                "C",
                (
                    "Oh, can you come {new_time}? Today I'm busy.",
                    "Wait, can we do it {new_time} instead of now?",
                    "Please come {new_time}, I'll be home then.",
                ),
                (
                    "Arre, {new_time_hx} aa sakte ho? Aaj busy hoon.",
                    "Ruko, abhi ki jagah {new_time_hx} kar sakte hain?",
                    "{new_time_hx} aao please, tab ghar pe rahungi.",
                ),
            ),
            T(
                "P",
                (
                    "I'm booked {new_time}, {hon_c}. Only this slot is possible.",
                    "That's not possible from my side.",
                ),
                (
                    "{new_time_hx} mera booking hai {hon_c}. Yahi slot ho sakta hai.",
                    "Mere side se nahi ho payega.",
                ),
            ),
            T(
                "C",
                ("Then cancel, I'll rebook.", *C_CANCELS_EN),
                ("Toh cancel karo, main dobara book karungi.", *C_CANCELS_HX),
            ),
        ),
    ),
    "cust_changed_mind": (
        (
            T(
                "P",
                (
                    "Hello {hon_c}, I'll reach by {time}.",
                    "{hon_c}, I'm on the way for the {service}.",
                ),
                (
                    "Hello {hon_c}, {time_hx} tak pahunch jaunga.",
                    "{hon_c}, {service_hx} ke liye aa raha hoon.",
                ),
            ),
            T(
                "C",
                (
                    "Actually, don't come, we don't need it now, the landlord is getting it done.",
                    "Sorry, we're shifting houses next week, so no point now.",
                    "I checked the price again, it's too costly for me, I'll skip it.",
                    "My neighbour's guy is doing it cheaper, so I'll cancel.",
                ),
                (
                    "Actually mat aao, ab zaroorat nahi, landlord karwa raha hai.",
                    "Sorry, agle hafte ghar shift kar rahe hain, ab koi fayda nahi.",
                    "Price dobara dekha, bahut mehenga hai, rehne do.",
                    "Padosi wala banda sasta kar raha hai, toh cancel kar rahi hoon.",
                ),
            ),
            T("P", ("Okay {hon_c}, as you wish.",), ("Theek hai {hon_c}, jaisa aap bolo.",)),
        ),
    ),
    "cust_medical_emergency": (
        (
            T(
                "P",
                ("Hello {hon_c}, I'm near your building.",),
                ("Hello {hon_c}, building ke paas hoon.",),
            ),
            T(
                "U",
                (
                    "This is her husband. She had an accident, we're at the hospital.",
                    "Sir has been taken to hospital, nobody is at home, please go.",
                ),
                (
                    "Main unka husband bol raha hoon, accident hua hai, hospital mein hain.",
                    "Sahab ko hospital le gaye hain, ghar pe koi nahi, aap jaiye.",
                ),
            ),
            T("P", ("Oh, so sorry. No problem.",), ("Arre, sorry. Koi baat nahi.",)),
        ),
    ),
    "cust_booked_by_mistake": (
        (
            T(
                "P",
                ("Hello {hon_c}, confirming your {service} at {time}.",),
                ("Hello {hon_c}, {time_hx} ka {service_hx} confirm kar raha hoon.",),
            ),
            T(
                "C",
                (
                    "Oh, I didn't mean to book that, I was just checking the price and it got booked.",
                    "That's a mistake, I already have the same booking for tomorrow.",
                    "Sorry, I booked {service} instead of {wrong}, wrong option.",
                ),
                (
                    "Arre, maine book nahi karna tha, bas price dekh rahi thi aur ho gaya.",
                    "Yeh galti se hua, kal ka same booking pehle se hai.",
                    "Sorry, {wrong} ki jagah {service_hx} book ho gaya, galat option.",
                ),
            ),
            T("P", ("Okay, please cancel it.",), ("Theek hai, cancel kar do.",)),
        ),
    ),
    "cust_entry_denied": (
        (
            T(
                "C",
                (
                    "{hon_p}, the guard just called me, he won't let you in without my approval.",
                    "I'm not at home to approve the entry, the security won't allow you.",
                ),
                (
                    "{hon_p}, guard ka call aaya, mere approval ke bina andar nahi aane dega.",
                    "Main ghar pe nahi hoon approve karne, security allow nahi karega.",
                ),
            ),
            T(
                "P",
                (
                    "I've been at the gate for twenty minutes, they're asking for a gate pass.",
                    "The security asked for your call, they're not letting service people in.",
                ),
                (
                    "Bees minute se gate pe hoon, gate pass maang rahe hain.",
                    "Security aapka call maang raha hai, service walon ko andar nahi jaane de rahe.",
                ),
            ),
            T("C", ("I can't sort it now, sorry.",), ("Abhi nahi ho payega, sorry.",)),
            T(
                "P",
                ("Then I'm leaving, I'll cancel.", *P_CANCELS_EN),
                ("Toh main ja raha hoon, cancel karta hoon.", *P_CANCELS_HX),
            ),
        ),
    ),
    "cust_unsafe_environment": (
        (
            T(
                "P",
                (
                    "{hon_c}, there are some men drinking in the hall and passing comments, I'm leaving.",
                    "The building has no lights and the staircase is broken, it's not safe.",
                    "Your husband shouted at me and pushed my kit, I won't work here.",
                    "The customer locked the door behind me, I got scared and came out.",
                ),
                (
                    "{hon_c}, hall mein kuch log daaru pee rahe hain aur comment kar rahe, main ja rahi hoon.",
                    "Building mein light nahi hai aur seedhi tooti hai, safe nahi hai.",
                    "Aapke husband ne chillaya aur mera saman dhakka diya, yahan kaam nahi karunga.",
                    "Customer ne peeche se darwaza lock kar diya, main dar ke bahar aa gayi.",
                ),
            ),
            T(
                "C",
                ("That's not true.", "Please, just do the job.", "Okay, whatever."),
                ("Aisa kuch nahi hai.", "Please kaam kar do.", "Theek hai, jo bhi."),
            ),
            T(
                "P",
                ("I'm not coming back inside.", *P_CANCELS_EN),
                ("Main wapas andar nahi aaungi.", *P_CANCELS_HX),
            ),
        ),
    ),
    "cust_wants_different_professional": (
        (
            T("P", ("Hello {hon_c}, I'm at the door.",), ("Hello {hon_c}, darwaze pe hoon.",)),
            T(
                "C",
                (
                    "Oh, you're a man? I booked for a lady, I'm not comfortable.",
                    "You came last time and left a mess, I don't want you.",
                    "I'd rather have someone more experienced, your rating is 3 point something.",
                    "We need someone who speaks Tamil, my father doesn't understand Hindi.",
                ),
                (
                    "Arre aap gents ho? Maine lady ke liye book kiya tha, comfortable nahi hoon.",
                    "Pichli baar aap aaye the aur sab ganda chhod gaye, aap nahi chahiye.",
                    "Koi experienced chahiye, aapki rating teen point kuch hai.",
                    "Tamil bolne wala chahiye, papa ko Hindi samajh nahi aati.",
                ),
            ),
            T(
                "P",
                ("Okay, cancel and ask for someone else.", "It's your choice, {hon_c}."),
                ("Theek hai, cancel karke kisi aur ko bolo.", "Aapki marzi {hon_c}."),
            ),
        ),
    ),
    "service_out_of_scope": (
        (
            T(
                "C",
                (
                    "{hon_p}, before you come, the problem is actually {bigger}.",
                    "Just to tell you, it's not only {job}, I think it needs {bigger}.",
                ),
                (
                    "{hon_p}, aane se pehle bata doon, problem actually {bigger_hx} hai.",
                    "Bata du, sirf {job} nahi hai, shayad {bigger_hx} lagega.",
                ),
            ),
            T(
                "P",
                (
                    "That's not covered in this booking, {hon_c}, it needs a different service.",
                    "For {bigger} you need a separate inspection booking.",
                ),
                (
                    "Yeh is booking mein cover nahi hai {hon_c}, alag service chahiye.",
                    "{bigger_hx} ke liye alag inspection booking karni padegi.",
                ),
            ),
            T("C", ("Okay, then cancel this one.",), ("Accha, toh yeh wala cancel karo.",)),
        ),
    ),
    "platform_issue": (
        (
            T(
                "P",
                (
                    "{hon_c}, my app shows the booking is for an {worker_other}, but I'm a {worker}.",
                    "The app is not showing your address, only the pin, and the OTP is not coming.",
                    "My app says the booking is already cancelled, but you say it's active?",
                ),
                (
                    "{hon_c}, mere app mein {worker_other} ka booking dikha raha hai, main {worker} hoon.",
                    "App mein address nahi aa raha, OTP bhi nahi aa raha.",
                    "Mere app mein booking cancelled dikha raha hai, aapke mein active hai?",
                ),
            ),
            T(
                "C",
                ("That's the app's problem then.", "I'll raise it with support."),
                ("Toh app ki galti hai.", "Main support ko bolti hoon."),
            ),
            T(
                "P",
                ("Please cancel and rebook, it's a technical issue.",),
                ("Cancel karke dobara book karo, technical problem hai.",),
            ),
        ),
    ),
    "external_disruption": (
        (
            T(
                "C",
                (
                    "{hon_p}, don't come today, our whole area is waterlogged.",
                    "The roads are closed for the procession, you won't be able to enter.",
                    "There's a strike, all shops and roads are shut here.",
                    "Police have blocked the area because of a protest.",
                ),
                (
                    "{hon_p}, aaj mat aao, poore area mein paani bhara hai.",
                    "Juloos ki wajah se road band hai, andar nahi aa paoge.",
                    "Hadtaal hai, yahan sab band hai.",
                    "Protest ki wajah se police ne area block kar diya.",
                ),
            ),
            T(
                "P",
                ("Yes, I saw, no problem.", "Okay, stay safe."),
                ("Haan dekha, koi baat nahi.", "Theek hai, safe rahiye."),
            ),
        ),
    ),
    "unclear": (
        (
            T(
                "C",
                ("Hello? I can't hear you properly.",),
                ("Hello? Theek se sunai nahi de raha.",),
            ),
            T(
                "P",
                ("Hello... [inaudible] ... booking ...", "... yes ... okay ..."),
                ("Hello... [awaaz nahi] ... booking ...", "... haan ... theek ..."),
            ),
            T("C", ("Okay, I'll see.",), ("Accha dekhti hoon.",)),
        ),
        (
            T("P", ("{hon_c}, is the booking still on?",), ("{hon_c}, booking hai na abhi?",)),
            T(
                "C",
                ("Let me check and tell you.", "I'll call you back."),
                ("Check karke batati hoon.", "Baad mein call karti hoon."),
            ),
        ),
    ),
}

# Neutral job talk any call can start with; teaches the shortlister to look past it.
CONTEXT: tuple[Turn, ...] = (
    T(
        "C",
        (
            "It's the {job}, please come on time.",
            "Please bring everything for the {job}.",
            "The {job} is urgent, it's been bad for two days.",
        ),
        (
            "{job} karwana hai, time pe aana please.",
            "{job} ka saara saman le aana.",
            "Do din se problem hai, {job} jaldi chahiye.",
        ),
    ),
    T(
        "P",
        (
            "Which floor is it, {hon_c}? Is there a lift?",
            "Please share a landmark near {area}.",
            "Is it the same address as in the app?",
        ),
        (
            "Kaunsa floor hai {hon_c}? Lift hai?",
            "{area} mein landmark kya hai?",
            "Address wahi hai na jo app mein hai?",
        ),
    ),
    T(
        "C",
        ("Fourth floor, near the temple.", "Opposite the park, B wing.", "Yes, same address."),
        ("Chautha floor, mandir ke paas.", "Park ke saamne, B wing.", "Haan, wahi address."),
    ),
)

# Pretexts: the customer's own reason, told while the professional's delay or the
# app's price is in the air. People who change their minds or are away often point at
# the lateness or the cost on the way out; the scenario is still theirs. Same delay
# words as pro_running_late's, so that a mention of lateness alone does not decide.
PRETEXT_SCRIPTS: dict[str, tuple[Script, ...]] = {
    "cust_changed_mind": (
        (
            T(
                "P",
                (
                    "{hon_c}, I'm on the way, I'll be {delay} late, traffic at {other_area}.",
                    "Sorry {hon_c}, the previous job took longer, I need {delay} more.",
                    "{hon_c}, running a bit behind, {delay} and I'll be there.",
                    "I started late today {hon_c}, reaching in {delay}.",
                ),
                (
                    "{hon_c}, raste mein hoon, {delay_hx} late hoon, {other_area} pe traffic hai.",
                    "Sorry {hon_c}, pichla kaam lamba chala, {delay_hx} aur lagega.",
                    "{hon_c}, thoda peeche chal raha hoon, {delay_hx} mein pahunchta hoon.",
                    "Aaj late nikla {hon_c}, {delay_hx} mein aa jaunga.",
                ),
            ),
            T(
                "C",
                (
                    "You're late anyway... actually leave it, we don't need it now, my brother fixed it.",
                    "Hmm, forget it, honestly we've dropped the plan, we're not getting it done.",
                    "No need to come now, I got it done from someone nearby this morning.",
                    "Late again? Leave it, I found a cheaper person anyway.",
                    "It's fine, don't come, we decided it costs too much for us right now.",
                ),
                (
                    "Late toh ho hi... actually rehne do, ab zaroorat nahi, bhai ne theek kar diya.",
                    "Chhodo, sach bolun toh humne plan hi chhod diya, nahi karwana.",
                    "Ab mat aao, subah paas wale se karwa liya.",
                    "Phir late? Rehne do, waise bhi sasta banda mil gaya.",
                    "Theek hai, mat aao, abhi itna kharcha nahi karna humein.",
                ),
            ),
            T(
                "P",
                (
                    "But {hon_c}, I'm almost there, it's only a few minutes.",
                    "{hon_c}, I can still come, I'm close.",
                    "Okay {hon_c}, your wish.",
                ),
                (
                    "Par {hon_c}, bas pahunch hi raha hoon, thode minute ki baat hai.",
                    "{hon_c}, abhi bhi aa sakta hoon, paas hi hoon.",
                    "Theek hai {hon_c}, aapki marzi.",
                ),
            ),
            O(
                0.5,
                T(
                    "C",
                    (
                        "It's not about the time, we just don't need it. I'll cancel.",
                        "Not your fault, we simply don't want it now.",
                        "The timing is okay, I changed my mind, that's all.",
                    ),
                    (
                        "Time ki baat nahi, bas zaroorat nahi hai. Cancel kar rahi hoon.",
                        "Aapki galti nahi, bas ab nahi chahiye.",
                        "Time theek hai, bas mann badal gaya.",
                    ),
                ),
            ),
        ),
        (
            T(
                "P",
                (
                    "{hon_c}, for the {service} it will be the app amount, and {amount} more if parts are needed.",
                    "Just telling you {hon_c}, the charge is what the app shows, pay in the app after the work.",
                    "{hon_c}, the visit is as per the app rate, nothing extra.",
                ),
                (
                    "{hon_c}, {service_hx} ka app wala amount, parts lage toh {amount} aur.",
                    "Bata deta hoon {hon_c}, jo app mein dikha raha hai wahi charge hai, kaam ke baad app mein dena.",
                    "{hon_c}, app ke rate pe hi hai, kuch extra nahi.",
                ),
            ),
            T(
                "C",
                (
                    "Hmm, I saw another app is cheaper, I'll go with that, sorry.",
                    "Actually we don't want it now, my husband says wait till next month.",
                    "That's more than my budget, leave it for now.",
                    "Okay, let me think... no, skip it, we don't need it anymore.",
                ),
                (
                    "Hmm, doosre app pe sasta hai, wahi le lungi, sorry.",
                    "Actually abhi nahi chahiye, husband bol rahe agle mahine.",
                    "Budget se zyada hai, abhi rehne do.",
                    "Ruko sochti hoon... nahi, rehne do, ab zaroorat nahi.",
                ),
            ),
            T(
                "P",
                ("Okay {hon_c}, no issue.", "Alright, as you like."),
                ("Theek hai {hon_c}, koi dikkat nahi.", "Accha, jaisa aapko theek lage."),
            ),
        ),
    ),
    "cust_not_available": (
        (
            T(
                "P",
                (
                    "{hon_c}, sorry, I'll be {delay} late, coming from {other_area}.",
                    "I'm on the way {hon_c}, {delay} more.",
                    "{hon_c}, small delay, previous job overran, {delay}.",
                ),
                (
                    "{hon_c}, sorry, {delay_hx} late ho jaunga, {other_area} se aa raha hoon.",
                    "Raste mein hoon {hon_c}, {delay_hx} aur.",
                    "{hon_c}, thodi der, pichla kaam lamba chala, {delay_hx}.",
                ),
            ),
            T(
                "C",
                (
                    "Oh... actually I'm not at home today, I had to go to office suddenly.",
                    "Wait, I forgot to tell you, I'm out of town, nobody is at home.",
                    "I already left for my mother's place, the house is locked.",
                    "I won't be home till evening, something came up at work.",
                ),
                (
                    "Arre... actually aaj ghar pe nahi hoon, achanak office jaana pada.",
                    "Ruko, batana bhool gayi, main bahar gayi hoon, ghar pe koi nahi.",
                    "Main toh mummy ke ghar nikal gayi, ghar pe tala hai.",
                    "Shaam tak ghar nahi aaungi, kaam aa gaya.",
                ),
            ),
            T(
                "P",
                (
                    "But {hon_c}, the booking is for now, I'm on the way.",
                    "Then what should I do {hon_c}, I'm almost there.",
                    "Can someone else open the door?",
                ),
                (
                    "Par {hon_c}, booking abhi ki hai, main aa raha hoon.",
                    "Toh main kya karun {hon_c}, bas pahunch raha hoon.",
                    "Koi aur darwaza khol sakta hai?",
                ),
            ),
            T(
                "C",
                (
                    "Nobody is there, sorry, we'll do it another day.",
                    "No one can open, sorry.",
                    "The delay is not the problem, I'm just not there. Sorry.",
                ),
                (
                    "Koi nahi hai, sorry, kisi aur din karenge.",
                    "Koi khol nahi payega, sorry.",
                    "Late ki baat nahi, main hi nahi hoon. Sorry.",
                ),
            ),
        ),
    ),
}

CONFLICTS_MORE: tuple[Script, ...] = (
    (
        T(
            "C",
            ("He was rude and said he won't do it.",),
            ("Woh badtameezi kar raha tha, bola nahi karunga.",),
        ),
        T(
            "P",
            ("No, madam said the price is high and told me to leave.",),
            ("Nahi, madam ne bola price zyada hai aur jaane bola.",),
        ),
        T("C", ("I never said that.",), ("Maine aisa nahi bola.",)),
    ),
    (
        T("P", ("The guard didn't let me in.",), ("Guard ne andar nahi jaane diya.",)),
        T(
            "C",
            ("There's no guard here, he never came.",),
            ("Yahan koi guard nahi hai, woh aaya hi nahi.",),
        ),
        T("P", ("I was there, check the photo.",), ("Main tha wahan, photo dekh lo.",)),
    ),
)

# Conflicting accounts -> unclear: a customer claim and a professional claim that cannot
# both be true, told with the same words as the confusable scenarios.
CONFLICTS: tuple[Script, ...] = (
    (
        T(
            "C",
            ("You never came, I was home the whole time.", "Nobody came, I waited all morning."),
            (
                "Aap aaye hi nahi, main poore time ghar pe thi.",
                "Koi nahi aaya, poori subah wait kiya.",
            ),
        ),
        T(
            "P",
            (
                "I came, {hon_c}, I rang the bell, nobody opened.",
                "I was at your gate, you didn't pick up.",
            ),
            (
                "Main aaya tha {hon_c}, bell bajayi, kisi ne nahi khola.",
                "Main gate pe tha, aapne phone nahi uthaya.",
            ),
        ),
        T(
            "C",
            ("That's a lie, there's no missed call.", "Not true, the bell works."),
            ("Jhooth mat bolo, koi missed call nahi hai.", "Galat baat, bell theek hai."),
        ),
        T(
            "P",
            ("I'm telling the truth.", "Check with the guard."),
            ("Main sach bol raha hoon.", "Guard se pooch lo."),
        ),
    ),
    (
        T(
            "C",
            ("You told me to cancel it, now you're blaming me?",),
            ("Aapne hi cancel karne bola tha, ab mujhe blame kar rahe ho?",),
        ),
        T(
            "P",
            ("No {hon_c}, you said you didn't want it today.", "I never said that."),
            ("Nahi {hon_c}, aapne bola aaj nahi chahiye.", "Maine aisa kabhi nahi bola."),
        ),
        T("C", ("I never said that.", "Don't twist it."), ("Maine kab bola?", "Baat ghumao mat.")),
    ),
    (
        T(
            "P",
            ("You asked me to come later, so I said I can't.",),
            ("Aapne baad mein aane bola, maine bola nahi ho payega.",),
        ),
        T(
            "C",
            ("No, you said you're late and can't come.", "I didn't ask for any change."),
            ("Nahi, aapne bola aap late ho aur nahi aa paoge.", "Maine koi change nahi maanga."),
        ),
        T("P", ("That's not what happened.",), ("Aisa nahi hua tha.",)),
    ),
    (
        T(
            "P",
            ("The customer asked for extra work and refused to pay.",),
            ("Customer extra kaam karwa rahe the aur paisa nahi de rahe.",),
        ),
        T(
            "C",
            ("He asked me for cash outside the app, that's why.",),
            ("Usne app ke bahar cash maanga, isliye.",),
        ),
        T("P", ("No, I only told the rate card.",), ("Nahi, maine sirf rate card bataya.",)),
    ),
)

# Short chat messages that carry the scenario (some cases have only chat).
CHAT: dict[str, tuple[tuple[str, Sequence[str], Sequence[str]], ...]] = {
    "pro_running_late": (
        (
            "P",
            ("Running late, will reach by {new_time_short}", "Stuck at previous job, {delay} late"),
            ("Late ho gaya, {delay_hx} lagega", "Pichla kaam chal raha hai, late aaunga"),
        ),
        ("C", ("Too late, cancelling",), ("Itna late nahi chalega, cancel kar rahi",)),
    ),
    "pro_vehicle_breakdown": (
        (
            "P",
            ("Bike puncture, can't come today sorry", "Vehicle broke down on the way"),
            ("Bike puncture ho gayi, aaj nahi aa paunga", "Gaadi kharab ho gayi raaste mein"),
        ),
    ),
    "pro_medical_emergency": (
        (
            "P",
            ("Sorry, I'm unwell with high fever, can't come", "Family member in hospital, sorry"),
            (
                "Tabiyat kharab hai, bukhaar hai, nahi aa paunga",
                "Ghar mein koi hospital mein hai, sorry",
            ),
        ),
    ),
    "pro_out_of_kit": (
        (
            "P",
            ("My {kit} is not with me, can't do the job today",),
            ("Mera {kit} nahi hai saath mein, aaj kaam nahi hoga",),
        ),
    ),
    "pro_unwilling_to_travel": (
        (
            "P",
            ("Your location is too far for me, sorry", "I don't cover {area}"),
            ("Aapki location bahut door hai", "{area} meri side nahi hai"),
        ),
    ),
    "pro_personal_reason": (
        (
            "P",
            ("Family function today, I'm cancelling", "Taking leave today, sorry"),
            ("Aaj ghar mein function hai, cancel kar raha hoon", "Aaj chhutti pe hoon"),
        ),
    ),
    "pro_asked_customer_to_cancel": (
        (
            "P",
            ("Please cancel from your side 🙏", "Kindly cancel from app, my ID will be blocked"),
            ("Aap cancel kar do please 🙏", "App se aap cancel kar do, meri ID block ho jayegi"),
        ),
        ("C", ("ok cancelling",), ("ok kar rahi hoon",)),
    ),
    "pro_demanded_extra_payment": (
        (
            "P",
            ("Need {amount} extra cash, app rate too low", "Cancel and pay me direct"),
            ("{amount} extra cash lagega", "Cancel karke direct payment kar do"),
        ),
        ("C", ("Not paying outside the app",), ("App ke bahar paise nahi dunga",)),
    ),
    "pro_no_show": (
        (
            "C",
            ("Where are you? Not picking up calls", "Waiting since {time}, no one came"),
            ("Kahan ho? Phone nahi utha rahe", "{time_hx} se wait kar rahi hoon, koi nahi aaya"),
        ),
    ),
    "cust_not_available": (
        (
            "P",
            ("At your door, no one is opening", "Reached, customer not answering calls"),
            ("Darwaze pe hoon, koi nahi khol raha", "Pahunch gaya, aap phone nahi utha rahe"),
        ),
        ("C", ("Sorry not at home today",), ("Sorry aaj ghar pe nahi hoon",)),
    ),
    "cust_wrong_address": (
        ("C", ("Sorry, booked at my old address",), ("Sorry purane address pe book ho gaya",)),
    ),
    "cust_reschedule_request": (
        ("C", ("Can you come at {new_time} instead?",), ("{new_time_hx} aa sakte ho?",)),
        ("P", ("Not possible at that time",), ("Us time nahi ho payega",)),
    ),
    "cust_changed_mind": (
        (
            "C",
            ("Don't need it anymore, thanks", "Found someone cheaper"),
            ("Ab zaroorat nahi hai", "Sasta mil gaya kahin aur"),
        ),
    ),
    "cust_medical_emergency": (
        (
            "C",
            ("Emergency, going to hospital, please don't come",),
            ("Emergency hai, hospital ja rahe hain, mat aaiye",),
        ),
    ),
    "cust_booked_by_mistake": (
        (
            "C",
            ("Booked by mistake, sorry", "This is a duplicate booking"),
            ("Galti se book ho gaya", "Yeh duplicate booking hai"),
        ),
    ),
    "cust_entry_denied": (
        (
            "P",
            ("Guard not allowing entry, please approve", "Security stopping me at gate"),
            ("Guard andar nahi aane de raha, approve karo", "Gate pe security rok raha hai"),
        ),
    ),
    "cust_unsafe_environment": (
        (
            "P",
            ("Customer is abusive, not safe, leaving", "Aggressive dog, can't enter"),
            (
                "Customer gaali de raha hai, safe nahi hai",
                "Kutta bahut aggressive hai, andar nahi jaunga",
            ),
        ),
    ),
    "cust_wants_different_professional": (
        (
            "C",
            ("I want a different professional", "Please send a lady beautician"),
            ("Mujhe koi aur professional chahiye", "Lady beautician bhejo"),
        ),
    ),
    "service_out_of_scope": (
        (
            "P",
            ("Work is bigger than booked, needs {bigger}",),
            ("Kaam bada hai, {bigger_hx} lagega",),
        ),
    ),
    "platform_issue": (
        (
            "C",
            ("Payment failed twice, app glitch", "App showing wrong slot"),
            ("Payment do baar fail hua", "App galat slot dikha raha hai"),
        ),
    ),
    "external_disruption": (
        (
            "P",
            ("Heavy rain, roads flooded, can't come", "Bandh today, roads blocked"),
            ("Tez baarish, sab paani bhar gaya", "Aaj bandh hai, road band"),
        ),
    ),
    "unclear": (
        ("C", ("ok", "call me"), ("ok", "call karo")),
        ("P", ("?", "hello"), ("?", "hello")),
    ),
}

EXCUSES_EN = (
    "I'm stuck somewhere.",
    "Something came up at home.",
    "I'm running late.",
    "My bike is giving trouble.",
    "I have another booking.",
    "",
)
EXCUSES_HX = (
    "Main kahin phasa hoon.",
    "Ghar pe kuch kaam aa gaya.",
    "Late ho raha hoon.",
    "Bike mein problem hai.",
    "Doosra booking hai.",
    "",
)

KANNADA_BITS = (
    "Swalpa",
    "Howdu",
    "Aytu",
    "Illa sir",
    "Banni",
    "Gottilla",
    "Sari",
    "Yenu",
    "Hegiddira",
    "Ondu nimisha",
)
HINDI_FILLERS = ("matlab", "na", "haan", "woh", "accha", "dekho")
EN_FILLERS = ("umm", "uh", "like", "you know", "actually", "basically")
ASR_SWAPS: dict[str, tuple[str, ...]] = {
    "cancel": ("cancil", "kensel", "cancer"),
    "booking": ("boking", "booking booking"),
    "minutes": ("minits",),
    "address": ("adress", "a dress"),
    "sir": ("sar",),
    "madam": ("madum", "mam", "ma'am"),
    "nahi": ("nai", "nahin"),
    "hai": ("he", "hain"),
    "please": ("plz", "plees"),
    "professional": ("profession",),
    "hospital": ("hospitle",),
    "puncture": ("punchur", "puncher"),
    "location": ("locason",),
    "kilometre": ("kilometer", "km"),
    "approval": ("aproval",),
    "guard": ("gard",),
    "traffic": ("trafic",),
}

# --- per-scenario meta: who opens, who cancels, honest reasons, signals, timing ------


@dataclass(frozen=True)
class Meta:
    opener: str  # "P", "C" or "either"
    cancelled_by: tuple[tuple[str, float], ...]
    honest: dict[str, tuple[str, ...]]  # canceller -> plausible app reasons
    location: str  # "far", "near", "claim_near", "any"
    minutes: tuple[int, int]
    chat_first: str = "P"


def _m(
    opener: str,
    by: str,
    honest_c: tuple[str, ...],
    honest_p: tuple[str, ...],
    location: str,
    minutes: tuple[int, int],
) -> Meta:
    weights = {
        "C": (("customer", 1.0),),
        "P": (("professional", 1.0),),
        "CP": (("customer", 0.6), ("professional", 0.4)),
        "PC": (("professional", 0.7), ("customer", 0.3)),
    }[by]
    return Meta(
        opener, weights, {"customer": honest_c, "professional": honest_p}, location, minutes
    )


META: dict[str, Meta] = {
    "pro_running_late": _m(
        "either",
        "C",
        ("Professional delayed", "Professional not reachable"),
        ("Running late",),
        "far",
        (-45, 60),
    ),
    "pro_vehicle_breakdown": _m(
        "P",
        "PC",
        ("Professional delayed", "Other"),
        ("Vehicle issue", "Running late"),
        "far",
        (-20, 120),
    ),
    "pro_medical_emergency": _m(
        "P",
        "PC",
        ("Other", "Professional asked me to cancel"),
        ("Personal emergency", "Not feeling well"),
        "far",
        (20, 600),
    ),
    "pro_out_of_kit": _m(
        "P",
        "PC",
        ("Other", "Professional delayed"),
        ("Kit not available", "Other"),
        "any",
        (-15, 240),
    ),
    "pro_unwilling_to_travel": _m(
        "P",
        "PC",
        ("Other", "Professional asked me to cancel"),
        ("Location too far",),
        "far",
        (30, 900),
    ),
    "pro_personal_reason": _m(
        "P", "PC", ("Other",), ("Personal emergency", "Other"), "far", (15, 900)
    ),
    "pro_asked_customer_to_cancel": _m(
        "P",
        "C",
        ("Changed my mind", "Other", "Want to reschedule", "Professional asked me to cancel"),
        (),
        "far",
        (20, 400),
    ),
    "pro_demanded_extra_payment": _m(
        "P",
        "CP",
        ("Other", "Found a better price", "Payment issue"),
        ("Customer asked to cancel", "Other"),
        "any",
        (-10, 300),
    ),
    "pro_no_show": _m(
        "C", "C", ("Professional not reachable", "Professional delayed"), (), "far", (-120, -5)
    ),
    "cust_not_available": _m(
        "either",
        "PC",
        ("Not available at the slot time", "Other"),
        ("Customer not reachable", "Customer not at home"),
        "claim_near",
        (-40, 400),
    ),
    "cust_wrong_address": _m(
        "P", "CP", ("Wrong address", "Other"), ("Other", "Customer not reachable"), "any", (-30, 60)
    ),
    "cust_reschedule_request": _m(
        "C",
        "CP",
        ("Want to reschedule", "Not available at the slot time"),
        ("Customer asked to reschedule",),
        "any",
        (20, 900),
    ),
    "cust_changed_mind": _m(
        "C",
        "C",
        ("Changed my mind", "Service no longer needed", "Found a better price"),
        (),
        "any",
        (10, 1440),
    ),
    "cust_medical_emergency": _m(
        "C", "CP", ("Emergency", "Other"), ("Customer asked to cancel", "Other"), "any", (5, 600)
    ),
    "cust_booked_by_mistake": _m("C", "C", ("Booked by mistake",), (), "any", (30, 2000)),
    "cust_entry_denied": _m(
        "P",
        "PC",
        ("Other",),
        ("Entry not allowed", "Customer not reachable"),
        "claim_near",
        (-45, 10),
    ),
    "cust_unsafe_environment": _m(
        "P", "P", (), ("Unsafe location", "Other"), "claim_near", (-60, 5)
    ),
    "cust_wants_different_professional": _m(
        "C", "C", ("Want a different professional", "Other"), (), "any", (10, 600)
    ),
    "service_out_of_scope": _m(
        "P",
        "PC",
        ("Other", "Service no longer needed"),
        ("Job not as described",),
        "near",
        (-90, 0),
    ),
    "platform_issue": _m(
        "C", "CP", ("Payment issue", "Other"), ("App issue", "Other"), "any", (-30, 600)
    ),
    "external_disruption": _m(
        "P", "PC", ("Other", "Professional delayed"), ("Weather", "Other"), "far", (-30, 300)
    ),
    "unclear": _m(
        "either",
        "CP",
        ("Other", "Changed my mind", "Professional delayed"),
        ("Other", "Customer not reachable"),
        "any",
        (-60, 600),
    ),
}


# =====================================================================================
# Case assembly
# =====================================================================================


@dataclass
class Slots:
    values: dict[str, str] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: self.values.get(m.group(1), m.group(0)), text)


def _pick_language(rng: random.Random, weights: dict[str, float]) -> str:
    langs = sorted(weights)
    return rng.choices(langs, weights=[weights[k] for k in langs])[0]


def _make_slots(rng: random.Random, service: Service, city: str, lang: str) -> Slots:
    cust, gender = rng.choice(CUST_NAMES)
    pro = rng.choice(PRO_NAMES)
    pro_other = rng.choice([p for p in PRO_NAMES if p != pro])
    area, other_area = rng.sample(CITIES[city], 2) if len(CITIES[city]) > 1 else (city, city)
    hon_c = (
        ("madam" if gender == "f" else "sir")
        if lang == "en"
        else rng.choice(
            ("madam", "ma'am", "didi", "ji") if gender == "f" else ("sir", "bhaiya", "ji", "saab")
        )
    )
    i_time = rng.randrange(len(TIMES_EN))
    i_new = rng.randrange(len(NEW_TIMES_HX))
    i_delay = rng.randrange(len(DELAYS_EN))
    others = [s for s in SERVICES if s.key != service.key]
    values = {
        "cust": cust,
        "pro": pro,
        "pro_other": pro_other,
        "area": area,
        "other_area": other_area,
        "city": city,
        "hon_c": hon_c,
        "hon_p": rng.choice(("bhaiya", "ji", "sir", "boss"))
        if lang != "en"
        else rng.choice(("sir", "bhaiya", pro)),
        "service": service.en,
        "service_hx": service.hx,
        "worker": service.worker_en,
        "worker_hx": service.worker_hx,
        "worker_other": rng.choice(others).worker_en,
        "kit": rng.choice(service.kit),
        "job": rng.choice(service.job),
        "bigger": rng.choice(service.bigger),
        "bigger_hx": rng.choice(service.bigger_hx),
        "wrong": rng.choice(service.wrong),
        "time": TIMES_EN[i_time],
        "time_hx": TIMES_HX[i_time],
        "new_time": NEW_TIMES_EN[i_new % len(NEW_TIMES_EN)],
        "new_time_hx": NEW_TIMES_HX[i_new],
        "new_time_short": rng.choice(("1 pm", "4:30", "6 pm", "evening")),
        "delay": DELAYS_EN[i_delay],
        "delay_hx": DELAYS_HX[i_delay],
        "relative": rng.choice(RELATIVES_EN),
        "relative_hx": rng.choice(RELATIVES_HX),
        "amount": rng.choice(AMOUNTS),
        "km": str(rng.randint(14, 45)),
        "society": rng.choice(SOCIETIES),
        "brand": rng.choice(BRANDS),
    }
    i = rng.randrange(len(EXCUSES_EN))
    values["excuse_en"], values["excuse_hx"] = EXCUSES_EN[i], EXCUSES_HX[i]
    return Slots(values)


def _expand(script: Script, rng: random.Random) -> list[Turn]:
    out: list[Turn] = []
    for beat in script:
        if isinstance(beat, Opt):
            if rng.random() < beat.p:
                out.extend(beat.turns)
        else:
            out.append(beat)
    return out


def _noisy(text: str, lang: str, rng: random.Random) -> str:
    """One recognition error or filler, the way diarised ASR output looks."""
    words = text.split()
    if not words:
        return text
    kind = rng.random()
    if kind < 0.35:
        for i, w in enumerate(words):
            key = re.sub(r"\W", "", w.lower())
            if key in ASR_SWAPS:
                words[i] = rng.choice(ASR_SWAPS[key])
                break
        else:
            words.insert(0, rng.choice(EN_FILLERS if lang == "en" else HINDI_FILLERS))
    elif kind < 0.55:
        words.insert(
            rng.randrange(len(words) + 1), rng.choice(EN_FILLERS if lang == "en" else HINDI_FILLERS)
        )
    elif kind < 0.7 and len(words) > 4:
        del words[rng.randrange(1, len(words))]  # a dropped word
    elif kind < 0.85:
        i = rng.randrange(len(words))
        words.insert(i, words[i])  # a stutter
    else:
        return re.sub(r"[.,?!]", "", text).lower()  # no punctuation, lower case
    return " ".join(words)


def _half(pool: Sequence[str], half: int | None) -> tuple[str, ...]:
    """Every other phrasing when the wording is split (``GenOptions.wording_half``), else all.

    A pool of one phrasing is shared by both halves.
    """
    variants = tuple(pool)
    if half is None or len(variants) < 2:
        return variants
    return variants[half::2]


def _render_turns(
    turns: list[Turn], slots: Slots, lang: str, rng: random.Random, opts: GenOptions
) -> list[tuple[str, str]]:
    spk_map = {"P": "professional", "C": "customer", "U": "unknown"}
    out: list[tuple[str, str]] = []
    for spk, en, hx in turns:
        pool = en if lang in ("en", "kn-en") else hx
        if lang == "hi-en" and rng.random() < 0.25:
            pool = en  # Hinglish speakers switch to English sentences now and then
        text = slots.fill(rng.choice(_half(pool, opts.wording_half)))
        if lang == "kn-en" and rng.random() < 0.4:
            bit = rng.choice(KANNADA_BITS)
            text = f"{bit}, {text}" if rng.random() < 0.6 else f"{text} {bit}."
        if rng.random() < opts.p_noise_turn:
            text = _noisy(text, lang, rng)
        text = text.strip()
        if text:
            out.append((spk_map[spk], text))
    return out


def _timed(turns: list[tuple[str, str]], rng: random.Random) -> list[dict[str, Any]]:
    t = round(rng.uniform(0.2, 1.5), 1)
    out = []
    for spk, text in turns:
        dur = max(0.6, len(text.split()) * rng.uniform(0.28, 0.45))
        out.append({"speaker": spk, "start": round(t, 1), "end": round(t + dur, 1), "text": text})
        t += dur + rng.uniform(0.2, 1.0)
    return out


def _signals(meta: Meta, rng: random.Random) -> dict[str, Any]:
    calls = rng.choice((0, 0, 1, 1, 2, 3, 4))
    profile = meta.location
    r = rng.random()
    if r < 0.2:
        return {
            "location": {"available": False, "min_distance_m": None},
            "pro_call_attempts": calls,
        }
    if profile == "far":
        dist = rng.choice(
            (rng.randint(1200, 15000), rng.randint(1200, 15000), rng.randint(0, 1000))
        )
    elif profile == "near":
        dist = rng.choice((rng.randint(0, 300), rng.randint(0, 300), rng.randint(300, 9000)))
    elif profile == "claim_near":
        dist = rng.choice(
            (
                rng.randint(0, 300),
                rng.randint(0, 300),
                rng.randint(300, 1000),
                rng.randint(1001, 9000),
            )
        )
    else:
        dist = rng.randint(0, 15000)
    return {"location": {"available": True, "min_distance_m": dist}, "pro_call_attempts": calls}


class Labeller:
    """Responsible party and penalty from the project's own rule table, by the decide stage."""

    def __init__(self, opts: GenOptions) -> None:
        sys.path.insert(0, str(ROOT))
        from referee.stages.decide import DecideStage

        self.stage = DecideStage.from_files(opts.rules_path, opts.scenarios_path)

    def label(self, scenario: str, case: dict[str, Any]) -> dict[str, Any]:
        from referee.cases import case_from_dict

        parsed = case_from_dict({**case, "label": None}, case["case_id"])
        return self.stage.label_for(parsed, scenario).model_dump()


def _reason(meta: Meta, canceller: str, rng: random.Random, opts: GenOptions) -> str | None:
    honest = meta.honest.get(canceller) or ()
    pool = CUST_REASONS if canceller == "customer" else PRO_REASONS
    r = rng.random()
    if r < 0.05:
        return None
    if not honest or r < opts.p_misleading_reason:
        if r < opts.p_misleading_reason * opts.share_self_serving:
            # The reason that spares the canceller the fee: blame the other side.
            pool = SELF_SERVING.get(canceller, pool)
        return rng.choice(pool)  # wrong or vague: the app's list is picked in a hurry
    return rng.choice(honest)


def _chat(
    scenario: str,
    slots: Slots,
    lang: str,
    rng: random.Random,
    slot_start: datetime,
    half: int | None = None,
    n_max: int = 3,
) -> list[dict[str, Any]]:
    msgs = CHAT.get(scenario, ())
    out = []
    t = slot_start - timedelta(minutes=rng.randint(20, 90))
    spk_map = {"P": "professional", "C": "customer"}
    for spk, en, hx in msgs[:n_max]:
        pool = en if lang in ("en", "kn-en") else hx
        t += timedelta(minutes=rng.randint(1, 12))
        out.append(
            {
                "from": spk_map[spk],
                "at": t.isoformat(),
                "text": slots.fill(rng.choice(_half(pool, half))),
            }
        )
    return out


def make_case(
    scenario: str, idx: int, rng: random.Random, opts: GenOptions, labeller: Labeller, prefix: str
) -> dict[str, Any]:
    meta = META[scenario]
    service = rng.choice(SERVICES)
    city = rng.choice(sorted(CITIES))
    lang = _pick_language(rng, opts.language_weights)
    slots = _make_slots(rng, service, city, lang)

    # Who opens the call.
    opener = meta.opener if meta.opener != "either" else rng.choice(("P", "C"))
    if rng.random() < 0.15:
        opener = "C" if opener == "P" else "P"  # hard negatives: the other side may call
    opening = OPEN_PRO_CALLS if opener == "P" else OPEN_CUST_CALLS

    conflict = scenario == "unclear" and rng.random() < opts.p_conflict_unclear
    if conflict:
        body = rng.choice(CONFLICTS + CONFLICTS_MORE)
    else:
        body = rng.choice(
            SCRIPTS[scenario] + MORE_SCRIPTS.get(scenario, ()) + PRETEXT_SCRIPTS.get(scenario, ())
        )
    # Some scripts greet on their own, and real calls often skip the pleasantries.
    turns: list[Turn] = _expand(opening, rng) if rng.random() < opts.p_opening else []
    if rng.random() < opts.p_context:
        ctx = rng.randrange(len(CONTEXT))
        turns.extend(CONTEXT[ctx : ctx + rng.choice((1, 2, 3))])
    if rng.random() < opts.p_filler_turn:
        turns.append(rng.choice(FILLERS))
    core = _expand(body, rng)
    if rng.random() < opts.p_filler_turn and len(core) > 2:
        core.insert(rng.randrange(1, len(core)), rng.choice(FILLERS))
    turns += core
    turns += _expand(rng.choice(CLOSE), rng)
    rendered = _render_turns(turns, slots, lang, rng, opts)

    day = datetime(2026, 1, 5, 9, 0) + timedelta(days=rng.randint(0, 150))
    from datetime import timezone

    ist = timezone(timedelta(hours=5, minutes=30))
    slot_start = day.replace(hour=rng.choice((9, 10, 11, 12, 14, 15, 16, 17)), tzinfo=ist)
    minutes = rng.randint(*meta.minutes)
    cancelled_at = slot_start - timedelta(minutes=minutes)
    canceller = rng.choices(
        [c for c, _ in meta.cancelled_by], weights=[w for _, w in meta.cancelled_by]
    )[0]

    transcript = _timed(rendered, rng)
    chat: list[dict[str, Any]] = []
    chat_only = rng.random() < opts.p_chat_only and scenario != "unclear"
    if chat_only or rng.random() < opts.p_chat:
        chat = _chat(
            scenario if not conflict else "unclear", slots, lang, rng, slot_start, opts.wording_half
        )
    if chat_only and chat:
        transcript = []
    case: dict[str, Any] = {
        "case_id": f"{prefix}-{scenario}-{idx:04d}",
        "service": service.key,
        "city": city,
        "language": lang,
        "booking": {
            "booking_id": f"B-{rng.randint(10000, 999999)}",
            "slot_start": slot_start.isoformat(),
        },
        "cancellation": {
            "cancelled_by": canceller,
            "cancelled_at": cancelled_at.isoformat(),
            "minutes_before_slot": minutes,
            "reason_selected": _reason(meta, canceller, rng, opts),
        },
        "signals": _signals(meta, rng),
        "transcript": transcript,
        "chat": chat,
    }
    case["label"] = labeller.label(scenario, case)
    return case


def generate(
    opts: GenOptions,
    n_per_scenario: int,
    seed: int,
    prefix: str,
    scenarios: Sequence[str] | None = None,
    labeller: Labeller | None = None,
) -> list[dict[str, Any]]:
    """``n_per_scenario`` cases for each scenario, deterministic in ``seed``."""
    labeller = labeller or Labeller(opts)
    ids = list(scenarios) if scenarios is not None else list(labeller.stage.catalogue.ids)
    missing = [s for s in ids if s not in SCRIPTS or s not in META]
    if missing:
        raise SystemExit(f"no templates for scenario(s) {missing}: add them to SCRIPTS and META")
    rng = random.Random(seed)
    cases = []
    for sid in ids:
        for i in range(n_per_scenario):
            cases.append(make_case(sid, i, rng, opts, labeller, prefix))
    random.Random(seed + 1).shuffle(cases)  # mixed order, so a head -n sample covers scenarios
    return cases


def member_file(seed: int) -> str:
    """The file name of the ensemble member generated with ``seed``."""
    return f"train-seed{seed}.jsonl.gz"


def write_jsonl(cases: Sequence[dict[str, Any]], path: Path) -> None:
    """One compact JSON object per line; gzip-compressed when ``path`` ends in .gz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(
        json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n" for case in cases
    )
    if path.suffix == ".gz":
        # mtime=0: the same cases give the same bytes, so a rerun leaves git clean.
        path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    else:
        path.write_text(text, encoding="utf-8")


def main(
    argv: Sequence[str] | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=GenOptions().seed)
    ap.add_argument("--per-scenario", type=int, default=GenOptions().per_scenario)
    ap.add_argument("--val-per-scenario", type=int, default=GenOptions().val_per_scenario)
    ap.add_argument("--out", type=Path, default=GenOptions().out_dir)
    ap.add_argument(
        "--wording-half",
        type=int,
        choices=(0, 1),
        default=None,
        help="only every other phrasing (see GenOptions.wording_half)",
    )
    ap.add_argument(
        "--member-seeds",
        type=int,
        nargs="*",
        default=GenOptions().member_seeds,
        help="seeds of the shortlister's further members (none: train.jsonl only)",
    )
    args = ap.parse_args(argv)
    opts = GenOptions(
        seed=args.seed,
        member_seeds=tuple(args.member_seeds),
        per_scenario=args.per_scenario,
        val_per_scenario=args.val_per_scenario,
        out_dir=args.out,
        wording_half=args.wording_half,
    )
    labeller = Labeller(opts)
    train = generate(opts, opts.per_scenario, opts.seed, "syn", labeller=labeller)
    # The held-out split comes from another seed, so no val case repeats a train draw.
    val = generate(opts, opts.val_per_scenario, opts.seed + 7919, "synval", labeller=labeller)
    write_jsonl(train, opts.out_dir / "train.jsonl")
    write_jsonl(val, opts.out_dir / "val.jsonl")
    for seed in opts.member_seeds:
        member = generate(opts, opts.per_scenario, seed, f"syn{seed}", labeller=labeller)
        write_jsonl(member, opts.out_dir / member_file(seed))
    log(
        f"wrote {len(train)} train and {len(val)} val cases to {opts.out_dir}, and "
        f"{len(opts.member_seeds)} member files of {len(train)} cases"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
