"""Train / val / test splits on the runner, used only when a lease carries no split (a server
older than this runner; a current server fixes the split at job creation, server/contract/split.ts)
and by tests that materialise a dataset directly. Deterministic for a seed, stratified by class.

Images are put into groups, each group is shuffled with the seed and cut by the fractions, so
every class keeps about the same share on each side:

- classify: one group per image class (an image has exactly one);
- detect and segment: one group per image's *rarest* class (the class found in the fewest
  images), plus one for background images. An image holds several classes, so it cannot sit in
  every class's group; the rarest is the one a random split most easily leaves out of val (a
  class in 3 photos, against one in 300). Exact multi-label stratification (iterative
  stratification) needs much more machinery for little gain on datasets this size.
- unstratified: one group of all images (a plain random split).

Counts follow the fractions over the whole dataset (largest remainders, so ten groups of 3 at
20% give 6 val images, not 10), with two floors: every group of two or more images sends one to
val (pre-flight wants each class measured), and each non-empty split gets at least one image when
the dataset can spare it. A dataset too small for the splits asked for is a DatasetError.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from loupe_runner.errors import DatasetError

BACKGROUND = -1  # the group of images with no label


@dataclass(frozen=True)
class Split:
    train: list[str]
    val: list[str]
    test: list[str]


def rarest_class_groups(labels: dict[str, list[int]]) -> dict[str, int]:
    """Each image's group: its rarest class (fewest images; ties: lower index), or BACKGROUND."""
    images_per_class = Counter(c for classes in labels.values() for c in set(classes))
    return {
        sha: min(set(classes), key=lambda c: (images_per_class[c], c)) if classes else BACKGROUND
        for sha, classes in labels.items()
    }


def split_groups(
    groups: dict[str, int], seed: int, val_fraction: float, test_fraction: float = 0.0
) -> Split:
    """Splits images (sha256 -> group) group by group; see the module docstring."""
    shas = sorted(groups)
    if len(shas) < 2 and test_fraction == 0:
        # A lone image is used for both, so a one-photo smoke test still trains and validates.
        return Split(list(shas), list(shas), [])
    members: dict[int, list[str]] = {}
    for sha in shas:
        members.setdefault(groups[sha], []).append(sha)
    rng = random.Random(seed)
    ordered = []
    for key in sorted(members):
        group = members[key]
        rng.shuffle(group)
        ordered.append(group)
    sizes = [len(group) for group in ordered]
    # Each group keeps one image for train; val first (it must see every class), then test.
    val = _quotas(sizes, val_fraction, [k - 1 for k in sizes], floor_one=True)
    test = _quotas(sizes, test_fraction, [k - 1 - v for k, v in zip(sizes, val, strict=True)])
    for fraction, counts, other in ((val_fraction, val, test), (test_fraction, test, val)):
        if fraction > 0 and sum(counts) == 0:
            _take_one(sizes, counts, other)
    if sum(val) == 0 or (test_fraction > 0 and sum(test) == 0):
        asked = f"{val_fraction:g} validation" + (
            f" and {test_fraction:g} test" if test_fraction else ""
        )
        raise DatasetError(
            f"{len(shas)} image(s) are too few to split into training, {asked}: each split "
            "needs at least one photo. Add photos, or start the job without a test split."
        )
    parts: tuple[list[str], list[str], list[str]] = ([], [], [])
    for group, n_val, n_test in zip(ordered, val, test, strict=True):
        parts[1].extend(group[:n_val])
        parts[2].extend(group[n_val : n_val + n_test])
        parts[0].extend(group[n_val + n_test :])
    return Split(*(sorted(part) for part in parts))


def _quotas(
    sizes: Sequence[int], fraction: float, caps: Sequence[int], *, floor_one: bool = False
) -> list[int]:
    """Images per group for one split: the whole dataset's share by largest remainders, each
    group within its cap, and (floor_one) at least one from every group that can spare it."""
    ideal = [k * fraction for k in sizes]
    counts = [min(int(x), cap) for x, cap in zip(ideal, caps, strict=True)]
    if floor_one:
        counts = [max(n, 1) if cap >= 1 else n for n, cap in zip(counts, caps, strict=True)]
    wanted = round(sum(sizes) * fraction)
    by_remainder = sorted(range(len(sizes)), key=lambda i: (-(ideal[i] - int(ideal[i])), i))
    while sum(counts) < wanted:
        room = [i for i in by_remainder if counts[i] < caps[i]]
        if not room:
            break
        for i in room[: wanted - sum(counts)]:
            counts[i] += 1
    return counts


def _take_one(sizes: Sequence[int], counts: list[int], other: list[int]) -> None:
    """Gives an empty split one image: from training when it can spare one, else from the other
    held-out split when that has two or more."""
    train = [k - a - b for k, a, b in zip(sizes, counts, other, strict=True)]
    if sum(train) >= 2:
        counts[max(range(len(sizes)), key=lambda i: (train[i], -i))] += 1
    elif sum(other) >= 2:
        donor = max(range(len(sizes)), key=lambda i: (other[i], -i))
        other[donor] -= 1
        counts[donor] += 1


def groups_for(task: str, stratify: bool, labels: dict[str, list[int]]) -> dict[str, int]:
    """Each image's group for a task (labels: sha256 -> the classes the task learns from there)."""
    if not stratify:
        return dict.fromkeys(labels, 0)
    if task == "classify":
        return {sha: classes[0] if classes else BACKGROUND for sha, classes in labels.items()}
    return rarest_class_groups(labels)
