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
            arrays[name] = a if a.ndim > len(tail) else a[None, ...]
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


class NetworkModel:
    """The right-hand side of a :class:`Network` on a flat state, batched over cases.

    The state of case ``c`` is the row ``y[c]`` of length ``F = M * (S' + E)``, ordered module
    by module: the ``S'`` species amounts [mol] then, when ``E = 1`` (energy modes other than
    isothermal), the internal energy [J].

    When every module of a case starts with the same composition, composition cannot change
    (bulk flow only moves gas between modules holding the same mixture, and inflow from a back
    pressure carries that mixture too), so the species collapse exactly into one pseudo-species
    with the case's mixture properties (``S' = 1``). This shrinks the Jacobian of the common
    all-air station from ``(4M)^2`` to ``M^2`` entries without approximation.

    Parameters
    ----------
    network : Network
        The compiled station.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        net = network
        molar_mass, cp = species_properties(net.species)
        x0 = net.initial_mole_fraction
        self.uniform = bool(np.all(np.abs(x0 - x0[:, :1, :]) <= 1e-12))
        if self.uniform:
            # One pseudo-species per case with the mixture's molar mass and heat capacity.
            x_case = x0[:, 0, :]
            self.molar_mass = (x_case @ molar_mass)[:, None]
            self.cp = (x_case @ cp)[:, None]
            self.composition = x_case[:, None, :]  # (C, S', S): species per pseudo-mole
        else:
            n_cases = net.n_cases
            self.molar_mass = np.broadcast_to(molar_mass, (n_cases, molar_mass.size)).copy()
            self.cp = np.broadcast_to(cp, (n_cases, cp.size)).copy()
            self.composition = np.broadcast_to(
                np.eye(len(net.species)), (n_cases, len(net.species), len(net.species))
            ).copy()
        self.n_state_species = self.molar_mass.shape[1]
        self.has_energy = net.energy != "isothermal"
        self.n_per_module = self.n_state_species + int(self.has_energy)
        self.n_state = net.n_modules * self.n_per_module
        self._incidence = self._build_incidence()
        self._boundary = net.link_b < 0
        # Leaks to vacuum are smooth without regularisation (r = 0, always choked).
        self._delta = np.where(
            self._boundary[None, :] & (net.boundary_pressure <= 0.0),
            0.0,
            net.regularisation_pressure[:, None],
        )
        self._x0_mole = self.initial_state_fractions()
        self.o2_index = net.species.index("O2") if "O2" in net.species else None

    # -- set-up ---------------------------------------------------------------------------
    def _build_incidence(self) -> np.ndarray:
        """Matrix D (K, M) with D[k, a] = -1 and D[k, b] = +1: module rates = flows @ D."""
        net = self.network
        incidence = np.zeros((net.n_links, net.n_modules))
        links = np.arange(net.n_links)
        incidence[links, net.link_a] -= 1.0
        inner = net.link_b >= 0
        incidence[links[inner], net.link_b[inner]] += 1.0
        return incidence

    def initial_state_fractions(self) -> np.ndarray:
        """Initial mole fractions over the state species, shape (C, M, S')."""
        net = self.network
        if self.uniform:
            return np.ones((net.n_cases, net.n_modules, 1))
        return net.initial_mole_fraction

    def initial_state(self) -> np.ndarray:
        """State at t = 0, shape (C, F)."""
        net = self.network
        total = net.initial_pressure * net.volume / (MOLAR_GAS_CONSTANT * net.initial_temperature)
        moles = total[:, :, None] * self._x0_mole
        parts = [moles]
        if self.has_energy:
            cv = np.sum(self._x0_mole * self.cp[:, None, :], axis=-1) - MOLAR_GAS_CONSTANT
            parts.append((total * cv * net.initial_temperature)[:, :, None])
        return np.concatenate(parts, axis=-1).reshape(net.n_cases, self.n_state)

    def state_scale(self) -> np.ndarray:
        """Per-component magnitude used to scale absolute tolerances, shape (C, F)."""
        y0 = np.abs(self.initial_state()).reshape(self.network.n_cases, -1, self.n_per_module)
        largest = np.max(y0, axis=1, keepdims=True)
        return np.broadcast_to(largest, y0.shape).reshape(self.network.n_cases, self.n_state)

    def neighbours(self) -> list[set[int]]:
        """For each module, the modules whose state enters its derivative (itself included)."""
        net = self.network
        near = [{m} for m in range(net.n_modules)]
        for a, b in zip(net.link_a, net.link_b, strict=True):
            if b >= 0:
                near[a].add(int(b))
                near[b].add(int(a))
        return near

    # -- evaluation ------------------------------------------------------------------------
    def thermo(self, y: np.ndarray, cases: np.ndarray | slice = slice(None)) -> dict:
        """Pressure, temperature and mixture properties of each module, for rows ``cases``."""
        net = self.network
        n = y.shape[0]
        state = y.reshape(n, net.n_modules, self.n_per_module)
        moles = np.maximum(state[:, :, : self.n_state_species], 0.0)
        total = np.sum(moles, axis=-1)
        positive = total > 0.0
        safe_total = np.where(positive, total, 1.0)
        x = np.where(positive[..., None], moles / safe_total[..., None], self._x0_mole[cases])
        molar_mass = np.sum(x * self.molar_mass[cases][:, None, :], axis=-1)
        cp = np.sum(x * self.cp[cases][:, None, :], axis=-1)
        cv = cp - MOLAR_GAS_CONSTANT
        if self.has_energy:
            energy = state[:, :, -1]
            temperature = np.where(
                positive & (energy > 0.0), energy / (safe_total * cv), net.initial_temperature[cases]
            )
        else:
            temperature = net.initial_temperature[cases]
        pressure = total * MOLAR_GAS_CONSTANT * temperature / net.volume[cases]
        return {
            "pressure": pressure,
            "temperature": temperature,
            "mole_fraction": x,
            "molar_mass": molar_mass,
            "cp": cp,
            "cv": cv,
        }

    def link_molar_flow(self, th: dict, is_open: np.ndarray, cases) -> tuple:
        """Molar flow through every link from side a to side b [mol/s], and upstream state."""
        net = self.network
        a, b = net.link_a, net.link_b
        bnd = self._boundary
        inner_b = np.where(bnd, 0, b)
        p_a = th["pressure"][:, a]
        p_b = np.where(bnd, net.boundary_pressure[cases], th["pressure"][:, inner_b])
        forward = p_a >= p_b
        # A back pressure holds the module's initial gas at its initial temperature.
        t_b = np.where(bnd, net.initial_temperature[cases][:, a], th["temperature"][:, inner_b])
        mm_b = np.where(bnd, self.molar_mass_initial(cases)[:, a], th["molar_mass"][:, inner_b])
        cp_b = np.where(bnd, self.cp_initial(cases)[:, a], th["cp"][:, inner_b])
        t_u = np.where(forward, th["temperature"][:, a], t_b)
        mm_u = np.where(forward, th["molar_mass"][:, a], mm_b)
        cp_u = np.where(forward, th["cp"][:, a], cp_b)
        p_u = np.where(forward, p_a, p_b)
        p_d = np.where(forward, p_b, p_a)
        gamma_u = cp_u / (cp_u - MOLAR_GAS_CONSTANT)
        ratio = np.divide(p_d, p_u, out=np.ones_like(p_u), where=p_u > 0.0)
        # Orifice law (leaksim.flow) written out here in molar form to share the upstream
        # selection with the species and enthalpy fluxes.
        mass_flux = (
            p_u
            * np.sqrt(mm_u / (MOLAR_GAS_CONSTANT * t_u))
            * flow_function(ratio, gamma_u)
            * regularisation_factor(p_u - p_d, self._delta[cases])
        )
        conductance = net.area[cases] * net.discharge_coefficient[cases] * is_open
        molar_flow = conductance * mass_flux / mm_u
        molar_flow = np.where(forward, molar_flow, -molar_flow)
        return molar_flow, forward, t_u, cp_u

    def molar_mass_initial(self, cases) -> np.ndarray:
        """Molar mass of each module's initial gas [kg/mol], shape (C, M)."""
        return np.sum(self._x0_mole[cases] * self.molar_mass[cases][:, None, :], axis=-1)

    def cp_initial(self, cases) -> np.ndarray:
        """Molar heat capacity of each module's initial gas [J/(mol K)], shape (C, M)."""
        return np.sum(self._x0_mole[cases] * self.cp[cases][:, None, :], axis=-1)

    def rhs(self, y: np.ndarray, is_open: np.ndarray, cases=slice(None)) -> np.ndarray:
        """Time derivative of the state.

        Parameters
        ----------
        y : ndarray, shape (n, F)
            State of ``n`` cases (the rows ``cases`` of the network).
        is_open : ndarray of bool, shape (n, K)
            Which links are open in each case.
        cases : index array or slice
            Network case of each row of ``y``.

        Returns
        -------
        ndarray, shape (n, F)
        """
        net = self.network
        n = y.shape[0]
        th = self.thermo(y, cases)
        flow, forward, t_u, cp_u = self.link_molar_flow(th, is_open, cases)
        a = net.link_a
        inner_b = np.where(self._boundary, 0, net.link_b)
        x_b = np.where(
            self._boundary[None, :, None], self._x0_mole[cases][:, a], th["mole_fraction"][:, inner_b]
        )
        x_u = np.where(forward[..., None], th["mole_fraction"][:, a], x_b)
        species_flow = flow[..., None] * x_u  # (n, K, S')
        d_moles = np.einsum("nks,km->nms", species_flow, self._incidence)
        parts = [d_moles]
        if self.has_energy:
            d_energy = (flow * cp_u * t_u) @ self._incidence
            if net.energy == "wall":
                d_energy = d_energy + net.wall_heat_transfer[cases] * net.wall_area[cases] * (
                    net.wall_temperature[cases] - th["temperature"]
                )
            parts.append(d_energy[..., None])
        return np.concatenate(parts, axis=-1).reshape(n, self.n_state)

    def observe(self, y: np.ndarray, cases=slice(None)) -> tuple[np.ndarray, ...]:
        """Pressure [Pa], temperature [K] and O2 partial pressure [Pa], each (n, M)."""
        th = self.thermo(y, cases)
        pressure = th["pressure"]
        if self.o2_index is None:
            return pressure, th["temperature"], np.zeros_like(pressure)
        x_o2 = th["mole_fraction"] @ self.composition[cases][:, :, self.o2_index][..., None]
        return pressure, th["temperature"], pressure * x_o2[..., 0]

    def species_moles(self, y: np.ndarray, cases=slice(None)) -> np.ndarray:
        """Amount of each real species in each module [mol], shape (n, M, S)."""
        net = self.network
        state = y.reshape(y.shape[0], net.n_modules, self.n_per_module)
        moles = state[:, :, : self.n_state_species]
        return np.einsum("nmp,nps->nms", moles, self.composition[cases])
