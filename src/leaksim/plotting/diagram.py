"""A diagram of a station: modules as squares sized by volume, hatches open or closed, leaks.

The layout is a tree drawn from the most central module of the hatch graph (see
:func:`_layout`); parts of a station not joined by hatches are drawn one below another.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

from ..units import ureg
from ._common import COLOURS, auto_time_unit, new_axes, symbol

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..station import Station

__all__ = ["plot_station"]

_PITCH = 1.0  # distance between module centres [axes data units]
_LARGEST_SIDE = 0.8  # side of the largest module's square [axes data units]
_OPEN, _CLOSED, _LEAK = "0.25", COLOURS[3], COLOURS[3]


def plot_station(station: Station, ax: Axes | None = None, case: int = 0) -> dict[str, list[Any]]:
    """Draw the modules, hatches and leaks of a station as they are at t = 0.

    Each module is a square whose area is proportional to its volume, labelled with its name
    and volume. Hatches are lines between module centres: solid when open, dashed with a
    square when closed, with their scheduled closing or opening time if any. A leaking module
    has a thick vermillion edge and a star.

    Parameters
    ----------
    station : leaksim.station.Station
        The station to draw [-].
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. When None a new figure is created with pyplot [-].
    case : int, optional
        Case whose volumes and hatch states are drawn, for parameters given per case [-].

    Returns
    -------
    dict
        ``"modules"``: the squares (Rectangle), in the station's module order; ``"hatches"``:
        the hatch lines (Line2D), in the station's hatch order; ``"leaks"``: the leak markers
        (Line2D); ``"labels"``: the module labels (Text).

    Raises
    ------
    ValueError
        If ``case`` is not a case of the station's per-case parameters.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from leaksim.stations import iss_station
    >>> artists = plot_station(iss_station(), ax=Figure().subplots())
    >>> len(artists["modules"]), len(artists["hatches"])
    (15, 14)
    >>> [line.get_linestyle() for line in artists["hatches"]].count("--")  # the PrK hatch
    1
    """
    from matplotlib.patches import Rectangle

    centres = _layout(station)
    volumes = np.array([_case_value(m.si["volume"], case, "volume") for m in station.modules])
    sides = _LARGEST_SIDE * np.sqrt(volumes / volumes.max())
    leaking = {leak.module for leak in station.leaks}
    if ax is None:
        ax = new_axes()
    artists: dict[str, list[Any]] = {"modules": [], "hatches": [], "leaks": [], "labels": []}
    for i, module in enumerate(station.modules):
        (x, y), side = centres[i], sides[i]
        leaks = module.name in leaking
        square = Rectangle(
            (x - side / 2, y - side / 2),
            side,
            side,
            facecolor=COLOURS[5],
            alpha=1.0,
            edgecolor=_LEAK if leaks else "black",
            linewidth=3.0 if leaks else 1.0,
            zorder=2,
        )
        artists["modules"].append(ax.add_patch(square))
        text = f"{module.name}\n{ureg.Quantity(volumes[i], 'm**3'):.3g~P}"
        # A name does not fit in a small square: put it below.
        inside = side >= 0.5 * _LARGEST_SIDE
        ty, va = (y, "center") if inside else (y - side / 2 - 0.03, "top")
        artists["labels"].append(
            ax.text(x, ty, text, ha="center", va=va, fontsize="x-small", zorder=4)
        )
    artists["hatches"] = _draw_hatches(ax, station, centres, case)
    artists["leaks"] = _draw_leaks(ax, station, centres, sides)
    _finish(ax, station, centres)
    return artists


def _layout(station: Station) -> np.ndarray:
    """Centre of each module, shape (M, 2): a tree layout of the hatch graph.

    Each connected part is laid out from its most central module (the one with the fewest
    hatches to its farthest module) along a breadth-first spanning tree: depth downwards,
    leaves one column apart, each parent centred above its children; parts side by side.
    Hatches that close a loop are drawn between wherever their modules fall.
    """
    index = {name: i for i, name in enumerate(station.module_names)}
    neighbours: list[list[int]] = [[] for _ in station.modules]
    for hatch in station.hatches:
        a, b = (index[name] for name in hatch.between)
        neighbours[a].append(b)
        neighbours[b].append(a)
    centres = np.zeros((len(station.modules), 2))
    seen: set[int] = set()
    row = 0.0  # the next free column
    for start in range(len(station.modules)):
        if start in seen:
            continue
        part = list(_bfs_children(start, neighbours))
        seen.update(part)
        root = min(part, key=lambda m: len(_bfs_layers(m, neighbours)))
        children = _bfs_children(root, neighbours)
        row = _place(root, children, 0, row, centres) + 1.5
    return centres


def _bfs_children(root: int, neighbours: list[list[int]]) -> dict[int, list[int]]:
    """Children of each module of ``root``'s part in its breadth-first spanning tree."""
    children: dict[int, list[int]] = {root: []}
    queue = deque([root])
    while queue:
        m = queue.popleft()
        for n in neighbours[m]:
            if n not in children:
                children[n] = []
                children[m].append(n)
                queue.append(n)
    return children


