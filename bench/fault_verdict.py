"""The fault run's ledger and verdict: every change the app put in its outbox, compared with the server's records
read straight from the database (lost, duplicated), and the run's summary. Moved from bench/fault_run.py."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.fault_run import FaultRun


@dataclass
class Made:
    """One change in the ledger: what the app put in its outbox."""

    id: str
    kind: str
    task_id: int
    token: str
    photos: int
    cycle: int


@dataclass
class Verdict:
    made: int
    by_kind: dict[str, int]
    photos_taken: int
    photos_on_server: int
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    left_in_outbox: list[dict[str, Any]] = field(default_factory=list)
    unledgered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.duplicated


async def verify(ledger: list[Made], task_ids: list[int], token_prefix: str) -> Verdict:
    """Compare the ledger with the server's records, read straight from the database."""
    from server.media.tables import Attachment
    from server.tasks.tables import ExtensionRequest, ProgressReport, TaskEvent

    reports = await ProgressReport.select(
        ProgressReport.id, ProgressReport.client_id, ProgressReport.note, ProgressReport.task
    ).where(ProgressReport.task.is_in(task_ids))
    report_ids = [r["id"] for r in reports]
    photos = await Attachment.select(Attachment.id, Attachment.owner_id, Attachment.client_id).where(
        (Attachment.owner_kind == "progress_report") & Attachment.owner_id.is_in(report_ids)
    ) if report_ids else []
    extensions = await ExtensionRequest.select(ExtensionRequest.id, ExtensionRequest.reason).where(
        ExtensionRequest.task.is_in(task_ids)
    )
    events = await TaskEvent.select(TaskEvent.id, TaskEvent.task, TaskEvent.kind, TaskEvent.to_state,
                                    TaskEvent.note).where(TaskEvent.task.is_in(task_ids))
    photos_of: Counter[int] = Counter(p["owner_id"] for p in photos)
    verdict = Verdict(
        made=len(ledger), by_kind=dict(Counter(m.kind for m in ledger)),
        photos_taken=sum(m.photos for m in ledger), photos_on_server=len(photos),
    )
    ledger_ids = {m.id for m in ledger}
    same_token = Counter(m.token for m in ledger if m.token)
    submits_of = Counter(m.task_id for m in ledger if m.kind == "transition")
    for m in ledger:
        what = f"{m.kind} {m.id} (task {m.task_id}, cycle {m.cycle}{', ' + m.token if m.token else ''})"
        if m.kind == "progress":
            mine = [r for r in reports if r["client_id"] == m.id]
            # A report carrying this change's note under another id would be a double the ids cannot show.
            others = [r for r in reports if m.token and m.token in r["note"] and r["client_id"] not in ledger_ids]
            if not mine:
                verdict.lost.append(what)
                continue
            if len(mine) + len(others) > 1:
                verdict.duplicated.append(f"{what}: {len(mine) + len(others)} reports")
            count = sum(photos_of[r["id"]] for r in mine)
            keyed = sum(1 for p in photos if (p["client_id"] or "").startswith(f"{m.id}.photo."))
            if count < m.photos:
                verdict.lost.append(f"{what}: {m.photos - count} of {m.photos} photos missing")
            elif count > m.photos or keyed > m.photos:
                verdict.duplicated.append(f"{what}: {count} photos for {m.photos} taken")
        elif m.kind == "extension":
            n, expected = sum(1 for e in extensions if m.token in e["reason"]), same_token[m.token]
            if n < expected:
                verdict.lost.append(what)
            elif n > expected:
                verdict.duplicated.append(f"{what}: {n} requests")
        elif m.kind == "transition":
            n = sum(1 for e in events if e["task"] == m.task_id and e["kind"] == "transition"
                    and e["to_state"] == "submitted")
            if n < submits_of[m.task_id]:
                verdict.lost.append(what)
            elif n > submits_of[m.task_id]:
                verdict.duplicated.append(f"{what}: submitted {n} times")
        elif m.kind == "comment":
            n, expected = sum(1 for e in events if e["kind"] == "comment" and m.token in (e["note"] or "")), \
                same_token[m.token]
            if n < expected:
                verdict.lost.append(what)
            elif n > expected:
                verdict.duplicated.append(f"{what}: {n} comments")
    # Records of this run that the ledger does not know: a change the harness missed, or a double with a new id.
    known = {m.token for m in ledger if m.token} | {m.id for m in ledger}
    for r in reports:
        token = r["note"].split("[", 1)[1].split("]", 1)[0] if "[" in r["note"] else ""
        if token.startswith(token_prefix) and token not in known and r["client_id"] not in known:
            verdict.unledgered.append(f"progress report {r['id']} ({token})")
    return verdict


def summary(run: FaultRun, verdict: Verdict, engine: str, seconds: float) -> str:
    s = run.stats
    kills = s["kills_random"] + s["kills_after_commit"]
    lines = [
        "",
        f"fault run: seed {run.seed}, {run.cycles} cycles, {engine}, {seconds:.0f} s "
        f"(cycles {s['cycle_seconds']} s, final drain {s['drain_seconds']} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
        f"  changes made:      {verdict.made} ({', '.join(f'{k} {v}' for k, v in sorted(verdict.by_kind.items()))}),"
        f" photos taken {verdict.photos_taken}",
        f"  faults:            {kills} server SIGKILLs ({s['kills_random']} at a random moment, "
        f"{s['kills_after_commit']} after commit before the answer), {run.server.starts} server starts",
        f"                     {s['went_offline']} offline / {s['went_online']} online, {s['reopened']} page reopens, "
        f"{s['second_tab']} second tabs, {s['double_sends']} double sends "
        f"(statuses {dict(sorted(run.double_send_statuses.items()))})",
        f"  harness:           {s['action_errors']} steps that did not finish, server tracebacks in log: "
        f"{run.server.tracebacks()}, forms redrawn under the officer (filled again): {s['form_redrawn']}",
        f"  on the server:     photos {verdict.photos_on_server} of {verdict.photos_taken}",
        f"  left in outbox:    {len(verdict.left_in_outbox)}"
        + "".join(f"\n    {item['kind']} {item['id']}: {item['outcome']} {item['answer']}"
                  for item in verdict.left_in_outbox[:10]),
        f"  LOST:              {len(verdict.lost)}" + "".join(f"\n    {x}" for x in verdict.lost[:20]),
        f"  DUPLICATED:        {len(verdict.duplicated)}" + "".join(f"\n    {x}" for x in verdict.duplicated[:20]),
    ]
    if verdict.unledgered:
        lines.append(f"  not in the ledger: {len(verdict.unledgered)}" + "".join(
            f"\n    {x}" for x in verdict.unledgered[:10]))
    lines.append(f"  RESULT:            {'PASS' if verdict.ok else 'FAIL'} "
                 f"({len(verdict.lost)} lost, {len(verdict.duplicated)} duplicated)")
    return "\n".join(lines)
