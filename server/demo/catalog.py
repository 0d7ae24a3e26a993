"""The demo's directives and meeting conclusions with the tasks they order, and the ad-hoc tasks."""

from __future__ import annotations

from dataclasses import dataclass


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
