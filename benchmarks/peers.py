"""Benchmark: leaksim against the solvers a numerical engineer would pick instead, same physics.

Contenders, each run on the same cases at the same tolerance (relative 1e-6, absolute 1e-9 of
the largest module's initial moles, leaksim's defaults):

* ``leaksim``: ``Scenario.run()`` (or ``Sweep.run()`` for the ISS-like station), zones merged
  where the criterion of :mod:`leaksim.core.zones` allows, the default;
* ``leaksim-full``: the same with ``zones=False``, every module on the full network;
* ``numbalsoda``: LSODA compiled with the right-hand side as a numba ``cfunc``, called case by
  case from a numba-compiled loop (``pip install numbalsoda``; it has no wheel for every
  Python and then builds from source, which needs gfortran);
* ``diffrax``: Kvaerno5 (an ESDIRK method) with a PID step-size controller, ``jax.vmap`` over
  the cases, float64;
* ``scipy``: ``scipy.integrate.solve_ivp(method="LSODA")`` case by case with a right-hand side
  in Python floats (the baseline of ``two_modules.py``), on a sample of the cases;
* ``closed-form``: where the network falls as one volume (the two-module workload),
  ``p0 exp(-t / tau)`` on the output grid: what any solver must at least write.

The physics of the peers is leaksim's isothermal network of one gas (the right-hand side of
``leaksim.core.model.LeanModel``): the state is the moles of each module, ``p = N Ru T / V``;
a hatch carries the regularised orifice law of :func:`leaksim.core.flow.regularised_flux_and_slopes`
(Saad, Compressible Fluid Flow, 1993, pp. 98-106, times Modelica's ``regRoot`` factor
``(dp^2 / (dp^2 + delta^2))^(1/4)``, delta = 1 Pa), ``C_d A Phi / sqrt(M Ru T)`` mol/s, plus
the cabin fans' exchange ``Q (N_b / V_b - N_a / V_a)`` while it is open; the hole to vacuum is
always choked, ``C_d A psi* p / sqrt(M Ru T)``. Closing a hatch (the crew's response on the
ISS-like station) splits a peer's integration in two at the closing time.

Workloads: ``two-modules`` (the case of ``two_modules.py``: 60 and 40 m^3 behind an open
0.5 m^2 hatch, a 0.5-15 mm hole), ``chain`` (four 50 m^3 modules in a row behind 5 cm^2
hatches, a 1-20 mm hole in the end module; the hatches are too small for the modules to merge)
and ``iss`` (the sweep of ``examples/iss_monte_carlo.toml``: 15 modules, a hole in a random
module, its hatches closed after the crew's response time). Each runs 6 h with output every
10 min.

Every contender runs in its own process: a first call (importing numba or jax and compiling: the
peers without a disk cache, leaksim's kernel from its cache on disk once compiled), then up to
three warm calls while they take under 5 s together, the best of which is the warm figure; the
processes of the contenders alternate, repetition by repetition, so that a change in the
machine's load falls on all of them. Peak memory is the resident high-water mark of that process
(``getrusage``), beside the mark before the first call. Accuracy: the largest relative error of
the final pressures of every module against ``solve_ivp(method="Radau")`` at ``rtol=1e-11`` on a
sample of the cases (pressures below 1e-3 of the initial pressure are compared to that floor,
not to themselves), and on the ISS-like station the error of leaksim's threshold times. Then
the ISS-like sweep end to end as ``leaksim sweep`` runs it, in one process each: 100,000 cases
timed, a million for their peak memory (``--no-sweep`` skips them). Last, leaksim's cold start:
its first call on 1,000 chain cases in a fresh process with an empty numba cache, the kernel
compiled from nothing (``--no-cold-start`` skips it). The goals checked at the end are the
compiled core's (:data:`GOALS`, :data:`SWEEP_GOALS`, 15 s for a first call).

Run ``python benchmarks/peers.py --help`` for options; ``--quick`` is a smoke test (small
counts, one repetition), mostly the compilers' time.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from leaksim import Hatch, Leak, Module, Scenario, Station, ureg
from leaksim.core.flow import DEFAULT_REGULARISATION_PRESSURE, choked_flow_function
from leaksim.core.gas import (
    AIR,
    MOLAR_GAS_CONSTANT,
    heat_capacity_ratio,
    mixture_molar_heat_capacity,
    mixture_molar_mass,
    species_properties,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "iss_monte_carlo.toml"
DURATION, INTERVAL = 6 * 3600.0, 600.0
RTOL, ATOL = 1e-6, 1e-9  # leaksim's defaults; ATOL scales the largest initial moles
REFERENCE_RTOL, REFERENCE_ATOL = 1e-11, 1e-14
PRESSURE_FLOOR = 1e-3  # of the initial pressure: below it errors are measured against it
MAX_EVALUATIONS = 200_000  # the scipy loop stops a case after this many right-hand sides
MAX_STEPS = 200_000  # LSODA's steps between outputs (numbalsoda), diffrax's steps per segment
WARM_CALLS, WARM_BUDGET_S = 3, 5.0  # warm calls per process: the best is the warm figure

CONTENDERS = ("leaksim", "leaksim-full", "numbalsoda", "diffrax", "scipy", "closed-form")
WORKLOADS = ("two-modules", "chain", "iss")
DEFAULT_CASES = {
    "two-modules": [1_000, 10_000, 100_000],
    "chain": [1_000, 10_000, 100_000],
    "iss": [1_000],
}
QUICK_CASES = {"two-modules": [200], "chain": [100], "iss": [30]}
MISSING = {
    "numbalsoda": (
        "numbalsoda is not installed: pip install 'leaksim[bench]' (numbalsoda builds from "
        "source where it has no wheel, e.g. on Python 3.11: install gfortran first, "
        "apt-get install -y gfortran)"
    ),
    "diffrax": "jax and diffrax are not installed: pip install 'leaksim[bench]'",
}
REQUIRES = {"numbalsoda": ("numba", "numbalsoda"), "diffrax": ("jax", "diffrax")}

# ------------------------------------------------------------------------------------------
# The physics of the peers: one case's parameters as a flat vector, and its right-hand side.

#: Head of a case's parameter vector: modules, hatches, hole module, the hole's molar flow per
#: unit pressure, delta^2, r*, 2 g / (g - 1), 2 / g, (g - 1) / g, psi*; then Ru T / V of every
#: module, then per hatch: side a, side b, C_d A / sqrt(M Ru T), Q / V_a, Q / V_b, open (1/0).
HEAD = 10
HATCH = 6


def flux(pu, pd, delta2, r_star, c, e1, e2, psi_star):
    """``Phi = p_u Psi(max(r, r*)) reg(dp)`` of one hatch [Pa], for ``p_u >= p_d``.

    The flux of :func:`leaksim.core.flow.regularised_flux_and_slopes` in plain floats (the
    isentropic orifice law, Saad 1993 pp. 98-106, times ``(dp^2 / (dp^2 + delta^2))^(1/4)``):
    the subsonic branch as ``dp sqrt(p_u c r^e1 g(q)) / (dp^2 + delta^2)^(1/4)`` with
    ``g(q) = (1 - r^e2) / q``, its series below ``q = 1e-6``, so no ``sqrt(dp)`` is formed.
    Written once for the Python loops and, compiled by numba, for numbalsoda.
    """
    if pu <= 0.0:
        return 0.0
    dp = pu - pd
    q = max(dp / pu, 0.0)
    r = 1.0 - q
    d2 = dp * dp + delta2
    if r <= r_star:
        return pu * psi_star * math.sqrt(math.sqrt(dp * dp / d2))
    if q < 1e-6:
        g = e2 + 0.5 * e2 * (1.0 - e2) * q
    else:
        g = -math.expm1(e2 * math.log1p(-q)) / q
    return dp * math.sqrt(pu * c * math.exp(e1 * math.log(r)) * g) / math.sqrt(math.sqrt(d2))


def make_rhs(flux_function):
    """The right-hand side ``rhs(n, dn, p)`` of one case on its parameter vector ``p``.

    Takes the flux as an argument so that numba compiles the same body with a compiled flux
    (``njit(make_rhs(njit(flux)))``) that Python runs with :func:`flux`.
    """

    def rhs(n, dn, p):
        n_modules, n_hatches, hole = int(p[0]), int(p[1]), int(p[2])
        delta2, r_star, c, e1, e2, psi_star = p[4], p[5], p[6], p[7], p[8], p[9]
        for m in range(n_modules):
            dn[m] = 0.0
        dn[hole] = -p[3] * n[hole] * p[HEAD + hole]  # to vacuum: always choked
        base = HEAD + n_modules
        for k in range(n_hatches):
            j = base + HATCH * k
            if p[j + 5] == 0.0:
                continue
            a, b = int(p[j]), int(p[j + 1])
            pa, pb = n[a] * p[HEAD + a], n[b] * p[HEAD + b]
            if pa >= pb:
                flow = p[j + 2] * flux_function(pa, pb, delta2, r_star, c, e1, e2, psi_star)
            else:
                flow = -p[j + 2] * flux_function(pb, pa, delta2, r_star, c, e1, e2, psi_star)
            into_a = p[j + 4] * n[b] - p[j + 3] * n[a] - flow  # fans, then the pressure flow
            dn[a] += into_a
            dn[b] -= into_a

    return rhs


python_rhs = make_rhs(flux)


@dataclass(frozen=True)
class PeerNetwork:
    """The network of a workload as the peers see it: one gas at one temperature.

    Attributes
    ----------
    params : numpy.ndarray, shape (C, P)
        Each case's parameter vector (layout at :data:`HEAD`), hatches as open at t = 0.
    n0 : numpy.ndarray, shape (M,)
        Initial moles of each module [mol].
    close_time : numpy.ndarray, shape (C,)
        When the closing hatches of each case close [s]; inf for never.
    closes : numpy.ndarray, shape (C, K)
        Which hatches close then.
    t_eval : numpy.ndarray, shape (T,)
        Output times [s].
    p0 : float
        Initial pressure [Pa], the scale of the error floor.
    """

    params: np.ndarray
    n0: np.ndarray
    close_time: np.ndarray
    closes: np.ndarray
    t_eval: np.ndarray
    p0: float

    @property
    def n_modules(self) -> int:
        return self.n0.size

    @property
    def atol(self) -> float:
        """leaksim's absolute tolerance: ``ATOL`` of the largest module's moles [mol]."""
        return ATOL * float(self.n0.max())

    @property
    def rt_v(self) -> np.ndarray:
        """``Ru T / V`` of every module [Pa/mol]."""
        return self.params[0, HEAD : HEAD + self.n_modules]

    def take(self, cases: np.ndarray) -> PeerNetwork:
        """The same network on some of its cases."""
        return replace(
            self,
            params=self.params[cases],
            close_time=self.close_time[cases],
            closes=self.closes[cases],
        )

    def closed_params(self, case: int) -> np.ndarray:
        """Case ``case``'s parameter vector after its closing hatches closed."""
        row = self.params[case].copy()
        hatches = np.flatnonzero(self.closes[case])
        row[HEAD + self.n_modules + HATCH * hatches + 5] = 0.0
        return row


