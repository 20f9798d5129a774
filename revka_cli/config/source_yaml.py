"""Parse a YAML config safely: bounded nesting and alias expansion, every failure a `Problem`."""

from __future__ import annotations

from revka_cli.config.limits import TOO_DEEP, long_number, problem_at, yaml_shape_problem
from revka_cli.config.problems import ERROR, Problem


def parse_yaml(text: str, name: str):
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found = yaml_shape_problem(loader_cls, text)
    if found:
        return None, problem_at(name, found), {}
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        return None, _yaml_syntax_problem(exc, name), {}
    except yaml.YAMLError as exc:
        return None, Problem(ERROR, "", f"YAML error: {exc}", name), {}
    except RecursionError:  # pragma: no cover - the pure-Python composer, without libyaml
        return None, Problem(ERROR, "", TOO_DEEP, name), {}
    except (ValueError, TypeError) as exc:  # a value its constructor cannot build
        return None, _yaml_value_problem(exc, text, name), {}
    finally:
        loader.dispose()
    if data is None:
        return None, Problem(ERROR, "", "is empty; add settings to it or delete it", name), {}
    if not isinstance(data, dict):
        return None, Problem(ERROR, "", "the top level must be a mapping of keys", name, 1, 1), {}
    return data, None, _yaml_key_lines(node)


def _yaml_syntax_problem(exc, name: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "invalid YAML"
    if exc.context_mark and "end of stream" in what:  # point at where the broken item began
        mark, what = exc.context_mark, f"{what} {exc.context or ''}".strip()
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    message = TOO_DEEP if "maximum nesting depth" in what else f"YAML syntax error: {what}"
    return Problem(ERROR, "", message, name, line, col)


def _yaml_value_problem(exc: Exception, text: str, name: str) -> Problem:
    """A scalar the safe constructor rejects: a date like 2024-13-01, an over-long integer."""
    if "digits" in str(exc):
        return problem_at(name, long_number(text))
    return Problem(ERROR, "", f"YAML value error: {exc}", name)


def _yaml_key_lines(root) -> dict[str, tuple[int, int]]:
    """Dotted key path -> (line, column) for every mapping key; iterative, and bounded by
    yaml_shape_problem, which ran first."""
    import yaml

    out: dict[str, tuple[int, int]] = {}
    stack = [(root, "")]
    while stack:
        node, prefix = stack.pop()
        if not isinstance(node, yaml.MappingNode):
            continue
        for key_node, value_node in reversed(node.value):
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            full = f"{prefix}{key_node.value}"
            mark = key_node.start_mark
            out[full] = (mark.line + 1, mark.column + 1)
            stack.append((value_node, full + "."))
    return out
