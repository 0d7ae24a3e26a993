"""The demo commune's citizen side: categories routed to units, the Open311 key, and the reports themselves.

A receptionist who signs in to a fresh `make run` finds a morning's work waiting (new field reports with
photos, two of them the same broken pipe, one spam, a voter petition), and a citizen who follows a code finds
answered reports with their "after" photos. The reports behind the builder's citizen tasks are written to
match those tasks (same tracking code, unit, dates and answer), so the desk and the portal tell one story.
New reports go through the real intake (`submit_report`), so codes, search text, photo copies and the
receptionists' notices are made exactly as for a citizen's.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from typing import Any

from PIL import Image, ImageDraw

from server.lib import clock
from server.lib.db import write_transaction
from server.people.services import get_actor
from server.people.tables import Person
from server.reports.tables import Category, Report, ReportEvent, ReportKind, ReportPhoto, ReportStatus
from server.tasks.tables import Task, TaskEvent
from server.units.tables import Unit

DEMO_CATEGORIES = (
    # code, name, target in working days, the unit that answers
    ("ve-sinh-moi-truong", "Vệ sinh môi trường, rác thải", 5, "Tổ Tài nguyên - Môi trường"),
    ("nuoc-sinh-hoat", "Nước sinh hoạt", 3, "Phòng Kinh tế"),
    ("giao-thong", "Giao thông, đường sá, cầu cống", 7, "Tổ Địa chính - Xây dựng"),
    ("trat-tu-xay-dung", "Trật tự xây dựng, lấn chiếm vỉa hè", 5, "Tổ Địa chính - Xây dựng"),
    ("an-ninh-trat-tu", "An ninh trật tự", 2, "Công an xã"),
)

# Which category a citizen task of the builder belongs to, by the words of its title.
CATEGORY_BY_WORDS = (
    (("rác", "cống", "mùi"), "ve-sinh-moi-truong"),
    (("nước sinh hoạt",), "nuoc-sinh-hoat"),
    (("lấn chiếm", "xây dựng"), "trat-tu-xay-dung"),
    (("karaoke", "ồn", "trộm", "an ninh"), "an-ninh-trat-tu"),
)

# The morning's queue: category, description, address, village, hours ago, reporter (name, phone, e-mail).
WAITING: tuple[tuple[str, str, str, str, float, tuple[str, str, str]], ...] = (
    ("nuoc-sinh-hoat", "Đường ống nước sạch bị vỡ, nước chảy tràn ra đường từ tối qua, nhiều nhà mất nước.",
     "Đầu ngõ 12, đường liên thôn Ngọc An Đông", "Ngọc An Đông", 1.5, ("Nguyễn Văn Tư", "0905123401", "")),
    ("nuoc-sinh-hoat", "Vỡ ống nước ở đầu ngõ, nước chảy lênh láng, xe máy đi qua rất trơn.",
     "Gần nhà văn hóa thôn Ngọc An Đông", "Ngọc An Đông", 0.7, ("Lê Thị Hoa", "0905123402", "")),
    ("ve-sinh-moi-truong", "Rác thải sinh hoạt đổ thành đống bên bờ mương, bốc mùi hôi, ruồi nhặng rất nhiều.",
     "Bờ mương thủy lợi thôn Tân Thành", "Tân Thành", 3.2, ("Trần Văn Nam", "0905123403", "nam.tran@example.vn")),
    ("giao-thong", "Ổ gà lớn giữa đường bê tông, trời tối xe máy dễ té ngã, đã có người bị thương.",
     "Đường bê tông thôn Thạnh Xuân, đoạn qua trường tiểu học", "Thạnh Xuân", 5.0, ("Phạm Thị Lan", "0905123404", "")),
    ("giao-thong", "Biển báo giao thông ở ngã ba bị đổ sau mưa bão, lái xe không thấy hướng rẽ.",
     "Ngã ba Lương Thọ", "Lương Thọ", 20.0, ("Võ Văn Sáu", "0905123405", "")),
    ("trat-tu-xay-dung", "Nhà dân xây tường rào lấn ra lòng đường khoảng một mét, xe ô tô không qua được.",
     "Xóm 3, thôn Phụng Du", "Phụng Du", 26.0, ("Huỳnh Thị Mai", "0905123406", "")),
    ("an-ninh-trat-tu", "Nhóm thanh niên tụ tập nẹt pô, đua xe trên đường liên thôn sau 23 giờ mỗi tối.",
     "Đường liên thôn Bình Chương", "Bình Chương", 9.0, ("Đặng Văn Hòa", "0905123407", "")),
    ("ve-sinh-moi-truong", "Xác gia súc chết trôi dưới kênh, nước bốc mùi, người dân không dám dùng nước tưới.",
     "Kênh N2 thôn Trung Lương", "Trung Lương", 44.0, ("Bùi Thị Thu", "0905123408", "")),
    ("giao-thong", "Cây xanh ven đường nghiêng hẳn ra lòng đường sau gió lớn, có nguy cơ đổ vào người đi đường.",
     "Đường ven sông Lại Giang, thôn Ngọc An Tây", "Ngọc An Tây", 50.0, ("Ngô Văn Lực", "0905123409", "")),
    ("nuoc-sinh-hoat", "Nước máy có màu vàng đục và mùi clo nặng ba ngày nay.",
     "Thôn Thạnh Xuân Đông", "Thạnh Xuân Đông", 60.0, ("Lý Thị Ngọc", "0905123410", "")),
)
SPAM = ("an-ninh-trat-tu", "Bán sim số đẹp giá rẻ, liên hệ ngay để được tư vấn miễn phí!!!",
        "Toàn xã", "Ngọc An Trung", 30.0, ("Quảng cáo", "0905123499", ""))
PETITION = {
    "session": "Tiếp xúc cử tri trước kỳ họp thứ 12, HĐND xã khóa XIII",
    "constituency": "Đơn vị bầu cử số 2 (thôn Ngọc An Trung, Ngọc An Tây)",
    "deputies": "Ông Nguyễn Văn Thành, bà Trần Thị Kim Oanh",
    "voters_group": "Cử tri thôn Ngọc An Trung",
    "description": "Cử tri đề nghị UBND xã sớm lắp đặt hệ thống đèn chiếu sáng trên tuyến đường liên thôn "
    "Ngọc An Trung – Ngọc An Tây, vì buổi tối học sinh đi học về rất nguy hiểm.",
    "address": "Tuyến đường liên thôn Ngọc An Trung – Ngọc An Tây",
    "category": "giao-thong",
}


async def seed_portal_demo(villages: dict[str, tuple[float, float]], centre: tuple[float, float]) -> int:
    """Categories routed to the demo units, the Open311 key, then the reports: those behind the builder's
    citizen tasks, and a morning's queue for the receptionist. Returns the number of categories."""
    from server.reports.admin import ensure_demo_open311_key
    from server.reports.services import save_category

    units = {row["name"]: row["id"] for row in await Unit.select(Unit.id, Unit.name)}
    for order, (code, name, days, unit_name) in enumerate(DEMO_CATEGORIES):
        await save_category(None, code=code, name=name, target_days=days, default_unit_id=units.get(unit_name),
                            sort_order=order)
    await ensure_demo_open311_key()
    categories = {row["code"]: row for row in await Category.select(Category.id, Category.code,
                                                                     Category.target_days)}
    rng = random.Random(20261206)
    await _reports_behind_citizen_tasks(categories, villages, centre, rng)
    await _routing_history(categories, villages, units, rng)
    await _morning_queue(categories, villages, rng)
    # The learned routing's first fit now (the worker refits it nightly): the receptionist's queue shows its
    # suggestions from the first page.
    from server.forecast.suggestions import refresh_routing

    for root in await Unit.select(Unit.id).where(Unit.parent.is_null()):
        await refresh_routing(root["id"])
    return len(DEMO_CATEGORIES)