def air() -> tuple[float, float]:
    """Molar mass [kg/mol] and heat-capacity ratio [-] of leaksim's air."""
    names = tuple(AIR)
    x = np.array([AIR[n] for n in names])
    molar_mass, cp = species_properties(names)
    return float(mixture_molar_mass(x, molar_mass)), float(
        heat_capacity_ratio(mixture_molar_heat_capacity(x, cp))
    )


def peer_network(
    station: Station,
    hole_module: np.ndarray,
    hole_area: np.ndarray,
    hole_cd: float,
    close_time: np.ndarray | None = None,
) -> PeerNetwork:
    """The peers' network of a leaksim station of air at one temperature, with one hole per
    case (module index and area [m^2] per case) and, optionally, the hatches of the hole's
    module closing at ``close_time`` [s]."""
    n_cases = hole_module.size
    volume = np.array([float(m.si["volume"]) for m in station.modules])
    temperature = np.array([float(m.si["temperature"]) for m in station.modules])
    pressure = np.array([float(m.si["pressure"]) for m in station.modules])
    if np.ptp(temperature) > 0:
        raise ValueError("the peers model one temperature: the modules differ")
    names = [m.name for m in station.modules]
    molar_mass, gamma = air()
    ru_t = MOLAR_GAS_CONSTANT * temperature[0]
    per_pressure = 1.0 / math.sqrt(molar_mass * ru_t)  # C_d A Phi / sqrt(M Ru T) [mol/s]
    r_star = (2.0 / (gamma + 1.0)) ** (gamma / (gamma - 1.0))
    c, e1, e2 = 2.0 * gamma / (gamma - 1.0), 2.0 / gamma, (gamma - 1.0) / gamma
    psi_star = math.sqrt(c * math.exp(e1 * math.log(r_star)) * (1.0 - r_star**e2))
    hatches = []
    for hatch in station.hatches:
        a, b = (names.index(side) for side in hatch.between)
        cda = float(hatch.flow_area) * float(hatch.si["discharge_coefficient"])
        fans = float(hatch.si["ventilation"])
        is_open = float(bool(hatch.si["open"]))
        hatches.append([a, b, cda * per_pressure, fans / volume[a], fans / volume[b], is_open])
    head = np.empty((n_cases, HEAD))
    head[:, 0], head[:, 1], head[:, 2] = len(names), len(hatches), hole_module
    head[:, 3] = hole_cd * hole_area * per_pressure * float(choked_flow_function(gamma))
    head[:, 4:] = [DEFAULT_REGULARISATION_PRESSURE**2, r_star, c, e1, e2, psi_star]
    rt_v = np.broadcast_to(ru_t / volume, (n_cases, len(names)))
    links = np.broadcast_to(np.ravel(hatches), (n_cases, HATCH * len(hatches)))
    params = np.ascontiguousarray(np.hstack([head, rt_v, links]))
    sides = np.array([[names.index(s) for s in h.between] for h in station.hatches])
    closes = np.any(sides[None, :, :] == hole_module[:, None, None], axis=2)
    never = np.full(n_cases, np.inf)
    return PeerNetwork(
        params=params,
        n0=pressure * volume / ru_t,
        close_time=never if close_time is None else np.asarray(close_time, dtype=float),
        closes=closes if close_time is not None else np.zeros_like(closes),
        t_eval=np.arange(0.0, DURATION + 0.5 * INTERVAL, INTERVAL),
        p0=float(pressure.max()),
    )


