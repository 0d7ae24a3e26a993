"""The Vietnamese words the generator builds a province from: units, people, directives, task titles."""

from __future__ import annotations

PROVINCE_NAME = "Bình Định"

# fmt: off

# (name, code, [sub-unit names]); the province's own office is the root unit itself.
DEPARTMENTS: list[tuple[str, str, list[str]]] = [
    ("Sở Nội vụ", "SNV", ["Phòng Tổ chức, biên chế", "Phòng Cải cách hành chính", "Ban Thi đua - Khen thưởng"]),
    ("Sở Tư pháp", "STP", ["Phòng Văn bản - Phổ biến pháp luật", "Phòng Hành chính tư pháp"]),
    ("Sở Tài chính", "STC", ["Phòng Quản lý ngân sách", "Phòng Tài chính đầu tư", "Phòng Quản lý giá và công sản"]),
    ("Sở Kế hoạch và Đầu tư", "SKHDT", ["Phòng Tổng hợp, quy hoạch", "Phòng Đăng ký kinh doanh"]),
    ("Sở Công Thương", "SCT",
     ["Phòng Quản lý thương mại", "Phòng Quản lý năng lượng", "Phòng Kỹ thuật an toàn - Môi trường"]),
    ("Sở Nông nghiệp và Phát triển nông thôn", "SNN",
     ["Chi cục Thủy lợi", "Chi cục Kiểm lâm", "Chi cục Chăn nuôi và Thú y"]),
    ("Sở Tài nguyên và Môi trường", "STNMT",
     ["Phòng Tài nguyên và Môi trường", "Phòng Quản lý đất đai", "Chi cục Bảo vệ môi trường"]),
    ("Sở Xây dựng", "SXD", ["Phòng Quản lý xây dựng", "Phòng Quy hoạch - Kiến trúc", "Phòng Phát triển đô thị"]),
    ("Sở Giao thông vận tải", "SGTVT", ["Phòng Quản lý kết cấu hạ tầng giao thông", "Phòng Quản lý vận tải"]),
    ("Sở Khoa học và Công nghệ", "SKHCN", ["Phòng Quản lý khoa học", "Chi cục Tiêu chuẩn Đo lường Chất lượng"]),
    ("Sở Thông tin và Truyền thông", "STTTT", ["Phòng Công nghệ thông tin", "Phòng Thông tin - Báo chí - Xuất bản"]),
    ("Sở Giáo dục và Đào tạo", "SGDDT",
     ["Phòng Giáo dục mầm non", "Phòng Giáo dục phổ thông", "Phòng Kế hoạch - Tài chính"]),
    ("Sở Y tế", "SYT", ["Phòng Nghiệp vụ Y", "Chi cục An toàn vệ sinh thực phẩm", "Chi cục Dân số"]),
    ("Sở Lao động - Thương binh và Xã hội", "SLDTBXH",
     ["Phòng Người có công", "Phòng Bảo trợ xã hội", "Phòng Lao động - Việc làm"]),
    ("Sở Văn hóa và Thể thao", "SVHTT", ["Phòng Quản lý văn hóa", "Phòng Quản lý thể dục thể thao"]),
    ("Sở Du lịch", "SDL", ["Phòng Quản lý lữ hành", "Phòng Quản lý cơ sở lưu trú"]),
    ("Sở Ngoại vụ", "SNGV", ["Phòng Lãnh sự - Biên giới", "Phòng Hợp tác quốc tế"]),
    ("Thanh tra tỉnh", "TTT", ["Phòng Tiếp công dân và xử lý đơn", "Phòng Thanh tra kinh tế - xã hội"]),
    ("Ban Dân tộc", "BDT", ["Phòng Chính sách", "Phòng Kế hoạch - Tổng hợp"]),
    ("Ban Quản lý Khu kinh tế", "BQLKKT", ["Phòng Quản lý đầu tư", "Phòng Quản lý tài nguyên - Môi trường"]),
    ("Ban Quản lý dự án Giao thông", "BQLGT", ["Phòng Kỹ thuật", "Phòng Đền bù - Giải phóng mặt bằng"]),
    ("Ban Quản lý dự án Dân dụng và Công nghiệp", "BQLDD", ["Phòng Kỹ thuật", "Phòng Kế hoạch - Tổng hợp"]),
    ("Ban Quản lý dự án Nông nghiệp", "BQLNN", ["Phòng Kỹ thuật", "Phòng Kế hoạch - Tổng hợp"]),
    ("Công an tỉnh", "CAT", ["Phòng Cảnh sát giao thông", "Phòng Cảnh sát PCCC và CNCH", "Phòng Cảnh sát môi trường"]),
    ("Bộ Chỉ huy Quân sự tỉnh", "BCHQS", ["Phòng Tham mưu", "Phòng Chính trị"]),
    ("Cục Thuế tỉnh", "CTH", ["Phòng Kê khai và Kế toán thuế", "Phòng Quản lý nợ"]),
    ("Trung tâm Phục vụ hành chính công tỉnh", "TTHCC",
     ["Phòng Tiếp nhận và Trả kết quả", "Phòng Kiểm soát thủ tục hành chính"]),
    ("Đài Phát thanh và Truyền hình tỉnh", "PTTH", ["Phòng Thời sự", "Phòng Kỹ thuật - Công nghệ"]),
    ("Bảo hiểm xã hội tỉnh", "BHXH", ["Phòng Quản lý thu", "Phòng Chế độ bảo hiểm xã hội"]),
    ("Ban Quản lý các Khu công nghiệp", "BQLKCN", ["Phòng Quản lý doanh nghiệp", "Phòng Quy hoạch - Xây dựng"]),
]

