"""Fuzz every reader and every CLI command with malformed input; count the escapes.

An escape is an input that does not end in one line naming the input and the problem
(exit 2): a traceback, the CLI's last-resort "unexpected error", a multi-line error, or
--json output that is not one JSON object. Prints a table and rewrites the table in
docs/reliability.md (between its markers).

    python benchmarks/fuzz_inputs.py                 # 10,000 cases per reader and for the CLI
    python benchmarks/fuzz_inputs.py --cases 500     # quicker
"""

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import fuzzcases as fz  # noqa: E402

DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- fuzz table: begin -->", "<!-- fuzz table: end -->"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10000, help="cases per reader and for the CLI")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-doc", action="store_true", help="do not rewrite docs/reliability.md")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="run these readers (and 'cli') only; their rows replace those in the doc")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bnn-fuzz-") as tmp:
        for name in fz.readers():
            if args.only and name not in args.only:
                continue
            t0 = time.perf_counter()
            c = fz.run_reader_cases(name, args.cases, args.seed, Path(tmp) / name)
            rows.append((name, c, time.perf_counter() - t0))
            print(f"{name}: {c['cases']} cases, {c['escapes']} escapes", file=sys.stderr)
            for e in c["examples"]:
                print("   ", e, file=sys.stderr)
        saved = []

        def setattr_(obj, attr, value):
            saved.append((obj, attr, getattr(obj, attr)))
            setattr(obj, attr, value)

        if not args.only or "cli" in args.only:
            fz.stand_ins(setattr_)
            t0 = time.perf_counter()
            c = fz.run_cli_cases(args.cases, args.seed, Path(tmp) / "cli")
            rows.append((f"CLI arguments ({c['commands']} commands)", c, time.perf_counter() - t0))
            for obj, attr, value in reversed(saved):
                setattr(obj, attr, value)
            for e in c["examples"]:
                print("   ", e, file=sys.stderr)
    table = [f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python "
             f"{platform.python_version()}, seed {args.seed}: "
             f"`python benchmarks/fuzz_inputs.py --cases {args.cases}`", "",
             "| input | cases | accepted | refused (one line, exit 2) | escapes | s |",
             "|---|---|---|---|---|---|"]
    for name, c, sec in rows:
        table.append(f"| {name} | {c['cases']} | {c['accepted']} | {c['refused']} | {c['escapes']} "
                     f"| {sec:.0f} |")
    text = "\n".join(table)
    print(text)
    if not args.no_doc and DOC.exists():
        doc = DOC.read_text()
        head, rest = doc.split(BEGIN, 1)
        old, tail = rest.split(END, 1)
        body = table[4:]
        if args.only:  # keep the rows of the readers that did not run
            new = {ln.split("|")[1].strip(): ln for ln in body}
            kept = [ln for ln in old.splitlines() if ln.startswith("| ") and not ln.startswith("| input")
                    and ln.split("|")[1].strip() not in new]
            order = [*fz.readers(), "CLI"]
            body = sorted(kept + body, key=lambda ln: next(
                (i for i, n in enumerate(order) if ln.split("|")[1].strip().startswith(n)), 99))
        text = "\n".join(table[:4] + body)
        DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")
    return 1 if any(c["escapes"] for _, c, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
