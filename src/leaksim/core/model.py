"""The right-hand side of a compiled station, batched over cases.

State of one case (:class:`GeneralModel`): the amount of each species in each module
``n[m, s]`` [mol] and, unless the energy mode is ``"isothermal"``, the internal energy of each
module ``U[m]`` [J]. Moles and energy, not pressure and temperature, are the state because
bulk flows move them between modules without creating or destroying any: total moles and total
energy of a closed station are linear invariants, which Rosenbrock methods keep to round-off
(so mass and the sum of ``p V`` are conserved exactly, not only to the tolerance).

Equations (ideal gas, species with constant heat capacity, :mod:`leaksim.core.gas`):

.. math::

    p_m = \\frac{N_m R_u T_m}{V_m},\\qquad
    \\frac{dn_{m,s}}{dt} = \\sum_{k\\,\\mathrm{into}\\,m} x_{u(k),s}\\,\\dot n_k
      - \\sum_{k\\,\\mathrm{out\\,of}\\,m} x_{m,s}\\,\\dot n_k,

    \\frac{dU_m}{dt} = \\sum_{k\\,\\mathrm{into}\\,m} \\dot n_k c_{p,u(k)} T_{u(k)}
      - \\sum_{k\\,\\mathrm{out\\,of}\\,m} \\dot n_k c_{p,m} T_m + h_w A_w (T_w - T_m),

where ``u(k)`` is the upstream side of link ``k`` and ``U_m = T_m sum_s n_{m,s} c_{v,s}``.
The molar flow ``n_k`` is the mass flow of
:func:`leaksim.core.flow.regularised_orifice_mass_flow` divided by the upstream molar mass. A
fixed back pressure that exceeds the module pressure pushes in gas of the module's initial
composition and temperature.
"""

from __future__ import annotations

import copy
from functools import cached_property
from typing import Any, ClassVar, NamedTuple, Self

import numpy as np
import numpy.typing as npt

from .flow import (
    FlowConstants,
    choked_flow_function,
    flow_function_constants,
    regularised_flow_function,
    regularised_flux_and_slopes,
)
from .gas import MOLAR_GAS_CONSTANT, species_properties
from .network import (
    FEED_FADES_WITHOUT_CO2,
    FEED_FADES_WITHOUT_O2,
    FEED_FOLLOWS_CO2,
    FEED_REGULATES_O2,
    FEED_REGULATES_PRESSURE,
    Network,
    case_rows,
    on_case_rows,
)

__all__ = [
    "GeneralModel",
    "LeanModel",
    "StationFacts",
    "build_model",
    "lean_applies",
    "regulator_opening",
    "station_facts",
    "vacuum_links",
]

#: Rows of a batch: an index array, or a slice over all of them.
Cases = np.ndarray | slice

#: Imaginary step of the complex-step rates of :meth:`GeneralModel.observe_rates` [state units].
_RATE_STEP = 1e-20

#: Pressure, temperature and mixture properties of each module (:meth:`GeneralModel.thermo`):
#: arrays by name; ``mole_fraction`` is None with one (pseudo-)species.
Thermo = dict[str, Any]


def regulator_opening(x: npt.ArrayLike) -> np.ndarray:
    """Opening of a regulator in [0, 1] against its scaled error ``x = (set - v) / band``.

    The cubic smoothstep ``1/2 + 3x/4 - x^3/4`` on ``[-1, 1]``, shut below and fully open
    above: continuous with a continuous slope, so a stiff solver sees no switch, and exactly
    shut once the value is a band above the set point (a ``tanh`` law never shuts and would
    keep filling a sealed module).

    Parameters
    ----------
    x : array_like
        Scaled error [-]; complex values allowed (real part compared).

    Returns
    -------
    numpy.ndarray
        Opening [-].
    """
    x = np.asarray(x)
    inside = 0.5 + 0.75 * x - 0.25 * x**3
    return np.where(x.real >= 1.0, 1.0, np.where(x.real <= -1.0, 0.0, inside))


def build_model(network: Network, reduce_composition: bool = True) -> GeneralModel:
    """The right-hand side of ``network``, chosen once: :class:`LeanModel` where it applies
    (:func:`lean_applies`), :class:`GeneralModel` otherwise.

    Parameters
    ----------
    network : Network
        The compiled station.
    reduce_composition : bool, optional
        Collapse uniform compositions into one pseudo-species (default True).

    Returns
    -------
    GeneralModel
        A :class:`LeanModel` (a subclass) for the common station.
    """
    facts = station_facts(network, reduce_composition)
    lean = _lean(network, facts)
    return (LeanModel if lean else GeneralModel)(network, reduce_composition, facts)


def lean_applies(network: Network, reduce_composition: bool = True) -> bool:
    """Whether ``network`` is the common station that :class:`LeanModel` serves.

    One (pseudo-)species at one temperature without an energy equation, no regulated sources,
    and every two-way link regularised (``delta > 0``). Then the pressure is ``(Ru T / V) N``,
    linear in the state, and the Jacobian has a closed form.
    """
    return _lean(network, station_facts(network, reduce_composition))


class StationFacts(NamedTuple):
    """What the choice of a right-hand side and its set-up both need, found once.

    Attributes
    ----------
    uniform : bool
        Every module and source of each case holds its case's one mixture.
    same_temperature : bool
        Isothermal, every module of each case at one temperature.
    delta : numpy.ndarray, shape (C, K)
        Regularisation pressure of every link [Pa]; zero for links to vacuum.
    """

    uniform: bool
    same_temperature: bool
    delta: np.ndarray


def station_facts(network: Network, reduce_composition: bool = True) -> StationFacts:
    """The :class:`StationFacts` of ``network``."""
    temperature = case_rows(network.modules.initial_temperature)
    same_temperature = network.energy == "isothermal" and bool(
        np.all(temperature == temperature[:, :1])
    )
    uniform = _uniform_composition(network, reduce_composition)
    return StationFacts(uniform, same_temperature, _regularisation(network))


