"""Panels of the personal dashboard, contributed by the apps that own their data.

``lms`` renders the dashboard but cannot import the apps that fill it (imports flow towards
``lms``), so each app registers a panel from its ``AppConfig.ready()``::

    register_panel("courses/panels/learning.html", learning_panel, order=10)

``context(request)`` returns the panel's context, or None to leave the panel out for this
person. It runs on every dashboard view, so it must cost a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable
    order: int


_panels: list[Panel] = []


def register_panel(template: str, context: Callable, *, order: int = 100) -> None:
    if any(p.template == template for p in _panels):
        return
    _panels.append(Panel(template, context, order))
    _panels.sort(key=lambda p: p.order)


def panels_for(request) -> list[dict]:
    rendered = []
    for panel in _panels:
        context = panel.context(request)
        if context is not None:
            rendered.append({"template": panel.template, "context": context})
    return rendered
