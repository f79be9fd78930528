import pytest

from benarkah.domain.verdicts import Verdict, normalize_verdict, strip_verdict_prefix, verdict_from_title


@pytest.mark.parametrize("label, expected", [
    ("HOAKS", Verdict.FALSE), ("hoax", Verdict.FALSE), ("[HOAX]", Verdict.FALSE), ("SALAH", Verdict.FALSE),
    ("DISINFORMASI", Verdict.FALSE), ("FITNAH", Verdict.FALSE), ("Tidak Benar", Verdict.FALSE),
    ("False", Verdict.FALSE), ("FALSE", Verdict.FALSE), ("keliru", Verdict.FALSE),
    ("MISINFORMASI", Verdict.MISLEADING), ("MENYESATKAN", Verdict.MISLEADING), ("Misleading", Verdict.MISLEADING),
    ("Missing context", Verdict.MISLEADING),
    ("PENIPUAN", Verdict.SCAM), ("BENAR", Verdict.TRUE), ("True", Verdict.TRUE), ("Fakta", Verdict.TRUE),
    ("SEBAGIAN BENAR", Verdict.PARTLY_TRUE), ("Partly false", Verdict.PARTLY_TRUE),
    ("SATIRE", Verdict.SATIRE), ("PARODI", Verdict.SATIRE), ("Belum Terbukti", Verdict.UNPROVEN),
    ("false", Verdict.FALSE), ("partly_true", Verdict.PARTLY_TRUE),
])
def test_labels_map_to_canonical_verdicts(label, expected):
    assert normalize_verdict(label) is expected


@pytest.mark.parametrize("label", [None, "", "   ", "KLARIFIKASI??", "🤔", "x" * 5000, "[]"])
def test_unknown_labels_are_other_and_never_crash(label):
    assert normalize_verdict(label) is Verdict.OTHER


def test_tidak_benar_is_not_read_as_benar():
    assert normalize_verdict("tidak benar") is Verdict.FALSE
    assert normalize_verdict("sebagian benar") is Verdict.PARTLY_TRUE


@pytest.mark.parametrize("title, verdict, label", [
    ("[HOAKS] Vaksin Mengandung Chip", Verdict.FALSE, "HOAKS"),
    ("[SALAH] Video Tsunami Anyer", Verdict.FALSE, "SALAH"),
    ("(PENIPUAN) Lowongan Kerja KAI", Verdict.SCAM, "PENIPUAN"),
    ("Cek Fakta: Tidak Benar BLT Rp600 Ribu Lewat Link", Verdict.FALSE, "Tidak Benar"),
    ("Cek Fakta: Hoaks Foto Banjir Jakarta", Verdict.FALSE, "Hoaks"),
    ("HOAKS: Pesan Berantai Bank BRI", Verdict.FALSE, "HOAKS"),
])
def test_verdict_from_title_prefixes(title, verdict, label):
    assert verdict_from_title(title) == (verdict, label)


@pytest.mark.parametrize("title", [
    "Benarkah Vaksin Mengandung Chip?", "Video Banjir di Kuala Lumpur", "[VIDEO] Banjir Kuala Lumpur", "",
])
def test_titles_without_a_verdict_prefix(title):
    assert verdict_from_title(title) is None


def test_strip_verdict_prefix_keeps_unlabelled_brackets():
    assert strip_verdict_prefix("[HOAKS] Vaksin Chip") == "Vaksin Chip"
    assert strip_verdict_prefix("[VIDEO] Banjir") == "[VIDEO] Banjir"