def _lean(network: Network, facts: StationFacts) -> bool:
    """:func:`lean_applies`, given the station's facts."""
    two_way = ~vacuum_links(network)
    return (
        (facts.uniform or len(network.species) == 1)
        and facts.same_temperature
        and not np.any(network.sources.watch)
        and bool(np.all(facts.delta[:, two_way] > 0.0))
    )


def _take_constants(constants: FlowConstants, cases: Cases) -> FlowConstants:
    """The flow-function constants of the given cases."""
    a, b, c, d = constants
    return a[cases], b[cases], c[cases], d[cases]


def _uniform_composition(network: Network, reduce_composition: bool) -> bool:
    """Whether every module and source of every case holds its case's one mixture."""
    x0 = network.modules.initial_mole_fraction
    x_src = network.sources.mole_fraction
    x0, x_src = case_rows(x0), case_rows(x_src)  # shared rows broadcast against the others
    return (
        reduce_composition
        and bool(np.all(np.abs(x0 - x0[:, :1, :]) <= 1e-12))
        and bool(np.all(np.abs(x_src - x0[:, :1, :]) <= 1e-12))
    )


def vacuum_links(network: Network) -> np.ndarray:
    """Links to vacuum in every case, (K,) bool: always choked, no regularisation needed."""
    links = network.links
    return (links.b < 0) & np.all(case_rows(links.boundary_pressure) <= 0.0, axis=0)


def _regularisation(network: Network) -> np.ndarray:
    """``delta`` of every link in every case [Pa], (C, K): zero where a link leads to vacuum
    (``r = 0``, always choked, smooth without it)."""
    links = network.links
    to_vacuum = (links.b < 0)[None, :] & (links.boundary_pressure <= 0.0)
    return np.where(to_vacuum, 0.0, np.asarray(network.regularisation_pressure)[:, None])


