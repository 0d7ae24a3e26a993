"""The demo commune: UBND xã Hoài Hương with six months of work, for `make run` and for showing the product.

`seed_demo()` loads it into a database that has no units yet (and does nothing otherwise). The unit tree
goes through `create_unit`; everything else is written directly to the tables, because the real services
stamp every row with "now" and the demo needs a believable past: directives issued months ago, tasks
assigned, reported on from the field (some offline), submitted, returned, approved late or on time,
extended, cancelled. The rows follow the same rules as the services (see server/tasks/services.py):
`completed_at` is the time of the submission the leader approved, `deadline` is the last approved one
with its history in TaskDeadline, `version` counts the writes that bump it, and the history shown on
screens is the TaskEvent rows in id order.

A fixed random seed makes the demo the same every time, relative to today's date: the history ends at the
last midnight in Vietnam, and deadlines fall before, on and after today. The whole commune is planned in
memory first (`DemoBuilder`, pure apart from the ids it is given) and written in one transaction.

Every account shares the password DEMO_PASSWORD and is marked `is_demo`, so a production server refuses
to start while one of them is active (server/cli.py).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from server.audit import services as audit
from server.demo_reports import seed_portal_demo
from server.directives.tables import Directive
from server.holidays.services import WorkCalendar, ensure_holidays_seeded, load_calendar
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.vn_text import fold
from server.people.tables import Person
from server.tasks.tables import (
    ExtensionRequest,
    ProgressReport,
    Task,
    TaskAssignee,
    TaskCoordinatingUnit,
    TaskDeadline,
    TaskEvent,
)
from server.units.services import create_unit
from server.units.tables import Unit

DEMO_PASSWORD = "dieuhanh-demo"
SEED = 2026
SEED_ACTION = "demo.seed"
SEED_ACTOR_NAME = "Dữ liệu mẫu (demo)"
JURISDICTION = "UBND xã Hoài Hương"
MAIN_ACCOUNTS = ("admin", "lanhdao", "truongphong", "canbo", "tiepnhan")

H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)
VN = clock.VN_TZ

# fmt: off

# ---------------------------------------------------------------- the commune as data

# (key, code, name, kind, parent key): a commune after the 2025 reform of local government.
UNITS: list[tuple[str, str, str, str, str | None]] = [
    ("HH", "HH", "UBND xã Hoài Hương", "commune", None),
    ("VP", "HH-VP", "Văn phòng HĐND và UBND", "department", "HH"),
    ("KT", "HH-KT", "Phòng Kinh tế", "department", "HH"),
    ("DCXD", "HH-KT-DCXD", "Tổ Địa chính - Xây dựng", "subunit", "KT"),
    ("TNMT", "HH-KT-TNMT", "Tổ Tài nguyên - Môi trường", "subunit", "KT"),
    ("VHXH", "HH-VHXH", "Phòng Văn hóa - Xã hội", "department", "HH"),
    ("VHTT", "HH-VHXH-VHTT", "Tổ Văn hóa - Thông tin", "subunit", "VHXH"),
    ("TTHCC", "HH-TTHCC", "Trung tâm Phục vụ hành chính công", "department", "HH"),
    ("CA", "HH-CA", "Công an xã", "department", "HH"),
    ("QS", "HH-QS", "Ban Chỉ huy Quân sự xã", "department", "HH"),
]

# (username, full name, title, role, unit key): the accounts the README and `demo-logins` name.
NAMED_PEOPLE: list[tuple[str, str, str, str, str]] = [
    ("admin", "Trần Minh Khoa", "Công chức Văn phòng - Thống kê, quản trị hệ thống", "admin", "HH"),
    ("lanhdao", "Lê Văn Hùng", "Chủ tịch UBND xã", "leader", "HH"),
    ("truongphong", "Huỳnh Tấn Phát", "Trưởng phòng Kinh tế", "unit_head", "KT"),
    ("canbo", "Đặng Quốc Bảo", "Công chức Địa chính - Xây dựng", "officer", "DCXD"),
    ("tiepnhan", "Trần Thị Ngọc Ánh", "Công chức tiếp nhận và trả kết quả", "receptionist", "TTHCC"),
]
VICE_CHAIRS: list[tuple[str, str]] = [
    ("Phạm Thị Thu Hà", "Phó Chủ tịch UBND xã, phụ trách khối kinh tế"),
    ("Võ Đức Thắng", "Phó Chủ tịch UBND xã, phụ trách khối văn hóa - xã hội"),
]
HEAD_TITLES: dict[str, str] = {
    "VP": "Chánh Văn phòng HĐND và UBND",
    "DCXD": "Tổ trưởng Tổ Địa chính - Xây dựng",
    "TNMT": "Tổ trưởng Tổ Tài nguyên - Môi trường",
    "VHXH": "Trưởng phòng Văn hóa - Xã hội",
    "VHTT": "Tổ trưởng Tổ Văn hóa - Thông tin",
    "TTHCC": "Phó Giám đốc Trung tâm Phục vụ hành chính công",
    "CA": "Trưởng Công an xã",
    "QS": "Chỉ huy trưởng Ban Chỉ huy Quân sự xã",
}
# unit key -> (how many officers besides the named ones, their titles in turn)
OFFICERS: dict[str, tuple[int, list[str]]] = {
    "VP": (6, ["Chuyên viên tổng hợp", "Công chức Văn phòng - Thống kê", "Công chức Tư pháp - Hộ tịch",
               "Chuyên viên Nội vụ", "Văn thư - Lưu trữ", "Chuyên viên Thi đua - Khen thưởng"]),
    "KT": (4, ["Công chức Tài chính - Kế toán", "Chuyên viên Kinh tế - Kế hoạch", "Chuyên viên Nông nghiệp",
               "Chuyên viên Giao thông - Thủy lợi"]),
    "DCXD": (4, ["Công chức Địa chính - Xây dựng", "Chuyên viên Quản lý trật tự xây dựng",
                 "Chuyên viên Quản lý đất đai", "Công chức Địa chính - Xây dựng"]),
    "TNMT": (5, ["Công chức Tài nguyên - Môi trường", "Chuyên viên Môi trường", "Chuyên viên Tài nguyên nước",
                 "Công chức Tài nguyên - Môi trường", "Chuyên viên Môi trường"]),
    "VHXH": (4, ["Công chức Văn hóa - Xã hội", "Chuyên viên Lao động - Thương binh và Xã hội",
                 "Chuyên viên Y tế - Dân số", "Chuyên viên Giáo dục"]),
    "VHTT": (3, ["Chuyên viên Văn hóa - Thông tin", "Chuyên viên Chuyển đổi số", "Phụ trách Đài truyền thanh xã"]),
    "TTHCC": (4, ["Công chức tiếp nhận và trả kết quả", "Chuyên viên Kiểm soát thủ tục hành chính",
                  "Công chức tiếp nhận và trả kết quả", "Chuyên viên Một cửa"]),
    "CA": (5, ["Phó Trưởng Công an xã", "Cán bộ Công an xã", "Cán bộ Công an xã", "Cán bộ Công an xã",
               "Phó Trưởng Công an xã"]),
    "QS": (3, ["Phó Chỉ huy trưởng Ban Chỉ huy Quân sự xã", "Trợ lý Quân sự", "Trợ lý Quân sự"]),
}

FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm"] * 2 + ["Huỳnh"] * 2 + [
    "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Trương", "Đinh", "Lâm", "Mai", "Đoàn", "Tô"]
MIDDLE_MALE = ["Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Ngọc", "Tấn", "Trọng"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Hồng", "Mỹ", "Bích", "Phương"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Huy", "Khánh", "Long", "Nam", "Nghĩa",
              "Phong", "Phúc", "Quang", "Sơn", "Tâm", "Thành", "Tiến", "Trung", "Tuấn", "Việt", "Vinh", "Lộc",
              "Tài", "Toàn", "Kiên", "Hưng", "Đông", "Nhân"]
GIVEN_FEMALE = ["Chi", "Dung", "Giang", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Lan", "Linh", "Loan", "Mai",
                "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thúy", "Trang", "Trinh",
                "Uyên", "Vân", "Yến", "Nhi", "Huyền"]

# The commune's villages, each with a centre for the GPS of field reports (around 14.5 N, 109.0 E).
VILLAGES: dict[str, tuple[float, float]] = {
    "Ngọc An Đông": (14.5121, 109.0412), "Ngọc An Trung": (14.5063, 109.0330),
    "Ngọc An Tây": (14.5008, 109.0214), "Thạnh Xuân": (14.4872, 109.0121),
    "Thạnh Xuân Đông": (14.4925, 109.0283), "Tân Thành": (14.4781, 108.9968),
    "Lương Thọ": (14.4684, 108.9853), "Phụng Du": (14.5232, 109.0061),
    "Bình Chương": (14.5349, 108.9921), "Trung Lương": (14.4970, 108.9764),
}
COMMUNE_CENTRE = (14.5003, 109.0052)


@dataclass(frozen=True)
class T:
    """A task template: title (may hold {thon}, {year}, {month}), lead unit key, a short topic for the
    subtasks' titles, whether the work is in the field (GPS), coordinating units, priority."""

    title: str
    unit: str
    topic: str
    in_field: bool = False
    coord: tuple[str, ...] = ()
    priority: str = "normal"


@dataclass(frozen=True)
class D:
    """A directive: days before today, kind, number, title, summary, signer (chair/econ/social), how many
    top-level tasks come from it, and their templates."""

    days_ago: int
    kind: str
    number: str
    label: str
    title: str
    summary: str
    signer: str
    count: int
    tasks: tuple[T, ...]


