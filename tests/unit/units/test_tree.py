"""The unit tree is data: a merger of communes is a move of subtrees, and scopes follow without code."""

from __future__ import annotations

import pytest

from server.lib.errors import Invalid
from server.units.services import is_in_subtree, move_unit, subtree_ids
from tests.factories import make_jurisdiction, make_task, make_unit


async def test_merging_two_communes_moves_their_subtrees_and_the_leaders_scope() -> None:
    province = await make_unit("UBND tỉnh Bình Định", "province")
    old_a = await make_unit("UBND xã Hoài Hương", "commune", province)
    old_b = await make_unit("UBND xã Hoài Hải", "commune", province)
    office_b = await make_unit("Văn phòng", "department", old_b)
    team_b = await make_unit("Tổ Địa chính", "subunit", office_b)
    merged = await make_unit("UBND xã Hoài Nhơn Đông", "commune", province)

    await move_unit(old_a.id, merged.id)
    await move_unit(old_b.id, merged.id)

    assert set(await subtree_ids(merged.id)) >= {merged.id, old_a.id, old_b.id, office_b.id, team_b.id}
    assert await is_in_subtree(team_b.id, merged.id)
    assert not await is_in_subtree(merged.id, old_b.id)
    with pytest.raises(Invalid):
        await move_unit(merged.id, team_b.id)


async def test_a_leader_sees_tasks_of_a_commune_merged_into_their_jurisdiction() -> None:
    from server.tasks.services import list_tasks

    j1, j2 = await make_jurisdiction(), await make_jurisdiction()
    task = await make_task(j2, title="Khắc phục sạt lở bờ sông")
    assert task["id"] not in [t["id"] for t in (await list_tasks(j1.leader, view="scope"))["items"]]
    await move_unit(j2.root.id, j1.root.id)
    from server.people.services import get_actor

    leader = await get_actor(j1.leader.id)
    assert leader is not None
    assert task["id"] in [t["id"] for t in (await list_tasks(leader, view="scope", q="sat lo"))["items"]]
