"""Extension points for pages that show data from higher apps, without importing them.

A page in `marketplace` (a provider profile, an office scorecard, the dashboard) names a slot. Higher
apps register panels for that slot in their `ready()`; each panel is a function
`(request, obj) -> (template_name, context) | None`. The page renders them in order.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

PanelFunc = Callable[..., tuple[str, dict] | None]


@dataclass(frozen=True)
class Panel:
    order: int
    func: PanelFunc


_registry: dict[str, list[Panel]] = {}


def register(slot: str, *, order: int = 100):
    def decorator(func: PanelFunc) -> PanelFunc:
        panels = _registry.setdefault(slot, [])
        if all(p.func is not func for p in panels):
            panels.append(Panel(order, func))
            panels.sort(key=lambda p: p.order)
        return func

    return decorator


def render(slot: str, request, obj=None) -> list[str]:
    html = []
    for panel in _registry.get(slot, []):
        result = panel.func(request, obj)
        if result is not None:
            template, context = result
            html.append(render_to_string(template, {**context, "obj": obj}, request=request))
    return html
