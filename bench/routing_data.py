"""Citizen reports for the learned routing's and the duplicates' benchmarks (bench/routing_bench.py,
bench/duplicates_bench.py).

A commune of 12 hamlets over about 18 months, where who really handles a problem depends on the problem (not
only on the category the citizen ticked), on the place and on the time, as the seeds' communes tell it:
- water in the upper hamlets is the water co-operative's, in the lower ones the economy office's; from
  FIRST_OF_TAKEOVER the co-operative also takes the pipes of hamlets 4-6;
- street lights are the power company's in the centre and the land office's elsewhere, though citizens file
  them under "traffic" like potholes;
- rubbish at the market is the market board's; encroachment in the centre is the urban order team's;
- a citizen ticks a wrong category one time in seven; one report in three is typed without diacritics.
The rules (`RULES`, as an admin would write them: a unit per category, one area rule) are right for most
reports and wrong where the handling depends on the problem, the place or the date. A receptionist re-routes
the rule's wrong choices: the final unit is the truth (with 3% of it noise: a unit that took one by chance).

Duplicates are labelled: one report in six is reported again by a neighbour within days, nearby, in other
words (and sometimes another category). Same problems at the same hamlet weeks apart are not duplicates.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from bench.draws import poisson
from server.lib.vn_text import fold

CENTER = (15.8790, 108.3350)
HAMLETS = 12
DAYS = 540
START = dt.date(2025, 6, 2)
FIRST_OF_TAKEOVER = dt.date(2026, 6, 1)

UNITS = {
    1: "Phòng Kinh tế", 2: "Tổ Địa chính - Xây dựng", 3: "Tổ Tài nguyên - Môi trường", 4: "Công an xã",
    5: "HTX Dịch vụ cấp nước", 6: "Điện lực khu vực", 7: "Ban quản lý chợ", 8: "Đội trật tự đô thị",
}
CATEGORIES = {1: "Nước sinh hoạt", 2: "Vệ sinh môi trường", 3: "Giao thông, đường sá", 4: "Trật tự xây dựng",
              5: "An ninh trật tự"}
# A rule per category (the category's default unit), and the one area rule the admin added.
RULES = {1: 1, 2: 3, 3: 2, 4: 2, 5: 4}
AREA_RULE = (1, range(9, 12), 5)  # water in hamlets 9-11 → the co-operative

# problem → (its category, the ways citizens say it)
PROBLEMS: dict[str, tuple[int, tuple[str, ...]]] = {
    "ong_nuoc": (1, ("Vỡ ống nước", "Rò rỉ đường ống nước", "Đường ống nước sạch bị bể", "Ống cấp nước bị thủng",
                     "Nước chảy tràn ra đường do vỡ ống", "Ống nước bị xì, nước chảy lênh láng")),
    "mat_nuoc": (1, ("Mất nước sinh hoạt", "Cúp nước cả ngày", "Nước chảy yếu, không đủ dùng",
                     "Nhiều hộ không có nước sạch")),
    "nuoc_ban": (1, ("Nước máy đục, có mùi", "Nước có màu lạ, nhiều cặn", "Nước sinh hoạt bẩn, vàng")),
    "rac": (2, ("Rác thải đổ thành đống", "Bãi rác tự phát", "Rác không được thu gom nhiều ngày",
                "Người dân đổ rác bừa bãi")),
    "cong": (2, ("Cống thoát nước bị tắc", "Mương nghẹt, nước không thoát", "Hố ga mất nắp",
                 "Cống rãnh nghẹt bốc mùi")),
    "mui": (2, ("Mùi hôi thối từ nước thải", "Ô nhiễm khói bụi", "Đốt rơm gây khói")),
    "den_duong": (3, ("Đèn đường không sáng", "Bóng đèn chiếu sáng bị hỏng", "Cột đèn tắt cả tuần, tối om",
                      "Hệ thống chiếu sáng hư")),
    "o_ga": (3, ("Ổ gà lớn giữa đường", "Mặt đường hư hỏng, sụt lún", "Đường bê tông hư, ổ voi",
                 "Mặt đường bong tróc")),
    "bien_bao": (3, ("Biển báo bị đổ", "Gương cầu lồi bị vỡ", "Vạch kẻ đường mờ ở giao lộ")),
    "cay": (3, ("Cây đổ chắn ngang đường", "Cành cây gãy sắp rơi", "Cây ngã sau mưa")),
    "lan_chiem": (4, ("Lấn chiếm vỉa hè buôn bán", "Xây dựng trái phép lấn ra lòng đường",
                      "Tường rào lấn ra đường")),
    "on": (5, ("Karaoke ồn ào đến khuya", "Loa kẹo kéo hát hò gây ồn", "Thanh niên nẹt pô gây ồn")),
    "gia_suc": (5, ("Chó thả rông cắn người", "Trâu bò thả rông trên đường", "Gia súc thả rông")),
}
PROBLEM_WEIGHTS = {"ong_nuoc": 10, "mat_nuoc": 6, "nuoc_ban": 4, "rac": 9, "cong": 6, "mui": 3, "den_duong": 8,
                   "o_ga": 9, "bien_bao": 3, "cay": 3, "lan_chiem": 5, "on": 5, "gia_suc": 3}
PLACES = ("ở đầu ngõ {n}", "gần nhà văn hóa", "đoạn qua trường học", "gần chợ", "trước nhà số {n}",
          "cạnh cầu", "ở xóm {n}", "gần trạm y tế", "đường liên thôn")
TAILS = ("", " Đề nghị xã kiểm tra xử lý.", " Mong sớm khắc phục.", " Đã mấy ngày chưa ai xử lý.",
         " Rất nguy hiểm cho người đi đường.", " Bà con rất bức xúc.")


def true_unit(problem: str, hamlet: int, day: dt.date) -> int:
    if problem in ("ong_nuoc", "mat_nuoc", "nuoc_ban"):
        if hamlet >= 7 or (problem == "ong_nuoc" and 4 <= hamlet <= 6 and day >= FIRST_OF_TAKEOVER):
            return 5
        return 1
    if problem == "rac":
        return 7 if hamlet == 3 else 3
    if problem in ("cong", "mui"):
        return 3
    if problem == "den_duong":
        return 6 if hamlet <= 4 else 2
    if problem in ("o_ga", "bien_bao", "cay"):
        return 2
    if problem == "lan_chiem":
        return 8 if hamlet <= 3 else 2
    return 4


def rule_unit(category: int, hamlet: int) -> int:
    if category == AREA_RULE[0] and hamlet in AREA_RULE[1]:
        return AREA_RULE[2]
    return RULES[category]


@dataclass
class GenReport:
    id: int
    code: str
    day: dt.date
    at: dt.datetime
    hamlet: int
    lat: float
    lon: float
    problem: str
    category: int
    description: str
    unit: int
    rule: int
    duplicate_of: int | None = None


def hamlet_center(h: int) -> tuple[float, float]:
    # 12 hamlets on a 4 × 3 grid, about 1.6 km apart.
    return CENTER[0] + (h // 4) * 0.015, CENTER[1] + (h % 4) * 0.015


def _point(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    angle, r = rng.uniform(0, 2 * math.pi), metres * math.sqrt(rng.random())
    return lat + r * math.cos(angle) / 111_000, lon + r * math.sin(angle) / (111_000 * math.cos(math.radians(lat)))


def _say(rng: random.Random, problem: str, avoid: str = "") -> str:
    variants = [v for v in PROBLEMS[problem][1] if v != avoid] or list(PROBLEMS[problem][1])
    words = f"{rng.choice(variants)} {rng.choice(PLACES).format(n=rng.randint(1, 30))}.{rng.choice(TAILS)}"
    return fold(words) if rng.random() < 0.33 else words


def reports(seed: int = 7, per_day: float = 6.0) -> list[GenReport]:
    rng = random.Random(seed)
    out: list[GenReport] = []
    problems, weights = list(PROBLEM_WEIGHTS), list(PROBLEM_WEIGHTS.values())

    def add(day: dt.date, hamlet: int, lat: float, lon: float, problem: str, duplicate_of: int | None,
            avoid: str = "") -> GenReport:
        category = PROBLEMS[problem][0]
        if rng.random() < 1 / 7:
            category = rng.choice([c for c in CATEGORIES if c != category])
        unit = true_unit(problem, hamlet, day)
        if rng.random() < 0.03:
            unit = rng.choice(list(UNITS))
        at = dt.datetime.combine(day, dt.time(rng.randint(6, 20), rng.randint(0, 59)), tzinfo=dt.UTC)
        r = GenReport(len(out) + 1, f"PA-{len(out) + 1:05d}", day, at, hamlet, lat, lon, problem, category,
                      _say(rng, problem, avoid), unit, rule_unit(category, hamlet), duplicate_of)
        out.append(r)
        return r

    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        for _ in range(poisson(rng, per_day * (0.6 if day.weekday() >= 5 else 1.0))):
            hamlet = rng.randrange(HAMLETS)
            lat, lon = _point(rng, *hamlet_center(hamlet), 500)
            original = add(day, hamlet, lat, lon, rng.choices(problems, weights)[0], None)
            if rng.random() < 1 / 6:
                for _ in range(rng.choice((1, 1, 2))):
                    later = day + dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5)))
                    dlat, dlon = _point(rng, lat, lon, 150)
                    first = PROBLEMS[original.problem][1]
                    said = next((v for v in first if fold(v) in fold(original.description)), "")
                    add(later, hamlet, dlat, dlon, original.problem, original.id, avoid=said)
    out.sort(key=lambda r: (r.at, r.id))
    return out