COMMUNE_SUBUNITS = ["Văn phòng HĐND và UBND", "Phòng Kinh tế", "Phòng Văn hóa - Xã hội"]
WARD_SUBUNITS = ["Văn phòng HĐND và UBND", "Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Văn hóa - Xã hội"]

COMMUNE_FIRST = [
    "Hoài", "Nhơn", "Tam", "Phước", "Cát", "Ân", "Tây", "Bình", "Mỹ", "Đức", "Hòa", "An",
    "Tân", "Vĩnh", "Phú", "Thạnh", "Quang", "Bồng", "Cẩm", "Xuân",
]
COMMUNE_SECOND = [
    "Hương", "Thanh", "Hảo", "Mỹ", "Sơn", "Xuân", "Đức", "Hải", "Phú", "Tân", "Lợi", "Hòa",
    "Thành", "Lộc", "Tài", "Khánh", "Hưng", "Quang", "Nghĩa", "Thuận", "Trinh", "Hiệp", "An", "Châu",
]

FAMILY_NAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 3), ("Phan", 4),
    ("Võ", 4), ("Vũ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
    ("Lý", 1), ("Trương", 1), ("Đinh", 1), ("Lâm", 1), ("Mai", 1), ("Tô", 1), ("Đoàn", 1),
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Ngọc", "Hoàng", "Tấn", "Trọng"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Hồng", "Mỹ", "Bích", "Phương"]
GIVEN_MALE = [
    "An", "Anh", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Khoa", "Long",
    "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quang", "Sơn", "Tâm", "Thắng", "Thành", "Tiến", "Trung",
    "Tuấn", "Việt", "Vinh", "Hoàng", "Lộc", "Tài", "Toàn", "Kiên", "Hưng", "Đông",
]
GIVEN_FEMALE = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Lan", "Linh", "Loan",
    "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thúy", "Trang",
    "Trinh", "Uyên", "Vân", "Vy", "Yến", "Nhi", "Huyền",
]

STREETS = [
    "Trần Hưng Đạo", "Quang Trung", "Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Bạch Đằng", "Lý Thường Kiệt",
    "Nguyễn Thái Học", "Phan Bội Châu", "Hùng Vương", "Lê Duẩn", "Tây Sơn", "Võ Thị Sáu", "Ngô Mây",
]
HAMLET_NAMES = [
    "An Lộc", "Trung Lương", "Phú Mỹ", "Tân Thành", "Gia An", "Lộc Thái", "Mỹ An", "Hội Phú",
    "Thiện Chánh", "Cửu Lợi", "Định Trị", "Ngọc An", "Khánh Phước", "Bình Chương",
]
LANDMARKS = [
    "chợ {c}", "trạm y tế {c}", "trường Tiểu học số {n} {c}", "trường THCS {c}", "khu dân cư {h}",
    "cầu {h}", "bãi biển {h}", "cụm công nghiệp {c}", "nghĩa trang nhân dân {c}",
    "kênh N{n}", "Quốc lộ 1A đoạn qua {c}",
    "đường ĐT {road}", "đường liên thôn {n}", "bến cá {h}", "hồ chứa nước {h}",
]

