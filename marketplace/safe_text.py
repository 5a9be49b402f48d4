"""User text, escaped for the context it is written into. One helper per context; use these, never ad hoc.

- `css_string`: a quoted CSS string literal (PDF running titles, `content:`, `string-set:`), safe inside a
  `<style>` element: no quote, backslash, newline or form feed ends the string, no `<` ends the element.
- `xml_text`: character data an XML 1.0 document can hold (the Atom feed): control characters and the
  non-characters XML forbids are replaced, so one bad title cannot make the feed unreadable.
- `one_line`: text shown on one line (a PDF's running title and metadata): control characters become spaces.
- `pdf_markup`: the HTML a PDF is rendered from: control characters other than tab and line breaks become
  spaces (a font has no glyph for them; WeasyPrint would draw boxes), whichever field they came from.

HTML is Django's autoescape; these cover what autoescape does not.
"""

import re

# C0 and C1 control characters, DEL included: line breaks, form feed, NUL, ESC, ...
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_PDF_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates cannot be encoded at all; they come only from broken input.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Everything XML 1.0 forbids (its Char production is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | ...).
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What ends or bends a CSS string or a <style> element; escaped as \hex (a space ends the escape).
_CSS_SPECIAL = frozenset("\"'\\<>&")


def one_line(text) -> str:
    """The text on one line: every control character (newline, tab, form feed, NUL, ...) becomes a space."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", str(text)))


def pdf_markup(html: str) -> str:
    """HTML for WeasyPrint with every control character but tab, LF and CR turned into a space."""
    return _SURROGATE.sub("\ufffd", _PDF_CONTROL.sub(" ", html))


def css_string(text) -> str:
    """A double-quoted CSS string literal showing `text` on one line; nothing in it can end the string."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in _CSS_SPECIAL else ch for ch in one_line(text))
    return f'"{escaped}"'


def xml_text(text) -> str:
    """`text` as XML 1.0 character data: forbidden characters become a space (controls) or U+FFFD (others).

    Escaping &, < and > is the XML writer's job (Django's feed generator does it); this removes what no
    escaping can express in XML 1.0.
    """
    def replace(match: re.Match) -> str:
        return " " if _CONTROL.match(match.group()) else "\ufffd"

    return _NOT_XML.sub(replace, str(text))
