"""Zone merging against the full network, closed forms and conservation."""

import dataclasses

import numpy as np
import pytest
from helpers import ATM, SPECIES, T0, X_AIR, blowdown_time_constant, two_modules
from hypothesis import given
from hypothesis import strategies as st

from leaksim import Hatch, Leak, Module, Scenario, Station, stations
from leaksim.core.gas import MOLAR_GAS_CONSTANT
from leaksim.core.network import Links, Modules, Network, Schedule
from leaksim.core.solver import solve as solve_full
from leaksim.core.zones import _hatch_difference, link_state, solve

HOUR = 3600.0
RTOL = 1e-6


def tolerance(reference, atol_pressure):
    """The accuracy a result is held to: rtol of the value plus the absolute tolerance [Pa]."""
    return RTOL * np.abs(reference) + atol_pressure


def physical(net: Network, n_cases: int) -> Network:
    """The network with the orifice law nearly unregularised (delta 1 mPa instead of 1 Pa).

    The zone criterion bounds a merged zone's departure from the orifice law itself; the
    regularisation of the full network moves its answer by about twice the tolerance on these
    cases, so the reference for merged results is the full network solved with a far smaller
    delta (1 mPa: 0.06 of the tolerance from 10 mPa's answer on the two-module case).
    """
    return net.replace(regularisation_pressure=np.full(n_cases, 1e-3))


def test_two_modules_merged_agree_with_full_network_and_reference():
    """The benchmark's case: both solutions against far tighter full-network references."""
    hole = np.pi / 4 * np.geomspace(0.5e-3, 15e-3, 12) ** 2
    net = two_modules(hole_area=hole)
    t = np.linspace(0.0, 6 * HOUR, 37)
    merged = solve(net, 6 * HOUR, t, rtol=RTOL)
    full = solve_full(net, 6 * HOUR, t, rtol=RTOL)
    reference = solve_full(net, 6 * HOUR, t, rtol=1e-11, atol=1e-14)
    law = solve_full(physical(net, 12), 6 * HOUR, t, rtol=1e-11, atol=1e-14)
    assert np.all(merged.operations.merged_time == 6 * HOUR)  # a 0.5 m^2 hatch keeps them together
    tol = tolerance(reference.pressure, 1e-9 * ATM * 1.5)
    assert np.all(np.abs(merged.pressure - law.pressure) <= tol)
    assert np.all(np.abs(full.pressure - reference.pressure) <= tol)
    # what separates the two is the regularisation of the full network, not merging
    assert np.max(np.abs(full.pressure - law.pressure) / tol) > 1.0


def test_merged_zone_is_the_one_volume_blowdown():
    """Merged, the two modules are one 100 m^3 volume: p0 exp(-t / tau), to the tolerance."""
    hole = np.array([1e-6, 1e-5])
    net = two_modules(hole_area=hole)
    t = np.linspace(0.0, 6 * HOUR, 13)
    sol = solve(net, 6 * HOUR, t, rtol=RTOL)
    assert np.all(sol.operations.merged_time > 0)
    tau = blowdown_time_constant(100.0, 0.6 * hole)
    expected = ATM * np.exp(-t[None, None, :] / tau[:, None, None])
    # Solved in closed form once merged: exact to round-off.
    np.testing.assert_allclose(sol.pressure, np.broadcast_to(expected, sol.pressure.shape), 1e-9)


