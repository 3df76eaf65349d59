"""Tests for ``codegen.docs.html_to_text``: model HTML documentation -> docstring text.

The result must read well as plain text and be embeddable in a ``\"\"\"`` docstring as it is:
every test below checks that ``'\"\"\"' + text + '\"\"\"'`` parses (``ast.parse``) and, where it
matters, which string value Python reads back.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Without the codegen extra installed, the generator runs from the repository root.
    sys.path.insert(0, str(ROOT))

from codegen.docs import html_to_text  # noqa: E402


def docstring_value(text: str, closing: str = '"""') -> str:
    """The value Python reads from ``\"\"\"<text><closing>``; fails if it does not parse."""
    module = ast.parse(f'def f():\n    """{text}{closing}\n')
    function = module.body[0]
    assert isinstance(function, ast.FunctionDef)
    value = ast.get_docstring(function, clean=False)
    assert value is not None
    return value


def test_empty_and_missing_documentation() -> None:
    assert html_to_text(None) == ""
    assert html_to_text("") == ""
    assert html_to_text("<p></p>") == ""
    assert html_to_text("   ") == ""


def test_plain_text_passes_through() -> None:
    assert html_to_text("Just text.") == "Just text."


def test_paragraphs_become_blank_line_separated_blocks() -> None:
    assert html_to_text("<p>One.</p><p>Two.</p>") == "One.\n\nTwo."
    assert html_to_text("<p>One.</p>\n  <p>  Two   words.\n</p>") == "One.\n\nTwo words."


def test_other_block_tags_separate_paragraphs() -> None:
    assert html_to_text("<note>Note.</note><important>Careful.</important>") == (
        "Note.\n\nCareful."
    )
    assert html_to_text("<p>a<br/>b</p>") == "a\n\nb"
    assert html_to_text("<div>a</div><h1>Title</h1>") == "a\n\nTitle"


def test_code_keeps_its_text_without_markup() -> None:
    assert html_to_text("<p>Call <code>GetRestApis</code> first.</p>") == (
        "Call GetRestApis first."
    )
    assert html_to_text("<p><code>a</code>, <code>b</code></p>") == "a, b"


def test_lists_become_dash_items() -> None:
    assert html_to_text("<ul><li>a</li><li>b</li></ul>") == "- a\n\n- b"
    assert html_to_text("<ol><li>first</li><li>second</li></ol>") == "- first\n\n- second"


def test_list_items_holding_paragraphs_stay_on_their_dash_line() -> None:
    source = "<p>Intro:</p><ul><li><p>one <code>x</code></p></li><li><p>two</p></li></ul>"
    assert html_to_text(source) == "Intro:\n\n- one x\n\n- two"


def test_long_list_items_wrap_under_their_text() -> None:
    text = html_to_text("<ul><li>" + "word " * 40 + "</li></ul>", width=40)
    lines = text.splitlines()
    assert lines[0].startswith("- word")
    assert all(line.startswith("  word") for line in lines[1:])
    assert all(len(line) <= 40 for line in lines)


def test_paragraphs_wrap_at_the_width_without_breaking_words() -> None:
    long_word = "x" * 120
    text = html_to_text(f"<p>{'word ' * 30}{long_word}</p>", width=50)
    assert all(len(line) <= 50 for line in text.splitlines() if line != long_word)
    assert long_word in text.splitlines()
    assert html_to_text("<p>a-very-long-hyphenated-name here</p>", width=10) == (
        "a-very-long-hyphenated-name\nhere"
    )


def test_links_show_their_target_after_the_text() -> None:
    source = '<p>See <a href="https://example.com/guide">the guide</a>.</p>'
    assert html_to_text(source) == "See the guide (https://example.com/guide)."


def test_links_whose_text_is_the_target_are_not_repeated() -> None:
    source = '<p>See <a href="https://example.com/x">https://example.com/x</a>.</p>'
    assert html_to_text(source) == "See https://example.com/x."


def test_relative_links_keep_only_their_text() -> None:
    assert html_to_text('<p>See <a href="#anchor">below</a>.</p>') == "See below."
    assert html_to_text('<p>See <a href="/docs/x">docs</a>.</p>') == "See docs."
    assert html_to_text("<p>See <a>nothing</a>.</p>") == "See nothing."


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>&lt;tag&gt; &amp; more</p>", "<tag> & more"),
        ("<p>&quot;q&quot; &#39;s&#39;</p>", "\"q\" 's'"),
        ("<p>caf&eacute; &#233; &#xe9;</p>", "caf\u00e9 \u00e9 \u00e9"),
        ("<p>a&nbsp;b</p>", "a b"),
    ],
)
def test_entities_are_decoded(source: str, expected: str) -> None:
    text = html_to_text(source)
    assert docstring_value(text, closing='\n"""') == expected + "\n"


