"""The child process that evaluates a config.star: run as `python -c <this file's text>`.

Self-contained on purpose (the standard library and `starlark` only): it runs in a fresh
interpreter whose time the parent bounds by killing it, and whose memory it bounds here with
RLIMIT_AS. It reads the Starlark source on stdin and writes one JSON object on stdout:

- {"missing": true}: the `starlark` module (the `revka[star]` extra) is not installed;
- {"error": text}: a syntax or evaluation error, starlark's own text (with its `--> file:L:C`);
- {"no_config": true}: the file sets no top-level `config`;
- {"bad": [[key, message], ...]}: values that are not plain data, or too many, too deep, too long;
- {"data": value}: the `config` value, plain JSON data.

argv: file name, memory limit (bytes), most values, deepest nesting, most string bytes.
"""

import json
import sys

sys.path.pop(0)  # `-c` puts the working directory first: a starlark.py there must not win

# Walks the `config` value of the user's module (loaded by name): every value must be a string,
# number, boolean, None, list, tuple or dict with string keys. Starlark has no recursion or
# while loop, so the walk is a bounded for loop over an explicit stack.
WALKER = '''
load("config.star", "config")
PLAIN = ["string", "int", "float", "bool", "NoneType"]
def walk(root, most, deepest, longest, listed):
    out = []
    stack = [("", root, 0)]
    seen = 0
    chars = 0
    for _ in range(most + 2):
        if not stack or len(out) >= listed:
            break
        path, v, depth = stack.pop()
        seen += 1
        if seen > most:
            return [(path, "too many values (more than %d); a config is small" % most)]
        t = type(v)
        if depth > deepest:
            return [(path, "nested too deeply (more than %d levels)" % deepest)]
        if (t == "dict" or t == "list" or t == "tuple") and seen + len(stack) + len(v) > most:
            return [(path, "too many values (more than %d); a config is small" % most)]
        if t == "dict":
            for k in v:
                if type(k) != "string":
                    out.append((path, "a key must be a string, not " + type(k) + " " + repr(k)))
                else:
                    stack.append(((path + "." + k) if path else k, v[k], depth + 1))
        elif t == "list" or t == "tuple":
            for i, x in enumerate(v):
                stack.append((path + "[" + str(i) + "]", x, depth + 1))
        elif t == "string":
            chars += len(v)
            if chars > longest:
                return [(path, "the strings add up to more than %d bytes" % longest)]
        elif t not in PLAIN:
            out.append((path, "a " + t + " is not a config value"))
    return out
bad = walk(config, MOST, DEEPEST, LONGEST, 100)
data = config if not bad else None
'''


def emit(obj):
    sys.stdout.write(json.dumps(obj))
    sys.stdout.flush()


def limit_memory(limit):
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the deadline still holds
        pass


def evaluate(sl, name, text, bounds):
    dialect = sl.Dialect.standard()
    dialect.enable_load = False  # hermetic: no other file is read
    builtins = sl.Globals.standard()  # no print, no I/O of any kind
    module = sl.Module()
    try:
        sl.eval(module, sl.parse(name, text, dialect), builtins)
    except sl.StarlarkError as exc:
        return {"error": str(exc)[:4000]}
    frozen = module.freeze()
    walker = sl.Module()
    for key, value in zip(("MOST", "DEEPEST", "LONGEST"), bounds):
        walker[key] = value
    try:
        sl.eval(walker, sl.parse("<revka>", WALKER), builtins, sl.FileLoader(lambda _: frozen))
    except sl.StarlarkError:
        return {"no_config": True}
    if walker["bad"]:
        return {"bad": walker["bad"]}
    return {"data": walker["data"]}


def main():
    name, memory, most, deepest, longest = sys.argv[1], *map(int, sys.argv[2:6])
    limit_memory(memory)
    try:
        import starlark as sl
    except ImportError:
        emit({"missing": True})
        return
    text = sys.stdin.read()
    emit(evaluate(sl, name, text, (most, deepest, longest)))


if __name__ == "__main__":
    main()
