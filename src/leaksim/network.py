"""The cabin network compiled to SI arrays, and its right-hand side.

A :class:`Network` is what the station and scenario layer hands to the solver: plain float64
arrays with the case axis first, every numeric parameter broadcast to one value per case. No
units library is imported here.

Nomenclature (array axes):

* ``C`` cases, ``M`` modules, ``K`` links, ``S`` species, ``E`` scheduled events.
* A *link* is any opening: a hatch between two modules, or a leak from module ``a`` to module
  ``b`` or to a fixed back pressure (``b == -1``; 0 Pa is vacuum).

State of one case (:class:`NetworkModel`): the amount of each species in each module
``n[m, s]`` [mol] and, unless the energy mode is ``"isothermal"``, the internal energy of each
module ``U[m]`` [J]. Moles and energy, not pressure and temperature, are the state because
bulk flows move them between modules without creating or destroying any: total moles and total
energy of a closed station are linear invariants, which Rosenbrock methods keep to round-off
(so mass and the sum of ``p V`` are conserved exactly, not only to the tolerance).

Equations (ideal gas, species with constant heat capacity, :mod:`leaksim.gas`):

.. math::

    p_m = \\frac{N_m R_u T_m}{V_m},\\qquad
    \\frac{dn_{m,s}}{dt} = \\sum_{k\\,\\mathrm{into}\\,m} x_{u(k),s}\\,\\dot n_k
      - \\sum_{k\\,\\mathrm{out\\,of}\\,m} x_{m,s}\\,\\dot n_k,

    \\frac{dU_m}{dt} = \\sum_{k\\,\\mathrm{into}\\,m} \\dot n_k c_{p,u(k)} T_{u(k)}
      - \\sum_{k\\,\\mathrm{out\\,of}\\,m} \\dot n_k c_{p,m} T_m + h_w A_w (T_w - T_m),

where ``u(k)`` is the upstream side of link ``k`` and ``U_m = T_m sum_s n_{m,s} c_{v,s}``.
The molar flow ``n_k`` is the mass flow of :func:`leaksim.flow.regularised_orifice_mass_flow`
divided by the upstream molar mass. A fixed back pressure that exceeds the module pressure
pushes in gas of the module's initial composition and temperature.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from .flow import DEFAULT_REGULARISATION_PRESSURE, flow_function, regularisation_factor
from .gas import MOLAR_GAS_CONSTANT, species_properties

__all__ = ["ENERGY_MODES", "Network", "NetworkModel"]

#: Energy equations leaksim solves.
ENERGY_MODES = ("isothermal", "adiabatic", "wall")

_PER_CASE_MODULE = (
    "volume",
    "initial_pressure",
    "initial_temperature",
    "wall_area",
    "wall_heat_transfer",
    "wall_temperature",
)
_PER_CASE_LINK = ("boundary_pressure", "area", "discharge_coefficient")


@dataclass
class Network:
    """A station compiled to SI arrays, one row per case.

    Parameters
    ----------
    volume : array_like, shape (C, M)
        Module volumes [m^3].
    initial_pressure : array_like, shape (C, M)
        Total pressure at t = 0 [Pa].
    initial_temperature : array_like, shape (C, M)
        Gas temperature at t = 0 [K]; the fixed temperature in isothermal mode.
    initial_mole_fraction : array_like, shape (C, M, S)
        Composition at t = 0 [-], rows summing to 1.
    species : tuple of str, length S
        Species names, keys of :data:`leaksim.gas.SPECIES`.
    link_a, link_b : array_like of int, shape (K,)
        Module index of each side of each link; ``link_b = -1`` is a fixed back pressure.
    boundary_pressure : array_like, shape (C, K)
        Back pressure of links with ``link_b = -1`` [Pa]; 0 for vacuum. Ignored elsewhere.
    area : array_like, shape (C, K)
        Flow area of each link [m^2].
    discharge_coefficient : array_like, shape (C, K)
        ``C_d`` of each link [-].
    initially_open : array_like of bool, shape (C, K)
        Whether each link is open at t = 0.
    event_time : array_like, shape (C, E)
        Time of each scheduled event in each case [s]; ``inf`` where it never happens.
    event_link : array_like of int, shape (E,)
        Link each event acts on.
    event_open : array_like of bool, shape (E,)
        True if the event opens its link, False if it closes it.
    energy : {"isothermal", "adiabatic", "wall"}
        Energy equation.
    wall_area, wall_heat_transfer, wall_temperature : array_like, shape (C, M), optional
        Wall area [m^2], heat-transfer coefficient [W/(m^2 K)] and temperature [K] of each
        module, used in ``"wall"`` mode. Default: no wall exchange, wall at the initial gas
        temperature.
    regularisation_pressure : array_like, shape (C,), optional
        ``delta`` of the two-way flow law [Pa] (:mod:`leaksim.flow`).
    module_names, link_names : tuple of str, optional
        Names used in messages and results.

    Notes
    -----
    Construct with any shapes that broadcast; ``__post_init__`` broadcasts every array to its
    full shape with ``C`` taken as the largest case count among them.
    """

    volume: np.ndarray
    initial_pressure: np.ndarray
    initial_temperature: np.ndarray
    initial_mole_fraction: np.ndarray
    species: tuple[str, ...]
    link_a: np.ndarray
    link_b: np.ndarray
    boundary_pressure: np.ndarray
    area: np.ndarray
    discharge_coefficient: np.ndarray
    initially_open: np.ndarray
    event_time: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    event_link: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    event_open: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    energy: str = "isothermal"
    wall_area: np.ndarray | None = None
    wall_heat_transfer: np.ndarray | None = None
    wall_temperature: np.ndarray | None = None
    regularisation_pressure: np.ndarray | float = DEFAULT_REGULARISATION_PRESSURE
    module_names: tuple[str, ...] = ()
    link_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.energy not in ENERGY_MODES:
            raise ValueError(f"energy must be one of {ENERGY_MODES}, got {self.energy!r}")
        self.species = tuple(self.species)
        self.link_a = np.asarray(self.link_a, dtype=np.intp).reshape(-1)
        self.link_b = np.asarray(self.link_b, dtype=np.intp).reshape(-1)
        self.event_link = np.asarray(self.event_link, dtype=np.intp).reshape(-1)
        self.event_open = np.asarray(self.event_open, dtype=bool).reshape(-1)
        volume = np.atleast_2d(np.asarray(self.volume, dtype=float))
        n_modules = volume.shape[-1]
        n_links = self.link_a.size
        n_species = len(self.species)
        if self.wall_area is None:
            self.wall_area = np.zeros((1, n_modules))
        if self.wall_heat_transfer is None:
            self.wall_heat_transfer = np.zeros((1, n_modules))
        if self.wall_temperature is None:
            self.wall_temperature = self.initial_temperature
        per_case = {
            **{name: (n_modules,) for name in _PER_CASE_MODULE},
            **{name: (n_links,) for name in _PER_CASE_LINK},
            "initial_mole_fraction": (n_modules, n_species),
            "initially_open": (n_links,),
            "event_time": (self.event_link.size,),
            "regularisation_pressure": (),
        }
        arrays = {}
        for name, tail in per_case.items():
            a = np.asarray(getattr(self, name), dtype=bool if name == "initially_open" else float)
            arrays[name] = a.reshape((-1,) + tail) if a.ndim > len(tail) else a[None, ...]
        n_cases = max(a.shape[0] for a in arrays.values())
        for name, tail in per_case.items():
            try:
                full = np.broadcast_to(arrays[name], (n_cases,) + tail)
            except ValueError:
                raise ValueError(
                    f"{name} has shape {np.shape(getattr(self, name))}, which does not broadcast "
                    f"to ({n_cases}, {', '.join(map(str, tail))})"
                ) from None
            setattr(self, name, np.ascontiguousarray(full))
        if self.link_b.size != n_links or self.event_open.size != self.event_link.size:
            raise ValueError("link_a/link_b and event_link/event_open must have equal lengths")
        if n_links and (self.link_a.min() < 0 or max(self.link_a.max(), self.link_b.max())
                        >= n_modules or self.link_b.min() < -1):
            raise ValueError("link_a and link_b must index modules (link_b may be -1)")
        if not self.module_names:
            self.module_names = tuple(f"module {i}" for i in range(n_modules))
        if not self.link_names:
            self.link_names = tuple(f"link {k}" for k in range(n_links))

    @property
    def n_cases(self) -> int:
        """Number of cases ``C``."""
        return self.volume.shape[0]

    @property
    def n_modules(self) -> int:
        """Number of modules ``M``."""
        return self.volume.shape[1]

    @property
    def n_links(self) -> int:
        """Number of links ``K``."""
        return self.link_a.size

    def take(self, cases: np.ndarray) -> Network:
        """Return the network restricted to the given case indices."""
        kwargs = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and value.ndim >= 1 and f.name not in (
                "link_a", "link_b", "event_link", "event_open"
            ):
                value = value[cases]
            kwargs[f.name] = value
        return Network(**kwargs)
