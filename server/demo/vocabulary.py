"""The demo commune as words: its units and people, names, villages, the citizens' reports and petitions, and
the notes, reasons and comments its officers write."""

from __future__ import annotations

import datetime as dt

from server.lib import clock

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
