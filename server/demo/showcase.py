"""The accounts people log in with: crafted tasks that show each role something to do on the first screen."""

from __future__ import annotations

import datetime as dt

from server.demo.plan import (
    Plan,
)
from server.demo.scenario import CommuneScenario
from server.demo.vocabulary import (
    MINUTE,
)


class Showcase(CommuneScenario):
    """What the demo accounts find waiting for them."""

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
