"""The batched integrator against closed forms, conservation laws and its own contract."""

import dataclasses

import numpy as np
import pytest
from helpers import (
    ATM,
    SPECIES,
    T0,
    X_AIR,
    air_properties,
    blowdown_time_constant,
    one_module,
    two_modules,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from leaksim.core.gas import MOLAR_GAS_CONSTANT, mixture_molar_heat_capacity, species_properties
from leaksim.core.network import Links, Modules, Network, Schedule
from leaksim.core.solver import solve
from leaksim.errors import SolverError

HOUR = 3600.0
AIR_CV = float(mixture_molar_heat_capacity(X_AIR, species_properties(SPECIES)[1])) - (
    MOLAR_GAS_CONSTANT
)


def adiabatic_blowdown(t, tau, gamma):
    """p/p0 and T/T0 of an adiabatic blowdown to vacuum (Saad pp. 103-106; docs/physics.md)."""
    s = 1 + (gamma - 1) / 2 * t / tau
    return s ** (-2 * gamma / (gamma - 1)), s**-2.0


# -- closed forms -------------------------------------------------------------------------------


def test_isothermal_blowdown_matches_exponential_for_many_cases():
    volume = np.array([1.0, 10.0, 100.0, 916.0])
    area = np.array([1e-6, 1e-4, 3e-3, 1e-2])
    t = np.linspace(0, 2 * HOUR, 25)
    sol = solve(one_module(volume=volume, area=area), 2 * HOUR, t)
    tau = blowdown_time_constant(volume, 0.6 * area)
    expected = ATM * np.exp(-t[None, :] / tau[:, None])
    # The default absolute tolerance is about 1e-4 Pa: near vacuum the error is absolute.
    np.testing.assert_allclose(sol.pressure[:, 0, :], expected, rtol=1e-5, atol=1e-3)
    np.testing.assert_array_equal(sol.temperature[:, 0, :], T0)


def test_adiabatic_blowdown_matches_pressure_and_temperature():
    volume, area = np.array([4.0, 100.0]), np.array([5e-4, 1e-4])
    t = np.linspace(0, 1800.0, 31)
    sol = solve(one_module(volume=volume, area=area, energy="adiabatic"), 1800.0, t)
    _, gamma = air_properties()
    tau = blowdown_time_constant(volume, 0.6 * area)
    p_ratio, t_ratio = adiabatic_blowdown(t[None, :], tau[:, None], gamma)
    np.testing.assert_allclose(sol.pressure[:, 0, :], ATM * p_ratio, rtol=1e-5)
    np.testing.assert_allclose(sol.temperature[:, 0, :], T0 * t_ratio, rtol=1e-5)


def test_wall_heating_relaxes_exponentially_in_a_sealed_module():
    # No leak: dU/dt = h A (Tw - T) with U = N cv T, so T - Tw decays with N cv / (h A).
    net = one_module(
        volume=10.0,
        area=0.0,
        energy="wall",
        wall_area=20.0,
        wall_heat_transfer=[[2.0], [5.0]],
        wall_temperature=320.0,
    )
    t = np.linspace(0, 4 * HOUR, 17)
    sol = solve(net, 4 * HOUR, t)
    moles = ATM * 10.0 / (MOLAR_GAS_CONSTANT * T0)
    tau = moles * AIR_CV / (np.array([2.0, 5.0]) * 20.0)
    expected = 320.0 + (T0 - 320.0) * np.exp(-t[None, :] / tau[:, None])
    np.testing.assert_allclose(sol.temperature[:, 0, :], expected, rtol=1e-6)


def test_wall_mode_spans_adiabatic_and_isothermal_limits():
    t = np.linspace(0, 600.0, 11)
    common = dict(volume=4.0, area=5e-4)
    adiabatic = solve(one_module(energy="adiabatic", **common), 600.0, t)
    no_wall = solve(
        one_module(energy="wall", wall_area=0.0, wall_heat_transfer=0.0, **common), 600.0, t
    )
    strong = solve(
        one_module(energy="wall", wall_area=1e3, wall_heat_transfer=1e4, **common), 600.0, t
    )
    isothermal = solve(one_module(**common), 600.0, t)
    np.testing.assert_allclose(no_wall.pressure, adiabatic.pressure, rtol=1e-9)
    np.testing.assert_allclose(strong.pressure, isothermal.pressure, rtol=2e-3)


def test_open_hatch_pair_behaves_as_one_volume():
    # Within dp/p ~ 0.23 (A_leak / A_hatch)^2 of one 100 m^3 volume (docs/physics.md).
    hole = np.array([2e-6, 2e-5, 1.8e-4])
    t = np.linspace(0, 6 * HOUR, 37)
    sol = solve(two_modules(hole_area=hole), 6 * HOUR, t)
    tau = blowdown_time_constant(100.0, 0.6 * hole)
    expected = ATM * np.exp(-t[None, :] / tau[:, None])
    for m in range(2):
        np.testing.assert_allclose(sol.pressure[:, m, :], expected, rtol=1e-5)


def test_hatch_closes_exactly_at_each_case_time():
    close = np.array([600.0, 1800.0, 3000.0])
    hole = 1e-3
    t = np.linspace(0, HOUR, 61)
    sol = solve(two_modules(hole_area=np.full(3, hole), event_time=close), HOUR, t, rtol=1e-8)
    tau_both = blowdown_time_constant(100.0, 0.6 * hole)
    tau_near = blowdown_time_constant(60.0, 0.6 * hole)
    p_close = ATM * np.exp(-close / tau_both)
    for c in range(3):
        before = t <= close[c]
        after = ~before
        near = np.where(
            before, ATM * np.exp(-t / tau_both), p_close[c] * np.exp(-(t - close[c]) / tau_near)
        )
        far = np.where(before, ATM * np.exp(-t / tau_both), p_close[c])
        # Before closing, the regularised hatch carries its share of the leak with
        # dp ~ mdot sqrt(delta / (2 rho)) / (Cd A) ~ 0.05 Pa: a few 1e-6 of p at the end.
        np.testing.assert_allclose(sol.pressure[c, 0], near, rtol=1e-5)
        np.testing.assert_allclose(sol.pressure[c, 1], far, rtol=1e-5)
        # Sealed: constant up to the last bit of the dense-output arithmetic.
        assert np.ptp(sol.pressure[c, 1, after]) <= 1e-12 * ATM


def test_leak_starts_at_its_event_time():
    net = one_module(volume=[20.0, 20.0], area=1e-4)
    net = net.replace(links=dataclasses.replace(net.links, initially_open=False))
    net = net.replace(schedule=Schedule(time=[[0.0], [900.0]], target=[0], opens=[True]))
    t = np.linspace(0, HOUR, 13)
    sol = solve(net, HOUR, t)
    tau = blowdown_time_constant(20.0, 0.6e-4)
    np.testing.assert_allclose(sol.pressure[0, 0], ATM * np.exp(-t / tau), rtol=1e-5)
    late = ATM * np.exp(-np.maximum(t - 900.0, 0.0) / tau)
    np.testing.assert_allclose(sol.pressure[1, 0], late, rtol=1e-5)


def test_threshold_times_match_closed_form():
    area = np.array([1e-6, 1e-4, 1e-3])
    levels = [("pressure", 0.9 * ATM), ("partial_pressure_O2", 16e3)]
    sol = solve(one_module(volume=50.0, area=area), 10 * HOUR, [0.0, 10 * HOUR], levels)
    tau = blowdown_time_constant(50.0, 0.6 * area)
    x_o2 = X_AIR[SPECIES.index("O2")]
    t_p = tau * np.log(1 / 0.9)
    t_p = np.where(t_p <= 10 * HOUR, t_p, np.nan)
    t_o2 = tau * np.log(ATM * x_o2 / 16e3)
    expected_o2 = np.where(t_o2 <= 10 * HOUR, t_o2, np.nan)
    np.testing.assert_allclose(sol.operations.threshold_time[:, 0, 0], t_p, rtol=1e-6)
    np.testing.assert_allclose(sol.operations.threshold_time[:, 1, 0], expected_o2, rtol=1e-6)
    assert (
        np.isnan(sol.operations.threshold_time[0]).all()
        and np.isfinite(sol.operations.threshold_time[1:]).all()
    )


def test_threshold_already_crossed_reports_zero():
    sol = solve(one_module(pressure=0.5 * ATM), 60.0, [0.0, 60.0], [("pressure", 0.6 * ATM)])
    assert sol.operations.threshold_time[0, 0, 0] == 0.0


# -- conservation ----------------------------------------------------------------------------


@pytest.mark.parametrize("energy", ["isothermal", "adiabatic"])
def test_closed_station_conserves_mass_and_equalises(energy):
    pressures = (ATM, 0.3 * ATM)
    net = two_modules(hole_area=0.0, hatch_area=0.01, pressures=pressures, energy=energy)
    sol = solve(net, 600.0, [0.0, 600.0], rtol=1e-8)
    n0 = np.array(pressures) * np.array([60.0, 40.0]) / (MOLAR_GAS_CONSTANT * T0)
    assert sol.final_moles.sum() == pytest.approx(n0.sum(), rel=1e-12)
    # Sum of p V is conserved in adiabatic equalisation (constant cv); isothermal too at fixed T.
    pv0 = np.dot(pressures, [60.0, 40.0])
    assert np.dot(sol.final_pressure[0], [60.0, 40.0]) == pytest.approx(pv0, rel=1e-9)
    np.testing.assert_allclose(sol.final_pressure[0], pv0 / 100.0, rtol=1e-6)


def test_species_are_carried_with_upstream_composition():
    # Pure O2 at high pressure flows into N2: O2 moles move, N2 stays where it was.
    x = np.zeros((2, len(SPECIES)))
    x[0, SPECIES.index("O2")] = 1.0
    x[1, SPECIES.index("N2")] = 1.0
    net = Network(
        species=SPECIES,
        modules=Modules(
            volume=[[10.0, 10.0]],
            initial_pressure=[[2 * ATM, ATM]],
            initial_temperature=T0,
            initial_mole_fraction=x,
        ),
        links=Links(a=[0], b=[1], area=1e-3, discharge_coefficient=0.8, initially_open=True),
    )
    sol = solve(net, 100.0, [0.0, 100.0], rtol=1e-8)
    n = sol.final_moles[0]
    n_o2 = 2 * ATM * 10.0 / (MOLAR_GAS_CONSTANT * T0)
    n_n2 = ATM * 10.0 / (MOLAR_GAS_CONSTANT * T0)
    assert n[:, SPECIES.index("O2")].sum() == pytest.approx(n_o2, rel=1e-10)
    # Only round-off backflow while the pair settles can carry N2 upstream.
    assert n[0, SPECIES.index("N2")] <= 1e-8 * n_n2
    assert n[1, SPECIES.index("N2")] == pytest.approx(n_n2, rel=1e-8)
    assert sol.partial_pressure_O2[0, 1, -1] == pytest.approx(0.5 * ATM, rel=1e-5)


# -- batching contract -------------------------------------------------------------------------


def test_cases_are_independent_of_their_batch():
    area = np.array([1e-6, 3e-5, 2e-4, 5e-3])
    t = np.linspace(0, HOUR, 7)
    batch = solve(two_modules(hole_area=area, energy="adiabatic"), HOUR, t)
    for c, a in enumerate(area):
        alone = solve(two_modules(hole_area=np.array([a]), energy="adiabatic"), HOUR, t)
        np.testing.assert_array_equal(batch.pressure[c], alone.pressure[0])
        assert batch.n_steps[c] == alone.n_steps[0]


def test_failed_case_is_marked_and_others_kept():
    volume = np.array([10.0, np.nan, 30.0])
    t = np.linspace(0, 600.0, 5)
    sol = solve(one_module(volume=volume, area=1e-4), 600.0, t)
    assert list(sol.status) == [0, -1, 0]
    assert sol.message[1] and not sol.message[0]
    good = solve(one_module(volume=np.array([10.0, 30.0]), area=1e-4), 600.0, t)
    np.testing.assert_array_equal(sol.pressure[[0, 2]], good.pressure)
    with pytest.raises(SolverError, match="case 1"):
        solve(one_module(volume=volume, area=1e-4), 600.0, t, on_failure="raise")


def test_each_case_keeps_its_own_tolerance():
    rtol = np.array([1e-3, 1e-6, 1e-9])
    t = np.linspace(0, HOUR, 13)
    sol = solve(one_module(volume=np.full(3, 10.0), area=1e-4), HOUR, t, rtol=rtol)
    tau = blowdown_time_constant(10.0, 0.6e-4)
    err = np.abs(sol.pressure[:, 0] / (ATM * np.exp(-t / tau)) - 1).max(axis=1)
    assert err[0] > err[1] > err[2]
    assert np.all(err < 20 * rtol)
    assert sol.n_steps[0] < sol.n_steps[1] < sol.n_steps[2]


def test_each_case_has_its_own_duration():
    t = np.linspace(0, HOUR, 5)
    sol = solve(one_module(volume=np.full(2, 10.0), area=1e-4), [HOUR, 1800.0], t)
    assert np.all(np.isfinite(sol.pressure[0]))
    assert np.isnan(sol.pressure[1, 0, -1]) and np.isfinite(sol.pressure[1, 0, 2])
    np.testing.assert_allclose(sol.end_time, [HOUR, 1800.0])


def test_module_order_does_not_matter():
    t = np.linspace(0, HOUR, 7)
    net = two_modules(
        hole_area=np.array([1e-4]),
        volumes=(60.0, 40.0),
        pressures=(ATM, 0.9 * ATM),
        energy="adiabatic",
    )
    swapped = net.replace(
        modules=dataclasses.replace(
            net.modules,
            volume=net.modules.volume[:, ::-1],
            initial_pressure=net.modules.initial_pressure[:, ::-1],
        ),
        links=dataclasses.replace(net.links, a=[1, 1], b=[0, -1]),
    )
    a = solve(net, HOUR, t, rtol=1e-9)
    b = solve(swapped, HOUR, t, rtol=1e-9)
    np.testing.assert_allclose(a.pressure, b.pressure[:, ::-1], rtol=1e-7)
    np.testing.assert_allclose(a.temperature, b.temperature[:, ::-1], rtol=1e-7)


def test_reduced_and_full_composition_agree():
    t = np.linspace(0, HOUR, 7)
    net = two_modules(
        hole_area=np.array([1e-4, 1e-3]), pressures=(ATM, 0.7 * ATM), energy="adiabatic"
    )
    a = solve(net, HOUR, t, rtol=1e-9, atol=1e-13)
    b = solve(net, HOUR, t, rtol=1e-9, atol=1e-13, reduce_composition=False)
    np.testing.assert_allclose(a.pressure, b.pressure, rtol=1e-7)
    np.testing.assert_allclose(a.partial_pressure_O2, b.partial_pressure_O2, rtol=1e-7)


# -- robustness --------------------------------------------------------------------------------


def test_stiff_network_over_days():
    # An open 1 m^2 hatch beside a 1 cm^2 hole for three days.
    t = np.linspace(0, 72 * HOUR, 73)
    sol = solve(two_modules(hatch_area=1.0, hole_area=np.array([1e-4])), 72 * HOUR, t)
    assert sol.status[0] == 0
    assert sol.n_steps[0] + sol.n_rejected[0] < 500
    tau = blowdown_time_constant(100.0, 0.6e-4)
    np.testing.assert_allclose(sol.pressure[0, 0], ATM * np.exp(-t / tau), rtol=1e-4, atol=1e-3)


def test_huge_hole_to_near_vacuum_does_not_hang_or_go_negative():
    # A 1 m diameter hole in 1 m^3 for an hour: vacuum in milliseconds, then nothing.
    for energy in ("isothermal", "adiabatic", "wall"):
        net = one_module(
            volume=1.0, area=np.pi / 4, energy=energy, wall_area=6.0, wall_heat_transfer=2.0
        )
        sol = solve(net, HOUR, np.linspace(0, HOUR, 61))
        assert sol.status[0] == 0, sol.message[0]
        assert np.all(sol.pressure >= 0) and sol.pressure[0, 0, -1] < 1e-3
        assert sol.n_steps[0] + sol.n_rejected[0] < 3000


def test_rapid_decompression_of_a_descent_module():
    # Soyuz-11-like: 4 m^3, Cd A = 4 cm^2, adiabatic over two minutes.
    net = one_module(volume=4.0, area=4e-4 / 0.6, energy="adiabatic", pressure=915 * 133.322)
    t = np.linspace(0, 115.0, 24)
    sol = solve(net, 115.0, t)
    _, gamma = air_properties()
    p_ratio, _ = adiabatic_blowdown(t, blowdown_time_constant(4.0, 4e-4), gamma)
    np.testing.assert_allclose(sol.pressure[0, 0], 915 * 133.322 * p_ratio, rtol=1e-5)


@settings(deadline=None)
@given(
    volume=st.floats(0.5, 1000.0),
    diameter=st.floats(1e-5, 0.5),
    cd=st.floats(0.05, 1.0),
    duration=st.floats(1.0, 30 * 24 * HOUR),
    energy=st.sampled_from(["isothermal", "adiabatic", "wall"]),
)
def test_pressure_never_negative_and_decays_monotonically(volume, diameter, cd, duration, energy):
    net = two_modules(
        volumes=(volume, 0.5 * volume),
        hole_area=np.array([np.pi * diameter**2 / 4]),
        energy=energy,
        wall_area=10.0,
        wall_heat_transfer=1.0,
    )
    coefficient = net.links.discharge_coefficient.copy()  # a shared row, read-only
    coefficient[:, 1] = cd
    net = net.replace(links=dataclasses.replace(net.links, discharge_coefficient=coefficient))
    t = np.linspace(0, duration, 20)
    sol = solve(net, duration, t)
    assert sol.status[0] == 0, sol.message[0]
    # Amount of gas in the station, sum p V / T: no supply, so it can only fall (to within the
    # absolute tolerance, 1e-9 of the content).
    volumes = np.array([volume, 0.5 * volume])[:, None]
    amount = np.sum(sol.pressure[0] * volumes / sol.temperature[0], axis=0)
    assert np.all(np.isfinite(sol.pressure)) and np.all(sol.pressure >= 0)
    assert np.all(np.diff(amount) <= 1e-8 * amount[0])