DIRECTIVES: list[D] = [
    D(172, "document", "05/CT-UBND", "Chỉ thị số 05/CT-UBND",
      "Chỉ thị về tăng cường quản lý trật tự xây dựng trên địa bàn xã",
      "Yêu cầu các phòng, ban và thôn kiểm tra, phát hiện, ngăn chặn kịp thời các công trình xây dựng không "
      "phép, sai phép, lấn chiếm đất công; xử lý dứt điểm các vi phạm tồn đọng; định kỳ báo cáo hằng tháng.",
      "chair", 13, (
          T("Rà soát, thống kê các công trình xây dựng không phép, sai phép tại thôn {thon}", "DCXD",
            "trật tự xây dựng", True, ("CA",)),
          T("Kiểm tra, xử lý dứt điểm công trình lấn chiếm đất công tại thôn {thon}", "KT",
            "lấn chiếm đất công", True, ("CA",), "high"),
          T("Tuyên truyền quy định về cấp phép xây dựng nhà ở riêng lẻ trên hệ thống truyền thanh xã", "VHTT",
            "tuyên truyền cấp phép xây dựng"),
          T("Phối hợp kiểm tra trật tự xây dựng dọc Quốc lộ 1 đoạn qua thôn {thon}", "CA",
            "trật tự xây dựng dọc Quốc lộ 1", True, ("DCXD",)),
          T("Lập hồ sơ xử phạt vi phạm hành chính về xây dựng đối với các trường hợp đã lập biên bản", "DCXD",
            "xử phạt vi phạm xây dựng"),
      )),
    D(160, "document", "42/KH-UBND", "Kế hoạch số 42/KH-UBND",
      "Kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn năm {year}",
      "Chủ động phòng, chống thiên tai theo phương châm \"bốn tại chỗ\"; rà soát các khu vực có nguy cơ sạt lở, "
      "ngập lụt; chuẩn bị lực lượng, phương tiện, vật tư; xây dựng phương án sơ tán dân.",
      "econ", 13, (
          T("Rà soát các điểm có nguy cơ sạt lở đất tại thôn {thon}, lập phương án di dời dân", "QS",
            "nguy cơ sạt lở", True, ("KT",), "urgent"),
          T("Kiểm tra, gia cố kè chống sạt lở bờ sông Lại Giang đoạn qua thôn {thon}", "KT",
            "gia cố kè chống sạt lở", True, ("QS",), "high"),
          T("Chuẩn bị lực lượng, phương tiện, vật tư phòng chống lụt bão theo phương châm bốn tại chỗ", "QS",
            "chuẩn bị lực lượng, vật tư phòng chống lụt bão"),
          T("Khắc phục điểm sạt lở taluy đường liên thôn {thon}", "KT", "khắc phục sạt lở taluy", True,
            (), "urgent"),
          T("Nạo vét kênh mương thoát lũ tại thôn {thon}", "TNMT", "nạo vét kênh mương", True),
          T("Diễn tập phương án sơ tán dân vùng trũng thấp thôn {thon}", "QS", "diễn tập sơ tán dân", True,
            ("CA", "VHXH")),
      )),
    D(150, "document", "118/UBND-VP", "Công văn số 118/UBND-VP",
      "Công văn về việc đẩy mạnh thực hiện Đề án 06 và chuyển đổi số trên địa bàn xã",
      "Đẩy mạnh ứng dụng dữ liệu dân cư, định danh và xác thực điện tử; nâng tỷ lệ hồ sơ thủ tục hành chính "
      "trực tuyến toàn trình; phát huy vai trò tổ công nghệ số cộng đồng tại các thôn.",
      "chair", 12, (
          T("Cập nhật, làm sạch dữ liệu dân cư phục vụ Đề án 06 tại thôn {thon}", "CA", "làm sạch dữ liệu dân cư",
            True),
          T("Hướng dẫn người dân thôn {thon} kích hoạt tài khoản định danh điện tử mức độ 2", "CA",
            "kích hoạt định danh điện tử", True, ("VHTT",)),
          T("Nâng tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến toàn trình", "TTHCC",
            "dịch vụ công trực tuyến toàn trình"),
          T("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực", "TTHCC",
            "số hóa hồ sơ thủ tục hành chính"),
          T("Kiện toàn, hướng dẫn hoạt động tổ công nghệ số cộng đồng thôn {thon}", "VHTT",
            "tổ công nghệ số cộng đồng", True),
          T("Chi trả trợ cấp an sinh xã hội không dùng tiền mặt", "VHXH", "chi trả không dùng tiền mặt"),
      )),
    D(140, "meeting_conclusion", "12/KL-UBND", "Kết luận số 12/KL-UBND",
      "Kết luận của Chủ tịch UBND xã tại cuộc họp giao ban tháng {month}/{year}",
      "Đánh giá kết quả thực hiện nhiệm vụ tháng {month}; giao các phòng, ban tập trung giải ngân vốn đầu tư "
      "công, giải quyết đơn thư tồn đọng, chuẩn bị kỳ họp HĐND xã.",
      "chair", 10, (
          T("Báo cáo tiến độ giải ngân vốn đầu tư công các công trình trên địa bàn xã", "KT",
            "giải ngân vốn đầu tư công"),
          T("Rà soát, giải quyết đơn thư kiến nghị của công dân còn tồn đọng", "VP", "giải quyết đơn thư"),
          T("Chuẩn bị nội dung, tài liệu kỳ họp HĐND xã", "VP", "chuẩn bị kỳ họp HĐND"),
          T("Kiểm tra tình trạng kinh doanh lấn chiếm lòng đường trước chợ Hoài Hương", "CA",
            "lấn chiếm lòng đường", True),
          T("Đôn đốc hoàn thành hồ sơ quyết toán công trình đường bê tông thôn {thon}", "KT",
            "quyết toán công trình"),
      )),
    D(130, "document", "57/KH-UBND", "Kế hoạch số 57/KH-UBND",
      "Kế hoạch thu ngân sách nhà nước và chống thất thu thuế năm {year}",
      "Phấn đấu hoàn thành vượt dự toán thu ngân sách được giao; rà soát, khai thác các nguồn thu; "
      "phối hợp cơ quan thuế xử lý nợ đọng, chống thất thu đối với hộ kinh doanh.",
      "econ", 10, (
          T("Đôn đốc thu thuế sử dụng đất phi nông nghiệp tại thôn {thon}", "KT", "thu thuế đất phi nông nghiệp",
            True),
          T("Rà soát, khai thác nguồn thu từ quỹ đất công ích", "KT", "nguồn thu đất công ích", False, ("DCXD",)),
          T("Phối hợp Thuế cơ sở kiểm tra hộ kinh doanh chưa đăng ký thuế tại chợ Hoài Hương", "KT",
            "kiểm tra hộ kinh doanh", True, ("CA",)),
          T("Báo cáo tình hình thực hiện dự toán thu ngân sách quý", "KT", "dự toán thu ngân sách"),
      )),
    D(120, "meeting_conclusion", "15/KL-UBND", "Kết luận số 15/KL-UBND",
      "Kết luận của Phó Chủ tịch UBND xã tại cuộc họp về công tác giải phóng mặt bằng dự án đường ven biển",
      "Yêu cầu hoàn thành kiểm đếm, lập phương án bồi thường, hỗ trợ; vận động các hộ dân bàn giao mặt bằng "
      "đúng tiến độ; giải quyết dứt điểm các trường hợp vướng mắc về nguồn gốc đất.",
      "econ", 11, (
          T("Kiểm đếm, đo đạc đất đai, tài sản của các hộ bị ảnh hưởng tại thôn {thon}", "DCXD",
            "kiểm đếm giải phóng mặt bằng", True),
          T("Niêm yết công khai phương án bồi thường, hỗ trợ, tái định cư tại thôn {thon}", "DCXD",
            "niêm yết phương án bồi thường", True),
          T("Vận động các hộ dân thôn {thon} bàn giao mặt bằng thi công tuyến đường ven biển", "KT",
            "vận động bàn giao mặt bằng", True, ("CA", "VHXH"), "high"),
          T("Xác minh nguồn gốc đất của các thửa đất chưa có giấy chứng nhận", "DCXD", "xác minh nguồn gốc đất"),
      )),
    D(110, "document", "131/UBND-KT", "Công văn số 131/UBND-KT",
      "Công văn về việc tăng cường công tác vệ sinh môi trường, thu gom rác thải sinh hoạt",
      "Xóa các điểm tập kết rác tự phát; tăng tần suất thu gom; kiểm tra việc xả thải của các cơ sở sản xuất; "
      "vận động nhân dân phân loại rác tại nguồn.",
      "econ", 11, (
          T("Xử lý điểm tập kết rác thải tự phát tại thôn {thon}", "TNMT", "điểm tập kết rác tự phát", True),
          T("Ra quân tổng vệ sinh môi trường, khơi thông cống rãnh tại thôn {thon}", "TNMT",
            "vệ sinh môi trường", True, ("VHTT",)),
          T("Kiểm tra việc xả thải của cơ sở chế biến hải sản tại thôn {thon}", "TNMT", "xả thải cơ sở chế biến",
            True, ("CA",), "high"),
          T("Rà soát hợp đồng thu gom rác thải sinh hoạt với đơn vị dịch vụ", "TNMT", "hợp đồng thu gom rác"),
          T("Vận động hộ dân thôn {thon} phân loại rác thải tại nguồn", "VHTT", "phân loại rác tại nguồn", True),
      )),
    D(100, "document", "64/KH-UBND", "Kế hoạch số 64/KH-UBND",
      "Kế hoạch thực hiện công tác giảm nghèo bền vững năm {year}",
      "Rà soát hộ nghèo, hộ cận nghèo; hỗ trợ nhà ở, sinh kế, vay vốn ưu đãi; phấn đấu giảm tỷ lệ hộ nghèo "
      "theo chỉ tiêu Nghị quyết HĐND xã.",
      "social", 10, (
          T("Rà soát hộ nghèo, hộ cận nghèo năm {year} tại thôn {thon}", "VHXH", "rà soát hộ nghèo", True),
          T("Hỗ trợ sửa chữa nhà ở cho hộ nghèo tại thôn {thon}", "VHXH", "hỗ trợ nhà ở hộ nghèo", True, ("KT",)),
          T("Lập danh sách hộ nghèo có nhu cầu vay vốn ưu đãi", "VHXH", "vay vốn ưu đãi hộ nghèo"),
          T("Tổ chức lớp dạy nghề cho lao động thuộc hộ nghèo", "VHXH", "dạy nghề lao động nông thôn"),
      )),
    D(90, "meeting_conclusion", "18/KL-UBND", "Kết luận số 18/KL-UBND",
      "Kết luận của Chủ tịch UBND xã tại cuộc họp giao ban tháng {month}/{year}",
      "Giao các phòng, ban tập trung lập lại trật tự đô thị khu vực chợ, hoàn thiện hồ sơ nông thôn mới, "
      "tổng hợp kết quả thực hiện các chỉ tiêu kinh tế - xã hội.",
      "chair", 10, (
          T("Kiểm tra, xử lý tình trạng lấn chiếm vỉa hè, lòng đường khu vực chợ Hoài Hương", "CA",
            "lấn chiếm vỉa hè khu vực chợ", True, ("DCXD",)),
          T("Hoàn thiện hồ sơ đề nghị công nhận thôn {thon} đạt chuẩn nông thôn mới kiểu mẫu", "KT",
            "hồ sơ nông thôn mới kiểu mẫu"),
          T("Tổng hợp kết quả thực hiện các chỉ tiêu kinh tế - xã hội", "VP", "chỉ tiêu kinh tế - xã hội"),
          T("Chuẩn bị tổ chức Ngày hội Đại đoàn kết toàn dân tộc tại thôn {thon}", "VHXH",
            "ngày hội Đại đoàn kết", True, ("VHTT",)),
      )),
    D(75, "document", "07/CT-UBND", "Chỉ thị số 07/CT-UBND",
      "Chỉ thị về tăng cường công tác phòng, chống dịch sốt xuất huyết và bệnh tay chân miệng",
      "Chủ động giám sát, phát hiện sớm ca bệnh; xử lý triệt để ổ dịch; tổ chức chiến dịch diệt lăng quăng, "
      "bọ gậy; tuyên truyền để người dân chủ động phòng bệnh.",
      "social", 10, (
          T("Phun hóa chất diệt muỗi tại ổ dịch sốt xuất huyết thôn {thon}", "VHXH", "xử lý ổ dịch sốt xuất huyết",
            True, (), "urgent"),
          T("Tổ chức chiến dịch diệt lăng quăng, bọ gậy tại thôn {thon}", "VHXH", "diệt lăng quăng, bọ gậy",
            True, ("VHTT",)),
          T("Tuyên truyền phòng, chống bệnh tay chân miệng tại các trường mầm non", "VHTT",
            "tuyên truyền phòng chống dịch"),
          T("Giám sát, báo cáo ca bệnh sốt xuất huyết hằng tuần", "VHXH", "giám sát ca bệnh", False, (), "high"),
      )),
    D(60, "document", "152/UBND-VP", "Công văn số 152/UBND-VP",
      "Công văn về việc chấn chỉnh tình trạng lấn chiếm vỉa hè, lòng đường, hành lang an toàn giao thông",
      "Tổ chức ra quân lập lại trật tự vỉa hè, lòng đường; vận động hộ kinh doanh tự tháo dỡ công trình lấn "
      "chiếm; cắm mốc chỉ giới hành lang an toàn đường bộ; xử lý nghiêm các trường hợp tái lấn chiếm.",
      "chair", 11, (
          T("Ra quân lập lại trật tự vỉa hè tuyến đường Quang Trung đoạn qua thôn {thon}", "CA",
            "trật tự vỉa hè", True, ("DCXD",)),
          T("Vận động hộ kinh doanh thôn {thon} tự tháo dỡ mái che, bảng hiệu lấn chiếm", "CA",
            "tháo dỡ mái che lấn chiếm", True),
          T("Kiểm tra, xử lý vi phạm trật tự đô thị trước cổng các trường học", "CA", "trật tự trước cổng trường",
            True),
          T("Cắm mốc chỉ giới hành lang an toàn đường bộ tại thôn {thon}", "DCXD", "cắm mốc hành lang đường bộ",
            True),
      )),
    D(45, "meeting_conclusion", "21/KL-UBND", "Kết luận số 21/KL-UBND",
      "Kết luận của Chủ tịch UBND xã tại hội nghị sơ kết công tác cải cách hành chính",
      "Chấn chỉnh tình trạng hồ sơ giải quyết trễ hạn; công khai đầy đủ thủ tục hành chính; cập nhật quy trình "
      "nội bộ; khảo sát sự hài lòng của người dân.",
      "chair", 9, (
          T("Rà soát, công khai đầy đủ thủ tục hành chính tại Trung tâm Phục vụ hành chính công", "TTHCC",
            "công khai thủ tục hành chính"),
          T("Khắc phục tình trạng hồ sơ giải quyết trễ hạn lĩnh vực đất đai", "DCXD", "hồ sơ đất đai trễ hạn",
            False, ("TTHCC",), "high"),
          T("Khảo sát mức độ hài lòng của người dân khi giải quyết thủ tục hành chính", "TTHCC",
            "khảo sát sự hài lòng"),
          T("Cập nhật quy trình nội bộ giải quyết thủ tục hành chính trên hệ thống", "TTHCC", "quy trình nội bộ"),
          T("Kiểm tra công vụ, kỷ luật, kỷ cương hành chính tại các bộ phận", "VP", "kiểm tra công vụ"),
      )),
    D(35, "document", "78/KH-UBND", "Kế hoạch số 78/KH-UBND",
      "Kế hoạch tổ chức chiến dịch tiêm chủng vắc xin sởi - rubella năm {year}",
      "Bảo đảm trẻ trong độ tuổi được tiêm đủ mũi; rà soát đối tượng; tổ chức điểm tiêm an toàn; thông báo "
      "rộng rãi lịch tiêm đến từng hộ gia đình.",
      "social", 8, (
          T("Tổ chức tiêm vắc xin sởi - rubella cho trẻ em tại thôn {thon}", "VHXH", "tiêm chủng sởi - rubella",
            True, (), "high"),
          T("Rà soát, lập danh sách trẻ chưa tiêm hoặc tiêm chưa đủ mũi tại thôn {thon}", "VHXH",
            "danh sách trẻ cần tiêm", True),
          T("Thông báo lịch tiêm chủng trên hệ thống truyền thanh và nhóm Zalo các thôn", "VHTT",
            "thông báo lịch tiêm chủng"),
      )),
    D(20, "meeting_conclusion", "24/KL-UBND", "Kết luận số 24/KL-UBND",
      "Kết luận của Chủ tịch UBND xã tại cuộc họp giao ban tháng {month}/{year}",
      "Tập trung các nhiệm vụ trọng tâm những tháng cuối năm: an ninh trật tự, thu ngân sách, trả lời kiến "
      "nghị cử tri, an toàn thực phẩm.",
      "chair", 9, (
          T("Xây dựng phương án bảo đảm an ninh trật tự trong dịp lễ, Tết", "CA", "an ninh trật tự dịp lễ, Tết"),
          T("Đẩy nhanh tiến độ thu ngân sách những tháng cuối năm", "KT", "thu ngân sách cuối năm", False, (),
            "high"),
          T("Báo cáo kết quả giải quyết kiến nghị của cử tri", "VP", "giải quyết kiến nghị cử tri"),
          T("Kiểm tra an toàn thực phẩm tại các cơ sở kinh doanh ăn uống thôn {thon}", "VHXH",
            "an toàn thực phẩm", True, ("CA",)),
      )),
    D(8, "document", "169/UBND-KT", "Công văn số 169/UBND-KT",
      "Công văn về việc kiểm tra, khắc phục sự cố nước sinh hoạt tại các thôn",
      "Kiểm tra nguyên nhân nước sinh hoạt có màu lạ, nhiều cặn; phối hợp đơn vị cấp nước khắc phục; lấy mẫu "
      "kiểm nghiệm; bảo đảm nước sạch cho nhân dân trong thời gian sớm nhất.",
      "econ", 8, (
          T("Kiểm tra, khắc phục sự cố nước sinh hoạt có màu lạ, nhiều cặn tại thôn {thon}", "KT",
            "sự cố nước sinh hoạt", True, ("TNMT",), "urgent"),
          T("Lấy mẫu nước sinh hoạt tại thôn {thon} gửi kiểm nghiệm chất lượng", "TNMT", "kiểm nghiệm nước",
            True, (), "high"),
          T("Thông báo lịch cắt nước, cấp nước tạm thời cho nhân dân", "VHTT", "thông báo cấp nước tạm thời"),
      )),
]

