"""The editable navigation menu, cached per site so that pages pay no query for it in the steady state."""

from django import template
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Site

from ..models import NavigationLink, NavigationSettings

register = template.Library()


def _key(site_id) -> str:
    return f"cms:navigation:{site_id}"


@register.simple_tag(takes_context=True)
def navigation_links(context) -> list[dict]:
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return []
    links = cache.get(_key(site.pk))
    if links is None:
        links = list(NavigationLink.objects.filter(setting__site=site).order_by("sort_order")
                     .values("label", "label_en", "url"))
        cache.set(_key(site.pk), links, 60 * 60)
    return links


@receiver([post_save, post_delete], sender=NavigationLink)
@receiver([post_save, post_delete], sender=NavigationSettings)
def _forget_navigation(sender, instance, **kwargs):
    site_id = instance.site_id if isinstance(instance, NavigationSettings) else instance.setting.site_id
    cache.delete(_key(site_id))
