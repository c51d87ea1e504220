"""Charts as PNG images (matplotlib, headless)."""

from __future__ import annotations

import io
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def barrier_chart(titles: Mapping[int, str], scores: Mapping[int, int],
                  previous: Mapping[int, int] | None, profile: int, labels: tuple[str, str],
                  title: str) -> bytes:
    """Horizontal bars 0..100 per challenge; the profile's bar stands out; the previous scan
    (if any) is shown as markers. ``labels`` = (legend now, legend previous)."""
    numbers = sorted(scores)
    figure: Figure = plt.figure(figsize=(8, 4.8), dpi=100)
    try:
        axes = figure.add_subplot()
        positions = list(range(len(numbers)))[::-1]
        colours = ["#d9534f" if n == profile else "#5b8def" for n in numbers]
        axes.barh(positions, [scores[n] for n in numbers], color=colours, label=labels[0])
        if previous:
            axes.scatter([previous.get(n, 0) for n in numbers], positions, color="#333333",
                         marker="|", s=300, linewidths=2, label=labels[1], zorder=3)
            axes.legend(loc="lower right", fontsize=8)
        axes.set_yticks(positions, [f"{n}. {_short(titles[n])}" for n in numbers], fontsize=8)
        axes.set_xlim(0, 100)
        axes.set_title(title, fontsize=11)
        for position, number in zip(positions, numbers, strict=True):
            axes.text(min(scores[number] + 1, 92), position, str(scores[number]),
                      va="center", fontsize=8)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
