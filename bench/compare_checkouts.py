"""Two checkouts side by side: in-process time per page, alternated.

    python -m bench.compare_checkouts OLD_DIR NEW_DIR [--runs 3]

Each run builds the scale-1 demo database for one checkout in a fresh process
and times a few pages with Flask's test client (the median of 15 requests, the
median of 3 rounds); the checkouts take turns, so a machine that gets busier
affects both. Prints the medians and the ratio new/old. Make the old checkout
with `git worktree add /tmp/old <commit>`.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench.common import table

CHILD = Path(__file__).with_name("_checkout_pages.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, dict[str, list[float]]] = {}
    for _ in range(args.runs):
        for side, root in (("old", args.old), ("new", args.new)):
            done = subprocess.run(
                [sys.executable, str(CHILD), root, "3"],
                capture_output=True,
                text=True,
                check=True,
            )
            for name, ms in json.loads(done.stdout.strip().splitlines()[-1]).items():
                times.setdefault(name, {}).setdefault(side, []).append(ms)
    rows = []
    for name, sides in times.items():
        old, new = statistics.median(sides["old"]), statistics.median(sides["new"])
        rows.append([name, f"{old:.2f}", f"{new:.2f}", f"{new / old:.2f}"])
    print(table(["page", "old ms", "new ms", "new/old"], rows))


if __name__ == "__main__":
    main()
