"""Statistics of sweep rows: fractions with confidence intervals, percentiles, band tables.

Fractions carry the Clopper-Pearson interval (Clopper and Pearson 1934, "The use of confidence
or fiducial limits illustrated in the case of the binomial", Biometrika 26:404), computed by
:meth:`scipy.stats.binomtest`'s ``proportion_ci(method="exact")``. It never falls below its
stated coverage and stays meaningful at 0 or all successes, where the normal approximation
gives an interval of zero width; the rare outcomes of a safety study are exactly that case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest

__all__ = ["fraction", "percentiles", "band_table"]

#: Confidence level of every interval in sweep summaries.
CONFIDENCE = 0.95


def fraction(reached: np.ndarray) -> dict[str, float | int | None]:
    """Fraction of True in ``reached`` and its exact 95 % interval.

    Examples
    --------
    >>> f = fraction(np.array([True] * 3 + [False] * 7))
    >>> f["fraction"], f["reached"], f["cases"], round(f["ci95_low"], 4)
    (0.3, 3, 10, 0.0667)
    """
    k, n = int(np.count_nonzero(reached)), int(np.size(reached))
    if n == 0:
        return {"fraction": None, "ci95_low": None, "ci95_high": None, "reached": 0, "cases": 0}
    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="exact")
    return {
        "fraction": k / n,
        "ci95_low": float(ci.low),
        "ci95_high": float(ci.high),
        "reached": k,
        "cases": n,
    }


def percentiles(values: np.ndarray, q: Sequence[float] = (5, 50, 95)) -> dict[str, float | None]:
    """Percentiles ``p<q>`` of the values, ``inf`` counted as larger than any number.

    NaN (failed cases) are left out; all-NaN gives None.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[~np.isnan(finite)]
    if finite.size == 0:
        return {f"p{x:g}": None for x in q}
    # "inverted_cdf" takes an observed value, so an inf beyond the percentile stays out of it
    # and one at it is reported as inf rather than interpolated to NaN.
    values_q = np.percentile(finite, q, method="inverted_cdf")
    return {f"p{x:g}": float(v) for x, v in zip(q, values_q, strict=True)}


def band_table(
    rows: pd.DataFrame, outcome: np.ndarray, by: Mapping[str, Sequence[float] | None]
) -> pd.DataFrame:
    """Fraction of cases with ``outcome`` per band of each ``by`` column.

    Parameters
    ----------
    rows : pandas.DataFrame
        The sweep rows of the cases to count.
    outcome : numpy.ndarray of bool
        Whether each row has the outcome.
    by : mapping of str to sequence of float or None
        Column -> band edges in its SI unit (a value on an edge goes to the band above), or
        None to group by the column's values (a choice of module).

    Returns
    -------
    pandas.DataFrame
        One row per band combination that has cases: the bands, ``cases``, ``reached``,
        ``fraction``, ``ci95_low``, ``ci95_high``.
    """
    keys = {}
    for column, edges in by.items():
        if edges is None:
            keys[column] = rows[column].astype(str).to_numpy()
        else:
            keys[column] = pd.cut(rows[column], np.asarray(edges, dtype=float), right=False)
    frame = pd.DataFrame({**keys, "_outcome": np.asarray(outcome, dtype=bool)})
    records = []
    for band, group in frame.groupby(list(by), observed=True, sort=True):
        band = band if isinstance(band, tuple) else (band,)
        stats = fraction(group["_outcome"].to_numpy())
        records.append({**dict(zip(by, map(_band_text, band), strict=True)), **stats})
    return pd.DataFrame.from_records(records)


def _band_text(band: Any) -> Any:
    if isinstance(band, pd.Interval):
        return f"[{band.left:g}, {band.right:g})"
    return band
