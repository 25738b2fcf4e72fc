"""Exact member-to-theme assignment for fixed capacities: successive shortest paths on a theme graph."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice, pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy loads on first use: a server that never forms circles does not hold it
    import numpy as np


_INF = 1 << 40
_SHIFT = 4  # gain differences lie in -4..4 (quarters), stored as level 0..8


def assign_for_capacities(
    *, gains: Sequence[Sequence[tuple[int, int]]], lo: Sequence[int], hi: Sequence[int], order: Sequence[int]
) -> list[int]:
    """Theme index per member maximising total gain with lo[t] <= members of t <= hi[t].

    gains[i] lists (theme, gain in quarters 1..4) for member i, best first; a member placed elsewhere gains 0,
    so members with no gains fill any theme. Needs sum(lo) <= len(gains) <= sum(hi). order (a permutation)
    decides who moves among equals. Every member starts at their best theme, which leaves no negative cycle;
    each step then moves members along a shortest path from a theme over capacity (or the slack node) to one
    under it, which keeps it that way, so the end state is a min-cost flow. Edges are between themes, one
    per (from, to) with the cheapest member move, so the graph has len(lo) + 1 nodes however many members.
    """
    if not sum(lo) <= len(gains) <= sum(hi):
        raise ValueError("capacities cannot hold exactly all members")
    state = _State(gains, len(lo))
    count = _initial_placement(state, gains, lo, hi, order)
    while _augment(state, count, lo, hi):
        pass
    return state.where


def _initial_placement(
    state: _State, gains: Sequence[Sequence[tuple[int, int]]], lo: Sequence[int], hi: Sequence[int],
    order: Sequence[int],
) -> list[int]:
    """Everyone at their best theme; members without preferences where they are needed. Returns the counts."""
    m = len(lo)
    count = [0] * m
    pool: list[int] = []
    for i in order:
        if gains[i]:
            state.place(i, gains[i][0][0])
            count[gains[i][0][0]] += 1
        else:
            pool.append(i)
    for i in pool:  # no preference: fill lower bounds first, then wherever there is room
        short = [lo[t] - count[t] for t in range(m)]
        t = (
            max(range(m), key=lambda t: short[t])
            if max(short) > 0
            else max(range(m), key=lambda t: hi[t] - count[t])
        )
        state.place(i, t)
        count[t] += 1
    return count


def _augment(state: _State, count: list[int], lo: Sequence[int], hi: Sequence[int]) -> bool:
    """One shortest-path step towards the bounds (count is updated); False when every theme is within them."""
    import numpy as np  # on first use, for memory (docs/architecture.md)
    m = len(lo)
    slack = m  # node m: absorbs members of themes below hi, releases members of themes above lo
    deficits = [t for t in range(m) if count[t] < lo[t]]
    excess = [t for t in range(m) if count[t] > hi[t]]
    if not deficits and not excess:
        return False
    weights, use_star, level = state.edges()
    w = np.full((m + 1, m + 1), _INF, dtype=np.int64)
    w[:m, :m] = weights
    for t in range(m):
        if count[t] < hi[t]:
            w[t, slack] = 0
        if count[t] > lo[t]:
            w[slack, t] = 0
    sources, targets = ([slack], deficits) if deficits else (excess, [slack])
    dist, pred = _bellman_ford(w, sources)
    end = min(targets, key=lambda t: (dist[t], t))
    path = [end]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    path.reverse()
    start = path[0]
    amount = (lo[end] - count[end]) if deficits else (count[start] - hi[start])
    moves: list[tuple[int, int, tuple[int, int, int]]] = []
    for a, b in pairwise(path):
        if a == slack:
            amount = min(amount, count[b] - lo[b])
        elif b == slack:
            amount = min(amount, hi[a] - count[a])
        else:
            key = (a, m if use_star[a, b] else b, int(level[a, b]))
            amount = min(amount, len(state.buckets[key]))
            moves.append((a, b, key))
    chosen = [(a, b, list(islice(state.buckets[key], amount))) for a, b, key in moves]
    for a, b, members in chosen:
        for i in members:
            state.move(i, a, b)
        count[a] -= amount
        count[b] += amount
    return True


class _State:
    """Where each member is, and buckets of members by (theme, destination, loss level) for cheap edges."""

    def __init__(self, gains: Sequence[Sequence[tuple[int, int]]], m: int) -> None:
        import numpy as np  # on first use, for memory (docs/architecture.md)
        self.gains = gains
        self.gain_of = [dict(g) for g in gains]
        self.m = m
        self.where = [-1] * len(gains)
        self.counts = np.zeros((m, m + 1, 2 * _SHIFT + 1), dtype=np.int64)  # destination m = any theme
        self.buckets: dict[tuple[int, int, int], dict[int, None]] = {}

    def _keys(self, i: int, t: int) -> list[tuple[int, int, int]]:
        here = self.gain_of[i].get(t, 0)
        keys = [(t, other, here - g + _SHIFT) for other, g in self.gains[i] if other != t]
        keys.append((t, self.m, here + _SHIFT))  # to a theme the member did not rank
        return keys

    def place(self, i: int, t: int) -> None:
        self.where[i] = t
        for key in self._keys(i, t):
            self.buckets.setdefault(key, {})[i] = None
            self.counts[key] += 1

    def move(self, i: int, a: int, b: int) -> None:
        for key in self._keys(i, a):
            del self.buckets[key][i]
            self.counts[key] -= 1
        self.place(i, b)

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cheapest move cost per (from, to), whether it comes from the any-theme bucket, and its level."""
        import numpy as np  # on first use, for memory (docs/architecture.md)
        present = self.counts > 0
        level = present.argmax(axis=2)
        cost = np.where(present.any(axis=2), level - _SHIFT, _INF)
        specific, star = cost[:, : self.m], cost[:, self.m : self.m + 1]
        # A member in the any-theme bucket who did rank the destination is always cheaper in its own
        # bucket, so the minimum of the two is the true cheapest move.
        use_star = star < specific
        weights = np.minimum(specific, star)
        np.fill_diagonal(weights, _INF)
        levels = np.where(use_star, level[:, self.m : self.m + 1], level[:, : self.m])
        return weights, use_star, levels


def _bellman_ford(w: np.ndarray, sources: list[int]) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np  # on first use, for memory (docs/architecture.md)
    n = w.shape[0]
    dist = np.full(n, _INF, dtype=np.int64)
    dist[sources] = 0
    pred = np.full(n, -1, dtype=np.int64)
    cols = np.arange(n)
    for _ in range(n):
        cand = dist[:, None] + w
        cand[dist >= _INF] = 2 * _INF  # unreachable nodes relax nothing, even over negative edges
        best = cand.argmin(axis=0)
        new = cand[best, cols]
        better = new < dist
        if not better.any():
            break
        dist[better] = new[better]
        pred[better] = best[better]
    return dist, pred
