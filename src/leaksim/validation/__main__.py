"""``python -m leaksim.validation --out DIR``: run every validation case and write the report.

Exit status 0 when every case passes, 1 when one fails (the report is written either way and
marks it), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .report import GROUPS, write_report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the validation cases and write the report.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None [-].

    Returns
    -------
    int
        0 if every case passes, 1 otherwise.
    """
    parser = argparse.ArgumentParser(
        prog="python -m leaksim.validation",
        description="Run leaksim's validation cases and write a Markdown report with figures.",
    )
    parser.add_argument("--out", default="docs/validation", help="folder for index.md and PNGs")
    parser.add_argument(
        "--group", action="append", choices=sorted(GROUPS), help="run only this group (repeatable)"
    )
    args = parser.parse_args(argv)
    groups = write_report(args.out, args.group)
    failed = [case.name for group in groups for case in group.cases if not case.passed]
    total = sum(len(group.cases) for group in groups)
    print(f"{total - len(failed)} of {total} validation cases pass; report in {args.out}")
    for name in failed:
        print(f"failed: {name}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
