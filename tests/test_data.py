"""The IMDB loader: local archives, download, safe and atomic extraction, clear errors.

Synthetic archives keep these tests fast; they shrink the expected folder size to 3
reviews. The last tests load the real shared archive when it is present.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import os
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest

from rnncourse import data

PER_FOLDER = 3
# CI names the shared copy in the environment; a checkout has it beside the repository.
REAL_ARCHIVE = Path(os.environ.get(data.ARCHIVE_ENV) or Path(__file__).resolve().parents[2]
                    / "shared/datasets/aclImdb_v1_labeled.tar.gz")


@pytest.fixture(autouse=True)
def small_dataset(monkeypatch, tmp_path):
    """Shrink the expected layout and isolate every cache and environment variable."""
    monkeypatch.setattr(data, "REVIEWS_PER_FOLDER", PER_FOLDER)
    for name in (data.ARCHIVE_ENV, data.CACHE_ENV, data.OFFLINE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "cache"))


def review_members(per_folder=PER_FOLDER, skip=()):
    """(name, text) for a dataset in the official layout, with recognisable texts."""
    for split in data.SPLITS:
        for label in data.LABELS:
            if f"{split}/{label}" in skip:
                continue
            for i in range(per_folder):
                yield (f"aclImdb/{split}/{label}/{i}_7.txt",
                       f"{split} {label} review {i}.<br /><br />Second line.")


def write_archive(path: Path, members, links=()) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in members:
            payload = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        for info in links:
            tar.addfile(info)
    return path


@pytest.fixture
def good_archive(tmp_path):
    return write_archive(tmp_path / "imdb.tar.gz", review_members())


def test_local_archive_loads_every_review_with_labels(good_archive):
    train, test = data.load_imdb(archive=good_archive)
    assert len(train) == len(test) == 2 * PER_FOLDER
    assert sorted(train.labels.tolist()) == [0] * PER_FOLDER + [1] * PER_FOLDER
    for texts, labels, split in ((train.texts, train.labels, "train"),
                                 (test.texts, test.labels, "test")):
        for text, label in zip(texts, labels, strict=True):
            assert text.startswith(f"{split} {'pos' if label else 'neg'} review")


def test_line_breaks_are_cleaned(good_archive):
    train, _ = data.load_imdb(archive=good_archive)
    assert all("<br" not in text for text in train.texts)
    assert data.clean_review("a<br />b<BR>c<br/>d") == "a b c d"


def test_archive_from_environment_variable(good_archive, monkeypatch):
    monkeypatch.setenv(data.ARCHIVE_ENV, str(good_archive))
    train, _ = data.load_imdb()
    assert len(train) == 2 * PER_FOLDER


def test_order_is_shuffled_deterministically(good_archive):
    first, _ = data.load_imdb(archive=good_archive, seed=1)
    again, _ = data.load_imdb(archive=good_archive, seed=1)
    other, _ = data.load_imdb(archive=good_archive, seed=2)
    assert first.texts == again.texts
    assert np.array_equal(first.labels, again.labels)
    assert sorted(first.texts) == sorted(other.texts)


def test_subsample_is_class_balanced_and_deterministic(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "REVIEWS_PER_FOLDER", 10)
    archive = write_archive(tmp_path / "ten.tar.gz", review_members(per_folder=10))
    train, test = data.load_imdb(subsample=6, seed=3, archive=archive)
    again, _ = data.load_imdb(subsample=6, seed=3, archive=archive)
    assert len(train) == len(test) == 6
    assert train.labels.sum() == test.labels.sum() == 3
    assert train.texts == again.texts


@pytest.mark.parametrize("bad", [0, 1, 7, -2, 2.0, True, "10", 2 * 12_500 + 2])
def test_bad_subsample_is_refused_clearly(bad, good_archive, monkeypatch):
    monkeypatch.setattr(data, "REVIEWS_PER_FOLDER", 12_500)
    with pytest.raises(ValueError, match="subsample must be an even integer"):
        data.load_imdb(subsample=bad, archive=good_archive)


def test_missing_local_archive_says_what_to_do(tmp_path):
    with pytest.raises(data.ArchiveNotFoundError, match=data.ARCHIVE_ENV):
        data.load_imdb(archive=tmp_path / "nowhere.tar.gz")


def test_offline_without_a_copy_refuses_to_download(monkeypatch):
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    with pytest.raises(data.DownloadError, match=data.ARCHIVE_ENV):
        data.load_imdb()


def test_truncated_archive_is_reported_and_leaves_nothing(good_archive, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good_archive.read_bytes()[: good_archive.stat().st_size // 2])
    with pytest.raises(data.CorruptArchiveError, match="truncated"):
        data.load_imdb(archive=truncated)
    assert_no_dataset_left(tmp_path / "cache")


def test_non_gzip_file_is_reported(tmp_path):
    plain = tmp_path / "reviews.tar.gz"
    plain.write_text("this is not an archive")
    with pytest.raises(data.CorruptArchiveError, match="not a gzip"):
        data.load_imdb(archive=plain)


def test_path_traversal_is_refused(tmp_path):
    members = list(review_members()) + [("aclImdb/../../escaped.txt", "gotcha")]
    archive = write_archive(tmp_path / "traversal.tar.gz", members)
    with pytest.raises(data.UnsafeArchiveError):
        data.load_imdb(archive=archive)
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "cache" / "escaped.txt").exists()
    assert_no_dataset_left(tmp_path / "cache")


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_links_are_refused_even_inside_the_folder(tmp_path, kind):
    link = tarfile.TarInfo("aclImdb/train/pos/link_7.txt")
    link.type, link.linkname = kind, "aclImdb/train/pos/0_7.txt"
    archive = write_archive(tmp_path / "links.tar.gz", review_members(), links=[link])
    with pytest.raises(data.UnsafeArchiveError, match="is a link"):
        data.load_imdb(archive=archive)
    assert_no_dataset_left(tmp_path / "cache")


def test_device_files_are_refused(tmp_path):
    device = tarfile.TarInfo("aclImdb/train/pos/device")
    device.type = tarfile.CHRTYPE
    archive = write_archive(tmp_path / "device.tar.gz", review_members(), links=[device])
    with pytest.raises(data.UnsafeArchiveError, match="device"):
        data.load_imdb(archive=archive)


def test_wrong_layout_names_each_folder_and_count(tmp_path):
    members = [m for m in review_members(skip=("test/neg",))
               if m[0] != "aclImdb/train/pos/0_7.txt"]
    archive = write_archive(tmp_path / "wrong.tar.gz", members)
    with pytest.raises(data.LayoutError) as error:
        data.load_imdb(archive=archive)
    message = str(error.value)
    assert "aclImdb/train/pos has 2 reviews" in message
    assert "aclImdb/test/neg is missing" in message
    assert_no_dataset_left(tmp_path / "cache")


def test_extraction_is_reused_and_redone_when_the_archive_changes(good_archive, tmp_path):
    data.load_imdb(archive=good_archive)
    extracted = list((tmp_path / "cache").iterdir())
    data.load_imdb(archive=good_archive)
    assert list((tmp_path / "cache").iterdir()) == extracted
    write_archive(good_archive, review_members())  # same path, new file
    os.utime(good_archive, ns=(1, 1))
    data.load_imdb(archive=good_archive)
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_interrupted_extraction_is_not_trusted(good_archive, tmp_path, monkeypatch):
    calls = []

    def interrupted(root, archive=None):
        calls.append(root)
        raise KeyboardInterrupt

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(data, "check_layout", interrupted)
        data.load_imdb(archive=good_archive)
    assert calls
    assert_no_dataset_left(tmp_path / "cache")
    train, _ = data.load_imdb(archive=good_archive)  # a later run starts afresh
    assert len(train) == 2 * PER_FOLDER


def assert_no_dataset_left(cache: Path):
    """Nothing a later run could mistake for an extracted dataset."""
    leftovers = [p.name for p in cache.iterdir()] if cache.exists() else []
    assert leftovers == [], leftovers


# --- the real download path, served from this machine -----------------------------------

@pytest.fixture
def archive_server(good_archive):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(good_archive.parent))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{good_archive.name}"
    server.shutdown()


def test_download_verifies_the_hash_and_renames_when_complete(archive_server, good_archive,
                                                             tmp_path):
    expected = hashlib.sha256(good_archive.read_bytes()).hexdigest()
    target = tmp_path / "downloads" / "imdb.tar.gz"
    data.download(archive_server, target, expected)
    assert target.read_bytes() == good_archive.read_bytes()
    assert not target.with_name("imdb.tar.gz.part").exists()


def test_download_with_wrong_hash_is_deleted_and_explained(archive_server, tmp_path):
    target = tmp_path / "downloads" / "imdb.tar.gz"
    with pytest.raises(data.ChecksumError, match="expected 0000"):
        data.download(archive_server, target, "0" * 64)
    assert list(target.parent.iterdir()) == []


def test_unreachable_server_says_how_to_work_offline(tmp_path):
    with pytest.raises(data.DownloadError, match=data.ARCHIVE_ENV):
        data.download("http://127.0.0.1:9/nothing.tar.gz", tmp_path / "x.tar.gz", "0" * 64)


def test_official_path_downloads_verifies_and_extracts(archive_server, good_archive,
                                                       monkeypatch, tmp_path):
    monkeypatch.setattr(data, "IMDB_URL", archive_server)
    monkeypatch.setattr(data, "IMDB_SHA256",
                        hashlib.sha256(good_archive.read_bytes()).hexdigest())
    train, test = data.load_imdb()
    assert len(train) == len(test) == 2 * PER_FOLDER
    assert (tmp_path / "cache" / "aclImdb_v1.tar.gz").is_file()


# --- the real data --------------------------------------------------------------------

real_archive = pytest.mark.skipif(not REAL_ARCHIVE.is_file(),
                                  reason=f"the shared IMDB archive is not at {REAL_ARCHIVE}")


@real_archive
def test_real_archive_has_50000_labelled_reviews(monkeypatch):
    monkeypatch.setattr(data, "REVIEWS_PER_FOLDER", 12_500)
    monkeypatch.delenv(data.CACHE_ENV)  # the user cache: extracted once, reused
    train, test = data.load_imdb(archive=REAL_ARCHIVE)
    assert len(train) == len(test) == 25_000
    assert train.labels.sum() == test.labels.sum() == 12_500
    assert all(text.strip() for text in train.texts[:1000])
    assert not set(train.texts[:2000]) & set(test.texts[:2000])


@real_archive
def test_real_archive_subsample(monkeypatch):
    monkeypatch.setattr(data, "REVIEWS_PER_FOLDER", 12_500)
    monkeypatch.delenv(data.CACHE_ENV)
    train, test = data.load_imdb(subsample=200, seed=0, archive=REAL_ARCHIVE)
    assert len(train) == len(test) == 200
    assert train.labels.sum() == 100