# ------------------------------------------------------------------------------------------
# Workloads: leaksim's own definition of each, and the same cases for the peers.


@dataclass(frozen=True)
class Workload:
    """A workload at a case count: the leaksim job, the peers' network, the module names."""

    name: str
    n_cases: int
    leaksim_job: object  # a Scenario, or a Sweep for the ISS-like station
    peers: PeerNetwork
    modules: list[str]


def two_modules(n_cases: int) -> Workload:
    """The benchmark of ``two_modules.py``: 60 and 40 m^3, an open 0.5 m^2 hatch, a hole of
    0.5-15 mm (log-spaced) in the first module."""
    diameter = np.geomspace(0.5e-3, 15e-3, n_cases)
    return _one_hole("two-modules", [("A", 60.0), ("B", 40.0)], "0.5 m^2", diameter)


def chain(n_cases: int) -> Workload:
    """Four 50 m^3 modules in a row behind 5 cm^2 hatches, a hole of 1-20 mm (log-spaced) in
    the end module: the hatches are too small for the modules to fall as one."""
    diameter = np.geomspace(1e-3, 20e-3, n_cases)
    return _one_hole("chain", [(f"M{i}", 50.0) for i in range(4)], "5 cm^2", diameter)


def _one_hole(name, modules, hatch_area, diameter) -> Workload:
    names = [m for m, _ in modules]
    station = Station(
        [Module(m, f"{v} m^3", "760 mmHg", "22 degC") for m, v in modules],
        hatches=[
            Hatch([a, b], area=hatch_area, discharge_coefficient=0.8)
            for a, b in zip(names, names[1:], strict=False)
        ],
        leaks=[Leak(names[0], diameter=ureg.Quantity(diameter, "m"), discharge_coefficient=0.6)],
    )
    n_cases = diameter.size
    scenario = Scenario(station, duration="6 h", output_interval="10 min")
    area = math.pi / 4 * diameter**2
    peers = peer_network(station, np.zeros(n_cases, dtype=int), area, 0.6)
    return Workload(name, n_cases, scenario, peers, names)


def iss(n_cases: int) -> Workload:
    """The sweep of ``examples/iss_monte_carlo.toml`` at ``n_cases`` cases."""
    from leaksim.sweep import load_sweep

    sweep = load_sweep(EXAMPLE).replace(cases=n_cases)
    station = sweep.scenario.station
    names = [m.name for m in station.modules]
    drawn = sweep.sample()
    (leak,) = station.leaks
    if float(leak.si["start"]) != 0.0:
        raise ValueError("the peers open the hole at t = 0")
    hole = np.array([names.index(m) for m in drawn[f"leak.{leak.name}.module"]])
    area = math.pi / 4 * drawn[f"leak.{leak.name}.diameter"].to_numpy(float) ** 2
    close = drawn[f"leak.{leak.name}.isolate_after"].to_numpy(float)
    cd = float(leak.si["discharge_coefficient"])
    peers = peer_network(station, hole, area, cd, close)
    return Workload("iss", n_cases, sweep, peers, names)


BUILDERS = {"two-modules": two_modules, "chain": chain, "iss": iss}


def evacuation_level() -> float:
    """The ``evacuate`` threshold of the ISS-like sweep [Pa]."""
    from leaksim.sweep import load_sweep

    (level,) = [t for t in load_sweep(EXAMPLE).scenario.thresholds if t.name == "evacuate"]
    return float(level.si["pressure"])


# ------------------------------------------------------------------------------------------
# Contenders. Each returns the final pressure of every module (C, M) [Pa], a per-case success
# flag (C,) and, for leaksim on the ISS-like station, the evacuation threshold times (C, M).


