"""Filesystem isolation: small tests do no file I/O of their own; medium and large tests may.

One generated module runs every route three times (small, medium, large), each in its own
directory that a session fixture prepares (shared fixtures are charged to no test, so it may
write). The outer test asserts each one's outcome and the operation its violation names.
"""

from __future__ import annotations

import re

from conftest import assert_routes, outcome_of

ROUTES = """
import _io
import glob
import io
import logging
import os
import pathlib
import shutil
import tempfile
from io import open as IO_OPEN

import pytest

SIZES = [pytest.param(s, marks=getattr(pytest.mark, s), id=s) for s in ("small", "medium", "large")]
OPEN = open


def path_read_text(d):
    assert (d / "data.txt").read_text() == "data"


def path_read_bytes(d):
    assert (d / "data.txt").read_bytes() == b"data"


def path_write_text(d):
    (d / "new.txt").write_text("x")


def path_write_bytes(d):
    (d / "new.bin").write_bytes(b"x")


def path_open(d):
    with (d / "data.txt").open() as f:
        f.read()


def path_touch_new(d):
    (d / "touched").touch()


def path_unlink(d):
    (d / "data.txt").unlink()


def path_mkdir(d):
    (d / "made").mkdir()


def path_rmdir(d):
    (d / "sub").rmdir()


def path_iterdir(d):
    assert list(d.iterdir())


def path_glob(d):
    assert list(d.glob("*.txt"))


def path_rename(d):
    (d / "data.txt").rename(d / "renamed.txt")


def builtin_open_read(d):
    with open(d / "data.txt") as f:
        f.read()


def builtin_open_write(d):
    with open(d / "new.txt", "w") as f:
        f.write("x")


def open_bound_at_import(d):
    with OPEN(d / "data.txt") as f:
        f.read()


def io_open(d):
    with io.open(d / "data.txt") as f:
        f.read()


def io_open_bound_at_import(d):
    with IO_OPEN(d / "data.txt") as f:
        f.read()


def os_open(d):
    os.close(os.open(d / "data.txt", os.O_RDONLY))


def c_fileio(d):
    _io.FileIO(d / "data.txt").close()


def os_remove(d):
    os.remove(d / "data.txt")


def os_rename(d):
    os.rename(d / "data.txt", d / "renamed.txt")


def os_replace(d):
    os.replace(d / "data.txt", d / "renamed.txt")


def os_truncate(d):
    os.truncate(d / "data.txt", 1)


def os_link(d):
    os.link(d / "data.txt", d / "hard")


def os_symlink(d):
    os.symlink(d / "data.txt", d / "soft")


def os_mkdir(d):
    os.mkdir(d / "made")


def os_makedirs(d):
    os.makedirs(d / "a" / "b")


def os_rmdir(d):
    os.rmdir(d / "sub")


def os_listdir(d):
    assert os.listdir(d)


def os_scandir(d):
    with os.scandir(d) as entries:
        assert list(entries)


def os_walk(d):
    assert list(os.walk(d))


def os_chdir(d):
    here = os.getcwd()
    os.chdir(d)
    os.chdir(here)


def os_chmod(d):
    os.chmod(d / "data.txt", 0o600)


def os_utime(d):
    os.utime(d / "data.txt")


def os_mkfifo(d):
    os.mkfifo(d / "fifo")


def shutil_copy(d):
    shutil.copy(d / "data.txt", d / "copy.txt")


def shutil_copytree(d):
    shutil.copytree(d / "sub", d / "sub2")


def shutil_rmtree(d):
    shutil.rmtree(d / "sub")


def shutil_move(d):
    shutil.move(d / "data.txt", d / "moved.txt")


def glob_glob(d):
    assert glob.glob(str(d / "*.txt"))


def tempfile_temporaryfile(d):
    with tempfile.TemporaryFile(dir=d) as f:
        f.write(b"x")


def tempfile_named(d):
    with tempfile.NamedTemporaryFile(dir=d) as f:
        f.write(b"x")


def tempfile_mkstemp(d):
    fd, _ = tempfile.mkstemp(dir=d)
    os.close(fd)


def tempfile_mkdtemp(d):
    tempfile.mkdtemp(dir=d)


def tempfile_directory(d):
    with tempfile.TemporaryDirectory(dir=d):
        pass


def logging_file_handler(d):
    handler = logging.FileHandler(d / "log.txt")
    handler.close()


ROUTES = {f.__name__: f for f in list(globals().values())
          if getattr(f, "__code__", None) and f.__code__.co_varnames[:1] == ("d",)}


@pytest.fixture(scope="session")
def area(tmp_path_factory):
    base = tmp_path_factory.mktemp("area")
    for route in ROUTES:
        for size in ("small", "medium", "large"):
            place = base / f"{route}-{size}"
            (place / "sub").mkdir(parents=True)
            (place / "data.txt").write_text("data")
    return base


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route(route, size, area):
    ROUTES[route](area / f"{route}-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_tmp_path_fixture(size, tmp_path):
    assert tmp_path.is_dir()


@pytest.mark.small
def test_small_may_read_metadata_and_use_descriptors(area):
    place = area / "os_remove-small"
    assert place.exists() and place.is_dir() and (place / "data.txt").is_file()
    assert os.stat(place / "data.txt").st_size == 4
    assert os.path.getsize(place / "data.txt") == 4
    r, w = os.pipe()
    with os.fdopen(r, "rb") as reader, os.fdopen(w, "wb") as writer:
        writer.write(b"x")
        writer.flush()
        assert reader.read(1) == b"x"
    with io.StringIO() as buffer, io.BytesIO(b"data") as data:
        buffer.write(data.read().decode())
    with tempfile.SpooledTemporaryFile(max_size=1024) as spooled:
        spooled.write(b"in memory until it is big")
"""