AD_HOC: list[T] = [
    T("Chuẩn bị báo cáo phục vụ đoàn kiểm tra của tỉnh về công tác cải cách hành chính", "VP", "báo cáo đoàn kiểm tra"),
    T("Kiểm tra hiện trường vụ cháy rừng phòng hộ tại thôn {thon}", "QS", "hiện trường vụ cháy rừng", True,
      ("CA", "TNMT"), "urgent"),
    T("Xác minh, giải quyết tranh chấp ranh giới đất giữa hai hộ dân tại thôn {thon}", "DCXD",
      "tranh chấp ranh giới đất", True),
    T("Tổng hợp danh sách gia đình chính sách để thăm hỏi, tặng quà", "VHXH", "thăm hỏi gia đình chính sách"),
    T("Kiểm tra tình trạng khai thác cát trái phép trên sông Lại Giang đoạn qua thôn {thon}", "TNMT",
      "khai thác cát trái phép", True, ("CA",), "high"),
    T("Sửa chữa hệ thống loa truyền thanh bị hư hỏng tại thôn {thon}", "VHTT", "loa truyền thanh", True),
    T("Báo cáo tình hình thiệt hại sau đợt mưa lớn tại thôn {thon}", "QS", "thiệt hại sau mưa lớn", True, ("KT",),
      "urgent"),
    T("Rà soát thủ tục hành chính tồn đọng tại bộ phận một cửa", "TTHCC", "thủ tục tồn đọng"),
    T("Kiểm tra, xử lý tình trạng đổ trộm phế thải xây dựng ven đường liên thôn {thon}", "TNMT",
      "đổ trộm phế thải xây dựng", True, ("CA",)),
    T("Lập dự toán sửa chữa nhà văn hóa thôn {thon}", "KT", "sửa chữa nhà văn hóa", False, ("VHXH",)),
    T("Tham mưu văn bản trả lời đơn kiến nghị của công dân về cấp giấy chứng nhận quyền sử dụng đất", "DCXD",
      "trả lời đơn kiến nghị"),
    T("Chuẩn bị lễ giao nhận quân năm {year}", "QS", "giao nhận quân"),
    T("Rà soát, cập nhật danh sách đối tượng bảo trợ xã hội tại thôn {thon}", "VHXH", "bảo trợ xã hội", True),
    T("Kiểm tra phòng cháy, chữa cháy tại các cơ sở kinh doanh karaoke, nhà trọ", "CA", "phòng cháy, chữa cháy",
      True),
    T("Xây dựng kế hoạch chuyển đổi số của xã năm {year}", "VHTT", "kế hoạch chuyển đổi số"),
    T("Kiểm kê tài sản công tại trụ sở UBND xã", "VP", "kiểm kê tài sản công"),
    T("Kiểm tra dịch tả lợn châu Phi tại các hộ chăn nuôi thôn {thon}", "KT", "dịch tả lợn châu Phi", True,
      ("VHXH",), "urgent"),
    T("Hướng dẫn nông dân thôn {thon} chuyển đổi cơ cấu cây trồng vụ Đông Xuân", "KT", "chuyển đổi cây trồng", True),
]

# (title, unit key, what the citizen wrote, working days to answer)
CITIZEN_REPORTS: list[tuple[str, str, str, int]] = [
    ("Xử lý phản ánh: rác thải ùn ứ tại đường bê tông thôn {thon}", "TNMT",
     "rác thải sinh hoạt ùn ứ nhiều ngày, bốc mùi hôi, ruồi nhặng nhiều", 5),
    ("Xử lý phản ánh: nước sinh hoạt có màu đục, nhiều cặn tại thôn {thon}", "KT",
     "nước máy sinh hoạt có màu lạ, nhiều cặn và tạp chất, không dùng được", 5),
    ("Xử lý phản ánh: đèn chiếu sáng đường liên thôn {thon} bị hư hỏng", "KT",
     "nhiều bóng đèn đường không sáng, buổi tối đi lại nguy hiểm", 7),
    ("Xử lý phản ánh: hộ kinh doanh lấn chiếm vỉa hè trước chợ Hoài Hương", "CA",
     "hộ kinh doanh bày hàng, dựng mái che lấn chiếm hết vỉa hè, người đi bộ phải xuống lòng đường", 5),
    ("Xử lý phản ánh: tiếng ồn từ quán karaoke sau 22 giờ tại thôn {thon}", "CA",
     "quán karaoke hát đến khuya, ảnh hưởng giấc ngủ của người già và trẻ nhỏ", 5),
    ("Xử lý phản ánh: cống thoát nước bị tắc gây ngập khi mưa tại thôn {thon}", "TNMT",
     "cống thoát nước bị tắc, mỗi khi mưa nước tràn vào nhà dân", 7),
    ("Xử lý phản ánh: cây xanh gãy đổ nguy hiểm trên đường liên thôn {thon}", "KT",
     "cây xanh bị gãy sau mưa, cành treo lơ lửng trên đường", 5),
    ("Xử lý phản ánh: xây dựng nhà trái phép trên đất nông nghiệp tại thôn {thon}", "DCXD",
     "một hộ đang đổ móng xây nhà trên đất trồng lúa", 10),
    ("Xử lý phản ánh: xe tải chở cát làm rơi vãi trên đường thôn {thon}", "CA",
     "xe tải chở cát không che chắn, đất cát rơi vãi gây trơn trượt", 5),
    ("Xử lý phản ánh: mặt đường bê tông bị sụt lún tại thôn {thon}", "KT",
     "mặt đường bị sụt lún thành ổ gà lớn, xe máy đã bị ngã", 10),
]

PETITIONS: list[tuple[str, str]] = [
    ("Trả lời kiến nghị cử tri thôn {thon} về nâng cấp đường bê tông nội đồng", "KT"),
    ("Trả lời kiến nghị cử tri thôn {thon} về cấp giấy chứng nhận quyền sử dụng đất còn chậm", "DCXD"),
    ("Trả lời kiến nghị cử tri thôn {thon} về xây dựng nhà văn hóa thôn", "VHXH"),
    ("Trả lời kiến nghị cử tri thôn {thon} về tình trạng ô nhiễm từ trại chăn nuôi heo", "TNMT"),
    ("Trả lời kiến nghị cử tri thôn {thon} về lắp đặt đèn tín hiệu giao thông trước trường học", "CA"),
]

SUBTASK_TITLES: list[str] = [
    "Kiểm tra thực địa về {topic} tại thôn {thon}",
    "Lập danh sách, tổng hợp số liệu về {topic} tại thôn {thon}",
    "Làm việc với các hộ dân liên quan đến {topic} tại thôn {thon}",
    "Dự thảo báo cáo kết quả {topic}",
    "Tổng hợp hồ sơ {topic}, trình lãnh đạo phòng",
    "Phối hợp trưởng thôn {thon} triển khai {topic}",
]

