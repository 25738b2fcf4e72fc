"""Benchmark circle formation on synthetic programs: speed, satisfaction, mixing, and the exact optimum."""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

# Run as a script from anywhere: make the repository root importable.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bot.circles.formation import (
    Candidate,
    FormedCircle,
    Sizes,
    assign_themes,
    form_circles,
    preference_satisfaction,
    rank_of,
    rank_score,
    theme_satisfaction,
)

SIZES = Sizes(4, 6, 8)
N_THEMES = 60
# (UTC offset, share): Jakarta majority, Singapore, Jayapura, India, Europe, a few in the Americas.
ZONES = ((7, 0.60), (8, 0.15), (9, 0.04), (5, 0.08), (1, 0.11), (-5, 0.02))
DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Operations",
    "Finance",
    "HR",
    "Marketing",
    "Legal",
    "Product",
    "Support",
)
DEPT_WEIGHTS = (0.30, 0.15, 0.15, 0.08, 0.05, 0.08, 0.03, 0.08, 0.08)
SENIORITY_WEIGHTS = (0.35, 0.30, 0.20, 0.10, 0.05)


def synthetic(n: int, *, seed: int, no_preference: float = 0.05) -> list[Candidate]:
    """Skewed theme popularity (Zipf-like), 3 ranked prefs (5% none by default), 15% part-timers."""
    gen = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, N_THEMES + 1) ** 1.1
    popularity /= popularity.sum()
    theme_order = gen.permutation(N_THEMES) + 1  # popular themes are not simply the lowest ids
    zone_offsets = [z for z, _ in ZONES]
    zone_p = np.array([p for _, p in ZONES]) / sum(p for _, p in ZONES)
    out: list[Candidate] = []
    for member_id in range(1, n + 1):
        if gen.random() < no_preference:
            prefs: tuple[int, ...] = ()
        else:
            picks = gen.choice(N_THEMES, size=3, replace=False, p=popularity)
            prefs = tuple(int(theme_order[i]) for i in picks)
        offset = zone_offsets[gen.choice(len(ZONES), p=zone_p)]
        start = int(gen.integers(7, 11))
        length = int(gen.integers(4, 6)) if gen.random() < 0.15 else int(gen.integers(8, 10))
        hours = frozenset((start - offset + j) % 24 for j in range(length))
        out.append(
            Candidate(
                member_id=member_id,
                theme_prefs=prefs,
                department=DEPARTMENTS[gen.choice(len(DEPARTMENTS), p=DEPT_WEIGHTS)],
                seniority=int(gen.choice(5, p=SENIORITY_WEIGHTS)),
                available_utc_hours=hours,
            )
        )
    return out


def exact_theme_optimum(candidates: Sequence[Candidate], theme_ids: Sequence[int], sizes: Sizes) -> float:
    """MILP over individual members with the same capacity model as assign_themes.

    Every member is placed; a theme with fewer than sizes.min interested members cannot open; an open theme
    gets k integer circles and holds k*min..k*max members; members may land outside their preferences
    (satisfaction 0). Returns the optimal mean satisfaction over members with preferences.
    """
    interest = Counter(t for c in candidates for t in set(c.theme_prefs) if t in theme_ids)
    themes = [t for t in theme_ids if interest[t] >= sizes.min]
    col = {t: j for j, t in enumerate(themes)}
    n, m = len(candidates), len(themes)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    gain: list[float] = []
    # Rows: 0..n-1 member, n..n+m-1 theme lower, n+m..n+2m-1 theme upper, n+2m pool balance.
    var = 0
    for i, c in enumerate(candidates):
        for t in dict.fromkeys(c.theme_prefs):
            if t in col:
                rows += [i, n + col[t], n + m + col[t]]
                cols += [var] * 3
                vals += [1.0, 1.0, 1.0]
                gain.append(rank_score(rank_of(c.theme_prefs, t)))
                var += 1
        rows += [i, n + 2 * m]
        cols += [var, var]
        vals += [1.0, 1.0]
        gain.append(0.0)
        var += 1
    for j in range(m):  # pool members into theme j
        rows += [n + j, n + m + j, n + 2 * m]
        cols += [var] * 3
        vals += [1.0, 1.0, -1.0]
        gain.append(0.0)
        var += 1
    for j in range(m):  # k_j circles
        rows += [n + j, n + m + j]
        cols += [var, var]
        vals += [-float(sizes.min), -float(sizes.max)]
        gain.append(0.0)
        var += 1
    a = coo_array((vals, (rows, cols)), shape=(n + 2 * m + 1, var)).tocsr()
    lo = np.concatenate([np.ones(n), np.zeros(m), np.full(m, -np.inf), [0.0]])
    hi = np.concatenate([np.ones(n), np.full(m, np.inf), np.zeros(m), [0.0]])
    res = milp(
        -np.asarray(gain),
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.ones(var),
        bounds=Bounds(0, np.inf),
        options={"time_limit": 600},
    )
    if not res.success:
        raise RuntimeError(res.message)
    with_prefs = sum(1 for c in candidates if c.theme_prefs)
    return -float(res.fun) / with_prefs


