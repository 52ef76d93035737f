"""The Large Movie Review Dataset (IMDB), loaded as raw text with 0/1 labels.

``load_imdb()`` returns the 25,000 training and 25,000 test reviews. It finds the data in
this order:

1. ``archive=`` or the ``RNNCOURSE_IMDB_ARCHIVE`` environment variable: a local archive
   with the official layout (for offline machines and CI). It is checked by layout, not
   by hash, since repacked copies differ byte for byte.
2. The official archive, downloaded once into the cache folder and verified against its
   published SHA-256. ``RNNCOURSE_OFFLINE=1`` forbids the download.

The cache folder is ``RNNCOURSE_CACHE_DIR``, else ``$XDG_CACHE_HOME/rnncourse``, else
``~/.cache/rnncourse``. Archives are extracted into a temporary folder, checked, then
renamed into place, so an interrupted run never leaves a half dataset behind that a later
run would trust.

Reference: Maas et al. (2011), "Learning Word Vectors for Sentiment Analysis", ACL.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
ARCHIVE_ENV = "RNNCOURSE_IMDB_ARCHIVE"
CACHE_ENV = "RNNCOURSE_CACHE_DIR"
OFFLINE_ENV = "RNNCOURSE_OFFLINE"

SPLITS = ("train", "test")
LABELS = {"neg": 0, "pos": 1}
REVIEWS_PER_FOLDER = 12_500
TOP_FOLDER = "aclImdb"
# Parts of the official archive the course never reads; skipping them saves ~60% of disk.
_SKIPPED_MEMBERS = re.compile(r"^aclImdb/(train/unsup/|.*\.feat$|train/urls_unsup\.txt$)")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


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
    """The archive holds a link, a device, or a path that escapes the target folder."""


class LayoutError(ImdbDataError):
    """The extracted archive does not have the official folder layout."""


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
    root = imdb_folder(archive=archive, cache_dir=cache_dir)
    rng = np.random.default_rng(seed)
    return tuple(_read_split(root / split, subsample, rng) for split in SPLITS)


def imdb_folder(*, archive=None, cache_dir=None) -> Path:
    """Path of the extracted ``aclImdb`` folder, downloading or extracting if needed."""
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
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
    archive = cache / "aclImdb_v1.tar.gz"
    if not archive.is_file() or file_sha256(archive) != IMDB_SHA256:
        download(IMDB_URL, archive, IMDB_SHA256)
    return _extracted(archive, cache / "imdb-official")


def default_cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnncourse"


def download(url: str, target: Path, sha256: str) -> Path:
    """Download ``url`` to ``target`` with a progress bar, verifying its SHA-256.

    The bytes go to ``target.part`` first and are renamed only once the hash matches,
    so a broken download never looks like a good archive.
    """
    if os.environ.get(OFFLINE_ENV, "") not in ("", "0"):
        raise DownloadError(
            f"{OFFLINE_ENV} is set, so the IMDB archive is not downloaded. Set "
            f"{ARCHIVE_ENV}=/path/to/aclImdb_v1.tar.gz to use a local copy.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with _progress_bar(total, f"Downloading {target.name}") as bar:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise DownloadError(
            f"Could not download {url}: {error}. If this machine is offline, set "
            f"{ARCHIVE_ENV}=/path/to/aclImdb_v1.tar.gz to use a local copy.") from error
    if digest.hexdigest() != sha256:
        partial.unlink()
        raise ChecksumError(
            f"The file downloaded from {url} has SHA-256 {digest.hexdigest()}, expected "
            f"{sha256}. It was deleted; run again, and if it repeats, download the "
            f"archive by hand and set {ARCHIVE_ENV}.")
    partial.replace(target)
    return target


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def safe_extract(archive: Path, target: Path) -> None:
    """Extract a .tar.gz into ``target`` (which must not exist), refusing unsafe entries.

    Extraction happens in a temporary sibling folder that is renamed to ``target`` only
    after the layout check passes.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".extracting-", dir=target.parent))
    try:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(staging, filter=_refuse_unsafe_members)
        except tarfile.FilterError as error:
            raise UnsafeArchiveError(f"Refused to extract {archive}: {error}.") from error
        except (tarfile.ReadError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise CorruptArchiveError(
                f"{archive} is truncated or is not a gzip-compressed tar archive ({error})."
                " Delete it and download it again.") from error
        check_layout(staging / TOP_FOLDER, archive)
        staging.rename(target)
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


def clean_review(text: str) -> str:
    """Replace the HTML line breaks left in the reviews by spaces."""
    return _LINE_BREAK.sub(" ", text)


def _extracted(archive: Path, folder: Path) -> Path:
    if not folder.is_dir():
        safe_extract(archive, folder)
    return folder / TOP_FOLDER


def _refuse_unsafe_members(member: tarfile.TarInfo, dest: str):
    # The standard "data" filter already blocks absolute paths, ".." and links that leave
    # the folder; a review archive has no reason to hold any link or device at all.
    if member.issym() or member.islnk():
        raise tarfile.FilterError(f"{member.name!r} is a link")
    if member.isdev():
        raise tarfile.FilterError(f"{member.name!r} is a device or pipe")
    member = tarfile.data_filter(member, dest)
    if _SKIPPED_MEMBERS.match(member.name):
        return None
    return member


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


def _read_split(folder: Path, subsample: int | None, rng: np.random.Generator) -> Reviews:
    texts, labels = [], []
    for label_name, label in LABELS.items():
        files = sorted((folder / label_name).glob("*.txt"))
        if subsample is not None:
            picked = rng.choice(len(files), size=subsample // 2, replace=False)
            files = [files[i] for i in sorted(picked)]
        texts += [clean_review(path.read_text(encoding="utf-8")) for path in files]
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
