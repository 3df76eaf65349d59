"""The INI reader of the config files against configparser, the reader it replaced.

The oracle below is the previous implementation (``configparser.RawConfigParser``, as
botocore uses it, plus the same nested-value step and error messages), kept here only as a
test oracle. For every text, ours must give the same sections, keys, values and order,
type-strictly, or the same ConfigError message.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aioapigateway.runtime.config import profiles as _profiles
from aioapigateway.runtime.errors import ConfigError

KIND = "config"
PATH = "/nowhere/config"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


# --- the oracle: the previous, configparser-based reader -------------------------------------


def _oracle_describe(exc: configparser.Error) -> str:
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"line {exc.lineno} comes before any [section] header"
    if isinstance(exc, configparser.ParsingError):
        lines = ", ".join(str(lineno) for lineno, _ in exc.errors)
        return f"cannot parse line(s) {lines}"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"section [{exc.section}] appears twice (line {exc.lineno})"
    if isinstance(exc, configparser.DuplicateOptionError):
        return f"{exc.option!r} appears twice in [{exc.section}] (line {exc.lineno})"
    raise AssertionError(f"unexpected configparser error {type(exc).__name__}")


def _oracle_nested(value: str) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        key, item = line.split("=", 1)
        parsed[key.strip()] = item.strip()
    return parsed


def oracle(text: str) -> dict[str, dict[str, Any]] | str:
    """The old ``_read_ini`` after decoding: the sections, or the ConfigError message."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=PATH)
    except configparser.Error as exc:
        return f"Cannot parse the {KIND} file {PATH}: {_oracle_describe(exc)}"
    sections: dict[str, dict[str, Any]] = {}
    for section in parser.sections():
        values: dict[str, Any] = {}
        for option in parser.options(section):
            value = parser.get(section, option)
            if value.startswith("\n"):
                try:
                    values[option] = _oracle_nested(value)
                except ValueError:
                    return (
                        f"Cannot parse the {KIND} file {PATH}: the nested section "
                        f"{option!r} in [{section}] has a line without '='"
                    )
            else:
                values[option] = value
        sections[section] = values
    return sections


def ours(text: str) -> dict[str, dict[str, Any]] | str:
    try:
        return _profiles._ini_sections(text, KIND, PATH)
    except ConfigError as exc:
        assert isinstance(exc.__cause__, ValueError)
        return str(exc)


