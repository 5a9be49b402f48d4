"""The unified social credit code: valid, wrong check character, wrong length, lowercase normalised."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace.validators import validate_uscc
from tests.factories import make_uscc


def test_valid_code_passes_and_is_returned():
    code = make_uscc()
    assert validate_uscc(code) == code


def test_lowercase_and_spaces_are_normalised():
    code = make_uscc()
    messy = f" {code[:6].lower()} {code[6:].lower()} "
    assert validate_uscc(messy) == code


@pytest.mark.parametrize(
    ("mangle", "error_code", "words"),
    [
        (lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"), "uscc_checksum", "check character"),
        (lambda c: c[:-2], "uscc_length", "18 characters; this one has 16"),
        (lambda c: c[:5] + "I" + c[6:], "uscc_format", "not allowed"),
    ],
    ids=["wrong check character", "wrong length", "forbidden letter"],
)
def test_bad_codes_say_what_is_wrong(mangle, error_code, words):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_uscc(mangle(make_uscc()))
    assert exc.value.code == error_code
    with translation.override("en"):
        assert words in str(exc.value.messages[0])


def test_the_message_is_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_uscc(make_uscc()[:-2])
    assert "18" in str(exc.value.messages[0]) and "位" in str(exc.value.messages[0])
