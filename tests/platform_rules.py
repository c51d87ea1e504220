"""The rules for native charts that can be checked offline: Slack's data visualization block
and Microsoft Teams' Adaptive Card chart elements (as documented by each platform)."""

from __future__ import annotations

from typing import Any

SLACK_CHART_TYPES = {"bar", "line", "area", "pie"}
TEAMS_SERIES_CHARTS = {"Chart.VerticalBar.Grouped", "Chart.Line"}
TEAMS_POINT_CHARTS = {"Chart.VerticalBar", "Chart.HorizontalBar"}
TEAMS_FALLBACKS = {"Image", "TextBlock", "Container", "drop"}


def slack_message_errors(blocks: list[dict[str, Any]]) -> list[str]:
    """What Slack would refuse in a message's blocks, as far as charts go."""
    charts = [b for b in blocks if b.get("type") == "data_visualization"]
    errors = ["more than two data visualization blocks"] if len(charts) > 2 else []
    for chart in charts:
        errors += slack_chart_errors(chart)
    return errors


def slack_chart_errors(block: dict[str, Any]) -> list[str]:
    errors = []
    title = block.get("title")
    if not isinstance(title, str) or not 0 < len(title) <= 50:
        errors.append(f"title must be 1-50 characters: {title!r}")
    chart = block.get("chart") or {}
    if chart.get("type") not in SLACK_CHART_TYPES:
        return [*errors, f"unknown chart type {chart.get('type')!r}"]
    if chart["type"] == "pie":
        return errors
    axis = chart.get("axis_config") or {}
    categories = axis.get("categories") or []
    if not 1 <= len(categories) <= 20:
        errors.append("1-20 categories")
    errors += [f"category over 20 characters: {c!r}" for c in categories if len(c) > 20]
    if len(set(categories)) != len(categories):
        errors.append("categories must be unique")
    for label in ("x_label", "y_label"):
        if label in axis and len(axis[label]) > 50:
            errors.append(f"{label} over 50 characters")
    series = chart.get("series") or []
    if not 1 <= len(series) <= 6:
        errors.append("1-6 series")
    names = [s.get("name", "") for s in series]
    if len(set(names)) != len(names):
        errors.append("series names must be unique")
    for one in series:
        if not 0 < len(one.get("name", "")) <= 20:
            errors.append(f"series name must be 1-20 characters: {one.get('name')!r}")
        labels = [point.get("label") for point in one.get("data") or []]
        if labels != categories:
            errors.append(f"series {one.get('name')!r}: one point per category, in order")
        if any(not isinstance(point.get("value"), int | float) for point in one["data"]):
            errors.append("values must be numbers")
    return errors


def teams_chart_errors(element: dict[str, Any]) -> list[str]:
    kind = element.get("type")
    errors = []
    if kind in TEAMS_POINT_CHARTS:
        points = element.get("data") or []
    elif kind in TEAMS_SERIES_CHARTS:
        series = element.get("data") or []
        if not series or any("legend" not in s for s in series):
            errors.append("every series needs a legend")
        points = [p for s in series for p in s.get("values") or []]
    else:
        return [f"not a chart element: {kind!r}"]
    if not points:
        errors.append("no data")
    for point in points:
        if set(point) - {"x", "y", "color"} or not isinstance(point.get("y"), int | float):
            errors.append(f"a point is {{x, y}} with a number y: {point!r}")
    fallback = element.get("fallback")
    if fallback is not None and (fallback if isinstance(fallback, str)
                                 else fallback.get("type")) not in TEAMS_FALLBACKS:
        errors.append(f"fallback must be an element such as Image or TextBlock: {fallback!r}")
    return errors
