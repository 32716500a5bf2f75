"""Reading Dash component trees that layouts and callbacks return, without a browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator


def walk(component) -> Iterator:
    """The component, then everything below it, depth first (text included)."""
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from walk(child)
        return
    yield component
    children = getattr(component, "children", None)
    if children is not None:
        yield from walk(children if isinstance(children, (list, tuple)) else [children])


def find(component, matches: Callable[[object], bool]):
    """The first component of the tree for which `matches` holds, or None."""
    return next((c for c in walk(component) if matches(c)), None)


def by_id(component, component_id):
    return next(c for c in walk(component) if getattr(c, "id", None) == component_id)


def text_of(component) -> str:
    """The text of a tree, whitespace collapsed."""
    return " ".join(" ".join(str(c) for c in walk(component) if isinstance(c, (str, int, float))).split())


def hrefs(component) -> list[str]:
    return [c.href for c in walk(component) if getattr(c, "href", None)]
