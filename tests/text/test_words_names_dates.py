"""The text layer: sentences and words, names and years, dates and citations."""

import pytest

from qa.text.dates import check_filter_date, long_date, searchable
from qa.text.names import key_terms, names, strip_citations, years
from qa.text.words import bm25_tokens, content_words, sentences

pytestmark = pytest.mark.unit


def test_sentences_end_at_stops_before_a_capital_or_a_figure_and_at_line_breaks():
    text = 'Revenue rose 5%. "It was a good year," she said. 2024 ended well.\nNet income was $1.2 billion.'
    assert sentences(text) == ["Revenue rose 5%.", '"It was a good year," she said.', "2024 ended well.",
                               "Net income was $1.2 billion."]
    assert sentences("Shares rose 1.5 percent. e.g. not a break") == ["Shares rose 1.5 percent. e.g. not a break"]


def test_content_words_drop_stopwords_and_a_plural_s_in_any_script():
    assert content_words("What were the sales of Café Zürich and γδ?") == {"sale", "café", "zürich", "γδ"}


def test_bm25_tokens_are_stemmed_without_stopwords():
    [tokens] = bm25_tokens(["The companies and the growing"], as_ids=False)
    assert tokens == ["compani", "grow"]


def test_names_are_capitalised_words_other_than_common_ones():
    assert names("The Tencent's Chief Executive Ma Huateng said [2] Revenue rose.") == {"Tencent", "Ma", "Huateng"}


def test_years_read_plain_and_fiscal_forms():
    assert years("In FY2018, fiscal year 2019, FY22 and 2024 (not 1066 or 20245)") == {"2018", "2019", "2022",
                                                                                       "2024"}


def test_key_terms_skip_the_capital_of_each_sentence_s_first_word():
    assert key_terms("Describe Alibaba's results in 2024") == {"Alibaba", "2024"}
    assert key_terms("What was Block's FY2020 revenue growth? Round to one decimal. Please answer in percent.") \
        == {"Block", "2020"}
    assert {"Elie", "Prioleau", "Augustine"} <= key_terms("When did Rev. Elie Prioleau preach in St. Augustine?")


def test_citations_in_either_form_are_stripped():
    assert strip_citations("48.9 billion yuan [1][2], up [1, 3] or [2-4]") == "48.9 billion yuan , up  or "


def test_dates_read_as_articles_write_them():
    assert long_date("2025-03-04") == "March 4, 2025" and long_date("March 2025") == "March 2025"
    assert searchable("T", "2025-03-04", "x") == "T 2025-03-04 March 4, 2025 x"


@pytest.mark.parametrize("value", ["2025", "2025-02", "2025-02-28"])
def test_filter_dates_may_be_a_day_a_month_or_a_year(value):
    assert check_filter_date(f" {value} ", "since") == value


@pytest.mark.parametrize("value", ["notadate", "2025-02-30", "25-01-01"])
def test_bad_filter_dates_name_their_option(value):
    with pytest.raises(ValueError, match="bad date for since"):
        check_filter_date(value, "since")
