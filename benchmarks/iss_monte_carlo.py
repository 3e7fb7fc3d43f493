"""Benchmark: the ISS-like Monte Carlo of impacts, 100,000 cases, in process and on two workers.

The sweep is ``examples/iss_monte_carlo.toml``: the 15-module ISS-like station of
``leaksim.stations.iss()``, a hole in a random module (equal odds), 1-100 mm across
(log-uniform), every hatch of that module closed after a log-normal response time (median
10 min, sigma 0.5), 6 h, isothermal, output every 10 min. The goal is under 60 s for 100,000
cases on two cores: a Dask ``LocalCluster`` of two single-threaded worker processes runs the
chunks (cluster start-up is reported apart). The in-process run (the compiled kernel's threads
on every core, the rest of the sweep in one Python thread) is timed in the
same run, and the rows of the two are checked to be identical.

Run ``python benchmarks/iss_monte_carlo.py --help`` for options.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from leaksim.sweep import load_sweep

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "iss_monte_carlo.toml"


def peak_rss_mib() -> float:
    """Peak resident memory of this process [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_on_workers(sweep, workers: int, chunk_size: int) -> dict:
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, Client(cluster) as client:
        start_up = time.perf_counter() - started
        t0 = time.perf_counter()
        result = sweep.run(client=client, chunk_size=chunk_size, progress=False)
        seconds = time.perf_counter() - t0
        worker_rss = client.run(peak_rss_mib)
    return {
        "result": result,
        "seconds": seconds,
        "start_up_s": start_up,
        "worker_peak_rss_mib": max(worker_rss.values()),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    parser.add_argument("--chunk-size", type=int, default=5_000)
    parser.add_argument("--no-in-process", action="store_true", help="skip the one-core run")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    sweep = load_sweep(EXAMPLE).replace(cases=args.cases)
    figures: dict = {"cases": args.cases, "chunk_size": args.chunk_size}
    distributed = run_on_workers(sweep, args.workers, args.chunk_size)
    result = distributed.pop("result")
    figures.update({f"workers_{k}": v for k, v in distributed.items()})
    figures["workers"] = args.workers
    figures["main_peak_rss_mib"] = peak_rss_mib()  # the rows live in this process
    figures["workers_us_per_case"] = 1e6 * distributed["seconds"] / args.cases
    per_case = figures["workers_us_per_case"]
    print(
        f"{args.workers} workers: {distributed['seconds']:.1f} s for {args.cases} cases "
        f"({per_case:.0f} us/case; cluster start {distributed['start_up_s']:.1f} s)"
    )
    if not args.no_in_process:
        t0 = time.perf_counter()
        local = sweep.run(chunk_size=args.chunk_size, progress=False)
        figures["in_process_seconds"] = time.perf_counter() - t0
        figures["in_process_peak_rss_mib"] = peak_rss_mib()
        pd.testing.assert_frame_equal(local.rows, result.rows, check_exact=True)
        figures["rows_identical"] = True
        print(f"in process: {figures['in_process_seconds']:.1f} s; rows identical")
    summary = result.summary()
    evacuate = summary["thresholds"]["evacuate"]["any_module"]
    figures["failed"] = summary["failed"]
    figures["evacuate_any_module"] = evacuate
    reserve = result.rows.filter(like="reserve.evacuate.").to_numpy(float).min(axis=1)
    figures["reserve_evacuate_p50_s"] = float(np.nanmedian(reserve))
    print(
        f"failed cases: {summary['failed']}; a module below 490 mmHg within 6 h in "
        f"{100 * evacuate['fraction']:.1f} % of cases "
        f"[{100 * evacuate['ci95_low']:.1f}, {100 * evacuate['ci95_high']:.1f}]"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    main()