# Work in the field, chiefly in communes: completed with "tại {place}".
FIELD_ACTIONS = [
    "Kiểm tra, xử lý tình trạng lấn chiếm vỉa hè",
    "Xử lý rác thải sinh hoạt tồn đọng",
    "Khắc phục sự cố vỡ đường ống cấp nước",
    "Sửa chữa đèn chiếu sáng công cộng hư hỏng",
    "Nạo vét kênh mương thoát nước",
    "Kiểm tra công trình xây dựng không phép",
    "Giải quyết đơn kiến nghị về tranh chấp ranh giới đất",
    "Xử lý tình trạng nước sinh hoạt bị đục, có mùi",
    "Dọn dẹp cây xanh ngã đổ sau mưa bão",
    "Kiểm tra vệ sinh an toàn thực phẩm",
    "Xử lý điểm ngập úng cục bộ",
    "Vá ổ gà, sửa chữa mặt đường hư hỏng",
    "Kiểm tra tình trạng xả thải gây ô nhiễm môi trường",
    "Xử lý tiếng ồn từ cơ sở sản xuất",
    "Cắm biển cảnh báo sạt lở bờ sông",
    "Rà soát hộ nghèo, hộ cận nghèo",
    "Phun hóa chất phòng chống sốt xuất huyết",
    "Giải phóng mặt bằng dự án mở rộng đường",
    "Hỗ trợ người dân khắc phục thiệt hại do lũ",
    "Kiểm tra tình trạng khai thác cát trái phép",
    "Xử lý vi phạm trật tự xây dựng",
    "Tháo dỡ biển quảng cáo sai quy định",
    "Xử lý tình trạng chăn thả gia súc trên đường giao thông",
    "Giải tỏa chợ tạm lấn chiếm lòng đường",
    "Kiểm tra an toàn phòng cháy chữa cháy",
    "Xử lý cột điện nghiêng, dây điện võng thấp",
    "Lắp đặt camera an ninh",
    "Xác minh, xử lý tình trạng đổ trộm phế thải xây dựng",
    "Kiểm tra cơ sở kinh doanh karaoke gây mất trật tự",
    "Xử lý tình trạng nuôi heo gây ô nhiễm",
    "Thu gom xác động vật chết trôi dạt",
    "Kiểm tra, đo đạc lại diện tích đất ở",
]