def run_leaksim(work: Workload, cases: np.ndarray, zones: bool):
    """leaksim end to end (scenario or sweep, compilation, solution) on every case."""
    job = work.leaksim_job
    if work.name == "iss":
        rows = job.run(progress=False, zones=zones).rows
        final = rows[[f"final.{m}.pressure_Pa" for m in work.modules]].to_numpy(float)
        times = rows[[f"threshold.evacuate.{m}_s" for m in work.modules]].to_numpy(float)
        return final, (rows["status"] == "ok").to_numpy(), times
    result = job.run(zones=zones)
    return result.pressure.m_as("Pa")[:, :, -1].copy(), np.array(result.ok), None


_COMPILED: dict[str, object] = {}


def numbalsoda_solver():
    """numbalsoda's LSODA on the compiled right-hand side, looped over cases by numba."""
    if "numbalsoda" in _COMPILED:
        return _COMPILED["numbalsoda"]
    from numba import carray, cfunc, njit
    from numbalsoda import lsoda, lsoda_sig

    kernel = njit(make_rhs(njit(flux)))

    @cfunc(lsoda_sig)
    def rhs(t, u, du, p):
        n_modules, n_hatches = int(p[0]), int(p[1])
        size = HEAD + n_modules + HATCH * n_hatches
        kernel(carray(u, (n_modules,)), carray(du, (n_modules,)), carray(p, (size,)))

    @njit
    def solve_all(address, params, closed, n0, t_eval, close_time, rtol, atol, final, ok):
        for case in range(params.shape[0]):
            tc = close_time[case]
            if tc < t_eval[-1]:
                times = np.concatenate((t_eval[t_eval < tc], np.array([tc])))
                before, good = lsoda(address, n0.copy(), times, params[case], rtol, atol, MAX_STEPS)
                times = np.concatenate((np.array([tc]), t_eval[t_eval > tc]))
                start = before[-1].copy()
                after, later = lsoda(address, start, times, closed[case], rtol, atol, MAX_STEPS)
                final[case] = after[-1]
                ok[case] = good and later
            else:
                usol, good = lsoda(address, n0.copy(), t_eval, params[case], rtol, atol, MAX_STEPS)
                final[case] = usol[-1]
                ok[case] = good

    _COMPILED["numbalsoda"] = (rhs.address, solve_all)
    return _COMPILED["numbalsoda"]


def run_numbalsoda(work: Workload, cases: np.ndarray):
    address, solve_all = numbalsoda_solver()
    net = work.peers.take(cases)
    closed = np.array([net.closed_params(c) for c in range(cases.size)]).reshape(net.params.shape)
    final = np.empty((cases.size, net.n_modules))
    ok = np.zeros(cases.size, dtype=np.bool_)
    solve_all(
        address, net.params, closed, net.n0, net.t_eval, net.close_time, RTOL, net.atol, final, ok
    )
    return final * net.rt_v, ok, None


def diffrax_solver(net: PeerNetwork):
    """A jitted, vmapped diffrax solve of ``net``'s structure (Kvaerno5, PID control)."""
    two_phase = bool(np.any(np.isfinite(net.close_time)))
    key = f"diffrax-{net.params.shape[1]}-{two_phase}"
    if key in _COMPILED:
        return _COMPILED[key]
    import diffrax
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    m = net.n_modules
    head, links = net.params[0, :HEAD], net.params[0, HEAD + m :].reshape(-1, HATCH)
    delta2, r_star, c, e1, e2, psi_star = (float(v) for v in head[4:])
    a, b = links[:, 0].astype(int), links[:, 1].astype(int)
    scale, fan_a, fan_b = (jnp.asarray(links[:, i]) for i in (2, 3, 4))
    rt_v, ts, end = jnp.asarray(net.rt_v), jnp.asarray(net.t_eval), float(net.t_eval[-1])

    def jax_flux(pu, pd):
        # leaksim.core.flow.regularised_flux_and_slopes; the unused branch of each `where`
        # gets safe arguments so that the autodiff Jacobian of Kvaerno5 stays finite.
        dp = pu - pd
        positive = pu > 0.0
        pu_safe = jnp.where(positive, pu, 1.0)
        q = jnp.maximum(jnp.where(positive, dp / pu_safe, 0.0), 0.0)
        choked, small = 1.0 - q <= r_star, q < 1e-6
        q_safe = jnp.where(small | choked, 0.5, q)
        g = jnp.where(
            small, e2 + 0.5 * e2 * (1.0 - e2) * q, -jnp.expm1(e2 * jnp.log1p(-q_safe)) / q_safe
        )
        r = jnp.where(choked, 1.0, 1.0 - q)
        subsonic = dp * jnp.sqrt(pu_safe * c * jnp.exp(e1 * jnp.log(r)) * g)
        subsonic = subsonic / jnp.sqrt(jnp.sqrt(dp * dp + delta2))
        dp_c = jnp.where(choked, dp, 1.0)
        choked_flux = pu_safe * psi_star * jnp.sqrt(jnp.sqrt(dp_c * dp_c / (dp_c * dp_c + delta2)))
        return jnp.where(positive, jnp.where(choked, choked_flux, subsonic), 0.0)

    def rhs(t, n, args):
        is_open, hole_scale, hole_mask = args
        p = n * rt_v
        pa, pb = p[a], p[b]
        forward = pa >= pb
        phi = jax_flux(jnp.where(forward, pa, pb), jnp.where(forward, pb, pa))
        into_a = is_open * (fan_b * n[b] - fan_a * n[a] - scale * jnp.where(forward, phi, -phi))
        dn = -hole_scale * hole_mask * p
        return dn.at[a].add(into_a).at[b].add(-into_a)

    term, solver = diffrax.ODETerm(rhs), diffrax.Kvaerno5()
    controller = diffrax.PIDController(rtol=RTOL, atol=net.atol)

    def segment(t0, t1, y0, args):
        return diffrax.diffeqsolve(
            term,
            solver,
            t0,
            t1,
            None,
            y0,
            args,
            saveat=diffrax.SaveAt(ts=jnp.clip(ts, t0, t1)),
            stepsize_controller=controller,
            max_steps=MAX_STEPS,
            throw=False,
        )

    def one(y0, open_1, open_2, hole_scale, hole_mask, close_time):
        switch = jnp.minimum(close_time, end) if two_phase else end
        first = segment(0.0, switch, y0, (open_1, hole_scale, hole_mask))
        ok = first.result == diffrax.RESULTS.successful
        if not two_phase:
            return first.ys, ok
        second = segment(switch, end, first.ys[-1], (open_2, hole_scale, hole_mask))
        ys = jnp.where((ts <= switch)[:, None], first.ys, second.ys)
        return ys, ok & (second.result == diffrax.RESULTS.successful)

    _COMPILED[key] = jax.jit(jax.vmap(one, in_axes=(None, 0, 0, 0, 0, 0)))
    return _COMPILED[key]


