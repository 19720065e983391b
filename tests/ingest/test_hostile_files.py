"""Broken and hostile files, and readers that search while an ingest runs."""

import os
import subprocess
import time

from qa import QA
from qa.store.index import Index
from conftest import CORPUS, QA_BIN, article, copy_corpus, write


def test_hostile_folder_is_ingested_sensibly(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "ok.md", article("Acme results", "Acme said revenue rose 5% to $2 billion."))
    write(docs, "name with spaces – ünïcødé 新闻.md", article("Zenith results", "Zenith said sales fell 3%."))
    deep = docs.joinpath(*[f"level{i}" for i in range(60)])
    write(deep, "deep.txt", "Orbit named Jane Roe chief executive.")
    huge_inline = "<img src='data:image/png;base64," + "A" * 5_000_000 + "'>"
    write(docs, "page.html", f"<html><head><title>Nova news</title><style>{'x{}' * 10000}</style></head><body>"
                             f"<script>{'var a=1;' * 10000}</script><article><p>Nova raised $40 million.</p>"
                             f"{huge_inline}</article></body></html>")
    with open(docs / "huge.txt", "wb") as fh:  # 100 MB: skipped by size before it is read
        fh.truncate(100 * 1024 * 1024)
    (docs / "empty.md").write_text("")
    (docs / "empty.html").write_text("")
    (docs / "fake.md").write_bytes(os.urandom(4096))
    (docs / "loop").symlink_to(docs)
    warnings = []
    report = QA(index=tmp_path / "idx").ingest([docs], warn=warnings.append)
    assert report.total_files == 4
    assert sorted(p.rsplit("/", 1)[1] for p, _ in report.skipped) == ["empty.html", "empty.md", "fake.md", "huge.txt"]
    assert any("larger than" in w for w in warnings)
    index = Index.open(tmp_path / "idx")
    texts = " ".join(c.text for c in index.chunks)
    assert "Nova raised $40 million." in texts and "base64" not in texts and "var a" not in texts
    assert any("ünïcødé" in c.path for c in index.chunks)


def test_readers_see_old_or_new_state_during_an_ingest(tmp_path):
    small = tmp_path / "docs"
    write(small, "a.md", article("Acme", "Acme grew 5%."))
    env = {**os.environ, "QA_INDEX": str(tmp_path / "idx")}
    subprocess.run([QA_BIN, "ingest", str(small)], env=env, check=True, capture_output=True)
    copy_corpus(small)
    writer = subprocess.Popen([QA_BIN, "ingest", str(small)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen([QA_BIN, "ingest", str(small)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    seen = set()
    while writer.poll() is None:
        index = Index.open(tmp_path / "idx")
        assert len(index.chunks) == len(index.vectors) == index.dense.ntotal
        seen.add(len(index.files))
        time.sleep(0.2)
    second.wait()
    outcomes = {writer.returncode: writer.stderr.read(), second.returncode: second.stderr.read()}
    assert 0 in outcomes  # one of the two did the work
    assert set(outcomes) <= {0, 3} and (3 not in outcomes or "another ingest" in outcomes[3])
    whole = 1 + len(list(CORPUS.glob("*.md")))
    assert seen <= {1, whole}
    assert len(Index.open(tmp_path / "idx").files) == whole
