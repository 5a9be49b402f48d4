"""Complete the English catalogue: every untranslated or fuzzy entry gets its msgid as its msgstr.

Usage (from the project root, after `manage.py makemessages -l en ...`):
    python3 scripts/fill_en_catalogue.py [PATH_TO_PO]

PATH_TO_PO defaults to locale/en/LC_MESSAGES/django.po. Source strings are English, so the English
catalogue is the identity: msgstr = msgid, and for plurals msgstr[0] = msgid, msgstr[1] = msgid_plural.
Entries that already have a translation and are not fuzzy are left alone. A fuzzy entry's msgstr was
guessed by msgmerge from a different msgid, so it is replaced and the fuzzy flag dropped. The header
gets Language, charset and Plural-Forms for English. Running it twice changes nothing the second time.
Only the standard library is used, and the msgid's quoted lines are copied as they are, so escapes
and line wrapping stay exactly as makemessages wrote them.
"""

import re
import sys
from pathlib import Path

DEFAULT_PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
HEADER_FIELDS = {
    "Language": "en",
    "Content-Type": "text/plain; charset=UTF-8",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}
# makemessages' placeholders, replaced only while they are still the placeholders (so reruns change nothing).
HEADER_DEFAULTS = {
    "Project-Id-Version": ("PACKAGE VERSION", "community-services-procurement"),
    "PO-Revision-Date": ("YEAR-MO-DA HO:MI+ZONE", None),  # None: copy POT-Creation-Date
    "Last-Translator": ("FULL NAME <EMAIL@ADDRESS>", "scripts/fill_en_catalogue.py"),
    "Language-Team": ("LANGUAGE <LL@li.org>", "English"),
}
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) ")


def parse_block(lines):
    """Split one entry into comment lines and an ordered list of (keyword, [quoted lines])."""
    comments, fields = [], []
    for line in lines:
        match = KEYWORD.match(line)
        if match:
            fields.append((match.group(1), [line[match.end() :]]))
        elif line.startswith('"') and fields:
            fields[-1][1].append(line)
        else:
            comments.append(line)
    return comments, fields


def unquote(parts):
    return "".join(part.strip()[1:-1] for part in parts)


def drop_fuzzy(comments):
    out = []
    for line in comments:
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        out.append(line)
    return out


def fix_header(parts):
    text = unquote(parts)
    entries = [e for e in text.split("\\n") if e]
    seen = set()
    fixed = []
    created = next((e.split(":", 1)[1].strip() for e in entries if e.startswith("POT-Creation-Date:")), "")
    for entry in entries:
        key, _, value = entry.partition(":")
        if key in HEADER_FIELDS:
            entry = f"{key}: {HEADER_FIELDS[key]}"
            seen.add(key)
        elif key in HEADER_DEFAULTS and value.strip() == HEADER_DEFAULTS[key][0]:
            entry = f"{key}: {HEADER_DEFAULTS[key][1] or created}"
        fixed.append(entry)
    fixed += [f"{key}: {value}" for key, value in HEADER_FIELDS.items() if key not in seen]
    return ['""'] + [f'"{entry}\\n"' for entry in fixed]


def fill_block(lines):
    comments, fields = parse_block(lines)
    if not fields or all(line.startswith("#~") for line in lines):
        return lines
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in comments)
    keys = dict(fields)
    if unquote(keys.get("msgid", [])) == "" and "msgctxt" not in keys:
        fields = [(k, fix_header(v) if k == "msgstr" else v) for k, v in fields]
        return _render(drop_fuzzy(comments), fields)
    if "msgid_plural" in keys:
        sources = {"msgstr[0]": keys["msgid"], "msgstr[1]": keys["msgid_plural"]}
    else:
        sources = {"msgstr": keys["msgid"]}
    translated = all(unquote(keys.get(k, [])) for k in sources)
    if translated and not fuzzy:
        return lines
    fields = [(k, v) for k, v in fields if not k.startswith("msgstr")]
    fields += [(k, list(v)) for k, v in sources.items()]
    return _render(drop_fuzzy(comments), fields)


def _render(comments, fields):
    out = list(comments)
    for keyword, parts in fields:
        out.append(f"{keyword} {parts[0]}")
        out.extend(parts[1:])
    return out


def fill(text):
    blocks = re.split(r"\n\s*\n", text.strip("\n"))
    return "\n\n".join("\n".join(fill_block(block.split("\n"))) for block in blocks) + "\n"


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PO
    before = path.read_text(encoding="utf-8")
    after = fill(before)
    if after != before:
        path.write_text(after, encoding="utf-8")
    sys.stdout.write(f"{path}: {'updated' if after != before else 'already complete'}\n")


if __name__ == "__main__":
    main(sys.argv)
