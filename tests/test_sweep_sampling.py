"""Swept values: distributions against scipy's, reproducibility by case index, grids, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from leaksim.errors import ScenarioError
from leaksim.sweep import Choice, Grid, LogNormal, LogUniform, Normal, Table, Uniform
from leaksim.sweep.distributions import from_table
from leaksim.sweep.sampling import BLOCK, grid_size, sample

U = np.array([1e-6, 0.025, 0.3, 0.5, 0.77, 0.975, 1 - 1e-6])
NO_INDEX = np.zeros(len(U), dtype=np.int64)


@pytest.mark.parametrize(
    ("kind", "reference"),
    [
        (Uniform("2 min", "5 min"), stats.uniform(loc=120, scale=180)),
        (LogUniform("1 mm", "100 mm"), stats.loguniform(1e-3, 0.1)),
        (Normal("10 degC", "2 K"), stats.norm(loc=283.15, scale=2.0)),
        (LogNormal("10 min", 0.5), stats.lognorm(s=0.5, scale=600.0)),
    ],
)
def test_inverse_cdf_matches_scipy(kind, reference):
    # The mapping u -> value is the distribution's quantile function, computed independently
    # by scipy.stats (in SI units: minutes to seconds, degC to K, mm to m).
    np.testing.assert_allclose(kind.values(U, NO_INDEX), reference.ppf(U), rtol=1e-12)


def test_sampled_values_follow_their_distribution():
    kinds = {"a": LogNormal("10 min", 0.5), "b": Uniform(0.1, 0.9)}
    values = sample(kinds, seed=11, start=0, stop=20_000)
    # Kolmogorov-Smirnov against the stated laws; p > 1e-3 fails about once in a thousand
    # seeds, and the seed is fixed.
    assert stats.kstest(values["a"], stats.lognorm(s=0.5, scale=600.0).cdf).pvalue > 1e-3
    assert stats.kstest(values["b"], stats.uniform(0.1, 0.8).cdf).pvalue > 1e-3


def test_choice_frequencies_follow_weights():
    kind = Choice(["Lab", "Node1", "PrK"], weights=[0.5, 0.3, 0.2])
    values = sample({"leak.hole.module": kind}, seed=3, start=0, stop=30_000)["leak.hole.module"]
    counts = [np.count_nonzero(values == name) for name in ("Lab", "Node1", "PrK")]
    assert stats.chisquare(counts, np.array([0.5, 0.3, 0.2]) * 30_000).pvalue > 1e-3


@given(
    seed=st.integers(0, 2**32 - 1),
    start=st.integers(0, 3 * BLOCK),
    length=st.integers(1, 2 * BLOCK),
    cut=st.floats(0, 1),
)
def test_any_range_of_cases_gets_the_same_values(seed, start, length, cut):
    kinds = {"x": LogUniform(1.0, 10.0), "m": Choice(["a", "b", "c"]), "g": Grid([1.0, 2.0])}
    stop = start + length
    whole = sample(kinds, seed, start, stop)
    middle = start + int(cut * length)
    parts = [sample(kinds, seed, start, middle), sample(kinds, seed, middle, stop)]
    for path in kinds:
        joined = np.concatenate([part[path] for part in parts])
        assert (joined == whole[path]).all()


def test_adding_a_parameter_keeps_the_draws_of_the_others():
    one = sample({"a": Uniform(0.0, 1.0)}, 5, 0, 100)
    two = sample({"b": Normal(0.0, 1.0), "a": Uniform(0.0, 1.0)}, 5, 0, 100)
    assert (one["a"] == two["a"]).all()
    assert not (sample({"a": Uniform(0.0, 1.0)}, 6, 0, 100)["a"] == one["a"]).any()


def test_grids_form_an_outer_product_and_tables_cycle():
    kinds = {"d": Grid(["1 mm", "2 mm", "3 mm"]), "t": Grid(["1 min", "2 min"]), "c": Table([1, 2])}
    assert grid_size(kinds) == 6
    values = sample(kinds, 0, 0, 12)
    points = set(zip(values["d"][:6].round(6), values["t"][:6], strict=True))
    assert points == {(d, t) for d in (0.001, 0.002, 0.003) for t in (60.0, 120.0)}
    assert values["t"][:2].tolist() == [60.0, 120.0]  # the last grid varies fastest
    assert (values["d"][6:] == values["d"][:6]).all()
    assert values["c"].tolist() == [1.0, 2.0] * 6


def test_choice_of_times_with_never():
    kind = Choice(["5 min", "never"])
    assert kind.numeric and kind.unit == "s"
    assert set(kind.values(np.array([0.1, 0.9]), None).tolist()) == {300.0, np.inf}


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"distribution": "logunifrom", "low": 1, "high": 2}, "did you mean 'loguniform'"),
        ({"distribution": "uniform", "low": "2 mm"}, "missing high"),
        ({"distribution": "uniform", "low": "2 mm", "high": "1 mm"}, "low must be below high"),
        ({"distribution": "uniform", "low": "2 mm", "high": "1 s"}, "share one dimension"),
        ({"distribution": "loguniform", "low": "0 mm", "high": "1 mm"}, "low must be > 0"),
        ({"distribution": "normal", "mean": 1, "sd": -1}, "sd must be > 0"),
        ({"distribution": "lognormal", "median": "1 min", "sigma": "2 s"}, "sigma must be"),
        ({"distribution": "uniform", "low": 1, "high": 2, "hgih": 3}, "unknown key 'hgih'"),
        ({"choice": ["a", "b"], "weights": [1]}, "one entry per choice"),
        ({"choice": ["a", "b"], "weights": [1, -1]}, "weights must be >= 0"),
        ({"choice": []}, "non-empty list"),
        ({"table": ["1 mm", "1 s"]}, "share one dimension"),
        ({"grid": ["1 mm", "banana"]}, "entry 2 of 2"),
        ("loguniform", "must be a table"),
    ],
)
def test_bad_parameter_tables(table, fragment):
    with pytest.raises(ScenarioError, match=None) as info:
        from_table(table)
    assert fragment in str(info.value)


def test_the_top_uniform_number_stays_below_one(monkeypatch):
    # k = 2**53 - 1 gives (k + 0.5) / 2**53, which rounds to 1.0 in float64, where the inverse
    # CDF of a normal law is infinite: force every draw of a block to it.
    class Top:
        def __init__(self, bit_generator):
            pass

        def integers(self, low, high, size, dtype):
            return np.full(size, high - 1, dtype=dtype)

    monkeypatch.setattr(np.random, "Generator", Top)
    u = sample({"x": Uniform("0 m", "1 m")}, 0, 0, 5)["x"]
    assert (u < 1.0).all()
    z = sample({"x": Normal("0 m", "1 m")}, 0, 0, 5)["x"]
    assert np.isfinite(z).all() and (z > 8).all()


# The extremes of the uniform numbers of leaksim.sweep.sampling: 0.5 / 2**53 and the float64
# just below 1.
U_EXTREMES = np.array([2.0**-54, np.nextafter(1.0, 0.0)])


@given(log10_median=st.floats(-300, 300), sigma=st.floats(0.01, 200))
def test_a_lognormal_is_built_only_when_every_draw_is_a_finite_positive_float(log10_median, sigma):
    median = f"{10.0**log10_median!r} m"
    try:
        kind = LogNormal(median, sigma)
    except ScenarioError as err:
        assert "sigma must be <=" in str(err)
        with np.errstate(over="ignore", under="ignore"):
            extremes = 10.0**log10_median * np.exp(sigma * stats.norm.ppf(U_EXTREMES))
        assert not (np.isfinite(extremes).all() and (extremes >= np.finfo(float).tiny).all())
    else:
        with np.errstate(all="raise"):  # a RuntimeWarning would be an error here
            values = kind.values(U_EXTREMES, np.zeros(2, dtype=np.int64))
        assert np.isfinite(values).all() and (values > 0).all()
