"""Catalogue URLs outside the Wagtail page tree (printable PDFs and the like)."""

app_name = "catalogue"

urlpatterns = []
