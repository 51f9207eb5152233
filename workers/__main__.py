"""``python -m workers``: run a worker, create topics, or print consumer lag.

    python -m workers worker decide [--classifier llm|supplied] [--metrics-port N]
    python -m workers topics      # create the topics of the current settings
    python -m workers lag         # committed offset, end offset and lag per group/partition

The same worker command is ``referee worker STAGE``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from referee.errors import RefereeError
from workers.options import STAGES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker", help="run the worker of one stage, or all of them")
    w.add_argument("stage", choices=[*STAGES, "all"])
    w.add_argument(
        "--classifier",
        default="llm",
        choices=["llm", "supplied"],
        help="'supplied' (tests/benchmarks only) reads the scenario from the event",
    )
    w.add_argument("--metrics-port", type=int, default=None, help="0 turns metrics off")
    sub.add_parser("topics", help="create missing topics")
    lag = sub.add_parser("lag", help="print consumer lag per group and partition")
    lag.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    args = parser.parse_args(argv)

    try:
        if args.command == "worker":
            from workers.runner import run

            return run(args.stage, args.classifier, args.metrics_port)
        from referee.settings import Settings
        from workers.topics import consumer_lag, ensure_topics

        settings = Settings()
        if args.command == "topics":
            created = asyncio.run(ensure_topics(settings))
            print("created: " + (", ".join(created) or "(none)"))
            return 0
        rows = asyncio.run(consumer_lag(settings))
        if args.json:
            for row in rows:
                print(json.dumps(row))
        else:
            print(f"{'group':28} {'topic':36} {'part':>4} {'committed':>10} {'end':>10} {'lag':>8}")
            for r in rows:
                print(
                    f"{r['group']:28} {r['topic']:36} {r['partition']:>4} "
                    f"{r['committed']:>10} {r['end']:>10} {r['lag']:>8}"
                )
            print(f"total lag: {sum(r['lag'] for r in rows)}")
        return 0
    except RefereeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
