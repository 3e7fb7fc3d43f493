"""Find the leaking module from hatch-isolation tests, and propose the next test.

During an isolation test some hatches are closed; the modules still joined by open hatches
form groups, each a single volume at one pressure (hatches equalise in seconds, leaks act over
days). Each group ``G`` of volume ``V_G`` falls from ``p_start`` to ``p_end`` in the test's
duration ``d``; with choked leaks to vacuum (:mod:`leaksim.inverse.fit`) its decay rate
``ln(p_start / p_end) / d`` gives the total effective area in the group,

.. math::

    \\sum_{i \\in G} a_i = \\frac{V_G \\ln(p_{start}/p_{end})}{d\\, \\psi^* \\sqrt{R T_G}},

a linear equation in the unknown effective areas ``a_i >= 0`` of the modules. The standard
uncertainty of each equation follows from the reading uncertainty ``s``:
``sqrt(2) s / (p d)`` on the rate.

Hypotheses. Each set of at most ``max_leaks`` modules is a hypothesis; its areas are fitted by
non-negative least squares (``scipy.optimize.nnls``, Lawson and Hanson, Solving Least Squares
Problems, 1974, ch. 23) on the weighted equations. Its evidence is the Laplace approximation
of the marginal likelihood with a uniform prior on each area over ``[0, W]``,
``exp(-chi^2/2) (2 pi)^(k/2) sqrt(det C) / W^k`` (MacKay, Information Theory, Inference, and
Learning Algorithms, 2003, ch. 28: the Occam factor), where ``C`` is the covariance of the
``k`` areas and ``W`` the largest group area observed plus three standard uncertainties. The
approximation ignores the truncation at zero. Each number of leaks has the same prior,
shared equally by its hypotheses. A hypothesis whose modules no test tells apart (singular
``C``) explains the data no better than a smaller one and is left out. The posterior
probabilities rank the hypotheses; a module's probability of leaking is the sum over the
hypotheses that hold it.

Next test. For each candidate test (by default closing one or two hatches, every group
measured), the hypotheses predict group areas; two hypotheses ``i``, ``j`` are told apart by
the test to the degree of their Mahalanobis separation ``D_ij``, and the Bhattacharyya bound
``sum_{i<j} sqrt(P_i P_j) exp(-D_ij^2 / 8)`` bounds the probability of choosing the wrong one
(Kailath, IEEE Trans. Commun. Technol. 15(1), 1967, 52-60). The proposal is the candidate with
the smallest bound, among those that split the station into groups no test made so far did
(repeating a test is not proposed). The bound is an upper bound on the probability that, after
the test, the most probable hypothesis is the wrong one; a sum over pairs, it may exceed 1, and
then promises nothing.

How long. The Mahalanobis separations grow in proportion to the test's duration ``d`` (the
rate's uncertainty is ``sqrt(2) s / (p d)``), so the bound of a candidate is
``sum_{i<j} sqrt(P_i P_j) exp(-D_ij(1 s)^2 d^2 / 8)``. Pairs the test does not separate at
all (``D_ij = 0``, both hypotheses inside one group) keep their share at any duration: the
bound's floor, which only another test can lower. The needed duration is the shortest that
brings the rest, ``bound - floor``, to ``target_error`` (found by bisection): how long the
hatches must stay closed to tell apart, at the sensor's resolution, the hypotheses this test can
tell apart. The crew rule bounds it from above: a hatch stays
closed at most half the time in which a group of modules, cut off with the most probable
hypothesis's leak, falls by 1 mmHg (``ln(p / (p - 1 mmHg)) / k`` with the group's decay rate
``k = psi* sqrt(R T) sum a_i / V_G``), so that the test itself never costs the crew more than
half a millimetre of mercury. The gas the test costs is what the most probable leak loses in
its duration at the stated pressure.

Checks. A hypothesis in which a module's fitted area is zero (the bound of the non-negative
fit) is the smaller hypothesis without that module, and is not listed. A group whose pressure
rises by more than three standard uncertainties of a difference of two readings
(``3 sqrt(2) s``) is refused: a leak only lowers the pressure, so such a test was
repressurised or misread; a rise within the noise is accepted (it says: no leak there).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pint

from .._params import did_you_mean
from ..errors import ScenarioError
from ..station import Leak, Station
from ._common import DAY, MMHG, POUND, gas_constants, si_value
from .fit import DEFAULT_PRESSURE_UNCERTAINTY
from .logs import read_table

__all__ = [
    "IsolationTest",
    "Hypothesis",
    "Location",
    "locate_leak",
    "read_isolation_tests",
    "simulate_isolation_test",
]


@dataclass(frozen=True)
class IsolationTest:
    """One isolation test: hatches closed for a time, pressures read in the groups.

    Parameters
    ----------
    closed : sequence of str
        Names of the hatches closed during the test; every other hatch is open.
    duration : str or pint.Quantity
        How long the hatches stayed closed [s].
    pressures : mapping of str to (start, end)
        Pressure read in a module at the start and end of the test [Pa], by module name;
        modules of one group may be given together (their decay rates are averaged).
    name : str, optional
        Name used in reports.
    source : str, optional
        File the test was read from, named in error messages.
    """

    closed: Sequence[str]
    duration: Any
    pressures: Mapping[str, tuple[Any, Any]]
    name: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Hypothesis:
    """Modules leaking, their fitted effective areas [m^2] and standard uncertainties [m^2],
    the fit's chi-square [-] and the posterior probability [-]."""

    modules: tuple[str, ...]
    areas: tuple[float, ...]
    area_sd: tuple[float, ...]
    chi2: float
    probability: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "modules": list(self.modules),
            "effective_area_m2": list(self.areas),
            "effective_area_sd_m2": list(self.area_sd),
            "chi2": self.chi2,
            "probability": self.probability,
        }


