"""The báo cáo tổng hợp as an .xlsx workbook (openpyxl): the same figures as the dashboard, ready to print on A4.

Three sheets, each headed by the title, the period (dd/mm/yyyy), the unit and the date it was made:
  Tổng hợp  the four figures and two rates, then the sub-units with a totals row;
  Cán bộ    the people with the same figures;
  Quá hạn   the overdue tasks with days late and who holds them.
Counts are numbers, rates are fractions shown in percent format, dates are real dates shown dd/mm/yyyy.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from server.dashboard.charts import bucket_label
from server.dashboard.services import Dashboard, Row
from server.kpi.services import Figures
from server.lib.i18n import format_date
from server.lib.i18n import gettext as _

DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FIGURE_KEYS = ("done_on_time", "done_late", "in_progress_on_time", "in_progress_overdue", "total",
               "completion_rate", "on_time_rate")


def period_label(kind: str) -> str:
    return {
        "week": _("Báo cáo tuần"),
        "month": _("Báo cáo tháng"),
        "quarter": _("Báo cáo quý"),
        "year": _("Báo cáo năm"),
        "custom": _("Báo cáo tổng hợp"),
    }.get(kind, _("Báo cáo tổng hợp"))


def figure_headers() -> list[str]:
    return [*(bucket_label(b) for b in FIGURE_KEYS[:4]), _("Tổng số"), _("Tỷ lệ hoàn thành"), _("Tỷ lệ đúng hạn")]


def _figure_values(f: Figures) -> list[Any]:
    return [f.done_on_time, f.done_late, f.in_progress_on_time, f.in_progress_overdue, f.total,
            f.completion_rate, f.on_time_rate]


def _heading(ws: Worksheet, data: Dashboard, subtitle: str, width: int) -> int:
    """Title, period, unit and date made; returns the next free row."""
    ws.append([_("BÁO CÁO TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ")])
    ws.append([f"{period_label(data.period.kind)} — {subtitle}"])
    ws.append([_("Kỳ báo cáo"), data.period.start, _("đến"), data.period.end])
    ws.append([_("Đơn vị"), data.scope.name])
    ws.append([_("Ngày lập"), data.today])
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].font = Font(italic=True)
    for cell in ("B3", "D3", "B5"):
        ws[cell].number_format = DATE_FORMAT
        ws[cell].alignment = Alignment(horizontal="left")
    for row in (3, 4, 5):
        ws.cell(row=row, column=1).font = Font(bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.merge_cells(start_row=4, start_column=2, end_row=4, end_column=width)
    return 7


def _table(ws: Worksheet, first_row: int, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           formats: Sequence[str | None], total: Sequence[Any] | None = None) -> int:
    """A bordered table with a header row (and a totals row); returns the next free row."""
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=first_row, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = BORDER
    r = first_row
    for r, values in enumerate([*rows, *([total] if total else [])], start=first_row + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border = BORDER
            if formats[col - 1]:
                cell.number_format = formats[col - 1]
            if total is not None and values is total:
                cell.font = Font(bold=True)
                cell.fill = TOTAL_FILL
    return r + 2


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _page(ws: Worksheet, header_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_title_rows = f"{header_row}:{header_row}"


FIGURE_FORMATS = [COUNT_FORMAT] * 5 + [PERCENT_FORMAT] * 2


def unit_table_rows(data: Dashboard) -> list[Row]:
    """The sub-unit rows, with the tasks the unit leads itself as a row of its own so that they sum to the total."""
    rows = list(data.units)
    if data.own is not None:
        rows.insert(0, Row("own", data.own.id, _("{name} (trực tiếp chủ trì)", name=data.own.name), data.own.figures))
    return rows


def build_workbook(data: Dashboard) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = _("Tổng hợp")[:31]
    width = 9
    row = _heading(summary, data, _("Tổng hợp"), width)
    # The scope's figures.
    summary.cell(row=row, column=1, value=_("Số liệu chung")).font = Font(bold=True, size=12)
    row = _table(summary, row + 1, [_("Chỉ tiêu"), _("Giá trị")],
                 [[h, v] for h, v in zip(figure_headers(), _figure_values(data.totals), strict=True)],
                 [None, None])
    for r in range(row - 3, row - 1):  # the two rates
        summary.cell(row=r, column=2).number_format = PERCENT_FORMAT
    # The sub-units.
    summary.cell(row=row, column=1, value=_("Theo đơn vị")).font = Font(bold=True, size=12)
    units = unit_table_rows(data)
    header_row = row + 1
    row = _table(
        summary, header_row, [_("STT"), _("Đơn vị"), *figure_headers()],
        [[i, r.name, *_figure_values(r.figures)] for i, r in enumerate(units, start=1)],
        [None, None, *FIGURE_FORMATS],
        total=["", _("Tổng cộng"), *_figure_values(data.totals)],
    )
    _widths(summary, [32, 34, 13, 13, 13, 13, 10, 12, 12])
    summary.column_dimensions["A"].width = 32
    _page(summary, header_row)

    people = wb.create_sheet(_("Cán bộ")[:31])
    row = _heading(people, data, _("Theo cán bộ"), 10)
    _table(
        people, row, [_("STT"), _("Người thực hiện"), _("Đơn vị"), *figure_headers()],
        [[i, r.name, r.unit_name, *_figure_values(r.figures)] for i, r in enumerate(data.people, start=1)],
        [None, None, None, *FIGURE_FORMATS],
    )
    _widths(people, [12, 28, 30, 13, 13, 13, 13, 10, 12, 12])
    _page(people, row)

    overdue = wb.create_sheet(_("Quá hạn")[:31])
    row = _heading(overdue, data, _("Nhiệm vụ đang thực hiện quá hạn"), 7)
    _table(
        overdue, row, [_("STT"), _("Nhiệm vụ"), _("Đơn vị chủ trì"), _("Người thực hiện"), _("Hạn xử lý"),
                       _("Số ngày trễ"), _("Mã")],
        [[i, t["title"], t["unit_name"], ", ".join(t["holders"]), t["deadline"], t["days_late"], t["id"]]
         for i, t in enumerate(data.overdue, start=1)],
        [None, None, None, None, DATE_FORMAT, COUNT_FORMAT, None],
        total=[_("Tổng cộng"), len(data.overdue), "", "", "", "", ""],
    )
    for r in range(row + 1, overdue.max_row + 1):
        overdue.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(overdue, [12, 50, 28, 26, 12, 10, 10])
    _page(overdue, row)

    wb.properties.title = f"{_('Báo cáo tổng hợp')} {format_date(data.period.start)}–{format_date(data.period.end)}"
    wb.properties.creator = "dieuhanh"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(data: Dashboard) -> str:
    return f"bao-cao-tong-hop-{data.period.kind}-{data.period.start.isoformat()}-{data.period.end.isoformat()}.xlsx"
