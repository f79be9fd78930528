"""Near-duplicate text of pictures: OCR noise still matches, another message does not."""

import numpy as np

from benarkah.media.textprint import MAX_SHINGLES, FingerprintIndex, fingerprint

CLAIM = ("Jenis atau sumber air kemasan bisa terlihat dari warna tutup botol, biru untuk air mineral, "
         "hijau untuk air pegunungan dan putih untuk air hasil penyulingan")


def test_the_same_text_read_twice_with_noise_matches():
    noisy = CLAIM.replace("terlihat", "terIihat").replace("pegunungan", "pegunungan,") + " HOAKS"
    other = "Vaksin covid mengandung chip yang bisa dilacak lewat sinyal 5G, kata dokter di video itu"
    index = FingerprintIndex([fingerprint(other), fingerprint(noisy)])
    found = index.search(fingerprint(CLAIM), min_share=0.5)
    assert [m.position for m in found] == [1] and found[0].share > 0.7


def test_short_or_empty_texts_are_no_evidence():
    index = FingerprintIndex([fingerprint("halo apa kabar"), fingerprint("")])
    assert index.search(fingerprint("halo apa kabar"), min_share=0.1) == []
    assert FingerprintIndex([]).search(fingerprint(CLAIM), 0.5) == []


def test_fingerprints_are_bounded_and_sorted():
    long_text = " ".join(f"kata{i}" for i in range(2000))
    values = fingerprint(long_text)
    assert len(values) == MAX_SHINGLES and np.all(np.diff(values.astype(np.int64)) > 0)
