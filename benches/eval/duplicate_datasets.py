#!/usr/bin/env python3
"""Builds duplicate-detection datasets (`ticketlens eval duplicates` input) from public bug
data the same way the shared Hadoop files were built, so projects besides Hadoop can be
measured. Two sources:

  gitbugs: one project of the GitBugs export (Patil, Han and Jadon, SPIN 2024; CC BY 4.0),
    a bug CSV and its (issue, duplicate) pair CSV, from a clone of `av9ash/gitbugs`:
      python3 benches/eval/duplicate_datasets.py gitbugs --bugs SeaMonkey_bugs.csv \
          --pairs SeaMonkey_bugs-combined.csv --project seamonkey --out /tmp/seamonkey
    (run on Hadoop's files it reproduces the shared `hadoop-tickets.jsonl` exactly, and the
    shared queries as the first 70% of its queries).

  jira: a directory of Jira REST issue documents (`GET /rest/api/2/issue/KEY`, one JSON file
    per issue), such as a project folder of `SPEAR-SE/LogInBugReportsEmpirical_Data`'s
    `bug_reports/`; duplicate pairs are the issue links of type Duplicate:
      python3 benches/eval/duplicate_datasets.py jira --dir bug_reports/Zookeeper \
          --project zookeeper --out /tmp/zookeeper

Both write `<out>-tickets.jsonl` and `<out>-queries.jsonl`. The inputs are data and stay out
of this repository.

Derivation (as in the shared datasets' README): every bug report is a ticket, sorted by
(created_at, numeric id); pairs are merged into undirected edges, edges whose ends are not
both tickets are dropped, edges are grouped with union-find, and within each group every
report except the earliest becomes a query whose `duplicate_of` lists all earlier members of
its group, oldest first. Standard library only.
"""

import argparse
import csv
import json
import os
import re
import sys
from datetime import datetime, timezone


def iso(value):
    """An export time (Bugzilla's `2020-01-07 22:16:19+00:00`, Jira's `30/Sep/21 17:20`) as
    ISO 8601 UTC without a zone, the shared files' format; None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        t = datetime.strptime(value, "%d/%b/%y %H:%M")  # Jira's export: 30/Sep/21 17:20
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t.isoformat(timespec="seconds")


def clean_title(s):
    s = "".join(c for c in s if c == " " or c.isprintable())
    return re.sub(r"\s+", " ", s).strip()


def ticket(tid, project, title, body, status, priority, resolution, created, resolved, versions):
    resolution = (resolution or "").strip()
    return {
        "id": tid,
        "project": project,
        "title": clean_title(title or ""),
        "body": (body or "").replace("\r\n", "\n").replace("\r", "\n"),
        "status": (status or "").strip() or None,
        "priority": (priority or "").strip() or None,
        "resolution": resolution if resolution not in ("", "--") else None,
        "created_at": iso(created),
        "resolved_at": iso(resolved),
        "affects_versions": [v for v in versions if v],
    }


def read_gitbugs(a):
    """Tickets by id, and (id, id) pairs, from a GitBugs bug CSV and pair CSV."""
    csv.field_size_limit(sys.maxsize)
    tickets = {}
    with open(a.bugs, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tid = row["Issue id"].strip()
            tickets[tid] = ticket(
                tid, a.project, row.get("Summary"), row.get("Description"), row.get("Status"),
                row.get("Priority"), row.get("Resolution"), row.get("Created"),
                row.get("Resolved"), [(row.get("Affects Version/s") or "").strip()],
            )
    pairs = []
    with open(a.pairs, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if not row or not row[0].strip().isdigit():
                continue  # the header
            # several ids may share one quoted cell
            pairs += [(row[0].strip(), r) for r in re.findall(r"\d+", ",".join(row[1:]))]
    return tickets, pairs


def read_jira(a):
    """Tickets by Jira id, and pairs from the Duplicate issue links, from REST documents."""
    tickets, by_key, links = {}, {}, []
    for name in sorted(os.listdir(a.dir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(a.dir, name), encoding="utf-8") as f:
            try:
                doc = json.load(f)
            except ValueError:
                continue
        fields = doc.get("fields") or {}
        name_of = lambda field: (fields.get(field) or {}).get("name")
        tid = str(doc["id"])
        tickets[tid] = ticket(
            tid, a.project, fields.get("summary"), fields.get("description"), name_of("status"),
            name_of("priority"), name_of("resolution"), fields.get("created"),
            fields.get("resolutiondate"), [v.get("name") for v in fields.get("versions") or []],
        )
        by_key[doc["key"]] = tid
        for link in fields.get("issuelinks") or []:
            if (link.get("type") or {}).get("name", "").lower() != "duplicate":
                continue
            other = link.get("inwardIssue") or link.get("outwardIssue") or {}
            if other.get("key"):
                links.append((doc["key"], other["key"]))
    # a link to an issue outside the directory keeps its key, and is dropped below
    return tickets, [(by_key[x], by_key.get(y, y)) for x, y in links]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="source", required=True)
    g = sub.add_parser("gitbugs", help="a GitBugs bug CSV and its pair CSV")
    g.add_argument("--bugs", required=True, help="the project's bug CSV")
    g.add_argument("--pairs", required=True, help="the project's (issue, duplicate) pair CSV")
    j = sub.add_parser("jira", help="a directory of Jira REST issue documents")
    j.add_argument("--dir", required=True, help="one JSON file per issue")
    for s in (g, j):
        s.add_argument("--project", required=True, help="the project name written to each ticket")
        s.add_argument("--out", required=True, help="output prefix")
    a = p.parse_args()
    tickets, pairs = read_gitbugs(a) if a.source == "gitbugs" else read_jira(a)
    order = lambda tid: (tickets[tid]["created_at"] or "", int(tid))

    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges, dropped = set(), set()
    for left, right in pairs:
        if left == right:
            continue
        edge = tuple(sorted((left, right)))
        if left not in tickets or right not in tickets:
            dropped.add(edge)
        else:
            edges.add(edge)
    for x, y in edges:
        parent[find(x)] = find(y)
    groups = {}
    for x in {e for edge in edges for e in edge}:
        groups.setdefault(find(x), []).append(x)

    queries = []
    for members in groups.values():
        members.sort(key=order)
        for i, q in enumerate(members[1:], start=1):
            queries.append({"query": q, "duplicate_of": members[:i]})
    queries.sort(key=lambda q: order(q["query"]))

    with open(f"{a.out}-tickets.jsonl", "w", encoding="utf-8") as f:
        for tid in sorted(tickets, key=order):
            f.write(json.dumps(tickets[tid], ensure_ascii=False) + "\n")
    with open(f"{a.out}-queries.jsonl", "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q) + "\n")
    print(
        f"{len(tickets)} tickets, {len(edges)} distinct pairs ({len(dropped)} dropped: an end "
        f"is not a ticket), {len(groups)} groups, {len(queries)} queries -> {a.out}-*.jsonl"
    )


if __name__ == "__main__":
    main()
