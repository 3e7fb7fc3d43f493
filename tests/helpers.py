"""Small builders shared by the core tests: SI networks without the scenario layer."""

from __future__ import annotations

import dataclasses

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
from leaksim.core.network import Links, Modules, Network, Schedule

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


#: Keyword arguments of the builders that belong to the modules' record.
_MODULE_KEYS = ("wall_area", "wall_heat_transfer", "wall_temperature")


def _network(modules: dict, links: dict, energy: str, **kw) -> Network:
    """A Network of leaksim's air from the fields of its records; wall arrays in ``kw`` go to
    the modules, the rest to the network."""
    walls = {k: kw.pop(k) for k in _MODULE_KEYS if k in kw}
    return Network(
        species=SPECIES,
        modules=Modules(initial_mole_fraction=X_AIR, **modules, **walls),
        links=Links(**links),
        energy=energy,
        **kw,
    )


def assert_same_records(a, b, path="network"):
    """Assert that two compiled records hold equal fields, nested records included."""
    assert type(a) is type(b), path
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        where = f"{path}.{field.name}"
        if dataclasses.is_dataclass(x):
            assert_same_records(x, y, where)
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=where)
        else:
            assert x == y, where


def one_module(volume=100.0, area=1e-4, cd=0.6, energy="isothermal", pressure=ATM, **kw):
    """One module of air venting to vacuum; any argument may be an array over cases."""
    volume = np.asarray(volume, dtype=float)
    modules = dict(
        volume=volume[..., None] if volume.ndim else [[float(volume)]],
        initial_pressure=np.asarray(pressure, dtype=float)[..., None],
        initial_temperature=T0,
    )
    links = dict(
        a=[0],
        b=[-1],
        area=np.asarray(area, dtype=float)[..., None],
        discharge_coefficient=cd,
        initially_open=True,
    )
    return _network(modules, links, energy, **kw)


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
    if event_time is not None:
        kw["schedule"] = Schedule(
            time=np.asarray(event_time, dtype=float).reshape(-1, 1),
            target=[0],
            opens=[event_open],
        )
    hatch = np.broadcast_to(np.asarray(hatch_area, dtype=float), np.shape(hole_area))
    modules = dict(
        volume=np.asarray(volumes, dtype=float),
        initial_pressure=np.asarray(pressures, dtype=float),
        initial_temperature=temperatures,
    )
    links = dict(
        a=[0, 0],
        b=[1, -1],
        area=np.stack([hatch, np.asarray(hole_area, dtype=float)], axis=-1),
        discharge_coefficient=[0.8, 0.6],
        initially_open=[hatch_open, True],
    )
    return _network(modules, links, energy, **kw)