def strict(value: Any) -> Any:
    """A form in which equal means same types, same keys in the same order, same values."""
    if isinstance(value, dict):
        return ("dict", tuple((strict(k), strict(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def assert_same(text: str) -> None:
    assert strict(ours(text)) == strict(oracle(text)), repr(text)


# --- generated files -----------------------------------------------------------------------

# Whitespace that str.strip() removes but that is not " " or "\t", and look-alikes that are
# not whitespace at all; "\r" stays inside a line (lines end at "\n" only).
_ODD_SPACE = ["\r", "\x0b", "\x0c", "\x1c", "\x85", "\u00a0", "\u2003", "\u2028", "\u200b"]
_BLANK = st.lists(st.sampled_from([" ", " ", "\t", *_ODD_SPACE]), max_size=3).map("".join)
_INDENT = st.sampled_from(["", "", "", " ", "  ", "\t", "    ", "\u00a0"])
# Keys from a small pool, so that duplicates (and duplicates differing in case) are common.
_KEY = st.sampled_from(
    ["region", "Region", "REGION", "s3", "S3", "a b", "key", "İ", "ß", "\u212a", "x;y", "[k]"]
)
_TEXT = st.text(
    alphabet=st.sampled_from([*"ab =:;#[]\"'\\\t", "é", "İ", "\u00a0", "\r", "\x0c"]),
    max_size=12,
)
_SECTION_NAME = st.sampled_from(
    ["default", "DEFAULT", "profile dev", 'profile "my dev"', "s", " s ", "a]b", "x=y", "é"]
)


@st.composite
def _header(draw: st.DrawFn) -> str:
    name = draw(st.one_of(_SECTION_NAME, _TEXT))
    trailing = draw(st.sampled_from(["", "", " ", " junk", "]", " ; c", "= v"]))
    return f"{draw(_INDENT)}[{name}]{trailing}{draw(_BLANK)}"


@st.composite
def _option(draw: st.DrawFn) -> str:
    delimiter = draw(st.sampled_from(["=", "=", ":", "==", ":=", "=:"]))
    key = draw(st.one_of(_KEY, _KEY, _TEXT))
    value = draw(st.one_of(st.just(""), _TEXT, st.sampled_from(["v ; not a comment", "a=b"])))
    return f"{draw(_INDENT)}{key}{draw(_BLANK)}{delimiter}{draw(_BLANK)}{value}{draw(_BLANK)}"


@st.composite
def _continuation(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from([" ", "  ", "\t", "    ", "\u2003"]))
    text = draw(st.one_of(_option(), _TEXT, st.sampled_from(["[sec]", "no equals sign"])))
    return indent + text


@st.composite
def _nested(draw: st.DrawFn) -> str:
    """A ``key =`` line and its indented ``name = value`` lines (the ``s3 =`` style), or
    a value on several lines."""
    # Mostly "key =" (a nested section), else a value that continues on the next lines.
    first = draw(st.sampled_from(["", "", "v"]))
    lines = [f"{draw(_KEY)} ={draw(_BLANK)}{first}"]
    item = st.builds("{}{} = {}".format, st.sampled_from(["  ", "\t"]), _KEY, _TEXT)
    blank = st.one_of(st.just(""), _BLANK)
    for _ in range(draw(st.integers(1, 4))):
        lines.append(draw(st.one_of(item, item, item, _continuation(), blank, _comment())))
    return "\n".join(lines)


@st.composite
def _comment(draw: st.DrawFn) -> str:
    return f"{draw(_INDENT)}{draw(st.sampled_from(['#', ';']))}{draw(_TEXT)}"


_LINE = st.one_of(
    _header(),
    _option(),
    _option(),
    _continuation(),
    _nested(),
    _comment(),
    _BLANK,
    _TEXT,  # junk
)


@st.composite
def ini_files(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_LINE, max_size=14))
    if draw(st.booleans()):
        # Most real files start with a header; without one, most texts are the same error.
        lines.insert(0, draw(_header()))
    end = draw(st.sampled_from(["", "\n", "\r\n", "\n\n"]))
    return draw(st.sampled_from(["\n", "\n", "\r\n"])).join(lines) + end


@st.composite
def plausible_files(draw: st.DrawFn) -> str:
    """Files a person might write: mostly valid, so that the values themselves (nested
    ones above all) are compared, not only the first error."""
    line = st.one_of(_option(), _option(), _nested(), _nested(), _comment(), _BLANK, _header())
    first = draw(st.one_of(st.just("[DEFAULT]"), _header()))
    return "\n".join([first, *draw(st.lists(line, max_size=10))]) + "\n"


@settings(max_examples=200, deadline=None)
@given(st.one_of(ini_files(), plausible_files()))
@example("[s]\n = x\n")  # an empty key: a ParsingError, yet it still counts as a key
@example("[s]\n= x\n= y\n")  # ... so that a second one is a duplicate first
@example("[s]\nbad\n  cont\n[s]\n")  # a duplicate section wins over earlier bad lines
@example("[DEFAULT]\nk = d\n[DEFAULT]\nk = e\n")  # [DEFAULT] may repeat, its keys not
@example("[ s ]\n[s]\n")  # section names keep their blanks: two sections
def test_reads_generated_files_as_configparser_did(text: str) -> None:
    assert_same(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_reads_any_text_as_configparser_did(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Keys lower-cased; values and section names are not.
        ("[Sec]\nRegion = EU-West-1\n", {"Sec": {"region": "EU-West-1"}}),
        # The first delimiter splits, whichever it is; the rest is the value.
        ("[s]\na: b = c\nd = e: f\n", {"s": {"a": "b = c", "d": "e: f"}}),
        # No inline comments: ";" and "#" after a value are part of it.
        ("[s]\nk = v ; c\nj = w # c\n", {"s": {"k": "v ; c", "j": "w # c"}}),
        # A nested section; a comment line inside it is skipped, a blank line kept.
        ("[s]\ns3 =\n  a = 1\n# c\n\n  b = 2\n", {"s": {"s3": {"a": "1", "b": "2"}}}),
        # A continuation of a plain value keeps its lines; trailing blank lines dropped.
        ("[s]\nk = one\n  two\n\n   three\n\n\n", {"s": {"k": "one\ntwo\n\nthree"}}),
        # An indented comment line is still a comment, not part of the value.
        ("[s]\nk = one\n  # c\n  two\n", {"s": {"k": "one\ntwo"}}),
        # [DEFAULT] keys show in every section, after its own keys; a section's key wins.
        (
            "[DEFAULT]\nd = 1\nk = 2\n[s]\nk = 3\n[t]\n",
            {"s": {"k": "3", "d": "1"}, "t": {"d": "1", "k": "2"}},
        ),
        # The header ends at the line's last "]"; text after it is ignored.
        ("[a]b] trailing\nk = v\n", {"a]b": {"k": "v"}}),
        # "\r" does not end a line; it is stripped from a line's ends.
        ("[s]\r\nk = v\r\n", {"s": {"k": "v"}}),
    ],
)
def test_examples(text: str, expected: dict[str, Any]) -> None:
    assert strict(oracle(text)) == strict(expected)  # the oracle agrees with the example
    assert strict(ours(text)) == strict(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k = v\n[s]\n", "line 1 comes before any [section] header"),
        ("[s]\nk = 1\n[t]\n[s]\n", "section [s] appears twice (line 4)"),
        ("[s]\nKey = 1\nkey = 2\n", "'key' appears twice in [s] (line 3)"),
        ("[s]\nno delimiter\nk = v\n= v\n", "cannot parse line(s) 2, 4"),
        ("[s]\ns3 =\n  no equals\n", "the nested section 's3' in [s] has a line without '='"),
    ],
)
def test_errors(text: str, message: str) -> None:
    assert oracle(text) == f"Cannot parse the {KIND} file {PATH}: {message}"
    assert ours(text) == f"Cannot parse the {KIND} file {PATH}: {message}"


async def test_files_are_read_through_the_new_reader(tmp_path: Path) -> None:
    """Through the file: a BOM is skipped, the error never quotes the line (a secret)."""
    good = tmp_path / "good"
    good.write_bytes(b"\xef\xbb\xbf[default]\nRegion = eu-west-1\n")
    assert strict(_profiles._read_ini(str(good), "config")) == strict(
        {"default": {"region": "eu-west-1"}}
    )
    bad = tmp_path / "bad"
    bad.write_text(f"[default]\naws_secret_access_key {SECRET}\n")
    with pytest.raises(ConfigError, match=r"cannot parse line\(s\) 2") as info:
        _profiles._read_ini(str(bad), "shared credentials")
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value.__cause__)
