#!/usr/bin/env python3
"""Share of the modules a comment shows (the top 4) that carry fragility and owners, from
`ticketlens analyze --json` on reports given as JSON Lines ({"title", "body"} per line).

  python3 benches/eval/shown_coverage.py --bin target/debug/ticketlens \
      --config tomcat.toml --reports tomcat.jsonl
"""
import argparse
import json
import subprocess

p = argparse.ArgumentParser()
p.add_argument("--bin", required=True)
p.add_argument("--config", required=True)
p.add_argument("--reports", required=True)
p.add_argument("--shown", type=int, default=4)
a = p.parse_args()

shown = fragility = owners = 0
for line in open(a.reports):
    r = json.loads(line)
    out = subprocess.run(
        [a.bin, "--config", a.config, "analyze", "--body=" + r.get("body", "")[:20000], "--json", "--", r["title"]],
        capture_output=True, text=True, check=True,
    ).stdout
    for m in json.loads(out)["modules"][: a.shown]:
        shown += 1
        fragility += m.get("fragility") is not None
        owners += bool(m.get("owners"))
print(f"{shown} modules shown; with fragility {fragility / max(shown, 1):.0%}, with owners {owners / max(shown, 1):.0%}")
