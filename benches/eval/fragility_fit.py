#!/usr/bin/env python3
"""Chooses fragility weights on a fit set of repositories and dates, never the reported ones.

Every candidate weighting is scored from one mining pass per repository (`ticketlens eval
fragility --weights A --weights B …`); for each, the mean over (repository, date, level) of
the top-10% share of the next 180 days' real-fix touches (the commit classifier's bug fixes
and reverts) minus the best baseline's share. Prints one line per candidate and the best.

  python3 benches/eval/fragility_fit.py --bin target/debug/ticketlens \
      --repo /work/.mirror/pytest-dev+pytest/repo:main \
      --repo /work/.mirror/FasterXML+jackson-databind/repo:2.19 \
      --at 2021-01-01 --at 2022-06-01 --at 2023-06-01 \
      --weights 0.15,0,0,0.15,0,0,0.2,0.5 --weights 0,0,0,0.1,0,0,0.2,0.7
"""
import argparse
import json
import subprocess

p = argparse.ArgumentParser()
p.add_argument("--bin", required=True)
p.add_argument("--repo", action="append", required=True, help="PATH:BRANCH")
p.add_argument("--at", action="append", required=True)
p.add_argument("--weights", action="append", required=True)
a = p.parse_args()

gaps = {}
for spec in a.repo:
    path, branch = spec.rsplit(":", 1)
    cmd = [a.bin, "eval", "fragility", "--repo", path, "--branch", branch, "--json"]
    for d in a.at:
        cmd += ["--at", d]
    for w in a.weights:
        cmd += ["--weights", w]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    dec, i = json.JSONDecoder(), 0
    while i < len(out):
        while i < len(out) and out[i].isspace():
            i += 1
        if i >= len(out):
            break
        r, i = dec.raw_decode(out, i)
        for level in ("files", "modules"):
            rk = {x["ranking"]: x["top10"] for x in r[level]["rankings"]}
            best = max(v for k, v in rk.items() if k != "fragility")
            gaps.setdefault(r["weights"], []).append(rk["fragility"] - best)
results = {w: sum(g) / len(g) for w, g in gaps.items()}
for w, m in sorted(results.items(), key=lambda x: -x[1]):
    print(f"{w}: mean top-10% gap to the best baseline {m:+.4f} over {len(gaps[w])} cases")
best = max(results, key=results.get)
print(f"best {best} ({results[best]:+.4f})")
