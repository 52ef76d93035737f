"""Fixtures for the chapter claim tests: each test module names its notebooks in the
constants ``CHAPTER`` and ``SOLUTION``, and these fixtures run or read them.

- ``chapter`` / ``solution``: the notebook's small papermill run (cached for the session);
- ``full``: the values the book's full-size run of ``CHAPTER`` recorded (tests that use it
  are marked ``full_size`` and run after the book build).
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def chapter(small_run, request):
    return small_run(request.module.CHAPTER)


@pytest.fixture(scope="module")
def solution(small_run, request):
    return small_run(request.module.SOLUTION)


@pytest.fixture(scope="module")
def full(full_size_values, request):
    return full_size_values(request.module.CHAPTER)
