"""The multi-index hash index gives exactly the brute-force answer, nearest first."""

import numpy as np
import pytest

from benarkah.media.hashindex import HashIndex, brute_force
from benarkah.media.pdq import hamming


def flip(row: np.ndarray, bits: np.ndarray) -> bytes:
    out = row.copy()
    for bit in bits:
        out[bit // 8] ^= 1 << (7 - bit % 8)
    return out.tobytes()


@pytest.mark.parametrize("radius", [0, 10, 15, 16, 31, 40, 47, 60])
def test_same_answers_as_a_full_scan(radius):
    rng = np.random.default_rng(radius)
    rows = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    near = [flip(rows[7], rng.choice(256, k, replace=False)) for k in (0, 5, 20, 31, 32, 45)]
    rows = np.vstack([rows] + [np.frombuffer(n, np.uint8)[None, :] for n in near])
    index = HashIndex(rows)
    for query in [rows[7].tobytes(), flip(rows[100], rng.choice(256, 12, replace=False)), *near]:
        found = index.search(query, radius)
        assert found == brute_force(rows, query, radius)
        assert [n.distance for n in found] == sorted(n.distance for n in found)
        assert all(n.distance == hamming(rows[n.position].tobytes(), query) <= radius for n in found)


def test_empty_index_and_bad_shapes():
    assert HashIndex([]).search(bytes(32), 31) == []
    with pytest.raises(ValueError):
        HashIndex(np.zeros((3, 16), np.uint8))


def test_structured_hashes_with_shared_chunks():
    """Real hashes are not uniform: many share chunk values. The index must still be exact."""
    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, 32, dtype=np.uint8)
    rows = np.array([flip(base, rng.choice(256, int(rng.integers(0, 60)), replace=False)) for _ in range(500)])
    rows = np.frombuffer(b"".join(rows), np.uint8).reshape(-1, 32)
    index = HashIndex(rows)
    for radius in (8, 31, 47):
        assert index.search(base.tobytes(), radius) == brute_force(rows, base.tobytes(), radius)
