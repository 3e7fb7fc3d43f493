"""Thresholds, crossings, titles, legends and units of the time plots, on the artists drawn.

References: the crossing times of the hand-made runs of ``_result_data`` are closed forms,
``tau ln(p0 / level)`` for ``p0 exp(-t / tau)``; positions on the page are checked in display
coordinates after a draw, not on pixels.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from _result_data import (  # noqa: E402
    EVACUATE_PA,
    P0,
    make_compiled,
    make_result,
    make_solution,
    taus,
)
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from leaksim import stations  # noqa: E402
from leaksim.compile import ThresholdLevel  # noqa: E402
from leaksim.plotting import (  # noqa: E402
    MAX_CASE_LINES,
    plot_carbon_dioxide,
    plot_hatch_pressure_differences,
    plot_leak_rate,
    plot_overview,
    plot_oxygen,
    plot_pressure,
    plot_temperature,
)
from leaksim.plotting._common import readable  # noqa: E402
from leaksim.plotting.thresholds import MAX_TIME_LABELS  # noqa: E402
from leaksim.result import Result  # noqa: E402

MMHG = 133.322387415  # [Pa]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _axes(layout: str | None = "constrained"):
    figure = Figure(figsize=(8.0, 4.5), layout=layout)
    FigureCanvasAgg(figure)
    return figure.subplots()


def _evacuate_crossing_s(tau: float) -> float:
    """Closed form: when ``P0 exp(-t / tau)`` falls to the 490 mmHg of "evacuate" [s]."""
    return tau * math.log(P0 / EVACUATE_PA)


# ---------------------------------------------------------------- thresholds and crossings


def test_threshold_line_carries_its_name_and_level():
    ax = _axes()
    artists = plot_pressure(make_result(n_cases=1, fail_last=False), ax=ax)
    (line,) = artists["thresholds"]
    assert line.get_label() == "evacuate 490 mmHg"
    (text,) = artists["threshold_labels"]
    assert text.get_text() == "evacuate 490 mmHg"
    assert text.get_position()[1] == pytest.approx(490.0)
    ax_kpa = _axes()
    (line,) = plot_pressure(make_result(), ax=ax_kpa, pressure_unit="kPa")["thresholds"]
    assert line.get_label() == f"evacuate {EVACUATE_PA / 1000:.4g} kPa"


def test_a_threshold_of_several_levels_draws_and_names_each():
    compiled = make_compiled(3)
    levels = np.array([480.0, 490.0, 500.0]) * MMHG  # one per case [Pa]
    compiled = dataclasses.replace(
        compiled, thresholds=[ThresholdLevel("pressure", levels), *compiled.thresholds[1:]]
    )
    result = Result(make_solution(3, fail_last=False), compiled)
    artists = plot_pressure(result, ax=_axes())
    assert [line.get_ydata()[0] for line in artists["thresholds"]] == pytest.approx(
        [480.0, 490.0, 500.0]
    )
    assert [line.get_label() for line in artists["thresholds"]] == [
        "evacuate, 3 levels",
        "_nolegend_",
        "_nolegend_",
    ]
    for text in artists["threshold_labels"]:
        assert re.fullmatch(r"evacuate (480|490|500) mmHg", text.get_text())


def test_crossings_are_marked_at_the_closed_form_times():
    # Lab crosses 490 mmHg at tau ln(p0/level) in cases 0 and 1; case 2 fails at 1800 s,
    # before its crossing at 3511 s; Node1 stays at 100 kPa and never crosses.
    ax = _axes()
    artists = plot_pressure(make_result(), ax=ax)  # one hour: minutes
    expected_min = [_evacuate_crossing_s(tau) / 60.0 for tau in taus(3)[:2]]
    markers = artists["crossings"]
    assert [m.get_xdata()[0] for m in markers] == pytest.approx(expected_min)
    assert all(m.get_ydata()[0] == pytest.approx(490.0) for m in markers)
    assert [m.get_label() for m in markers] == ["evacuate reached", "_nolegend_"]
    # few markers: each time written beside its marker, in a unit chosen for it
    texts = [t.get_text() for t in artists["crossing_labels"]]
    assert texts == [f"{x:.3g} min" for x in expected_min]


def test_crossing_time_text_uses_hours_where_the_axis_does():
    result = stations.iss().run()
    artists = plot_pressure(result, ax=_axes(), modules=["Zvezda-PrK"])
    (marker,) = artists["crossings"]
    # NASA OIG IG-24-020's leak gives the documented 37.5 h to 490 mmHg (getting-started.md)
    assert marker.get_xdata()[0] == pytest.approx(37.5, abs=0.5)
    assert artists["crossing_labels"][0].get_text().endswith(" h")


def test_band_mode_marks_the_median_crossing():
    # 20 cases, tau evenly spaced from 2000 to 8000 s, the last one failed (never crosses):
    # the median of the 20 crossing times is that of tau = 5000 s, the mean of the middle two.
    n = MAX_CASE_LINES + 8
    artists = plot_pressure(make_result(n_cases=n), ax=_axes())
    (marker,) = artists["crossings"]
    assert marker.get_xdata()[0] == pytest.approx(_evacuate_crossing_s(5000.0) / 60.0)


def test_median_crossing_needs_half_the_cases():
    # Only cases with tau <= 3600 s / ln(760/490) cross in the hour: with the band over cases
    # whose tau are mostly above that, the median never crosses and no marker is drawn.
    n = MAX_CASE_LINES + 8
    result = make_result(n_cases=n)
    slow = np.flatnonzero(_evacuate_crossing_s(taus(n)) > 0.5 * 3600.0)
    artists = plot_pressure(result, ax=_axes(), cases=slow, time_unit="s")
    assert slow.size > MAX_CASE_LINES  # band mode
    crossed = _evacuate_crossing_s(taus(n)[slow])
    crossed = np.where(crossed <= 3600.0, crossed, np.inf)
    crossed[slow == n - 1] = np.inf  # the failed case
    median = float(np.median(crossed))
    xs = [m.get_xdata()[0] for m in artists["crossings"]]
    assert xs == ([] if math.isinf(median) else [pytest.approx(median)])


def test_many_crossings_are_marked_without_times():
    n = MAX_CASE_LINES
    artists = plot_pressure(make_result(n_cases=n, fail_last=False), ax=_axes())
    assert len(artists["crossings"]) > MAX_TIME_LABELS
    assert artists["crossing_labels"] == []


def test_oxygen_and_co2_crossings():
    result = stations.safe_haven_2026().run()  # five crew sealed in 9 m^3, no CO2 removal
    co2 = plot_carbon_dioxide(result, ax=_axes())
    (marker,) = co2["crossings"]
    reached = result.threshold_times["co2-limit"]["Dragon"].m_as("h")[0]
    assert marker.get_xdata()[0] == pytest.approx(reached)
    assert marker.get_ydata()[0] == pytest.approx(1.0)  # the 1 kPa ceiling, kPa by default
    assert co2["threshold_labels"][0].get_text() == "co2-limit 1 kPa"
    # a ceiling is crossed rising: its time goes below the marker, away from the curve
    assert co2["crossing_labels"][0].get_va() == "top"
    o2 = plot_oxygen(result, ax=_axes())
    assert [m.get_label() for m in o2["crossings"]] == ["ppO2-floor reached"]
    assert o2["crossing_labels"][0].get_va() == "bottom"


def test_no_threshold_no_crossing():
    artists = plot_pressure(make_result(), ax=_axes(), thresholds=False)
    assert artists["thresholds"] == artists["crossings"] == artists["threshold_labels"] == []
    temperature = plot_temperature(make_result(), ax=_axes())
    assert temperature["crossings"] == temperature["threshold_labels"] == []


def _covers_a_marker(ax, text, markers) -> bool:
    """Whether ``text`` comes within a marker's radius (7 pt across) of a marker's centre."""
    ax.figure.canvas.draw()
    radius = 3.5 * ax.figure.dpi / 72.0  # [px]
    box = text.get_window_extent()
    for marker in markers:
        px, py = ax.transData.transform((marker.get_xdata()[0], marker.get_ydata()[0]))
        if box.x0 - radius <= px <= box.x1 + radius and box.y0 - radius <= py <= box.y1 + radius:
            return True
    return False


def _overlaps_a_curve(ax, text, lines) -> bool:
    ax.figure.canvas.draw()
    box = text.get_window_extent()
    for line in lines:
        path = line.get_transform().transform_path(line.get_path())
        if path.intersects_bbox(box, filled=False):
            return True
    return False


@pytest.mark.parametrize(("n_cases", "room"), [(1, True), (3, False)])
def test_threshold_text_does_not_cover_a_curve(n_cases, room):
    # One hand-made case leaves room on the line; with three, crossings at 15, 37 and 59 min
    # of the hour and curves close to the line between them leave none: the legend names the
    # level, and no text is drawn over the curves.
    ax = _axes()
    artists = plot_pressure(make_result(n_cases=n_cases, fail_last=False), ax=ax)
    assert len(artists["threshold_labels"]) == int(room)
    for text in artists["threshold_labels"]:
        assert not _overlaps_a_curve(ax, text, artists["lines"])
        for label in artists["crossing_labels"]:
            assert not text.get_window_extent().overlaps(label.get_window_extent())
        assert not _covers_a_marker(ax, text, artists["crossings"])
    assert artists["thresholds"][0].get_label() == "evacuate 490 mmHg"


def test_threshold_text_of_the_teaching_station_avoids_curves_and_times():
    ax = _axes()
    artists = plot_pressure(stations.teaching_two_modules().run(), ax=ax)
    (text,) = artists["threshold_labels"]
    assert not _overlaps_a_curve(ax, text, artists["lines"])
    assert not _covers_a_marker(ax, text, artists["crossings"])
    for label in artists["crossing_labels"]:
        assert not text.get_window_extent().overlaps(label.get_window_extent())


# ---------------------------------------------------------------- titles and legends


@pytest.mark.parametrize(
    ("plot", "title"),
    [
        (plot_pressure, "Module pressure"),
        (plot_oxygen, "O2 partial pressure"),
        (plot_carbon_dioxide, "CO2 partial pressure"),
        (plot_temperature, "Gas temperature"),
        (plot_leak_rate, "Pressure decay rate"),
    ],
)
def test_every_time_plot_has_a_title(plot, title):
    ax = _axes()
    plot(make_result(), ax=ax)
    assert ax.get_title() == title
    plot(make_result(), ax=(other := _axes()), title="Lab after the strike")
    assert other.get_title() == "Lab after the strike"
    plot(make_result(), ax=(bare := _axes()), title="")
    assert bare.get_title() == ""


def test_mass_leak_rate_and_hatch_titles():
    scenario = stations.teaching_two_modules()
    ax = _axes()
    plot_leak_rate(scenario.run(), ax=ax, rate_unit="kg/day", volumes=scenario.station)
    assert ax.get_title() == "Leak rate"
    plot_hatch_pressure_differences(stations.mir_spektr_1997().run(), ax=(hatch := _axes()))
    assert hatch.get_title() == "Pressure difference across hatches"


def test_legend_sits_outside_the_axes_and_inside_the_figure():
    ax = _axes("constrained")
    plot_pressure(make_result(), ax=ax)
    ax.figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    frame = ax.get_window_extent()
    page = ax.figure.bbox
    assert legend.x0 >= frame.x1  # to the right: it covers no curve
    assert page.x0 <= legend.x0 and legend.x1 <= page.x1 + 0.5  # the layout made room


def test_legend_without_a_layout_engine_stays_inside():
    ax = _axes(None)  # nothing would make room outside: matplotlib's least-overlap place
    plot_pressure(make_result(), ax=ax)
    ax.figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    frame = ax.get_window_extent()
    assert frame.x0 <= legend.x0 and legend.x1 <= frame.x1
    assert frame.y0 <= legend.y0 and legend.y1 <= frame.y1


def test_pyplot_figures_get_a_layout_that_makes_room():
    artists = plot_pressure(make_result())
    assert artists["lines"][0].figure.get_layout_engine() is not None


# ---------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1800.0, "s", "30 min"),
        (90.0, "s", "90 s"),
        (37.5 * 3600.0, "s", "37.5 h"),
        (10 * 86400.0, "s", "10 day"),
        (0.005, "m", "5 mm"),
        (2.5, "m", "2.5 m"),
        (8.15e-8, "m**2", "0.0815 mm²"),
        (5e-3, "m**2", "50 cm²"),
        (0.5, "m**2", "0.5 m²"),
        (101325.0, "Pa", "101 kPa"),
    ],
)
def test_swept_values_read_in_a_unit_for_their_size(value, unit, text):
    assert readable(value, unit) == text


def test_a_swept_close_time_reads_in_minutes_not_kiloseconds():
    swept = {"hatch.crew.close_at": np.array([1800.0, 3600.0, 7200.0])}  # [s]
    result = Result(make_solution(3, fail_last=False), make_compiled(3, swept))
    ax = _axes()
    lines = plot_pressure(result, ax=ax)["lines"]
    assert lines[0].get_label() == "Lab, case 0: crew close at 30 min"
    assert lines[4].get_label() == "Lab, case 2: crew close at 120 min"
    assert not any("ks" in line.get_label() for line in lines)


def test_a_half_hour_run_has_a_minute_axis_with_plain_ticks():
    ax = _axes()
    plot_pressure(make_result(), ax=ax, time_unit=None)  # one hour of output
    ax.figure.canvas.draw()
    assert ax.get_xlabel() == "time [min]"
    assert ax.xaxis.get_offset_text().get_text() == ""  # no "1e3" multiplier on the axis
    assert max(ax.get_xticks()) <= 100.0


# ---------------------------------------------------------------- overview


def test_overview_gets_a_co2_panel_when_a_threshold_watches_co2():
    artists = plot_overview(stations.safe_haven_2026().run(), figure=Figure(layout="constrained"))
    assert [ax.get_ylabel() for ax in artists["axes"]] == [
        "pressure [mmHg]",
        "O2 partial pressure [kPa]",
        "CO2 partial pressure [kPa]",
        "temperature [°C]",
    ]
    assert artists["axes"][0].get_title() == (
        "Pressure, O2 and CO2 partial pressures and temperature"
    )
    assert [ax.get_title() for ax in artists["axes"][1:]] == ["", "", ""]
    assert len(artists["co2"]["crossings"]) == 1
    texts = [t.get_text() for t in artists["axes"][2].get_legend().get_texts()]
    assert texts == ["co2-limit 1 kPa", "co2-limit reached"]


def test_overview_without_co2_keeps_three_panels():
    artists = plot_overview(make_result(), figure=Figure(), title="")
    assert len(artists["axes"]) == 3 and "co2" not in artists
    assert artists["axes"][0].get_title() == ""
