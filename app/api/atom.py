"""Atom 1.0 (RFC 4287) feeds of models, built with ElementTree (which escapes), for feed readers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from components import routes
from data.catalog import ModelSummary

ATOM = "http://www.w3.org/2005/Atom"
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # what XML 1.0 cannot hold


def search_feed(name: str, feed_url: str, site: str, query: str, models: Sequence[ModelSummary]) -> bytes:
    """The feed of a saved search: its newest matching arrivals, newest first."""
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "title", f"{name} · Model Catalog")
    _text(feed, "subtitle", "New models matching a saved search")
    _text(feed, "id", feed_url)
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=f"{site}/?{query}" if query else f"{site}/")
    _text(feed, "updated", _stamp(max((_when(m) for m in models), default=datetime.now(UTC))))
    author = ET.SubElement(feed, "author")
    _text(author, "name", "Model Catalog")
    for model in models:
        feed.append(_entry(site, model))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(site: str, model: ModelSummary) -> ET.Element:
    entry = ET.Element("entry")
    page = site + routes.model_href(model.repo_id)
    _text(entry, "title", model.repo_id)
    _text(entry, "id", page)
    ET.SubElement(entry, "link", rel="alternate", type="text/html", href=page)
    _text(entry, "updated", _stamp(_when(model)))
    if model.created_at:
        _text(entry, "published", _stamp(model.created_at))
    author = ET.SubElement(entry, "author")
    _text(author, "name", model.author)
    facts = [model.pipeline_tag, model.library_name, f"{model.downloads:,} downloads", f"{model.likes:,} likes"]
    _text(entry, "summary", " · ".join(fact for fact in facts if fact))
    return entry


def _when(model: ModelSummary) -> datetime:
    return model.last_modified or model.created_at or datetime(1970, 1, 1, tzinfo=UTC)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = NOT_XML.sub("", value)
