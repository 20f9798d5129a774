from __future__ import annotations

import pytest

from revka_cli.records import Factory, Record


class Point(Record):
    x: int
    y: int = 0
    tags: list = Factory(list)


class Point3(Point):
    z: int = 0


class Secret(Record):
    name: str = "n"
    key: str = "k"
    _repr_hidden = ("key",)


class Box(Record, frozen=False):
    size: int = 1


def test_fields_defaults_and_factories():
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 0, [])
    assert Point(1).tags is not p.tags
    assert Point(1, 2) == Point(x=1, y=2) and Point(1) != Point(2)
    assert Point3(1, 2, z=3).to_dict() == {"x": 1, "y": 2, "tags": [], "z": 3}


def test_errors_are_type_errors():
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(TypeError):
        Point(1, nope=2)
    with pytest.raises(TypeError):
        Point(1, x=1)
    with pytest.raises(TypeError):
        Point(1, 2, [], 4)


def test_frozen_replace_and_hash():
    p = Point(1, 2, ())
    with pytest.raises(AttributeError):
        p.x = 5
    assert p.replace(x=9) == Point(9, 2, ()) and p.x == 1
    assert hash(p) == hash(Point(1, 2, ()))
    box = Box()
    box.size = 3
    assert box.size == 3
    with pytest.raises(TypeError):
        hash(box)


def test_repr_hides_secrets():
    assert repr(Secret()) == "Secret(name='n')"
