"""The Dask backend: a LocalCluster gives the same rows as the serial run."""

import pytest

from exactsparse.sweep import SweepStore, sweep

pytest.importorskip("dask.distributed", reason="the Dask backend is the 'dask' extra")


def _rows(folder):
    s = SweepStore(str(folder))
    try:
        return list(s.rows())
    finally:
        s.close()


@pytest.mark.slow                       # a LocalCluster takes seconds to start
def test_local_cluster_equals_serial(tmp_path):
    a = sweep("tractable", 2, 3, 3, out=tmp_path / "a", workers=1, chunk_size=50)
    b = sweep("tractable", 2, 3, 3, out=tmp_path / "b", workers=2, chunk_size=50,
              scheduler="local")
    assert b.extra["backend"] == "dask" and b.complete and a.by_verdict == b.by_verdict
    assert _rows(tmp_path / "a") == _rows(tmp_path / "b")
