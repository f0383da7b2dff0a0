"""Backtracking steps of a Python regex: a small matcher over `re._parser`'s tree that tries
alternatives in the order `re` does and counts every character test and every position tried.

Python's `re` reports no step count, so a test cannot bound one with `re` itself; this matcher
follows the same backtracking search (greedy, lazy and possessive repeats, groups, branches,
look-arounds, anchors), so a pattern that is quadratic in `re` is quadratic here. Used by
tests/test_regex_linear.py and bench/regex_worst.py. Leaves out back-references and
conditionals (no pattern of ours uses them: `steps` raises on them).
"""
from __future__ import annotations

import re
import sys
import threading

try:
    from re import _constants as C
    from re import _parser as P
except ImportError:  # Python < 3.11
    import sre_constants as C
    import sre_parse as P

ALL_TEXT = (
    "assistant.answer.understand.condense", "assistant.answer.decide", "assistant.answer.generate.extractive",
    "assistant.answer.understand.refs", "assistant.answer.rank", "assistant.answer.evidence", "assistant.answer.sentences",
    "assistant.answer.terms", "assistant.answer.understand.validate", "assistant.answer.verify", "assistant.web.chat_ui",
    "ingest.chunking", "ingest.loaders", "ingest.treaty", "vectorstore.lexical",
)


class TooManySteps(Exception):
    pass


def module_patterns(modules=ALL_TEXT) -> dict[str, re.Pattern]:
    """Every compiled pattern a module holds at top level (lists and dicts of them too): "module.NAME[i]"."""
    import importlib

    found = {}
    for name in modules:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        for attr, value in vars(mod).items():
            items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else [(None, value)]
            for key, item in items:
                if isinstance(item, re.Pattern):
                    found[f"{name}.{attr}" + (f"[{key}]" if key is not None else "")] = item
        found.update(inline_patterns(mod))
    return found


