"""`Record`: small value classes with the parts of dataclasses revka uses, at a fraction of the
start-up cost.

Importing `dataclasses` (which imports `inspect`) and building classes with it costs 10-25 ms per
run on our machines; every TAB press and every `config validate` pays start-up, so the classes on
those paths (config, paths, provider catalog, model catalog) derive from `Record` instead. Fields
are the class's annotated names, in order, including those of base classes; a class attribute gives
the default, `Factory(callable)` a fresh default per instance. Records are frozen unless the class
says `class X(Record, frozen=False)`. Names in `_repr_hidden` are left out of repr (secrets), names
in `_eq_ignored` out of == and hash.
"""

from __future__ import annotations


class Factory:
    """A default made fresh for every instance (like dataclasses' default_factory)."""

    __slots__ = ("make",)

    def __init__(self, make) -> None:
        self.make = make


_MISSING = object()


class Record:
    _fields: tuple[str, ...] = ()
    _defaults: dict = {}
    _frozen: bool = True
    _repr_hidden: tuple[str, ...] = ()
    _eq_ignored: tuple[str, ...] = ()  # fields that do not take part in == and hash

    def __init_subclass__(cls, frozen: bool = True, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        names: list[str] = []
        defaults: dict = {}
        for klass in reversed(cls.__mro__):
            for name in klass.__dict__.get("__annotations__", {}):
                if name.startswith("_"):
                    continue
                if name not in names:
                    names.append(name)
                if name in klass.__dict__:
                    defaults[name] = klass.__dict__[name]
        cls._fields, cls._defaults, cls._frozen = tuple(names), defaults, frozen

    def __init__(self, *args, **kwargs) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields, got {len(args)}")
        values = dict(zip(fields, args))
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{type(self).__name__} has no field '{name}'")
            if name in values:
                raise TypeError(f"{type(self).__name__} got '{name}' twice")
            values[name] = value
        store = self.__dict__
        for name in fields:
            value = values.get(name, _MISSING)
            if value is _MISSING:
                value = self._defaults.get(name, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{type(self).__name__} is missing field '{name}'")
                if type(value) is Factory:
                    value = value.make()
            store[name] = value

    def __setattr__(self, name: str, value) -> None:
        if self._frozen:
            raise AttributeError(f"{type(self).__name__} is frozen; use .replace()")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self._frozen:
            raise AttributeError(f"{type(self).__name__} is frozen")
        object.__delattr__(self, name)

    def _values(self) -> tuple:
        return tuple(self.__dict__[name] for name in self._fields if name not in self._eq_ignored)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        if not self._frozen:
            raise TypeError(f"unhashable type: '{type(self).__name__}'")
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self._fields
                          if name not in self._repr_hidden)
        return f"{type(self).__name__}({shown})"

    def replace(self, **changes) -> "Record":
        values = {name: self.__dict__[name] for name in self._fields}
        values.update(changes)
        return type(self)(**values)

    def to_dict(self) -> dict:
        """Field name -> value, recursing into nested records."""
        return {name: (value.to_dict() if isinstance(value, Record) else value)
                for name, value in ((n, self.__dict__[n]) for n in self._fields)}
