"""The course kit's harness: each chapter's assignment is built once per session (``build``)."""

import pytest

from course import assignments
from course.chapters import chapters_with_exercises

CHAPTERS = {chapter.name: chapter for chapter in chapters_with_exercises()}


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    built = {}

    def build_once(chapter_name, seed=0, mode="practice"):
        if (chapter_name, seed, mode) not in built:
            out = tmp_path_factory.mktemp(f"{chapter_name}-seed{seed}-{mode}")
            assignments.assign(CHAPTERS[chapter_name], out, seed, run_tests=False, mode=mode)
            built[chapter_name, seed, mode] = out
        return built[chapter_name, seed, mode]

    return build_once

