import pytest

from benarkah.domain.clustering import ClusterIndex, cluster_all, tf_vector
from benarkah.domain.text import Analyzer

ANALYZER = Analyzer()

SAME_RUMOUR = [
    "Vaksin covid mengandung chip 5G untuk melacak warga, sebarkan!",
    "bener gk sih vaksin covid ada chip 5g buat lacak warga??",
    "VAKSIN COVID MENGANDUNG CHIP 5G 😱😱 lacak warga",
]
OTHER_RUMOUR = "Pendaftaran bansos Rp600 ribu lewat link ini, isi data KTP sekarang"


def terms(text: str) -> list[str]:
    return ANALYZER.terms(text)


def test_wordings_of_one_rumour_share_a_cluster_and_another_rumour_does_not():
    labels = cluster_all([terms(t) for t in [*SAME_RUMOUR, OTHER_RUMOUR]])
    assert labels[0] == labels[1] == labels[2]
    assert labels[3] != labels[0]


def test_assignment_reports_similarity_and_threshold_decides():
    strict, loose = ClusterIndex(threshold=0.99), ClusterIndex(threshold=0.2)
    for index in (strict, loose):
        index.add(1, terms(SAME_RUMOUR[0]))
    assert strict.assign(terms(SAME_RUMOUR[1])).cluster_id is None
    choice = loose.assign(terms(SAME_RUMOUR[1]))
    assert choice.cluster_id == 1 and 0.2 <= choice.similarity < 1.0


def test_profile_is_capped_and_counts_tips():
    index = ClusterIndex(max_terms=5)
    index.add(7, terms(SAME_RUMOUR[0]))
    profile = index.add(7, terms(OTHER_RUMOUR))
    assert profile.size == 2 and len(profile.weights) == 5


def test_replacing_a_profile_updates_postings():
    index = ClusterIndex(threshold=0.3)
    index.add(1, terms(SAME_RUMOUR[0]))
    index.put(index.profile(1).__class__(1, {"bansos": 1.0}, 1))
    assert index.assign(terms(SAME_RUMOUR[1])).cluster_id is None
    index.remove(1)
    assert len(index) == 0 and index.similarities(["bansos"]) == {}


def test_empty_tip_starts_its_own_cluster():
    assert cluster_all([[], [], terms(OTHER_RUMOUR)]) == [1, 2, 3]


def test_tf_vector_is_unit_length_and_threshold_is_checked():
    vector = tf_vector(["a", "a", "b"])
    assert sum(w * w for w in vector.values()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="threshold"):
        ClusterIndex(threshold=0)


# tips with few or no analysed words ----------------------------------------------------------------

from benarkah.domain.clustering import LINK_PREFIX, tip_terms  # noqa: E402


def tipped(text: str) -> list[str]:
    return tip_terms(text, ANALYZER.terms(text))


def test_identical_and_near_identical_chat_tips_share_a_cluster():
    texts = ["terima kasih min", "Terima kasih, MIN!!", "terima kasihhh min 🙏", "terima kasih ya min",
             "🙏🙏", "🙏", OTHER_RUMOUR]
    labels = cluster_all(tipped(t) for t in texts)
    assert labels[0] == labels[1] == labels[2] == labels[3]
    assert labels[4] == labels[5] != labels[0]
    assert labels[6] not in (labels[0], labels[4])


def test_one_page_however_linked_is_one_cluster_and_other_pages_are_not():
    texts = [
        "https://www.contoh.id/berita/vaksin-chip?utm_source=whatsapp",
        "contoh.id/berita/vaksin-chip",
        "min ini hoaks bukan? https://m.contoh.id/berita/vaksin-chip/amp",
        "https://contoh.id/berita/lain",
        # a long forward is judged by its words: it may cite a page that is not what it is about
        "Beredar pesan panjang soal pendaftaran bantuan pemerintah, isi data diri dan nomor rekening di "
        "formulir berikut sebelum ditutup besok pagi: https://m.contoh.id/berita/vaksin-chip/amp",
    ]
    labels = cluster_all(tipped(t) for t in texts)
    assert labels[0] == labels[1] == labels[2]
    assert labels[3] != labels[0] and labels[4] != labels[0]
    assert f"{LINK_PREFIX}https://contoh.id/berita/vaksin-chip" in tipped(texts[1])


def test_a_home_page_link_is_no_evidence_of_the_same_rumour():
    labels = cluster_all(tipped(t) for t in [f"{SAME_RUMOUR[0]} https://contoh.id/", f"{OTHER_RUMOUR} https://contoh.id"])
    assert labels[0] != labels[1]


def test_a_long_clusters_links_survive_the_profile_cap():
    index = ClusterIndex(max_terms=5)
    profile = index.add(1, tipped(f"{SAME_RUMOUR[0]} {OTHER_RUMOUR} https://contoh.id/x/1"))
    assert f"{LINK_PREFIX}https://contoh.id/x/1" in profile.weights and len(profile.weights) == 5
    assert index.assign(tipped("https://www.contoh.id/x/1/")).cluster_id == 1
