"""The IMDB loader: local archives, download, safe and atomic extraction, clear errors.

Synthetic archives keep these tests fast; they shrink the expected folder size to 3
reviews. Downloads come from HTTP servers on 127.0.0.1 that these tests start; the races
between two processes are run with two real processes. The last tests load the real
shared archive when it is present.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from notebooks import REAL_ARCHIVE

from rnncourse import data

PER_FOLDER = 3


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
            payload = text if isinstance(text, bytes) else text.encode()
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
    assert len(list((tmp_path / "cache").glob("imdb-local-*"))) == 2


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
    leftovers = [p.name for p in cache.iterdir() if p.name != ".lock"] if cache.exists() else []
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
    serve_as_official(monkeypatch, archive_server, good_archive.read_bytes())
    train, test = data.load_imdb()
    assert len(train) == len(test) == 2 * PER_FOLDER
    assert (tmp_path / "cache" / "aclImdb_v1.tar.gz").is_file()


# --- weaker spots: parameters, environment, cache folder, limits -------------------------

@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, None])
def test_bad_seed_is_refused_clearly(bad, good_archive):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        data.load_imdb(seed=bad, archive=good_archive)


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "False", " NO "])
def test_offline_false_values_allow_the_download(value, monkeypatch, tmp_path):
    monkeypatch.setenv(data.OFFLINE_ENV, value)
    with pytest.raises(data.DownloadError, match="Could not download") as error:
        data.download("http://127.0.0.1:9/nothing.tar.gz", tmp_path / "x.tar.gz", "0" * 64)
    assert "is set" not in str(error.value)


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "TRUE"])
def test_offline_true_values_forbid_the_download(value, monkeypatch, tmp_path):
    monkeypatch.setenv(data.OFFLINE_ENV, value)
    with pytest.raises(data.DownloadError, match=f"{data.OFFLINE_ENV} is set"):
        data.download("http://127.0.0.1:9/nothing.tar.gz", tmp_path / "x.tar.gz", "0" * 64)


def test_offline_value_not_understood_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv(data.OFFLINE_ENV, "maybe")
    with pytest.raises(data.ImdbDataError, match="'maybe' is not understood"):
        data.download("http://127.0.0.1:9/nothing.tar.gz", tmp_path / "x.tar.gz", "0" * 64)


def test_extracted_copy_is_used_offline_after_the_archive_is_deleted(
        archive_server, good_archive, monkeypatch, tmp_path):
    serve_as_official(monkeypatch, archive_server, good_archive.read_bytes())
    data.load_imdb()
    (tmp_path / "cache" / "aclImdb_v1.tar.gz").unlink()
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    train, test = data.load_imdb()
    assert len(train) == len(test) == 2 * PER_FOLDER


def test_cache_folder_under_a_file_is_explained(good_archive, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "a-file" / "cache"))
    with pytest.raises(data.CacheError, match=f"Set {data.CACHE_ENV} to a folder"):
        data.load_imdb(archive=good_archive)


def test_unwritable_cache_folder_is_explained(good_archive, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # As root a chmod does not stop writes; a refusal from the OS is simulated instead.
    monkeypatch.setattr(data.tempfile, "mkdtemp", refused)
    with pytest.raises(data.CacheError, match="Permission denied"):
        data.load_imdb(archive=good_archive)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_cache_folder_is_explained(good_archive, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        with pytest.raises(data.CacheError, match="Permission denied"):
            data.load_imdb(archive=good_archive)
    finally:
        cache.chmod(0o755)


def test_archive_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    members = list(review_members()) + [("aclImdb/padding.txt", "x" * 5000)]
    archive = write_archive(tmp_path / "bomb.tar.gz", members)
    assert archive.stat().st_size < 1000
    monkeypatch.setattr(data, "MAX_EXTRACTED_BYTES", 4000, raising=False)
    with pytest.raises(data.UnsafeArchiveError, match="unpacks to more than"):
        data.load_imdb(archive=archive)
    assert_no_dataset_left(tmp_path / "cache")


def test_archive_with_too_many_files_is_refused(tmp_path, monkeypatch):
    archive = write_archive(tmp_path / "many.tar.gz", review_members())
    monkeypatch.setattr(data, "MAX_EXTRACTED_FILES", 4 * PER_FOLDER - 1, raising=False)
    with pytest.raises(data.UnsafeArchiveError, match="unpacks to more than"):
        data.load_imdb(archive=archive)
    assert_no_dataset_left(tmp_path / "cache")


def test_real_sized_limits_leave_room_for_the_real_data():
    # The labelled reviews the course keeps: 50,014 files, 69,686,494 bytes.
    assert data.MAX_EXTRACTED_FILES > 50_014 and data.MAX_EXTRACTED_BYTES > 69_686_494


# --- issue 12, defect 4: one review that is not UTF-8 -----------------------------------

def test_review_that_is_not_utf8_is_named_and_nothing_is_cached(tmp_path):
    members = [(name, "caf\xe9 latin-1".encode("latin-1") if name.endswith("test/pos/1_7.txt")
                else text) for name, text in review_members()]
    archive = write_archive(tmp_path / "latin1.tar.gz", members)
    for _ in range(2):  # and again: no cache that cannot be loaded was kept
        with pytest.raises(data.ReviewEncodingError,
                           match=r"aclImdb/test/pos/1_7\.txt .*not valid UTF-8"):
            data.load_imdb(archive=archive)
        assert_no_dataset_left(tmp_path / "cache")


def test_unreadable_review_in_an_old_cache_is_named(good_archive, tmp_path):
    data.load_imdb(archive=good_archive)
    review = next((tmp_path / "cache").glob("imdb-local-*/aclImdb/train/neg/0_7.txt"))
    review.write_bytes(b"\xff\xfe broken")
    with pytest.raises(data.ReviewEncodingError, match=r"train/neg/0_7\.txt.*delete that"):
        data.load_imdb(archive=good_archive)


# --- issue 12, weaker spot: a SIGKILL during extraction ---------------------------------

LOADER = r"""
import json, os, sys, time
from pathlib import Path
from rnncourse import data

