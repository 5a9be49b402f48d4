"""URLs. Chinese lives at the root; English is the same path under /en/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from marketplace.views import signin
from marketplace.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    # One way in: the admins' own sign-in and reset forms (password only) lead to allauth's (password, then code).
    path("django-admin/login/", signin.admin_login, {"default_next": "/django-admin/"}),
    path("admin/login/", signin.admin_login, {"default_next": "/admin/"}),
    re_path(r"^admin/password_reset/", signin.admin_password_reset),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("marketplace.urls")),
    path("", include("catalogue.urls")),
    path("", include("bids.urls")),
    path("", include("contracts.urls")),
    path("", include("ratings.urls")),
    # Wagtail's sign-in for private pages, under Wagtail's name so that Wagtail's links lead here
    path("_util/login/", signin.admin_login, {"default_next": "/"}, name="wagtailcore_login"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
