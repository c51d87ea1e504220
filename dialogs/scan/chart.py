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

from dialogs.kit import ChartBlock, DataSeries, Rich, plain
from engine.scan_chart import ScanChart, number_text
from knowledge.base import Text

STRONG, NORMAL, MARKER = "#d9534f", "#5b8def", "#333333"
#: older rounds lighter, the newest darkest
ROUND_COLOURS = ("#c6d4ea", "#8fa9d6", "#5b8def", "#1f3f8f")


def draw(chart: ScanChart, lang: str,
         spread: tuple[Text, list[tuple[float, float]]] | None = None) -> bytes:
    """The chart as a PNG image, its texts in ``lang``; ``spread`` (a trend chart): its name
    and the lowest and highest score per challenge of the newest round, drawn as a line
    through that round's bar."""
    figure: Figure = plt.figure(figsize=(8, 5.2), dpi=100)
    try:
        axes = figure.add_subplot()
        positions = list(range(len(chart.challenges)))[::-1]
        if chart.kind == "bars":
            _bars(axes, chart, positions, lang)
        else:
            _rounds(axes, chart, positions, lang, spread)
        labels = [f"{n}. {_short(label.get(lang))}"
                  for n, label in zip(chart.challenges, chart.labels, strict=True)]
        axes.set_yticks(positions, labels, fontsize=8)
        axes.set_xlim(0, chart.maximum)
        axes.set_xlabel(chart.axis.get(lang), fontsize=8)
        axes.set_title(chart.title.get(lang), fontsize=11)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
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
        _legend(axes)


def _legend(axes: Axes) -> None:
    """Below the chart: the bars may reach any width."""
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8,
                frameon=False)


def _rounds(axes: Axes, chart: ScanChart, positions: list[int], lang: str,
            spread: tuple[Text, list[tuple[float, float]]] | None) -> None:
    count = max(len(chart.series), 1)
    height = 0.8 / count
    for index, series in enumerate(chart.series):
        offset = (count - 1 - index) * height - 0.4 + height / 2
        colour = ROUND_COLOURS[(index - count) % len(ROUND_COLOURS)]
        axes.barh([p + offset for p in positions], series.values, height=height, color=colour,
                  label=series.name.get(lang))
    if spread is not None and chart.series:
        newest = [p - 0.4 + height / 2 for p in positions]
        axes.hlines(newest, [low for low, _ in spread[1]], [high for _, high in spread[1]],
                    colors=STRONG, linewidth=2, label=spread[0].get(lang), zorder=3)
    if chart.series:
        _legend(axes)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart_block(chart: ScanChart, lang: str, png: bytes, *, alt: Rich | None = None,
                name: str = "scan.png") -> ChartBlock:
    """The chart for every channel: drawn natively where the platform can (Slack, Teams), the
    PNG elsewhere; one bar group per challenge, numbered as in the action library."""
    return ChartBlock(
        kind="bar", title=chart.title.get(lang), axis=chart.axis.get(lang),
        categories=[f"{n}. {label.get(lang)}" for n, label in zip(chart.challenges, chart.labels,
                                                                   strict=True)],
        series=[DataSeries(name=s.name.get(lang), values=s.values) for s in chart.series],
        maximum=chart.maximum, alt=alt or plain(chart.alt.get(lang)), png=png, name=name,
        lang=lang)
