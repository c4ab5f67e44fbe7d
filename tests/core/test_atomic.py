from __future__ import annotations

import os
import stat

import pytest

from desktop.core.atomic import atomic_write


def test_new_file_has_ordinary_permissions_and_whole_content(tmp_path):
    target = tmp_path / "out.csv"
    with atomic_write(target, "w", encoding="utf-8") as fh:
        fh.write("a,b\n")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert target.read_text("utf-8") == "a,b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old", "utf-8")
    with pytest.raises(RuntimeError), atomic_write(target, "w", encoding="utf-8") as fh:
        fh.write("half")
        raise RuntimeError("disk said no")
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