def inline_patterns(mod) -> dict[str, re.Pattern]:
    """Literal patterns written inside calls (`re.finditer(r"...", text)`), found in the module's source."""
    import ast
    import inspect

    found = {}
    for node in ast.walk(ast.parse(inspect.getsource(mod))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.func.attr in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split")
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found[f"{mod.__name__}:{node.lineno}"] = re.compile(node.args[0].value)
    return found


def adversarial(n: int) -> dict[str, str]:
    """Inputs of about `n` characters that make backtracking patterns retry: long runs of one
    class, repeated prefixes and markers that never complete, each ending in a breaking character."""
    units = {"letters": "a", "capitals": "A", "digits": "1", "spaces": " ", "newlines": "\n", "hyphenated": "a-",
             "numbers": "1,", "markers": "[1]", "spaced markers": "[1] ", "sentences": ". ", "names": "Ab ",
             "name chains": "A of ", "durations": "up to ", "labels": "ab 1", "colons": "ab: ", "blank lines": "\n \n"}
    runs = {k: (u * (n // len(u) + 1))[:n] + "!" for k, u in units.items()}
    return {**runs, "capital, then spaces": "Ab" + " " * n + "!"}


def steps(pattern: re.Pattern, text: str, limit: int) -> int:
    """Steps `pattern.finditer(text)` takes here; raises TooManySteps past `limit`."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(_run(pattern, text, limit)))
    old = threading.stack_size(512 * 1024 * 1024)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 200_000))
    try:
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old)
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def _run(pattern, text, limit):
    try:
        return _Matcher(pattern, text, limit).finditer()
    except BaseException as exc:  # handed to the calling thread
        return exc


class _Matcher:
    def __init__(self, pattern, text, limit):
        self.flags = pattern.flags
        self.tree = P.parse(pattern.pattern, pattern.flags)
        self.text, self.limit, self.count = text, limit, 0
        self.icase = bool(pattern.flags & re.I)
        if self.icase:
            self.text = text.lower()

    def tick(self, n=1):
        self.count += n
        if self.count > self.limit:
            raise TooManySteps(self.count)

    def finditer(self) -> int:
        pos, n = 0, len(self.text)
        while pos <= n:
            end = []
            self.tick()
            if self.seq(list(self.tree), 0, pos, lambda p, end=end: end.append(p) or True):
                pos = end[0] + (end[0] == pos)
            else:
                pos += 1
        return self.count

    # one-character tests
    def one(self, op, av, ch) -> bool:
        if op is C.LITERAL:
            return ch == (chr(av).lower() if self.icase else chr(av))
        if op is C.NOT_LITERAL:
            return ch != (chr(av).lower() if self.icase else chr(av))
        if op is C.ANY:
            return ch != "\n" or bool(self.flags & re.S)
        if op is C.IN:
            return self.in_set(av, ch)
        if op is C.CATEGORY:
            return self.category(av, ch)
        raise NotImplementedError(op)

    def in_set(self, items, ch) -> bool:
        negate, hit = False, False
        for op, av in items:
            if op is C.NEGATE:
                negate = True
            elif op is C.RANGE:
                lo, hi = av
                hit |= lo <= ord(ch) <= hi or (self.icase and lo <= ord(ch.upper()) <= hi)
            elif op is C.LITERAL:
                hit |= ch == chr(av) or (self.icase and ch == chr(av).lower())
            elif op is C.CATEGORY:
                hit |= self.category(av, ch)
        return hit != negate

    @staticmethod
    def category(av, ch) -> bool:
        name = str(av)
        if "NOT_" in name:
            return not _Matcher.category(getattr(C, name.replace("NOT_", "")), ch)
        if "DIGIT" in name:
            return ch.isdigit()
        if "SPACE" in name:
            return ch.isspace()
        if "WORD" in name:
            return ch.isalnum() or ch == "_"
        raise NotImplementedError(name)

    def single(self, item) -> bool:
        return item[0] in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN, C.CATEGORY)

    def word(self, p) -> bool:
        return 0 <= p < len(self.text) and (self.text[p].isalnum() or self.text[p] == "_")

    def seq(self, items, i, pos, k) -> bool:
        """Match items[i:] at pos, then the continuation k(end)."""
        self.tick()
        if i == len(items):
            return k(pos)
        op, av = items[i]
        nxt = lambda p: self.seq(items, i + 1, p, k)  # noqa: E731
        if self.single(items[i]):
            return pos < len(self.text) and self.one(op, av, self.text[pos]) and nxt(pos + 1)
        if op is C.SUBPATTERN:
            return self.seq(list(av[-1]), 0, pos, nxt)
        if op is C.BRANCH:
            return any(self.seq(list(alt), 0, pos, nxt) for alt in av[1])
        if op is C.AT:
            return self.at(av, pos) and nxt(pos)
        if op in (C.ASSERT, C.ASSERT_NOT):
            direction, sub = av
            sub = list(sub)
            if direction < 0:
                width = sub_width(sub)
                ok = pos - width >= 0 and self.seq(sub, 0, pos - width, lambda p: p == pos)
            else:
                ok = self.seq(sub, 0, pos, lambda p: True)
            return (ok if op is C.ASSERT else not ok) and nxt(pos)
        if op is C.ATOMIC_GROUP:
            end = []
            return self.seq(list(av), 0, pos, lambda p: end.append(p) or True) and nxt(end[0])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            return self.repeat(op, av, pos, nxt)
        raise NotImplementedError(op)

    def at(self, av, pos) -> bool:
        t, multi = self.text, bool(self.flags & re.M)
        if av is C.AT_BEGINNING:
            return pos == 0 or (multi and t[pos - 1] == "\n")
        if av is C.AT_BEGINNING_STRING:
            return pos == 0
        if av is C.AT_END:
            return pos == len(t) or (pos == len(t) - 1 and t[pos] == "\n") or (multi and t[pos] == "\n")
        if av is C.AT_END_STRING:
            return pos == len(t)
        if av is C.AT_BOUNDARY:
            return self.word(pos - 1) != self.word(pos)
        if av is C.AT_NON_BOUNDARY:
            return self.word(pos - 1) == self.word(pos)
        raise NotImplementedError(av)

    def repeat(self, op, av, pos, k) -> bool:
        lo, hi, sub = av
        sub = list(sub)
        if len(sub) == 1 and self.single(sub[0]):  # like re's REPEAT_ONE: scan, then back off
            n, t = 0, self.text
            while n < hi and pos + n < len(t) and self.one(*sub[0], t[pos + n]):
                self.tick()
                n += 1
            if n < lo:
                return False
            if op is C.POSSESSIVE_REPEAT:
                return k(pos + n)
            order = range(n, lo - 1, -1) if op is C.MAX_REPEAT else range(lo, n + 1)
            return any(k(pos + j) for j in order)
        if op is C.POSSESSIVE_REPEAT:
            count, end = 0, pos
            while count < hi:
                got = []
                if not self.seq(sub, 0, end, lambda p, got=got: got.append(p) or True) or got[0] == end:
                    break
                end, count = got[0], count + 1
            return count >= lo and k(end)

        def more(p, count) -> bool:
            self.tick()
            go = lambda q: q != p and more(q, count + 1)  # noqa: E731 - an empty iteration ends the loop
            if op is C.MAX_REPEAT:
                return (count < hi and self.seq(sub, 0, p, go)) or (count >= lo and k(p))
            return (count >= lo and k(p)) or (count < hi and self.seq(sub, 0, p, go))

        return more(pos, 0)


def sub_width(items) -> int:
    lo, hi = P.SubPattern(P.State(), items).getwidth()
    if lo != hi:
        raise NotImplementedError("look-behind of variable width")
    return lo
