"""Reading text: words, sentences, dates and figures with their scale."""
