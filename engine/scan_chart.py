"""Chart data for the scan, in one place: what a channel needs to draw the chart natively or
as an image (labels, values, title, axis and alt text in every language). No drawing here.

* ``result_chart``: one bar per challenge with its barrier score; optionally the previous scan
  as a second series; ``emphasis`` names the profile or the tied challenges.
* ``trend_chart``: a team's rounds x challenges (one series per shown round, its means).
  Hidden rounds (fewer than ``MIN_GROUP`` respondents) carry no numbers and are left out; the
  alt text says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from engine.scan import ScanResult
from engine.scan_team import MIN_GROUP, TeamRound
from knowledge.actions import ActionLibrary
from knowledge.base import LANGS, Text
from knowledge.messages import t


class ChartSeries(BaseModel):
    name: Text
    values: list[float]


class ScanChart(BaseModel):
    kind: Literal["bars", "trend"]
    title: Text
    alt: Text = Field(description="describes the chart and its figures, for screen readers")
    axis: Text = Field(description="the value axis")
    challenges: list[int] = Field(description="challenge numbers, in label order")
    labels: list[Text] = Field(description="challenge titles as in the action library")
    series: list[ChartSeries]
    emphasis: list[int] = Field(default_factory=list, description="challenges that stand out")
    maximum: int = 100

    @model_validator(mode="after")
    def _aligned(self) -> ScanChart:
        if len(self.labels) != len(self.challenges):
            raise ValueError("one label per challenge")
        for series in self.series:
            if len(series.values) != len(self.challenges):
                raise ValueError("every series has one value per challenge")
        return self


def texts(code: str, **params: object) -> Text:
    """The message ``code`` in every language."""
    return Text(**{lang: t(lang, code, **params) for lang in LANGS})


def each_language(render: Callable[[str], str]) -> Text:
    return Text(**{lang: render(lang) for lang in LANGS})


def number_text(value: float, lang: str) -> str:
    shown = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return shown.replace(".", ",") if lang == "nl" else shown


def values_text(challenges: Sequence[int], values: Sequence[float], lang: str) -> str:
    return "; ".join(f"{n}: {number_text(v, lang)}"
                     for n, v in zip(challenges, values, strict=True))


def _labels(library: ActionLibrary, challenges: Sequence[int]) -> list[Text]:
    return [library.challenge(n).title for n in challenges]


def _verdict(result: ScanResult, lang: str) -> str:
    if result.flat:
        return t(lang, "scan.chart.verdict_flat")
    if result.tied:
        return t(lang, "scan.chart.verdict_tied", challenges=", ".join(map(str, result.tied)))
    return t(lang, "scan.chart.verdict_profile", challenge=result.profile)


def _titled(code: str, team: str) -> Text:
    return texts(f"{code}_team", team=team) if team else texts(code)


def result_chart(result: ScanResult, library: ActionLibrary, *, team: str = "",
                 previous: Mapping[int, int] | None = None) -> ScanChart:
    """Bars for one scan result, with the previous scan of the team as a second series."""
    challenges = sorted(result.scores)
    values = [float(result.scores[n]) for n in challenges]
    series = [ChartSeries(name=texts("scan.chart.series_now"), values=values)]
    if previous is not None:
        series.append(ChartSeries(name=texts("scan.chart.series_before"),
                                  values=[float(previous.get(n, 0)) for n in challenges]))
    alt = each_language(lambda lang: t(lang, "scan.chart.result_alt",
                                       values=values_text(challenges, values, lang),
                                       verdict=_verdict(result, lang)))
    emphasis = [result.profile] if result.profile is not None else list(result.tied)
    return ScanChart(kind="bars", title=_titled("scan.chart.result_title", team), alt=alt,
                     axis=texts("scan.chart.axis"), challenges=challenges,
                     labels=_labels(library, challenges), series=series, emphasis=emphasis)


RoundLabel = str | Text


def _label(label: RoundLabel) -> Text:
    return label if isinstance(label, Text) else Text(nl=label, en=label)


def _trend_alt(shown: Sequence[tuple[Text, TeamRound]], hidden: Sequence[Text],
               challenges: Sequence[int], lang: str) -> str:
    parts = [t(lang, "scan.chart.trend_alt", count=len(shown))]
    for label, round_ in shown:
        means = round_.means()
        name = label.get(lang)
        parts.append(t(lang, "scan.chart.trend_round", round=name[:1].upper() + name[1:],
                       values=values_text(challenges, [means[n] for n in challenges], lang)))
    if hidden:
        parts.append(t(lang, "scan.chart.trend_hidden", minimum=MIN_GROUP,
                       rounds=", ".join(label.get(lang) for label in hidden)))
    return " ".join(parts)


def trend_chart(rounds: Sequence[tuple[RoundLabel, TeamRound]], library: ActionLibrary, *,
                team: str = "") -> ScanChart:
    """Rounds (label such as a date, round) oldest first -> one series of means per shown
    round; hidden rounds are named in the alt text only."""
    challenges = [c.number for c in library.challenges]
    shown = [(_label(label), r) for label, r in rounds if not r.hidden]
    hidden = [_label(label) for label, r in rounds if r.hidden]
    series = [ChartSeries(name=label, values=[r.means()[n] for n in challenges])
              for label, r in shown]
    alt = each_language(lambda lang: _trend_alt(shown, hidden, challenges, lang))
    return ScanChart(kind="trend", title=_titled("scan.chart.trend_title", team), alt=alt,
                     axis=texts("scan.chart.axis_mean"), challenges=challenges,
                     labels=_labels(library, challenges), series=series)
