"""``leaksim sweep``: run the ``[sweep]`` table of a scenario file (``docs/scenario-format.md``).

::

    leaksim sweep SCENARIO.toml [--cases N] [--seed S] [--out RESULTS.csv|.parquet]
                                [--json SUMMARY.json] [--chunk-size K]
                                [--dask SCHEDULER_ADDRESS] [--resume] [--quiet]

With ``--out``, finished chunks are kept in ``RESULTS.csv.parts/`` until RESULTS is written,
so a sweep stopped by Ctrl-C or a crash continues with ``--resume`` where it stopped; each chunk
is checked against the sweep before it is used, and the folder is locked while a sweep uses it,
so a second sweep on the same ``--out`` is refused. RESULTS and SUMMARY.json are written as one
set, both or neither.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
from typing import Any

from ..errors import ScenarioError
from ._common import EXIT_OK, _check_output, _note_a_cold_start, _print_error, _UsageError

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
    """A whole number as written, ``1e9`` and ``1_000`` included (a size is often written so;
    the sweep then refuses it if it is too large, saying so)."""
    try:
        value = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number == int(number)):
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        value = int(number)
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
    return value


def _sweep(args: argparse.Namespace) -> int:
    """Load, check the outputs, lock the store, run the chunks, write, report."""
    from ..sweep import load_sweep

    store = _check_paths(args)
    sweep = load_sweep(args.scenario)
    changes = {k: getattr(args, k) for k in ("cases", "seed") if getattr(args, k) is not None}
    try:
        sweep = sweep.replace(**changes) if changes else sweep
    except ScenarioError as err:
        raise err.located(f"{args.scenario}: [sweep] with {_options(changes)}") from None
    with _locked(store):
        try:
            sweep.check()
        except ScenarioError as err:
            raise err.located(f"{args.scenario}: [sweep.parameters]") from None
        result = _run(sweep, args, store)
        _write(result, args, store)
        _remove_store(store)
    if not args.quiet:
        print(_format_summary(result, args.scenario))
    return EXIT_OK


def _run(sweep: Any, args: argparse.Namespace, store: str | None) -> Any:
    client = _client(args.dask) if args.dask else None
    if client is None:  # Dask workers compile in their own processes
        _note_a_cold_start()
    try:
        return sweep.run(
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


def _write(result: Any, args: argparse.Namespace, store: str | None) -> None:
    """Write RESULTS and SUMMARY.json as one set: both replaced, or neither."""
    from .._io import atomic_files
    from ..errors import OutputError

    try:
        with atomic_files() as files:
            if args.out:
                kind = os.path.splitext(args.out)[1].lower().lstrip(".")
                with files.open(args.out, "wb" if kind == "parquet" else "w", newline="") as f:
                    result.write(f, format=kind)
            if args.json:
                with files.open(args.json) as f:
                    result.write_json(f)
    except OutputError as err:
        if store is None:
            raise
        raise OutputError(
            f"{err}; the finished chunks are kept in {store}: once the file can be written, "
            "rerun with --resume to write it without solving again"
        ) from None


def _locked(store: str | None) -> Any:
    """The store's lock, held from before its chunks are read until the results are written."""
    if store is None:
        return contextlib.nullcontext()
    from ..sweep.store import store_lock

    return store_lock(store)


def _options(changes: dict[str, int]) -> str:
    return " ".join(f"--{key} {value}" for key, value in changes.items())


def _check_paths(args: argparse.Namespace) -> str | None:
    """Refuse bad paths before any work; return the chunk folder, if any."""
    scenario = args.scenario
    if not os.path.exists(scenario):
        raise _UsageError(f"{scenario}: scenario file not found")
    if os.path.isdir(scenario):
        raise _UsageError(f"{scenario}: is a directory, not a scenario file")
    seen = {os.path.realpath(scenario): "the scenario file"}
    for option in ("out", "json"):
        path = getattr(args, option)
        if path:
            _check_output(option, path, seen)
    if args.out and os.path.splitext(args.out)[1].lower() not in (".csv", ".parquet"):
        raise _UsageError(f"--out: results file must end in .csv or .parquet, got {args.out!r}")
    if args.resume and not args.out:
        raise _UsageError("--resume needs --out: the chunks are kept beside the results file")
    if not args.out:
        return None
    store = args.out + STORE_SUFFIX
    if os.path.lexists(store) and not os.path.isdir(store):
        raise _UsageError(
            f"--out: {store}, where the finished chunks are kept, is a file; remove it, or "
            "write the results elsewhere"
        )
    return store


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
    """Counts, then per threshold the fractions of cases reaching it and the reserve times."""
    summary = result.summary()
    lines = [
        f"{source}: {summary['cases']} cases, {summary['failed']} failed, seed {summary['seed']}"
    ]
    rows = []
    for name, by_module in summary["thresholds"].items():
        reserve = summary["reserve_time_s"][name]
        rows.append((f"threshold {name!r}: {_COLUMNS}", None, None))
        rows.append((_ELSEWHERE, by_module["other_module"], reserve["first_other_module"]))
        rows.append((_ANYWHERE, by_module["any_module"], reserve["first_module"]))
        rows += [(f"  {m}", by_module[m], reserve[m]) for m in result.modules]
    width = max(len(label) for label, f, _ in rows if f is not None)
    for label, f, times in rows:
        if f is None:
            lines.append(label)
        elif f["fraction"] is not None:
            lines.append(
                f"{label:<{width}}  {100 * f['fraction']:6.2f} %  "
                f"[{100 * f['ci95_low']:.2f}, {100 * f['ci95_high']:.2f}]  "
                f"({f['reached']} of {f['cases']})  {_percentiles(times)}"
            )
    return "\n".join(lines)


#: Labels of the two fractions over modules: without, then with the holed module.
_ELSEWHERE = "  a module other than the leak's"
_ANYWHERE = "  any module, the leak's included"


#: What each line of a threshold gives.
_COLUMNS = "cases reaching it [95 % interval], and reserve time p5 / p50 / p95"


def _percentiles(times: dict[str, float | None]) -> str:
    return " / ".join(_duration(times[key]) for key in ("p5", "p50", "p95"))


def _duration(seconds: float | None) -> str:
    """A time in a unit that suits it: s below 2 min, min below 2 h, h below 2 days, else days."""
    if seconds is None:
        return "-"
    if seconds == float("inf"):
        return "never"
    for unit, size in (("day", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= 2 * size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"