@dataclass(frozen=True)
class Location:
    """Where the leak is: ranked hypotheses, module probabilities, the next test.

    Attributes
    ----------
    hypotheses : list of Hypothesis
        Ranked, most probable first.
    module_probability : dict of str to float
        Probability that each module leaks [-].
    next_test : tuple of str or None
        Hatches to close in the proposed next test; None when one hypothesis holds
        essentially all the probability (above 0.999).
    next_test_error_bound : float
        Bhattacharyya bound on choosing the wrong hypothesis after it [-]: at most this
        probability that the most probable hypothesis after the test is not the true one
        (may exceed 1, when it promises nothing).
    candidates : list of (tuple of str, float)
        The best candidate tests and their bounds, best first.
    pressure : float
        Pressure the rates are stated at [Pa].
    temperature : float
        Temperature [K] of the first module.
    notes : list of str
    next_test_duration : float or None
        Duration of the proposed test [s].
    next_test_needed : float or None
        Shortest duration at which the proposed test's bound falls to the target error [s];
        None when no test of up to a year reaches it.
    next_test_crew_limit : float or None
        Longest the proposed test may keep its hatches closed under the crew rule (half the
        time of a 1 mmHg fall of the fastest-falling group) [s]; None when no group falls.
    next_test_gas : float or None
        Gas the most probable leak loses over the test, the needed duration or the crew limit,
        whichever is shorter [kg].
    next_test_error_floor : float or None
        What the proposed test's bound keeps at any duration: the share of the pairs of
        hypotheses it does not separate [-].
    """

    hypotheses: list[Hypothesis]
    module_probability: dict[str, float]
    next_test: tuple[str, ...] | None
    next_test_error_bound: float
    candidates: list[tuple[tuple[str, ...], float]]
    pressure: float
    temperature: float
    psi: float
    gas_constant: float
    notes: list[str] = field(default_factory=list)
    next_test_duration: float | None = None
    next_test_needed: float | None = None
    next_test_crew_limit: float | None = None
    next_test_gas: float | None = None
    next_test_error_floor: float | None = None

    def leak_rate(self, area: float) -> float:
        """Mass rate [kg/s] of an effective area [m^2] at :attr:`pressure`."""
        return area * self.pressure * self.psi / math.sqrt(self.gas_constant * self.temperature)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary; the keys are a public contract (``docs/inverse.md``)."""
        return {
            "hypotheses": [
                {**h.to_dict(), "leak_rate_kg_per_day": [self.leak_rate(a) * DAY for a in h.areas]}
                for h in self.hypotheses
            ],
            "module_probability": self.module_probability,
            "next_test_close": None if self.next_test is None else list(self.next_test),
            "next_test_error_bound": self.next_test_error_bound,
            "next_test_duration_s": self.next_test_duration,
            "next_test_needed_s": self.next_test_needed,
            "next_test_crew_limit_s": self.next_test_crew_limit,
            "next_test_gas_kg": self.next_test_gas,
            "next_test_error_floor": self.next_test_error_floor,
            "candidates": [{"close": list(c), "error_bound": b} for c, b in self.candidates],
            "rate_pressure_Pa": self.pressure,
            "notes": list(self.notes),
        }

    def _plan_lines(self) -> list[str]:
        """How long the proposed test must last, what the crew rule allows, what it costs."""
        rows = []
        if self.next_test_needed is not None:
            floor = self.next_test_error_floor or 0.0
            rest = f" above its floor of {floor:.3g}" if floor > 0.0 else ""
            rows.append(
                f"  needed: {_hours(self.next_test_needed)} closed to bring the bound to the "
                f"target{rest}"
            )
        if self.next_test_crew_limit is not None:
            rows.append(
                f"  crew rule: at most {_hours(self.next_test_crew_limit)} closed (half the time "
                "of a 1 mmHg fall)"
            )
        if self.next_test_gas is not None:
            rows.append(f"  gas lost meanwhile: {self.next_test_gas:.3g} kg")
        return rows

    def lines(self, top: int = 5) -> list[str]:
        """A short human summary."""
        if not self.hypotheses:
            rows = ["hypotheses: none; no test shows a pressure fall beyond the reading noise"]
        else:
            rows = ["hypotheses (most probable first):"]
        for h in self.hypotheses[:top]:
            parts = ", ".join(
                f"{m} {a * 1e6:.3g} mm^2 ({self.leak_rate(a) * DAY / POUND:.3g} lb/day)"
                for m, a in zip(h.modules, h.areas, strict=True)
            )
            rows.append(f"  P = {h.probability:.3f}  {parts}  (chi^2 {h.chi2:.2f})")
        rows.append("probability that each module leaks:")
        ranked = sorted(self.module_probability.items(), key=lambda kv: -kv[1])
        rows += [f"  {m:<14} {pr:.3f}" for m, pr in ranked if pr >= 1e-3]
        if self.next_test is None:
            done = self.hypotheses and self.hypotheses[0].probability > 0.999
            why = "one hypothesis holds P > 0.999" if done else "see the notes"
            rows.append(f"next test: none proposed ({why})")
        else:
            for_how_long = (
                "" if self.next_test_duration is None else f" for {_hours(self.next_test_duration)}"
            )
            rows.append(
                f"next test: close {', '.join(self.next_test) or 'no hatch'}{for_how_long} "
                f"(error bound {self.next_test_error_bound:.3g})"
            )
            rows.append(
                "  error bound: at most this chance that the most probable hypothesis after "
                "that test is the wrong one (Bhattacharyya; 1 or more promises nothing)"
            )
            rows += self._plan_lines()
        rows.append(f"rates stated at {self.pressure / MMHG:.0f} mmHg")
        rows += [f"note: {n}" for n in self.notes]
        return rows


def locate_leak(
    station: Station,
    tests: Sequence[IsolationTest],
    *,
    gas: str | Mapping[str, float] = "air",
    max_leaks: int = 2,
    pressure_uncertainty: str | pint.Quantity = DEFAULT_PRESSURE_UNCERTAINTY,
    candidates: Sequence[Sequence[str]] | None = None,
    next_duration: str | pint.Quantity | None = None,
    target_error: float = 0.05,
) -> Location:
    """Infer which modules leak from isolation tests, and propose the next test.

    Parameters
    ----------
    station : leaksim.station.Station
        The modules (one value each: volume [m^3], temperature [K], pressure [Pa]) and the
        hatches by name; leaks, valves and the hatches' own open states are ignored.
    tests : sequence of IsolationTest
        The tests made.
    gas : str or mapping, default "air"
        Gas, as :func:`leaksim.core.gas.mole_fractions` takes it.
    max_leaks : int, default 2
        Largest number of leaking modules in a hypothesis [-].
    pressure_uncertainty : str or pint.Quantity, default "0.5 mmHg"
        Standard uncertainty of one reading [Pa].
    candidates : sequence of sequences of str, optional
        Candidate next tests, each the hatches to close; default every hatch alone and every
        pair of hatches.
    next_duration : str or pint.Quantity, optional
        Duration of the next test [s]; default the longest test given.
    target_error : float, default 0.05
        Error bound the next test's needed duration is found for [-], in (0, 1).

    Returns
    -------
    Location

    Raises
    ------
    leaksim.errors.ScenarioError
        On an unknown hatch or module, a non-positive duration or pressure, a station with
        case lists, or no test. (A group whose pressure rises within noise is accepted.)
    """
    if not isinstance(station, Station):
        raise ScenarioError(f"must be a Station, got {type(station).__name__}", "station")
    if isinstance(max_leaks, bool) or not isinstance(max_leaks, int) or max_leaks < 1:
        raise ScenarioError(f"must be an integer >= 1, got {max_leaks!r}", "max_leaks")
    if not tests:
        raise ScenarioError("needs at least one isolation test, got none", "tests")
    if not 0.0 < target_error < 1.0:
        raise ScenarioError(f"must be in (0, 1), got {target_error!r}", "target_error")
    r, psi = gas_constants(gas)
    sigma = si_value(pressure_uncertainty, "pressure", "pressure_uncertainty")
    volumes, temps, pressure = _module_values(station)
    names = list(station.module_names)
    a_rows, b, sd = [], [], []
    longest = 0.0
    made = set()  # the groupings of the tests made: none is proposed again
    for i, test in enumerate(tests):
        label = f"test {test.name or i + 1!r}"
        if test.source:
            label = f"{test.source}: {label}"
        duration = si_value(test.duration, "time", f"{label} duration")
        longest = max(longest, duration)
        made.add(_grouping(groups(station, list(test.closed), label)))
        for group, ratio, p_mean in _measured_groups(station, test, label, sigma):
            vol = volumes[group].sum()
            per_rate = vol / (psi * math.sqrt(r * float(np.mean(temps[group]))))
            row = np.zeros(len(names))
            row[group] = 1.0
            a_rows.append(row)
            b.append(per_rate * math.log(ratio) / duration)
            sd.append(per_rate * math.sqrt(2.0) * sigma / (p_mean * duration))
    if not a_rows:
        raise ScenarioError("no test reads a pressure in any module", "tests")
    a, y, s = np.array(a_rows), np.array(b), np.array(sd)
    # the prior's width: the largest group area seen, at least three uncertainties
    width = float(np.max(np.maximum(y, 0.0) + 3.0 * s))
    hyps = _hypotheses(a / s[:, None], y / s, names, max_leaks, width)
    module_p = {m: sum(h.probability for h in hyps if m in h.modules) for m in names}
    duration_next = (
        longest if next_duration is None else si_value(next_duration, "time", "next_duration")
    )
    sd_next = _next_sd(volumes, temps, pressure, psi, r, sigma, duration_next)
    cands = _candidates(station, candidates)
    ranked = _rank_candidates(station, cands, hyps, sd_next, made) if hyps else []
    done = bool(hyps) and hyps[0].probability > 0.999
    notes = []
    if not hyps:
        notes.append("no leak is detected: every fitted area is zero")
    elif not done and not ranked:
        notes.append("every candidate test splits the station as a test already made")
    propose = not done and bool(ranked)
    plan: dict[str, float | None] = {}
    if propose:
        unit_sd = _next_sd(volumes, temps, pressure, psi, r, sigma, 1.0)
        plan = _plan(
            station, ranked[0][0], hyps, unit_sd, target_error, float(np.mean(pressure)), psi, r
        )
        plan["gas"] = _gas(hyps[0], plan, float(np.mean(pressure)), psi, r, float(temps[0]))
        needed, limit = plan["needed"], plan["limit"]
        if needed is not None and limit is not None and needed > limit:
            notes.append(
                f"the proposed test needs {_hours(needed)} to bring its error bound within "
                f"{target_error:g} of its floor, longer than the crew rule allows "
                f"({_hours(limit)})"
            )
    return Location(
        hypotheses=hyps,
        module_probability=module_p,
        next_test=ranked[0][0] if propose else None,
        next_test_error_bound=ranked[0][1] if propose else 0.0,
        candidates=ranked[:5],
        pressure=float(np.mean(pressure)),
        temperature=float(temps[0]),
        psi=psi,
        gas_constant=r,
        notes=notes,
        next_test_duration=duration_next if propose else None,
        next_test_needed=plan.get("needed"),
        next_test_crew_limit=plan.get("limit"),
        next_test_gas=plan.get("gas"),
        next_test_error_floor=plan.get("floor"),
    )


def _module_values(station: Station) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    out = []
    for key in ("volume", "temperature", "pressure"):
        values = [m.si[key] for m in station.modules]
        if any(np.ndim(v) for v in values):
            raise ScenarioError(f"module {key} must be one value, not a list of cases", "station")
        out.append(np.array([float(v) for v in values]))
    return out[0], out[1], out[2]


def groups(station: Station, closed: Sequence[str], where: str = "closed") -> list[list[int]]:
    """Indices of the modules joined by open hatches when ``closed`` are shut; ``where``
    names the test in errors."""
    hatch_names = [str(h.name) for h in station.hatches]
    for name in closed:
        if name not in hatch_names:
            hint = did_you_mean(name, hatch_names) or f"; the station's hatches: {hatch_names}"
            raise ScenarioError(f"unknown hatch {name!r}{hint}", where)
    parent = list(range(len(station.modules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for h in station.hatches:
        if h.name not in closed:
            i, j = (station.module_index(m) for m in h.between)
            parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for i in range(len(station.modules)):
        members.setdefault(root(i), []).append(i)
    return list(members.values())


def _grouping(parts: list[list[int]]) -> frozenset[frozenset[int]]:
    return frozenset(frozenset(g) for g in parts)


def _measured_groups(station: Station, test: IsolationTest, label: str, sigma: float):
    """(group indices, mean pressure ratio start/end, mean pressure) per measured group."""
    per_group: dict[int, list[tuple[float, float]]] = {}
    parts = groups(station, list(test.closed), label)
    where = {i: g for g, members in enumerate(parts) for i in members}
    for module, pair in test.pressures.items():
        if module not in station.module_names:
            names = list(station.module_names)
            hint = did_you_mean(str(module), names) or f"; the station's modules: {names}"
            raise ScenarioError(f"unknown module {module!r}{hint}", label)
        start = si_value(pair[0], "pressure", f"{label} {module} start pressure")
        end = si_value(pair[1], "pressure", f"{label} {module} end pressure")
        _check_fall(start, end, sigma, f"{label}, module {module!r}")
        per_group.setdefault(where[station.module_index(module)], []).append((start, end))
    for g, readings in per_group.items():
        log_ratio = float(np.mean([math.log(s / e) for s, e in readings]))
        p_mean = float(np.mean([0.5 * (s + e) for s, e in readings]))
        yield parts[g], math.exp(log_ratio), p_mean


def _check_fall(start: float, end: float, sigma: float, where: str) -> None:
    """Refuse a rise beyond the noise of a difference of two readings (see the notes)."""
    allowed = 3.0 * math.sqrt(2.0) * sigma
    if end - start > allowed:
        raise ScenarioError(
            f"end pressure {end / MMHG:.6g} mmHg is above the start {start / MMHG:.6g} mmHg by "
            f"{(end - start) / MMHG:.3g} mmHg, more than the reading noise allows "
            f"({allowed / MMHG:.3g} mmHg): a leak only lowers the pressure; was the module "
            "repressurised, or are the columns swapped?",
            where,
        )


def _hypotheses(aw, yw, names, max_leaks, width) -> list[Hypothesis]:
    """Every set of up to ``max_leaks`` modules, scored by its Laplace evidence."""
    from scipy.optimize import nnls  # imported here: keeps 'import leaksim' fast

    scored = []
    n = len(names)
    for k in range(1, min(max_leaks, n) + 1):
        subsets = list(itertools.combinations(range(n), k))
        log_prior = -math.log(len(subsets))
        for subset in subsets:
            cols = aw[:, subset]
            fisher = cols.T @ cols
            if np.linalg.matrix_rank(fisher) < k:
                continue  # modules no test tells apart: no better than a smaller hypothesis
            x, rnorm = nnls(cols, yw)
            if np.any(x <= 0.0):
                continue  # a module with no area: the smaller hypothesis, scored on its own
            cov = np.linalg.inv(fisher)
            sign, logdet = np.linalg.slogdet(cov)
            log_ev = (
                -0.5 * rnorm**2
                + 0.5 * k * math.log(2 * math.pi)
                + 0.5 * logdet
                - k * math.log(width)
            )
            scored.append((log_ev + log_prior, subset, x, np.sqrt(np.diag(cov)), rnorm**2))
    if not scored:
        return []  # no module leaks: every fitted area is zero
    top = max(s[0] for s in scored)
    total = sum(math.exp(s[0] - top) for s in scored)
    hyps = [
        Hypothesis(
            modules=tuple(names[i] for i in subset),
            areas=tuple(float(v) for v in x),
            area_sd=tuple(float(v) for v in sd),
            chi2=float(chi2),
            probability=math.exp(score - top) / total,
        )
        for score, subset, x, sd, chi2 in scored
    ]
    return sorted(hyps, key=lambda h: -h.probability)


def _next_sd(volumes, temps, pressure, psi, r, sigma, duration):
    """Per-module factor: the group-area uncertainty is sd_factor * V_G (see module notes)."""
    return (
        math.sqrt(2.0)
        * sigma
        / (float(np.mean(pressure)) * duration * psi * math.sqrt(r * float(np.mean(temps))))
    )


def _plan(station, cand, hyps, unit_sd, target, pressure, psi, r) -> dict[str, float | None]:
    """The needed duration of test ``cand`` and the crew limit on it (module notes), from
    the group-area uncertainty of a 1 s test, ``unit_sd * V_G``."""
    temps = np.array([float(m.si["temperature"]) for m in station.modules])
    areas, pair_w = _likely_areas(station, hyps)
    parts = groups(station, list(cand), "candidates")
    d2 = _separations(station, areas, parts, unit_sd)  # at d = 1 s

    # Pairs the test does not separate (D = 0) keep their share at any duration: the floor.
    floor = float(np.sum(np.where(d2 > 0.0, 0.0, pair_w)))

    def bound(duration: float) -> float:
        return float(np.sum(pair_w * np.exp(-d2 * duration**2 / 8.0))) - floor

    needed: float | None = None
    lo, hi = 1.0, 365.0 * DAY
    if bound(hi) <= target:
        for _ in range(60):  # bisection in log d: the bound falls with d
            mid = math.sqrt(lo * hi)
            lo, hi = (lo, mid) if bound(mid) <= target else (mid, hi)
        needed = hi
    limit = _crew_limit(station, parts, hyps[0], temps, pressure, psi, r)
    return {"needed": needed, "limit": limit, "floor": floor}


def _crew_limit(station, parts, best, temps, pressure, psi, r) -> float | None:
    """Half the time in which the fastest-falling group, cut off with the leak of the most
    probable hypothesis ``best``, falls by 1 mmHg [s] (module notes)."""
    index = {m: i for i, m in enumerate(station.module_names)}
    volumes = np.array([float(m.si["volume"]) for m in station.modules])
    times = []
    for g in parts:
        area = sum(a for m, a in zip(best.modules, best.areas, strict=True) if index[m] in g)
        if area > 0.0:
            rate = area * psi * math.sqrt(r * float(np.mean(temps[g]))) / volumes[g].sum()
            times.append(math.log(pressure / (pressure - MMHG)) / rate)
    return 0.5 * min(times) if times else None


def _gas(best, plan, pressure, psi, r, temperature) -> float | None:
    """Gas the most probable leak loses over the test, the needed duration or the crew limit,
    whichever is shorter [kg]."""
    spans = [d for d in (plan["needed"], plan["limit"]) if d is not None]
    if not spans:
        return None
    rate = sum(best.areas) * pressure * psi / math.sqrt(r * temperature)
    return rate * min(spans)


def _hours(seconds: float) -> str:
    hours = seconds / 3600.0
    return f"{hours:.3g} h" if hours < 72 else f"{hours / 24:.3g} day"


def _candidates(station: Station, given) -> list[tuple[str, ...]]:
    if given is not None:
        return [tuple(c) for c in given]
    names = [str(h.name) for h in station.hatches]
    return [(n,) for n in names] + list(itertools.combinations(names, 2))


def _likely_areas(station, hyps) -> tuple[np.ndarray, np.ndarray]:
    """Each module's area under each likely hypothesis, (H, M), and the pairs' weights
    ``sqrt(P_i P_j)`` for ``i < j`` (zero elsewhere), (H, H)."""
    likely = [h for h in hyps if h.probability > 1e-4][:40]
    index = {m: i for i, m in enumerate(station.module_names)}
    areas = np.zeros((len(likely), len(station.modules)))
    for j, h in enumerate(likely):
        for m, a in zip(h.modules, h.areas, strict=True):
            areas[j, index[m]] = a
    weights = np.array([h.probability for h in likely])
    return areas, np.triu(np.sqrt(np.outer(weights, weights)), k=1)


def _separations(station, areas, parts, sd_factor) -> np.ndarray:
    """Squared Mahalanobis separations ``D_ij^2`` of the hypotheses by a test that groups
    the modules as ``parts``, the group-area uncertainty being ``sd_factor * V_G``, (H, H)."""
    volumes = np.array([float(m.si["volume"]) for m in station.modules])
    pred = np.stack([areas[:, g].sum(axis=1) for g in parts], axis=1)
    z = pred / np.array([sd_factor * volumes[g].sum() for g in parts])
    return np.sum((z[:, None, :] - z[None, :, :]) ** 2, axis=-1)


def _rank_candidates(station, cands, hyps, sd_factor, made) -> list[tuple[tuple[str, ...], float]]:
    """Candidates sorted by their Bhattacharyya bound over the likely hypotheses, leaving out
    those that group the modules as a test in ``made`` did."""
    areas, pair_w = _likely_areas(station, hyps)
    out = []
    for cand in cands:
        parts = groups(station, list(cand), "candidates")
        if _grouping(parts) in made:
            continue
        d2 = _separations(station, areas, parts, sd_factor)
        out.append((tuple(cand), float(np.sum(pair_w * np.exp(-d2 / 8.0)))))
    return sorted(out, key=lambda cb: cb[1])


def simulate_isolation_test(
    station: Station,
    closed: Sequence[str],
    duration: str | pint.Quantity,
    leaks: Mapping[str, Any],
    *,
    noise: str | pint.Quantity | None = None,
    rng: np.random.Generator | None = None,
    name: str | None = None,
) -> IsolationTest:
    """Run an isolation test on a station with planted leaks, with leaksim's simulator.

    Parameters
    ----------
    station : leaksim.station.Station
        Modules and hatches (its own leaks, valves, supplies and crew are left out).
    closed : sequence of str
        Hatches closed at t = 0; every other hatch is open.
    duration : str or pint.Quantity
        Length of the test [s].
    leaks : mapping of str to str or pint.Quantity
        Effective area ``Cd A`` of the leak in each leaking module [m^2].
    noise : str or pint.Quantity, optional
        Standard deviation of normal noise added to each reading [Pa].
    rng : numpy.random.Generator, optional
        Source of the noise.
    name : str, optional
        Name of the test.

    Returns
    -------
    IsolationTest
        Start and end pressures of every module.
    """
    from ..scenario import Scenario

    hatches = [
        replace(h, open=h.name not in closed, close_at=None, open_at=None, close_when=None)
        for h in station.hatches
    ]
    holes = [Leak(m, area=a, discharge_coefficient=1.0, name=f"leak-{m}") for m, a in leaks.items()]
    sim = Station(list(station.modules), hatches, holes, name=station.name)
    result = Scenario(sim, duration=duration, output_interval=duration).run()
    p = result.pressure.m_as("Pa")[0]
    start, end = p[:, 0].copy(), p[:, -1].copy()
    if noise is not None:
        sigma = si_value(noise, "pressure", "noise")
        rng = rng or np.random.default_rng()
        start += rng.normal(0.0, sigma, start.size)
        end += rng.normal(0.0, sigma, end.size)
    pressures = {
        m: (f"{float(start[i])!r} Pa", f"{float(end[i])!r} Pa")
        for i, m in enumerate(station.module_names)
    }
    return IsolationTest(tuple(closed), duration, pressures, name)


def read_isolation_tests(path: str | os.PathLike[str]) -> list[IsolationTest]:
    """Read isolation tests from a CSV file, one reading per row.

    Columns: ``test`` (a name), ``closed hatches`` (hatch names separated by ``;``, empty
    for none), ``duration [unit]``, ``module``, ``start pressure [unit]``, ``end pressure
    [unit]``. Rows of one test must agree on its closed hatches and duration.

    Raises
    ------
    leaksim.errors.ScenarioError
        On a missing column, a bad unit, or rows of one test that disagree.
    """
    need = ["test", "closed hatches", "duration", "module", "start pressure", "end pressure"]
    header = read_table(path, columns=())
    lower = {n.lower(): n for n in header.names}
    missing = [n for n in need if n not in lower]
    if missing:
        raise ScenarioError(f"needs columns {need}, missing {missing}", header.source)
    table = read_table(path, [lower[n] for n in need])
    duration = table.column(lower["duration"], "time")
    start = table.column(lower["start pressure"], "pressure")
    end = table.column(lower["end pressure"], "pressure")
    for key, values in ((n, table.cells[lower[n]]) for n in need if n != "closed hatches"):
        empty = np.isnan(values) if values.dtype.kind == "f" else values == ""
        if empty.any():
            row = int(np.argmax(empty)) + 1
            raise ScenarioError(f"data row {row}: the {key!r} cell is empty", table.source)
    tests: dict[str, dict[str, Any]] = {}
    for i, test in enumerate(table.cells[lower["test"]]):
        closed = tuple(
            c.strip() for c in table.cells[lower["closed hatches"]][i].split(";") if c.strip()
        )
        entry = tests.setdefault(test, {"closed": closed, "duration": duration[i], "pressures": {}})
        if entry["closed"] != closed or entry["duration"] != duration[i]:
            raise ScenarioError(
                f"rows of test {test!r} disagree on closed hatches or duration (row {i + 1})",
                table.source,
            )
        module = table.cells[lower["module"]][i]
        if module in entry["pressures"]:
            raise ScenarioError(
                f"data row {i + 1}: test {test!r} reads module {module!r} twice", table.source
            )
        entry["pressures"][module] = (f"{float(start[i])!r} Pa", f"{float(end[i])!r} Pa")
    return [
        IsolationTest(
            e["closed"], f"{float(e['duration'])!r} s", e["pressures"], name, table.source
        )
        for name, e in tests.items()
    ]
