"""The Wagtail admin page that imports the catalogue from a spreadsheet (platform operators and superusers)."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from marketplace import policy
from marketplace.errors import PermissionDenied

from .importing import ALLOWED_EXTENSIONS, COLUMNS, MAX_IMPORT_BYTES, REQUIRED_HEADERS, catalogue_import


def can_import_catalogue(user) -> bool:
    return bool(user.is_authenticated and (policy.is_operator(user) or user.is_superuser))


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("A CSV or XLSX file of at most 5 MB, with the columns described below."),
        validators=[FileExtensionValidator(ALLOWED_EXTENSIONS)],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


def catalogue_import_view(request):
    if not can_import_catalogue(request.user):
        raise PermissionDenied()
    result = None
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = catalogue_import(actor=request.user, file=upload, filename=upload.name,
                                  dry_run=form.cleaned_data["dry_run"])
    status = 400 if result is not None and not result.ok else 200
    return render(request, "catalogue/admin/import.html", {
        "form": form, "result": result, "columns": COLUMNS, "required": REQUIRED_HEADERS,
    }, status=status)
