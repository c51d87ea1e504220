"""The scan's charts as PNG images (matplotlib, headless), drawn from the engine's chart data
(:mod:`engine.scan_chart`): bars for one result (the previous scan as markers), grouped bars
for the rounds of a team scan."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from engine.scan_chart import ScanChart, number_text

STRONG, NORMAL, MARKER = "#d9534f", "#5b8def", "#333333"
ROUND_COLOURS = ("#b0c4de", "#5b8def", "#1f3f8f", "#0b1f4f")


def draw(chart: ScanChart, lang: str) -> bytes:
    """The chart as a PNG image, its texts in ``lang``."""
    figure: Figure = plt.figure(figsize=(8, 4.8), dpi=100)
    try:
        axes = figure.add_subplot()
        positions = list(range(len(chart.challenges)))[::-1]
        if chart.kind == "bars":
            _bars(axes, chart, positions, lang)
        else:
            _rounds(axes, chart, positions, lang)
        labels = [f"{n}. {_short(label.get(lang))}"
                  for n, label in zip(chart.challenges, chart.labels, strict=True)]
        axes.set_yticks(positions, labels, fontsize=8)
        axes.set_xlim(0, chart.maximum)
        axes.set_xlabel(chart.axis.get(lang), fontsize=8)
        axes.set_title(chart.title.get(lang), fontsize=11)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _bars(axes: Axes, chart: ScanChart, positions: list[int], lang: str) -> None:
    now = chart.series[0]
    colours = [STRONG if n in chart.emphasis else NORMAL for n in chart.challenges]
    axes.barh(positions, now.values, color=colours, label=now.name.get(lang))
    for position, value in zip(positions, now.values, strict=True):
        axes.text(min(value + 1, chart.maximum - 8), position, number_text(value, lang),
                  va="center", fontsize=8)
    if len(chart.series) > 1:
        before = chart.series[1]
        axes.scatter(before.values, positions, color=MARKER, marker="|", s=300, linewidths=2,
                     label=before.name.get(lang), zorder=3)
        axes.legend(loc="lower right", fontsize=8)


def _rounds(axes: Axes, chart: ScanChart, positions: list[int], lang: str) -> None:
    count = max(len(chart.series), 1)
    height = 0.8 / count
    for index, series in enumerate(chart.series):
        offset = (count - 1 - index) * height - 0.4 + height / 2
        colour = ROUND_COLOURS[(index - count) % len(ROUND_COLOURS)]
        axes.barh([p + offset for p in positions], series.values, height=height, color=colour,
                  label=series.name.get(lang))
    if chart.series:
        axes.legend(loc="lower right", fontsize=8)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