# Administrative work, chiefly in departments: "{template}" with a {topic} and maybe a {period}.
ADMIN_TEMPLATES = [
    "Tham mưu UBND tỉnh ban hành kế hoạch {topic} năm {year}",
    "Báo cáo kết quả thực hiện {topic} {period}",
    "Xây dựng dự thảo quyết định về {topic}",
    "Tổ chức kiểm tra việc thực hiện {topic} tại các xã, phường",
    "Rà soát, đề xuất sửa đổi quy định về {topic}",
    "Tổng hợp số liệu {topic} {period}",
    "Triển khai {topic} theo chỉ đạo của Chủ tịch UBND tỉnh",
    "Đôn đốc, đẩy nhanh tiến độ {topic}",
    "Chuẩn bị nội dung họp giao ban về {topic} {period}",
    "Đánh giá, rút kinh nghiệm công tác {topic} {period}",
    "Góp ý dự thảo đề án {topic}",
    "Tuyên truyền, phổ biến {topic} đến người dân",
]
COMMUNE_ADMIN_TEMPLATES = [
    "Báo cáo kết quả thực hiện {topic} trên địa bàn {lvl} {period}",
    "Xây dựng kế hoạch {topic} năm {year}",
    "Tổ chức tuyên truyền {topic} tại các {hamlets}",
    "Rà soát, lập danh sách {people}",
    "Rà soát, cập nhật danh sách {people} {period}",
    "Tổng hợp số liệu {topic} {period} gửi UBND tỉnh",
]
TOPICS = [
    "chuyển đổi số", "cải cách hành chính", "giải ngân vốn đầu tư công", "phòng chống thiên tai",
    "xây dựng nông thôn mới", "bảo vệ môi trường", "quản lý đất đai", "phòng cháy chữa cháy",
    "bảo đảm trật tự an toàn giao thông", "thu ngân sách nhà nước", "bảo hiểm y tế toàn dân",
    "phòng chống dịch bệnh", "giảm nghèo bền vững", "xúc tiến đầu tư", "quản lý trật tự đô thị",
    "an toàn vệ sinh thực phẩm", "cấp giấy chứng nhận quyền sử dụng đất", "xóa nhà tạm, nhà dột nát",
    "giải quyết khiếu nại, tố cáo", "dịch vụ công trực tuyến toàn trình", "Đề án 06",
    "phòng chống tác hại của thuốc lá", "chăm sóc người có công", "tiêm chủng mở rộng",
    "chống khai thác hải sản bất hợp pháp (IUU)", "phòng chống bệnh dịch tả lợn châu Phi",
    "sắp xếp đơn vị hành chính cấp xã", "thực hành tiết kiệm, chống lãng phí",
]
LIST_TOPICS = [
    "hộ nghèo, hộ cận nghèo", "đối tượng bảo trợ xã hội", "hộ dân vùng có nguy cơ sạt lở",
    "người có công với cách mạng",
    "hộ gia đình có nhà tạm, nhà dột nát", "trẻ em trong độ tuổi tiêm chủng", "thanh niên đủ tuổi nhập ngũ",
    "người cao tuổi nhận trợ cấp", "hộ kinh doanh cá thể", "người lao động đi làm việc ở nước ngoài",
]
PETITION_TEMPLATES = [
    "Trả lời kiến nghị cử tri về {topic}",
    "Giải quyết kiến nghị cử tri {place} về {topic}",
]
DIRECTIVE_TITLES = [
    "Về việc tăng cường {topic}",
    "Kế hoạch thực hiện {topic} năm {year}",
    "Về việc chấn chỉnh, nâng cao hiệu quả {topic}",
    "Chỉ thị về đẩy mạnh {topic}",
    "Về việc triển khai các giải pháp cấp bách về {topic}",
]
MEETING_TITLES = [
    "Kết luận của Chủ tịch {lvl} tại cuộc họp về {topic}",
    "Kết luận cuộc họp giao ban tháng {month}/{year}",
    "Kết luận của Phó Chủ tịch {lvl} tại buổi kiểm tra công tác {topic}",
]
DIRECTIVE_SUMMARIES = [
    "Yêu cầu các sở, ban, ngành và UBND các xã, phường khẩn trương triển khai, báo cáo kết quả đúng hạn.",
    "Giao các đơn vị chủ trì phối hợp thực hiện; định kỳ báo cáo tiến độ hằng tháng.",
    "Chấn chỉnh tình trạng chậm trễ, xác định rõ trách nhiệm người đứng đầu.",
    "",
]
TASK_DESCRIPTIONS = [
    "Người dân phản ánh qua ứng dụng. Đề nghị đơn vị kiểm tra thực tế, xử lý dứt điểm và báo cáo kết quả.",
    "Đề nghị đơn vị chủ trì phối hợp các đơn vị liên quan triển khai thực hiện, báo cáo trước thời hạn.",
    "Thực hiện theo chỉ đạo của lãnh đạo UBND; kết quả gửi kèm hình ảnh minh chứng.",
    "Kiểm tra hiện trạng, lập biên bản và đề xuất phương án xử lý.",
    "",
    "",
]
CANCEL_REASONS = [
    "Trùng với nhiệm vụ đã giao",
    "Nội dung đã được xử lý theo văn bản khác",
    "Thay đổi chủ trương, không tiếp tục thực hiện",
    "Giao nhầm đơn vị",
]
# fmt: on
