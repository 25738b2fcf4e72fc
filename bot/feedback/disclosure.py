"""What any reader may see of anonymous answers: the one gate for results in chat, digests and exports."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from statistics import fmean

# The rule lives in the kernel (reverse-mentoring aggregates use it too); re-exported for feedback's readers.
from bot.kernel.anonymity import MIN_K as MIN_K
from bot.kernel.anonymity import k_of as k_of
from storage.tables import Poll, PollKind, PollResponse, SelfAssessment

# The rule, for every reader (members, admins, digests, exports):
# - a round's figures and comments are published only once it has closed. While it is open, answers
#   come in and can still be edited, so any figure that moved between two readings would give away
#   one answer (or one edit); once closed, the answers are fixed and so is everything shown of them.
# - below K answers only the count is shown; comments only from K comments, shuffled, without time,
#   author or circle; groups (circle, skill, ...) only from K answers each, and only when the answers
#   of the groups left out are none or at least K, so "total minus the groups shown" isolates nobody.
# - K is the program's own (Program.k_anonymity) when an admin set one, else the configured default: k_of().



class Shown(StrEnum):
    OPEN = "open"  # the round has not closed: the count only
    TOO_FEW = "too_few"  # closed with fewer than K answers: the count only
    SHOWN = "shown"


@dataclass(frozen=True)
class PollSummary:
    respondents: int
    satisfaction: float  # mean of 1-5
    recommend: float  # mean of 0-10
    nps: int  # promoters (9-10) minus detractors (0-6), in percent of respondents


@dataclass(frozen=True)
class Comments:
    count: int  # always shown
    texts: tuple[str, ...]  # in random order; empty below K comments or while the round is open


@dataclass(frozen=True)
class RoundResults:
    poll: Poll
    respondents: int
    shown: Shown
    summary: PollSummary | None  # only when shown
    keep: Comments
    improve: Comments


def is_closed(poll: Poll, *, now: datetime) -> bool:
    return poll.closes_at <= now


def _summary(answers: Sequence[PollResponse]) -> PollSummary:
    promoters = sum(1 for a in answers if a.recommend >= 9)
    detractors = sum(1 for a in answers if a.recommend <= 6)
    return PollSummary(
        respondents=len(answers),
        satisfaction=round(fmean(a.satisfaction for a in answers), 2),
        recommend=round(fmean(a.recommend for a in answers), 2),
        nps=round(100 * (promoters - detractors) / len(answers)),
    )


def _comments(texts: Sequence[str | None], *, k: int, shown: bool, rng: random.Random) -> Comments:
    found = sorted(t for t in texts if t)  # sorted first: the stored order (by time of answer) never reaches rng
    if not shown or len(found) < k:
        return Comments(len(found), ())
    rng.shuffle(found)
    return Comments(len(found), tuple(found))


def disclose_round(*, poll: Poll, answers: Sequence[PollResponse], k: int, now: datetime,
                   rng: random.Random | None = None) -> RoundResults:
    """What anyone may see of one poll round: the count always; figures and comments once closed, from K."""
    if not is_closed(poll, now=now):
        shown = Shown.OPEN
    elif len(answers) < k:
        shown = Shown.TOO_FEW
    else:
        shown = Shown.SHOWN
    visible = shown == Shown.SHOWN
    shuffler = rng or random.SystemRandom()
    return RoundResults(
        poll=poll, respondents=len(answers), shown=shown, summary=_summary(answers) if visible else None,
        keep=_comments([a.keep for a in answers], k=k, shown=visible, rng=shuffler),
        improve=_comments([a.improve for a in answers], k=k, shown=visible, rng=shuffler),
    )


def _groups_to_show(sizes: dict[Hashable, int], *, k: int, left_out: int) -> set[Hashable]:
    """Groups of at least K; while the answers left out number 1 to K-1, the smallest group shown joins them."""
    shown = {g for g, n in sizes.items() if n >= k}
    left_out += sum(n for g, n in sizes.items() if g not in shown)
    while shown and 0 < left_out < k:
        smallest = min(shown, key=lambda g: (sizes[g], str(g)))
        shown.discard(smallest)
        left_out += sizes[smallest]
    return shown


def disclose_breakdown(*, poll: Poll, answers: Sequence[PollResponse], k: int, now: datetime,
                       group: Callable[[PollResponse], Hashable | None]) -> dict[Hashable, PollSummary]:
    """Figures per group (circle, department, language, role) of a closed round: no group below K answers.

    Answers whose group is None (no circle, an erased member) count as left out.
    """
    if not is_closed(poll, now=now) or len(answers) < k:
        return {}
    by_group: dict[Hashable, list[PollResponse]] = defaultdict(list)
    left_out = 0
    for answer in answers:
        key = group(answer)
        if key is None:
            left_out += 1
        else:
            by_group[key].append(answer)
    shown = _groups_to_show({g: len(a) for g, a in by_group.items()}, k=k, left_out=left_out)
    return {g: _summary(by_group[g]) for g in shown}


@dataclass(frozen=True)
class SkillChange:
    skill: str  # "" stands for "your goals in general" (members who named no skill)
    before: float
    after: float


@dataclass(frozen=True)
class Evaluation:
    before_respondents: int
    after_respondents: int
    before: float | None  # mean self-rating, only of a closed round with at least k respondents
    after: float | None
    skills: tuple[SkillChange, ...]  # skills rated by at least k people both before and after
    waiting: bool = False  # a round with answers is still open: nothing is compared until it closes

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


def disclose_evaluation(*, rounds: Sequence[Poll], assessments: Sequence[SelfAssessment], k: int,
                        now: datetime) -> Evaluation:
    """The before/after comparison: both rounds closed, K people each, skills only in groups of K (both phases)."""
    closed = {p.kind for p in rounds if p.kind in (PollKind.BEFORE, PollKind.AFTER) and is_closed(p, now=now)}
    by_phase: dict[str, list[SelfAssessment]] = defaultdict(list)
    for row in assessments:
        by_phase[row.phase].append(row)
    counts = {phase: len(by_phase.get(phase, [])) for phase in (PollKind.BEFORE, PollKind.AFTER)}
    waiting = any(n and phase not in closed for phase, n in counts.items())
    if waiting or any(n < k for n in counts.values()):
        return Evaluation(counts[PollKind.BEFORE], counts[PollKind.AFTER], None, None, (), waiting=waiting)

    raters: dict[tuple[str, str], set[int]] = defaultdict(set)  # (phase, skill) -> rows (people) who rated it
    scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    for phase, rows in by_phase.items():
        for index, row in enumerate(rows):
            for rating in row.ratings:
                skill = rating.get("skill")
                if skill is not None:  # erased members' skill names are gone; their scores count overall only
                    raters[(phase, str(skill))].add(index)
                    scores[(phase, str(skill))].append(int(rating["score"]))
    # A skill is one group in both phases: shown only with K raters in each, and only while the people
    # with ratings outside the skills shown (whose scores the overall mean also holds) are none or K.
    phases = (PollKind.BEFORE, PollKind.AFTER)
    shown = {s for _, s in raters if all(len(raters.get((phase, s), ())) >= k for phase in phases)}
    while shown:
        outside = [sum(1 for row in by_phase[phase]
                       if any(r.get("skill") is None or str(r["skill"]) not in shown for r in row.ratings))
                   for phase in phases]
        if not any(0 < n < k for n in outside):
            break
        shown.discard(min(shown, key=lambda s: (min(len(raters[(phase, s)]) for phase in phases), s)))

    def overall(phase: str) -> float | None:
        values = [int(r["score"]) for row in by_phase[phase] for r in row.ratings]
        return round(fmean(values), 2) if values else None

    changes = tuple(SkillChange(s, round(fmean(scores[(PollKind.BEFORE, s)]), 2),
                                round(fmean(scores[(PollKind.AFTER, s)]), 2)) for s in sorted(shown))
    return Evaluation(counts[PollKind.BEFORE], counts[PollKind.AFTER], overall(PollKind.BEFORE),
                      overall(PollKind.AFTER), changes)
