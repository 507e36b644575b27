"""``@value_type`` behaves as ``@dataclass(frozen=True, slots=True)`` does, for what puffin
uses of it, and stays a dataclass to the ``dataclasses`` module."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import field
from typing import ClassVar, Generic, TypeVar

import pytest

from puffin._values import value_type

T = TypeVar("T")


@value_type
class Point:
    """A point."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list, compare=False, repr=False)
    LIMIT: ClassVar[int] = 10

    def moved(self, by: int) -> Point:
        return dataclasses.replace(self, x=self.x + by)


@value_type
class Derived:
    """A value with a field worked out after ``__init__``."""

    text: str
    length: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "length", len(self.text))


@value_type
class Box(Generic[T]):
    """A generic value."""

    item: T


@value_type
class Custom:  # noqa: PLW1641 - @value_type adds the hash, as dataclasses would
    """A value whose class body writes its own ``__eq__`` and ``__repr__``."""

    key: str
    extra: str = ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Custom) and other.key == self.key

    def __repr__(self) -> str:
        return f"<Custom {self.key}>"


@dataclasses.dataclass(frozen=True, slots=True)
class Reference:
    """What ``Point`` is meant to match."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list, compare=False, repr=False)


def test_init_defaults_factories_repr_and_equality_match_a_dataclass() -> None:
    point = Point(1, tags=("a",))
    reference = Reference(1, tags=("a",))

    assert (point.x, point.y, point.tags, point.notes) == (1, 0, ("a",), [])
    assert repr(point) == repr(reference).replace("Reference", "Point")
    assert point == Point(1, 0, ("a",), ["ignored: compare=False"])
    assert point != Point(2, tags=("a",))
    assert point != reference  # another class, even with equal fields
    assert hash(point) == hash(Point(1, 0, ("a",)))
    assert Point(1).notes is not Point(1).notes  # a new list for each
    assert Point.__match_args__ == ("x", "y", "tags", "notes")
    assert Point.__doc__ == "A point."
    assert Point.LIMIT == 10


def test_instances_are_frozen_and_slotted() -> None:
    point = Point(1)

    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.x  # type: ignore[misc]
    assert not hasattr(point, "__dict__")
    assert Point.__slots__ == ("x", "y", "tags", "notes")


def test_the_dataclasses_functions_work_on_value_types() -> None:
    point = Point(1, 2, ("a",))

    assert dataclasses.is_dataclass(point)
    assert [item.name for item in dataclasses.fields(point)] == ["x", "y", "tags", "notes"]
    assert point.moved(5) == Point(6, 2, ("a",))
    assert dataclasses.asdict(point) == {"x": 1, "y": 2, "tags": ("a",), "notes": []}
    with pytest.raises(ValueError, match="init=False"):
        dataclasses.replace(Derived("abc"), length=1)
    assert dataclasses.replace(Derived("abc"), text="abcdef").length == 6


def test_a_dataclass_may_extend_a_value_type() -> None:
    @dataclasses.dataclass(frozen=True)
    class Labelled(Point):
        label: str = ""

    labelled = Labelled(1, label="here")

    assert (labelled.x, labelled.label) == (1, "here")
    assert [item.name for item in dataclasses.fields(labelled)][-1] == "label"


def test_post_init_fields_and_custom_methods() -> None:
    derived = Derived("abcd")

    assert derived.length == 4
    assert repr(derived) == "Derived(text='abcd')"
    assert derived == Derived("abcd")

    custom = Custom("k", "one")
    assert custom == Custom("k", "two")  # the class's own __eq__
    assert repr(custom) == "<Custom k>"
    assert hash(custom) == hash(Custom("k", "one"))  # a hash, as a dataclass adds one


def test_generic_values_pickle_and_copy() -> None:
    box = Box[int](3)

    assert pickle.loads(pickle.dumps(box)) == box
    assert pickle.loads(pickle.dumps(Point(1, 2, ("a",), ["n"]))).notes == ["n"]
    assert copy.deepcopy(Derived("xy")).length == 2
    assert copy.copy(Point(4)) == Point(4)


def test_definitions_dataclasses_would_refuse_are_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'y'"):

        @value_type
        class Misordered:
            x: int = 0
            y: int

    with pytest.raises(ValueError, match="mutable default"):

        @value_type
        class Shared:
            items: list[int] = []

    with pytest.raises(TypeError, match="kw_only"):

        @value_type
        class KeywordOnly:
            x: int = field(kw_only=True)