FIELD_NOTES_EARLY = [
    "Đã làm việc với Trưởng thôn {thon}, thống nhất thời gian kiểm tra thực địa.",
    "Đã kiểm tra thực địa, chụp ảnh hiện trạng; đang tổng hợp số liệu.",
    "Đã họp thôn {thon} phổ biến nội dung, có {n} hộ tham dự.",
    "Đã khảo sát hiện trường, xác định {n} vị trí cần xử lý.",
]
FIELD_NOTES_MID = [
    "Đã lập biên bản {n} trường hợp, yêu cầu các hộ tự khắc phục trong 5 ngày.",
    "Hoàn thành khoảng {pct}% khối lượng; còn {n} hộ chưa làm việc được do đi làm ăn xa.",
    "Đã phối hợp Công an xã kiểm tra, nhắc nhở {n} hộ.",
    "Đã xử lý {n} điểm, còn 1 điểm chưa xử lý xong do trời mưa.",
    "Đã vận động được {n} hộ ký cam kết; đang tiếp tục làm việc với các hộ còn lại.",
]
FIELD_NOTES_LATE = [
    "Đã khắc phục xong, kèm ảnh hiện trạng sau xử lý; đang dự thảo báo cáo.",
    "Hoàn thành kiểm tra tại thôn {thon}, đã dự thảo báo cáo trình lãnh đạo.",
    "Các hộ đã ký cam kết và tự khắc phục; đang tổng hợp hồ sơ để báo cáo.",
]
OFFICE_NOTES_EARLY = [
    "Đã tiếp nhận nhiệm vụ, xây dựng kế hoạch triển khai và phân công người thực hiện.",
    "Đã gửi văn bản đề nghị các thôn cung cấp số liệu.",
    "Đã rà soát hồ sơ lưu trữ, tổng hợp các nội dung liên quan.",
]
OFFICE_NOTES_MID = [
    "Đã tổng hợp số liệu của {n} thôn, còn thiếu số liệu thôn {thon}.",
    "Đã dự thảo văn bản, đang lấy ý kiến các bộ phận liên quan.",
    "Hoàn thành khoảng {pct}% khối lượng công việc.",
]
OFFICE_NOTES_LATE = [
    "Đã hoàn thiện dự thảo báo cáo, trình lãnh đạo xem xét.",
    "Đã hoàn thành, đang hoàn thiện thủ tục ký ban hành.",
]
HEAD_NOTES_EARLY = [
    "Đã phân công các tổ, cán bộ thực hiện; đang theo dõi, đôn đốc.",
    "Đã họp phòng thống nhất cách làm, chia việc cho từng người.",
]
HEAD_NOTES_MID = [
    "Đã tổng hợp kết quả các phần việc đã xong; đang đôn đốc các phần việc còn lại.",
    "Đã làm việc với trưởng các thôn, nắm tình hình thực hiện tại cơ sở.",
]
HEAD_NOTES_LATE = [
    "Các phần việc đã hoàn thành, đang tổng hợp báo cáo chung.",
    "Đã hoàn thiện báo cáo kết quả, chuẩn bị trình lãnh đạo UBND xã.",
]
AFTER_RETURN_NOTES = [
    "Đã bổ sung hồ sơ, hình ảnh theo ý kiến của lãnh đạo.",
    "Đã chỉnh sửa, hoàn thiện báo cáo theo yêu cầu.",
    "Đã bổ sung số liệu chi tiết từng thôn theo ý kiến chỉ đạo.",
]
SUBMIT_NOTES = ["Đã hoàn thành, kèm báo cáo kết quả và hình ảnh.", "Trình lãnh đạo xem xét, duyệt kết quả.",
                "Báo cáo kết quả thực hiện theo yêu cầu.", ""]
APPROVE_NOTES = ["", "", "Đồng ý kết quả.", "Đạt yêu cầu. Lưu hồ sơ theo quy định."]
RETURN_REASONS = [
    "Báo cáo chưa có số liệu cụ thể từng thôn, đề nghị bổ sung.",
    "Chưa kèm hình ảnh hiện trạng sau khi khắc phục.",
    "Đề nghị làm rõ kinh phí thực hiện và nguồn vốn.",
    "Biên bản chưa có chữ ký xác nhận của hộ dân và trưởng thôn.",
    "Kết quả chưa đạt yêu cầu, còn 2 điểm chưa xử lý dứt điểm.",
]
CANCEL_REASONS = [
    "Nội dung đã được lồng ghép vào nhiệm vụ khác theo kế hoạch của UBND xã.",
    "Trùng với nhiệm vụ đã giao cho đơn vị khác.",
    "Cấp trên đã điều chỉnh chủ trương, không tiếp tục thực hiện.",
    "Người dân đã tự khắc phục trước khi kiểm tra.",
]
EXTENSION_REASONS = [
    "Mưa lớn kéo dài, không thể thực hiện ngoài hiện trường.",
    "Chờ ý kiến hướng dẫn của Sở Nông nghiệp và Môi trường.",
    "Một số hộ dân đi làm ăn xa, chưa làm việc được.",
    "Khối lượng hồ sơ lớn, cần thêm thời gian rà soát.",
]
EXTENSION_APPROVALS = ["Đồng ý gia hạn.", "Đồng ý; đề nghị hoàn thành đúng hạn mới."]
EXTENSION_REJECTIONS = [
    "Không đồng ý; nhiệm vụ cấp bách, đề nghị tăng cường nhân lực để hoàn thành đúng hạn.",
    "Không đồng ý; đề nghị báo cáo rõ khó khăn tại giao ban tuần.",
]
COMMENTS = [
    "Đề nghị khẩn trương thực hiện, báo cáo kết quả tại cuộc họp giao ban tuần tới.",
    "Lưu ý phối hợp chặt chẽ với Công an xã và trưởng thôn khi làm việc với hộ dân.",
    "Đề nghị bổ sung hình ảnh hiện trường trong báo cáo tiến độ.",
    "Báo cáo rõ khó khăn, vướng mắc để UBND xã kịp thời chỉ đạo.",
]

# fmt: on

# ---------------------------------------------------------------- what is planned before it is written


@dataclass
class Rep:
    author: int
    note: str
    percent: int | None
    received: dt.datetime
    captured: dt.datetime
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None
    client_id: str | None = None
    id: int | None = None


@dataclass
class Ev:
    t: dt.datetime  # received_at
    kind: str
    actor: int | None
    note: str = ""
    from_state: str | None = None
    to_state: str | None = None
    captured: dt.datetime | None = None
    report: Rep | None = None


@dataclass
class Dl:
    deadline: dt.date
    previous: dt.date | None
    reason: str
    set_by: int | None
    set_at: dt.datetime


@dataclass
class Ext:
    requested_by: int
    requested_deadline: dt.date
    reason: str
    state: str
    created_at: dt.datetime
    decided_by: int | None = None
    decided_at: dt.datetime | None = None
    decision_note: str = ""


@dataclass
class Plan:
    title: str
    description: str
    source: str
    source_ref: str | None
    directive: int | None
    lead: str
    coord: list[str]
    priority: str
    creator: int
    head: int  # manages the lead unit: sets the assignees, submits a top-level task
    approver: int  # a leader for a top-level task, the manager of the parent's unit for a part
    assignees: list[int]
    in_field: bool
    thon: str | None
    parent: Plan | None = None
    deadline_wd: int | None = None
    topic: str = ""
    # filled by the simulation
    state: str = "draft"
    deadline: dt.date | None = None
    created_at: dt.datetime | None = None
    assigned_at: dt.datetime | None = None
    split_at: dt.datetime | None = None
    first_submit: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    approved_by: int | None = None
    cancelled_reason: str | None = None
    progress: int = 0
    version: int = 1
    updated_at: dt.datetime | None = None
    events: list[Ev] = field(default_factory=list)
    deadlines: list[Dl] = field(default_factory=list)
    extensions: list[Ext] = field(default_factory=list)
    assignee_rows: list[tuple[int, bool, dt.datetime]] = field(default_factory=list)
    children: list[Plan] = field(default_factory=list)
    id: int | None = None


@dataclass
class PersonRow:
    username: str
    full_name: str
    title: str
    role: str
    unit: str
    id: int | None = None


STATE_WEIGHTS: list[tuple[float, dict[str, float]]] = [
    # (created at most this many days ago, weights of the states)
    (3, {"draft": 0.3, "assigned": 0.45, "in_progress": 0.2, "submitted": 0.05}),
    (10, {"draft": 0.06, "assigned": 0.25, "in_progress": 0.38, "submitted": 0.2, "returned": 0.05, "done": 0.06}),
    (30, {"assigned": 0.1, "in_progress": 0.32, "submitted": 0.2, "returned": 0.08, "done": 0.25,
          "cancelled": 0.05}),
    (70, {"assigned": 0.05, "in_progress": 0.18, "submitted": 0.12, "returned": 0.07, "done": 0.5,
          "cancelled": 0.06}),
    (10_000, {"assigned": 0.02, "in_progress": 0.09, "submitted": 0.05, "returned": 0.04, "done": 0.68,
              "cancelled": 0.06}),
]
SUB_STATES_OPEN_PARENT = {"done": 0.35, "submitted": 0.18, "in_progress": 0.3, "returned": 0.08, "assigned": 0.09}
CLOSED_BY_PARENT = ("done", "submitted", "returned")
VERSION_KINDS = {"transition", "assignees", "extension_approved"}
UPDATE_KINDS = {"transition", "assignees", "extension_approved", "progress", "created"}