def run_diffrax(work: Workload, cases: np.ndarray):
    net = work.peers.take(cases)
    solve = diffrax_solver(net)
    m = net.n_modules
    is_open = net.params[:, HEAD + m + 5 :: HATCH]
    hole = net.params[:, 2].astype(int)
    hole_mask = (np.arange(m)[None, :] == hole[:, None]).astype(float)
    ys, ok = solve(
        net.n0,
        is_open,
        is_open * ~net.closes,
        net.params[:, 3],
        hole_mask,
        net.close_time,
    )
    return np.asarray(ys)[:, -1, :] * net.rt_v, np.asarray(ok), None


class _Stalled(Exception):
    """The per-case solver exceeded its budget of right-hand-side evaluations."""


def solve_case(net: PeerNetwork, case: int, method: str, rtol: float, atol: float, budget=None):
    """One case with ``solve_ivp``, in two segments where hatches close; the solutions."""
    tc = net.close_time[case]
    end = net.t_eval[-1]
    segments = [(0.0, min(tc, end), net.params[case])]
    if tc < end:
        segments.append((tc, end, net.closed_params(case)))
    y, out = net.n0.copy(), []
    m = net.n_modules
    for t0, t1, row in segments:
        p = row.tolist()
        count = [0]

        def fun(t, n, p=p, count=count):
            count[0] += 1
            if budget is not None and count[0] > budget:
                raise _Stalled
            dn = [0.0] * m
            python_rhs(n.tolist(), dn, p)
            return dn

        t_eval = net.t_eval[(net.t_eval >= t0) & (net.t_eval <= t1)]
        sol = solve_ivp(
            fun,
            (t0, t1),
            y,
            method=method,
            t_eval=np.union1d(t_eval, [t1]),
            rtol=rtol,
            atol=atol,
            dense_output=method == "Radau",
        )
        y = sol.y[:, -1]
        out.append(sol)
    return out


def run_scipy(work: Workload, cases: np.ndarray):
    """``solve_ivp`` LSODA case by case; a case that stalls is stopped and counted as failed."""
    net = work.peers
    final = np.full((cases.size, net.n_modules), np.nan)
    ok = np.zeros(cases.size, dtype=bool)
    for i, case in enumerate(cases):
        try:
            sols = solve_case(net, case, "LSODA", RTOL, net.atol, MAX_EVALUATIONS)
            final[i], ok[i] = sols[-1].y[:, -1] * net.rt_v, all(s.success for s in sols)
        except _Stalled:
            pass
    return final, ok, None


def run_reference(work: Workload, cases: np.ndarray):
    """Radau at rtol 1e-11 case by case; on the ISS-like station also the threshold times."""
    net = work.peers
    level = evacuation_level() if work.name == "iss" else None
    final = np.empty((cases.size, net.n_modules))
    times = np.full((cases.size, net.n_modules), np.nan)
    ok = np.zeros(cases.size, dtype=bool)
    for i, case in enumerate(cases):
        sols = solve_case(net, case, "Radau", REFERENCE_RTOL, REFERENCE_ATOL * net.n0.max())
        final[i], ok[i] = sols[-1].y[:, -1] * net.rt_v, all(s.success for s in sols)
        if level is not None:
            times[i] = first_crossings(sols, net.rt_v, level)
    return final, ok, times if level is not None else None


def first_crossings(sols, rt_v: np.ndarray, level: float) -> np.ndarray:
    """When each module's pressure first falls to ``level`` on dense Radau solutions [s]."""
    times = np.full(rt_v.size, np.nan)
    for sol in sols:
        grid = np.unique(np.concatenate([sol.sol.ts, sol.t]))
        pressure = sol.sol(grid) * rt_v[:, None]
        for m in np.flatnonzero(np.isnan(times) & np.any(pressure <= level, axis=1)):
            k = int(np.argmax(pressure[m] <= level))
            if k == 0:
                times[m] = grid[0]
                continue
            times[m] = brentq(
                lambda t, m=m, dense=sol.sol: dense(t)[m] * rt_v[m] - level,
                grid[k - 1],
                grid[k],
                xtol=1e-9,
            )
    return times


def run_closed_form(work: Workload, cases: np.ndarray):
    """``p0 exp(-t / tau)`` of the network as one volume, on the output grid of every module."""
    if work.name != "two-modules":
        raise ValueError("the closed form is that of two modules falling as one volume")
    net = work.peers
    volume = 1.0 / net.rt_v  # V / (Ru T)
    tau = volume.sum() / net.params[cases, 3]  # moles per pressure over the hole's flow
    decay = np.exp(-net.t_eval[None, :] / tau[:, None])
    grid = net.p0 * np.broadcast_to(decay[:, None, :], (cases.size, net.n_modules, decay.shape[1]))
    grid = np.ascontiguousarray(grid)  # written out, as a solver's output would be
    return grid[:, :, -1].copy(), np.ones(cases.size, dtype=bool), None


RUNNERS = {
    "leaksim": lambda w, c: run_leaksim(w, c, zones=True),
    "leaksim-full": lambda w, c: run_leaksim(w, c, zones=False),
    "numbalsoda": run_numbalsoda,
    "diffrax": run_diffrax,
    "scipy": run_scipy,
    "closed-form": run_closed_form,
    "reference": run_reference,
}


# ------------------------------------------------------------------------------------------
# One contender in its own process.


