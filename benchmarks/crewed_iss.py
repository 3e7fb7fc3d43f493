"""Benchmark: a crewed ISS-like station for 30 days, against a sealed one-module closed form.

The station of ``leaksim.stations.iss()`` (15 modules, every hatch but the PrK's open and
ventilated at the default 140 cfm, the PrK leak of April 2024) with seven crew, three in
Zvezda-RO and four in Destiny, and a 4 kg/day scrubber in Destiny, run for 30 days with output
every hour. The goal is under a second on this 2-core machine. The check beside the time: the
station's total CO2 grows at the crew's output less the scrubber's, the closed form of a
sealed, well-mixed station (the PrK, isolated and leaking, holds a negligible share).

Run ``python benchmarks/crewed_iss.py --help`` for options.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np

from leaksim import Crew
from leaksim.core.gas import MOLAR_GAS_CONSTANT, species_properties
from leaksim.station import Scrubber
from leaksim.stations import iss

DAY = 86400.0
CREW_CO2 = 0.998 / DAY  # NASA BVAD, kg/s per person
SCRUBBER = 4.0 / DAY  # kg/s


def scenario(days: float):
    """The crewed station for ``days``."""
    base = iss()
    station = dataclasses.replace(
        base.station,
        crew=[Crew(3, "Zvezda-RO"), Crew(4, "Destiny")],
        scrubbers=[Scrubber("Destiny", co2_removal=f"{SCRUBBER * DAY} kg/day")],
    )
    return dataclasses.replace(base, station=station, duration=f"{days} day", output_interval="1 h")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest is reported")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = scenario(args.days).run()
        times.append(time.perf_counter() - started)
    solution = result.solution
    volume = scenario(args.days).compile().network.modules.volume[0]
    co2 = result.partial_pressure_CO2.m_as("Pa")[0]  # (module, time)
    temperature = result.temperature.m_as("K")[0]
    moles = co2 * volume[:, None] / (MOLAR_GAS_CONSTANT * temperature)
    m_co2 = float(species_properties(("CO2",))[0][0])
    expected = (7 * CREW_CO2 - SCRUBBER) / m_co2 * args.days * DAY
    figures = {
        "days": args.days,
        "fastest_run_s": min(times),
        "first_run_s": times[0],
        "status": result.status[0],
        "steps": int(solution.n_steps[0]),
        "co2_gained_mol": float(np.nansum(moles[:, -1] - moles[:, 0])),
        "co2_gained_closed_form_mol": expected,
    }
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
