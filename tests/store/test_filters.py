"""One typed ``Filters``, translated by each store into its own engine's terms: SQL over the FAISS store's passages
(run here on a real chunks.sqlite) and a Milvus boolean expression (compared as text: Milvus itself runs in
test_milvus.py, which checks that both stores return the same passages)."""

from __future__ import annotations

import pytest

from qa.store.chunks import Chunk, ChunkStore, sql_condition, write
from qa.store.filters import Filters
from qa.store.milvus import filter_expression

pytestmark = pytest.mark.unit

PASSAGES = [
    Chunk(path="a.md", title="Élan results", date="2024-12-31", source="Desk", url="", text="", ordinal=0),
    Chunk(path="b.md", title="Acme 100% growth", date="2025-01-01", source="desk", url="", text="", ordinal=0,
          company="Acme Corp"),
    Chunk(path="c.md", title="Undated note", date="", source="Wire", url="", text="", ordinal=0),
]


@pytest.fixture(scope="module")
def passages(tmp_path_factory) -> ChunkStore:
    folder = tmp_path_factory.mktemp("chunks")
    write(folder, PASSAGES, {})
    return ChunkStore(folder)


def allowed_paths(store: ChunkStore, filters: Filters) -> list[str]:
    return [PASSAGES[i].path for i in store.allowed(len(PASSAGES), filters).nonzero()[0]]


@pytest.mark.parametrize("filters, paths", [
    (Filters(), ["a.md", "b.md", "c.md"]),
    (Filters(source="DESK"), ["a.md", "b.md"]),  # whole, without regard to case
    (Filters(source="des"), []),
    (Filters(title="ÉLAN"), ["a.md"]),  # a part, case-folded beyond ASCII
    (Filters(company="acme"), ["b.md"]),
    (Filters(date_from="2025-01-01"), ["b.md"]),  # inclusive; an undated passage passes no date filter
    (Filters(date_to="2024-12"), ["a.md"]),  # a prefix takes the whole month
    (Filters(date_to="2024-12-30"), []),
    (Filters(paths=("a.md", "c.md"), source="wire"), ["c.md"]),
    (Filters(title="100%"), ["b.md"]),
])
def test_sql_filters_choose_the_passages_they_describe(passages, filters, paths):
    assert allowed_paths(passages, filters) == paths


def test_sql_condition_binds_every_value():
    where, values = sql_condition(Filters(source="Desk", date_to="2024-12", title="Élan"))
    assert where == "casefold(source) = ? AND date != '' AND substr(date, 1, ?) <= ? AND instr(casefold(title), ?) > 0"
    assert values == ["desk", 7, "2024-12", "élan"]
    assert sql_condition(Filters()) == ("1", [])


def test_milvus_expression_states_each_filter_over_the_case_folded_fields():
    assert filter_expression(Filters()) == ""
    assert filter_expression(Filters(source="DESK", company="Acme")) == \
        '(source_key == "desk") and (company_key like "%acme%")'
    assert filter_expression(Filters(paths=("a.md", 'say "b".md'))) == r'(path in ["a.md", "say \"b\".md"])'


def test_milvus_expression_takes_a_date_prefix_whole_and_leaves_undated_passages_out():
    assert filter_expression(Filters(date_from="2025-01-01", date_to="2024-12")) == \
        '(date != "" and date >= "2025-01-01") and (date != "" and date < "2024-13")'
    assert filter_expression(Filters(date_to="2024-12-31")) == '(date != "" and date < "2024-12-32")'


def test_milvus_expression_escapes_like_wildcards_and_keeps_accents():
    assert filter_expression(Filters(title="ÉLAN 100%_\\")) == r'(title_key like "%élan 100\\%\\_\\\\%")'