def peak_rss_mib() -> float:
    """Resident high-water mark of this process [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(spec: dict) -> None:
    """Run one contender on one workload: a first call, then up to ``WARM_CALLS`` warm calls
    while they take under ``WARM_BUDGET_S`` together (at least one); save the figures.

    Each call starts after the previous one's result was dropped (the runners return small
    copies), so that no contender runs beside a dead result's memory.
    """
    if spec.get("sweep"):
        sweep_worker(spec)
        return
    work = BUILDERS[spec["workload"]](spec["cases"])
    cases = np.load(spec["indices"])
    runner = RUNNERS[spec["contender"]]
    baseline = peak_rss_mib()
    seconds: list[float] = []
    final = ok = times = None
    while len(seconds) < 1 + spec["warm_calls"] and (
        len(seconds) < 2 or sum(seconds[1:]) < WARM_BUDGET_S
    ):
        final = ok = times = None
        start = time.perf_counter()
        final, ok, times = runner(work, cases)
        seconds.append(time.perf_counter() - start)
    figures = {
        "seconds": seconds,
        "peak_rss_mib": peak_rss_mib(),
        "baseline_rss_mib": baseline,
        "failed": int(np.count_nonzero(~ok)),
        "p0": work.peers.p0,
    }
    arrays = {"final": final}
    if times is not None:
        arrays["threshold_s"] = times
    np.savez(spec["arrays"], **arrays)
    Path(spec["figures"]).write_text(json.dumps(figures))


def in_subprocess(spec: dict, folder: Path) -> dict:
    """Run :func:`worker` in a fresh interpreter; its figures and arrays, or its error."""
    tag = f"{spec['workload']}-{spec['cases']}-{spec['contender']}-{spec['rep']}"
    spec = {**spec, "arrays": str(folder / f"{tag}.npz"), "figures": str(folder / f"{tag}.json")}
    figures = _worker_figures(spec)
    if "error" in figures:
        return figures
    with np.load(spec["arrays"]) as arrays:
        figures["arrays"] = {k: arrays[k] for k in arrays.files}
    return figures


def _worker_figures(spec: dict) -> dict:
    """Run ``--worker spec`` in a fresh interpreter: the figures it saved, or its error."""
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    if spec.get("numba_cache"):  # a cold start: numba compiles into an empty cache
        env["NUMBA_CACHE_DIR"] = spec["numba_cache"]
    done = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "no output"}
    return json.loads(Path(spec["figures"]).read_text())


def sweep_worker(spec: dict) -> None:
    """Run the ISS-like sweep (``examples/iss_monte_carlo.toml``) at ``spec["cases"]`` cases in
    this process, as ``leaksim sweep`` does (chunks of 5,000 cases, the kernel's threads on
    every core); save its time, peak memory and failures."""
    from leaksim.sweep import load_sweep

    sweep = load_sweep(EXAMPLE).replace(cases=spec["cases"])
    baseline = peak_rss_mib()
    start = time.perf_counter()
    result = sweep.run(chunk_size=SWEEP_CHUNK, progress=False)
    seconds = time.perf_counter() - start
    figures = {
        "seconds": seconds,
        "peak_rss_mib": peak_rss_mib(),
        "baseline_rss_mib": baseline,
        "failed": int(result.summary()["failed"]),
    }
    Path(spec["figures"]).write_text(json.dumps(figures))


def measure_sweeps(folder: Path) -> list[dict]:
    """The ISS-like sweep end to end at each of :data:`SWEEP_GOALS`' case counts, each in a
    fresh interpreter (its peak memory its own), on the compile cache the runs left."""
    figures = []
    for n, _, _ in SWEEP_GOALS:
        print(f"\niss sweep, {n:,} cases in one process ...", flush=True)
        spec = {"sweep": True, "cases": n, "figures": str(folder / f"sweep-{n}.json")}
        run = {"cases": n, **_worker_figures(spec)}
        if "error" not in run:
            print(f"{run['seconds']:.1f} s, peak {run['peak_rss_mib']:.0f} MiB", flush=True)
        figures.append(run)
    return figures


# ------------------------------------------------------------------------------------------
# The parent: case sets, interleaved runs, accuracy, the table.


def spread(n: int, k: int) -> np.ndarray:
    """``k`` indices spread evenly over ``range(n)`` (all of them when ``k >= n``)."""
    return np.unique(np.linspace(0, n - 1, min(k, n)).round().astype(int))


def case_sets(n: int, args) -> dict[str, np.ndarray]:
    """Nested case sets: the reference's within the scipy loop's within diffrax's, within all."""
    everything = np.arange(n)
    jax_cases = spread(n, args.max_diffrax)
    loop = jax_cases[spread(jax_cases.size, args.sample)]
    reference = loop[spread(loop.size, args.reference)]
    sets = {name: everything for name in CONTENDERS}
    sets.update({"diffrax": jax_cases, "scipy": loop, "reference": reference})
    return sets


def available(contenders: list[str], workload: str) -> list[str]:
    """The contenders that can run; a printed line for each that cannot."""
    ready = []
    for name in contenders:
        if name == "closed-form" and workload != "two-modules":
            continue
        missing = [m for m in REQUIRES.get(name, ()) if importlib.util.find_spec(m) is None]
        if missing:
            print(f"{name}: skipped, {MISSING[name]}")
            continue
        ready.append(name)
    return ready


def relative_error(final: np.ndarray, reference: np.ndarray, p0: float) -> float:
    """Largest ``|p - p_ref| / max(p_ref, PRESSURE_FLOOR p0)`` over cases and modules."""
    scale = np.maximum(np.abs(reference), PRESSURE_FLOOR * p0)
    return float(np.nanmax(np.abs(final - reference) / scale))


def measure(workload: str, n: int, contenders: list[str], args, folder: Path) -> dict:
    """One workload at one case count: the reference, then the contenders interleaved."""
    sets = case_sets(n, args)
    for name, indices in sets.items():
        np.save(folder / f"{workload}-{n}-{name}.npy", indices)
    base = {"workload": workload, "cases": n}

    def spec(name, rep, calls):
        indices = str(folder / f"{workload}-{n}-{name}.npy")
        return {**base, "contender": name, "rep": rep, "warm_calls": calls, "indices": indices}

    print(f"\n{workload}, {n:,} cases: reference (Radau, rtol {REFERENCE_RTOL:g}) ...", flush=True)
    reference = in_subprocess(spec("reference", 0, 0), folder)
    if "error" in reference:
        raise RuntimeError(f"the reference failed: {reference['error']}")
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    for rep in range(args.repeat):
        order = contenders if rep % 2 == 0 else contenders[::-1]
        for name in order:
            runs[name].append(in_subprocess(spec(name, rep, WARM_CALLS), folder))
    p0 = reference["p0"]
    record = {**base, "reference_cases": int(sets["reference"].size), "contenders": {}}
    for name in contenders:
        record["contenders"][name] = summarise(runs[name], sets, name, reference, p0)
    return record


