"""The crews' reserve-time card: time left to the evacuation limit from a timed 1 mmHg drop.

A crew times how long the cabin takes to lose 1 mmHg with a watch and reads the reserve time
off a card (a nomogram): the time until the pressure reaches 490 mmHg, the evacuation limit;
with under 10 minutes left the crew goes to the safe haven. For an isothermal cabin leaking
through a choked orifice the pressure decays exponentially, ``p(t) = p exp(-t / tau)``
(Saad, Compressible Fluid Flow, pp. 98-106; :mod:`leaksim.inverse.convert`), so a drop of
``dp`` in ``t_drop`` gives ``tau = t_drop / ln(p / (p - dp))`` and the reserve time is

    T_res = tau ln(p / p_limit)  ~=  (p / dp) t_drop ln(p / p_limit),

the second form for ``dp << p``, the one crews use (760 mmHg and a 10 s drop: 55.6 min; the
two differ by ``dp / (2 p)``, 0.07 %).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pint

from ..errors import ScenarioError
from ..inverse._common import MMHG, si_value
from ..plotting._common import COLOURS, LINE_STYLES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CARD_PRESSURES_MMHG", "reserve_time", "reserve_card", "write_reserve_card"]

#: Starting pressures the card shows [mmHg]: from just above the limit to a full cabin.
CARD_PRESSURES_MMHG = (520, 550, 580, 610, 640, 670, 700, 730, 760, 785)


def reserve_time(
    pressure: str | pint.Quantity,
    drop_time: str | pint.Quantity | npt.ArrayLike,
    level: str | pint.Quantity = "490 mmHg",
    drop: str | pint.Quantity = "1 mmHg",
) -> Any:
    """Reserve time to ``level`` from the time the pressure took to fall by ``drop``.

    Parameters
    ----------
    pressure : str or pint.Quantity
        Pressure now [Pa], above ``level`` and above ``drop``.
    drop_time : str, pint.Quantity or array_like
        Time measured for the drop [s]; plain numbers are seconds (arrays for a curve).
    level : str or pint.Quantity, default "490 mmHg"
        Pressure to reach [Pa].
    drop : str or pint.Quantity, default "1 mmHg"
        The drop timed [Pa].

    Returns
    -------
    float or numpy.ndarray
        Reserve time [s].

    Examples
    --------
    >>> round(reserve_time("760 mmHg", "10 s") / 60, 1)
    55.6
    """
    p = si_value(pressure, "pressure", "pressure")
    p_level = si_value(level, "pressure", "level")
    dp = si_value(drop, "pressure", "drop")
    if not p > dp:
        raise ScenarioError(
            f"must be above the drop {dp / MMHG:g} mmHg, got {pressure!r}", "pressure"
        )
    if isinstance(drop_time, str | pint.Quantity):
        t = np.asarray(si_value(drop_time, "time", "drop_time"))
    else:
        t = np.asarray(drop_time, dtype=float)
        if np.any(~(t > 0)):
            raise ScenarioError("must be > 0 s", "drop_time")
    tau = t / math.log(p / (p - dp))
    out = tau * max(math.log(p / p_level), 0.0)
    return float(out) if out.ndim == 0 else out


def reserve_card(
    level: str | pint.Quantity = "490 mmHg",
    pressures_mmhg: Sequence[float] = CARD_PRESSURES_MMHG,
    *,
    safe_haven: str | pint.Quantity = "10 min",
    drop_times: tuple[float, float] = (1.0, 1000.0),
) -> Figure:
    """The card: reserve time against the time of a 1 mmHg drop, one line per pressure.

    Parameters
    ----------
    level : str or pint.Quantity, default "490 mmHg"
        Evacuation limit [Pa].
    pressures_mmhg : sequence of float
        Starting pressures drawn [mmHg].
    safe_haven : str or pint.Quantity, default "10 min"
        Reserve below which the crew goes to the safe haven, drawn as a band [s].
    drop_times : tuple of float
        Range of the 1 mmHg drop times on the axis [s].

    Returns
    -------
    matplotlib.figure.Figure
        A4 landscape, log-log, with a fine grid to read from.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    haven = si_value(safe_haven, "time", "safe_haven") / 60.0
    p_level = si_value(level, "pressure", "level") / MMHG
    t = np.geomspace(drop_times[0], drop_times[1], 400)
    fig, ax = plt.subplots(figsize=(11.69, 8.27))
    for i, p in enumerate(pressures_mmhg):
        minutes = reserve_time(f"{float(p)!r} mmHg", t, level) / 60.0
        ax.loglog(
            t,
            minutes,
            color=COLOURS[i % 7],
            linestyle=LINE_STYLES[(i // 7) % len(LINE_STYLES)],
            linewidth=1.6,
            label=f"{p:g} mmHg",
        )
    ax.axhspan(1e-3, haven, color="#D55E00", alpha=0.15, linewidth=0)
    ax.axhline(haven, color="#D55E00", linewidth=1.2)
    ax.text(
        drop_times[1] / 1.2,
        haven * 0.8,
        f"under {haven:g} min: go to the safe haven",
        color="#D55E00",
        ha="right",
        va="top",
        fontsize=12,
    )
    ax.set_xlim(*drop_times)
    ax.set_ylim(
        1.0, float(reserve_time(f"{max(pressures_mmhg)!r} mmHg", drop_times[1], level)) / 60
    )
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_minor_locator(LogLocator(base=10, subs=tuple(float(s) for s in range(1, 10))))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.grid(True, which="major", alpha=0.6)
    ax.grid(True, which="minor", alpha=0.2)
    ax.set_xlabel("time measured for a 1 mmHg drop [s]", fontsize=12)
    ax.set_ylabel(f"reserve time to {p_level:g} mmHg [min]", fontsize=12)
    ax.set_title(
        f"Reserve time to {p_level:g} mmHg from the time of a 1 mmHg drop "
        "(isothermal, choked leak)",
        fontsize=13,
    )
    ax.legend(title="pressure now", loc="upper left", fontsize=10, ncols=2)
    fig.text(
        0.99,
        0.01,
        "T_res = tau ln(p / p_limit), tau = t_1mm / ln(p / (p - 1 mmHg)) ~ p t_1mm / (1 mmHg)."
        " 760 mmHg and a 10 s drop: 55.6 min. leaksim card",
        ha="right",
        fontsize=8,
        color="0.3",
    )
    return fig


def write_reserve_card(
    pdf: str | os.PathLike[str] | None,
    png: str | os.PathLike[str] | None,
    **card: Any,
) -> Figure:
    """Draw the card and write it as PDF and PNG, the two files as one set (atomically)."""
    import matplotlib.pyplot as plt

    from .._io import atomic_files

    fig = reserve_card(**card)
    try:
        with atomic_files() as files:
            if pdf is not None:
                with files.open(pdf, "wb") as f:
                    fig.savefig(f, format="pdf")
            if png is not None:
                with files.open(png, "wb") as f:
                    fig.savefig(f, format="png", dpi=150)
    finally:
        plt.close(fig)
    return fig
