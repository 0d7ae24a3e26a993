"""The words of a generated task: its place, its title by kind, and the directive it follows."""

from __future__ import annotations

import bisect
from datetime import date

from bench import vocab
from bench.gen_province import DirectivePlan, UnitPlan, period_words


class TaskTitles:
    """The title-making part of bench.gen_tasks.TaskFactory (it sets rng, p, directives_by_unit)."""

    # -- words ---------------------------------------------------------------------------------------------

    def place(self, commune: UnitPlan) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            return f"{'tổ dân phố' if commune.ward else 'thôn'} {rng.randint(1, 14)}"
        if r < 0.6:
            return f"{'khu phố' if commune.ward else 'thôn'} {rng.choice(vocab.HAMLET_NAMES)}"
        if r < 0.8:
            street = f"đường {rng.choice(vocab.STREETS)}"
            if rng.random() < 0.4:
                street += f" đoạn qua {'tổ dân phố' if commune.ward else 'thôn'} {rng.randint(1, 14)}"
            return street
        return rng.choice(vocab.LANDMARKS).format(
            c=commune.short, h=rng.choice(vocab.HAMLET_NAMES), n=rng.randint(1, 5), road=rng.randint(630, 640)
        )

    def field_title(self, top: UnitPlan) -> str:
        rng = self.rng
        action = rng.choice(vocab.FIELD_ACTIONS)
        if top.kind == "commune":
            return f"{action} tại {self.place(top)}"
        commune = rng.choice(self.communes)
        return f"{action} tại {self.place(commune)}, {commune.commune}"

    def admin_title(self, top: UnitPlan, day: date) -> str:
        rng = self.rng
        templates = vocab.COMMUNE_ADMIN_TEMPLATES if top.kind == "commune" else vocab.ADMIN_TEMPLATES
        return rng.choice(templates).format(
            topic=rng.choice(vocab.TOPICS),
            year=day.year,
            period=period_words(rng, day),
            people=rng.choice(vocab.LIST_TOPICS),
            lvl="phường" if top.ward else "xã",
            hamlets="tổ dân phố" if top.ward else "thôn",
        )

    def petition_title(self, top: UnitPlan) -> str:
        rng = self.rng
        commune = top if top.kind == "commune" else rng.choice(self.communes)
        return rng.choice(vocab.PETITION_TEMPLATES).format(topic=rng.choice(vocab.TOPICS), place=commune.commune)

    def directive_for(self, unit_id: int, day_ord: int) -> DirectivePlan | None:
        found = self.directives_by_unit.get(unit_id)
        if not found:
            return None
        ords, items = found
        hi = bisect.bisect_right(ords, day_ord)
        lo = bisect.bisect_left(ords, day_ord - 45)
        if hi > lo:
            return items[self.rng.randrange(lo, hi)]
        return items[hi - 1] if hi else None
