"""Immutable sets of PEP 440 versions, as sorted disjoint intervals.

A :class:`VersionSet` is a boolean function over the totally ordered line of versions,
stored as the sorted list of the *cuts* where it flips between "in" and "out", plus whether
it starts "in" (contains arbitrarily small versions). Union, intersection and difference
are one merge of two sorted lists; complement flips one flag and shares the cuts.

Cuts sit *between* versions, so every bound, inclusive or exclusive, and every PEP 440
subtlety is one cut:

* ``BELOW v`` / ``ABOVE v``: just before / just after ``v`` (``>=v`` and ``>v`` as a
  lower bound; ``<v`` and ``<=v`` as an upper one);
* ``<V`` for a final V excludes V's pre-releases (PEP 440): the cut sits below ``V.dev0``;
* ``>V`` excludes V's post-releases and local versions: the cut sits after every
  ``V.postN+local`` (for a final V no version is adjacent to it, so it has its own key);
* local versions: ``==1.0``, ``!=1.0`` and ``<=1.0`` (a specifier without ``+local``) take
  in every ``1.0+local`` (the cut sits after all of them, below ``1.0.post0.dev0``), and
  ``==1.0+abc`` is exactly ``1.0+abc``. :meth:`VersionSet.singleton` is exact too:
  ``singleton(1.0)`` holds ``1.0`` (and ``1.0.0``, which is equal) but not ``1.0+abc``.

Comparisons run on plain tuples (keys built once from a version's public fields), never on
:class:`~packaging.version.Version` objects, so every set operation stays in C-level
tuple comparisons. Each cut also keeps a label (its kind and version) used only to print it.
Because no PEP 440 version has an immediate successor, two distinct cuts always have a
version between them: equal structure is equal membership, and ``is_empty`` is exact.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

# A version's sort key; see _key(). A cut key is a version key plus a side (or, for the
# "after all post-releases of a final V" cut, a shorter tuple with +inf as post number).
_Key = tuple[Any, ...]

_INF: Final = math.inf
_SIDE_BELOW: Final = 0
_SIDE_PROBE: Final = 1  # where a version itself sits, between its BELOW and ABOVE cuts
_SIDE_ABOVE: Final = 2
_PRE_RANK: Final = MappingProxyType({"a": 1, "b": 2, "rc": 3})
_DEV_ONLY: Final = (0,)  # X.devN sorts before every pre-release of X
_NO_PRE: Final = (4,)  # releases and post-releases sort after every pre-release

# Label kinds: how a cut was made, so it prints as the specifier that made it.
_BELOW: Final = 0  # just below v
_ABOVE: Final = 1  # just above v
_BEFORE_PRE: Final = 2  # below V.dev0: PEP 440's "<V" for a final V
_AFTER_LOCALS: Final = 3  # after every V+local: "<=V", "==V", "!=V"
_AFTER_POSTS: Final = 4  # after every V.postN: PEP 440's ">V" for a final or pre-release V

_Label = tuple[int, Version]


def _release_key(release: tuple[int, ...]) -> tuple[int, ...]:
    # 1.0 == 1.0.0: trailing zeros do not count.
    end = len(release)
    while end and release[end - 1] == 0:
        end -= 1
    return release if end == len(release) else release[:end]


def _pre_key(version: Version) -> tuple[Any, ...]:
    pre = version.pre
    if pre is not None:
        return (_PRE_RANK[pre[0]], pre[1])
    if version.post is None and version.dev is not None:
        return _DEV_ONLY
    return _NO_PRE


def _local_key(local: str | None) -> tuple[tuple[Any, ...], ...]:
    # Numeric segments sort above alphanumeric ones (PEP 440): tag them 1 and 0.
    if local is None:
        return ()
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in local.split("."))


def _key(version: Version, *side: int) -> _Key:
    """The PEP 440 sort key of ``version`` as a plain tuple (``side`` appended, if given).

    Inlined rather than composed of the helpers above: ``contains`` computes one per call.
    """
    release = version.release
    if release[-1] == 0:
        release = _release_key(release)
    pre = version.pre
    post = version.post
    dev = version.dev
    local = version.local
    if pre is not None:
        pre_key: tuple[Any, ...] = (_PRE_RANK[pre[0]], pre[1])
    elif post is None and dev is not None:
        pre_key = _DEV_ONLY
    else:
        pre_key = _NO_PRE
    return (
        version.epoch,
        release,
        pre_key,
        -1 if post is None else post,
        _INF if dev is None else dev,
        () if local is None else _local_key(local),
        *side,
    )


def _cut_key(kind: int, version: Version) -> _Key:
    """Where the cut of ``kind`` at ``version`` sits on the version line."""
    if kind == _BELOW:
        return _key(version, _SIDE_BELOW)
    if kind == _ABOVE:
        return _key(version, _SIDE_ABOVE)
    epoch = version.epoch
    release = _release_key(version.release)
    post = version.post
    dev = version.dev
    if kind == _BEFORE_PRE:
        # V.dev0 of a final (or post-release) V.
        if post is None:
            return (epoch, release, _DEV_ONLY, -1, 0, (), _SIDE_BELOW)
        return (epoch, release, _NO_PRE, post, 0, (), _SIDE_BELOW)
    pre = _pre_key(version)
    if kind == _AFTER_LOCALS:
        # Below the first version after V's locals: V.dev(N+1), or V.post(N+1).dev0.
        if dev is not None:
            return (epoch, release, pre, -1 if post is None else post, dev + 1, (), _SIDE_BELOW)
        return (epoch, release, pre, 0 if post is None else post + 1, 0, (), _SIDE_BELOW)
    # _AFTER_POSTS, for a V without post or dev segment.
    if version.pre is not None:
        # The next pre-release's first dev release: 1.0a1 -> 1.0a2.dev0.
        return (epoch, release, (pre[0], pre[1] + 1), -1, 0, (), _SIDE_BELOW)
    # No version follows every 1.0.postN directly (1.0.0.1, 1.0.0.0.1, ... come closer).
    return (epoch, release, _NO_PRE, _INF)


# Nothing sorts below 0.dev0: a cut there is the same as -infinity.
_MIN_CUT: Final = (0, (), _DEV_ONLY, -1, 0, (), _SIDE_BELOW)


@dataclass(frozen=True, slots=True, eq=False)
class VersionSet:
    """An immutable set of versions: sorted disjoint intervals with open or closed bounds.

    Build one with :meth:`full`, :meth:`empty`, :meth:`singleton` or
    :meth:`from_specifier`, and combine with :meth:`intersection`, :meth:`union`,
    :meth:`difference` and :meth:`complement` (also ``&``, ``|``, ``-`` and ``~``).
    Membership matches ``SpecifierSet.contains(v, prereleases=True)``: pre-release
    policy is the provider's business, not the set's.
    """

    _starts_in: bool
    """Whether the set contains arbitrarily small versions (-infinity is "in")."""
    _cuts: tuple[_Key, ...]
    """Sorted positions where membership flips."""
    _labels: tuple[_Label, ...]
    """For printing only: how each cut was made. Not part of equality."""

    # -- construction -------------------------------------------------------------------

    @staticmethod
    def full() -> VersionSet:
        """Every version."""
        return _FULL

    @staticmethod
    def empty() -> VersionSet:
        """No version."""
        return _EMPTY

    @staticmethod
    def singleton(version: Version) -> VersionSet:
        """Exactly ``version`` (and versions equal to it, like ``1.0.0`` for ``1.0``)."""
        key = _key(version)
        return VersionSet(
            False,
            ((*key, _SIDE_BELOW), (*key, _SIDE_ABOVE)),
            ((_BELOW, version), (_ABOVE, version)),
        )

    @staticmethod
    def from_specifier(specifier: SpecifierSet | str) -> VersionSet:
        """The versions a PEP 440 specifier set admits (with pre-releases).

        ``===X`` is read as exactly the version ``X`` when it parses (arbitrary equality
        compares strings, which a set of versions cannot express), and as nothing
        otherwise.
        """
        if isinstance(specifier, str):
            specifier = SpecifierSet(specifier)
        result = _FULL
        for spec in specifier:
            result = result.intersection(_from_one(spec.operator, spec.version))
        return result

    # -- queries ------------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        """Whether no version is in the set."""
        return not self._starts_in and not self._cuts

    @property
    def is_full(self) -> bool:
        """Whether every version is in the set."""
        return self._starts_in and not self._cuts

    def contains(self, version: Version) -> bool:
        """Whether ``version`` is in the set."""
        cuts = self._cuts
        if not cuts:
            return self._starts_in
        flips = bisect_left(cuts, _key(version, _SIDE_PROBE))
        return self._starts_in != bool(flips & 1)

    def __contains__(self, version: object) -> bool:
        return isinstance(version, Version) and self.contains(version)

    def filter(self, versions: Iterable[Version]) -> Iterator[Version]:
        """The given versions that are in the set, in their order."""
        return (version for version in versions if self.contains(version))

    def singleton_version(self) -> Version | None:
        """The version if the set is exactly one version (as :meth:`singleton` makes)."""
        labels = self._labels
        if self._starts_in or len(labels) != 2:
            return None
        (low_kind, low), (high_kind, _) = labels
        if low_kind == _BELOW and high_kind == _ABOVE and self._cuts[0][:-1] == self._cuts[1][:-1]:
            return low
        return None

    def is_subset(self, other: VersionSet) -> bool:
        """Whether every version of this set is in ``other``."""
        if self is other or (other._starts_in and not other._cuts):
            return True
        return not _overlaps(self, other, False)

    def is_disjoint(self, other: VersionSet) -> bool:
        """Whether no version is in both sets."""
        return not _overlaps(self, other, True)

    # -- operations ---------------------------------------------------------------------

    def complement(self) -> VersionSet:
        """Every version not in this set."""
        return VersionSet(not self._starts_in, self._cuts, self._labels)

    def intersection(self, other: VersionSet) -> VersionSet:
        """Versions in both sets."""
        if self is other or other.is_full:
            return self
        if self.is_full:
            return other
        return _merge(self, other, _AND)

    def union(self, other: VersionSet) -> VersionSet:
        """Versions in either set."""
        if self is other or other.is_empty:
            return self
        if self.is_empty:
            return other
        return _merge(self, other, _OR)

    def difference(self, other: VersionSet) -> VersionSet:
        """Versions in this set but not in ``other``."""
        if other.is_empty:
            return self
        return _merge(self, other, _AND_NOT)

    __and__ = intersection
    __or__ = union
    __sub__ = difference
    __invert__ = complement

    # -- identity -----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VersionSet):
            return NotImplemented
        return self._starts_in == other._starts_in and self._cuts == other._cuts

    def __hash__(self) -> int:
        return hash((self._starts_in, self._cuts))

    def __repr__(self) -> str:
        return f"VersionSet({self.format()!r})"

    def __str__(self) -> str:
        return self.format()

    def format(self, *, compact: bool = False) -> str:
        """For humans: ``*``, ``==1.0``, ``>=1.0, <2.0``, ``<1.0 | >=2.0``, ``!=1.5``.

        ``compact`` joins the bounds of one interval without a space (``>=1.0,<2.0``), the
        way a requirement is written after a project name. Bounds print as the specifiers
        that made them; the one ambiguity is an upper bound just below a final version
        (from a complement, say of ``>=2.0``), which prints as ``<2.0`` although it takes
        in 2.0's pre-releases, as PEP 440's ``<2.0`` does not.
        """
        return _format(self, "," if compact else ", ")


_FULL: Final = VersionSet(True, (), ())
_EMPTY: Final = VersionSet(False, (), ())

# -- building from one specifier ------------------------------------------------------


def _interval(low: _Label | None, high: _Label | None) -> VersionSet:
    """``[low, high)`` between two cuts; None is -infinity or +infinity."""
    cuts: list[_Key] = []
    labels: list[_Label] = []
    starts_in = low is None
    if low is not None:
        low_key = _cut_key(*low)
        if low_key <= _MIN_CUT:
            starts_in = True
        else:
            cuts.append(low_key)
            labels.append(low)
    if high is not None:
        high_key = _cut_key(*high)
        if high_key <= _MIN_CUT:
            return _EMPTY
        cuts.append(high_key)
        labels.append(high)
    return VersionSet(starts_in, tuple(cuts), tuple(labels))


def _bump(version: Version, length: int) -> Version:
    """The next prefix of ``length`` release parts: (1.4.5, 2) -> 1.5, (1.2, 2) -> 1.3."""
    release = version.release[:length]
    release = (*release[:-1], release[-1] + 1) if release else (1,)
    epoch = f"{version.epoch}!" if version.epoch else ""
    return Version(epoch + ".".join(map(str, release)))


def _from_one(operator: str, text: str) -> VersionSet:
    """The set of one PEP 440 clause, with the same edge cases as ``packaging``."""
    if operator == "===":
        try:
            return VersionSet.singleton(Version(text))
        except InvalidVersion:
            return _EMPTY
    if text.endswith(".*"):
        base = Version(text[:-2])
        matched = _interval((_BEFORE_PRE, base), (_BEFORE_PRE, _bump(base, len(base.release))))
        return matched if operator == "==" else matched.complement()
    version = Version(text)
    if operator == ">=":
        return _interval((_BELOW, version), None)
    if operator == "<=":
        return _interval(None, (_AFTER_LOCALS, version))
    if operator == ">":
        if version.dev is not None or version.post is not None:
            # The next real version: V.dev(N+1) or V.post(N+1).dev0.
            return _interval((_AFTER_LOCALS, version), None)
        return _interval((_AFTER_POSTS, version), None)
    if operator == "<":
        if version.is_prerelease:
            return _interval(None, (_BELOW, version))
        return _interval(None, (_BEFORE_PRE, version))
    if operator == "~=":
        return _interval((_BELOW, version), (_BEFORE_PRE, _bump(version, len(version.release) - 1)))
    if version.local is not None:
        matched = VersionSet.singleton(version)
    else:
        matched = _interval((_BELOW, version), (_AFTER_LOCALS, version))
    if operator == "==":
        return matched
    if operator == "!=":
        return matched.complement()
    raise ValueError(f"unknown version operator {operator!r}")


# -- merging ----------------------------------------------------------------------------

_AND: Final = 0
_OR: Final = 1
_AND_NOT: Final = 2


def _combine(op: int, a: bool, b: bool) -> bool:
    if op == _AND:
        return a and b
    if op == _OR:
        return a or b
    return a and not b


def _merge(left: VersionSet, right: VersionSet, op: int) -> VersionSet:
    """One pass over both sorted cut lists, keeping the cuts where the result flips."""
    lcuts, rcuts = left._cuts, right._cuts
    llabels, rlabels = left._labels, right._labels
    lin, rin = left._starts_in, right._starts_in
    state = starts_in = _combine(op, lin, rin)
    cuts: list[_Key] = []
    labels: list[_Label] = []
    i = j = 0
    nl, nr = len(lcuts), len(rcuts)
    while i < nl or j < nr:
        if j == nr:
            key, label = lcuts[i], llabels[i]
            lin = not lin
            i += 1
        elif i == nl:
            key, label = rcuts[j], rlabels[j]
            rin = not rin
            j += 1
        else:
            key, other = lcuts[i], rcuts[j]
            if key < other:
                label = llabels[i]
                lin = not lin
                i += 1
            elif other < key:
                key, label = other, rlabels[j]
                rin = not rin
                j += 1
            else:
                label = llabels[i]
                lin = not lin
                rin = not rin
                i += 1
                j += 1
        new = _combine(op, lin, rin)
        if new != state:
            cuts.append(key)
            labels.append(label)
            state = new
    if not cuts:
        return _FULL if starts_in else _EMPTY
    return VersionSet(starts_in, tuple(cuts), tuple(labels))


def _overlaps(inner: VersionSet, outer: VersionSet, want: bool) -> bool:
    """Whether some version of ``inner`` has membership ``want`` in ``outer``.

    For each interval of ``inner``, two binary searches in ``outer``'s cuts tell whether
    ``outer`` flips inside it (then both memberships occur) or, if not, which one holds
    throughout. Every stretch between two distinct cuts holds versions, so this is exact.
    """
    cuts = inner._cuts
    outer_cuts = outer._cuts
    outer_in = outer._starts_in
    if not outer_cuts:
        return outer_in == want and not inner.is_empty
    count = len(cuts)
    index = 0
    if inner._starts_in:
        # The first interval starts at -infinity.
        end = bisect_left(outer_cuts, cuts[0]) if count else len(outer_cuts)
        if end or outer_in == want:
            return True
        index = 1
    while index < count:
        low = bisect_right(outer_cuts, cuts[index])
        high = bisect_left(outer_cuts, cuts[index + 1]) if index + 1 < count else len(outer_cuts)
        if high > low or (outer_in != bool(low & 1)) == want:
            return True
        index += 2
    return False


# -- printing ---------------------------------------------------------------------------


def _first_after_locals(version: Version) -> str:
    if version.dev is not None:
        return f"{version.public.rsplit('.dev', 1)[0]}.dev{version.dev + 1}"
    if version.post is not None:
        return f"{version.public.rsplit('.post', 1)[0]}.post{version.post + 1}.dev0"
    return f"{version.public}.post0.dev0"


def _lower_text(label: _Label) -> str:
    kind, version = label
    if kind == _BELOW:
        return f">={version}"
    if kind in (_ABOVE, _AFTER_POSTS):
        return f">{version}"
    if kind == _BEFORE_PRE:
        return f">={version}.dev0"
    # _AFTER_LOCALS: PEP 440's ">V" when V is a dev or post release.
    if version.dev is not None or version.post is not None:
        return f">{version}"
    return f">={_first_after_locals(version)}"


def _upper_text(label: _Label) -> str:
    kind, version = label
    if kind in (_BELOW, _BEFORE_PRE):
        return f"<{version}"
    if kind in (_ABOVE, _AFTER_LOCALS):
        return f"<={version}"
    return f"<={version}.post*"  # _AFTER_POSTS: V and all its post-releases


def _point_text(low: _Label, high: _Label) -> str | None:
    """``V`` or ``V.*`` when ``[low, high)`` is what ``==`` of it means, else None."""
    low_kind, low_version = low
    high_kind, high_version = high
    if low_kind == _BELOW and high_kind in (_ABOVE, _AFTER_LOCALS) and low_version == high_version:
        return str(low_version)
    if (
        low_kind == _BEFORE_PRE
        and high_kind == _BEFORE_PRE
        and low_version.post is None
        and _bump(low_version, len(low_version.release)) == high_version
    ):
        return f"{low_version}.*"
    return None


def _format(versions: VersionSet, separator: str) -> str:
    labels = versions._labels
    if not labels:
        return "*" if versions._starts_in else "(empty)"
    # Bounds in order, None for the infinities: intervals are (bounds[k], bounds[k+1]).
    bounds: list[_Label | None] = list(labels)
    if versions._starts_in:
        bounds.insert(0, None)
    if len(bounds) % 2:
        bounds.append(None)
    groups: list[list[str]] = []
    current: list[str] = []
    continues = False  # the previous interval ended in a one-point gap ("!=")
    for index in range(0, len(bounds), 2):
        low, high = bounds[index], bounds[index + 1]
        if not continues:
            if low is not None and high is not None:
                point = _point_text(low, high)
                if point is not None:
                    groups.append([f"=={point}"])
                    continue
            if low is not None:
                current.append(_lower_text(low))
        # A gap that is one point (or one wildcard) reads as "!=" inside the same group.
        after = bounds[index + 2] if index + 2 < len(bounds) else None
        gap = _point_text(high, after) if high is not None and after is not None else None
        continues = gap is not None
        if gap is not None:
            current.append(f"!={gap}")
            continue
        if high is not None:
            current.append(_upper_text(high))
        groups.append(current)
        current = []
    if current:
        groups.append(current)
    return " | ".join(separator.join(group) if group else "*" for group in groups)