#: The cold start: leaksim's first call on the full network of this workload and case count,
#: in a fresh process whose numba cache is empty (the kernel compiled from nothing).
COLD_START = ("chain", 1_000)


def measure_cold(args, folder: Path) -> dict:
    """leaksim's first call with an empty compile cache, and its warm call, per repetition."""
    workload, n = COLD_START
    indices = folder / f"cold-{workload}-{n}.npy"
    np.save(indices, np.arange(n))
    print(f"\n{workload}, {n:,} cases: leaksim-full from an empty numba cache ...", flush=True)
    first, warm = [], []
    for rep in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:
            spec = {
                "workload": workload,
                "cases": n,
                "contender": "leaksim-full",
                "rep": f"cold{rep}",
                "warm_calls": 1,
                "indices": str(indices),
                "numba_cache": cache,
            }
            figures = in_subprocess(spec, folder)
        if "error" in figures:
            return {"workload": workload, "cases": n, "error": figures["error"]}
        first.append(round(figures["seconds"][0], 2))
        warm.append(round(figures["seconds"][1], 4))
    print(f"first call {min(first):.1f}-{max(first):.1f} s, warm {min(warm):.3f} s", flush=True)
    return {"workload": workload, "cases": n, "first_call_s": first, "warm_call_s": warm}


def summarise(runs: list[dict], sets: dict, name: str, reference: dict, p0: float) -> dict:
    """Figures of one contender over its repetitions, and its error against the reference."""
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        return {"error": errors[0]}
    n_run = int(sets[name].size)
    first = [r["seconds"][0] for r in runs]
    warm = [min(r["seconds"][1:]) for r in runs]
    where = np.searchsorted(sets[name], sets["reference"])
    final = runs[-1]["arrays"]["final"][where]
    ref = reference["arrays"]
    out = {
        "cases_run": n_run,
        "first_call_s": [round(s, 4) for s in first],
        "warm_call_s": [round(s, 4) for s in warm],
        "calls_per_process": [len(r["seconds"]) for r in runs],
        "us_per_case_warm": round(1e6 * min(warm) / n_run, 2),
        "us_per_case_first": round(1e6 * min(first) / n_run, 2),
        "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
        "rss_before_first_call_mib": round(max(r["baseline_rss_mib"] for r in runs), 1),
        "failed": runs[-1]["failed"],
        "max_rel_error_final": relative_error(final, ref["final"], p0),
    }
    if "threshold_s" in runs[-1]["arrays"] and "threshold_s" in ref:
        mine, theirs = runs[-1]["arrays"]["threshold_s"][where], ref["threshold_s"]
        both = np.isfinite(mine) & np.isfinite(theirs)
        out["max_threshold_error_s"] = float(np.max(np.abs(mine - theirs)[both], initial=0.0))
        out["threshold_disagreements"] = int(np.count_nonzero(np.isfinite(mine) != both))
    return out


def machine() -> dict:
    """What the figures were measured on."""
    versions = {}
    for package in ("leaksim", "numpy", "scipy", "numba", "numbalsoda", "jax", "diffrax"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((ln.split(":", 1)[1].strip() for ln in lines if "model name" in ln), "")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions,
        "load_average_start": [round(v, 2) for v in os.getloadavg()],
    }


def print_table(record: dict) -> None:
    print(f"\n{record['workload']}, {record['cases']:,} cases")
    print(
        f"{'contender':>13} {'cases':>7} {'us/case':>9} {'first s':>8} {'warm s':>8} "
        f"{'RSS MiB':>8} {'max rel err':>11} {'failed':>6}"
    )
    for name, c in record["contenders"].items():
        if "error" in c:
            print(f"{name:>13}  error: {c['error']}")
            continue
        print(
            f"{name:>13} {c['cases_run']:>7} {c['us_per_case_warm']:>9.1f} "
            f"{min(c['first_call_s']):>8.2f} {min(c['warm_call_s']):>8.2f} "
            f"{c['peak_rss_mib']:>8.0f} {c['max_rel_error_final']:>11.1e} {c['failed']:>6}"
        )


#: Goals set for a compiled leaksim core: (workload, contender, over contender, bound); the
#: ratio of their warm times per case at the largest case count, in the same run, must be at
#: least the bound (at most, for a bound given negative).
GOALS = (
    ("chain", "numbalsoda", "leaksim", 5.0),
    ("two-modules", "numbalsoda", "leaksim-full", 5.0),
    ("two-modules", "leaksim", "closed-form", -3.0),
)
#: The ISS-like sweep's goals: (cases, figure, bound): 100,000 cases in one process in under
#: 10 s, a million cases under 1 GiB of peak memory.
SWEEP_GOALS = ((100_000, "seconds", 10.0), (1_000_000, "peak_rss_mib", 1024.0))
SWEEP_CHUNK = 5_000


