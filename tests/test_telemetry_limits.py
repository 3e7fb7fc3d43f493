"""leaksim.telemetry.limits: detection time and the smallest detectable leak."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaksim.errors import ScenarioError
from leaksim.telemetry import detection_time, smallest_detectable_leak
from leaksim.telemetry.figures import plot_detection_times

MMHG = 133.322387415
SENSOR = {"resolution": "0.1 mmHg", "noise": "0.1 mmHg"}


def test_a_larger_leak_is_seen_sooner_as_k_to_the_minus_two_thirds():
    # without bias the signal grows as N^(3/2) (derivation in the module notes): eight times
    # the leak, a quarter of the time, to the 10 % steps of the window grid and one block
    small = detection_time("916 m^3", "0.5 lb/day", **SENSOR)
    large = detection_time("916 m^3", "4 lb/day", **SENSOR)
    assert large.time < small.time
    assert large.time / small.time == pytest.approx(0.25, rel=0.2)
    assert small.median_time < small.time


def test_an_unseen_temperature_drift_sets_a_floor_on_the_pressure_drop():
    # detected only once k dt N / sqrt(12) > 2 D: the drop k N dt exceeds 2 sqrt(12) p dT / T
    found = detection_time("916 m^3", "1 lb/day", drift="0.1 K", **SENSOR)
    floor = 2 * math.sqrt(12) * 760 * MMHG * 0.1 / 295.15
    assert floor < found.pressure_drop < 1.3 * floor
    assert found.time > 10 * detection_time("916 m^3", "1 lb/day", **SENSOR).time


def test_noise_and_false_alarm_rate_move_the_time_the_right_way():
    base = detection_time("5 m^3", "0.5 lb/day", **SENSOR).time
    assert detection_time("5 m^3", "0.5 lb/day", "0.1 mmHg", "1 mmHg").time > base
    assert (
        detection_time("5 m^3", "0.5 lb/day", false_alarm_rate="10 / year", **SENSOR).time <= base
    )
    # the leak in other forms: the same hole
    forms = detection_time("5 m^3", "0.5 lb/day", **SENSOR)
    same = detection_time("5 m^3", f"{forms.effective_area!r} m^2", **SENSOR)
    assert same.time == forms.time


@settings(max_examples=20, deadline=None)
@given(
    hours=st.floats(0.2, 200.0),
    noise=st.sampled_from(["0.02 mmHg", "0.1 mmHg", "1 mmHg"]),
    drift=st.sampled_from(["0 K", "0.05 K", "0.5 K"]),
)
def test_the_smallest_leak_is_detected_in_time_and_a_smaller_one_is_not(hours, noise, drift):
    kw = {"noise": noise, "drift": drift, "resolution": "0.1 mmHg"}
    found = smallest_detectable_leak("50 m^3", f"{hours} h", **kw)
    area = found.leak.effective_area
    assert detection_time("50 m^3", f"{area!r} m^2", **kw).time <= hours * 3600
    assert detection_time("50 m^3", f"{0.8 * area!r} m^2", **kw).time > hours * 3600 * 0.9


def test_bad_arguments():
    with pytest.raises(ScenarioError, match="time: must be at least two windows"):
        smallest_detectable_leak("5 m^3", "30 s")
    with pytest.raises(ScenarioError, match="probability"):
        detection_time("5 m^3", "1 lb/day", probability=0.3)
    with pytest.raises(ScenarioError, match="not both 0"):
        detection_time("5 m^3", "1 lb/day", "0 mmHg", "0 mmHg")
    with pytest.raises(ScenarioError, match="sample_interval"):
        detection_time("5 m^3", "1 lb/day", sample_interval="2 min")


def test_the_plot_has_a_line_per_volume():
    ax = plot_detection_times({"station": "916 m^3", "PrK": "5 m^3"}, [0.1, 1.0, 10.0], **SENSOR)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["station (916 m^3)", "PrK (5 m^3)"]
    station, prk = (ln.get_ydata() for ln in lines)
    assert all(s > p for s, p in zip(station, prk, strict=True))  # a small volume shows it sooner
    plt.close(ax.figure)
