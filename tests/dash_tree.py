"""Walking a Dash component tree built in a test (layouts are plain Python objects)."""

from __future__ import annotations


def walk(component):
    """A component and everything below it, strings included."""
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        yield from walk(child)
