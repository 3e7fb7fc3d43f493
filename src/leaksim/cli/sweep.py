"""``leaksim sweep``: run the ``[sweep]`` table of a scenario file (``docs/scenario-format.md``).

::

    leaksim sweep SCENARIO.toml [--cases N] [--seed S] [--out RESULTS.csv|.parquet]
                                [--json SUMMARY.json] [--chunk-size K]
                                [--dask SCHEDULER_ADDRESS] [--resume] [--quiet]

With ``--out``, finished chunks are kept in ``RESULTS.csv.parts/`` until RESULTS is written,
so a sweep stopped by Ctrl-C or a crash continues with ``--resume`` where it stopped.
"""

from __future__ import annotations

import argparse
import os
import shutil
from typing import Any

from ._common import EXIT_OK, _check_output, _print_error, _UsageError

__all__ = ["add_command"]

#: Folder of finished chunks beside the RESULTS file.
STORE_SUFFIX = ".parts"
#: Seconds to wait for a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT = 30.0
#: leaksim.sweep.DEFAULT_CHUNK_SIZE, written out: importing leaksim.sweep for it would load the
#: numerical libraries for --help (a test checks that the two agree).
DEFAULT_CHUNK_SIZE = 10_000


def add_command(commands: Any) -> None:
    """Add ``sweep`` to the command line's subcommands."""
    sweep = commands.add_parser(
        "sweep",
        help="run the [sweep] of a scenario file: many cases, in chunks",
        description="Run every case of a scenario file's [sweep] table in chunks, in this "
        "process or on a Dask cluster, and write one row per case and a summary. The same "
        "seed gives the same rows whatever the chunk size or engine.",
    )
    sweep.add_argument("scenario", metavar="SCENARIO.toml", help="scenario file with [sweep]")
    sweep.add_argument("--cases", type=_positive, metavar="N", help="number of cases")
    sweep.add_argument("--seed", type=_seed, metavar="S", help="seed of the random draws")
    sweep.add_argument(
        "--out", metavar="RESULTS.csv", help="write one row per case (.csv or .parquet)"
    )
    sweep.add_argument("--json", metavar="SUMMARY.json", help="write the summary as JSON")
    sweep.add_argument(
        "--chunk-size",
        type=_positive,
        default=DEFAULT_CHUNK_SIZE,
        metavar="K",
        help=f"cases solved together (default {DEFAULT_CHUNK_SIZE}); rows do not depend on it",
    )
    sweep.add_argument(
        "--dask", metavar="SCHEDULER_ADDRESS", help="run the chunks on this Dask scheduler"
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep from the chunks kept beside --out",
    )
    sweep.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar and no printed summary"
    )
    sweep.set_defaults(handler=_sweep)


def _positive(text: str) -> int:
    return _whole(text, 1)


def _seed(text: str) -> int:
    return _whole(text, 0)


def _whole(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
    return value


def _sweep(args: argparse.Namespace) -> int:
    """Load, check the outputs, run the chunks, write, report."""
    from ..sweep import load_sweep

    store = _check_paths(args)
    sweep = load_sweep(args.scenario)
    changes = {k: getattr(args, k) for k in ("cases", "seed") if getattr(args, k) is not None}
    sweep = sweep.replace(**changes) if changes else sweep
    client = _client(args.dask) if args.dask else None
    try:
        result = sweep.run(
            chunk_size=args.chunk_size,
            client=client,
            store=store,
            resume=args.resume,
            progress=False if args.quiet else None,
        )
    except KeyboardInterrupt:
        if store is not None:
            _print_error(
                f"finished chunks are kept in {store}; rerun with --resume to continue", "note"
            )
        raise
    finally:
        if client is not None:
            client.close()
    if args.out:
        result.write(args.out)
        _remove_store(store)
    if args.json:
        result.write_json(args.json)
    if not args.quiet:
        print(_format_summary(result, args.scenario))
    return EXIT_OK


def _check_paths(args: argparse.Namespace) -> str | None:
    """Refuse bad paths before any work; return the chunk folder, if any."""
    scenario = args.scenario
    if not os.path.isfile(scenario):
        what = "is a directory" if os.path.isdir(scenario) else "scenario file not found"
        raise _UsageError(f"{scenario}: {what}")
    seen = {os.path.realpath(scenario): "the scenario file"}
    for option in ("out", "json"):
        path = getattr(args, option)
        if path:
            _check_output(option, path, seen)
    if args.out and os.path.splitext(args.out)[1].lower() not in (".csv", ".parquet"):
        raise _UsageError(f"--out: results file must end in .csv or .parquet, got {args.out!r}")
    if args.resume and not args.out:
        raise _UsageError("--resume needs --out: the chunks are kept beside the results file")
    return args.out + STORE_SUFFIX if args.out else None


def _client(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise _UsageError(
            '--dask needs Dask\'s distributed scheduler: pip install "leaksim[dask]"'
        ) from None
    try:
        return Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise _UsageError(f"--dask: cannot reach the scheduler at {address!r}: {exc}") from None


def _remove_store(store: str | None) -> None:
    if store is not None:
        shutil.rmtree(store, ignore_errors=True)


def _format_summary(result: Any, source: str) -> str:
    summary = result.summary()
    lines = [
        f"{source}: {summary['cases']} cases, {summary['failed']} failed, seed {summary['seed']}"
    ]
    for name, by_module in summary["thresholds"].items():
        lines.append(f"threshold {name!r} reached (95 % interval):")
        for module, f in by_module.items():
            if f["fraction"] is None:
                continue
            where = "any module" if module == "any_module" else module
            lines.append(
                f"  {where:<16} {100 * f['fraction']:6.2f} %  "
                f"[{100 * f['ci95_low']:.2f}, {100 * f['ci95_high']:.2f}]  "
                f"({f['reached']} of {f['cases']})"
            )
    return "\n".join(lines)
