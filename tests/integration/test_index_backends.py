"""One suite for every search backend: the embedded Tantivy index and a real Apache Solr node.

Solr is started once for the session (``tests/solr_server.py``: Maven builds the launcher the first
time, then a node starts in a few seconds); each Solr test gets a fresh core from the configset.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from aggregator.aggregate import Aggregate
from aggregator.index.document import FACET_FIELDS, IndexDocument
from aggregator.index.solr import SolrIndex
from aggregator.index.tantivy import QueryError, TantivyIndex
from aggregator.settings import Settings, load_settings
from sample_platforms.server import run_in_background
from tests.harvesting import harvest
from tests.solr_server import SolrServer

pytestmark = pytest.mark.integration

BACKENDS = ("tantivy", "solr")
_cores = itertools.count(1)


@pytest.fixture(scope="session")
def solr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SolrServer]:
    with SolrServer.start(tmp_path_factory.mktemp("solr-home")) as server:
        yield server


def new_core(solr: SolrServer) -> str:
    """A new empty core from the configset, on the session's node: no test sees another's documents."""
    name = f"t{next(_cores)}"
    base = solr.url.rsplit("/", 1)[0]
    response = requests.get(
        f"{base}/admin/cores",
        params={"action": "CREATE", "name": name, "configSet": "carrefour", "instanceDir": name},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return f"{base}/{name}"


@pytest.fixture()
def make_index(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], TantivyIndex | SolrIndex]:
    backend = request.param

    def make() -> TantivyIndex | SolrIndex:
        if backend == "tantivy":
            return TantivyIndex(tmp_path / f"index{next(_cores)}")
        return SolrIndex(new_core(request.getfixturevalue("solr")))

    return make


def doc(
    id_: str,
    title: str,
    theme: tuple[str, ...] = (),
    region: tuple[str, ...] = (),
    source: str = "s",
    **more: object,
) -> IndexDocument:
    return IndexDocument(id=id_, uri=f"u/{id_}", title=title, theme=theme, region=region, source=source, **more)  # type: ignore[arg-type]


DOCUMENTS = [
    doc("a", "Un jardin partagé au pied des immeubles", ("ENV",), ("Bretagne",), "reseau"),
    doc("b", "Des épiceries solidaires itinérantes", ("SOL", "ENV"), ("Occitanie",), "fondation"),
    doc("c", "Une ressourcerie pour les étudiants", ("ENV",), ("Bretagne",), "fondation"),
]


@pytest.fixture(params=BACKENDS)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> TantivyIndex | SolrIndex:
    ix: TantivyIndex | SolrIndex
    if request.param == "tantivy":
        ix = TantivyIndex(tmp_path / "index")
    else:
        ix = SolrIndex(new_core(request.getfixturevalue("solr")))
    ix.write(list(DOCUMENTS))
    return ix


def ids(results) -> set[str]:  # type: ignore[no-untyped-def]
    return {h["id"] for h in results.hits}


# the index contract -------------------------------------------------------------------------
def test_french_stemming_and_accent_folding(index: TantivyIndex | SolrIndex) -> None:
    assert ids(index.search("jardins partagés")) == {"a"}
    assert ids(index.search("JARDIN PARTAGE")) == {"a"}
    assert ids(index.search("epicerie solidaire")) == {"b"}
    assert ids(index.search("étudiant")) == {"c"}
    assert ids(index.search("jardin épicerie")) == set()  # every word is required


def test_query_syntax_is_read(index: TantivyIndex | SolrIndex) -> None:
    assert ids(index.search("jardin OR ressourceries")) == {"a", "c"}
    assert ids(index.search("title:jardins")) == {"a"}
    assert ids(index.search('"pied des immeubles"')) == {"a"}
    assert ids(index.search('"immeubles des pied"')) == set()


def test_filters_and_facet_counts(index: TantivyIndex | SolrIndex) -> None:
    results = index.search("", {"region": ["Bretagne"]})
    assert ids(results) == {"a", "c"}
    assert dict(results.facets["source"]) == {"reseau": 1, "fondation": 1}
    assert dict(index.search("").facets["theme"]) == {"ENV": 3, "SOL": 1}
    assert set(index.search("").facets) == set(FACET_FIELDS)
    assert ids(index.search("", {"theme": ["SOL"], "source": ["fondation", "reseau"]})) == {"b"}
    assert ids(index.search("", {"region": ["Bretagne", "Occitanie"]})) == {"a", "b", "c"}
    assert ids(index.search("", {"region": ["Bretagne"], "theme": ["SOL"]})) == set()
    assert index.search("solidaires", {"region": ["Bretagne"]}).facets == {"theme": [], "region": [], "source": []}
    # a value with query syntax in it is a value, and an unknown filter field is ignored
    assert ids(index.search("", {"region": ['Bre"tagne (x)']})) == set()
    assert ids(index.search("", {"nothing": ["x"]})) == {"a", "b", "c"}


def test_paging(index: TantivyIndex | SolrIndex) -> None:
    first, second = index.search("", page=1, page_size=2), index.search("", page=2, page_size=2)
    assert first.total == second.total == 3
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert not ids(first) & ids(second)
    beyond = index.search("", page=5, page_size=2)
    assert beyond.total == 3 and beyond.hits == []
    assert all(isinstance(h["score"], float) for h in first.hits)


def test_upsert_replaces_and_delete_removes(index: TantivyIndex | SolrIndex) -> None:
    index.write([doc("a", "Un verger partagé")], ["c"])
    assert index.count() == 2
    assert index.get("a")["title"] == "Un verger partagé"  # type: ignore[index]
    assert index.get("c") is None
    assert ids(index.search("jardin")) == set() and ids(index.search("verger")) == {"a"}
    index.write([], ["b"])
    assert index.count() == 1
    index.clear()
    assert index.count() == 0 and index.search("").total == 0 and index.all_documents() == []


def test_punctuation_is_searched_as_words_and_empty_syntax_is_an_error(index: TantivyIndex | SolrIndex) -> None:
    assert ids(index.search('jardin: "partagé')) == {"a"}
    assert ids(index.search("jardin (partagé")) == {"a"}
    assert ids(index.search("inconnu:jardin")) == set()  # an unknown field: its name is one more word
    for text in ("(((", '"', ":"):
        with pytest.raises(QueryError, match="Requête illisible"):
            index.search(text)


@pytest.mark.parametrize("make_index", BACKENDS, indirect=True)
def test_duplicates_are_collapsed_into_their_canonical_record(make_index) -> None:  # type: ignore[no-untyped-def]
    index = make_index()
    index.write(
        [
            doc(
                "k",
                "Une épicerie solidaire",
                ("SOL",),
                ("Bretagne",),
                "fondation",
                duplicates=("m",),
                other_sources=("avise",),
            ),
            doc("m", "Épicerie solidaire", ("SOL",), ("Bretagne",), "avise", canonical="k"),
            doc("n", "Un jardin", ("ENV",), ("Occitanie",), "avise"),
        ]
    )
    collapsed = index.search("épicerie")
    assert ids(collapsed) == {"k"} and collapsed.total == 1
    assert collapsed.hits[0]["sources"] == ["fondation", "avise"] and collapsed.hits[0]["duplicates"] == ["m"]
    assert collapsed.hits[0]["source"] == "fondation"
    # the canonical record is found under the source of each member, and counted once
    assert ids(index.search("", {"source": ["avise"]})) == {"k", "n"}
    assert dict(index.search("").facets["source"]) == {"fondation": 1, "avise": 2}
    assert ids(index.search("épicerie", collapse=False)) == {"k", "m"}
    assert index.get("m")["canonical"] == "k"  # type: ignore[index]
    assert index.count() == 3


@pytest.mark.parametrize("make_index", BACKENDS, indirect=True)
def test_french_analysis_details(make_index) -> None:  # type: ignore[no-untyped-def]
    index = make_index()
    index.write(
        [
            doc("e", "Les crèches parentales", summary="Des crèches gérées par les parents"),
            doc("f", "Ille-et-Vilaine : un café des âges", tags=("Vivre ensemble",), organisation=("Café Œuvre",)),
            doc("g", "Transports solidaires en milieu rural", commune=("Die",)),
        ]
    )
    assert ids(index.search("creche parentale")) == {"e"}
    assert ids(index.search("parent")) == {"e"}
    assert ids(index.search("ages")) == {"f"}
    assert ids(index.search("ille-et-vilaine")) == {"f"}
    assert ids(index.search("vivre ensemble")) == {"f"}  # tags, organisations and communes are searched too
    assert ids(index.search("transport rural")) == {"g"}
    assert ids(index.search("die")) == {"g"}


def test_all_documents_are_equal_between_backends(solr: SolrServer, tmp_path: Path) -> None:
    documents = [
        *DOCUMENTS,
        doc(
            "z",
            "Épicerie",
            ("SOL",),
            ("Bretagne", "Normandie"),
            "avise",
            summary="Résumé",
            description="Description longue",
            subtheme=("SOL/ALI",),
            tags=("Épicerie solidaire", "Précarité"),
            commune=("Rennes",),
            organisation=("AGORAé",),
            url="https://x.example.org",
            started="2019-04",
            lat=48.111,
            lon=-1.68,
            duplicates=("y",),
            other_sources=("fondation",),
        ),
        doc("y", "Épicerie", ("SOL",), source="fondation", canonical="z"),
    ]
    tantivy, solr_index = TantivyIndex(tmp_path / "index"), SolrIndex(new_core(solr))
    for ix in (tantivy, solr_index):
        ix.write(documents)
    assert solr_index.all_documents() == tantivy.all_documents()
    assert json.dumps(solr_index.all_documents(), sort_keys=True) == json.dumps(tantivy.all_documents(), sort_keys=True)
    assert solr_index.get("z") == tantivy.get("z")
    assert len(solr_index.all_documents()) == 5


def test_all_documents_pages_through_many_documents(solr: SolrServer) -> None:
    index = SolrIndex(new_core(solr))
    index.write([doc(f"d{n:05d}", f"Innovation {n}") for n in range(2500)])
    everything = index.all_documents()
    assert len(everything) == index.count() == 2500
    assert [d["id"] for d in everything] == sorted(f"d{n:05d}" for n in range(2500))


def test_solr_errors_are_clear() -> None:
    from aggregator.index.solr import SolrError

    with pytest.raises(SolrError, match="Solr ne répond pas"):
        SolrIndex("http://127.0.0.1:9/solr/nothing", timeout=2).count()


def test_a_solrcloud_collection_answers_like_tantivy(tmp_path: Path) -> None:
    """SolrCloud (one node, embedded ZooKeeper, the configset uploaded): same answers."""
    with SolrServer.start(tmp_path / "cloud-home", cloud=True) as cloud:
        collection, tantivy = SolrIndex(cloud.url), TantivyIndex(tmp_path / "index")
        for ix in (collection, tantivy):
            ix.write([*DOCUMENTS, doc("d", "Un jardin", ("ENV",), source="avise", canonical="a")], ["c"])
        assert collection.all_documents() == tantivy.all_documents()
        for text, filters in [("jardins", {}), ("", {"region": ["Bretagne"]}), ("", {"theme": ["ENV"]})]:
            a, b = tantivy.search(text, filters), collection.search(text, filters)
            assert (a.total, ids(a), a.facets) == (b.total, ids(b), b.facets)
        with pytest.raises(QueryError):
            collection.search("(((")


# end to end: the sample platforms harvested into each backend -------------------------------
@pytest.fixture(scope="module")
def samples_url() -> Iterator[str]:
    with run_in_background() as samples:
        yield samples.url


def harvest_all(settings: Settings) -> None:
    for run in harvest(settings, link=True).values():
        assert run.status == "ok", (run.source_id, run.errors[:3])


@pytest.fixture(scope="module")
def harvested(samples_url: str, solr: SolrServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Settings]:
    settings = {
        "tantivy": load_settings(environ={}, data_dir=tmp_path_factory.mktemp("data-tantivy"), samples_url=samples_url),
        "solr": load_settings(
            environ={},
            data_dir=tmp_path_factory.mktemp("data-solr"),
            samples_url=samples_url,
            index_backend="solr",
            solr_url=new_core(solr),
        ),
    }
    for one in settings.values():
        harvest_all(one)
    return settings


QUERIES = [
    ("", {}),
    ("jardins", {}),
    ("jardin", {}),
    ("épicerie solidaire", {}),
    ("insertion", {"region": ["Bretagne"]}),
    ("", {"theme": ["ENV"]}),
    ("", {"source": ["fondation", "atlas"]}),
    ("alimentation OR mobilité", {}),
    ('jeunes: "emploi', {}),
]


def test_harvested_samples_search_the_same_in_both_backends(harvested: dict[str, Settings]) -> None:
    tantivy, solr = Aggregate(harvested["tantivy"]), Aggregate(harvested["solr"])
    try:
        assert isinstance(solr.index, SolrIndex) and isinstance(tantivy.index, TantivyIndex)
        assert solr.index.count() == tantivy.index.count() >= 300
        documents = solr.index.all_documents()
        assert documents == tantivy.index.all_documents()
        assert any(d.get("canonical") for d in documents)  # the samples have duplicates across sources
        for (text, filters), collapse in itertools.product(QUERIES, (True, False)):
            a = tantivy.index.search(text, filters, page_size=1000, collapse=collapse)
            b = solr.index.search(text, filters, page_size=1000, collapse=collapse)
            assert a.total == b.total, (text, filters)
            assert ids(a) == ids(b), (text, filters)
            for name in FACET_FIELDS:
                assert dict(a.facets[name]) == dict(b.facets[name]), (text, filters, name)
        plural = solr.index.search("jardins", page_size=500)
        assert plural.total > 0 and plural.total == solr.index.search("jardin").total
        first, second = solr.index.search("", page=1, page_size=20), solr.index.search("", page=2, page_size=20)
        assert not ids(first) & ids(second) and len(second.hits) == 20
    finally:
        tantivy.close()
        solr.close()


def test_the_search_page_answers_from_solr(harvested: dict[str, Settings]) -> None:
    from endpoint.app import create_app

    app = create_app(harvested["solr"])
    try:
        assert isinstance(app.extensions["carrefour"].aggregate.index, SolrIndex)
        client = app.test_client()
        page = client.get("/?q=jardins&region=Bretagne")
        assert page.status_code == 200
        assert "jardin" in page.get_data(as_text=True).lower()
        api = client.get("/api/search?q=jardins").get_json()
        expected = Aggregate(harvested["tantivy"])
        try:
            assert api["total"] == expected.index.search("jardins").total > 0
        finally:
            expected.close()
        assert {f["value"] for f in api["facets"]["source"]}
        assert client.get("/api/search?q=(((").status_code == 400
        assert client.get("/?q=(((").status_code == 400
    finally:
        app.extensions["carrefour"].aggregate.close()
