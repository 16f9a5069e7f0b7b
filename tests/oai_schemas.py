"""Offline validation against the official OAI-PMH schemas: remote schema locations resolve to local files."""

from __future__ import annotations

from functools import cache

from lxml import etree

from tests.paths import SCHEMAS


class _LocalSchemas(etree.Resolver):
    def resolve(self, url, public_id, context):  # type: ignore[no-untyped-def]
        name = url.rsplit("/", 1)[-1]
        local = SCHEMAS / name
        if local.exists():
            return self.resolve_filename(str(local), context)
        raise ValueError(f"schema {url} is not available offline")


@cache
def oai_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, load_dtd=False)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "OAI-PMH.xsd"), parser))


@cache
def oai_dc_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, load_dtd=False)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "oai_dc.xsd"), parser))


def assert_valid_oai(data: bytes) -> etree._Element:
    """The response is valid OAI-PMH and every oai_dc record in it is valid oai_dc."""
    root = etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))
    schema = oai_schema()
    assert schema.validate(root), schema.error_log.last_error
    dc = oai_dc_schema()
    for record in root.iter("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"):
        assert dc.validate(etree.ElementTree(record)), dc.error_log.last_error
    return root
