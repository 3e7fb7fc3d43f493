"""Ideal-gas species data and mixtures by mole fraction.

Pure functions on SI floats; no units library here. Each species is a calorically perfect ideal
gas: constant molar heat capacity ``cp`` taken at 298.15 K, internal energy ``u = cv T`` and
enthalpy ``h = cp T`` referred to 0 K. Over the 150-320 K range of cabin leaks cp of N2 and O2
changes by under 0.5 % (NIST-JANAF), which is below the uncertainty of any hole's discharge
coefficient.

References
----------
.. [1] NIST Chemistry WebBook, SRD 69, gas-phase heat capacity (Shomate) at 298.15 K.
       https://doi.org/10.18434/T4D303
.. [2] CODATA 2018: molar gas constant R = 8.314462618 J/(mol K), exact.
.. [3] U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), Table 3: sea-level dry-air composition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "MOLAR_GAS_CONSTANT",
    "SPECIES",
    "AIR",
    "Species",
    "mole_fractions",
    "mixture_molar_mass",
    "mixture_molar_heat_capacity",
    "heat_capacity_ratio",
    "specific_gas_constant",
]

#: Molar gas constant [J/(mol K)], CODATA 2018 (exact) [2].
MOLAR_GAS_CONSTANT = 8.314462618


@dataclass(frozen=True)
class Species:
    """One ideal-gas species.

    Parameters
    ----------
    name : str
        Chemical formula used as the key, e.g. ``"O2"``.
    molar_mass : float
        Molar mass [kg/mol].
    molar_heat_capacity : float
        Molar isobaric heat capacity at 298.15 K [J/(mol K)].
    """

    name: str
    molar_mass: float
    molar_heat_capacity: float


#: Species known to leaksim: molar masses (IUPAC 2013 standard atomic weights) and cp at
#: 298.15 K from the NIST WebBook [1].
SPECIES: dict[str, Species] = {
    s.name: s
    for s in (
        Species("N2", 28.0134e-3, 29.124),
        Species("O2", 31.9988e-3, 29.378),
        Species("Ar", 39.948e-3, 20.786),
        Species("CO2", 44.0095e-3, 37.135),
        Species("H2O", 18.01528e-3, 33.590),
        Species("He", 4.002602e-3, 20.786),
    )
}

#: Dry air by mole fraction, U.S. Standard Atmosphere 1976 [3] (N2, O2, Ar, CO2; the trace gases
#: below 20 ppm are left out and the four renormalised to sum to one).
_AIR_1976 = {"N2": 0.78084, "O2": 0.209476, "Ar": 0.00934, "CO2": 0.000314}
AIR: dict[str, float] = {k: v / sum(_AIR_1976.values()) for k, v in _AIR_1976.items()}


def mole_fractions(gas: str | Mapping[str, float]) -> dict[str, float]:
    """Mole fractions of a gas given by name (``"air"``, ``"N2"``) or by fractions.

    Parameters
    ----------
    gas : str or mapping of str to float
        ``"air"``, a species name from :data:`SPECIES`, or mole fractions by species. Fractions
        must be finite, non-negative and sum to 1 within 1e-6; they are renormalised exactly.

    Returns
    -------
    dict of str to float
        Mole fraction of each species present [-].

    Raises
    ------
    ValueError
        On an unknown species or fractions that are negative or do not sum to one.
    """
    if isinstance(gas, str):
        if gas.lower() == "air":
            fractions = dict(AIR)
        elif gas in SPECIES:
            fractions = {gas: 1.0}
        else:
            raise ValueError(
                f"gas must be 'air' or one of {sorted(SPECIES)} or mole fractions, got {gas!r}"
            )
    else:
        fractions = {}
        for name, x in gas.items():
            if name not in SPECIES:
                raise ValueError(f"gas species must be one of {sorted(SPECIES)}, got {name!r}")
            if isinstance(x, bool) or not isinstance(x, int | float) or not np.isfinite(x):
                raise ValueError(f"mole fraction of {name} must be a finite number, got {x!r}")
            if x < 0:
                raise ValueError(f"mole fraction of {name} must be >= 0, got {x!r}")
            fractions[name] = float(x)
        total = sum(fractions.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"mole fractions must sum to 1, got {total:.6g}")
    total = sum(fractions.values())
    return {name: x / total for name, x in fractions.items()}


def _properties(
    names: list[str] | tuple[str, ...],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    molar_mass = np.array([SPECIES[n].molar_mass for n in names])
    cp = np.array([SPECIES[n].molar_heat_capacity for n in names])
    return molar_mass, cp


def mixture_molar_mass(
    mole_fraction: npt.ArrayLike, molar_mass: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Molar mass of a mixture, ``M = sum_k x_k M_k``.

    Parameters
    ----------
    mole_fraction : array_like, shape (..., S)
        Mole fraction of each species [-].
    molar_mass : array_like, shape (..., S)
        Molar mass of each species [kg/mol].

    Returns
    -------
    numpy.ndarray, shape (...)
        Mixture molar mass [kg/mol].
    """
    return np.sum(np.asarray(mole_fraction) * molar_mass, axis=-1)


def mixture_molar_heat_capacity(
    mole_fraction: npt.ArrayLike, molar_heat_capacity: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Molar isobaric heat capacity of an ideal mixture, ``cp = sum_k x_k cp_k`` [J/(mol K)]."""
    return np.sum(np.asarray(mole_fraction) * molar_heat_capacity, axis=-1)


def heat_capacity_ratio(molar_heat_capacity: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Ratio of specific heats ``gamma = cp / (cp - R)`` of an ideal gas [-].

    Parameters
    ----------
    molar_heat_capacity : array_like
        Molar isobaric heat capacity [J/(mol K)].
    """
    cp = np.asarray(molar_heat_capacity, dtype=float)
    return cp / (cp - MOLAR_GAS_CONSTANT)


def specific_gas_constant(molar_mass: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Specific gas constant ``R = Ru / M`` [J/(kg K)] of a gas of molar mass [kg/mol]."""
    return MOLAR_GAS_CONSTANT / np.asarray(molar_mass, dtype=float)


def species_properties(
    names: list[str] | tuple[str, ...],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Molar masses [kg/mol] and molar heat capacities [J/(mol K)] of the named species."""
    return _properties(names)
