"""``@value_type``: a frozen, slotted dataclass that costs a sixth of one to define.

``dataclasses.dataclass(frozen=True, slots=True)`` compiles six methods, one ``exec``
each, and builds the class twice: 0.34 to 0.39 ms a class on CPython 3.10 to 3.13, and a
command imports 45 to 65 of them, so 15 to 25 ms of every command's start-up went to
defining classes. ``value_type`` compiles only ``__init__`` (its signature is the class's);
equality, hashing, ``repr``, the frozen ``__setattr__`` and pickling are closures over the
field names (``operator.attrgetter``) or shared functions: 0.055 ms a class.

What a class gets is what ``@dataclass(frozen=True, slots=True)`` gives, and the class is a
dataclass to the ``dataclasses`` module: ``dataclasses.replace``, ``fields``, ``asdict``
and ``is_dataclass`` work, through a ``__dataclass_fields__`` worked out by the
``dataclasses`` module itself the first time one of them asks (see :class:`_Shadow`).

Supported: fields with defaults and :func:`dataclasses.field` (``default``,
``default_factory``, ``init``, ``repr``, ``compare``, ``hash``), ``__post_init__``,
``ClassVar`` annotations (left out), docstrings, generic and ``__slots__ = ()`` bases, and
pickling. Not supported (a ``TypeError`` says so): ``InitVar``, ``kw_only``, and a base
class that has fields of its own; use ``dataclasses`` for those.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[T], T]:
        """At run time only type checkers care about this marker."""
        return lambda function: function


__all__ = ["value_type"]

T = TypeVar("T")
_MISSING = dataclasses.MISSING


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def value_type(cls: type[T]) -> type[T]:
    """Make ``cls`` an immutable value type, like ``@dataclass(frozen=True, slots=True)``."""
    namespace = dict(cls.__dict__)
    fields = _fields(cls, namespace)
    for base in cls.__mro__[1:]:
        if "__dataclass_fields__" in base.__dict__:
            raise TypeError(f"@value_type class {cls.__name__} cannot extend a dataclass")
    names = tuple(name for name, _ in fields)
    for name in names:
        namespace.pop(name, None)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = names
    namespace["__match_args__"] = tuple(name for name, spec in fields if spec.init)
    shadow = _Shadow(fields)
    namespace["__dataclass_fields__"] = _Lazy(shadow, "__dataclass_fields__")
    namespace["__dataclass_params__"] = _Lazy(shadow, "__dataclass_params__")
    if namespace.get("__doc__") is None:
        namespace["__doc__"] = f"{cls.__name__}({', '.join(names)})"
    methods = _methods(cls, fields, post_init="__post_init__" in namespace)
    for name, method in methods.items():
        if name not in namespace:
            if method.__name__ == name:  # not a shared function
                method.__qualname__ = f"{cls.__qualname__}.{name}"
            namespace[name] = method
    if namespace.get("__hash__", 0) is None and "__eq__" in cls.__dict__:
        # A class body that defines __eq__ gets __hash__ = None; dataclasses then adds the
        # fields' hash to a frozen class, and so does this.
        namespace["__hash__"] = methods["__hash__"]
    metaclass: type = type(cls)
    made: type[T] = metaclass(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


def _fields(cls: type, namespace: dict[str, Any]) -> list[tuple[str, dataclasses.Field[Any]]]:
    """(name, field spec) for every field, in the order the class body declares them."""
    fields = []
    # Under ``from __future__ import annotations`` (every puffin module) the class body
    # leaves its annotations, as strings, in ``__annotations__``; without it, Python 3.14
    # evaluates them on first access instead.
    annotations = namespace.get("__annotations__")
    if annotations is None:
        annotations = getattr(cls, "__annotations__", {})
    for name, annotation in annotations.items():
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if text.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar")):
            continue
        if text.startswith(("InitVar", "dataclasses.InitVar")):
            raise TypeError(f"@value_type class {cls.__name__}: InitVar is not supported")
        declared = namespace.get(name, _MISSING)
        spec = declared if isinstance(declared, dataclasses.Field) else dataclasses.field()
        if not isinstance(declared, dataclasses.Field) and declared is not _MISSING:
            spec = dataclasses.field(default=declared)
        if spec.kw_only is True:
            raise TypeError(f"@value_type class {cls.__name__}: kw_only is not supported")
        if spec.default is not _MISSING and spec.default.__class__.__hash__ is None:
            # The dataclasses rule: a mutable default would be shared by every instance.
            raise ValueError(
                f"mutable default {type(spec.default)} for field {name} is not allowed: "
                "use default_factory"
            )
        fields.append((name, spec))
    seen_default = False
    for name, spec in fields:
        has_default = spec.default is not _MISSING or spec.default_factory is not _MISSING
        if spec.init and has_default:
            seen_default = True
        elif spec.init and seen_default:
            raise TypeError(f"non-default argument {name!r} follows default argument")
    return fields


def _methods(
    cls: type, fields: list[tuple[str, dataclasses.Field[Any]]], *, post_init: bool
) -> dict[str, Any]:
    """The methods ``@dataclass(frozen=True, slots=True)`` would write.

    Only ``__init__`` is compiled (its signature is the class's); the others are shared
    functions or closures over the field names, since compiling is what costs.
    """
    names = tuple(name for name, _ in fields)
    compared = _getter(tuple(name for name, spec in fields if spec.compare))
    hashed = _getter(
        tuple(
            name for name, spec in fields if (spec.hash if spec.hash is not None else spec.compare)
        )
    )
    shown = tuple(name for name, spec in fields if spec.repr)
    state = _getter(names)

    def __eq__(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: object) -> int:
        return hash(hashed(self))

    def __repr__(self: object) -> str:
        shown_fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({shown_fields})"

    def __getstate__(self: object) -> tuple[Any, ...]:
        return state(self)

    def __setstate__(self: object, values: tuple[Any, ...]) -> None:
        for name, field_value in zip(names, values, strict=True):
            object.__setattr__(self, name, field_value)

    return {
        "__init__": _init(cls, fields, post_init=post_init),
        "__repr__": __repr__,
        "__eq__": __eq__,
        "__hash__": __hash__,
        "__setattr__": _frozen_setattr,
        "__delattr__": _frozen_delattr,
        "__getstate__": __getstate__,
        "__setstate__": __setstate__,
    }


def _init(cls: type, fields: list[tuple[str, dataclasses.Field[Any]]], *, post_init: bool) -> Any:
    """``__init__``, compiled: each field set with ``object.__setattr__``, defaults and
    default factories as dataclasses apply them, then ``__post_init__``."""
    namespace: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": _MISSING}
    parameters = []
    body = []
    for index, (name, spec) in enumerate(fields):
        factory = f"_factory{index}"
        if spec.default is not _MISSING:
            namespace[f"_default{index}"] = spec.default
            default = f"_default{index}"
        elif spec.default_factory is not _MISSING:
            namespace[factory] = spec.default_factory
            default = None
        else:
            default = ""
        if spec.init and default is None:
            parameters.append(f"{name}=_MISSING")
            body.append(f"_set(self, {name!r}, {factory}() if {name} is _MISSING else {name})")
        elif spec.init:
            parameters.append(f"{name}={default}" if default else name)
            body.append(f"_set(self, {name!r}, {name})")
        elif default is None:
            body.append(f"_set(self, {name!r}, {factory}())")
        elif default:
            body.append(f"_set(self, {name!r}, {default})")
    if post_init:
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(parameters)}):\n " + "\n ".join(body or ["pass"])
    filename = f"<@value_type {cls.__module__}.{cls.__qualname__}>"
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own source
    return namespace["__init__"]


def _getter(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    """The values of ``names`` of an object, as a tuple."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:
        single = operator.attrgetter(names[0])
        return lambda instance: (single(instance),)
    return lambda instance: ()


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


class _Shadow:
    """A dataclass with the same annotations and field specs, made when first needed.

    The ``dataclasses`` functions (``replace``, ``fields``, ``asdict``) and dataclasses
    that extend a value type read ``__dataclass_fields__`` and ``__dataclass_params__``;
    a throw-away ``@dataclass(frozen=True)`` with the same fields answers, so what they
    read is the module's own, whatever its version.
    """

    def __init__(self, fields: list[tuple[str, dataclasses.Field[Any]]]) -> None:
        self._fields = fields
        self._made: Any = None

    def made(self, owner: type) -> Any:
        if self._made is None:
            annotations = {name: owner.__annotations__[name] for name, _ in self._fields}
            namespace: dict[str, Any] = {"__annotations__": annotations}
            namespace.update((name, _copy(spec)) for name, spec in self._fields)
            self._made = dataclasses.dataclass(frozen=True)(type(owner.__name__, (), namespace))
        return self._made


class _Lazy:
    """A class attribute read from the class's :class:`_Shadow`."""

    def __init__(self, shadow: _Shadow, name: str) -> None:
        self._shadow = shadow
        self._name = name

    def __get__(self, instance: object, owner: type) -> Any:
        return getattr(self._shadow.made(owner), self._name)


def _copy(spec: dataclasses.Field[Any]) -> Any:
    return dataclasses.field(
        default=spec.default,
        default_factory=spec.default_factory,
        init=spec.init,
        repr=spec.repr,
        hash=spec.hash,
        compare=spec.compare,
        metadata=spec.metadata,
    )
