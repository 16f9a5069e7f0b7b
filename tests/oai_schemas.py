"""Offline validation against the official OAI-PMH schemas in ../shared/spec/oai-pmh/schemas.

Every remote schemaLocation resolves to the local copy; anything else is an error, never a fetch.
OAI-PMH.xsd checks ``<metadata>`` content strictly, so one driver schema imports it together with
the metadata and description schemas that our responses carry.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from tests.paths import SCHEMAS

_LOCAL = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd": "oai-identifier.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
}

_DRIVER = b"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:carrefour:tests:oai-driver">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/"
             schemaLocation="http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
             schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai-identifier"
             schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"/>
  <xs:import namespace="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
             schemaLocation="http://carrefour.test/rdf-lax.xsd"/>
</xs:schema>"""

#: RDF/XML has no official XSD: our ``rdf`` metadata format is checked by its root element here,
#: and its content by parsing it back into triples in the tests.
_RDF_LAX = b"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"
           targetNamespace="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <xs:element name="RDF">
    <xs:complexType>
      <xs:sequence><xs:any namespace="##any" processContents="skip" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
      <xs:anyAttribute namespace="##any" processContents="skip"/>
    </xs:complexType>
  </xs:element>
</xs:schema>"""


class _LocalSchemas(etree.Resolver):
    def resolve(self, url, public_id, context):  # type: ignore[no-untyped-def]
        if url == "http://carrefour.test/rdf-lax.xsd":
            return self.resolve_string(_RDF_LAX, context)
        name = _LOCAL.get(url) or _LOCAL.get(url.replace("https://", "http://"))
        if name is None and url.startswith("file:") and url.rsplit("/", 1)[-1] in _LOCAL.values():
            name = url.rsplit("/", 1)[-1]
        if name is None:
            raise AssertionError(f"the schemas asked for {url}, which is not a known local schema")
        return self.resolve_filename(str(SCHEMAS / name), context)


@cache
def oai_schema() -> etree.XMLSchema:
    assert (SCHEMAS / "OAI-PMH.xsd").is_file(), f"OAI-PMH schemas not found in {SCHEMAS}"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.fromstring(_DRIVER, parser, base_url="http://carrefour.test/driver.xsd"))


def assert_valid_oai(body: bytes) -> etree._Element:
    """The parsed response, after checking it against OAI-PMH.xsd and the schemas of its metadata."""
    document = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    schema = oai_schema()
    if not schema.validate(document):
        errors = "\n".join(str(e) for e in schema.error_log)
        raise AssertionError(f"OAI-PMH response does not validate:\n{errors}\n{body.decode()[:3000]}")
    return document
