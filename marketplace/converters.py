"""URL converters. `<id:pk>` is an object's id: one to eighteen digits, so every id a URL can name fits the 64-bit
integer columns ids live in (their largest value, 9,223,372,036,854,775,807, has nineteen digits).

Django's `<int:…>` takes any number of digits; a 30-digit id then reaches the database, where PostgreSQL refuses it
(DataError) and SQLite cannot bind it (OverflowError): a 500. With `<id:…>` such a URL matches no pattern: a 404,
as for an id that does not exist. Every urls.py of the project imports this module (which registers the converter)
and uses `<id:…>` for ids; `re_path` patterns use `ID_PATTERN` for their id groups.
"""

from django.urls import register_converter

ID_PATTERN = "[0-9]{1,18}"
ID_MAX = 2**63 - 1


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
