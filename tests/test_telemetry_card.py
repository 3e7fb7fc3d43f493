"""leaksim.telemetry.card: the crews' reserve-time card and its closed form."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from leaksim import cli
from leaksim.errors import ScenarioError
from leaksim.telemetry import reserve_card, reserve_time


def test_reserve_time_at_760_mmhg_is_the_crews_closed_form():
    # issue 14: T_res = p T_1mm ln(p / 490 mmHg); 760 mmHg and a 10 s drop give 55.6 min. The
    # exact exponential differs from this linearised form by dp / (2 p) = 0.066 %.
    closed = 760 * 10.0 * math.log(760 / 490)
    assert closed / 60 == pytest.approx(55.6, abs=0.05)
    assert reserve_time("760 mmHg", "10 s") == pytest.approx(closed, rel=1e-3)
    # and the exact form: tau from the drop, e-folding to the level
    tau = 10.0 / math.log(760 / 759)
    assert reserve_time("760 mmHg", "10 s") == pytest.approx(tau * math.log(760 / 490), rel=1e-12)


def test_reserve_time_is_proportional_to_the_drop_time_and_zero_below_the_limit():
    t = np.array([1.0, 10.0, 100.0])
    out = reserve_time("700 mmHg", t)
    assert out == pytest.approx(out[0] * t)
    assert reserve_time("480 mmHg", "10 s") == 0.0
    with pytest.raises(ScenarioError, match="drop_time"):
        reserve_time("700 mmHg", [-1.0])


def test_the_card_reads_55_6_min_at_760_mmhg_and_10_s():
    fig = reserve_card()
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_label().endswith("mmHg")}
    assert {"520 mmHg", "785 mmHg", "760 mmHg"} <= set(lines)
    x, y = (np.asarray(a, dtype=float) for a in lines["760 mmHg"].get_data())
    # the curve is a straight line on log-log axes: read it at 10 s
    assert np.exp(np.interp(np.log(10.0), np.log(x), np.log(y))) == pytest.approx(55.6, abs=0.05)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert "490 mmHg" in ax.get_ylabel()
    plt.close(fig)


def test_leaksim_card_writes_pdf_and_png(tmp_path, capsys):
    code = cli.main(["card", str(tmp_path / "card")])
    assert code == 0
    assert (tmp_path / "card.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "card.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code = cli.main(["card", str(tmp_path / "none" / "card")])
    assert code == 2 and "does not exist" in capsys.readouterr().err
