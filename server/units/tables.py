from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Text, Varchar
from piccolo.table import Table


class UnitKind(str, Enum):
    province = "province"
    district = "district"
    commune = "commune"
    department = "department"
    subunit = "subunit"


class Unit(Table, tablename="units"):
    """A node of the unit tree. `path` ("/1/4/9/") makes a subtree one indexed LIKE query."""

    name = Varchar(length=255)
    code = Varchar(length=64, unique=True)
    kind = Varchar(length=32, choices=UnitKind, default=UnitKind.department.value)
    parent = ForeignKey(references="self", null=True, index=True)
    path = Varchar(length=512, default="", index=True)
    active = Boolean(default=True)
    search_text = Text(default="")
