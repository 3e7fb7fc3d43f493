"""Small builders shared by the core tests: SI networks without the scenario layer."""

from __future__ import annotations

import numpy as np

from leaksim.core.flow import choked_flow_function
from leaksim.core.gas import (
    AIR,
    MOLAR_GAS_CONSTANT,
    heat_capacity_ratio,
    mixture_molar_heat_capacity,
    mixture_molar_mass,
    species_properties,
)
from leaksim.core.network import Network

SPECIES = tuple(AIR)
X_AIR = np.array([AIR[s] for s in SPECIES])
ATM = 101325.0
T0 = 295.15


def air_properties():
    """Specific gas constant [J/(kg K)] and gamma [-] of leaksim's air."""
    molar_mass, cp = species_properties(SPECIES)
    m = mixture_molar_mass(X_AIR, molar_mass)
    cp_mix = mixture_molar_heat_capacity(X_AIR, cp)
    return MOLAR_GAS_CONSTANT / m, float(heat_capacity_ratio(cp_mix))


def blowdown_time_constant(volume, effective_area, temperature=T0):
    """tau = V / (Cd A psi* sqrt(R T0)) of one module venting to vacuum [s] (docs/physics.md)."""
    r, gamma = air_properties()
    return volume / (effective_area * choked_flow_function(gamma) * np.sqrt(r * temperature))


def one_module(volume=100.0, area=1e-4, cd=0.6, energy="isothermal", pressure=ATM, **kw):
    """One module of air venting to vacuum; any argument may be an array over cases."""
    volume = np.asarray(volume, dtype=float)
    return Network(
        volume=volume[..., None] if volume.ndim else [[float(volume)]],
        initial_pressure=np.asarray(pressure, dtype=float)[..., None],
        initial_temperature=T0,
        initial_mole_fraction=X_AIR,
        species=SPECIES,
        link_a=[0],
        link_b=[-1],
        boundary_pressure=0.0,
        area=np.asarray(area, dtype=float)[..., None],
        discharge_coefficient=cd,
        initially_open=True,
        energy=energy,
        **kw,
    )


def two_modules(
    volumes=(60.0, 40.0),
    hatch_area=0.5,
    hole_area=1e-4,
    pressures=(ATM, ATM),
    energy="isothermal",
    hatch_open=True,
    event_time=None,
    event_open=False,
    temperatures=T0,
    **kw,
):
    """Two modules joined by a hatch (link 0), a hole from the first to vacuum (link 1)."""
    events = {}
    if event_time is not None:
        events = dict(
            event_time=np.asarray(event_time, dtype=float).reshape(-1, 1),
            event_link=[0],
            event_open=[event_open],
        )
    hatch = np.broadcast_to(np.asarray(hatch_area, dtype=float), np.shape(hole_area))
    return Network(
        volume=np.asarray(volumes, dtype=float),
        initial_pressure=np.asarray(pressures, dtype=float),
        initial_temperature=temperatures,
        initial_mole_fraction=X_AIR,
        species=SPECIES,
        link_a=[0, 0],
        link_b=[1, -1],
        boundary_pressure=0.0,
        area=np.stack([hatch, np.asarray(hole_area, dtype=float)], axis=-1),
        discharge_coefficient=[0.8, 0.6],
        initially_open=[hatch_open, True],
        energy=energy,
        **events,
        **kw,
    )