def random_assignment(candidates: Sequence[Candidate], counts: Counter[int], *, seed: int) -> dict[int, int]:
    """Icebreaker/Donut style: same theme sizes as ours, members shuffled into them ignoring preferences."""
    ids = [c.member_id for c in candidates]
    random.Random(seed).shuffle(ids)
    slots = [t for t, k in sorted(counts.items()) for _ in range(k)]
    return dict(zip(ids, slots, strict=False))


def circle_stats(
    candidates: Sequence[Candidate], circles: Sequence[FormedCircle], recent: frozenset[frozenset[int]]
) -> dict[str, float]:
    by_id = {c.member_id: c for c in candidates}
    hours = [
        frozenset(range(24)).intersection(*(by_id[m].available_utc_hours for m in c.member_ids))
        for c in circles
    ]
    return {
        "circles": len(circles),
        "size violations": sum(1 for c in circles if not SIZES.min <= len(c.member_ids) <= SIZES.max),
        "circles sharing >= 2 h": sum(len(h) >= 2 for h in hours) / len(circles),
        "repeated recent pairs": sum(
            frozenset((a, b)) in recent
            for c in circles
            for i, a in enumerate(c.member_ids)
            for b in c.member_ids[i + 1 :]
        ),
        "mean departments per circle": float(
            np.mean([len({by_id[m].department for m in c.member_ids}) for c in circles])
        ),
        "mean seniority levels per circle": float(
            np.mean([len({by_id[m].seniority for m in c.member_ids}) for c in circles])
        ),
    }


def isolated_circles(candidates: Sequence[Candidate], circles: Sequence[FormedCircle]) -> int:
    """Circles holding someone who shares < 2 h with every theme-mate: no split can give them 2 h."""
    by_id = {c.member_id: c for c in candidates}
    mates: dict[int, list[int]] = {}
    for c in circles:
        mates.setdefault(c.theme_id, []).extend(c.member_ids)
    alone = {
        m
        for members in mates.values()
        for m in members
        if all(
            len(by_id[m].available_utc_hours & by_id[o].available_utc_hours) < 2 for o in members if o != m
        )
    }
    return sum(1 for c in circles if alone.intersection(c.member_ids))


def random_split(circles: Sequence[FormedCircle], *, seed: int) -> list[FormedCircle]:
    """Baseline for the circle step: the same themes and sizes, members shuffled within each theme."""
    rng = random.Random(seed)
    out: list[FormedCircle] = []
    for theme in sorted({c.theme_id for c in circles}):
        mine = [c for c in circles if c.theme_id == theme]
        members = [m for c in mine for m in c.member_ids]
        rng.shuffle(members)
        start = 0
        for c in mine:
            out.append(FormedCircle(theme, tuple(sorted(members[start : start + len(c.member_ids)]))))
            start += len(c.member_ids)
    return out


def previous_round(candidates: Sequence[Candidate], theme_ids: Sequence[int]) -> frozenset[frozenset[int]]:
    """Last round's pairs: the same people and preferences formed with another seed, so most land in the
    same theme again -- a worst case for repeats."""
    last = form_circles(candidates=candidates, theme_ids=theme_ids, sizes=SIZES, seed=12345)
    return frozenset(
        frozenset((a, b))
        for c in last.circles
        for i, a in enumerate(c.member_ids)
        for b in c.member_ids[i + 1 :]
    )