def test_entities_are_decoded_once() -> None:
    assert html_to_text("<p>write &amp;lt; for &lt;</p>") == "write &lt; for <"


# -- docstring safety ---------------------------------------------------------------------------

# (source, the value Python must read back from '"""' + html_to_text(source) + '"""')
SAFE_CASES = [
    ('a """ b', 'a """ b'),
    ('a """""" b', 'a """""" b'),
    ('<p>x</p><p>a triple quote: """ in the middle</p>', 'x\n\na triple quote: """ in the middle'),
    ('ends with a quote "', 'ends with a quote "'),
    ('ends with two quotes ""', 'ends with two quotes ""'),
    ('<p>"quoted"</p>', '"quoted"'),
    ("&quot;", '"'),
    ("a backslash \\ inside", "a backslash \\ inside"),
    ("C:\\golden\\", "C:\\golden\\"),
    ("ends with a backslash \\", "ends with a backslash \\"),
    (
        "escapes \\n \\t \\x00 \\u1234 \\N{BULLET} stay text",
        "escapes \\n \\t \\x00 \\u1234 \\N{BULLET} stay text",
    ),
    ('\\"', '\\"'),
    ("<code>\\d+</code>", "\\d+"),
    ("a &#92; entity", "a \\ entity"),
    ("<p>single ' quotes '''</p>", "single ' quotes '''"),
]


@pytest.mark.parametrize(("source", "expected"), SAFE_CASES)
def test_result_embeds_in_a_triple_quoted_docstring(source: str, expected: str) -> None:
    text = html_to_text(source)
    assert docstring_value(text) == expected
    # The templates put more text or a newline after the documentation: still the same value.
    assert docstring_value(text, closing='\n"""') == expected + "\n"


# Documentation ending in a triple quote: escaped once, each quote must not be escaped again
# (a '\"' whose '"' is escaped once more reads as an escaped backslash and a bare quote that
# merges with the closing '"""').
TRAILING_TRIPLE_QUOTE_CASES = [
    ('ends with """', 'ends with """'),
    ("&quot;&quot;&quot;", '"""'),
    ('<p>x</p><p>"""</p>', 'x\n\n"""'),
    ('a\\"""', 'a\\"""'),
]


@pytest.mark.parametrize(("source", "expected"), TRAILING_TRIPLE_QUOTE_CASES)
def test_result_ending_in_a_triple_quote_embeds_in_a_docstring(source: str, expected: str) -> None:
    text = html_to_text(source)
    assert docstring_value(text) == expected
    # As the templates close docstrings: a newline and the indentation follow the text.
    assert docstring_value(text, closing='\n    """') == expected + "\n    "


_DOC_ALPHABET = st.sampled_from(
    [
        '"',
        "'",
        "\\",
        "a",
        " ",
        "\n",
        "<p>",
        "</p>",
        "<code>",
        "</code>",
        "<li>",
        "&quot;",
        "&amp;",
        "é",
    ]
)


def unescaped(text: str) -> str:
    """The text html_to_text means: its docstring escapes (only ``\\\\`` and ``\\"``) undone."""
    return text.replace("\\\\", "\0").replace('\\"', '"').replace("\0", "\\")


def test_unescaped_undoes_exactly_the_docstring_escapes() -> None:
    assert unescaped('a \\\\ b \\" c \\\\\\" d') == 'a \\ b " c \\" d'


@given(st.lists(_DOC_ALPHABET, max_size=30).map("".join))
def test_any_result_parses_inside_a_docstring_followed_by_a_newline(source: str) -> None:
    text = html_to_text(source)
    value = docstring_value(text, closing='\n"""')
    # No backslash escapes survive: what Python reads is the plain text.
    assert value == unescaped(text) + "\n"


# NUL and lone surrogates cannot appear in Python source at all (nor in a UTF-8 file).
@given(
    st.text(
        alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\0"),
        max_size=60,
    )
)
def test_any_text_reads_back_as_the_same_words(source: str) -> None:
    text = html_to_text(source)
    value = docstring_value(text, closing='\n"""')
    assert value == unescaped(text) + "\n"
    if "<" not in source and "&" not in source:
        # No markup: only whitespace may change (collapsed, wrapped), never a word.
        assert value.split() == source.split()
