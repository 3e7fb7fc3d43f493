"""Canned stations: an ISS-like station, Mir in June 1997, Soyuz 11, a teaching case, and the
safe haven of June 2026.

Each ``<name>()`` function returns a ready-to-run :class:`~leaksim.scenario.Scenario`, and each
``<name>_station()`` the :class:`~leaksim.station.Station` alone, so that tests, notebooks and
benchmarks share one description of each spacecraft. Every scenario has a commented TOML twin
in the repository's ``examples/`` folder (:data:`EXAMPLE_FILES`) that compiles to the same
arrays.

Figures come from the reference table ``docs/reference-data.md`` (REFERENCE-DATA), whose confidence
grades are quoted beside them: H official or peer-reviewed, M one reputable outlet or a
second-hand official figure, L weak or conflicting. Where the table gives no figure, the value
is marked as an assumption in the function's Notes.

Holes and valves are given by their effective area ``Cd A`` with ``discharge_coefficient = 1``:
only the product is identifiable from pressure data (REFERENCE-DATA, discharge coefficients).

Examples
--------
>>> from leaksim.stations import STATIONS, list_stations
>>> sorted(STATIONS)
['iss', 'mir_spektr_1997', 'safe_haven_2026', 'soyuz_11', 'teaching_two_modules']
>>> list_stations()[0][0]
'iss'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .scenario import Scenario, Threshold
from .station import Crew, Hatch, Leak, Module, Station

__all__ = [
    "EXAMPLE_FILES",
    "STATIONS",
    "iss",
    "iss_station",
    "list_stations",
    "mir_spektr_1997",
    "mir_spektr_1997_station",
    "soyuz_11",
    "soyuz_11_station",
    "teaching_two_modules",
    "teaching_two_modules_station",
]

#: Nominal cabin pressure, 14.7 psi, 101.3 kPa (NASA; REFERENCE-DATA, H).
CABIN_PRESSURE = "760 mmHg"
#: Cabin gas temperature: an assumption (REFERENCE-DATA gives none).
CABIN_TEMPERATURE = "22 degC"
#: Discharge coefficient of a large hatchway, top of the 0.65-0.8 range (CONTAM; REFERENCE-DATA, M).
HATCH_DISCHARGE_COEFFICIENT = 0.8
#: Discharge coefficient used with effective hole areas: the area given is ``Cd A``.
EFFECTIVE_AREA_COEFFICIENT = 1.0
#: CBM hatch, about 1.3 m square (1.27-1.35 m, "53-inch square"; collectSPACE, NASA; M).
CBM_HATCH_AREA = "1.69 m^2"
#: Russian-segment hatch, about 0.8 m across: an assumption.
RUSSIAN_HATCH_DIAMETER = "0.8 m"
#: Effective area of the Zvezda PrK leak, from 3.7 lb/day at 760 mmHg and 22 degC (see iss()).
PRK_LEAK_AREA = "0.0815 mm^2"

#: Evacuation level of the project's examples, 9.5 psi: a convention, below the "crew health at
#: risk below about 10.2 psi" (527 mmHg) of M. Suffredini, NASA, AP Jan 2004 (REFERENCE-DATA, M-H).
EVACUATE_PRESSURE = "490 mmHg"
#: Emergency O2 floor, about 16 kPa: 1995 NASA standard via HSMAD (REFERENCE-DATA, M).
PPO2_FLOOR = "16 kPa"

# ISS-like station, 2011-2020 configuration (the 916 m^3 of NASA's ISS facts; Nauka not yet
# added). Zvezda's 75 m^3 (Wikipedia infobox, M) is split into its three compartments; every
# other volume is an assumption (see iss()).
_ISS_MODULES = (
    ("Zvezda-PkhO", "11 m^3"),  # transfer compartment, a node about 2.8 m across: assumed
    ("Zvezda-RO", "59 m^3"),  # working compartment: Zvezda's 75 m^3 less PkhO and PrK
    ("Zvezda-PrK", "5 m^3"),  # transfer tunnel: JPL Mir core QuickLook; derived (L)
    ("Zarya", "72 m^3"),  # assumed
    ("Poisk", "15 m^3"),  # assumed
    ("Pirs", "13 m^3"),  # assumed
    ("Rassvet", "17 m^3"),  # assumed
    ("Unity", "70 m^3"),  # assumed, with PMA-1
    ("Destiny", "106 m^3"),  # assumed
    ("Harmony", "76 m^3"),  # assumed
    ("Tranquility", "84 m^3"),  # assumed, with the Cupola
    ("Columbus", "75 m^3"),  # assumed
    ("Kibo", "180 m^3"),  # assumed, pressurised module and logistics section together
    ("Quest", "34 m^3"),  # assumed
    ("Leonardo", "76 m^3"),  # assumed
)
# Hatches of the Russian segment and Zarya-Unity (PMA-1's Russian-style end), 0.8 m across.
_ISS_RUSSIAN_HATCHES = (
    ("Zvezda-RO", "Zvezda-PkhO"),
    ("Zvezda-PkhO", "Zarya"),
    ("Zvezda-PkhO", "Poisk"),
    ("Zvezda-PkhO", "Pirs"),
    ("Zarya", "Rassvet"),
    ("Zarya", "Unity"),
)
# Common Berthing Mechanism hatches of the US segment.
_ISS_CBM_HATCHES = (
    ("Unity", "Destiny"),
    ("Unity", "Tranquility"),
    ("Unity", "Quest"),
    ("Destiny", "Harmony"),
    ("Harmony", "Columbus"),
    ("Harmony", "Kibo"),
    ("Tranquility", "Leonardo"),
)

# Mir on 25 June 1997. Volumes from SEDS / NASA RP-1357 (REFERENCE-DATA, H/M) except where
# marked; all modules open to the base block through 0.8 m hatches (assumed).
_MIR_MODULES = (
    ("Base-block", "89 m^3"),  # assumed: Zvezda's 89 m^3 (Russian sources), same hull lineage
    ("Kvant-1", "40 m^3"),
    ("Kvant-2", "61.3 m^3"),
    ("Kristall", "60.8 m^3"),
    ("Spektr", "61.9 m^3"),
    ("Priroda", "61 m^3"),  # assumed: as its TKS-derived sister modules, 60.8-61.9 m^3
    ("Soyuz-TM", "10.5 m^3"),  # orbital 6.5 + descent 4.0 m^3 (NASA Soyuz TMA, M-H)
)


def iss_station(
    *, leak_module: str = "Zvezda-PrK", leak_area: str | Sequence[str] = PRK_LEAK_AREA
) -> Station:
    """The ISS-like station of :func:`iss`: 15 modules, 13 open hatches, PrK hatch closed.

    Parameters
    ----------
    leak_module : str, default "Zvezda-PrK"
        Module with the leak [-].
    leak_area : str or pint.Quantity, or a list of these, default "0.0815 mm^2"
        Effective area ``Cd A`` of the leak [m^2]; a list gives one case per entry.

    Returns
    -------
    leaksim.station.Station
    """
    modules = [
        Module(name, volume, CABIN_PRESSURE, CABIN_TEMPERATURE) for name, volume in _ISS_MODULES
    ]
    prk_hatch = Hatch(
        ("Zvezda-PrK", "Zvezda-RO"),
        diameter=RUSSIAN_HATCH_DIAMETER,
        discharge_coefficient=HATCH_DISCHARGE_COEFFICIENT,
        open=False,
        name="PrK-hatch",
    )
    russian = [
        Hatch(
            pair, diameter=RUSSIAN_HATCH_DIAMETER, discharge_coefficient=HATCH_DISCHARGE_COEFFICIENT
        )
        for pair in _ISS_RUSSIAN_HATCHES
    ]
    cbm = [
        Hatch(pair, area=CBM_HATCH_AREA, discharge_coefficient=HATCH_DISCHARGE_COEFFICIENT)
        for pair in _ISS_CBM_HATCHES
    ]
    leak = Leak(
        leak_module,
        area=leak_area,
        discharge_coefficient=EFFECTIVE_AREA_COEFFICIENT,
        name="PrK-leak",
    )
    return Station(modules, [prk_hatch, *russian, *cbm], [leak], name="ISS-like")


def iss(
    *, leak_module: str = "Zvezda-PrK", leak_area: str | Sequence[str] = PRK_LEAK_AREA
) -> Scenario:
    """ISS-like station with the Zvezda PrK leak of April 2024 behind its closed hatch, 3 days.

    Parameters
    ----------
    leak_module : str, default "Zvezda-PrK"
        Module with the leak [-], e.g. ``"Destiny"`` to move the same hole elsewhere.
    leak_area : str or pint.Quantity, or a list of these, default "0.0815 mm^2"
        Effective area ``Cd A`` of the leak [m^2]; a list gives one case per entry.

    Returns
    -------
    leaksim.scenario.Scenario
        Isothermal, 3 days, output every hour, thresholds ``"evacuate"`` (490 mmHg) and
        ``"ppO2-floor"`` (16 kPa).

    Notes
    -----
    **Modules.** The 2011-2020 configuration whose pressurised volume NASA gives as 916 m^3
    (NASA ISS facts, H; 1,005 m^3 with later modules). Only Zvezda's volume is published in
    REFERENCE-DATA: 75 m^3 pressurised (Wikipedia infobox, M). It is split into the transfer
    compartment PkhO (11 m^3, assumed), the transfer tunnel PrK (about 5 m^3: no published
    volume; a 2 m tunnel on the Mir base-block lineage, JPL Mir core QuickLook, and a
    back-calculation gives 4.6 m^3; confidence L) and the working compartment RO (the
    remaining 59 m^3). Every other volume is an assumption from the module's size, labelled in
    the source: Zarya 72, Poisk 15, Pirs 13, Rassvet 17, Unity with PMA-1 70, Destiny 106,
    Harmony 76, Tranquility with the Cupola 84, Columbus 75, Kibo 180, Quest 34, Leonardo
    76 m^3. The total, 893 m^3, is 2.5 % below the published 916 m^3.

    **Hatches.** US-segment hatches are Common Berthing Mechanism hatches, about 1.3 m square
    (1.27-1.35 m, collectSPACE and NASA, M): 1.69 m^2. Russian-segment hatches are taken as
    0.8 m across (0.50 m^2), an assumption. Discharge coefficient 0.8, the top of the 0.65-0.8
    range for large openings (CONTAM, M). All are open except the PrK hatch, kept closed since
    the leak hunt of August 2020 (TASS; NASA via Reuters, H; the PrK "behind a closed hatch",
    Sputnik, July 2021, M).

    **Atmosphere.** 760 mmHg of air in every module (nominal cabin, NASA, H), 22 degC
    (assumed). Isothermal: the leak empties the PrK over days, so the gas stays at the wall
    temperature.

    **Leak.** NASA OIG (IG-24-020, 26 Sep 2024; H) gives 3.7 lb/day in April 2024, the
    highest rate recorded. The report states no pressure; we take the nominal 760 mmHg at
    22 degC. To vacuum the orifice is choked, ``mdot = Cd A p psi* / sqrt(R T)``, so

    .. math::

        C_d A = \\frac{\\dot m \\sqrt{R T}}{p \\psi^*}
              = \\frac{1.9425\\times10^{-5} \\times \\sqrt{287.05 \\times 295.15}}
                      {101325 \\times 0.68473}
              = 8.149\\times10^{-8}\\ \\mathrm{m^2},

    with ``mdot = 3.7 x 0.45359237 kg / 86400 s``, ``R`` and ``psi*`` (gamma = 1.400) of
    leaksim's air (:mod:`leaksim.core.gas`, :func:`leaksim.core.flow.choked_flow_function`).
    Rounded to 0.0815 mm^2 (a 0.32 mm round hole with ``Cd = 1``, or 0.42 mm with
    ``Cd = 0.6``);
    :func:`leaksim.core.flow.orifice_mass_flow` returns 3.7003 lb/day for it. The mass rate fixes
    ``Cd A`` whatever the PrK volume; the volume (confidence L) sets only how fast the isolated
    PrK's pressure falls, with time constant ``V / (Cd A psi* sqrt(R T))`` = 3.6 days: it
    reaches 490 mmHg after about 1.6 days. At a lower PrK pressure the same mass rate would
    need a proportionally larger hole.

    **Thresholds.** 490 mmHg (9.5 psi) is the evacuation level of the project's examples, a
    convention below the "crew health at risk below about 10.2 psi" of M. Suffredini (NASA,
    AP, Jan 2004; M-H). 16 kPa is the emergency O2 floor (1995 NASA standard via HSMAD, M).

    References
    ----------
    .. [1] NASA, International Space Station facts and figures (916 m^3 pressurised volume).
    .. [2] NASA Office of Inspector General, IG-24-020, 26 Sep 2024 (3.7 lb/day, April 2024).
    .. [3] JPL, Mir core module QuickLook (PrK tunnel lineage).
    .. [4] collectSPACE; NASA (CBM hatch size).

    Examples
    --------
    >>> scenario = iss()
    >>> round(sum(float(m.si["volume"]) for m in scenario.station.modules))
    893
    >>> [h.name for h in scenario.station.hatches if not h.si["open"]]
    ['PrK-hatch']
    """
    station = iss_station(leak_module=leak_module, leak_area=leak_area)
    return Scenario(
        station,
        duration="3 day",
        output_interval="1 h",
        thresholds=_evacuate_and_ppo2_floor(),
    )


def mir_spektr_1997_station(
    *,
    hole_area: str | Sequence[str] = "2.1 cm^2",
    close_at: str | Sequence[str | None] | None = "10 min",
) -> Station:
    """The Mir of :func:`mir_spektr_1997`: seven modules, the Spektr hatch closing.

    Parameters
    ----------
    hole_area : str or pint.Quantity, or a list of these, default "2.1 cm^2"
        Effective area ``Cd A`` of the hole in Spektr [m^2].
    close_at : str or pint.Quantity, or a list of these, default "10 min"
        Time the Spektr hatch closes [s]; ``"never"`` keeps it open.

    Returns
    -------
    leaksim.station.Station
    """
    modules = [
        Module(name, volume, CABIN_PRESSURE, CABIN_TEMPERATURE) for name, volume in _MIR_MODULES
    ]
    hatches = [
        Hatch(
            ("Base-block", name),
            diameter=RUSSIAN_HATCH_DIAMETER,
            discharge_coefficient=HATCH_DISCHARGE_COEFFICIENT,
            close_at=close_at if name == "Spektr" else None,
            name=f"{name}-hatch",
        )
        for name, _ in _MIR_MODULES[1:]
    ]
    hole = Leak(
        "Spektr",
        area=hole_area,
        discharge_coefficient=EFFECTIVE_AREA_COEFFICIENT,
        name="Spektr-hole",
    )
    return Station(modules, hatches, [hole], name="Mir")


def mir_spektr_1997(
    *,
    hole_area: str | Sequence[str] = "2.1 cm^2",
    close_at: str | Sequence[str | None] | None = "10 min",
) -> Scenario:
    """Mir, 25 June 1997: Progress M-34 holes Spektr, the crew seals it after 10 min; 30 min.

    Parameters
    ----------
    hole_area : str or pint.Quantity, or a list of these, default "2.1 cm^2"
        Effective area ``Cd A`` of the hole in Spektr [m^2].
    close_at : str or pint.Quantity, or a list of these, default "10 min"
        Time the Spektr hatch closes [s]; ``"never"`` keeps it open, and
        ``["10 min", "never"]`` gives both cases in one run.

    Returns
    -------
    leaksim.scenario.Scenario
        Isothermal, 30 min, output every 30 s, thresholds ``"alarm"`` (690 mmHg) and
        ``"evacuate"`` (490 mmHg).

    Notes
    -----
    **Modules.** Spektr 61.9, Kvant-1 40, Kvant-2 61.3 and Kristall 60.8 m^3 (SEDS; NASA
    RP-1357; H/M). Assumed: the base block 89 m^3 (Zvezda's volume per Russian sources,
    Wikipedia, M, for the same hull lineage, JPL Mir core QuickLook); Priroda, docked since
    1996 and built on the same bus as Kvant-2, Kristall and Spektr, 61 m^3; Soyuz TM-25 as
    orbital plus descent module, 6.5 + 4.0 m^3 (NASA Soyuz TMA, M-H, taken for the TM). The
    Progress that struck Spektr was not docked. The total is 384.5 m^3, of the order of Mir's
    372 m^3 habitable volume of 1994 (NASA RP-1357), which predates Spektr and Priroda. All
    modules open to the base block through hatches 0.8 m across with ``Cd = 0.8``, as in
    :func:`iss` (assumed).

    **Hole.** A teaching case gives 760 -> 693 mmHg in 14 min and 2.6 cm^2 of hole; the
    choked model gives ``Cd A`` about 1.9-2.3 cm^2 (Burrough, Dragonfly; AP; course case
    study; M/L). We take the middle, 2.1 cm^2 effective. With the Spektr hatch left open this
    station then falls to 694 mmHg at 14 min, the teaching case's figure.

    **Closure.** The hatch was sealed within about 10 min (Burrough, Dragonfly, M); it closes at
    10 min here, after which the rest of the station holds its pressure, about 712 mmHg. In
    this model the base block therefore never falls to the 690 mmHg at which the accounts
    place the alarm: the accounts (M/L) and the 10 min closure do not fit one hole size
    together. Spektr, alone after the closure, crosses 690 mmHg within a minute and 490 mmHg
    about 9 min later, 19 min after the collision.

    **Atmosphere.** 760 mmHg of air (the teaching case's start), 22 degC (assumed).
    Isothermal: the whole station's time constant is about 2.5 h; Spektr alone after the
    closure (about 25 min) would cool, which is not modelled.

    **Thresholds.** The alarm at 690 mmHg (Burrough; AP; M) and the evacuation level of the
    project's examples, 490 mmHg (see :func:`iss`).

    References
    ----------
    .. [1] B. Burrough, Dragonfly: NASA and the Crisis Aboard Mir, HarperCollins, 1998.
    .. [2] NASA RP-1357, Mir Hardware Heritage, 1995.
    .. [3] SEDS, Mir module data.

    Examples
    --------
    >>> scenario = mir_spektr_1997(close_at=["10 min", "never"])
    >>> scenario.n_cases
    2
    """
    station = mir_spektr_1997_station(hole_area=hole_area, close_at=close_at)
    return Scenario(
        station,
        duration="30 min",
        output_interval="30 s",
        thresholds=[
            Threshold("alarm", pressure="690 mmHg"),
            Threshold("evacuate", pressure=EVACUATE_PRESSURE),
        ],
    )


def soyuz_11_station(
    *, volume: str | Sequence[str] = "3.0 m^3", valve_area: str | Sequence[str] = "4 cm^2"
) -> Station:
    """The Soyuz 11 descent module of :func:`soyuz_11`, its valve open to vacuum.

    Parameters
    ----------
    volume : str or pint.Quantity, or a list of these, default "3.0 m^3"
        Free gas volume of the descent module [m^3].
    valve_area : str or pint.Quantity, or a list of these, default "4 cm^2"
        Effective area ``Cd A`` of the open valve [m^2].

    Returns
    -------
    leaksim.station.Station
    """
    cabin = Module("Descent-module", volume, "915 mmHg", CABIN_TEMPERATURE)
    valve = Leak(
        "Descent-module",
        area=valve_area,
        discharge_coefficient=EFFECTIVE_AREA_COEFFICIENT,
        name="valve",
    )
    return Station([cabin], leaks=[valve], name="Soyuz 11")


def soyuz_11(
    *, volume: str | Sequence[str] = "3.0 m^3", valve_area: str | Sequence[str] = "4 cm^2"
) -> Scenario:
    """Soyuz 11, 30 June 1971: a valve opens at separation and the descent module empties; 5 min.

    Parameters
    ----------
    volume : str or pint.Quantity, or a list of these, default "3.0 m^3"
        Free gas volume of the descent module [m^3]; ``["2.5 m^3", "4.0 m^3"]`` brackets it.
    valve_area : str or pint.Quantity, or a list of these, default "4 cm^2"
        Effective area ``Cd A`` of the open valve [m^2].

    Returns
    -------
    leaksim.scenario.Scenario
        Adiabatic, 5 min, output every second, threshold ``"Armstrong-limit"`` (47 mmHg).

    Notes
    -----
    **Volume.** The descent module's pressurised volume is 4.0 m^3 (NASA Soyuz TMA, M-H);
    the crew of three, their couches and the equipment take part of it, and REFERENCE-DATA's
    reading of the event puts the free volume at 2.5-4 m^3 (Ivanovich; Chertok; H/M). We take
    3.0 m^3 of free gas, an assumption in that range. With the full 4.0 m^3 the same valve
    takes about 130 s to reach 50 mmHg, a little beyond the published 115 s.

    **Valve and pressure.** A valve opened at separation; the cabin went from 915 to 50 mmHg
    in about 115 s, near zero in 30-45 s by Energia's account (Ivanovich, Salyut, Springer
    2008; Chertok; H/M); that implies ``Cd A`` about 3-5 cm^2 in 2.5-4 m^3. We take 4 cm^2
    effective. Air at 915 mmHg (the published start) and 22 degC (assumed).

    **Energy.** Adiabatic: the cabin empties in about a minute and a half, far faster than
    the walls can warm the gas, which is at about 130 K when the pressure reaches 50 mmHg.
    This is the fast limit; heat from the walls would slow the last part of the fall. The
    model reaches 50 mmHg after about 97 s, inside the published 30-115 s.

    **Threshold.** The Armstrong limit, 6.3 kPa (47 mmHg; Wikipedia "Space exposure", H).

    References
    ----------
    .. [1] G. S. Ivanovich, Salyut - The First Space Station: Triumph and Tragedy,
       Springer-Praxis, 2008.
    .. [2] B. Chertok, Rockets and People, NASA History Series.
    .. [3] NASA, Soyuz TMA spacecraft fact sheet (descent module 4.0 m^3).

    Examples
    --------
    >>> result = soyuz_11().run()
    >>> t = result.threshold_times["Armstrong-limit"]["Descent-module"].m_as("s")
    >>> 30 < float(t[0]) < 120
    True
    """
    station = soyuz_11_station(volume=volume, valve_area=valve_area)
    return Scenario(
        station,
        duration="5 min",
        energy="adiabatic",
        output_interval="1 s",
        thresholds=[Threshold("Armstrong-limit", pressure="47 mmHg")],
    )


def teaching_two_modules_station() -> Station:
    """The station of :func:`teaching_two_modules`: Lab and Node1, a hole of three sizes.

    Returns
    -------
    leaksim.station.Station
    """
    return Station(
        modules=[
            Module("Lab", "60 m^3", CABIN_PRESSURE, CABIN_TEMPERATURE),
            Module("Node1", "40 m^3", CABIN_PRESSURE, CABIN_TEMPERATURE),
        ],
        hatches=[Hatch(["Lab", "Node1"], area="0.5 m^2", discharge_coefficient=0.8)],
        leaks=[
            Leak(
                "Lab",
                diameter=["2 mm", "5 mm", "12 mm"],
                discharge_coefficient=0.6,
                name="hole",
            )
        ],
    )


def teaching_two_modules() -> Scenario:
    """Two modules joined by an open hatch, a hole of 2, 5 or 12 mm in the Lab; 6 h.

    The teaching case of ``examples/two_modules.toml``, three cases, one per hole diameter.

    Returns
    -------
    leaksim.scenario.Scenario
        Isothermal, 6 h, output every 5 min, thresholds ``"evacuate"`` (490 mmHg) and
        ``"ppO2-floor"`` (16 kPa).

    Notes
    -----
    Round figures, not a real spacecraft: a 60 m^3 Lab and a 40 m^3 node at 760 mmHg and
    22 degC, a 0.5 m^2 hatch (``Cd = 0.8``, a large square-edged opening) and a sharp-edged
    hole (``Cd = 0.6``). The thresholds are those of :func:`iss`.

    Examples
    --------
    >>> teaching_two_modules().n_cases
    3
    """
    return Scenario(
        teaching_two_modules_station(),
        duration="6 h",
        energy="isothermal",
        output_interval="5 min",
        thresholds=_evacuate_and_ppo2_floor(),
    )


def safe_haven_2026(
    *, volume: str | Sequence[str] = "9 m^3", crew: int | Sequence[int] = 5
) -> Scenario:
    """June 2026: five of seven crew shelter in a Crew Dragon, sealed, with no CO2 removal; 4 h.

    Parameters
    ----------
    volume : str or pint.Quantity, or a list of these, default "9 m^3"
        Free gas volume of the capsule [m^3].
    crew : int or list of int, default 5
        People sheltering [-].

    Returns
    -------
    leaksim.scenario.Scenario
        Isothermal, 4 h, output every minute, thresholds ``"co2-limit"`` (1 kPa, rising) and
        ``"ppO2-floor"`` (16 kPa).

    Notes
    -----
    **Event.** In June 2026 five of the seven crew sheltered in a Crew Dragon for about 2 h
    (NASA; Reuters; O/S). The capsule's pressurised volume is published as 9.3 m^3 (SpaceX,
    M); with five people aboard, 9 m^3 of free gas is an assumption. Air at 760 mmHg and
    22 degC, the hatch closed.

    **Metabolism.** NASA BVAD nominal rates, 0.835 kg of O2 used and 0.998 kg of CO2 made per
    person-day (NASA/TP-2015-218570, H): about 9.7 mmHg of CO2 an hour for five in 9 m^3.
    The capsule's own CO2 removal is left out, so this is the unscrubbed bound: add a
    :class:`~leaksim.station.Scrubber` to the station for the capsule's.

    **Thresholds.** ``"co2-limit"`` at 1 kPa (7.5 mmHg) is a level for this example, not a
    flight rule: set the one a study uses. ``"ppO2-floor"`` is the 16 kPa of :func:`iss`.
    Without CO2 removal the CO2 governs the reserve: it reaches 1 kPa in about 45 min, the
    O2 falls to the floor only after about 3.5 h; the pressure hardly changes.

    Examples
    --------
    >>> result = safe_haven_2026().run()
    >>> co2 = result.threshold_times["co2-limit"]["Dragon"].m_as("min")[0]
    >>> o2 = result.threshold_times["ppO2-floor"]["Dragon"].m_as("min")[0]
    >>> 40 < float(co2) < 50 and float(co2) < float(o2)
    True
    """
    station = Station(
        [Module("Dragon", volume, CABIN_PRESSURE, CABIN_TEMPERATURE)],
        crew=Crew(crew, "Dragon"),
        name="Crew Dragon safe haven",
    )
    return Scenario(
        station,
        duration="4 h",
        output_interval="1 min",
        thresholds=[
            Threshold("co2-limit", partial_pressure_CO2="1 kPa"),
            Threshold("ppO2-floor", partial_pressure_O2=PPO2_FLOOR),
        ],
    )


def _evacuate_and_ppo2_floor() -> list[Threshold]:
    """The thresholds of :func:`iss` and :func:`teaching_two_modules`."""
    return [
        Threshold("evacuate", pressure=EVACUATE_PRESSURE),
        Threshold("ppO2-floor", partial_pressure_O2=PPO2_FLOOR),
    ]


#: Canned scenarios by name.
STATIONS: dict[str, Callable[[], Scenario]] = {
    "iss": iss,
    "mir_spektr_1997": mir_spektr_1997,
    "soyuz_11": soyuz_11,
    "teaching_two_modules": teaching_two_modules,
    "safe_haven_2026": safe_haven_2026,
}

#: TOML twin of each canned scenario, in the repository's ``examples/`` folder.
EXAMPLE_FILES: dict[str, str] = {
    "iss": "iss.toml",
    "mir_spektr_1997": "mir_spektr_1997.toml",
    "soyuz_11": "soyuz_11.toml",
    "teaching_two_modules": "two_modules.toml",
    "safe_haven_2026": "safe_haven_2026.toml",
}

_DESCRIPTIONS = {
    "iss": "ISS-like station, Zvezda PrK leak of April 2024 (3.7 lb/day) behind its closed hatch",
    "mir_spektr_1997": "Mir, 25 June 1997: 2.1 cm^2 hole in Spektr, hatch sealed at 10 min",
    "soyuz_11": "Soyuz 11 descent module, 915 mmHg, 4 cm^2 valve open to vacuum, adiabatic",
    "teaching_two_modules": "Two modules and an open hatch, a 2, 5 or 12 mm hole in the Lab",
    "safe_haven_2026": "June 2026: five crew sealed in a Crew Dragon of 9 m^3, no CO2 removal",
}


def list_stations() -> list[tuple[str, str]]:
    """Name and one-line description of each canned scenario.

    Returns
    -------
    list of (str, str)
        ``(name, description)`` in the order of :data:`STATIONS`.

    Examples
    --------
    >>> dict(list_stations())["soyuz_11"][:8]
    'Soyuz 11'
    """
    return [(name, _DESCRIPTIONS[name]) for name in STATIONS]
