"""Grouping one theme's members around meeting slots they can all attend."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.circles.formation.roster import Roster
from bot.sessions.theme_plan import largest_splittable


@dataclass
class _Group:
    start: int  # first UTC hour of the common slot; -1 for a group around no slot
    slot: int  # mask of the slot's hours; 0 for none
    members: list[int]
    one_slot: bool  # everyone (but a few attached stragglers) can attend the slot


def time_groups(
    members: list[int], roster: Roster, min_size: int, max_size: int, min_shared_hours: int
) -> list[tuple[list[int], bool]]:
    """Split members into groups that all can meet in one slot of min_shared_hours consecutive UTC hours.

    Greedy: the slot most remaining members can attend takes them (the least flexible first when the count
    must be trimmed to split into circles). Those left who cannot meet anyone's slot form circles of their
    own, so they spoil as few circles as possible; the last few join the slot they overlap most. A group
    whose size then cannot split into circles merges with the nearest slot. Returns (members, whether
    they form around one slot, so any deal keeps the hours; otherwise they are best cut in time order).
    """
    if min_shared_hours <= 0 or len(members) < 2 * min_size:
        return [(members, True)]
    slots = [sum(1 << ((s + j) % 24) for j in range(min_shared_hours)) for s in range(24)]
    groups, remaining = _choose_slots(members, roster, slots, min_size, max_size)
    _place_remainder(groups, remaining, roster, min_size, max_size)
    _merge_unsplittable(groups, min_size, max_size)
    return [(g.members, g.one_slot) for g in groups]


def _choose_slots(
    members: list[int], roster: Roster, slots: list[int], min_size: int, max_size: int
) -> tuple[list[_Group], list[int]]:
    """The greedy slot loop: one group per best-attended slot while it can split; returns them and who is left."""
    flexibility = {m: sum(roster.mask[m] & slot == slot for slot in slots) for m in members}
    remaining = sorted(members, key=lambda m: roster.tiebreak[m])
    groups: list[_Group] = []
    while remaining:
        by_mask = Counter(roster.mask[m] for m in remaining)

        def attendance(s: int, by_mask: Counter[int] = by_mask) -> int:
            return sum(c for mask, c in by_mask.items() if mask & slots[s] == slots[s])

        s = max(range(24), key=lambda s: (attendance(s), -s))
        able = [m for m in remaining if roster.mask[m] & slots[s] == slots[s]]
        take = largest_splittable(len(able), min_size=min_size, max_size=max_size)
        if take == 0:
            break
        if take < len(able):
            able = sorted(able, key=lambda m: (flexibility[m], roster.tiebreak[m]))[:take]
        groups.append(_Group(s, slots[s], able, True))
        chosen = set(able)
        remaining = [m for m in remaining if m not in chosen]
    return groups, remaining


def _overlap(roster: Roster, m: int, g: _Group) -> int:
    return (roster.mask[m] & g.slot).bit_count()


def _place_remainder(groups: list[_Group], remaining: list[int], roster: Roster, min_size: int,
                     max_size: int) -> None:
    """Those no slot took: circles of their own around no slot, the last few into the group they overlap most."""
    take = largest_splittable(len(remaining), min_size=min_size, max_size=max_size)
    if take:
        remaining.sort(key=lambda m: (max((_overlap(roster, m, g) for g in groups), default=0), roster.tiebreak[m]))
        groups.append(_Group(-1, 0, remaining[:take], False))
        remaining = remaining[take:]
    for m in remaining:

        def fit(j: int, m: int = m) -> tuple[bool, int, int]:
            size = len(groups[j].members) + 1
            return (
                largest_splittable(size, min_size=min_size, max_size=max_size) == size,
                _overlap(roster, m, groups[j]),
                -j,
            )

        groups[max(range(len(groups)), key=fit)].members.append(m)


def _merge_unsplittable(groups: list[_Group], min_size: int, max_size: int) -> None:
    """A group whose size cannot split into circles joins the nearest slot's group, until none is left."""
    while True:
        bad = [
            g
            for g in groups
            if largest_splittable(len(g.members), min_size=min_size, max_size=max_size) != len(g.members)
        ]
        if not bad:
            break

        def distance(g: _Group, b: _Group = bad[0]) -> int:
            if g.start < 0 or b.start < 0:
                return 12
            return min((g.start - b.start) % 24, (b.start - g.start) % 24)

        other = min((g for g in groups if g is not bad[0]), key=distance)
        other.members.extend(bad[0].members)
        other.one_slot = False
        groups.remove(bad[0])
