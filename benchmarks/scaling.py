"""Benchmark: how the cost of a sweep grows with cases and modules, against the closed-form floor.

Stations are chains of M modules of 50 m^3 (air at 760 mmHg, 22 degC) joined by open 1 m^2
hatches (Cd 0.8); each case has a hole in a random module, 1-30 mm across (log-uniform, Cd 0.6),
6 h, isothermal, output every 10 min: the ISS-like Monte Carlo without the crew, on a station
whose size is the variable. Every run goes through :class:`leaksim.sweep.Sweep` in this process
(one core), chunk size 10,000.

The floor: with the hatches open the chain falls as one volume, ``p = p0 exp(-t / tau)``
(``docs/physics.md``, Closed forms); evaluating that closed form for every case, module and
output time is what any solver must at least write, so its cost per case is the floor no solver
beats. The ratio leaksim / floor says how far the solver is from it.

Run ``python benchmarks/scaling.py --help`` for options.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from leaksim import Hatch, Leak, Module, Scenario, Station
from leaksim.core.flow import choked_flow_function
from leaksim.core.gas import (
    AIR,
    MOLAR_GAS_CONSTANT,
    heat_capacity_ratio,
    mixture_molar_heat_capacity,
    mixture_molar_mass,
    species_properties,
)
from leaksim.sweep import Choice, LogUniform, Sweep

VOLUME = 50.0
DURATION, INTERVAL = 6 * 3600.0, 600.0
P0, T0 = 101325.0, 295.15
HOLE_CD = 0.6


def chain_sweep(n_modules: int, n_cases: int) -> Sweep:
    """The sweep of one row of the table."""
    names = [f"M{i}" for i in range(n_modules)]
    station = Station(
        [Module(name, f"{VOLUME} m^3") for name in names],
        hatches=[
            Hatch([a, b], area="1 m^2", discharge_coefficient=0.8)
            for a, b in zip(names, names[1:], strict=False)
        ],
        leaks=[Leak(names[0], diameter="10 mm", discharge_coefficient=HOLE_CD, name="hole")],
    )
    scenario = Scenario(station, duration="6 h", output_interval="10 min")
    return Sweep(
        scenario,
        {
            "leak.hole.module": Choice(names),
            "leak.hole.diameter": LogUniform("1 mm", "30 mm"),
        },
        cases=n_cases,
        seed=1,
    )


def closed_form_seconds(diameter: np.ndarray, n_modules: int) -> float:
    """Time to evaluate the one-volume closed form on the (case, module, time) grid [s]."""
    species = tuple(AIR)
    x = np.array([AIR[s] for s in species])
    molar_mass, cp = species_properties(species)
    r = MOLAR_GAS_CONSTANT / mixture_molar_mass(x, molar_mass)
    gamma = float(heat_capacity_ratio(mixture_molar_heat_capacity(x, cp)))
    t = np.arange(0.0, DURATION + INTERVAL / 2, INTERVAL)
    best = math.inf
    for _ in range(3):  # best of three: the floor is short enough for timer noise to show
        start = time.perf_counter()
        area = HOLE_CD * math.pi / 4 * diameter**2
        tau = n_modules * VOLUME / (area * choked_flow_function(gamma) * math.sqrt(r * T0))
        p = P0 * np.exp(-t[None, :] / tau[:, None])
        out = np.broadcast_to(p[:, None, :], (len(diameter), n_modules, len(t))).copy()
        best = min(best, time.perf_counter() - start)
        assert np.isfinite(out).all()
    return best


def measure(n_modules: int, n_cases: int) -> dict:
    sweep = chain_sweep(n_modules, n_cases)
    start = time.perf_counter()
    result = sweep.run(progress=False)
    seconds = time.perf_counter() - start
    floor = closed_form_seconds(result.rows["leak.hole.diameter"].to_numpy(), n_modules)
    return {
        "modules": n_modules,
        "cases": n_cases,
        "seconds": seconds,
        "us_per_case": 1e6 * seconds / n_cases,
        "closed_form_us_per_case": 1e6 * floor / n_cases,
        "ratio_to_closed_form": seconds / floor,
        "failed": int((~result.ok).sum()),
    }


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--cases", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--max-work",
        type=float,
        default=1.6e6,
        help="skip rows whose cases x modules exceed this (default 1.6e6)",
    )
    parser.add_argument("--json", help="write the table to this file")
    args = parser.parse_args(argv)
    rows = []
    print("modules  cases      s      us/case  floor us/case  ratio  failed")
    for n_modules in args.modules:
        for n_cases in args.cases:
            if n_cases * n_modules > args.max_work:
                continue
            row = measure(n_modules, n_cases)
            rows.append(row)
            print(
                f"{n_modules:>7} {n_cases:>7} {row['seconds']:>7.1f} {row['us_per_case']:>10.1f}"
                f" {row['closed_form_us_per_case']:>13.2f} {row['ratio_to_closed_form']:>7.0f}"
                f" {row['failed']:>6}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
