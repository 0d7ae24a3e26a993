"""Charts drawn on the server as plain SVG: no JavaScript, a few hundred bytes, readable on a 390 px phone.

The week-by-week trend: a stacked bar per week (the four buckets) and two lines (completion and on-time rate,
on a 0-100 % scale at the right). Colours keep the same meaning everywhere on the dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from server.dashboard.services import Week
from server.lib.i18n import format_number, format_percent
from server.lib.i18n import gettext as _

COLOURS = {
    "done_on_time": "#2e7d32",
    "done_late": "#9ccc65",
    "in_progress_on_time": "#64b5f6",
    "in_progress_overdue": "#d32f2f",
    "completion_rate": "#37474f",
    "on_time_rate": "#ef6c00",
}
BAR_ORDER = ("done_on_time", "done_late", "in_progress_on_time", "in_progress_overdue")


def bucket_label(bucket: str) -> str:
    return {
        "done_on_time": _("Hoàn thành đúng hạn"),
        "done_late": _("Hoàn thành quá hạn (Trễ hạn)"),
        "in_progress_on_time": _("Đang thực hiện trong hạn"),
        "in_progress_overdue": _("Đang thực hiện quá hạn"),
        "completion_rate": _("Tỷ lệ hoàn thành"),
        "on_time_rate": _("Tỷ lệ đúng hạn"),
    }[bucket]


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    for step in (1, 2, 2.5, 5):
        for power in range(0, 9):
            candidate = int(step * 10**power)
            if candidate >= value:
                return candidate
    return value


def trend_svg(weeks: Sequence[Week], *, width: int = 360, height: int = 200) -> str:
    """The trend as an inline <svg>; it scales to its container's width (viewBox), so it fits any screen."""
    left, right, top, bottom = 30, 30, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(weeks))
    slot = plot_w / n
    bar_w = max(1.5, slot * 0.7)
    peak = _nice_max(max((w.figures.total for w in weeks), default=0))
    title = _("Xu hướng theo tuần")
    parts = [
        f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" aria-labelledby="trend-title"'
        f' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" font-size="10"'
        ' font-family="system-ui, sans-serif">',
        f'<title id="trend-title">{escape(title)}</title>',
    ]
    # Grid and axes: counts at the left, rates at the right.
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        tick = format_number(round(peak * i / 4))
        parts.append(f'<text x="{left - 3}" y="{y + 3:.1f}" text-anchor="end" fill="#555">{tick}</text>')
        parts.append(f'<text x="{left + plot_w + 3}" y="{y + 3:.1f}" fill="#555">{25 * i}%</text>')
    label_every = max(1, -(-n // 6))
    lines: dict[str, list[str]] = {"completion_rate": [], "on_time_rate": []}
    for i, week in enumerate(weeks):
        f = week.figures
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        tip = (
            f"{week.start.strftime('%d/%m')}–{week.end.strftime('%d/%m/%Y')}: "
            + ", ".join(f"{bucket_label(b)} {format_number(getattr(f, b))}" for b in BAR_ORDER)
            + f"; {bucket_label('completion_rate')} {format_percent(f.completion_rate)}"
            + f"; {bucket_label('on_time_rate')} {format_percent(f.on_time_rate)}"
        )
        parts.append(f"<g><title>{escape(tip)}</title>")
        for bucket in BAR_ORDER:
            value = getattr(f, bucket)
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS[bucket]}"/>'
            )
        parts.append("</g>")
        cx = left + slot * i + slot / 2
        for rate in lines:
            value = getattr(f, rate)
            if value is not None:
                lines[rate].append(f"{cx:.1f},{top + plot_h - plot_h * value:.1f}")
        if i % label_every == 0:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - 10}" text-anchor="middle" fill="#333">'
                f"{week.start.strftime('%d/%m')}</text>"
            )
    for rate, points in lines.items():
        if len(points) > 1:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{COLOURS[rate]}" stroke-width="2"'
                ' stroke-linejoin="round"/>'
            )
        for point in points:
            px, py = point.split(",")
            parts.append(f'<circle cx="{px}" cy="{py}" r="2.5" fill="{COLOURS[rate]}"/>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#666"/>')
    parts.append("</svg>")
    return "".join(parts)


def rate_bar_svg(rate: float | None, colour: str, *, width: int = 100, height: int = 8) -> str:
    """A thin horizontal bar for a rate, beside the number in a table."""
    filled = 0 if rate is None else width * max(0.0, min(1.0, rate))
    return (
        f'<svg class="ratebar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-hidden="true"'
        ' xmlns="http://www.w3.org/2000/svg">'
        f'<rect width="{width}" height="{height}" fill="#eee"/>'
        f'<rect width="{filled:.1f}" height="{height}" fill="{colour}"/></svg>'
    )
