"""Catalogue URLs outside the Wagtail page tree: the site search (and printable PDFs and the like)."""

from django.urls import path

import marketplace.converters  # noqa: F401 - registers <id:…>, the converter for ids

from . import views, views_pdf

app_name = "catalogue"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("catalogue/print.pdf", views_pdf.catalogue_print, name="catalogue_print"),
    path("catalogue/lists/<id:page_id>/print.pdf", views_pdf.purchase_list_print, name="purchase_list_print"),
]
