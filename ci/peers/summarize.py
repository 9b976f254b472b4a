#!/usr/bin/python3
"""Digest of a results file (docs/report-schema.md) for reports/peers/<peer>.score.

Prints the overall score and counts, then one line per case that did not pass or skip
(fail, waived, error), sorted: stable across runs (no timings, no transcripts), so a changed
digest means a changed verdict.

Usage: summarize.py RESULTS.json
"""

import json
import math
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        results = json.load(f)
    overall = results["scores"]["overall"]
    # Rounded down to a tenth of a percent, as the reports show it.
    percent = math.floor(overall["ratio"] * 1000) / 10
    counts = " ".join(f"{k} {overall[k]}" for k in ("pass", "fail", "skip", "waived", "error"))
    print(f"score {percent:.1f}% {counts}")
    rows = sorted(
        f"{case['outcome']} {case['full_id']} {case['level']} {case['spec']} {case['ref']}"
        for case in results["cases"]
        if case["outcome"] in ("fail", "waived", "error")
    )
    for row in rows:
        print(row)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