config = json.loads(sys.argv[1])
for name, value in config.get("patch", {}).items():
    setattr(data, name, value)


def meet(barrier):
    # Wait (at most 2 s) until both processes are here, so that their work overlaps.
    Path(barrier, str(os.getpid())).touch()
    deadline = time.monotonic() + 2
    while len(os.listdir(barrier)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)


for name in config.get("meet_in", ()):
    def wrapped(*args, _original=getattr(data, name), **kwargs):
        meet(config["barrier"])
        return _original(*args, **kwargs)
    setattr(data, name, wrapped)

if config.get("hang_in_check"):
    def hang(root, archive=None):
        Path(config["hang_in_check"]).touch()
        time.sleep(120)
    data.check_layout = hang

train, test = data.load_imdb(**config.get("kwargs", {}))
print("loaded", len(train), len(test))
"""


def start_loader(tmp_path, **config) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items()
           if k not in (data.ARCHIVE_ENV, data.OFFLINE_ENV)}
    env[data.CACHE_ENV] = str(tmp_path / "cache")
    config.setdefault("patch", {})["REVIEWS_PER_FOLDER"] = PER_FOLDER
    return subprocess.Popen([sys.executable, "-c", LOADER, json.dumps(config)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert f"loaded {2 * PER_FOLDER} {2 * PER_FOLDER}" in out
    return err


def test_extraction_killed_by_sigkill_is_cleaned_up_by_the_next_run(good_archive, tmp_path):
    marker = tmp_path / "extracting"
    process = start_loader(tmp_path, kwargs={"archive": str(good_archive)},
                           hang_in_check=str(marker))
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), process.communicate()[1]
    process.send_signal(signal.SIGKILL)
    process.wait()
    cache = tmp_path / "cache"
    assert list(cache.glob(".extracting-*")), "the killed run left no staging folder"
    train, _ = data.load_imdb(archive=good_archive)
    assert len(train) == 2 * PER_FOLDER
    assert list(cache.glob(".extracting-*")) == []


def test_stale_temporaries_of_a_live_process_are_kept(good_archive, tmp_path):
    cache = tmp_path / "cache"
    alive = cache / f".extracting-{os.getppid()}-abc"  # our parent: alive, not us
    alive.mkdir(parents=True)
    data.load_imdb(archive=good_archive)
    assert alive.is_dir()
    old = time.time() - data.STALE_AFTER_SECONDS - 60
    os.utime(alive, (old, old))
    os.utime(good_archive, ns=(5, 5))  # a changed archive: extracted again, cleans up
    data.load_imdb(archive=good_archive)
    assert not alive.exists()


# --- issue 12, defect 2: two processes using the data for the first time at once --------

@pytest.mark.slow
def test_two_processes_extract_the_same_archive_at_once(good_archive, tmp_path):
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    config = {"kwargs": {"archive": str(good_archive)}, "meet_in": ["safe_extract"],
              "barrier": str(barrier)}
    first, second = start_loader(tmp_path, **config), start_loader(tmp_path, **config)
    finish(first), finish(second)
    assert len(list((tmp_path / "cache").glob("imdb-local-*"))) == 1
    assert list((tmp_path / "cache").glob(".extracting-*")) == []


def test_losing_the_final_rename_uses_the_copy_of_the_winner(good_archive, tmp_path):
    # Where no file lock is available, two extractions can both reach the rename.
    target = tmp_path / "cache" / "imdb-local-x"
    data.safe_extract(good_archive, target)
    data.safe_extract(good_archive, target)  # loses: the target is there and checked
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["imdb-local-x"]
    data.check_layout(target / data.TOP_FOLDER)


class SlowArchiveHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``payload`` in ten pieces over about a second, counting the requests."""

    payload = b""
    requests: list = []

    def do_GET(self):
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        step = max(1, len(self.payload) // 10)
        for start in range(0, len(self.payload), step):
            self.wfile.write(self.payload[start:start + step])
            self.wfile.flush()
            time.sleep(0.1)

    def log_message(self, *args):
        pass


def serve(handler) -> tuple[str, http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/aclImdb_v1.tar.gz", server


def serve_as_official(monkeypatch, url: str, payload: bytes) -> None:
    monkeypatch.setattr(data, "IMDB_URL", url)
    monkeypatch.setattr(data, "IMDB_SHA256", hashlib.sha256(payload).hexdigest())
    monkeypatch.setattr(data, "IMDB_SIZE", len(payload), raising=False)


@pytest.mark.slow
def test_two_processes_download_the_same_archive_at_once(good_archive, tmp_path):
    payload = good_archive.read_bytes()
    handler = type("Handler", (SlowArchiveHandler,), {"payload": payload, "requests": []})
    url, server = serve(handler)
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    config = {"patch": {"IMDB_URL": url, "IMDB_SHA256": hashlib.sha256(payload).hexdigest(),
                        "IMDB_SIZE": len(payload)},
              "meet_in": ["download"], "barrier": str(barrier)}
    try:
        first, second = start_loader(tmp_path, **config), start_loader(tmp_path, **config)
        finish(first), finish(second)
    finally:
        server.shutdown()
    cache = tmp_path / "cache"
    assert (cache / "aclImdb_v1.tar.gz").read_bytes() == payload
    assert list(cache.glob("*.part")) == []
    assert len(handler.requests) == 1, "the second process should use the first's download"


# --- issue 12, defect 3 and weaker spot: downloads cut short, or without end ------------

class BrokenHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    payload = b""
    mode = ""

    def do_GET(self):
        half = self.payload[: len(self.payload) // 2]
        self.send_response(200)
        if self.mode == "chunked cut short":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
        elif self.mode == "length cut short":
            self.send_header("Content-Length", str(len(self.payload)))
            self.end_headers()
            self.wfile.write(half)
        elif self.mode == "without end":
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(64):  # 4 MB at most: the test stops by itself
                try:
                    self.wfile.write(b"\0" * 65536)
                except OSError:
                    break
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("mode, message", [("chunked cut short", "IncompleteRead"),
                                           ("length cut short", "cut short"),
                                           ("without end", "sent more than")])
def test_broken_download_is_explained_and_leaves_nothing(mode, message, good_archive,
                                                        monkeypatch, tmp_path):
    payload = good_archive.read_bytes()
    url, server = serve(type("Handler", (BrokenHandler,), {"payload": payload, "mode": mode}))
    serve_as_official(monkeypatch, url, payload)
    try:
        with pytest.raises(data.DownloadError, match=message) as error:
            data.load_imdb()
    finally:
        server.shutdown()
    assert "Nothing was kept" in str(error.value)
    assert_no_dataset_left(tmp_path / "cache")


# --- the real data --------------------------------------------------------------------

real_archive = pytest.mark.skipif(not REAL_ARCHIVE.is_file(),
                                  reason=f"the shared IMDB archive is not at {REAL_ARCHIVE}")


@pytest.mark.slow
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


def test_the_try_it_page_cleans_line_breaks_with_the_same_pattern():
    """One definition of a line break: the page's JavaScript copies data.LINE_BREAK."""
    import re as regex

    from rnncourse.data import LINE_BREAK

    script = (Path(__file__).resolve().parents[2] / "tools" / "tryit" / "tryit.js").read_text(
        encoding="utf-8")
    found = regex.search(r"const LINE_BREAK = /(.+)/gi;", script)
    assert found, "tryit.js defines no LINE_BREAK"
    assert found.group(1).replace("\\/", "/") == LINE_BREAK