class GeneralModel:
    """The right-hand side of any :class:`Network` on a flat state, batched over cases.

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
    reduce_composition : bool, optional
        Collapse uniform compositions into one pseudo-species (default True). False keeps
        every species in the state; both give the same answer, the reduced one faster.
    facts : StationFacts, optional
        The station's facts if the caller has them (:func:`station_facts`, as
        :func:`build_model` does); found out when None.

    Attributes
    ----------
    analytic : bool
        False: the solver differentiates :meth:`rhs` by complex step (every evaluation here
        accepts complex states and times). :class:`LeanModel` says True.
    """

    analytic: ClassVar[bool] = False

    def __init__(
        self,
        network: Network,
        reduce_composition: bool = True,
        facts: StationFacts | None = None,
    ) -> None:
        self.network = network
        net = network
        molar_mass, cp = species_properties(net.species)
        x0 = net.modules.initial_mole_fraction
        x_src = net.sources.mole_fraction
        # Network.__post_init__ fills in the optional arrays: source_mole_fraction with zeros,
        # regularisation_pressure as a per-case array.
        assert x_src is not None
        assert isinstance(net.regularisation_pressure, np.ndarray)
        if facts is None:
            facts = station_facts(net, reduce_composition)
        self.uniform = facts.uniform
        if self.uniform:
            # One pseudo-species per case with the mixture's molar mass and heat capacity.
            x_case = x0[:, 0, :]
            self.molar_mass = on_case_rows(lambda x: np.sum(x * molar_mass, -1)[:, None], x_case)
            self.cp = on_case_rows(lambda x: np.sum(x * cp, -1)[:, None], x_case)
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
        self._boundary = net.links.b < 0
        self._delta = facts.delta
        self._x0_mole = self.initial_state_fractions()
        modules = net.modules
        self._initial_moles = on_case_rows(
            lambda p, v, t: p * v / (MOLAR_GAS_CONSTANT * t),
            modules.initial_pressure,
            modules.volume,
            modules.initial_temperature,
        )
        self._vacuum_moles = on_case_rows(lambda n: 1e-9 * _row_max(n), self._initial_moles)
        # Used when S' = 1.
        self._gamma = on_case_rows(lambda c: c / (c - MOLAR_GAS_CONSTANT), self.cp[:, :1])
        self._psi_star = on_case_rows(choked_flow_function, self._gamma)
        self._any_boundary = bool(np.any(self._boundary))
        vacuum = vacuum_links(net)
        self._vacuum_links = np.flatnonzero(vacuum)
        self._vacuum_mask = vacuum
        self._other_links = np.flatnonzero(~vacuum)
        self._cda = on_case_rows(np.multiply, net.links.area, net.links.discharge_coefficient)
        self._same_temperature = facts.same_temperature
        self.o2_index = net.species.index("O2") if "O2" in net.species else None
        # Sources: composition over the state species (their enthalpy is :attr:`_src_h`).
        self._src_flow = net.sources.molar_flow
        self._src_x = np.ones(x_src.shape[:2] + (1,)) if self.uniform else x_src
        temperature = np.ascontiguousarray(modules.initial_temperature)
        self._rt_v = on_case_rows(
            lambda t, v: MOLAR_GAS_CONSTANT * t / v, temperature, modules.volume
        )
        # Molar flow per unit Phi = p_u Psi reg of each link, C_d A / sqrt(M Ru T) [mol/(s Pa)].
        self._flow_scale = self._cda / np.sqrt(
            self.molar_mass[:, :1] * MOLAR_GAS_CONSTANT * temperature[:, net.links.a]
        )
        self._vacuum_scale = self._flow_scale[:, self._vacuum_links] * self._psi_star

    # The per-case arrays below are computed on first use: a run whose zones all merge in
    # closed form needs none of them. Each is elementwise per case, so a model's :meth:`take`
    # may leave one uncomputed and the taken model compute it on its own cases, bit for bit.
    @cached_property
    def _flow_constants(self) -> FlowConstants:
        return flow_function_constants(self._gamma)

    @cached_property
    def _mm0(self) -> np.ndarray:
        return np.sum(self._x0_mole * self.molar_mass[:, None, :], axis=-1)

    @cached_property
    def _cp0(self) -> np.ndarray:
        return np.sum(self._x0_mole * self.cp[:, None, :], axis=-1)

    @cached_property
    def _boundary_side(self) -> dict[str, np.ndarray]:
        """The gas behind each link's back pressure: the module's initial gas at its initial
        temperature."""
        net, a = self.network, self.network.links.a
        return {
            "pressure": net.links.boundary_pressure,
            "temperature": net.modules.initial_temperature[:, a],
            "molar_mass": self._mm0[:, a],
            "cp": self._cp0[:, a],
            "mole_fraction": self._x0_mole[:, a],
        }

    @cached_property
    def _src_h(self) -> np.ndarray:
        """The molar enthalpy each source brings [J/mol], (C, J)."""
        src = self.network.sources
        assert src.mole_fraction is not None
        cp = species_properties(self.network.species)[1]
        return np.sum(src.mole_fraction * cp, axis=-1) * src.temperature

    @cached_property
    def _fans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The links whose fans run in some case, and per such link Q / V of each side
        [1/s], (C, K'): fans exchange air only between two modules, at open * (q_b N_b -
        q_a N_a)."""
        net = self.network
        fans = np.where((net.links.b >= 0)[None, :], net.links.ventilation, 0.0)
        # Link by link: numpy's reduction over the case axis of (C, K) is the slow one.
        ventilated = np.flatnonzero([np.any(fans[:, k] > 0.0) for k in range(fans.shape[1])])
        vent_a, vent_b = net.links.a[ventilated], net.links.b[ventilated]
        fans = fans[:, ventilated]
        return (
            ventilated,
            fans / net.modules.volume[:, vent_a],
            fans / net.modules.volume[:, vent_b],
        )

    @property
    def _ventilated(self) -> np.ndarray:
        return self._fans[0]

    @property
    def _fan_a(self) -> np.ndarray:
        return self._fans[1]

    @property
    def _fan_b(self) -> np.ndarray:
        return self._fans[2]

    _PER_CASE = (
        "molar_mass",
        "cp",
        "composition",
        "_x0_mole",
        "_delta",
        "_initial_moles",
        "_vacuum_moles",
        "_gamma",
        "_psi_star",
        "_cda",
        "_src_flow",
        "_src_x",
        "_rt_v",
        "_flow_scale",
        "_vacuum_scale",
    )

    def take(self, cases: Cases) -> Self:
        """The same model restricted to the given cases (same state layout): their indices,
        or a slice (views of this model's arrays)."""
        model = copy.copy(self)
        model.network = self.network.take(cases)
        for name in self._PER_CASE:
            setattr(model, name, getattr(self, name)[cases])
        computed = self.__dict__  # the lazy arrays computed so far; the others wait
        for name in ("_mm0", "_cp0", "_src_h"):
            if name in computed:
                setattr(model, name, computed[name][cases])
        if "_flow_constants" in computed:
            model._flow_constants = _take_constants(self._flow_constants, cases)
        if "_boundary_side" in computed:
            model._boundary_side = {k: v[cases] for k, v in self._boundary_side.items()}
        if "_fans" in computed:
            ventilated, fan_a, fan_b = self._fans
            model._fans = (ventilated, fan_a[cases], fan_b[cases])
        return model

    # -- set-up ---------------------------------------------------------------------------
    def initial_state_fractions(self) -> np.ndarray:
        """Initial mole fractions over the state species, shape (C, M, S')."""
        net = self.network
        if self.uniform:
            return np.ones((net.n_cases, net.n_modules, 1))
        return net.modules.initial_mole_fraction

    def initial_state(self) -> np.ndarray:
        """State at t = 0, shape (C, F)."""
        net = self.network
        total = self._initial_moles
        if self.n_per_module == 1:  # one amount per module, its total (x = 1 exactly)
            return np.array(total, dtype=float).reshape(net.n_cases, self.n_state)
        moles = total[:, :, None] * self._x0_mole
        parts = [moles]
        if self.has_energy:
            cv = np.sum(self._x0_mole * self.cp[:, None, :], axis=-1) - MOLAR_GAS_CONSTANT
            parts.append((total * cv * net.modules.initial_temperature)[:, :, None])
        return np.concatenate(parts, axis=-1).reshape(net.n_cases, self.n_state)

    def state_scale(self) -> np.ndarray:
        """Per-component magnitude used to scale absolute tolerances, shape (C, F).

        Every amount is scaled by the largest total amount in any module of the case, and the
        energy by the largest module energy, so that species absent at the start still get a
        meaningful absolute tolerance.
        """
        n_cases, k = self.network.n_cases, self.n_per_module
        if k == 1:  # one amount per module, its total: each case's largest (one pass)
            scale_1 = on_case_rows(
                lambda n: np.maximum(_row_max(np.abs(n)), np.finfo(float).tiny),
                self._initial_moles,
            )
            return np.broadcast_to(scale_1, (n_cases, self.n_state)).copy()
        y0 = np.abs(self.initial_state()).reshape(n_cases, -1, k)
        scale = np.empty_like(y0)
        s = self.n_state_species
        scale[:, :, :s] = np.max(np.sum(y0[:, :, :s], axis=2), axis=1)[:, None, None]
        if self.has_energy:
            scale[:, :, s] = np.max(y0[:, :, s], axis=1)[:, None]
        return np.maximum(scale, np.finfo(float).tiny).reshape(n_cases, self.n_state)

    def neighbours(self) -> list[set[int]]:
        """For each module, the modules whose state enters its derivative (itself included)."""
        net = self.network
        near = [{m} for m in range(net.n_modules)]
        for a, b in zip(net.links.a, net.links.b, strict=True):
            if b >= 0:
                near[a].add(int(b))
                near[b].add(int(a))
        return near

    # -- evaluation ------------------------------------------------------------------------
    def thermo(self, y: np.ndarray, cases: Cases = slice(None)) -> Thermo:
        """Pressure, temperature and mixture properties of each module, for rows ``cases``.

        With one (pseudo-)species the mixture properties are the case's constants, shape
        (n, 1), broadcasting over modules.
        """
        net = self.network
        n = y.shape[0]
        state = y.reshape(n, net.n_modules, self.n_per_module)
        raw = state[:, :, : self.n_state_species]
        moles = np.where(raw.real > 0.0, raw, 0.0)
        # Pressure stays linear in the state through zero (a module emptied to within the
        # absolute tolerance may hold a slightly negative amount): a clipped pressure would put
        # a kink under the leak of a nearly empty module and stall the implicit steps there.
        # Composition and temperature use the clipped amounts; reported pressures are clipped.
        raw_total = np.sum(raw, axis=-1)
        if self.n_state_species == 1:
            total = moles[:, :, 0]
            positive = total.real > 0.0
            x = None
            molar_mass, cp = self.molar_mass[cases], self.cp[cases]
        else:
            total = np.sum(moles, axis=-1)
            positive = total.real > 0.0
            safe = np.where(positive, total, 1.0)[..., None]
            x = np.where(positive[..., None], moles / safe, self._x0_mole[cases])
            molar_mass = np.sum(x * self.molar_mass[cases][:, None, :], axis=-1)
            cp = np.sum(x * self.cp[cases][:, None, :], axis=-1)
        cv = cp - MOLAR_GAS_CONSTANT
        if self.has_energy:
            energy = state[:, :, -1]
            temperature = np.where(
                positive & (energy.real > 0.0),
                energy / (np.where(positive, total, 1.0) * cv),
                net.modules.initial_temperature[cases],
            )
            # p V = N Ru T = (Ru / cv) U: taken from U alone it stays smooth as N and U -> 0,
            # where their ratio T is round-off.
            # Faded by N / (N + N_empty) as the module empties: the gas's energy can outlast
            # its amount by round-off there, and a pressure from energy alone would keep
            # draining an empty module below zero (found by the fuzzer). N_empty is 1e-14 of
            # the case's largest initial content, far below the absolute tolerance.
            fade = total / (total + 1e-5 * self._vacuum_moles[cases])
            pressure = energy * MOLAR_GAS_CONSTANT / (cv * net.modules.volume[cases]) * fade
        else:
            temperature = net.modules.initial_temperature[cases]
            pressure = raw_total * MOLAR_GAS_CONSTANT * temperature / net.modules.volume[cases]
        return {
            "pressure": pressure,
            "temperature": temperature,
            "mole_fraction": x,
            "molar_mass": molar_mass,
            "cp": cp,
        }

    def _link_sides(
        self, th: Thermo, cases: Cases, keys: tuple[str, ...]
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The ``keys`` of the state on side a and side b of every link, arrays (n, K[, S'])."""
        net = self.network
        a, bnd = net.links.a, self._boundary
        b = np.where(bnd, 0, net.links.b)
        side_a, side_b = {}, {}
        for key in keys:
            value = th[key]
            side_a[key] = value[:, a]
            inner = value[:, b]
            if self._any_boundary:
                mask = bnd[None, :, None] if inner.ndim == 3 else bnd[None, :]
                inner = np.where(mask, self._boundary_side[key][cases], inner)
            side_b[key] = inner
        return side_a, side_b

    def _growth_factor(self, t: np.ndarray, cases: Cases) -> np.ndarray:
        """Area at ``t`` over the nominal area of every link, (n, K); 1 for fixed links."""
        net = self.network
        t = np.asarray(t)[:, None, None]
        knots, areas = net.growth.time[cases], net.growth.area[cases]  # (n, G, P)
        # Segment of each knot table holding t, by real part (t may carry a complex step).
        segment = np.clip(np.sum(knots <= t.real, axis=-1) - 1, 0, knots.shape[-1] - 2)
        t0 = np.take_along_axis(knots, segment[..., None], axis=-1)[..., 0]
        t1 = np.take_along_axis(knots, segment[..., None] + 1, axis=-1)[..., 0]
        a0 = np.take_along_axis(areas, segment[..., None], axis=-1)[..., 0]
        a1 = np.take_along_axis(areas, segment[..., None] + 1, axis=-1)[..., 0]
        tt = t[..., 0]
        span = np.where(t1 > t0, t1 - t0, 1.0)
        # Taken forward at a knot: a step that starts on one grows with the segment ahead.
        weight = np.where(tt.real < t0, 0.0, np.where(tt.real >= t1, 1.0, (tt - t0) / span))
        area = a0 + (a1 - a0) * weight
        factor = np.ones((area.shape[0], net.n_links), dtype=area.dtype)
        nominal = net.links.area[cases][:, net.growth.link]
        factor[:, net.growth.link] = np.where(
            nominal > 0, area / np.where(nominal > 0, nominal, 1.0), 0.0
        )
        return factor

    def link_molar_flow(
        self, th: Thermo, is_open: np.ndarray, cases: Cases, t: np.ndarray | None = None
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Molar flow through every link from side a to side b [mol/s], and the upstream state.

        The flow's magnitude uses a smooth blend of the two sides' temperature and gas
        properties, weight ``w = (1 + dp / sqrt(dp^2 + delta^2)) / 2`` on side a: exactly the
        upstream side for ``|dp| >> delta`` (the other side's weight is ``delta^2 / (4 dp^2)``),
        and no kink in the flow at ``dp = 0`` when the sides differ in temperature, which would
        cost a stiff solver its order. Swapping the sides swaps the weights, so the flow stays
        antisymmetric. The composition and enthalpy carried are the upstream side's.
        """
        uniform = self.n_state_species == 1
        keys = (
            ("pressure", "temperature")
            if uniform
            else ("pressure", "temperature", "molar_mass", "cp", "mole_fraction")
        )
        side_a, side_b = self._link_sides(th, cases, keys)
        p_a, p_b = side_a["pressure"], side_b["pressure"]
        dp = p_a - p_b
        # A leak to vacuum is choked and linear in p_a, also for the slightly negative p_a of a
        # module emptied to within the tolerance (see thermo).
        forward = (p_a.real >= p_b.real) | self._vacuum_mask
        delta = self._delta[cases]
        if self._same_temperature and uniform:
            t_u = side_a["temperature"]  # both sides alike: nothing to blend
        else:
            w = np.where(forward, 1.0, 0.0)
            smooth = delta > 0.0
            w = np.where(
                smooth, 0.5 * (1.0 + dp / np.sqrt(dp**2 + np.where(smooth, delta, 1.0) ** 2)), w
            )
            t_u = w * side_a["temperature"] + (1.0 - w) * side_b["temperature"]
        if uniform:
            # One gas per case: its properties are the same on both sides.
            mm_u, cp_u, gamma_u = self.molar_mass[cases], self.cp[cases], None
        else:
            mm_u = w * side_a["molar_mass"] + (1.0 - w) * side_b["molar_mass"]
            cp_u = w * side_a["cp"] + (1.0 - w) * side_b["cp"]
            gamma_u = cp_u / (cp_u - MOLAR_GAS_CONSTANT)
        p_u = np.where(forward, p_a, p_b)
        # The orifice law of leaksim.core.flow, in molar form, on the blended upstream state.
        molar_flux = p_u * np.sqrt(1.0 / (mm_u * MOLAR_GAS_CONSTANT * t_u))
        molar_flux = molar_flux * self._flux_factor(
            p_u, np.where(forward, p_b, p_a), dp, gamma_u, delta, cases
        )
        conductance = self._cda[cases] * is_open
        if self.network.growth.link.size and t is not None:
            conductance = conductance * self._growth_factor(t, cases)
        molar_flow = np.where(forward, conductance * molar_flux, -conductance * molar_flux)
        # What the flow carries is taken from the side it leaves, exactly: an outflow may only
        # remove what a module holds, so amounts stay non-negative.
        upstream = {}
        if self.has_energy:
            cp_a = cp_u if uniform else side_a["cp"]
            cp_b = cp_u if uniform else side_b["cp"]
            upstream["enthalpy"] = np.where(
                forward, cp_a * side_a["temperature"], cp_b * side_b["temperature"]
            )
        if not uniform:
            upstream["mole_fraction"] = np.where(
                forward[..., None], side_a["mole_fraction"], side_b["mole_fraction"]
            )
        return molar_flow, upstream

    def _flux_factor(
        self,
        p_u: np.ndarray,
        p_d: np.ndarray,
        dp: np.ndarray,
        gamma_u: np.ndarray | None,
        delta: np.ndarray,
        cases: Cases,
    ) -> np.ndarray:
        """``Psi(max(r, r*))`` times the regularisation factor for every link, (n, K).

        Leaks to vacuum are always choked and unregularised: their factor is the constant
        ``psi*``, so the transcendental functions run on the other links only. With one gas
        per case the gas constants of the flow function are computed once, at set-up.
        """
        vacuum, other = self._vacuum_links, self._other_links
        dtype = np.result_type(p_u, dp, float if gamma_u is None else gamma_u)
        factor = np.empty(p_u.shape, dtype=dtype)
        if vacuum.size:
            factor[:, vacuum] = (
                self._psi_star[cases]
                if gamma_u is None
                else choked_flow_function(gamma_u[:, vacuum])
            )
        if other.size:
            if gamma_u is None:
                constants = _take_constants(self._flow_constants, cases)
            else:
                constants = flow_function_constants(gamma_u[:, other])
            factor[:, other] = regularised_flow_function(
                p_u[:, other], p_d[:, other], delta[:, other], constants
            )
        return factor

    def molar_mass_initial(self, cases: Cases) -> np.ndarray:
        """Molar mass of each module's initial gas [kg/mol], shape (C, M)."""
        return self._mm0[cases]

    def cp_initial(self, cases: Cases) -> np.ndarray:
        """Molar heat capacity of each module's initial gas [J/(mol K)], shape (C, M)."""
        return self._cp0[cases]

    def rhs(
        self,
        y: np.ndarray,
        is_open: np.ndarray,
        cases: Cases = slice(None),
        t: np.ndarray | None = None,
    ) -> np.ndarray:
        """Time derivative of the state.

        Parameters
        ----------
        y : ndarray, shape (n, F)
            State of ``n`` cases (the rows ``cases`` of the network).
        is_open : ndarray of bool, shape (n, K + J)
            Which links are open and which sources feed, in each case.
        cases : index array or slice
            Network case of each row of ``y``.
        t : array_like, shape (n,), optional
            Time of each row [s], for links whose area grows; ignored without growth.

        Returns
        -------
        ndarray, shape (n, F)
        """
        net = self.network
        n = y.shape[0]
        n_links = net.n_links
        th = self.thermo(y, cases)
        flow, upstream = self.link_molar_flow(th, is_open[:, :n_links], cases, t)
        if self.n_state_species == 1:
            species_flow = flow[..., None]
        else:
            species_flow = flow[..., None] * upstream["mole_fraction"]  # (n, K, S')
        d_moles = self._scatter(species_flow)
        feed = self.source_feed(th, is_open[:, n_links:], cases)  # (n, J) [mol/s]
        for j, m in enumerate(net.sources.module):
            d_moles[:, m] += feed[:, j, None] * self._src_x[cases][:, j]
        d_fans, e_fans = self._exchange(y, th, is_open[:, :n_links], cases)
        d_moles = d_moles + d_fans
        parts = [d_moles]
        if self.has_energy:
            d_energy = self._scatter(flow * upstream["enthalpy"])
            for j, m in enumerate(net.sources.module):
                d_energy[:, m] += feed[:, j] * self._src_h[cases][:, j]
            if e_fans is not None:
                d_energy = d_energy + e_fans
            if net.energy == "wall":
                d_energy = d_energy + self._wall_heat_flow(th, y, cases)
            parts.append(d_energy[..., None])
        return np.concatenate(parts, axis=-1).reshape(n, self.n_state)

    def _exchange(
        self, y: np.ndarray, th: Thermo, is_open: np.ndarray, cases: Cases
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """What the fans move into each module through open links between modules: moles of
        each state species [mol/s], (n, M, S'), and energy [W], (n, M) (None without an
        energy equation).

        Each side sends ``Q`` [m^3/s] of its own air: ``Q c_a`` moles of side a's mixture go to
        b and ``Q c_b`` come back, ``c = n / V``, each with its molar enthalpy ``c_p T``. The
        exchange is linear in the amounts and antisymmetric, so every species is conserved
        to round-off; at equal pressures and heat capacities it moves no energy, so it mixes
        without pressurising either side.
        """
        net = self.network
        n = y.shape[0]
        state = y.reshape(n, net.n_modules, self.n_per_module)
        moles = state[:, :, : self.n_state_species]
        d = np.zeros_like(moles)
        energy = np.zeros(moles.shape[:2], dtype=moles.dtype) if self.has_energy else None
        if self._ventilated.size == 0:
            return d, energy
        enthalpy = None
        if energy is not None:
            cp = np.broadcast_to(th["cp"], th["temperature"].shape)
            enthalpy = np.sum(moles, axis=-1) * cp * th["temperature"]  # N c_p T [J]
        fan_a, fan_b = self._fan_a[cases], self._fan_b[cases]
        for i, k in enumerate(self._ventilated):
            a, b = net.links.a[k], net.links.b[k]
            q_a, q_b = is_open[:, k] * fan_a[:, i], is_open[:, k] * fan_b[:, i]
            into_a = q_b[:, None] * moles[:, b] - q_a[:, None] * moles[:, a]
            d[:, a] += into_a
            d[:, b] -= into_a
            if energy is not None and enthalpy is not None:
                heat = q_b * enthalpy[:, b] - q_a * enthalpy[:, a]
                energy[:, a] += heat
                energy[:, b] -= heat
        return d, energy

    def source_feed(self, th: Thermo, on: np.ndarray, cases: Cases = slice(None)) -> np.ndarray:
        """Molar feed of every source [mol/s], (n, J): constant, regulated or fading smoothly
        with the module's state (:class:`~leaksim.core.network.Sources`)."""
        sources = self.network.sources
        feed = (on * self._src_flow[cases]).astype(np.result_type(th["pressure"], float))
        watched = np.flatnonzero(sources.watch)
        if watched.size == 0:
            return feed
        partial = {
            FEED_REGULATES_PRESSURE: th["pressure"],
            FEED_REGULATES_O2: th["pressure"] * self._fraction(th, "O2", cases),
            FEED_FADES_WITHOUT_O2: th["pressure"] * self._fraction(th, "O2", cases),
            FEED_FADES_WITHOUT_CO2: th["pressure"] * self._fraction(th, "CO2", cases),
            FEED_FOLLOWS_CO2: th["pressure"] * self._fraction(th, "CO2", cases),
        }
        for j in watched:
            code = int(sources.watch[j])
            value = partial[code][:, sources.module[j]]
            setpoint, band = sources.setpoint[cases, j], sources.band[cases, j]
            if code in (FEED_REGULATES_PRESSURE, FEED_REGULATES_O2):
                factor = regulator_opening((setpoint - value) / band)
            elif code == FEED_FOLLOWS_CO2:
                factor = value / setpoint
            else:
                factor = regulator_opening((value - setpoint) / band)
            feed[:, j] = feed[:, j] * factor
        return feed

    def _wall_heat_flow(self, th: Thermo, y: np.ndarray, cases: Cases) -> np.ndarray:
        """Heat from the walls into each module's gas, ``h_w A_w (T_w - T)`` [W], (n, M).

        Departure from the plain law: it is faded out by ``N / (N + N_vac)`` with ``N_vac`` a
        billionth of the case's largest initial module content. As a module empties, its gas
        heat capacity vanishes and the thermal time constant ``N c_v / (h_w A_w)`` goes to
        zero; the fade keeps the energy equation smooth and finite there, below about 1e-4 Pa,
        and changes nothing measurable above.
        """
        net = self.network
        state = y.reshape(y.shape[0], net.n_modules, self.n_per_module)
        total = np.sum(state[:, :, : self.n_state_species], axis=-1)
        total = np.where(total.real > 0.0, total, 0.0)
        fade = total / (total + self._vacuum_moles[cases])
        # Network.__post_init__ fills in the wall arrays (no exchange by default).
        assert net.modules.wall_heat_transfer is not None and net.modules.wall_area is not None
        assert net.modules.wall_temperature is not None
        conductance = net.modules.wall_heat_transfer[cases] * net.modules.wall_area[cases]
        return conductance * (net.modules.wall_temperature[cases] - th["temperature"]) * fade

    def _scatter(self, link_flow: np.ndarray) -> np.ndarray:
        """Sum link flows (n, K, ...) into module rates (n, M, ...): out of a, into b.

        A loop over links rather than a matrix product: BLAS kernels sum in an order that
        depends on the batch size, and a case's answer must not depend on its neighbours.
        """
        net = self.network
        rate = np.zeros(
            (link_flow.shape[0], net.n_modules) + link_flow.shape[2:], dtype=link_flow.dtype
        )
        for k in range(net.n_links):
            rate[:, net.links.a[k]] -= link_flow[:, k]
            if net.links.b[k] >= 0:
                rate[:, net.links.b[k]] += link_flow[:, k]
        return rate

    def pressure_per_mole(self, cases: Cases = slice(None)) -> np.ndarray:
        """``Ru T / V`` of each module [Pa/mol], (n, M): the pressure of a
        :class:`LeanModel` is this times the state."""
        return self._rt_v[cases]

    def hole_conductance(self, cases: Cases = slice(None)) -> np.ndarray:
        """Molar outflow per unit upstream pressure of every link to vacuum,
        ``C_d A psi* / sqrt(M Ru T)`` [mol/(s Pa)], (n, K); zero for the other links."""
        scale = self._vacuum_scale[cases]
        conductance = np.zeros((scale.shape[0], self.network.n_links))
        conductance[:, self._vacuum_links] = scale
        return conductance

    def vacuum_conductance(self, cases: Cases = slice(None)) -> np.ndarray:
        """Molar outflow per unit pressure through each module's holes to vacuum, all of them
        open, ``sum_k C_d A_k psi* / sqrt(M Ru T)`` [mol/(s Pa)], (n, M)."""
        net = self.network
        scale = self._vacuum_scale[cases]
        total = np.zeros((scale.shape[0], net.n_modules))
        for j, k in enumerate(self._vacuum_links):
            total[:, net.links.a[k]] += scale[:, j]
        return total

    def flow_scale(self, cases: Cases = slice(None)) -> np.ndarray:
        """``C_d A / sqrt(M Ru T)`` of every link [mol/(s Pa)], (n, K)."""
        return self._flow_scale[cases]

    def regularisation(self, cases: Cases = slice(None)) -> np.ndarray:
        """Regularisation pressure ``delta`` of every link [Pa], (n, K)."""
        return self._delta[cases]

    def initial_fraction(self, species: str, cases: Cases = slice(None)) -> np.ndarray:
        """Mole fraction of ``species`` in each module's initial gas [-], (n, M); zero where
        the station has none of it."""
        if species not in self.network.species:
            return np.zeros_like(self._rt_v[cases])
        s = self.network.species.index(species)
        if self.n_state_species == 1:  # one gas per case: no sum (its one term, the same bits)
            return self._x0_mole[cases][..., 0] * self.composition[cases][:, None, 0, s]
        return np.sum(self._x0_mole[cases] * self.composition[cases][:, None, :, s], -1)

    def _fraction(self, th: Thermo, species: str, cases: Cases) -> np.ndarray:
        """Mole fraction of ``species`` in each module now [-], (n, M) or (n, 1)."""
        if species not in self.network.species:
            return np.zeros((th["temperature"].shape[0], 1))
        s = self.network.species.index(species)
        if th["mole_fraction"] is None:  # one gas per case: its fixed share
            return self.composition[cases][:, 0, s][:, None]
        return np.sum(th["mole_fraction"] * self.composition[cases][:, None, :, s], axis=-1)

    def observe(
        self, y: np.ndarray, cases: Cases = slice(None)
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pressure [Pa], temperature [K], O2 and CO2 partial pressures [Pa], each (n, M)."""
        th = self.thermo(y, cases)
        pressure = np.maximum(th["pressure"], 0.0) if not np.iscomplexobj(y) else th["pressure"]
        o2 = pressure * self._fraction(th, "O2", cases)
        co2 = pressure * self._fraction(th, "CO2", cases)
        return pressure, th["temperature"], o2, co2

    def observe_rates(
        self, y: np.ndarray, f: np.ndarray, cases: Cases = slice(None)
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rates of the pressure, O2 and CO2 partial pressures [Pa/s], each (n, M), of states
        ``y`` moving along ``dy/dt = f`` (n, F): by complex step, exact, with no differencing
        (Squire and Trapp, SIAM Review 40(1), 1998)."""
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            p, _, o2, co2 = self.observe(y + 1j * _RATE_STEP * f, cases)
        return p.imag / _RATE_STEP, o2.imag / _RATE_STEP, co2.imag / _RATE_STEP

    def species_moles(self, y: np.ndarray, cases: Cases = slice(None)) -> np.ndarray:
        """Amount of each real species in each module [mol], shape (n, M, S)."""
        net = self.network
        state = y.reshape(y.shape[0], net.n_modules, self.n_per_module)
        moles = state[:, :, : self.n_state_species]
        if self.n_state_species == 1:  # one gas per case: no sum (its one term, the same bits)
            return moles * self.composition[cases][:, None, 0, :]
        return np.sum(moles[..., None] * self.composition[cases][:, None, :, :], axis=2)


def _row_max(a: np.ndarray) -> np.ndarray:
    """Largest entry of each row of ``a`` (n, K), as (n, 1): column by column where the rows
    are short (numpy's reduction along a short last axis took 2.7 ms for 100,000 rows of two,
    one pass of ``np.maximum`` 0.2 ms; a maximum is exact either way)."""
    if a.ndim != 2 or a.shape[1] == 0 or a.shape[1] > 16:
        return np.max(a, axis=-1, keepdims=True)
    largest = a[:, 0].copy()
    for k in range(1, a.shape[1]):
        np.maximum(largest, a[:, k], out=largest)
    return largest[:, None]


class LeanModel(GeneralModel):
    """The right-hand side of the common station, with an analytic Jacobian.

    For one (pseudo-)species at one temperature without an energy equation (where
    :func:`lean_applies`), the pressure is ``p = (Ru T / V) N``, the link law needs no mixture
    properties, and every entry of the Jacobian is a link's pressure slope times ``Ru T / V``.
    :meth:`rhs` and :meth:`observe` take that short path for real states; complex states and
    times (complex-step rates and time derivatives) go through :class:`GeneralModel`, whose
    equations are the same.
    """

    analytic: ClassVar[bool] = True

    def rhs(
        self,
        y: np.ndarray,
        is_open: np.ndarray,
        cases: Cases = slice(None),
        t: np.ndarray | None = None,
    ) -> np.ndarray:
        if np.iscomplexobj(y) or (t is not None and np.iscomplexobj(t)):
            return super().rhs(y, is_open, cases, t)
        net = self.network
        n_links = net.n_links
        flow = self._lean_flow(y, is_open[:, :n_links], cases, t, slopes=False)[0]
        d_total = self._scatter(flow)
        if self._ventilated.size:
            fan_a, fan_b = self._fan_a[cases], self._fan_b[cases]
            for i, k in enumerate(self._ventilated):
                a, b = net.links.a[k], net.links.b[k]
                into_a = is_open[:, k] * (fan_b[:, i] * y[:, b] - fan_a[:, i] * y[:, a])
                d_total[:, a] += into_a
                d_total[:, b] -= into_a
        feed = is_open[:, n_links:] * self._src_flow[cases]
        for j, m in enumerate(net.sources.module):
            d_total[:, m] += feed[:, j]
        return d_total

    def observe(
        self, y: np.ndarray, cases: Cases = slice(None)
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if np.iscomplexobj(y):
            return super().observe(y, cases)
        pressure = np.maximum(y * self._rt_v[cases], 0.0)
        temperature = self.network.modules.initial_temperature[cases]
        o2 = pressure * self.initial_fraction("O2", cases)
        return pressure, temperature, o2, pressure * self.initial_fraction("CO2", cases)

    def observe_rates(
        self, y: np.ndarray, f: np.ndarray, cases: Cases = slice(None)
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # p = (Ru T / V) N and the shares of O2 and CO2 are fixed: the rates are linear in f
        # (what the complex step of GeneralModel.observe_rates gives, without its passes).
        rate = f * self._rt_v[cases]
        o2, co2 = self.initial_fraction("O2", cases), self.initial_fraction("CO2", cases)
        return rate, rate * o2, rate * co2

    def _lean_flow(
        self,
        y: np.ndarray,
        is_open: np.ndarray,
        cases: Cases,
        t: np.ndarray | None,
        slopes: bool,
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Molar flow of every link (n, K) [mol/s] and, with ``slopes``, its derivatives with
        respect to the pressures on sides a and b [mol/(s Pa)], for the lean model.

        The same law as :meth:`link_molar_flow` with one gas at one temperature, so
        ``p = N Ru T / V`` and the molar flow is ``C_d A Phi / sqrt(M Ru T)``
        (:func:`leaksim.core.flow.regularised_flux_and_slopes`).
        """
        net = self.network
        p = y * self._rt_v[cases]
        n, n_links = y.shape[0], net.n_links
        flow = np.empty((n, n_links))
        d_a = np.zeros((n, n_links)) if slopes else None
        d_b = np.zeros((n, n_links)) if slopes else None
        growth = None
        if net.growth.link.size and t is not None:
            growth = self._growth_factor(t, cases)
        vacuum, other = self._vacuum_links, self._other_links
        if vacuum.size:
            scale = self._vacuum_scale[cases] * is_open[:, vacuum]
            if growth is not None:
                scale = scale * growth[:, vacuum]
            flow[:, vacuum] = scale * p[:, net.links.a[vacuum]]
            if d_a is not None:
                d_a[:, vacuum] = scale
        if other.size:
            boundary = self._boundary[other]
            p_a = p[:, net.links.a[other]]
            p_b = p[:, np.where(boundary, 0, net.links.b[other])]
            if np.any(boundary):
                p_b = np.where(boundary, net.links.boundary_pressure[cases][:, other], p_b)
            forward = p_a >= p_b
            constants = _take_constants(self._flow_constants, cases)
            phi, du, dd = regularised_flux_and_slopes(
                np.where(forward, p_a, p_b),
                np.where(forward, p_b, p_a),
                self._delta[cases][:, other],
                constants,
                slopes,
            )
            scale = self._flow_scale[cases][:, other] * is_open[:, other]
            if growth is not None:
                scale = scale * growth[:, other]
            flow[:, other] = np.where(forward, scale * phi, -scale * phi)
            if d_a is not None and d_b is not None and du is not None and dd is not None:
                # Reversed flow: -Phi(p_b, p_a), so the roles of the two slopes swap.
                d_a[:, other] = scale * np.where(forward, du, -dd)
                d_b[:, other] = scale * np.where(forward, dd, -du)
        return flow, d_a, d_b

    def jacobian(
        self,
        y: np.ndarray,
        is_open: np.ndarray,
        cases: Cases = slice(None),
        t: np.ndarray | None = None,
    ) -> np.ndarray:
        """Analytic Jacobian ``d rhs / d y``, case axis last.

        Parameters
        ----------
        y, is_open, cases, t
            As for :meth:`rhs` (real ``y`` and ``t``).

        Returns
        -------
        ndarray, shape (F, F, n)
            ``J[i, j, c] = d f_i / d y_j`` of case ``c``.

        Notes
        -----
        With one gas at one temperature ``p_m = (Ru T / V_m) N_m``, and constant feeds do not
        depend on the state, so every entry is a link's pressure slope times ``Ru T / V``;
        the fans' exchange ``Q (N_b / V_b - N_a / V_a)`` adds its constant slopes ``Q / V``.
        """
        net = self.network
        n_links = net.n_links
        _, d_a, d_b = self._lean_flow(y, is_open[:, :n_links], cases, t, slopes=True)
        assert d_a is not None and d_b is not None  # asked for with slopes=True
        rt_v = self._rt_v[cases]
        jac = np.zeros((net.n_modules, net.n_modules, y.shape[0]))
        for k in range(n_links):
            a, b = net.links.a[k], net.links.b[k]
            by_a = d_a[:, k] * rt_v[:, a]
            jac[a, a] -= by_a
            if b >= 0:
                by_b = d_b[:, k] * rt_v[:, b]
                jac[a, b] -= by_b
                jac[b, a] += by_a
                jac[b, b] += by_b
        if self._ventilated.size:
            fan_a, fan_b = self._fan_a[cases], self._fan_b[cases]
            for i, vent in enumerate(self._ventilated):
                a, b = net.links.a[vent], net.links.b[vent]
                from_a = is_open[:, vent] * fan_a[:, i]
                from_b = is_open[:, vent] * fan_b[:, i]
                jac[a, a] -= from_a
                jac[a, b] += from_b
                jac[b, a] += from_a
                jac[b, b] -= from_b
        return jac
