from piccolo.columns import Boolean, Date, Varchar
from piccolo.table import Table


class CalendarDay(Table, tablename="calendar_days"):
    """A day that breaks the weekly rule: a public holiday (or day in lieu) off, or a weekend day worked."""

    day = Date(unique=True)
    name = Varchar(length=255)
    is_working_day = Boolean(default=False)