def field_photo(rng: random.Random, after: bool = False, size: tuple[int, int] = (960, 720)) -> bytes:
    """A stand-in for a phone's photo: sky, a road, and either litter and a puddle or a clean surface."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.35, 0.5))
    for y in range(horizon):  # sky
        shade = int(170 + 60 * y / horizon)
        draw.line([(0, y), (width, y)], fill=(shade - 60, shade - 20, shade))
    draw.rectangle([0, horizon, width, height], fill=(104, 140, 72))  # fields
    draw.polygon([(width * 0.35, horizon), (width * 0.65, horizon), (width, height), (0, height)],
                 fill=(150, 150, 146) if after else (128, 124, 118))  # the road
    if not after:
        for _ in range(rng.randint(6, 14)):  # what the citizen photographed
            x, y = rng.uniform(0.2, 0.8) * width, rng.uniform(horizon + 40, height - 20)
            radius = rng.uniform(12, 46)
            colour = rng.choice([(92, 64, 40), (40, 90, 150), (200, 200, 190), (70, 70, 70)])
            draw.ellipse([x - radius, y - radius * 0.6, x + radius, y + radius * 0.6], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=78)
    return buffer.getvalue()


def _category_of(title: str, unit_name: str, categories: dict[str, dict[str, Any]]) -> dict[str, Any]:
    lowered = title.lower()
    for words, code in CATEGORY_BY_WORDS:
        if any(word in lowered for word in words):
            return categories[code]
    return categories["giao-thong" if "Địa chính" in unit_name else "ve-sinh-moi-truong"]


def _place(title: str, villages: dict[str, tuple[float, float]], centre: tuple[float, float],
           rng: random.Random) -> tuple[str, tuple[float, float]]:
    # The longest name first: "Thạnh Xuân Đông" is not "Thạnh Xuân".
    for name in sorted(villages, key=len, reverse=True):
        if name in title:
            lat, lon = villages[name]
            return f"Thôn {name}", (lat + rng.uniform(-0.002, 0.002), lon + rng.uniform(-0.002, 0.002))
    return "Trung tâm xã", centre


async def _reports_behind_citizen_tasks(categories: dict[str, dict[str, Any]],
                                        villages: dict[str, tuple[float, float]], centre: tuple[float, float],
                                        rng: random.Random) -> None:
    from server.media.services import store_file
    from server.reports.services import _search_text

    tasks = await Task.select(Task.id, Task.title, Task.description, Task.source_ref, Task.state, Task.created_at,
                              Task.approved_at, Task.lead_unit, Task.lead_unit.name, Task.deadline).where(
        (Task.source == "citizen_report") & Task.parent.is_null()).order_by(Task.created_at)
    submissions = {}
    for event in await TaskEvent.select(TaskEvent.task, TaskEvent.note).where(
            TaskEvent.task.is_in([t["id"] for t in tasks] or [0]) & (TaskEvent.to_state == "submitted")
            & (TaskEvent.refused.eq(False))).order_by(TaskEvent.received_at):
        submissions[event["task"]] = event["note"]  # the last submission wins
    for task in tasks:
        category = _category_of(task["title"], task["lead_unit.name"], categories)
        address, (lat, lon) = _place(task["title"], villages, centre, rng)
        wrote = re.search(r"\): (.*?)\. Đề nghị", task["description"])
        description = (wrote.group(1) if wrote else task["title"]).strip()
        description = description[:1].upper() + description[1:] + "."
        accepted_at = task["created_at"]
        received_at = accepted_at - dt.timedelta(hours=rng.uniform(1, 30))
        done = task["state"] == "done" and task["approved_at"] is not None
        answer = (submissions.get(task["id"]) or "Đơn vị đã kiểm tra và xử lý xong tại hiện trường.").strip()
        photos = [(await store_file(field_photo(rng)))["sha256"]]
        if done:
            photos.append((await store_file(field_photo(rng, after=True)))["sha256"])
        async with write_transaction():
            [row] = await Report.insert(Report(
                code=task["source_ref"], kind=ReportKind.report.value, category=category["id"],
                description=description, latitude=lat, longitude=lon, address=address,
                status=(ReportStatus.resolved if done else ReportStatus.accepted).value, source="portal",
                reporter_name="Người dân (demo)", consent_at=received_at, received_at=received_at,
                triaged_at=accepted_at, first_answer_at=accepted_at, resolved_at=task["approved_at"] if done else None,
                updated_at=task["approved_at"] if done else accepted_at, target_days=category["target_days"],
                unit=task["lead_unit"], task_id=task["id"], public_answer=answer if done else "",
                search_text=_search_text(task["source_ref"], description, address),
            )).returning(Report.id)
            report_id = row["id"]
            for position, sha in enumerate(photos):
                await ReportPhoto.insert(ReportPhoto(
                    report=report_id, kind="after" if position else "before", original_sha256=sha,
                    position=position, created_at=received_at))
            steps = [("received", "", received_at), ("accepted", "", accepted_at),
                     ("assigned", task["lead_unit.name"], accepted_at)]
            if done:
                steps += [("answered", answer, task["approved_at"]), ("resolved", "", task["approved_at"])]
            await ReportEvent.insert(*[ReportEvent(report=report_id, kind=kind, note=note, at=at)
                                       for kind, note, at in steps])
    # The public copies are made now, so the portal shows them before the worker's first tick.
    from server.reports.services import process_pending_photos

    await process_pending_photos()


# A year of handled reports the learned routing learns from (issue 15): category, the ways citizens said it, the
# villages, the unit that really handled them. Broken pipes in the Ngọc An villages went to the land and building
# team (it repairs the pipes there), though the rule sends water to the economy office: receptionists re-routed
# every one, and the morning's broken pipe in Ngọc An Đông is suggested to that team, beside the rule's choice.
HISTORY: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str, int], ...] = (
    ("nuoc-sinh-hoat", ("Vỡ ống nước đầu ngõ", "Rò rỉ đường ống nước sạch", "Ống cấp nước bị bể, nước chảy tràn",
                        "ong nuoc bi vo gan nha van hoa"), ("Ngọc An Đông", "Ngọc An Tây", "Ngọc An Trung"),
     "Tổ Địa chính - Xây dựng", 16),
    ("nuoc-sinh-hoat", ("Mất nước sinh hoạt cả ngày", "Nước máy đục, có cặn", "Nước chảy yếu không đủ dùng"),
     (), "Phòng Kinh tế", 12),
    ("ve-sinh-moi-truong", ("Rác thải đổ bừa bãi ven đường", "Bãi rác tự phát bốc mùi", "Cống rãnh nghẹt, bốc mùi hôi"),
     (), "Tổ Tài nguyên - Môi trường", 14),
    ("giao-thong", ("Ổ gà lớn giữa đường bê tông", "Mặt đường sụt lún", "Cây đổ chắn ngang đường"),
     (), "Tổ Địa chính - Xây dựng", 12),
    ("an-ninh-trat-tu", ("Karaoke ồn ào đến khuya", "Thanh niên nẹt pô gây ồn"), (), "Công an xã", 8),
)


async def _routing_history(categories: dict[str, dict[str, Any]], villages: dict[str, tuple[float, float]],
                           units: dict[str, int], rng: random.Random) -> None:
    """Each handled report as the portal shows one: its timeline, and a photo before and after, as every answered
    report has (a few pictures are shared between them: the pool keeps the seeding quick)."""
    from server.media.services import store_file
    from server.reports.intake import new_code
    from server.reports.services import _search_text, process_pending_photos

    # The pictures and the hours of acceptance draw from their own generator: the history's own draws (and so what
    # the routing learns, and the morning queue's suggestions) stay those the demo was written for.
    extra = random.Random(20261207)
    befores = [(await store_file(field_photo(extra)))["sha256"] for _ in range(4)]
    afters = [(await store_file(field_photo(extra, after=True)))["sha256"] for _ in range(4)]
    now = clock.now()
    answer = "Đơn vị đã kiểm tra và xử lý xong tại hiện trường."
    async with write_transaction():
        for code, sayings, places, unit_name, count in HISTORY:
            if code not in categories or unit_name not in units:
                continue
            for _ in range(count):
                village = rng.choice(places or tuple(villages))
                lat, lon = villages.get(village, next(iter(villages.values())))
                received = now - dt.timedelta(days=rng.uniform(20, 360), hours=rng.uniform(0, 12))
                accepted = received + dt.timedelta(hours=extra.uniform(1, 20))
                handled = received + dt.timedelta(days=rng.uniform(1, 6))
                description = f"{rng.choice(sayings)}, thôn {village}."
                report_code = new_code()
                [row] = await Report.insert(Report(
                    code=report_code, kind=ReportKind.report.value, category=categories[code]["id"],
                    description=description, latitude=lat + rng.uniform(-0.002, 0.002),
                    longitude=lon + rng.uniform(-0.002, 0.002), address=f"Thôn {village}",
                    status=ReportStatus.resolved.value, source="portal", reporter_name="Người dân (demo)",
                    consent_at=received, received_at=received, triaged_at=accepted, first_answer_at=accepted,
                    resolved_at=handled, updated_at=handled, target_days=categories[code]["target_days"],
                    unit=units[unit_name], public_answer=answer,
                    search_text=_search_text(report_code, description, f"Thôn {village}"),
                )).returning(Report.id)
                await ReportPhoto.insert(
                    ReportPhoto(report=row["id"], kind="before", original_sha256=extra.choice(befores), position=0,
                                created_at=received),
                    ReportPhoto(report=row["id"], kind="after", original_sha256=extra.choice(afters), position=1,
                                created_at=handled),
                )
                steps = (("received", "", received), ("accepted", "", accepted), ("assigned", unit_name, accepted),
                         ("answered", answer, handled), ("resolved", "", handled))
                await ReportEvent.insert(*[ReportEvent(report=row["id"], kind=kind, note=note, at=at)
                                           for kind, note, at in steps])
    await process_pending_photos()


async def _morning_queue(categories: dict[str, dict[str, Any]], villages: dict[str, tuple[float, float]],
                         rng: random.Random) -> None:
    """The reports waiting for triage, filed through the real intake at their own past moments."""
    from server.reports.services import process_pending_photos, record_petition, submit_report
    from server.reports.triage import reject

    receptionist_row = await Person.select(Person.id).where(Person.username == "tiepnhan").first()
    receptionist = await get_actor(receptionist_row["id"]) if receptionist_row else None
    real_now = clock.now()
    try:
        for index, (code, text, address, village, hours_ago, (name, phone, email)) in enumerate((*WAITING, SPAM)):
            lat, lon = villages.get(village, next(iter(villages.values())))
            clock.freeze(real_now - dt.timedelta(hours=hours_ago))
            filed = await submit_report(
                category_id=categories[code]["id"], description=text, photos=[field_photo(rng)],
                latitude=lat + rng.uniform(-0.0004, 0.0004), longitude=lon + rng.uniform(-0.0004, 0.0004),
                address=address, name=name, phone=phone, email=email, consent=True,
                client_ip=f"203.113.0.{index + 10}")
            if (code, text) == SPAM[:2] and receptionist is not None:
                clock.freeze(real_now - dt.timedelta(hours=hours_ago - 2))
                await reject(receptionist, filed["id"], kind="spam",
                             reason="Nội dung quảng cáo, không phải phản ánh hiện trường.")
        if receptionist is not None:
            clock.freeze(real_now - dt.timedelta(hours=4))
            await record_petition(receptionist, session=PETITION["session"],
                                  constituency=PETITION["constituency"], deputies=PETITION["deputies"],
                                  voters_group=PETITION["voters_group"], description=PETITION["description"],
                                  category_id=categories[PETITION["category"]]["id"], address=PETITION["address"])
    finally:
        clock.freeze(None)
    await process_pending_photos()
