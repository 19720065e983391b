"""One odd file never costs the batch: a 19 MB single paragraph, text that makes nltk's sentence splitter time
out, a stray byte, the same article under three names, and two good articles beside them."""

import os

from conftest import article, run_qa, write
from qa import QA


def warnings_for(lines: list[str], name: str) -> list[str]:
    return [line for line in lines if name in line]


def test_a_folder_of_odd_files_loses_none_of_the_good_ones(tmp_path, monkeypatch):
    from qa.ingest import chunking

    # the cap on an article's text, lowered from 2 million characters so that the test embeds a few hundred
    # passages of the 19 MB file rather than thousands; everything else is as in production
    monkeypatch.setattr(chunking, "MAX_TEXT_CHARS", 200_000)
    monkeypatch.setenv("QA_READ_WORKERS", "1")  # read here, where the lowered cap applies, not in a pool's processes
    docs = tmp_path / "docs"
    write(docs, "acme.md", article("Acme results", "Acme said revenue rose 5% to $2 billion in the March quarter."))
    write(docs, "zenith.md", article("Zenith results", "Zenith said its sales fell 3% to 410 million euros."))
    with open(docs / "wall.txt", "w") as fh:  # 19 MB, one paragraph, no line break
        fh.write(("the quick brown fox jumps over the lazy dog " * 440_000)[:19_000_000])
    # 1.5 MB of sentences in one paragraph: nltk's Punkt raises its regex TimeoutError (5 s) on such text
    write(docs, "timeout.txt", "The company said revenue rose. Mr. Smith agreed, e.g. in Jan. at 5 p.m. today "
                               * 19_000)
    write(docs, "dots.txt", "Markets. " + "a." * 20_000 + " " + "b" * 30_000)  # words Punkt is quadratic in
    (docs / "stray.md").write_bytes(article("Orbit results", "Orbit said profit rose 9% to 77 million "
                                             "pounds.").encode() + b"Caf\xe9 sales rose.\n")
    warnings: list[str] = []
    qa = QA(index=tmp_path / "idx")
    report = qa.ingest([docs], warn=warnings.append)
    for name in ("wall.txt", "timeout.txt", "dots.txt", "stray.md"):
        assert len(warnings_for(warnings, name)) == 1, (name, warnings)
    assert warnings_for(warnings, "wall.txt")[0].endswith("only the first 0.2 million of its 19.0 million characters "
                                                          "indexed; 1 paragraph of over 50,000 characters cut")
    assert len(warnings) == 4 and not report.skipped, warnings
    for good in ("acme.md", "zenith.md"):
        assert not warnings_for(warnings, good)
    for query, title in (("Acme revenue March quarter", "Acme results"), ("Zenith sales euros", "Zenith results"),
                         ("Orbit profit pounds", "Orbit results")):
        assert qa.search(query, k=3)[0].title == title


def test_the_cli_warns_once_per_odd_file_and_exits_0(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "acme.md", article("Acme results", "Acme said revenue rose 5% to $2 billion."))
    (docs / "stray.md").write_bytes(article("Orbit", "Orbit grew.").encode() + b"Caf\xe9.\n")
    write(docs, "dots.txt", "Markets. " + "a." * 2_000)
    result = run_qa("ingest", str(docs), "--index", str(tmp_path / "idx"))
    assert result.returncode == 0 and "3 added" in result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 2 and "Traceback" not in result.stderr, result.stderr


def test_a_file_that_cannot_be_split_is_skipped_alone(tmp_path, monkeypatch):
    """Whatever fails while splitting one article (here: nltk's regex TimeoutError) skips that file alone."""
    from qa.ingest import chunking

    docs = tmp_path / "docs"
    write(docs, "good.md", article("Acme results", "Acme said revenue rose 5%."))
    write(docs, "bad.md", article("Poison", "This one times out."))
    real = chunking._split

    def split(splitter, text, stop, deadline):
        if "times out" in text:
            raise TimeoutError("regex timed out after 5 s")
        return real(splitter, text, stop, deadline)

    monkeypatch.setattr(chunking, "_split", split)
    warnings = []
    report = QA(index=tmp_path / "idx").ingest([docs], warn=warnings.append)
    assert [p.rsplit("/", 1)[1] for p in report.added] == ["good.md"]
    assert [(p.rsplit("/", 1)[1], r) for p, r in report.skipped] == \
        [("bad.md", "cannot split into passages: TimeoutError: regex timed out after 5 s")]
    assert len(warnings) == 1 and "bad.md" in warnings[0]


def test_the_same_content_under_three_names_is_indexed_once(tmp_path):
    docs = tmp_path / "docs"
    text = article("Harlow Foods", "Harlow Foods opened 17 stores in Leeds.")
    for name in ("a.md", "b.md", "c.md"):
        write(docs, name, text)
    result = run_qa("ingest", str(docs), "--index", str(tmp_path / "idx"))
    assert result.returncode == 0 and "1 added" in result.stdout and "2 skipped" in result.stdout, result
    assert len(warnings_for(result.stderr.splitlines(), "same content as")) == 2
    os.remove(docs / "a.md")  # the holder goes: one of the others takes its place
    again = run_qa("ingest", str(docs), "--index", str(tmp_path / "idx"))
    assert again.returncode == 0 and "1 added" in again.stdout and "1 removed" in again.stdout, again.stdout
