#!/usr/bin/python3
"""Runs every example client under `atws-conformance check-client` and compares the verdicts
with expected.json. Normally started by run_all.sh (which installs the Node dependencies first).

    /usr/bin/python3 conformance/examples/run_all.py --conformance build/atws-conformance \\
        --mock-binary build/atws-mock [--only NAME-SUBSTRING] [--artifacts DIR]

Each run starts its own mock (check-client does), so runs do not disturb each other. For each
run it prints `ok NAME` or `MISMATCH NAME` with the differences and check-client's text report;
the reports (text, JSON, JUnit, HTML) go to --artifacts. Exit status 0 when every run matched.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def slug(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


def run_one(args, run, artifacts):
    name = run["name"]
    base = os.path.join(artifacts, slug(name))
    cmd = [args.conformance, "check-client", "--mock-binary", args.mock_binary, "--quiet",
           "--timeout", str(args.timeout), "--json", base + ".json", "--junit", base + ".xml",
           "--html", base + ".html", *run.get("check_client_args", []), "--",
           *[c if i == 0 or not os.path.exists(os.path.join(HERE, c)) else os.path.join(HERE, c)
             for i, c in enumerate(run["command"])]]
    start = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=args.timeout + 120)
    seconds = time.time() - start
    with open(base + ".txt", "w", encoding="utf-8") as f:
        f.write(proc.stdout)
    problems = []
    try:
        with open(base + ".json", encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        return [f"no JSON report ({e}); check-client exit status {proc.returncode}"], proc.stdout, seconds
    failed = set(report.get("failed_rules", []))
    expected = set(run.get("failed_rules", []))
    if failed - expected:
        problems.append(f"flagged but not expected: {sorted(failed - expected)}")
    if expected - failed:
        problems.append(f"expected but not flagged: {sorted(expected - failed)}")
    verdicts = {r["id"]: r["verdict"] for r in report.get("rules", [])}
    for rule in run.get("applicable_rules", []):
        if verdicts.get(rule) not in ("pass", "fail"):
            problems.append(f"{rule} was not judged ({verdicts.get(rule)}): the scenario did not "
                            "take effect")
    ok = report.get("command_result", {}).get("ok")
    if ok != run.get("command_ok", True):
        problems.append(f"command ended with {report.get('command_result', {}).get('description')}"
                        f" (command_ok {ok}, expected {run.get('command_ok', True)})")
    want_exit = 0 if run.get("passed") else 1
    if proc.returncode != want_exit:
        problems.append(f"check-client exit status {proc.returncode}, expected {want_exit}")
    return problems, proc.stdout, seconds


def main():
    root = os.path.dirname(os.path.dirname(HERE))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--conformance", default=os.path.join(root, "build", "atws-conformance"))
    p.add_argument("--mock-binary", default=os.path.join(root, "build", "atws-mock"))
    p.add_argument("--expected", default=os.path.join(HERE, "expected.json"))
    p.add_argument("--artifacts", default=os.path.join(root, "tests", "artifacts", "check-client"))
    p.add_argument("--only", default="", help="run only the runs whose name contains this")
    p.add_argument("--timeout", type=int, default=300, help="seconds per client (check-client --timeout)")
    args = p.parse_args()
    for path in (args.conformance, args.mock_binary):
        if not os.access(path, os.X_OK):
            print(f"run_all: {path} is missing or not executable (build it first)", file=sys.stderr)
            return 2
    with open(args.expected, encoding="utf-8") as f:
        runs = json.load(f)["runs"]
    os.makedirs(args.artifacts, exist_ok=True)
    mismatches = []
    for run in runs:
        if args.only and args.only not in run["name"]:
            continue
        problems, output, seconds = run_one(args, run, args.artifacts)
        if problems:
            mismatches.append(run["name"])
            print(f"MISMATCH {run['name']} ({seconds:.1f} s)")
            for pr in problems:
                print(f"  - {pr}")
            print("  check-client said:")
            print("\n".join("    " + line for line in output.splitlines()[-80:]))
        else:
            flagged = ", ".join(run.get("failed_rules", [])) or "nothing"
            print(f"ok {run['name']} ({seconds:.1f} s): flagged {flagged}", flush=True)
    print(f"\n{len(mismatches)} mismatch(es); reports in {args.artifacts}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
