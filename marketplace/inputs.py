"""Reading values from a request when no form does it: ids and free text, refused with a message when they are bad.

A view that reads `request.POST`/`request.GET` itself uses these instead of `int(...)` or a bare `.get(...)`: a value
that is not an id (letters, 30 digits) or text with a control character (NUL, form feed) is a `ValidationFailed`
(400, its message in the user's language, shown by DomainErrorMiddleware or by the view's own message), never a
ValueError or a database error (a 500). `bound_filter_form` does the same for the FilterSets' forms.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .converters import ID_PATTERN
from .errors import NotFound, ValidationFailed
from .validators import validate_no_control_characters

_ID = re.compile(ID_PATTERN)

# Bounds for numbers that arrive in query strings (budgets, ratings): far beyond any real value, small enough for
# every database column and comparison.
NUMBER_LIMIT = 10**15
NUMBER_DIGITS = 24
NUMBER_DECIMAL_PLACES = 6
CHOICE_MAX_LENGTH = 200


def id_param(data, name: str, *, required: bool = True) -> int | None:
    """The id in `data[name]` (a QueryDict or dict).

    Absent or blank: NotFound (404: nothing was named, as for an id that does not exist) when required, else None.
    Present but not an id (not 1 to 18 digits): ValidationFailed (400) saying so.
    """
    raw = data.get(name)
    raw = raw.strip() if isinstance(raw, str) else ""
    if not raw:
        if required:
            raise NotFound()
        return None
    if not _ID.fullmatch(raw):
        raise ValidationFailed(_("“%(value)s” is not a valid reference: it must be a number.") % {"value": raw[:30]},
                               code="bad_id")
    return int(raw)


def text_param(data, name: str, default: str = "", *, max_length: int | None = None) -> str:
    """The text in `data[name]`, refused (ValidationFailed, 400) when it holds a control character such as NUL, or
    when it is longer than `max_length` (give the column's length where the text is stored in a CharField)."""
    value = data.get(name, default)
    if not isinstance(value, str):
        return default
    try:
        validate_no_control_characters(value)
        if max_length is not None:
            MaxLengthValidator(max_length)(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="control_character") from None
    return value


def _integer_key(field: forms.ModelChoiceField) -> bool:
    key = field.to_field_name or field.queryset.model._meta.pk.name
    model_field = field.queryset.model._meta.get_field(key)
    return isinstance(model_field, (models.IntegerField, models.AutoField, models.BigAutoField, models.ForeignKey))


def _guarded_to_python(field: forms.ModelChoiceField):
    """A model choice that cannot be one (too long, a control character, a non-number for an id) is refused as an
    invalid choice before it reaches the database."""
    to_python, integer_key = field.to_python, _integer_key(field)

    def guarded(value):
        for item in (value if isinstance(value, (list, tuple)) else [value]):
            if item in field.empty_values:
                continue
            text = str(item)
            if len(text) > CHOICE_MAX_LENGTH or CONTROL.search(text) or (integer_key and not _ID.fullmatch(text)):
                raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": text[:30]})
        return to_python(value)

    return guarded


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def bound_filter_form(form: forms.Form) -> forms.Form:
    """Bound every field of a filter form so that any query string is a form error, never a database error:
    numbers within ±NUMBER_LIMIT with at most NUMBER_DECIMAL_PLACES decimals; model choices checked for shape
    before they are looked up. Text fields already refuse control characters (see marketplace.apps)."""
    for field in form.fields.values():
        if isinstance(field, (forms.IntegerField, forms.FloatField, forms.DecimalField)):
            field.validators += [MaxValueValidator(NUMBER_LIMIT), MinValueValidator(-NUMBER_LIMIT)]
            if isinstance(field, forms.DecimalField):
                field.validators.append(DecimalValidator(NUMBER_DIGITS, NUMBER_DECIMAL_PLACES))
        elif isinstance(field, forms.ModelChoiceField):
            field.to_python = _guarded_to_python(field)
    return form
