import pytest

from aggregator.index.document import IndexDocument
from aggregator.index.tantivy import QueryError, TantivyIndex


def doc(
    id_: str, title: str, theme: tuple[str, ...] = (), region: tuple[str, ...] = (), source: str = "s"
) -> IndexDocument:
    return IndexDocument(id=id_, uri=f"u/{id_}", title=title, theme=theme, region=region, source=source)


@pytest.fixture
def index(tmp_path) -> TantivyIndex:
    ix = TantivyIndex(tmp_path / "index")
    ix.write(
        [
            doc("a", "Un jardin partagé au pied des immeubles", ("ENV",), ("Bretagne",), "reseau"),
            doc("b", "Des épiceries solidaires itinérantes", ("SOL", "ENV"), ("Occitanie",), "fondation"),
            doc("c", "Une ressourcerie pour les étudiants", ("ENV",), ("Bretagne",), "fondation"),
        ]
    )
    return ix


def ids(results) -> set[str]:  # type: ignore[no-untyped-def]
    return {h["id"] for h in results.hits}


def test_french_stemming_and_accent_folding(index: TantivyIndex) -> None:
    assert ids(index.search("jardins partagés")) == {"a"}
    assert ids(index.search("epicerie solidaire")) == {"b"}


def test_filters_and_facet_counts(index: TantivyIndex) -> None:
    results = index.search("", {"region": ["Bretagne"]})
    assert ids(results) == {"a", "c"}
    assert dict(results.facets["source"]) == {"reseau": 1, "fondation": 1}
    assert dict(index.search("").facets["theme"]) == {"ENV": 3, "SOL": 1}
    assert ids(index.search("", {"theme": ["SOL"], "source": ["fondation", "reseau"]})) == {"b"}


def test_paging(index: TantivyIndex) -> None:
    first, second = index.search("", page=1, page_size=2), index.search("", page=2, page_size=2)
    assert first.total == second.total == 3
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert not ids(first) & ids(second)


def test_upsert_replaces_and_delete_removes(index: TantivyIndex) -> None:
    index.write([doc("a", "Un verger partagé")], ["c"])
    assert index.count() == 2
    assert index.get("a")["title"] == "Un verger partagé"
    assert index.get("c") is None


def test_punctuation_is_searched_as_words_and_empty_syntax_is_an_error(index: TantivyIndex) -> None:
    assert ids(index.search('jardin: "partagé')) == {"a"}
    with pytest.raises(QueryError):
        index.search("(((")


def test_analyzer_is_registered_again_on_reopen(index: TantivyIndex, tmp_path) -> None:
    assert ids(TantivyIndex(tmp_path / "index").search("jardins")) == {"a"}
