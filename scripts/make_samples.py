"""Build the sample call recordings shipped in samples/audio/ and their sample cases.

Each call is synthesised with espeak-ng (one voice per stereo channel, 8 kHz
like telephony audio) from a script written for the samples, and appended to
samples/cancellations.jsonl as a case that links the recording instead of a
transcript, so `make run` exercises speech recognition too. Re-running it
rewrites the same files.

    .venv/bin/python scripts/make_samples.py
"""

from __future__ import annotations

import json
from pathlib import Path

from referee.audio.synth import Noise, Turn, build_call

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "cancellations.jsonl"

CALLS = [
    {
        "case_id": "sample-11",
        "service": "salon_at_home",
        "city": "Bengaluru",
        "language": "en",
        "booking": {"booking_id": "SB-1011", "slot_start": "2026-09-12T17:00:00+05:30"},
        "cancellation": {
            "cancelled_by": "customer",
            "cancelled_at": "2026-09-12T16:50:00+05:30",
            "minutes_before_slot": 10,
            "reason_selected": "Other",
        },
        "signals": {
            "location": {"available": True, "min_distance_m": 3800},
            "pro_call_attempts": 0,
        },
        "turns": [
            Turn(
                "professional", "Hello ma'am, I am calling about your five o'clock facial booking."
            ),
            Turn("customer", "Yes, tell me. Are you coming?"),
            Turn(
                "professional",
                "Ma'am, the total will be two thousand, please pay me in cash, not in the app.",
            ),
            Turn(
                "customer", "Cash outside the app? No, I already paid online. I will not pay extra."
            ),
            Turn("professional", "Then I cannot come, ma'am. You can cancel it."),
            Turn("customer", "Fine, I am cancelling the booking."),
        ],
        "label": {
            "scenario": "pro_demanded_extra_payment",
            "responsible": "professional",
            "penalty": True,
        },
    },
    {
        "case_id": "sample-12",
        "service": "home_cleaning",
        "city": "Hyderabad",
        "language": "en",
        "booking": {"booking_id": "SB-1012", "slot_start": "2026-09-13T09:00:00+05:30"},
        "cancellation": {
            "cancelled_by": "professional",
            "cancelled_at": "2026-09-13T09:25:00+05:30",
            "minutes_before_slot": -25,
            "reason_selected": "Customer not available",
        },
        "signals": {"location": {"available": True, "min_distance_m": 60}, "pro_call_attempts": 3},
        "turns": [
            Turn("professional", "Good morning sir, I am outside your house for the cleaning."),
            Turn("customer", "Oh no, I am at the office today, there is nobody at home."),
            Turn(
                "professional",
                "Sir, I have been waiting here for twenty minutes and called you three times.",
            ),
            Turn("customer", "Sorry, I forgot about the booking. I cannot come back now."),
            Turn("professional", "Okay sir, then I will cancel it."),
        ],
        "label": {"scenario": "cust_not_available", "responsible": "customer", "penalty": True},
    },
]


def main() -> None:
    lines = [json.loads(line) for line in SAMPLES.read_text().splitlines() if line.strip()]
    ids = {c["case_id"] for c in CALLS}
    lines = [c for c in lines if c["case_id"] not in ids]
    for i, call in enumerate(CALLS):
        call = dict(call)
        turns = call.pop("turns")
        wav = ROOT / "samples" / "audio" / f"{call['case_id']}.wav"
        build_call(turns, wav, sample_rate=8000, opening=[Noise(seconds=2.0)], seed=i)
        call["recordings"] = [{"uri": f"audio/{wav.name}", "customer_channel": "left"}]
        call["chat"] = []
        lines.append(call)
        print(f"wrote {wav.relative_to(ROOT)} ({wav.stat().st_size // 1024} KiB)")
    SAMPLES.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in lines))


if __name__ == "__main__":
    main()
