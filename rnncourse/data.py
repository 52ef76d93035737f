"""The Large Movie Review Dataset (IMDB), loaded as raw text with 0/1 labels.

``load_imdb()`` returns the 25,000 training and 25,000 test reviews. It finds the data in
this order:

1. ``archive=`` or the ``RNNCOURSE_IMDB_ARCHIVE`` environment variable: a local archive
   with the official layout (for offline machines and CI). It is checked by layout, not
   by hash, since repacked copies differ byte for byte.
2. A copy of the official archive extracted earlier into the cache folder (it is used even
   when the archive itself has been deleted since).
3. The official archive, downloaded once into the cache folder and verified against its
   published size and SHA-256. ``RNNCOURSE_OFFLINE=1`` (or ``true``, ``yes``, ``on``)
   forbids the download; ``0``, ``false``, ``no``, ``off`` or unset allow it.

The cache folder is ``RNNCOURSE_CACHE_DIR``, else ``$XDG_CACHE_HOME/rnncourse``, else
``~/.cache/rnncourse``.

Safety and concurrency:

- Downloads go to a temporary file with a unique name in the cache folder. The SHA-256 is
  computed on that file, and only a file that matches is renamed into place. A download
  that is cut short, or that runs past the archive's known size, raises ``DownloadError``
  and leaves no partial file.
- Archives are extracted into a uniquely named temporary folder, checked (layout, size,
  every review valid UTF-8), then renamed into place, so an interrupted run never leaves a
  half dataset behind that a later run would trust. Temporary files and folders left by a
  process that was killed are removed by the next run.
- Two processes that need the data at the same time (two notebooks, or the tests beside
  a notebook) take turns: the second waits for the first's download and extraction, then
  uses its result. Where file locks are unavailable (Windows), the unique names still keep
  them apart, and a process that loses the final rename uses the other's copy.

Decoding policy: the reviews are UTF-8. A review that is not valid UTF-8 makes the whole
archive unusable (``ReviewEncodingError`` names the file); nothing is cached from it.

Reference: Maas et al. (2011), "Learning Word Vectors for Sentiment Analysis", ACL.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; unique temporary names still apply
    fcntl = None

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
IMDB_SIZE = 84_125_825  # bytes of the official archive
ARCHIVE_ENV = "RNNCOURSE_IMDB_ARCHIVE"
CACHE_ENV = "RNNCOURSE_CACHE_DIR"
OFFLINE_ENV = "RNNCOURSE_OFFLINE"

SPLITS = ("train", "test")
LABELS = {"neg": 0, "pos": 1}
REVIEWS_PER_FOLDER = 12_500
TOP_FOLDER = "aclImdb"
# What the course keeps of the official archive is 50,014 files and 70 MB; refuse an
# archive that would unpack to far more (a "zip bomb", or the wrong file).
MAX_EXTRACTED_BYTES = 200 * 2**20
MAX_EXTRACTED_FILES = 100_000
# A temporary file or folder whose process is gone, or older than this, is left over.
STALE_AFTER_SECONDS = 24 * 3600
# Parts of the official archive the course never reads; skipping them saves ~60% of disk.
_SKIPPED_MEMBERS = re.compile(r"^aclImdb/(train/unsup/|.*\.feat$|train/urls_unsup\.txt$)")
# An HTML line break, <br>, <br/> or <br />, with the whitespace that RE2 (TensorFlow's
# regular expressions) calls \s: the saved model's CleanReviews, the Try it page and
# clean_review must agree on every text, and Python's \s also matches \v, NBSP, U+2028
# and other Unicode spaces.
LINE_BREAK = r"<br[\t\n\f\r ]*/?>"
_LINE_BREAK = re.compile(LINE_BREAK, re.IGNORECASE)
_OFFLINE_VALUES = {"1": True, "true": True, "yes": True, "on": True,
                   "": False, "0": False, "false": False, "no": False, "off": False}
# Temporary names carry the process id: .extracting-<pid>-<random>, <name>.<pid>-<random>.part
_TEMPORARY = re.compile(r"^(?:\.extracting-|.+\.)(\d+)-[^/]*?(?:\.part)?$")


class ImdbDataError(RuntimeError):
    """Base class: the IMDB data could not be obtained. The message says what to do."""


class ArchiveNotFoundError(ImdbDataError):
    """A local archive was named, but there is no file there."""


class DownloadError(ImdbDataError):
    """The download failed or is forbidden (offline) and no local copy was given."""


class ChecksumError(ImdbDataError):
    """A downloaded archive does not match the published SHA-256."""


class CorruptArchiveError(ImdbDataError):
    """The archive is truncated, or not a gzip-compressed tar file."""


class UnsafeArchiveError(ImdbDataError):
    """The archive holds a link, a device, a path that escapes the target folder, or far
    more data than the IMDB reviews."""


class LayoutError(ImdbDataError):
    """The extracted archive does not have the official folder layout."""


class ReviewEncodingError(ImdbDataError):
    """A review file is not valid UTF-8."""


class CacheError(ImdbDataError):
    """The cache folder cannot be created or written to."""


@dataclass(frozen=True)
class Reviews:
    """Review texts with their labels (0 = negative, 1 = positive), in matching order."""

    texts: list[str]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, indices) -> Reviews:
        """A new ``Reviews`` holding the reviews at ``indices``, in that order."""
        return Reviews([self.texts[i] for i in indices], self.labels[np.asarray(indices)])


def load_imdb(subsample: int | None = None, seed: int = 0, *, archive=None,
              cache_dir=None) -> tuple[Reviews, Reviews]:
    """Return ``(train, test)`` IMDB reviews, each shuffled with ``seed``.

    ``subsample``: if given, keep that many reviews per split, half positive and half
    negative, chosen deterministically from ``seed`` (for quick runs). Texts have the
    ``<br />`` tags of the original HTML replaced by spaces.
    """
    if subsample is not None:
        _check_subsample(subsample)
    _check_seed(seed)
    root = imdb_folder(archive=archive, cache_dir=cache_dir)
    rng = np.random.default_rng(seed)
    return tuple(_read_split(root / split, subsample, rng) for split in SPLITS)


def imdb_folder(*, archive=None, cache_dir=None) -> Path:
    """Path of the extracted ``aclImdb`` folder, downloading or extracting if needed."""
    cache = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    source = "archive=" if archive else ARCHIVE_ENV
    archive = archive or os.environ.get(ARCHIVE_ENV)
    if archive:
        archive = Path(archive).expanduser()
        if not archive.is_file():
            raise ArchiveNotFoundError(
                f"No IMDB archive at {archive} (named by {source})."
                f" Point {ARCHIVE_ENV} at a copy of aclImdb_v1.tar.gz, or unset it to"
                " download the official archive.")
        return _extracted(archive, cache / f"imdb-local-{_local_key(archive)}")
    folder = cache / "imdb-official"
    if folder.is_dir():  # extracted earlier, after its download was verified
        return folder / TOP_FOLDER
    with _cache_lock(cache):
        if not folder.is_dir():  # not done meanwhile by another process
            archive = cache / "aclImdb_v1.tar.gz"
            if not archive.is_file() or file_sha256(archive) != IMDB_SHA256:
                download(IMDB_URL, archive, IMDB_SHA256, size=IMDB_SIZE)
            safe_extract(archive, folder)
    return folder / TOP_FOLDER


def default_cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnncourse"


def offline() -> bool:
    """Whether ``RNNCOURSE_OFFLINE`` forbids downloads (1/true/yes/on; 0/false/no/off)."""
    value = os.environ.get(OFFLINE_ENV, "")
    try:
        return _OFFLINE_VALUES[value.strip().lower()]
    except KeyError:
        raise ImdbDataError(
            f"{OFFLINE_ENV}={value!r} is not understood: set it to 1 (never download) or"
            " 0 (download when needed).") from None


def download(url: str, target: Path, sha256: str, *, size: int | None = None) -> Path:
    """Download ``url`` to ``target`` with a progress bar, verifying its SHA-256.

    The bytes go to a uniquely named ``.part`` file beside ``target``; it is hashed and
    renamed only once the hash matches, so a broken download never looks like a good
    archive, and two processes never write the same file. ``size``, when known, stops a
    server that sends more, and catches a download cut short.
    """
    if offline():
        raise DownloadError(
            f"{OFFLINE_ENV} is set, so the IMDB archive is not downloaded. Set "
            f"{ARCHIVE_ENV}=/path/to/aclImdb_v1.tar.gz to use a local copy.")
    target = Path(target)
    _make_folder(target.parent)
    try:
        handle, name = tempfile.mkstemp(prefix=f"{target.name}.{os.getpid()}-",
                                        suffix=".part", dir=target.parent)
    except OSError as error:
        raise _cache_error(target.parent, error) from error
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            _fetch(url, out, size, f"Downloading {target.name}")
        actual = file_sha256(partial)
        if actual != sha256:
            raise ChecksumError(
                f"The file downloaded from {url} has SHA-256 {actual}, expected "
                f"{sha256}. It was deleted; run again, and if it repeats, download the "
                f"archive by hand and set {ARCHIVE_ENV}.")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _fetch(url: str, out, size: int | None, description: str) -> None:
    advice = (f" Run again to retry. If this machine is offline, set "
              f"{ARCHIVE_ENV}=/path/to/aclImdb_v1.tar.gz to use a local copy.")
    received = 0
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            announced = _content_length(response)
            if size is not None and announced is not None and announced != size:
                raise DownloadError(
                    f"{url} announces {announced:,} bytes, but the archive has {size:,}."
                    " Nothing was kept." + advice)
            with _progress_bar(size or announced, description) as bar:
                while chunk := response.read(1 << 20):
                    received += len(chunk)
                    if size is not None and received > size:
                        raise DownloadError(
                            f"{url} sent more than the archive's {size:,} bytes, so the"
                            " download was stopped. Nothing was kept." + advice)
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise DownloadError(f"Could not download {url}: {error}. Nothing was kept."
                            + advice) from error
    expected = size if size is not None else announced
    if expected is not None and received != expected:
        raise DownloadError(
            f"The download of {url} was cut short: {received:,} of {expected:,} bytes."
            " Nothing was kept." + advice)


def _content_length(response) -> int | None:
    try:
        return int(response.headers.get("Content-Length") or "") or None
    except ValueError:
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def safe_extract(archive: Path, target: Path) -> None:
    """Extract a .tar.gz into ``target``, refusing unsafe entries and oversized archives.

    Extraction happens in a uniquely named temporary sibling folder that is renamed to
    ``target`` only after the layout and encoding checks pass. If ``target`` appears
    meanwhile (another process finished first), that copy is used: it passed the same
    checks before its rename.
    """
    _make_folder(target.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".extracting-{os.getpid()}-",
                                        dir=target.parent))
    except OSError as error:
        raise _cache_error(target.parent, error) from error
    try:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(staging, filter=_member_filter(archive))
        except tarfile.FilterError as error:
            raise UnsafeArchiveError(f"Refused to extract {archive}: {error}.") from error
        except (tarfile.ReadError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise CorruptArchiveError(
                f"{archive} is truncated or is not a gzip-compressed tar archive ({error})."
                " Delete it and download it again.") from error
        except OSError as error:
            raise CacheError(
                f"Could not extract {archive} into {target.parent}: {error}. Free some"
                f" disk space, or set {CACHE_ENV} to another folder.") from error
        check_layout(staging / TOP_FOLDER, archive)
        check_encoding(staging / TOP_FOLDER, archive)
        try:
            staging.rename(target)
        except OSError as error:
            if not target.is_dir():
                raise _cache_error(target.parent, error) from error
            # Another process renamed its checked copy into place first: use that one.
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_layout(root: Path, archive: Path | None = None) -> None:
    """Raise ``LayoutError`` unless each labelled folder holds 12,500 review files."""
    problems = []
    for split in SPLITS:
        for label in LABELS:
            folder = root / split / label
            count = sum(1 for _ in folder.glob("*.txt")) if folder.is_dir() else None
            if count != REVIEWS_PER_FOLDER:
                found = "is missing" if count is None else f"has {count:,} reviews"
                problems.append(f"{TOP_FOLDER}/{split}/{label} {found}")
    if problems:
        source = f" in {archive}" if archive else ""
        raise LayoutError(
            f"The IMDB data{source} does not have the official layout (expected "
            f"{REVIEWS_PER_FOLDER:,} .txt files in each of {TOP_FOLDER}/{{train,test}}/"
            f"{{pos,neg}}): " + "; ".join(problems) + ".")


def check_encoding(root: Path, archive: Path | None = None) -> None:
    """Raise ``ReviewEncodingError`` naming the first review that is not valid UTF-8."""
    for split in SPLITS:
        for label in LABELS:
            for path in sorted((root / split / label).glob("*.txt")):
                _read_review(path, archive)


def clean_review(text: str) -> str:
    """Replace the HTML line breaks left in the reviews by spaces."""
    return _LINE_BREAK.sub(" ", text)


def _read_review(path: Path, archive: Path | None = None) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        name = "/".join(path.parts[-4:])  # aclImdb/<split>/<label>/<file>
        where = f"{archive}" if archive else f"the extracted copy {path.parents[3]}"
        raise ReviewEncodingError(
            f"The review {name} in {where} is not valid UTF-8 ({error.reason} at byte "
            f"{error.start}). The official archive is UTF-8 throughout: use an unmodified"
            f" copy of aclImdb_v1.tar.gz" + ("." if archive else ", and delete that"
                                            " extracted copy.")) from error


def _extracted(archive: Path, folder: Path) -> Path:
    if not folder.is_dir():
        with _cache_lock(folder.parent):
            if not folder.is_dir():  # not done meanwhile by another process
                safe_extract(archive, folder)
    return folder / TOP_FOLDER


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _cache_error(folder, error) from error


def _cache_error(folder: Path, error: OSError) -> CacheError:
    return CacheError(
        f"Cannot write to the cache folder {folder} ({error.strerror or error}). Set"
        f" {CACHE_ENV} to a folder you can write to.")


@contextlib.contextmanager
def _cache_lock(cache: Path):
    """Hold an exclusive lock on ``cache`` (waiting for another process that holds it),
    then remove the temporary files and folders that killed processes left there."""
    _make_folder(cache)
    try:
        handle = os.open(cache / ".lock", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as error:
        raise _cache_error(cache, error) from error
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"Another process is preparing the IMDB data in {cache}; waiting for"
                      " it to finish.", file=sys.stderr, flush=True)
                fcntl.flock(handle, fcntl.LOCK_EX)
        _remove_stale_temporaries(cache)
        yield
    finally:
        os.close(handle)  # releases the lock


def _remove_stale_temporaries(cache: Path) -> None:
    for path in cache.iterdir():
        if not (path.name.startswith(".extracting-") or path.name.endswith(".part")):
            continue
        try:
            age = time.time() - path.lstat().st_mtime
        except OSError:
            continue
        match = _TEMPORARY.match(path.name)
        owner = int(match.group(1)) if match else None
        if age > STALE_AFTER_SECONDS or (owner is not None and not _running(owner)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows, signal 0 is CTRL_C_EVENT
        return True  # (there, only the age rule removes leftovers)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # exists (another user's), or cannot tell: keep it
    return True


def _member_filter(archive: Path):
    kept = {"files": 0, "bytes": 0}

    def refuse_unsafe_members(member: tarfile.TarInfo, dest: str):
        # The standard "data" filter already blocks absolute paths, ".." and links that
        # leave the folder; a review archive has no reason to hold any link or device.
        if member.issym() or member.islnk():
            raise tarfile.FilterError(f"{member.name!r} is a link")
        if member.isdev():
            raise tarfile.FilterError(f"{member.name!r} is a device or pipe")
        member = tarfile.data_filter(member, dest)
        if _SKIPPED_MEMBERS.match(member.name):
            return None
        kept["files"] += 1
        kept["bytes"] += member.size
        if kept["bytes"] > MAX_EXTRACTED_BYTES or kept["files"] > MAX_EXTRACTED_FILES:
            raise tarfile.FilterError(
                f"it unpacks to more than {MAX_EXTRACTED_BYTES / 2**20:,.0f} MiB or"
                f" {MAX_EXTRACTED_FILES:,} files, far more than the IMDB reviews (70 MB,"
                " 50,014 files). Check that it is aclImdb_v1.tar.gz")
        return member

    return refuse_unsafe_members


def _local_key(archive: Path) -> str:
    # Re-extract when the file at that path changes (size or modification time).
    stat = archive.resolve().stat()
    text = f"{archive.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_subsample(subsample) -> None:
    if (not isinstance(subsample, (int, np.integer)) or isinstance(subsample, bool)
            or subsample < 2 or subsample % 2 or subsample > 2 * REVIEWS_PER_FOLDER):
        raise ValueError(
            f"subsample must be an even integer between 2 and {2 * REVIEWS_PER_FOLDER:,}"
            f" (half positive, half negative), got {subsample!r}")


def _check_seed(seed) -> None:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def _read_split(folder: Path, subsample: int | None, rng: np.random.Generator) -> Reviews:
    texts, labels = [], []
    for label_name, label in LABELS.items():
        files = sorted((folder / label_name).glob("*.txt"))
        if subsample is not None:
            picked = rng.choice(len(files), size=subsample // 2, replace=False)
            files = [files[i] for i in sorted(picked)]
        texts += [clean_review(_read_review(path)) for path in files]
        labels += [label] * len(files)
    order = rng.permutation(len(texts))
    return Reviews([texts[i] for i in order], np.asarray(labels, dtype=np.int32)[order])


class _progress_bar:
    """tqdm when available (it is a dependency), otherwise silent."""

    def __init__(self, total, description):
        try:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=description, unit="B", unit_scale=True)
        except ImportError:
            self._bar = None

    def update(self, n):
        if self._bar is not None:
            self._bar.update(n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.close()
