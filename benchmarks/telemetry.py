"""Benchmark: a 1,000,000-reading cabin log through the leak monitor, on one core.

The log: 100 m^3 of air (a module) read once a second for 11.6 days, 0.1 mmHg of noise, rounded to
0.1 mmHg, orbital temperature cycles of 0.5 K (92 min) in a temperature column, 1,000 gaps,
and a leak of Cd A = 0.05 mm^2 from day 3 that doubles at day 6 (760 mmHg falls to about
665 mmHg). Three ways through it:

* ``LeakMonitor.update_many`` on the arrays, in pieces of 65,536 readings (as ``watch`` reads a
  file), then ``finish``: the monitor alone;
* ``leaksim watch`` on the same log as a CSV file, end to end (reading and converting the
  text, the monitor, STATE.json and EVENTS.jsonl), in-process;
* ``LeakMonitor.update`` one reading at a time on the first 100,000 readings, scaled to the
  million: the cost of a Python call per reading, the way a live feed might call it.

The answers are checked too: the leak and its growth are dated within two blocks of the truth
and the final ``Cd A`` is within its interval. The batch fit of the whole log after the fact
(``leaksim.inverse.fit_leak``, which does not see the change points) is timed beside them for
scale. Each time is the fastest of ``--repeat`` runs, the first run of the process beside it.
Threads of numerical libraries are limited to one before numpy loads.

Run ``python benchmarks/telemetry.py --help`` for options.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402

from leaksim import cli  # noqa: E402
from leaksim.inverse import fit_leak, pressure_log  # noqa: E402
from leaksim.inverse._common import gas_constants  # noqa: E402
from leaksim.telemetry import LeakMonitor  # noqa: E402

MMHG = 133.322387415
T0 = 295.15
DAY = 86400.0
VOLUME = 100.0  # m^3


def make_log(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    """The synthetic log (see the module notes): exact orifice decay, then the sensor."""
    rng = np.random.default_rng(seed)
    r, psi = gas_constants("air")
    t = np.arange(float(n))
    temp = T0 + 0.5 * np.sin(2 * np.pi * t / (92 * 60.0))
    area = np.where(t >= 3 * DAY, 0.05e-6, 0.0)
    area = np.where(t >= 6 * DAY, 0.1e-6, area)
    rate = area * psi * np.sqrt(r * temp) / VOLUME
    log_mass = -np.concatenate([[0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]))])
    p = 760 * MMHG * np.exp(log_mass) * temp / T0
    p = np.round((p + rng.normal(0, 0.1 * MMHG, n)) / (0.1 * MMHG)) * 0.1 * MMHG
    p[rng.choice(n, 1000, replace=False)] = np.nan
    return {"time": t, "pressure": p, "temperature": temp}


def _monitor() -> LeakMonitor:
    return LeakMonitor(f"{VOLUME} m^3", pressure_noise="0.1 mmHg", pressure_resolution="0.1 mmHg")


def run_arrays(log, piece=65536):
    mon = _monitor()
    for i in range(0, log["time"].size, piece):
        sl = slice(i, i + piece)
        mon.update_many(log["time"][sl], log["pressure"][sl], log["temperature"][sl])
    return mon.finish()


def run_one_at_a_time(log, n):
    mon = _monitor()
    for t, p, temp in zip(
        log["time"][:n], log["pressure"][:n], log["temperature"][:n], strict=True
    ):
        mon.update(float(t), float(p), float(temp))
    return mon.finish()


def write_csv(log, path):
    with open(path, "w") as f:
        f.write("time [s], pressure [mmHg], temperature [K]\n")
        for t, p, temp in zip(log["time"], log["pressure"] / MMHG, log["temperature"], strict=True):
            f.write(f"{t:.0f}, {p:.1f}, {temp:.4f}\n")


def run_watch(csv_path, folder):
    state = os.path.join(folder, "STATE.json")
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        code = cli.main(
            ["watch", csv_path, "--volume", f"{VOLUME} m^3", "--pressure-noise", "0.1 mmHg"]
            + ["--json", state, "--events", os.path.join(folder, "EVENTS.jsonl")]
        )
    assert code == 0
    with open(state) as f:
        return json.load(f)


def timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def check(state) -> dict[str, float]:
    kinds = [a.kind for a in state.alarms]
    assert kinds == ["leak", "growth"], kinds
    leak, growth = state.alarms
    assert abs(leak.onset - 3 * DAY) <= 120 and abs(growth.onset - 6 * DAY) <= 120
    lo, hi = state.effective_area_ci
    assert lo <= 0.1e-6 <= hi, (lo, hi)
    return {
        "leak_delay_s": leak.time - 3 * DAY,
        "growth_delay_s": growth.time - 6 * DAY,
        "effective_area_mm2": state.effective_area * 1e6,
        "effective_area_ci_mm2": [lo * 1e6, hi * 1e6],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one-at-a-time", type=int, default=100_000, help="readings timed so")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()

    log = make_log(args.samples)
    times, state = timed(lambda: run_arrays(log), args.repeat)
    answers = check(state)
    single, _ = timed(lambda: run_one_at_a_time(log, args.one_at_a_time), 1)
    with tempfile.TemporaryDirectory() as folder:
        csv_path = os.path.join(folder, "log.csv")
        write_csv(log, csv_path)
        watch_times, data = timed(lambda: run_watch(csv_path, folder), args.repeat)
    assert [a["kind"] for a in data["alarms"]] == ["leak", "growth"]
    kept = np.isfinite(log["pressure"])
    batch = pressure_log(log["time"][kept], log["pressure"][kept], log["temperature"][kept])
    fit_times, _ = timed(
        lambda: fit_leak(batch, f"{VOLUME} m^3", pressure_uncertainty="0.1 mmHg"), 1
    )

    per_reading = single[0] / args.one_at_a_time
    figures = {
        "samples": args.samples,
        "update_many_s": {"fastest": min(times), "first": times[0], "all": times},
        "watch_csv_s": {"fastest": min(watch_times), "first": watch_times[0], "all": watch_times},
        "update_one_at_a_time_s_per_million": per_reading * 1e6,
        "fit_leak_whole_log_s": fit_times[0],
        "readings_per_s_update_many": args.samples / min(times),
        "answers": answers,
        "machine": {
            "cpu_count": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
    }
    print(
        f"{args.samples:,} readings: update_many {min(times):.2f} s (first {times[0]:.2f} s, "
        f"{args.samples / min(times):,.0f} readings/s); leaksim watch on the CSV "
        f"{min(watch_times):.2f} s; update one at a time {per_reading * 1e6:.1f} s per million; "
        f"fit_leak of the whole log {fit_times[0]:.2f} s"
    )
    print(
        f"leak detected {answers['leak_delay_s']:.0f} s after its start, growth "
        f"{answers['growth_delay_s']:.0f} s after; Cd A {answers['effective_area_mm2']:.5f} mm^2 "
        f"(truth 0.1, interval {answers['effective_area_ci_mm2'][0]:.5f} to "
        f"{answers['effective_area_ci_mm2'][1]:.5f})"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