def fmt(sizes: Sizes) -> str:
    return f"{sizes.min}/{sizes.target}/{sizes.max}"


def show(label: str, value: float | int) -> None:
    print(f"  {label}: {value:.4f}" if isinstance(value, float) else f"  {label}: {value}")


def run(n: int, *, exact: bool) -> None:
    candidates = synthetic(n, seed=n)
    theme_ids = list(range(1, N_THEMES + 1))
    recent = previous_round(candidates, theme_ids)
    print(f"== {n} members, {N_THEMES} themes, sizes {fmt(SIZES)}, {len(recent)} recent pairs ==")
    timings = []
    for _ in range(5):
        t0 = time.perf_counter()
        result = form_circles(
            candidates=candidates, theme_ids=theme_ids, sizes=SIZES, recent_pairs=recent, seed=0
        )
        timings.append(time.perf_counter() - t0)
    show("form_circles seconds, median of 5", float(np.median(timings)))
    show("placed", sum(len(c.member_ids) for c in result.circles))
    show("unplaced", len(result.unplaced))
    show("preference satisfaction", preference_satisfaction(candidates=candidates, result=result))
    with_prefs = [c for c in candidates if c.theme_prefs]
    show("first-choice share", sum(result.why[c.member_id].rank == 1 for c in with_prefs) / len(with_prefs))
    ours_stats = circle_stats(candidates, result.circles, recent)
    baseline = circle_stats(candidates, random_split(result.circles, seed=1), recent)
    for key, value in ours_stats.items():
        show(f"{key} (random split: {baseline[key]:.4g})", value)
    show(
        "circles no split can give 2 h (a member shares < 2 h with every theme-mate)",
        isolated_circles(candidates, result.circles),
    )
    free = form_circles(
        candidates=candidates,
        theme_ids=theme_ids,
        sizes=SIZES,
        recent_pairs=recent,
        seed=0,
        min_shared_hours=0,
    )
    show(
        "repeated recent pairs with min_shared_hours=0",
        circle_stats(candidates, free.circles, recent)["repeated recent pairs"],
    )
    show("circle sizes", dict(sorted(Counter(len(c.member_ids) for c in result.circles).items())))  # type: ignore[arg-type]
    theme_step(candidates, theme_ids, SIZES, exact=exact)
    print()


def theme_step(
    candidates: Sequence[Candidate], theme_ids: Sequence[int], sizes: Sizes, *, exact: bool
) -> None:
    t0 = time.perf_counter()
    assignment = assign_themes(candidates=candidates, theme_ids=theme_ids, sizes=sizes, seed=0)
    show("assign_themes seconds", time.perf_counter() - t0)
    ours = theme_satisfaction(candidates=candidates, theme_of=assignment.theme_of)
    counts = Counter(assignment.theme_of.values())
    rand = float(
        np.mean(
            [
                theme_satisfaction(
                    candidates=candidates, theme_of=random_assignment(candidates, counts, seed=s)
                )
                for s in range(20)
            ]
        )
    )
    show("theme step satisfaction, ours", ours)
    show("theme step satisfaction, random assignment (mean of 20)", rand)
    if exact:
        t0 = time.perf_counter()
        best = exact_theme_optimum(candidates, theme_ids, sizes)
        show("exact optimum (scipy milp)", best)
        show("milp seconds", time.perf_counter() - t0)
        show("ours / optimum", ours / best)
        show("random / optimum", rand / best)


def main() -> None:
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"cpus {os.cpu_count()}"
    )
    run(1_000, exact=True)
    run(10_000, exact="--exact-10k" in sys.argv)
    # Harder for the theme step: nobody without preferences to fill weak themes, tighter size bounds,
    # small programs where the long tail of themes cannot all open.
    theme_ids = list(range(1, N_THEMES + 1))
    for sizes in (Sizes(5, 6, 7), Sizes(6, 7, 8)):
        for n in (150, 300, 1_000):
            candidates = synthetic(n, seed=n + sizes.min, no_preference=0.0)
            print(f"== theme step only: {n} members, all with preferences, sizes {fmt(sizes)} ==")
            theme_step(candidates, theme_ids, sizes, exact=True)
            print()


if __name__ == "__main__":
    main()