def targets(record: dict) -> list[dict]:
    """The :data:`GOALS` checked on the figures of ``record``, and leaksim's first-call
    overhead (first call less warm call, largest over the runs; goal 15 s)."""
    goals = []
    for workload, top, bottom, bound in GOALS:
        runs = [r for r in record["runs"] if r["workload"] == workload]
        if not runs:
            continue
        run = max(runs, key=lambda r: r["cases"])
        a, b = (run["contenders"].get(name, {}).get("us_per_case_warm") for name in (top, bottom))
        if a is None or b is None:
            continue
        ratio = a / b
        sign = ">=" if bound > 0 else "<="
        goals.append(
            {
                "goal": f"{workload}: {top} / {bottom} per case {sign} {abs(bound):g}",
                "cases": run["cases"],
                "value": round(ratio, 2),
                "met": bool(ratio >= bound if bound > 0 else ratio <= -bound),
            }
        )
    overhead = [
        min(c["first_call_s"]) - min(c["warm_call_s"])
        for run in record["runs"]
        for name, c in run["contenders"].items()
        if name.startswith("leaksim") and "error" not in c
    ]
    if overhead:
        worst = round(max(overhead), 2)
        goal = "leaksim: first call less warm call, compile cache on disk [s] <= 15"
        goals.append({"goal": goal, "cases": "-", "value": worst, "met": bool(worst <= 15)})
    for (n, figure, bound), run in zip(SWEEP_GOALS, record.get("sweeps", []), strict=False):
        if "error" in run:
            continue
        what = "s" if figure == "seconds" else "MiB peak"
        goal = f"iss sweep: {n:,} cases in one process [{what}] <= {bound:g}"
        value = round(run[figure], 2)
        goals.append({"goal": goal, "cases": n, "value": value, "met": bool(value <= bound)})
    cold = record.get("cold_start", {})
    if "first_call_s" in cold:
        worst = max(cold["first_call_s"])
        goal = f"leaksim: first call, empty compile cache ({cold['workload']}) [s] <= 15"
        goals.append({"goal": goal, "cases": cold["cases"], "value": worst, "met": worst <= 15})
    return goals


def markdown(record: dict) -> str:
    """The record as two Markdown tables: warm time per case, then first calls, memory and
    accuracy."""
    names = list(CONTENDERS)
    speed = [
        "| workload | cases | " + " | ".join(names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    detail = [
        "| workload | cases | contender | cases run | first call [s] | warm call [s] | "
        "peak RSS [MiB] (before) | max rel. error | failed |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in record["runs"]:
        figures = run["contenders"]
        cells = []
        for name in names:
            c = figures.get(name)
            cells.append("-" if c is None or "error" in c else f"{c['us_per_case_warm']:,.1f}")
        speed.append(f"| {run['workload']} | {run['cases']:,} | " + " | ".join(cells) + " |")
        for name, c in figures.items():
            if "error" in c:
                continue
            first = "-".join(
                f"{v:.2f}" for v in sorted({min(c["first_call_s"]), max(c["first_call_s"])})
            )
            warm = "-".join(
                f"{v:.3f}" for v in sorted({min(c["warm_call_s"]), max(c["warm_call_s"])})
            )
            detail.append(
                f"| {run['workload']} | {run['cases']:,} | {name} | {c['cases_run']:,} | {first} | "
                f"{warm} | {c['peak_rss_mib']:.0f} ({c['rss_before_first_call_mib']:.0f}) | "
                f"{c['max_rel_error_final']:.1e} | {c['failed']} |"
            )
    goals = [
        "| goal | cases | value | met |",
        "|---|---:|---:|---|",
        *(
            f"| {g['goal']} | {g['cases']} | {g['value']} | {'yes' if g['met'] else 'no'} |"
            for g in targets(record)
        ),
    ]
    return "\n\n".join("\n".join(t) for t in (speed, detail, goals)) + "\n"


def _positive(text: str) -> int:
    """A whole number >= 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def parse(argv=None):
    defaults = ", ".join(f"{k} {' '.join(map(str, v))}" for k, v in DEFAULT_CASES.items())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument(
        "--cases", type=_positive, nargs="+", help=f"case counts (default: {defaults})"
    )
    parser.add_argument("--contenders", nargs="+", choices=CONTENDERS, default=list(CONTENDERS))
    parser.add_argument("--repeat", type=_positive, default=2, help="processes per contender")
    parser.add_argument("--sample", type=_positive, default=100, help="cases of the scipy loop")
    parser.add_argument("--max-diffrax", type=_positive, default=10_000, help="cases of diffrax")
    parser.add_argument("--reference", type=_positive, default=50, help="cases of the reference")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument(
        "--no-cold-start",
        action="store_true",
        help="skip the first call with an empty numba cache (it compiles for tens of seconds)",
    )
    parser.add_argument(
        "--no-sweep",
        action="store_true",
        help="skip the ISS-like sweep at 100,000 and 1,000,000 cases (about a minute)",
    )
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--table", help="print the Markdown tables of a saved --json file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.table and not Path(args.table).is_file():
        parser.error(f"--table: no such file {args.table!r}")
    if args.json and not Path(args.json).resolve().parent.is_dir():
        parser.error(f"--json: the folder of {args.json!r} does not exist")  # before a long run
    if args.quick:
        args.repeat, args.sample, args.reference = 1, min(args.sample, 8), min(args.reference, 5)
        args.max_diffrax = min(args.max_diffrax, 100)
    return args


def main(argv=None) -> dict:
    args = parse(argv)
    if args.worker:
        worker(json.loads(args.worker))
        return {}
    if args.table:
        record = json.loads(Path(args.table).read_text())
        print(markdown(record), end="")
        return record
    workloads = WORKLOADS if args.workload == "all" else (args.workload,)
    record = {
        "machine": machine(),
        "settings": {
            "rtol": RTOL,
            "atol_of_largest_initial_moles": ATOL,
            "reference": f"solve_ivp Radau, rtol {REFERENCE_RTOL:g}",
            "repeat": args.repeat,
            "scipy_sample": args.sample,
            "max_diffrax": args.max_diffrax,
            "argv": sys.argv[1:] if argv is None else list(argv),
        },
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as folder:
        for workload in workloads:
            contenders = available(args.contenders, workload)
            counts = args.cases or (QUICK_CASES if args.quick else DEFAULT_CASES)[workload]
            for n in counts:
                run = measure(workload, n, contenders, args, Path(folder))
                print_table(run)
                record["runs"].append(run)
        if "iss" in workloads and "leaksim" in args.contenders and not args.no_sweep:
            if not args.quick:
                record["sweeps"] = measure_sweeps(Path(folder))
        if "leaksim-full" in args.contenders and not args.no_cold_start:
            record["cold_start"] = measure_cold(args, Path(folder))
    record["machine"]["load_average_end"] = [round(v, 2) for v in os.getloadavg()]
    record["targets"] = targets(record)
    print("\n" + markdown(record), end="")
    if args.json:
        Path(args.json).write_text(json.dumps(record, indent=2) + "\n")
    return record


if __name__ == "__main__":
    main()
