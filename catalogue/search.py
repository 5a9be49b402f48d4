"""Chinese full-text search on Wagtail's database backend, the same on SQLite (FTS5) and PostgreSQL (tsvector).

Neither SQLite's unicode61 tokenizer nor PostgreSQL's default parser segments Chinese: a run of Han characters
such as 居家养老上门服务 becomes one token, so a search for 养老 finds nothing. Pages therefore index an extra
field, `search_bigrams`, that holds every overlapping pair of Han characters of their text (居家 家养 养老 老上
上门 门服 服务), and a query's Han runs become phrases of their own pairs (养老院 → "养老 老院"). Both databases
match a phrase only where its tokens stand next to each other, so a query of two or more characters finds exactly
the texts that contain it as a substring, inside any longer word, with no dictionary to miss a word.

Why pairs and not jieba: jieba's search mode (cut_for_search) indexes only the words its dictionary or HMM finds,
so 助餐 inside 老年助餐点 is found only if jieba happens to split it there, and a query is segmented differently
from the same characters inside a longer sentence. Pairs cost about one token per character, which is small for
a catalogue, and behave the same on both databases. A single-character query finds only standalone characters.
Latin words are left to Wagtail's own fields and matched as they are.
"""

import re
from collections.abc import Iterable

from django.utils.html import strip_tags
from wagtail.models import Page
from wagtail.search.query import And, Phrase, PlainText

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{HAN}]+")
_QUERY_TOKEN = re.compile(f"[{HAN}]+|[^\\W{HAN}_]+")
MAX_QUERY_LENGTH = 100


def han_bigrams(run: str) -> list[str]:
    """Overlapping pairs of a run of Han characters; a single character stands alone."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i:i + 2] for i in range(len(run) - 1)]


def bigram_text(texts: Iterable[str | None]) -> str:
    """The index text of a page: the Han pairs of all its texts (HTML removed), separated by spaces."""
    tokens = []
    for text in texts:
        for run in _HAN_RUN.findall(strip_tags(text or "")):
            tokens.extend(han_bigrams(run))
    return " ".join(tokens)


def search_query(text: str):
    """The Wagtail query for what a person typed: Han runs as phrases of pairs, other words as plain terms, all
    required. None when nothing searchable is left (only punctuation, say)."""
    parts = []
    for token in _QUERY_TOKEN.findall((text or "")[:MAX_QUERY_LENGTH]):
        if _HAN_RUN.fullmatch(token):
            parts.append(Phrase(" ".join(han_bigrams(token))))
        else:
            parts.append(PlainText(token.lower()))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def page_search(text: str):
    """Live, public pages of the whole site (catalogue, purchase lists, news) that match, best first."""
    query = search_query(text)
    if query is None:
        return Page.objects.none()
    return Page.objects.live().public().specific().search(query)