#: For each route, the operation (and start of the target) a small test is stopped at.
SMALL_STOPS = {
    "builtin_open_read": "open {d}/data.txt",
    "builtin_open_write": "open {d}/new.txt",
    "c_fileio": "open {d}/data.txt",
    "glob_glob": "os.scandir {d}",
    "io_open": "open {d}/data.txt",
    "io_open_bound_at_import": "open {d}/data.txt",
    "logging_file_handler": "open {d}/log.txt",
    "open_bound_at_import": "open {d}/data.txt",
    "os_chdir": "os.chdir {d}",
    "os_chmod": "os.chmod {d}/data.txt",
    "os_link": "os.link {d}/data.txt -> {d}/hard",
    "os_listdir": "os.listdir {d}",
    "os_makedirs": "os.mkdir {d}/a",
    "os_mkdir": "os.mkdir {d}/made",
    "os_mkfifo": "os.mkfifo {d}/fifo",
    "os_open": "open {d}/data.txt",
    "os_remove": "os.remove {d}/data.txt",
    "os_rename": "os.rename {d}/data.txt -> {d}/renamed.txt",
    "os_replace": "os.rename {d}/data.txt -> {d}/renamed.txt",
    "os_rmdir": "os.rmdir {d}/sub",
    "os_scandir": "os.scandir {d}",
    "os_symlink": "os.symlink {d}/data.txt -> {d}/soft",
    "os_truncate": "os.truncate {d}/data.txt",
    "os_utime": "os.utime {d}/data.txt",
    "os_walk": "os.scandir {d}",
    "path_glob": "os.scandir {d}",
    "path_iterdir": "os.{listdir_or_scandir} {d}",
    "path_mkdir": "os.mkdir {d}/made",
    "path_open": "open {d}/data.txt",
    "path_read_bytes": "open {d}/data.txt",
    "path_read_text": "open {d}/data.txt",
    "path_rename": "os.rename {d}/data.txt -> {d}/renamed.txt",
    "path_rmdir": "os.rmdir {d}/sub",
    "path_touch_new": "os.utime {d}/touched",
    "path_unlink": "os.remove {d}/data.txt",
    "path_write_bytes": "open {d}/new.bin",
    "path_write_text": "open {d}/new.txt",
    "shutil_copy": "shutil.copyfile {d}/data.txt -> {d}/copy.txt",
    "shutil_copytree": "shutil.copytree {d}/sub -> {d}/sub2",
    "shutil_move": "shutil.move {d}/data.txt -> {d}/moved.txt",
    "shutil_rmtree": "shutil.rmtree {d}/sub",
    "tempfile_directory": "os.mkdir {d}/",
    "tempfile_mkdtemp": "os.mkdir {d}/",
    "tempfile_mkstemp": "open {d}/",
    "tempfile_named": "open {d}",
    "tempfile_temporaryfile": "open {d}",
}


def test_every_route_is_stopped_in_small_and_works_in_medium_and_large(run) -> None:
    result = run(ROUTES, "-v")
    text = result.stdout.str()
    area = re.search(r"(/\S+/area\d*)/\w+-small", text)
    assert area, text
    listing = "listdir" if "os.listdir " + area.group(1) + "/path_iterdir" in text else "scandir"
    used = {
        route: "the filesystem: "
        + what.format(d=f"{area.group(1)}/{route}-small", listdir_or_scandir=listing)
        for route, what in SMALL_STOPS.items()
    }
    output = assert_routes(result, "TC102", used)

    # tmp_path makes a directory: a small test that asks for it errors in setup
    assert outcome_of(result, "test_tmp_path_fixture[small]") == "ERROR"
    assert "[TC102] test_subject.py::test_tmp_path_fixture[small] (small test)" in output
    assert outcome_of(result, "test_tmp_path_fixture[medium]") == "PASSED"
    assert outcome_of(result, "test_tmp_path_fixture[large]") == "PASSED"

    assert outcome_of(result, "test_small_may_read_metadata_and_use_descriptors") == "PASSED"
    for code in ("TC101", "TC103", "TC104", "TC105", "TC106"):
        assert f"[{code}]" not in output


def test_warn_mode_lets_it_happen_and_reports_each_distinct_operation_once(run) -> None:
    result = run(
        """
        import pytest

        @pytest.fixture(scope="module")
        def place(tmp_path_factory):
            place = tmp_path_factory.mktemp("place")
            (place / "b.txt").write_text("b")
            return place

        @pytest.mark.small
        def test_writes_one_file_three_times_and_reads_another(place):
            for _ in range(3):
                (place / "a.txt").write_text("a")
            assert (place / "b.txt").read_text() == "b"
        """,
        "-W",
        "always",
        enforcement="warn",
    )
    result.assert_outcomes(passed=1, warnings=2)
    output = result.stdout.str()
    assert output.count("used the filesystem: open ") == 2
    assert "/a.txt. A small test allows" in output
    assert "/b.txt. A small test allows" in output