def _bfs_layers(root: int, neighbours: list[list[int]]) -> list[list[int]]:
    """Modules by hatch distance from ``root``."""
    layers: list[list[int]] = []
    depth = {root: 0}
    queue = deque([root])
    while queue:
        m = queue.popleft()
        if depth[m] == len(layers):
            layers.append([])
        layers[depth[m]].append(m)
        for n in neighbours[m]:
            if n not in depth:
                depth[n] = depth[m] + 1
                queue.append(n)
    return layers


def _place(
    m: int, children: dict[int, list[int]], depth: int, row: float, centres: np.ndarray
) -> float:
    """Place ``m``'s subtree, depth downwards and leaves rightwards from column ``row``.

    Returns the column of its last leaf.
    """
    if not children[m]:
        centres[m] = (row * _PITCH, -depth * _PITCH)
        return row
    first = row
    for child in children[m]:
        row = _place(child, children, depth + 1, row, centres) + 1.0
    last = row - 1.0
    centres[m] = ((first + last) / 2 * _PITCH, -depth * _PITCH)
    return last


def _draw_hatches(ax: Axes, station: Station, centres: np.ndarray, case: int) -> list[Any]:
    index = {name: i for i, name in enumerate(station.module_names)}
    lines, labelled = [], set()
    for hatch in station.hatches:
        (xa, ya), (xb, yb) = (centres[index[name]] for name in hatch.between)
        is_open = bool(_case_value(hatch.si["open"], case, "open"))
        kind = "open hatch" if is_open else "closed hatch"
        (line,) = ax.plot(
            [xa, (xa + xb) / 2, xb],
            [ya, (ya + yb) / 2, yb],
            color=_OPEN if is_open else _CLOSED,
            linewidth=2.0,
            linestyle="-" if is_open else "--",
            marker="" if is_open else "s",
            markevery=[1],
            label="_nolegend_" if kind in labelled else kind,
            zorder=1,
        )
        labelled.add(kind)
        lines.append(line)
        note = _schedule(hatch, case)
        if note:
            ax.annotate(note, ((xa + xb) / 2, (ya + yb) / 2), fontsize="xx-small", zorder=4)
    return lines


def _schedule(hatch: Any, case: int) -> str:
    """``"closes at 10 min"`` for a hatch with a scheduled or triggered event."""
    parts = []
    for key, verb in (("close_at", "closes"), ("open_at", "opens")):
        if key in hatch.si:
            seconds = _case_value(hatch.si[key], case, key)
            if np.isfinite(seconds):
                unit = auto_time_unit(np.array([seconds]))
                parts.append(
                    f"{verb} at {ureg.Quantity(seconds, 's').m_as(unit):.3g} {symbol(unit)}"
                )
    if hatch.close_condition is not None:
        parts.append("closes on a trigger")
    return ", ".join(parts)


def _draw_leaks(ax: Axes, station: Station, centres: np.ndarray, sides: np.ndarray) -> list[Any]:
    markers = []
    for n, leak in enumerate(station.leaks):
        m = station.module_index(leak.module)
        (x, y), half = centres[m], sides[m] / 2
        (marker,) = ax.plot(
            [x + half],
            [y + half],
            linestyle="none",
            marker="*",
            markersize=14,
            color=_LEAK,
            markeredgecolor="black",
            label="leak" if n == 0 else "_nolegend_",
            zorder=5,
        )
        markers.append(marker)
    return markers


def _finish(ax: Axes, station: Station, centres: np.ndarray) -> None:
    margin = _PITCH * 0.6
    ax.set_xlim(centres[:, 0].min() - margin, centres[:, 0].max() + margin)
    ax.set_ylim(centres[:, 1].min() - margin, centres[:, 1].max() + margin)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"{station.name or 'station'} (square area proportional to module volume)")
    handles, _ = ax.get_legend_handles_labels()
    if handles:  # below the drawing, where it hides no module
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3)


def _case_value(value: Any, case: int, what: str) -> float:
    """The value of one case of a 0-d or per-case parameter."""
    array = np.atleast_1d(np.asarray(value, dtype=float))
    if array.size == 1:
        return float(array[0])
    if not 0 <= case < array.size:
        raise ValueError(f"case must be in 0..{array.size - 1} for {what}, got {case}")
    return float(array[case])
