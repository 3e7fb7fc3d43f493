"""Tests of leaksim.plotting on the artists returned, not on pixels."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from _result_data import EVACUATE_PA, MODULES, P0, TIME, make_result  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from leaksim.plotting import MAX_CASE_LINES, plot_pressure  # noqa: E402
from leaksim.plotting._common import auto_time_unit  # noqa: E402
from leaksim.result import UnknownModuleError  # noqa: E402

MMHG = 133.322387415  # [Pa]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def ax():
    _, ax = plt.subplots()
    return ax


def test_one_line_per_case_and_module(ax):
    artists = plot_pressure(make_result(), ax=ax)
    assert set(artists) == {
        "lines",
        "bands",
        "thresholds",
        "threshold_labels",
        "crossings",
        "crossing_labels",
        "events",
    }
    assert len(artists["lines"]) == 3 * len(MODULES)
    assert artists["bands"] == []
    labels = [line.get_label() for line in artists["lines"]]
    assert labels[:2] == ["Lab, case 0: hole diameter 2 mm", "Node1, case 0: hole diameter 2 mm"]
    assert all(line.axes is ax for line in artists["lines"])
    # A colour per case, a line style per module.
    lines = artists["lines"]
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert lines[0].get_linestyle() != lines[1].get_linestyle()


def test_line_values_are_converted(ax):
    artists = plot_pressure(make_result(), ax=ax, pressure_unit="kPa", time_unit="s")
    x, y = artists["lines"][0].get_data()
    np.testing.assert_allclose(x, TIME)
    assert y[0] == pytest.approx(P0 / 1000.0)


def test_default_units_and_axis_labels(ax):
    artists = plot_pressure(make_result(), ax=ax)
    assert ax.get_ylabel() == "pressure [mmHg]"
    assert ax.get_xlabel() == "time [min]"  # one hour of output
    x, y = artists["lines"][0].get_data()
    assert x[-1] == pytest.approx(60.0)
    assert y[0] == pytest.approx(P0 / MMHG)


def test_one_case_lines_are_named_by_module(ax):
    artists = plot_pressure(make_result(n_cases=1, fail_last=False), ax=ax)
    assert [line.get_label() for line in artists["lines"]] == list(MODULES)


def test_pressure_threshold_is_a_dashed_line_at_its_level(ax):
    artists = plot_pressure(make_result(), ax=ax)
    (line,) = artists["thresholds"]  # the O2 threshold is not drawn on a pressure axis
    assert line.get_label() == "evacuate 490 mmHg"
    assert line.get_linestyle() == "--"
    np.testing.assert_allclose(line.get_ydata(), 490.0)
    legend_texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "evacuate 490 mmHg" in legend_texts


def test_threshold_level_follows_the_pressure_unit(ax):
    artists = plot_pressure(make_result(), ax=ax, pressure_unit="kPa")
    np.testing.assert_allclose(artists["thresholds"][0].get_ydata(), EVACUATE_PA / 1000.0)
    assert ax.get_ylabel() == "pressure [kPa]"


def test_thresholds_off_or_unknown(ax):
    result = make_result()
    assert plot_pressure(result, ax=ax, thresholds=False)["thresholds"] == []
    assert len(plot_pressure(result, ax=ax, thresholds=["evacuate"])["thresholds"]) == 1
    with pytest.raises(ValueError, match="partial_pressure_O2"):
        plot_pressure(result, ax=ax, thresholds=["low_O2"])
    with pytest.raises(ValueError, match="no threshold named 'nope'"):
        plot_pressure(result, ax=ax, thresholds=["nope"])


def test_band_mode_above_the_case_limit(ax):
    result = make_result(n_cases=MAX_CASE_LINES + 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the failed case's NaN tail must not warn
        artists = plot_pressure(result, ax=ax)
    assert len(artists["lines"]) == len(MODULES)
    assert len(artists["bands"]) == len(MODULES)
    assert all(isinstance(band, PolyCollection) for band in artists["bands"])
    assert artists["lines"][0].get_label() == "Lab median"
    median = np.median(result.pressure[:, 0, 0].m_as("mmHg"))
    assert artists["lines"][0].get_ydata()[0] == pytest.approx(median)


def test_case_limit_itself_still_draws_lines(ax):
    artists = plot_pressure(make_result(n_cases=MAX_CASE_LINES), ax=ax)
    assert len(artists["lines"]) == MAX_CASE_LINES * len(MODULES)
    assert artists["bands"] == []


def test_select_modules_and_cases(ax):
    result = make_result()
    artists = plot_pressure(result, ax=ax, modules="Node1", cases=[0, 2])
    labels = [line.get_label().split(":")[0] for line in artists["lines"]]
    assert labels == ["Node1, case 0", "Node1, case 2"]
    mask = np.array([False, True, False])
    assert len(plot_pressure(result, ax=ax, cases=mask)["lines"]) == len(MODULES)
    with pytest.raises(UnknownModuleError, match="Lab"):
        plot_pressure(result, ax=ax, modules=["Zvezda"])
    with pytest.raises(ValueError, match="at least one case"):
        plot_pressure(result, ax=ax, cases=[])
    with pytest.raises(ValueError, match="must index the 3 cases"):
        plot_pressure(result, ax=ax, cases=[7])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pressure_unit": "kg"}, "pressure_unit"),
        ({"pressure_unit": "not a unit"}, "pressure_unit"),
        ({"time_unit": "Pa"}, "time_unit"),
    ],
)
def test_units_of_the_wrong_dimension_are_refused(ax, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_pressure(make_result(), ax=ax, **kwargs)


@pytest.mark.parametrize(
    ("duration_s", "unit"),
    [(60.0, "s"), (3600.0, "min"), (6 * 3600.0, "h"), (2 * 86400.0, "h"), (30 * 86400.0, "day")],
)
def test_time_unit_follows_the_duration(duration_s, unit):
    assert auto_time_unit(np.array([0.0, duration_s])) == unit


def test_time_unit_given_and_day_label(ax):
    plot_pressure(make_result(), ax=ax, time_unit="day")
    assert ax.get_xlabel() == "time [day]"
    plot_pressure(make_result(), ax=ax, time_unit="hour")
    assert ax.get_xlabel() == "time [h]"


def test_figure_created_only_without_ax(ax):
    before = plt.get_fignums()
    plot_pressure(make_result(), ax=ax)
    assert plt.get_fignums() == before
    artists = plot_pressure(make_result())
    assert len(plt.get_fignums()) == len(before) + 1
    assert artists["lines"][0].axes is not ax


def test_result_plot_delegates_and_refuses_unknown_keywords(ax):
    result = make_result()
    artists = result.plot(ax=ax, pressure_unit="psi", modules=["Lab"])
    assert len(artists["lines"]) == 3
    assert ax.get_ylabel() == "pressure [psi]"
    with pytest.raises(TypeError, match="colour"):
        result.plot(ax=ax, colour="red")