class DemoBuilder:
    """Plans the whole commune in memory (pure, deterministic), then `write()` puts it in the database."""

    def __init__(self, now: dt.datetime, calendar: WorkCalendar, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        # The history ends at the last midnight in Vietnam, so a seed run any time of the same day writes the
        # same demo; "today" is still today for every deadline.
        self.today = clock.local_date(now)
        self.now = dt.datetime.combine(self.today, dt.time(0, 0), VN).astimezone(dt.UTC)
        self.cap = self.now - 2 * MINUTE
        self.calendar = calendar
        self.people: list[PersonRow] = []
        self.by_username: dict[str, PersonRow] = {}
        self.heads: dict[str, PersonRow] = {}
        self.officers: dict[str, list[PersonRow]] = {}
        self.leaders: list[PersonRow] = []
        self.directives: list[dict[str, Any]] = []
        self.plans: list[Plan] = []
        self.unit_ids: dict[str, int] = {}
        self._names: set[str] = set()
        self._refs: set[str] = set()

    # ------------------------------------------------------------ time

    def _at(self, day: dt.date, minutes_after_7_30: int) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(7, 30), VN) + dt.timedelta(minutes=minutes_after_7_30)
        return local.astimezone(dt.UTC)

    def _work_moment(self, day: dt.date) -> dt.datetime:
        return self._at(day, self.rng.randint(0, 570))

    def _between(self, a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
        """A moment in (a, b), in office hours on a weekday when the interval allows it."""
        if a is None or b is None:
            return None
        span = int((b - a).total_seconds())
        if span < 120:
            return None
        moment = a
        for _ in range(8):
            moment = a + dt.timedelta(seconds=self.rng.randint(60, span - 60))
            local = moment.astimezone(VN)
            if local.weekday() < 5 and 7 <= local.hour < 18:
                break
        return moment

    def _office(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself when it falls in office hours, else a moment of the next working morning or day."""
        local = moment.astimezone(VN)
        hours = local.hour + local.minute / 60
        if self.calendar.is_working_day(local.date()) and 7.5 <= hours < 17:
            result = moment
        elif self.calendar.is_working_day(local.date()) and hours < 7.5:
            result = self._at(local.date(), self.rng.randint(0, 180))
        else:
            result = self._work_moment(self.calendar.next_working_day(local.date()))
        return min(result.replace(microsecond=0), self.cap - 3 * H)

    def _working_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.calendar.is_working_day(day) else self.calendar.next_working_day(day)

    def _working_on_or_before(self, day: dt.date) -> dt.date:
        while not self.calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def _days_ago(self, days: float) -> dt.datetime:
        """A working moment about `days` before now (never in the future)."""
        moment = self.now - dt.timedelta(days=days)
        day = self._working_on_or_before(clock.local_date(moment))
        candidate = self._work_moment(day)
        if days >= 0.5:
            return min(candidate, self.cap - 3 * H)
        return min(moment, self.cap - 10 * MINUTE).replace(microsecond=0)

    # ------------------------------------------------------------ people

    def _new_name(self, female: bool) -> str:
        rng = self.rng
        while True:
            middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
            given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
            if rng.random() < 0.15:
                second = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
                if second not in (middle, "Thị", "Văn"):
                    middle = f"{middle} {second}"
            name = f"{rng.choice(FAMILY)} {middle} {given}"
            if name not in self._names:
                self._names.add(name)
                return name

    def _username(self, full_name: str) -> str:
        words = fold(full_name).split()
        base = words[-1] + "".join(word[0] for word in words[:-1])
        username, n = base, 1
        while username in self.by_username:
            n += 1
            username = f"{base}{n}"
        return username

    def _add_person(self, username: str, full_name: str, title: str, role: str, unit: str) -> PersonRow:
        person = PersonRow(username, full_name, title, role, unit)
        self.people.append(person)
        self.by_username[username] = person
        self._names.add(full_name)
        return person

    def plan_people(self) -> None:
        for username, full_name, title, role, unit in NAMED_PEOPLE:
            self._add_person(username, full_name, title, role, unit)
        self.leaders = [self.by_username["lanhdao"]]
        for full_name, title in VICE_CHAIRS:
            self.leaders.append(self._add_person(self._username(full_name), full_name, title, "leader", "HH"))
        self.heads["KT"] = self.by_username["truongphong"]
        for unit, title in HEAD_TITLES.items():
            name = self._new_name(female=unit not in ("CA", "QS") and self.rng.random() < 0.35)
            self.heads[unit] = self._add_person(self._username(name), name, title, "unit_head", unit)
        for unit, (count, titles) in OFFICERS.items():
            self.officers[unit] = []
            for index in range(count):
                name = self._new_name(female=self.rng.random() < (0.1 if unit in ("CA", "QS") else 0.5))
                person = self._add_person(self._username(name), name, titles[index % len(titles)], "officer", unit)
                self.officers[unit].append(person)

    def _pid(self, person: PersonRow) -> int:
        assert person.id is not None
        return person.id

    def _subtree(self, unit: str) -> list[str]:
        children = {key: parent for key, _, _, _, parent in UNITS}
        result = [unit]
        for key in children:
            walk = children[key]
            while walk is not None:
                if walk == unit:
                    result.append(key)
                    break
                walk = children[walk]
        return result

    def _officers_under(self, unit: str) -> list[PersonRow]:
        return [p for key in self._subtree(unit) for p in self.officers.get(key, [])]

    # ------------------------------------------------------------ one task's life

    def _gps(self, plan: Plan, offline: bool) -> tuple[float | None, float | None, float | None]:
        if not plan.in_field:
            return None, None, None
        lat, lon = VILLAGES.get(plan.thon or "", COMMUNE_CENTRE)
        spread = 0.003 if plan.thon else 0.01
        accuracy = self.rng.uniform(40, 120) if offline and self.rng.random() < 0.3 else self.rng.uniform(4, 35)
        return (round(lat + self.rng.uniform(-spread, spread), 6), round(lon + self.rng.uniform(-spread, spread), 6),
                round(accuracy, 1))

    def _note(self, plan: Plan, author: int, stage: int, percent: int | None, after_return: bool = False) -> str:
        rng = self.rng
        if after_return:
            pool = AFTER_RETURN_NOTES
        elif author == plan.head and not plan.assignees:
            pool = (HEAD_NOTES_EARLY, HEAD_NOTES_MID, HEAD_NOTES_LATE)[stage]
        elif plan.in_field:
            pool = (FIELD_NOTES_EARLY, FIELD_NOTES_MID, FIELD_NOTES_LATE)[stage]
        else:
            pool = (OFFICE_NOTES_EARLY, OFFICE_NOTES_MID, OFFICE_NOTES_LATE)[stage]
        return rng.choice(pool).format(
            thon=plan.thon or rng.choice(list(VILLAGES)), n=rng.randint(2, 9), pct=percent or rng.randint(30, 70)
        )

    def _submit_time(
        self, after: dt.datetime, deadline: dt.date, cap: dt.datetime, on_time: bool
    ) -> dt.datetime | None:
        last = cap - H
        if on_time:
            low, high = clock.local_date(after + 20 * H), min(deadline, clock.local_date(last))
        else:
            low = max(deadline + dt.timedelta(days=1), clock.local_date(after + 20 * H))
            high = min(deadline + dt.timedelta(days=25), clock.local_date(last))
        if low > high:
            return None
        day = low + dt.timedelta(days=self.rng.randint(0, (high - low).days))
        moment = self._work_moment(day)
        if after + 4 * H < moment < last:
            return moment
        start = max(after + 4 * H, dt.datetime.combine(day, dt.time(0, 0), VN).astimezone(dt.UTC))
        end = min(last, dt.datetime.combine(day, dt.time(23, 59), VN).astimezone(dt.UTC))
        return self._between(start, end)

    def simulate(
        self,
        plan: Plan,
        *,
        state: str,
        created: dt.datetime,
        deadline: dt.date | None,
        cap: dt.datetime,
        on_time: bool = True,
        assign_mode: str = "now",  # now | later (the unit head names the officers) | split | none
        extension: str | None = None,  # approved | rejected | pending
        return_cycle: bool = False,
        offline_share: float = 0.25,
        return_reason: str | None = None,
    ) -> bool:
        """Plan one task's history ending in `state`, every moment before `cap`; False when it cannot fit."""
        rng = self.rng
        if created >= cap - 10 * MINUTE:
            return False
        events: list[Ev] = [Ev(created, "created", plan.creator, note=plan.title)]
        deadlines: list[Dl] = []
        extensions: list[Ext] = []
        rows: list[tuple[int, bool, dt.datetime]] = []
        reports_pct: list[int] = []
        initial = deadline
        if extension == "approved" and deadline is not None:
            initial = self._working_on_or_before(deadline - dt.timedelta(days=rng.randint(5, 15)))
            if initial < clock.local_date(created) + dt.timedelta(days=3):
                extension, initial = None, deadline
        if initial is not None:
            reason = "Hạn tính theo ngày làm việc khi giao" if plan.deadline_wd else "Hạn khi giao"
            deadlines.append(Dl(initial, None, reason, plan.creator, created))
        assigned = split = submitted = first_submit = approved = None
        cancelled_reason = None
        if state != "draft":
            assigned = created + dt.timedelta(seconds=rng.randint(1, 4))
            events.append(Ev(assigned, "transition", plan.creator, from_state="draft", to_state="assigned"))
            start = assigned
            if assign_mode == "now":
                rows = [(pid, i == 0, assigned) for i, pid in enumerate(plan.assignees)]
            elif assign_mode in ("later", "split"):
                start = self._between(assigned + H, min(assigned + 2 * DAY, cap - 5 * MINUTE))
                if start is None:
                    return False
                if assign_mode == "later":
                    rows = [(pid, i == 0, start) for i, pid in enumerate(plan.assignees)]
                    names = ", ".join(sorted(p.full_name for p in self.people if p.id in plan.assignees))
                    events.append(Ev(start, "assignees", plan.head, note=names))
            split = start
            # The moments that end each stretch of work, in order.
            steps: list[tuple[str, dt.datetime]] = []
            end: dt.datetime = cap
            if state == "in_progress":
                end = cap
            elif state == "submitted":
                moment = self._between(max(start + DAY, cap - 6 * DAY), cap - 10 * MINUTE)
                if moment is None:
                    return False
                steps = [("submit", moment)]
            elif state == "returned":
                moment = self._between(max(start + DAY, cap - 12 * DAY), cap - 3 * H)
                back = self._between(moment + 2 * H, min(moment + 2 * DAY, cap)) if moment else None
                if moment is None or back is None:
                    return False
                steps = [("submit", moment), ("return", back)]
            elif state == "done":
                if deadline is None:
                    return False
                moment = self._submit_time(start, deadline, cap, on_time)
                done = self._between(moment + H, min(moment + 3 * DAY, cap)) if moment else None
                if moment is None or done is None:
                    return False
                steps = [("submit", moment), ("approve", done)]
            elif state == "cancelled":
                moment = self._between(start + DAY, min(start + 40 * DAY, cap))
                if moment is None:
                    return False
                steps = [("cancel", moment)]
            if return_cycle and state in ("done", "submitted") and steps[0][1] - start > 4 * DAY:
                final_submit = steps[0][1]
                first = self._between(start + DAY, final_submit - 2 * DAY)
                back = self._between(first + 2 * H, min(first + 36 * H, final_submit - DAY)) if first else None
                if first is not None and back is not None:
                    steps = [("submit", first), ("return", back), *steps]
            if steps:
                end = steps[-1][1]
            if assign_mode == "split" and state in CLOSED_BY_PARENT:
                if steps[0][1] - start < 3 * DAY:
                    return False
            # Walk through the stretches: reports, then the step that closes the stretch.
            current = "assigned"
            cursor = start
            submitter = plan.head if (plan.parent is None and (not plan.assignees or rng.random() < 0.6)) else (
                plan.assignees[0] if plan.assignees else plan.head)
            stretch_ends = [moment for _, moment in steps] or [cap]
            for index, stretch_end in enumerate(stretch_ends):
                kind = steps[index][0] if steps else None
                if kind in ("return", "approve"):
                    count = 0
                elif state == "in_progress":
                    count = rng.randint(1, 4)
                elif state == "assigned" or (state == "cancelled" and current == "assigned" and rng.random() < 0.5):
                    count = 0
                elif kind == "submit" and current == "returned":
                    count = rng.randint(1, 2)
                elif kind == "submit":
                    count = 0 if rng.random() < 0.08 else rng.randint(1, 3)
                else:
                    count = rng.randint(0, 2)
                times = sorted(t for t in (self._between(cursor, stretch_end - 30 * MINUTE) for _ in range(count)) if t)
                closing = kind == "submit"
                percents = sorted(rng.sample(range(10, 100, 5), len(times)))
                if closing and times and rng.random() < 0.7:
                    percents[-1] = 100
                if current == "returned":
                    percents = sorted(rng.randint(85, 100) for _ in times)
                after_return = current == "returned"
                for moment, percent in zip(times, percents, strict=True):
                    author = plan.head if not plan.assignees else rng.choice(plan.assignees[:2])
                    officer = author in plan.assignees
                    offline = officer and plan.in_field and rng.random() < offline_share
                    captured = moment
                    if offline:
                        captured = moment - dt.timedelta(minutes=rng.randint(10, 360))
                        if captured <= max(cursor, events[-1].t):
                            captured, offline = moment, False
                    stage = 0 if percent < 40 else 1 if percent < 85 else 2
                    lat, lon, acc = self._gps(plan, offline)
                    report = Rep(
                        author=author, note=self._note(plan, author, stage, percent, after_return), percent=percent,
                        received=moment, captured=captured, latitude=lat, longitude=lon, accuracy=acc,
                        client_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)) if offline else None,
                    )
                    if current in ("assigned", "returned"):
                        events.append(Ev(moment, "transition", author, from_state=current, to_state="in_progress",
                                         captured=captured if offline else None))
                        current = "in_progress"
                    events.append(Ev(moment, "progress", author, note=report.note,
                                     captured=captured if offline else None, report=report))
                    after_return = False
                    reports_pct.append(percent)
                    cursor = moment
                if kind == "submit":
                    captured = stretch_end
                    received = stretch_end
                    offline = submitter in plan.assignees and plan.in_field and rng.random() < offline_share / 2
                    if offline:
                        limit = stretch_ends[index + 1] if index + 1 < len(stretch_ends) else cap
                        received = min(stretch_end + dt.timedelta(minutes=rng.randint(5, 120)), limit - MINUTE)
                        if received <= stretch_end:
                            received, offline = stretch_end, False
                    events.append(Ev(received, "transition", submitter, note=rng.choice(SUBMIT_NOTES),
                                     from_state=current, to_state="submitted", captured=captured if offline else None))
                    current = "submitted"
                    submitted = captured
                    first_submit = first_submit or captured
                elif kind == "return":
                    reason = return_reason or rng.choice(RETURN_REASONS)
                    events.append(Ev(stretch_end, "transition", plan.approver, note=reason, from_state="submitted",
                                     to_state="returned"))
                    current = "returned"
                elif kind == "approve":
                    events.append(Ev(stretch_end, "transition", plan.approver, note=rng.choice(APPROVE_NOTES),
                                     from_state="submitted", to_state="done"))
                    current = "done"
                    approved = stretch_end
                elif kind == "cancel":
                    cancelled_reason = rng.choice(CANCEL_REASONS)
                    events.append(Ev(stretch_end, "transition", plan.approver, note=cancelled_reason,
                                     from_state=current, to_state="cancelled"))
                    current = "cancelled"
                cursor = max(cursor, stretch_end)
            if current != state:  # e.g. no room for the report that starts the work
                return False
            # Extensions and comments happen beside the states, before the first submission (or now).
            work_end = first_submit or (steps[0][1] if steps else cap)
            requester = plan.assignees[0] if plan.assignees else plan.head
            if extension in ("approved", "rejected") and deadline is not None:
                latest = work_end - DAY
                if extension == "approved":
                    latest = min(latest, dt.datetime.combine(initial, dt.time(17, 0), VN).astimezone(dt.UTC))
                asked = self._between(start + 12 * H, latest)
                decided = self._between(asked + 2 * H, min(asked + 2 * DAY, work_end - H)) if asked else None
                if asked is not None and decided is not None:
                    approved_ext = extension == "approved"
                    wanted = deadline if approved_ext else deadline + dt.timedelta(days=rng.randint(7, 20))
                    reason = rng.choice(EXTENSION_REASONS)
                    note = rng.choice(EXTENSION_APPROVALS if approved_ext else EXTENSION_REJECTIONS)
                    extensions.append(Ext(requester, wanted, reason, extension, asked, plan.approver, decided, note))
                    events.append(Ev(asked, "extension_requested", requester, note=f"{wanted:%d/%m/%Y}: {reason}"))
                    events.append(Ev(decided, f"extension_{extension}", plan.approver,
                                     note=f"{wanted:%d/%m/%Y}: {note}"))
                    if approved_ext:
                        deadlines.append(Dl(deadline, initial, note, plan.approver, decided))
                elif extension == "approved":
                    deadlines[0].deadline = deadline
            elif extension == "pending" and deadline is not None and state in ("assigned", "in_progress", "returned"):
                asked = self._between(max(start, cap - 6 * DAY), cap - 10 * MINUTE)
                if asked is not None:
                    wanted = deadline + dt.timedelta(days=rng.randint(5, 15))
                    reason = rng.choice(EXTENSION_REASONS)
                    extensions.append(Ext(requester, wanted, reason, "pending", asked))
                    events.append(Ev(asked, "extension_requested", requester, note=f"{wanted:%d/%m/%Y}: {reason}"))
            if rng.random() < 0.12:
                said = self._between(start, min(end, cap))
                if said is not None:
                    events.append(Ev(said, "comment", plan.approver, note=rng.choice(COMMENTS)))
        # Commit the plan.
        order = {id(event): index for index, event in enumerate(events)}
        events.sort(key=lambda event: (event.t, order[id(event)]))
        plan.state = state
        plan.created_at = created
        plan.assigned_at = assigned
        plan.split_at = split
        plan.events = events
        plan.deadlines = deadlines
        plan.extensions = extensions
        plan.assignee_rows = rows
        plan.deadline = deadlines[-1].deadline if deadlines else None
        plan.submitted_at = submitted
        plan.first_submit = first_submit
        plan.completed_at = submitted if state == "done" else None
        plan.approved_at = approved
        plan.approved_by = plan.approver if state == "done" else None
        plan.cancelled_reason = cancelled_reason
        plan.progress = 100 if state == "done" else (reports_pct[-1] if reports_pct else 0)
        plan.version = 1 + sum(1 for event in events if event.kind in VERSION_KINDS)
        plan.updated_at = max(event.t for event in events if event.kind in UPDATE_KINDS)
        return True

    # ------------------------------------------------------------ many tasks

    def _state_for_age(self, created: dt.datetime) -> str:
        age = (self.now - created).total_seconds() / 86400
        for limit, weights in STATE_WEIGHTS:
            if age <= limit:
                return self.rng.choices(list(weights), weights=list(weights.values()))[0]
        raise AssertionError("unreachable")  # pragma: no cover

    def _deadline_for(self, plan: Plan, created: dt.datetime) -> dt.date:
        start = clock.local_date(created)
        if plan.deadline_wd:
            return self.calendar.add_working_days(start, plan.deadline_wd)
        low, high = (3, 10) if plan.priority == "urgent" else (7, 25) if plan.priority == "high" else (10, 60)
        return self._working_on_or_after(start + dt.timedelta(days=self.rng.randint(low, high)))

    def _pick_assignees(self, unit: str, exclude: set[str]) -> list[int]:
        pool = [p for p in self._officers_under(unit) if p.username not in exclude]
        if not pool:
            return []
        count = 2 if len(pool) > 1 and self.rng.random() < 0.25 else 1
        return [self._pid(p) for p in self.rng.sample(pool, count)]

    def _top_plan(
        self, *, title: str, description: str, unit: str, coord: tuple[str, ...], priority: str, in_field: bool,
        thon: str | None, source: str, source_ref: str | None, directive: int | None, creator: int, approver: int,
        topic: str, deadline_wd: int | None = None,
    ) -> Plan:
        coord_units = [c for c in coord if c != unit]
        if not coord_units and self.rng.random() < 0.15:
            coord_units = [self.rng.choice([k for k, *_ in UNITS if k not in ("HH", unit)])]
        return Plan(
            title=title, description=description, source=source, source_ref=source_ref, directive=directive,
            lead=unit, coord=coord_units, priority=priority, creator=creator, head=self._pid(self.heads[unit]),
            approver=approver, assignees=self._pick_assignees(unit, {"canbo", "tiepnhan"}), in_field=in_field,
            thon=thon, deadline_wd=deadline_wd, topic=topic,
        )

    def _run_top(self, plan: Plan, created: dt.datetime, *, may_split: bool = True) -> None:
        """Choose a state fitting the task's age and live it; split some into officers' parts."""
        rng = self.rng
        state = self._state_for_age(created)
        splittable = len(self._officers_under(plan.lead)) >= 2 and plan.source != "citizen_report"
        split = may_split and splittable and state in ("done", "submitted", "returned", "in_progress") and (
            rng.random() < (0.22 if plan.lead in ("KT", "VHXH") else 0.08))
        chosen = list(plan.assignees)
        for attempt in range(40):
            deadline = self._deadline_for(plan, created) if state != "draft" or rng.random() < 0.6 else None
            if state == "draft" and deadline is not None and deadline < self.today:
                deadline = self._working_on_or_after(self.today + dt.timedelta(days=rng.randint(7, 30)))
            mode = "split" if split else ("later" if rng.random() < 0.7 and attempt < 30 else "now")
            if state == "assigned" and not split and rng.random() < 0.4:
                mode = "none"
            extension = None
            roll = rng.random()
            if state in ("done", "submitted", "returned", "in_progress", "assigned") and roll < 0.1:
                extension = "approved" if state != "assigned" else "pending"
            elif roll < 0.14:
                extension = "rejected" if state != "draft" else None
            elif roll < 0.2 and state in ("in_progress", "assigned", "returned"):
                extension = "pending"
            # A task the head will split, or has not handed out yet, has no assignees of its own.
            plan.assignees = [] if mode in ("split", "none") else chosen
            ok = self.simulate(
                plan, state=state, created=created, deadline=deadline, cap=self.cap,
                on_time=rng.random() < 0.56 if attempt < 20 else attempt % 2 == 0,
                assign_mode=mode, extension=extension, return_cycle=rng.random() < 0.15,
            )
            if ok:
                if mode == "split":
                    self._split(plan)
                self.plans.append(plan)
                return
            if attempt == 29:  # nothing fits this late in the window: the task was only just handed out
                state, split = "assigned", False
        raise RuntimeError(f"could not plan the demo task {plan.title!r}")  # pragma: no cover

    def _split(self, parent: Plan) -> None:
        rng = self.rng
        assert parent.split_at is not None and parent.deadline is not None
        if parent.state in CLOSED_BY_PARENT:
            assert parent.first_submit is not None
            cap = parent.first_submit - 2 * H
        else:
            cap = self.cap
        units = [u for u in self._subtree(parent.lead) if self.officers.get(u)]
        villages = list(VILLAGES)
        titles = rng.sample(SUBTASK_TITLES, rng.choice([2, 2, 3]))
        created = parent.split_at
        for title in titles:
            created = created + dt.timedelta(minutes=rng.randint(3, 25))
            unit = rng.choice(units)
            pool = [p for p in self.officers[unit] if p.username not in ("canbo", "tiepnhan")]
            people = rng.sample(pool, 2 if len(pool) > 1 and rng.random() < 0.2 else 1)
            thon = parent.thon or rng.choice(villages)
            sub = Plan(
                title=title.format(topic=parent.topic, thon=thon),
                description=f"Phần việc của nhiệm vụ: {parent.title}",
                source=parent.source, source_ref=parent.source_ref, directive=parent.directive, lead=unit, coord=[],
                priority=parent.priority, creator=parent.head, head=self._pid(self.heads[unit]),
                approver=parent.head, assignees=[self._pid(p) for p in people], in_field="{thon}" in title,
                thon=thon, parent=parent, topic=parent.topic,
            )
            for attempt in range(30):
                if parent.state in CLOSED_BY_PARENT:
                    state = "cancelled" if rng.random() < 0.04 else "done"
                else:
                    state = rng.choices(list(SUB_STATES_OPEN_PARENT), weights=list(SUB_STATES_OPEN_PARENT.values()))[0]
                candidate = self._working_on_or_after(clock.local_date(created) + dt.timedelta(days=rng.randint(4, 20)))
                deadline = min(parent.deadline, candidate)
                if self.simulate(
                    sub, state=state, created=created, deadline=deadline, cap=cap,
                    on_time=rng.random() < 0.6 if attempt < 15 else attempt % 2 == 0,
                    extension="pending" if state == "in_progress" and rng.random() < 0.08 else None,
                    return_cycle=rng.random() < 0.1,
                ):
                    parent.children.append(sub)
                    self.plans.append(sub)
                    break

    def _village(self, template: str) -> str | None:
        return self.rng.choice(list(VILLAGES)) if "{thon}" in template else None

    def _tracking_code(self) -> str:
        alphabet = "ACDEFGHJKLMNPQRTUVWXY3479"
        while True:
            code = "PA-" + "".join(self.rng.choice(alphabet) for _ in range(6))
            if code not in self._refs:
                self._refs.add(code)
                return code

    def plan_directives(self) -> None:
        signers = {"chair": self.leaders[0], "econ": self.leaders[1], "social": self.leaders[2]}
        for spec in DIRECTIVES:
            issued = self._working_on_or_before(self.today - dt.timedelta(days=spec.days_ago))
            fill = {"year": issued.year, "month": issued.month}
            signer = signers[spec.signer]
            self.directives.append({
                "spec": spec,
                "number": spec.number,
                "issued_on": issued,
                "signer": signer.full_name,
                "signer_id": self._pid(signer),
                "issuing_body": JURISDICTION,
                "kind": spec.kind,
                "title": spec.title.format(**fill),
                "summary": spec.summary.format(**fill),
                "created_at": self._work_moment(issued),
                "fill": fill,
            })

    def plan_tasks(self) -> None:
        rng = self.rng
        chair = self._pid(self.leaders[0])
        # Tasks from the directives, created in the days after each was issued.
        for directive in self.directives:
            spec: D = directive["spec"]
            used: set[str] = set()
            with_village = [t for t in spec.tasks if "{thon}" in t.title]
            for index in range(spec.count):
                tpl = spec.tasks[index % len(spec.tasks)]
                if index >= len(spec.tasks) and "{thon}" not in tpl.title and with_village:
                    tpl = rng.choice(with_village)
                thon = self._village(tpl.title)
                title = tpl.title.format(thon=thon, **directive["fill"])
                while title in used and thon is not None:
                    thon = self._village(tpl.title)
                    title = tpl.title.format(thon=thon, **directive["fill"])
                if title in used:
                    continue
                used.add(title)
                issued_at = directive["created_at"]
                if rng.random() < 0.7:
                    created = issued_at + dt.timedelta(hours=rng.uniform(1, 24 * min(12, spec.days_ago * 0.6 + 1)))
                else:  # assigned later, as the directive's work went on
                    created = issued_at + dt.timedelta(days=rng.uniform(1, spec.days_ago))
                created = self._office(created)
                plan = self._top_plan(
                    title=title,
                    description=f"Thực hiện {directive['spec'].label} ngày {directive['issued_on']:%d/%m/%Y} của "
                    f"{JURISDICTION}: {directive['title'][0].lower()}{directive['title'][1:]}. {directive['summary']}",
                    unit=tpl.unit, coord=tpl.coord, priority=tpl.priority, in_field=tpl.in_field, thon=thon,
                    source="directive", source_ref=None, directive=directive["id"], creator=directive["signer_id"],
                    approver=directive["signer_id"] if rng.random() < 0.7 else chair, topic=tpl.topic,
                )
                self._run_top(plan, created)
        # Work the leaders give outside any directive.
        for index in range(40):
            tpl = AD_HOC[index % len(AD_HOC)]
            thon = self._village(tpl.title)
            created = self._days_ago(0.2 + 178 * rng.random() ** 1.5)
            leader = self._pid(rng.choice(self.leaders[:1] * 2 + self.leaders[1:]))
            plan = self._top_plan(
                title=tpl.title.format(thon=thon, year=clock.local_date(created).year),
                description="Nhiệm vụ do lãnh đạo UBND xã giao trực tiếp. Báo cáo kết quả bằng văn bản, kèm hình ảnh "
                "nếu làm việc tại hiện trường.",
                unit=tpl.unit, coord=tpl.coord, priority=tpl.priority, in_field=tpl.in_field, thon=thon,
                source="ad_hoc", source_ref=None, directive=None, creator=leader, approver=leader, topic=tpl.topic,
            )
            self._run_top(plan, created)
        # Citizens' field reports the reception desk routed to a unit, with the category's response time.
        receptionist = self._pid(self.by_username["tiepnhan"])
        for index in range(30):
            title, unit, wrote, days = CITIZEN_REPORTS[index % len(CITIZEN_REPORTS)]
            thon = self._village(title)
            code = self._tracking_code()
            created = self._days_ago(0.1 + 150 * rng.random() ** 1.5)
            plan = self._top_plan(
                title=title.format(thon=thon),
                description=f"Người dân phản ánh qua Cổng phản ánh hiện trường (mã tra cứu {code}): {wrote}. "
                f"Đề nghị kiểm tra, xử lý và trả lời công khai trong {days} ngày làm việc.",
                unit=unit, coord=(), priority="high", in_field=True, thon=thon or "Ngọc An Đông",
                source="citizen_report", source_ref=code, directive=None, creator=receptionist,
                approver=self._pid(rng.choice(self.leaders)), topic="phản ánh của người dân", deadline_wd=days,
            )
            self._run_top(plan, created, may_split=False)
        # Voters' petitions collected before the council's session.
        for index, (title, unit) in enumerate(PETITIONS):
            thon = self._village(title)
            created = self._days_ago(rng.uniform(15, 120))
            plan = self._top_plan(
                title=title.format(thon=thon),
                description="Kiến nghị của cử tri tại buổi tiếp xúc cử tri trước kỳ họp HĐND xã. Đề nghị xem xét, "
                "trả lời bằng văn bản và thông báo kết quả đến cử tri.",
                unit=unit, coord=("VP",), priority="normal", in_field=False, thon=thon, source="petition",
                source_ref=f"KNCT-{clock.local_date(created).year}-{index + 7:03d}", directive=None, creator=chair,
                approver=chair, topic="kiến nghị cử tri",
            )
            self._run_top(plan, created, may_split=False)

    # ------------------------------------------------------------ the accounts people log in with

    def _crafted_sub(
        self, parent: Plan, *, title: str, person: str, state: str, created_days_ago: float, deadline_in: int,
        on_time: bool = True, extension: str | None = None, return_reason: str | None = None,
        unit: str = "DCXD", thon: str | None = None,
    ) -> None:
        rng = self.rng
        who = self.by_username[person] if person in self.by_username else rng.choice(
            [p for p in self.officers[unit] if p.username != "canbo"])
        sub = Plan(
            title=title, description=f"Phần việc của nhiệm vụ: {parent.title}", source=parent.source,
            source_ref=None, directive=parent.directive, lead=unit, coord=[], priority=parent.priority,
            creator=parent.head, head=self._pid(self.heads[unit]), approver=parent.head, assignees=[self._pid(who)],
            in_field=thon is not None, thon=thon, parent=parent, topic=parent.topic,
        )
        deadline = self._working_on_or_after(self.today + dt.timedelta(days=deadline_in)) if deadline_in > 0 else (
            self.today + dt.timedelta(days=deadline_in))
        assert parent.split_at is not None
        for _ in range(40):
            created = max(self._days_ago(created_days_ago + rng.uniform(-0.4, 0.4)), parent.split_at + 10 * MINUTE)
            if self.simulate(sub, state=state, created=created, deadline=deadline, cap=self.cap, on_time=on_time,
                             extension=extension, return_reason=return_reason, offline_share=0.35):
                parent.children.append(sub)
                self.plans.append(sub)
                return
        raise RuntimeError(f"could not plan the demo task {title!r}")  # pragma: no cover

    def _crafted_parent(self, *, title: str, directive_index: int, created_days_ago: float, deadline_in: int,
                        topic: str) -> Plan:
        directive = self.directives[directive_index]
        plan = Plan(
            title=title,
            description=f"Thực hiện {directive['spec'].label} ngày {directive['issued_on']:%d/%m/%Y}. Phòng Kinh tế "
            "chủ trì, phân công Tổ Địa chính - Xây dựng thực hiện; báo cáo kết quả từng đợt.",
            source="directive", source_ref=None, directive=directive["id"], lead="KT", coord=["CA"],
            priority="high", creator=directive["signer_id"], head=self._pid(self.heads["KT"]),
            approver=directive["signer_id"], assignees=[], in_field=False, thon=None, topic=topic,
        )
        deadline = self._working_on_or_after(self.today + dt.timedelta(days=deadline_in))
        for _ in range(40):
            if self.simulate(plan, state="in_progress", created=self._days_ago(created_days_ago), deadline=deadline,
                             cap=self.cap, assign_mode="split"):
                self.plans.append(plan)
                return plan
        raise RuntimeError(f"could not plan the demo task {title!r}")  # pragma: no cover

    def plan_showcase(self) -> None:
        """The tasks behind the named accounts' screens: `canbo`'s list in every urgency, parts waiting for
        `truongphong`, fresh Phòng Kinh tế tasks to split."""
        sidewalk = self._crafted_parent(
            title="Tổ chức kiểm tra, lập lại trật tự hành lang an toàn giao thông và vỉa hè trên địa bàn xã",
            directive_index=10, created_days_ago=57, deadline_in=30, topic="trật tự hành lang giao thông")
        self._crafted_sub(sidewalk, person="canbo", state="in_progress", created_days_ago=20, deadline_in=-5,
                          title="Kiểm tra, lập biên bản các trường hợp lấn chiếm hành lang đường ĐT 639 đoạn qua "
                          "thôn Ngọc An Đông", thon="Ngọc An Đông")
        self._crafted_sub(sidewalk, person="canbo", state="in_progress", created_days_ago=12, deadline_in=0,
                          title="Đo đạc, cắm mốc chỉ giới hành lang an toàn đường bộ tuyến liên thôn Thạnh Xuân - "
                          "Lương Thọ", thon="Thạnh Xuân")
        self._crafted_sub(sidewalk, person="canbo", state="in_progress", created_days_ago=9, deadline_in=2,
                          title="Thống kê các công trình mái che, bảng hiệu lấn chiếm vỉa hè khu vực chợ Hoài Hương",
                          thon="Trung Lương")
        self._crafted_sub(sidewalk, person="canbo", state="submitted", created_days_ago=15, deadline_in=1,
                          title="Lập hồ sơ đề xuất xử phạt 3 trường hợp xây dựng lấn chiếm hành lang giao thông")
        self._crafted_sub(sidewalk, person="canbo", state="done", created_days_ago=45, deadline_in=-30,
                          title="Rà soát hiện trạng vỉa hè tuyến đường Quang Trung đoạn qua trung tâm xã",
                          thon="Tân Thành")
        self._crafted_sub(sidewalk, person="canbo", state="done", created_days_ago=40, deadline_in=-22, on_time=False,
                          title="Xác minh nguồn gốc đất của 5 hộ có công trình lấn chiếm tại thôn Tân Thành",
                          thon="Tân Thành")
        self._crafted_sub(sidewalk, person="", state="submitted", created_days_ago=14, deadline_in=3, unit="DCXD",
                          title="Tổng hợp danh sách hộ kinh doanh cam kết tự tháo dỡ mái che, bảng hiệu")
        self._crafted_sub(sidewalk, person="", state="submitted", created_days_ago=10, deadline_in=5, unit="KT",
                          title="Dự thảo báo cáo sơ kết đợt ra quân lập lại trật tự vỉa hè")
        coast = self._crafted_parent(
            title="Tổ chức kiểm đếm, giải phóng mặt bằng dự án tuyến đường ven biển đoạn qua xã",
            directive_index=5, created_days_ago=115, deadline_in=35, topic="giải phóng mặt bằng đường ven biển")
        self._crafted_sub(coast, person="canbo", state="assigned", created_days_ago=12, deadline_in=-2,
                          title="Kiểm đếm tài sản, vật kiến trúc của 4 hộ còn lại tại thôn Ngọc An Trung",
                          thon="Ngọc An Trung")
        self._crafted_sub(coast, person="canbo", state="assigned", created_days_ago=2, deadline_in=3,
                          title="Chuẩn bị hồ sơ niêm yết công khai phương án bồi thường, hỗ trợ đợt 3")
        self._crafted_sub(coast, person="canbo", state="in_progress", created_days_ago=18, deadline_in=12,
                          extension="pending", thon="Lương Thọ",
                          title="Đo đạc, chỉnh lý bản đồ địa chính phần diện tích thu hồi tại thôn Lương Thọ")
        self._crafted_sub(coast, person="canbo", state="assigned", created_days_ago=4, deadline_in=25,
                          title="Xác minh nguồn gốc đất các thửa chưa có giấy chứng nhận quyền sử dụng đất")
        self._crafted_sub(coast, person="canbo", state="returned", created_days_ago=16, deadline_in=4,
                          thon="Ngọc An Tây",
                          return_reason="Biên bản chưa có chữ ký xác nhận của trưởng thôn, đề nghị bổ sung.",
                          title="Lập biên bản kiểm đếm đất đai, tài sản hộ ông Nguyễn Văn Tư, thôn Ngọc An Tây")
        self._crafted_sub(coast, person="canbo", state="done", created_days_ago=60, deadline_in=-40,
                          title="Phát thông báo thu hồi đất cho các hộ bị ảnh hưởng đợt 2", thon="Ngọc An Tây")
        self._crafted_sub(coast, person="", state="submitted", created_days_ago=11, deadline_in=6, unit="DCXD",
                          title="Tổng hợp ý kiến của người dân về phương án bồi thường, hỗ trợ")
        # Fresh from the leader, not yet split by the head of Phòng Kinh tế.
        water = self.directives[14]
        for days_ago, title in ((1.2, "Rà soát toàn bộ tuyến ống cấp nước sinh hoạt qua thôn Phụng Du và Bình Chương"),
                                (0.3, "Lập phương án cấp nước tạm thời bằng xe bồn cho các hộ bị ảnh hưởng")):
            plan = Plan(
                title=title, description=f"Thực hiện {water['spec'].label}: {water['summary']}", source="directive",
                source_ref=None, directive=water["id"], lead="KT", coord=["TNMT"], priority="urgent",
                creator=water["signer_id"], head=self._pid(self.heads["KT"]), approver=water["signer_id"],
                assignees=[], in_field=True, thon=None, topic="cấp nước sinh hoạt",
            )
            deadline = self._working_on_or_after(self.today + dt.timedelta(days=5))
            if self.simulate(plan, state="assigned", created=self._days_ago(days_ago), deadline=deadline,
                             cap=self.cap, assign_mode="none"):
                self.plans.append(plan)
        # Drafts the leaders are still writing.
        for days_ago, title, unit, deadline_in in (
            (0.8, "Chuẩn bị nội dung tổng kết công tác năm, xây dựng kế hoạch năm tới", "VP", 20),
            (1.5, "Rà soát nhu cầu sửa chữa phòng học trước mùa mưa bão", "VHXH", None),
            (2.5, "Kiểm tra công tác phòng cháy rừng mùa khô tại thôn Bình Chương", "QS", 14),
        ):
            leader = self._pid(self.leaders[0])
            plan = Plan(
                title=title, description="Dự thảo nhiệm vụ, chưa giao.", source="ad_hoc", source_ref=None,
                directive=None, lead=unit, coord=[], priority="normal", creator=leader,
                head=self._pid(self.heads[unit]), approver=leader, assignees=[], in_field=False, thon=None,
            )
            deadline = (self._working_on_or_after(self.today + dt.timedelta(days=deadline_in))
                        if deadline_in is not None else None)
            if self.simulate(plan, state="draft", created=self._days_ago(days_ago), deadline=deadline, cap=self.cap):
                self.plans.append(plan)
        # canbo's own tasks led by his team, outside any split.
        for state, days_ago, title, directive_index, thon in (
            ("done", 150, "Rà soát, thống kê công trình xây dựng không phép tại thôn Phụng Du", 0, "Phụng Du"),
            ("cancelled", 95, "Kiểm tra hiện trạng sử dụng khu đất công ích thôn Bình Chương", 4, "Bình Chương"),
        ):
            directive = self.directives[directive_index]
            plan = Plan(
                title=title, description=f"Thực hiện {directive['spec'].label}: {directive['summary']}",
                source="directive", source_ref=None, directive=directive["id"], lead="DCXD", coord=[],
                priority="normal", creator=directive["signer_id"], head=self._pid(self.heads["DCXD"]),
                approver=directive["signer_id"], assignees=[self._pid(self.by_username["canbo"])], in_field=True,
                thon=thon, topic="",
            )
            created = self._days_ago(days_ago)
            for _ in range(40):
                if self.simulate(plan, state=state, created=created, deadline=self._deadline_for(plan, created),
                                 cap=self.cap, assign_mode="later"):
                    self.plans.append(plan)
                    break

    # ------------------------------------------------------------ writing

    async def write(self) -> dict[str, Any]:
        started = time.monotonic()
        async with write_transaction():
            if await Unit.exists():
                return {"seeded": False}
            for key, code, name, kind, parent in UNITS:
                unit = await create_unit(name=name, code=code, kind=kind,
                                         parent_id=self.unit_ids[parent] if parent else None)
                self.unit_ids[key] = unit.id
            await self._write_people()
            await self._write_directives()
            self.plan_tasks()
            self.plan_showcase()
            await self._write_tasks()
            # The tasks went in around tasks.services: rebuild the dashboard's kept unit counts from them.
            from server.dashboard import aggregate

            await aggregate.rebuild()
        counts: dict[str, int] = {}
        for plan in self.plans:
            counts[plan.state] = counts.get(plan.state, 0) + 1
        return {
            "seeded": True,
            "units": len(UNITS),
            "people": len(self.people),
            "directives": len(self.directives),
            "tasks": len(self.plans),
            "tasks_by_state": dict(sorted(counts.items())),
            "progress_reports": sum(1 for p in self.plans for e in p.events if e.report is not None),
            "events": sum(len(p.events) for p in self.plans),
            "seconds": round(time.monotonic() - started, 2),
        }

    def _task_row(self, plan: Plan) -> Task:
        assert plan.created_at is not None and plan.updated_at is not None
        return Task(
            title=plan.title, description=plan.description, source=plan.source, source_ref=plan.source_ref,
            directive=plan.directive, parent=plan.parent.id if plan.parent else None,
            lead_unit=self.unit_ids[plan.lead], state=plan.state, priority=plan.priority, deadline=plan.deadline,
            deadline_working_days=plan.deadline_wd, assigned_at=plan.assigned_at, created_by=plan.creator,
            created_at=plan.created_at, updated_at=plan.updated_at, submitted_at=plan.submitted_at,
            completed_at=plan.completed_at, approved_at=plan.approved_at, approved_by=plan.approved_by,
            cancelled_reason=plan.cancelled_reason, progress_percent=plan.progress, version=plan.version,
            search_text=fold(f"{plan.title} {plan.description}"),
        )

    async def _write_people(self) -> None:
        from server.auth.passwords import hash_password  # argon2 work at import: only when seeding

        self.plan_people()
        password_hash = hash_password(DEMO_PASSWORD)
        created_at = self.now - dt.timedelta(days=200)
        rows = []
        for person in self.people:
            email = f"{person.username}@hoaihuong.gov.vn"
            phone = "0" + self.rng.choice("3579") + "".join(str(self.rng.randint(0, 9)) for _ in range(8))
            rows.append(Person(
                username=person.username, full_name=person.full_name, title=person.title, email=email, phone=phone,
                role=person.role, unit=self.unit_ids[person.unit], password_hash=password_hash, active=True,
                is_demo=True, locale="vi", search_text=fold(f"{person.full_name} {person.username} {person.title}"),
                created_at=created_at,
            ))
        inserted = await Person.insert(*rows).returning(Person.id, Person.username)
        ids = {row["username"]: row["id"] for row in inserted}
        for person in self.people:
            person.id = ids[person.username]
            await audit.record(
                actor_id=None, actor_name=SEED_ACTOR_NAME, action=SEED_ACTION, entity="person", entity_id=person.id,
                after={"id": person.id, "username": person.username, "full_name": person.full_name,
                       "title": person.title, "role": person.role, "unit_id": self.unit_ids[person.unit],
                       "active": True, "is_demo": True},
            )

    async def _write_directives(self) -> None:
        self.plan_directives()
        for directive in self.directives:
            rows = await Directive.insert(Directive(
                number=directive["number"], issued_on=directive["issued_on"], signer=directive["signer"],
                issuing_body=directive["issuing_body"], kind=directive["kind"], title=directive["title"],
                summary=directive["summary"], unit=self.unit_ids["HH"], created_by=directive["signer_id"],
                created_at=directive["created_at"],
                search_text=fold(f"{directive['number']} {directive['title']} {directive['summary']} "
                                 f"{directive['signer']}"),
            )).returning(Directive.id)
            directive["id"] = rows[0]["id"]
            await audit.record(
                actor_id=None, actor_name=SEED_ACTOR_NAME, action=SEED_ACTION, entity="directive",
                entity_id=directive["id"],
                after={"number": directive["number"], "title": directive["title"], "kind": directive["kind"],
                       "issued_on": directive["issued_on"], "signer": directive["signer"]},
            )

    async def _write_tasks(self) -> None:
        order = {id(plan): index for index, plan in enumerate(self.plans)}
        self.plans.sort(key=lambda plan: (plan.created_at, order[id(plan)]))
        # Top-level tasks first, then the parts that point at them; ids follow created_at within each.
        for generation in ([p for p in self.plans if p.parent is None], [p for p in self.plans if p.parent]):
            ids = await _insert_returning_ids(Task, [self._task_row(plan) for plan in generation])
            for plan, task_id in zip(generation, ids, strict=True):
                plan.id = task_id
        coordinating, assignees, deadlines, extensions = [], [], [], []
        reports: list[tuple[Plan, Rep]] = []
        for plan in self.plans:
            coordinating += [TaskCoordinatingUnit(task=plan.id, unit=self.unit_ids[u]) for u in plan.coord]
            assignees += [TaskAssignee(task=plan.id, person=person, is_main=main, assigned_at=at)
                          for person, main, at in plan.assignee_rows]
            deadlines += [TaskDeadline(task=plan.id, deadline=d.deadline, previous=d.previous, reason=d.reason,
                                       set_by=d.set_by, set_at=d.set_at) for d in plan.deadlines]
            extensions += [ExtensionRequest(
                task=plan.id, requested_by=x.requested_by, requested_deadline=x.requested_deadline, reason=x.reason,
                state=x.state, decided_by=x.decided_by, decided_at=x.decided_at, decision_note=x.decision_note,
                created_at=x.created_at) for x in plan.extensions]
            reports += [(plan, event.report) for event in plan.events if event.report is not None]
        for table, rows_ in ((TaskCoordinatingUnit, coordinating), (TaskAssignee, assignees),
                             (TaskDeadline, deadlines), (ExtensionRequest, extensions)):
            await _insert_many(table, rows_)
        # Reports and events go in the order they were received, so ids follow time as they do live.
        reports.sort(key=lambda pair: pair[1].received)
        ids = await _insert_returning_ids(ProgressReport, [ProgressReport(
            task=plan.id, author=report.author, note=report.note, percent=report.percent,
            latitude=report.latitude, longitude=report.longitude, accuracy_m=report.accuracy,
            captured_at=report.captured, received_at=report.received, client_id=report.client_id,
        ) for plan, report in reports])
        for (_, report), report_id in zip(reports, ids, strict=True):
            report.id = report_id
        timeline = [(event.t, order_index, plan, event) for plan in self.plans
                    for order_index, event in enumerate(plan.events)]
        timeline.sort(key=lambda item: (item[0], item[2].id, item[1]))
        await _insert_many(TaskEvent, [
            TaskEvent(task=plan.id, kind=event.kind, from_state=event.from_state, to_state=event.to_state,
                      actor=event.actor, note=event.note, refused=False,
                      progress_report=event.report.id if event.report else None, captured_at=event.captured,
                      received_at=event.t)
            for _, _, plan, event in timeline
        ])
        for plan in self.plans:
            await audit.record(
                actor_id=None, actor_name=SEED_ACTOR_NAME, action=SEED_ACTION, entity="task", entity_id=plan.id,
                after={"title": plan.title, "state": plan.state, "lead_unit": self.unit_ids[plan.lead],
                       "parent": plan.parent.id if plan.parent else None, "directive": plan.directive,
                       "deadline": plan.deadline, "version": plan.version},
            )


async def _insert_many(table: type, rows: list, chunk: int = 200) -> None:
    for start in range(0, len(rows), chunk):
        await table.insert(*rows[start : start + chunk])


async def _insert_returning_ids(table: Any, rows: list, chunk: int = 200) -> list[int]:
    """Insert in chunks; the ids, in the order of `rows`.

    One multi-row INSERT draws its ids from the sequence row by row, in the order of its VALUES, so sorting
    the returned ids gives that order whatever order RETURNING lists them in.
    """
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        returned = await table.insert(*rows[start : start + chunk]).returning(table.id)
        ids += sorted(row["id"] for row in returned)
    return ids


async def seed_demo() -> dict[str, Any]:
    """Load the demo commune when the database has no units; return what was written ({"seeded": False} if not)."""
    if await Unit.exists():
        return {"seeded": False}
    await ensure_holidays_seeded()
    builder = DemoBuilder(clock.now(), await load_calendar())
    result = await builder.write()
    result["report_categories"] = await seed_portal_demo(VILLAGES, COMMUNE_CENTRE)
    return result
