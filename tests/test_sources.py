"""Gas sources: constant feeds switched by events, against the linear-ODE closed form."""

import dataclasses

import numpy as np
import pytest
from helpers import ATM, SPECIES, T0, X_AIR, blowdown_time_constant, one_module

from leaksim.core.gas import MOLAR_GAS_CONSTANT
from leaksim.core.network import Schedule, Sources
from leaksim.core.solver import solve

VOLUME, HOLE = 10.0, 2e-4


def fed(feed, stop=np.inf, energy="isothermal", composition=X_AIR, n=1):
    """One module with a hole (Cd 0.6) to vacuum and a feed [mol/s] that stops at ``stop``."""
    net = one_module(volume=np.full(n, VOLUME), area=np.full(n, HOLE), energy=energy)
    return net.replace(
        sources=Sources(
            module=[0],
            molar_flow=np.broadcast_to(np.asarray(feed, float), (n,))[:, None],
            mole_fraction=composition,
            temperature=T0,
            initially_on=True,
        ),
        schedule=Schedule(
            time=np.broadcast_to(np.asarray(stop, float), (n,))[:, None],
            target=[1],  # K = 1 link, so switch 1 is source 0
            opens=[False],
        ),
    )


def moles(p):
    return p * VOLUME / (MOLAR_GAS_CONSTANT * T0)


def test_feed_against_a_hole_settles_where_feed_equals_leak():
    # dN/dt = F - N / tau (choked leak, linear in N): N(t) = F tau + (N0 - F tau) exp(-t/tau).
    tau = blowdown_time_constant(VOLUME, 0.6 * HOLE)
    feed = np.array([0.5, 1.0, 2.0]) * moles(ATM) / tau
    t = np.linspace(0, 5 * tau, 21)
    sol = solve(fed(feed, n=3), 5 * tau, t, rtol=1e-8)
    n0 = moles(ATM)
    expected = feed[:, None] * tau + (n0 - feed[:, None] * tau) * np.exp(-t / tau)
    got = moles(sol.pressure[:, 0, :])
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_empty_tank_stops_the_feed_and_the_decay_resumes():
    tau = blowdown_time_constant(VOLUME, 0.6 * HOLE)
    feed = moles(ATM) / tau  # exactly balances the leak at 1 atm: pressure holds
    stop = 0.7 * tau
    t = np.linspace(0, 2 * tau, 41)
    sol = solve(fed(feed, stop=stop), 2 * tau, t, rtol=1e-9)
    expected = np.where(t <= stop, ATM, ATM * np.exp(-(t - stop) / tau))
    np.testing.assert_allclose(sol.pressure[0, 0], expected, rtol=1e-6)
    assert sol.operations.source_on_time[0, 0] == pytest.approx(stop, rel=1e-12)
    assert sol.operations.event_time[0, 0] == pytest.approx(stop)


def test_oxygen_feed_enriches_the_module():
    # Sealed module (no hole) fed pure O2: O2 moles grow by exactly the feed.
    x_o2 = np.zeros(len(SPECIES))
    x_o2[SPECIES.index("O2")] = 1.0
    net = fed(0.01, composition=x_o2)
    net = net.replace(links=dataclasses.replace(net.links, area=0.0))
    sol = solve(net, 1000.0, [0.0, 1000.0], rtol=1e-9)
    o2 = SPECIES.index("O2")
    assert sol.final_moles[0, 0, o2] == pytest.approx(moles(ATM) * X_AIR[o2] + 10.0, rel=1e-9)
    n2 = SPECIES.index("N2")
    assert sol.final_moles[0, 0, n2] == pytest.approx(moles(ATM) * X_AIR[n2], rel=1e-12)


def test_adiabatic_feed_brings_its_enthalpy():
    # Sealed module fed air at its own temperature: dU = F cp T0 dt, N grows by F t, so
    # T = (N0 cv T0 + F t cp T0) / ((N0 + F t) cv) and p follows from the ideal gas.
    net = fed(0.05, energy="adiabatic")
    net = net.replace(links=dataclasses.replace(net.links, area=0.0))
    sol = solve(net, 600.0, [0.0, 600.0], rtol=1e-10)
    from leaksim.core.gas import mixture_molar_heat_capacity, species_properties

    cp = float(mixture_molar_heat_capacity(X_AIR, species_properties(SPECIES)[1]))
    cv = cp - MOLAR_GAS_CONSTANT
    n0, added = moles(ATM), 0.05 * 600.0
    temperature = (n0 * cv * T0 + added * cp * T0) / ((n0 + added) * cv)
    assert sol.final_temperature[0, 0] == pytest.approx(temperature, rel=1e-8)