def test_large_hole_behind_small_hatch_is_not_merged():
    """Rapid decompression of a small module through a small hatch: the full network stays,
    and with it the hatch pressure load."""
    net = two_modules(volumes=(5.0, 60.0), hatch_area=0.01, hole_area=0.02)
    t = np.linspace(0.0, 60.0, 61)
    merged = solve(net, 60.0, t)
    full = solve_full(net, 60.0, t)
    assert np.all(merged.operations.merged_time == 0.0)
    np.testing.assert_allclose(merged.pressure, full.pressure, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(
        merged.operations.max_pressure_difference,
        full.operations.max_pressure_difference,
        rtol=1e-12,
    )
    assert merged.operations.max_pressure_difference[0, 0] > 1e4  # a real load, kept


def test_hatch_closure_splits_the_zone():
    """Merged until the hatch closes at each case's time, then the sealed module keeps the
    zone's pressure at that time: p0 exp(-t_c / tau) with tau of the whole 100 m^3."""
    close = np.array([600.0, 1800.0, 5000.0])
    hole = 2e-5
    net = two_modules(hole_area=np.full(3, hole), event_time=close)
    t = np.linspace(0.0, 2 * HOUR, 25)
    merged = solve(net, 2 * HOUR, t, rtol=RTOL)
    full = solve_full(net, 2 * HOUR, t, rtol=RTOL)
    np.testing.assert_allclose(merged.operations.merged_time[:, 1], close)
    tau = blowdown_time_constant(100.0, 0.6 * hole)
    sealed = ATM * np.exp(-close / tau)
    np.testing.assert_allclose(merged.final_pressure[:, 1], sealed, rtol=2e-6)
    np.testing.assert_allclose(merged.pressure, full.pressure, rtol=2e-6, atol=1e-3)
    np.testing.assert_array_equal(merged.operations.event_time[:, 0], close)


def test_iss_like_station_merged_agrees_with_full_network():
    """ISS-like station, a hole moved to Destiny, 2 h: every module against the full solve."""
    scenario = Scenario(
        stations.iss_station(leak_module="Destiny", leak_area=["0.5 mm^2", "5 mm^2", "2 cm^2"]),
        duration="2 h",
        output_interval="10 min",
    )
    network = scenario.compile().network
    t = scenario.compile().output_time
    merged = solve(network, 2 * HOUR, t, rtol=RTOL)
    full = solve_full(network, 2 * HOUR, t, rtol=RTOL)
    reference = solve_full(network, 2 * HOUR, t, rtol=1e-10, atol=1e-13)
    law = solve_full(physical(network, 3), 2 * HOUR, t, rtol=1e-10, atol=1e-13)
    # Destiny (module 8) merges with the station: its 1 m^2 hatches carry even the 2 cm^2
    # hole's flow on a few 1e-4 Pa.
    assert np.all(merged.operations.merged_time[:, 8] > 0)
    tol = tolerance(reference.pressure, 1e-9 * ATM)
    assert np.all(np.abs(merged.pressure - law.pressure) <= tol)
    assert np.all(np.abs(full.pressure - reference.pressure) <= tol)


def closing_network(hole, close, open_again=np.inf):
    """Three modules in a row, a hole in the first, the first hatch closing then reopening."""
    n = np.size(hole)
    return Network(
        species=SPECIES,
        modules=Modules(
            volume=[[20.0, 60.0, 40.0]],
            initial_pressure=ATM,
            initial_temperature=T0,
            initial_mole_fraction=X_AIR,
        ),
        links=Links(
            a=[0, 1, 0],
            b=[1, 2, -1],
            area=np.stack([np.full(n, 0.5), np.full(n, 0.5), hole], axis=1),
            discharge_coefficient=[0.8, 0.8, 0.6],
            initially_open=True,
        ),
        schedule=Schedule(
            time=np.stack([close, np.broadcast_to(open_again, (n,))], axis=1),
            target=[0, 0],
            opens=[False, True],
        ),
    )


def test_conservation_at_cuts_without_holes():
    """No hole: the total amount stays to round-off through closing and reopening, and the
    modules end at one pressure."""
    net = closing_network(np.zeros(2), np.array([100.0, 700.0]), np.array([900.0, 1000.0]))
    net = net.replace(
        modules=dataclasses.replace(net.modules, initial_pressure=np.array([[ATM, 0.9 * ATM, ATM]]))
    )
    t = np.linspace(0.0, HOUR, 7)
    sol = solve(net, HOUR, t)
    initial = np.sum(0.9 * ATM * 60.0 + ATM * 60.0) / (MOLAR_GAS_CONSTANT * T0)
    np.testing.assert_allclose(sol.final_moles.sum(axis=(1, 2)), initial, rtol=1e-13)
    equal = np.broadcast_to(sol.final_pressure[:, :1], sol.final_pressure.shape)
    np.testing.assert_allclose(sol.final_pressure, equal, rtol=1e-9)


def test_cases_are_independent_of_their_batch_and_order():
    hole = np.array([1e-6, 3e-3, 2e-5, 1e-4])
    close = np.array([300.0, 60.0, 4000.0, 1e9])
    net = closing_network(hole, close)
    t = np.linspace(0.0, 2 * HOUR, 13)
    together = solve(net, 2 * HOUR, t)
    order = np.array([2, 0, 3, 1])
    shuffled = solve(net.take(order), 2 * HOUR, t)
    for c in range(hole.size):
        alone = solve(net.take(np.array([c])), 2 * HOUR, t)
        np.testing.assert_array_equal(alone.pressure[0], together.pressure[c])
        np.testing.assert_array_equal(alone.final_moles[0], together.final_moles[c])
    np.testing.assert_array_equal(shuffled.pressure, together.pressure[order])
    assert (
        together.operations.merged_time[0, 0] == 300.0
        and together.operations.merged_time[1, 0] == 0.0
    )


def test_a_large_batch_written_on_threads_keeps_every_case_s_bits(monkeypatch):
    # Enough merged cases for the closed-form outputs to be written in blocks on threads: a
    # case's outputs are those of its run alone, and those of one thread.
    import leaksim.core.zones as zones

    n = 3 * zones._PARALLEL_ROWS
    hole = np.geomspace(1e-6, 1e-4, n)
    net = closing_network(hole, np.full(n, 1e9))
    t = np.linspace(0.0, 2 * HOUR, 13)
    together = solve(net, 2 * HOUR, t)
    assert np.all(together.operations.merged_time == 2 * HOUR)  # the closed-form path
    for c in (0, n // 3 - 1, n // 3, n - 1):
        alone = solve(net.take(np.array([c])), 2 * HOUR, t)
        np.testing.assert_array_equal(alone.pressure[0], together.pressure[c])
    monkeypatch.setattr(zones, "_PARALLEL_ROWS", 10 * n)
    np.testing.assert_array_equal(solve(net, 2 * HOUR, t).pressure, together.pressure)


def test_link_state_applies_events_in_time_order():
    net = closing_network(np.zeros(3), np.array([10.0, 10.0, 30.0]), np.array([20.0, 5.0, 20.0]))
    state = link_state(net, np.arange(3), np.array([25.0, 25.0, 25.0]))
    # Closed at 10 then opened at 20; opened at 5 then closed at 10; opened at 20, closes later.
    np.testing.assert_array_equal(state[:, 0], [True, False, True])


@given(
    dp=st.floats(1e-9, 1e3),
    p=st.floats(1e2, 2e5),
    delta=st.floats(1e-2, 1e2),
    scale=st.floats(1e-4, 1.0),
)
def test_hatch_difference_inverts_the_incompressible_law(dp, p, delta, scale):
    """Round trip: the flow of ``dp`` through the regularised incompressible law, inverted."""
    flow = scale * np.sqrt(2.0 * p) * dp / (dp**2 + delta**2) ** 0.25
    assert _hatch_difference(flow / p, scale, delta, p) == pytest.approx(dp, rel=1e-9)


def test_scenario_merges_by_default_and_the_switch_turns_it_off():
    station = Station(
        [Module("A", "60 m^3"), Module("B", "40 m^3")],
        hatches=[Hatch(["A", "B"], area="0.5 m^2")],
        leaks=[Leak("A", diameter="1 mm")],
    )
    scenario = Scenario(station, duration="1 h")
    assert np.all(scenario.run(zones=True).solution.operations.merged_time == HOUR)
    assert np.all(scenario.run(zones=False).solution.operations.merged_time == 0.0)
    assert np.all(scenario.run().solution.operations.merged_time == HOUR)


def test_threshold_times_match_closed_form_and_full_network():
    """Both modules reach 0.9 atm together while merged, at tau ln(1 / 0.9) of the 100 m^3
    volume; after the hatch closes only the leaking module reaches 0.8 atm."""
    hole = np.array([2e-5, 5e-5])
    tau = blowdown_time_constant(100.0, 0.6 * hole)
    close = 1.5 * tau * np.log(1 / 0.9)
    net = two_modules(hole_area=hole, event_time=close)
    t = np.linspace(0.0, 2 * HOUR, 13)
    levels = [("pressure", 0.9 * ATM), ("pressure", 0.8 * ATM)]
    merged = solve(net, 2 * HOUR, t, thresholds=levels)
    full = solve_full(net, 2 * HOUR, t, thresholds=levels)
    assert np.all(merged.operations.merged_time[:, 0] == close)
    expected = tau * np.log(1 / 0.9)
    expected = np.broadcast_to(expected[:, None], (2, 2))
    np.testing.assert_allclose(merged.operations.threshold_time[:, 0, :], expected, rtol=1e-5)
    np.testing.assert_allclose(
        merged.operations.threshold_time, full.operations.threshold_time, rtol=1e-5
    )
    assert np.all(np.isnan(merged.operations.threshold_time[:, 1, 1]))


def test_modules_of_different_composition_are_not_merged():
    # A merged zone is one well-mixed volume: two mixtures behind an open hatch must stay two
    # until the fans have mixed them, so the zone solver keeps them on the full network and
    # both solvers give the same O2 in each module.
    station = Station(
        [
            Module("A", "20 m^3", gas={"N2": 0.6, "O2": 0.4}),
            Module("B", "60 m^3", gas={"N2": 0.9, "O2": 0.1}),
        ],
        hatches=[Hatch(["A", "B"], area="0.8 m^2")],
        leaks=[Leak("B", diameter="5 mm")],
    )
    scenario = Scenario(station, "10 min", output_interval="1 min")
    zoned, full = scenario.run(), scenario.run(zones=False)
    assert np.all(zoned.solution.operations.merged_time == 0.0)
    o2_zoned = zoned.partial_pressure_O2.m_as("Pa")
    o2_full = full.partial_pressure_O2.m_as("Pa")
    np.testing.assert_allclose(o2_zoned, o2_full, rtol=1e-12)
    assert o2_full[0, 0, 1] - o2_full[0, 1, 1] > 1e3  # still apart after a minute


def test_output_times_are_checked_as_the_solver_checks_them():
    # A run merged in closed form never reaches the solver: the zones check the times too.
    net = closing_network(np.array([1e-5]), np.array([1e9]))
    for times in ([0.0, 9000.0, 3600.0], [-1.0, 0.0]):
        with pytest.raises(ValueError, match="output_time must be increasing and >= 0"):
            solve(net, 2 * HOUR, times)


def test_outputs_after_a_case_s_end_are_nan_as_on_the_full_network():
    # Cases merged and not (a small and a large hatch), cut by a hatch closing, of durations
    # shorter than the output grid, and one that fails for want of steps: the outputs after
    # each case's end are NaN, those before it written, as on the full network.
    hatch = np.array([0.5, 0.5, 1e-3, 1e-3, 0.5, 1e-3])
    hole = np.array([2e-5, 1e-3, 1e-3, 2e-4, 5e-4, 2e-4])
    net = two_modules(
        hatch_area=hatch, hole_area=hole, event_time=np.array([900, 1e9, 900, 1e9, 600, 1e9])
    )
    duration = np.array([HOUR, 0.4 * HOUR, HOUR, 0.7 * HOUR, HOUR, HOUR])
    t = np.linspace(0.0, HOUR, 13)
    merged = solve(net, duration, t, rtol=RTOL, max_steps=12)
    full = solve_full(net, duration, t, rtol=RTOL, max_steps=12)
    solved = merged.operations.merged_time[:, 0] == 0.0  # by the kernel, as on the full network
    assert np.any(merged.status != 0) and not np.all(solved)
    np.testing.assert_array_equal(merged.status[solved], full.status[solved])
    for sol in (merged, full):
        after = t[None, :] > sol.end_time[:, None] * (1 + 1e-12)
        assert after.any() and not after.all()
        np.testing.assert_array_equal(np.isnan(sol.pressure), np.repeat(after[:, None], 2, 1))
        np.testing.assert_array_equal(np.isnan(sol.temperature), np.isnan(sol.pressure))
    np.testing.assert_array_equal(merged.pressure[solved], full.pressure[solved])
