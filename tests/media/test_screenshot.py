"""Screenshot cleaning: the phone's chrome goes, the claim stays (lines as OCR returns them)."""

from benarkah.media.ocr import OcrLine, OcrResult
from benarkah.media.screenshot import clean_lines, clean_screenshot, is_chrome_only


def result(lines: list[str], height: int = 1000, row: int = 30) -> OcrResult:
    return OcrResult(tuple(OcrLine(t, 0.9, (10, 10 + i * row, 900, 10 + i * row + 20)) for i, t in enumerate(lines)),
                     1000, height)


def test_a_whatsapp_forward_keeps_only_the_message():
    shot = result(["12:58 78%", "Info Warga Bekasi", "online", "» Diteruskan",
                   "Jenis atau Sumber Air Kemasan Bisa Terlihat dari Warna Tutup", "Botol", "07.47"])
    cleaned = clean_lines(shot)
    assert cleaned.text == "Jenis atau Sumber Air Kemasan Bisa Terlihat dari Warna Tutup Botol"
    assert "Info Warga Bekasi" in cleaned.dropped and "online" in cleaned.dropped


def test_a_facebook_post_loses_author_age_counts_and_buttons_and_see_more():
    shot = result(["22:13 86%", "facebook", "Info Warga Bekasi", "14 jam · Publik",
                   "MAHASISWA UGM MENUNTUT: ADILI JOKOWI", "mahasiswa UGM: 1. Menuntut... Baca selengkapnya",
                   "Suka: 9,6 rb 751 komentar 92 kali dibagikan", "Suka Komentari Bagikan"])
    assert clean_lines(shot).text == "MAHASISWA UGM MENUNTUT: ADILI JOKOWI mahasiswa UGM: 1. Menuntut"


def test_an_x_post_loses_name_handle_time_and_counts():
    shot = result(["17:29 15%", "Rina Marlina", "@rina_marlina",
                   "Sampai sekarang belum ada yang bisa tangkap gambar burung dengan pas",
                   "2:24 PM · 25 Jan 2024 · 348 rb Tayangan", "43 Repost 188 Kutipan 6,9 rb Suka"])
    assert clean_lines(shot).text == "Sampai sekarang belum ada yang bisa tangkap gambar burung dengan pas"


def test_claims_that_mention_chrome_words_are_kept():
    lines = ["Bagikan pesan ini ke 10 grup agar dapat kuota gratis", "Facebook akan berbayar mulai besok",
             "Akun WhatsApp yang terus", "Suka duka warga Bekasi", "Pemerintah melacak warga yang", "online",
             "lewat aplikasi baru"]
    shot = result(lines, height=1400, row=200)  # below the header after the first line
    kept = clean_lines(shot).text
    for claim in lines:
        assert claim in kept
    # the lone "online" is in the middle of the text, not a chat header: it and the line above stay


def test_chrome_only_lines():
    assert is_chrome_only("43 Repost 188 Kutipan 6,9 rb Suka")
    assert is_chrome_only("2:24 PM · 25 Jan 2024 · 348 rb Tayangan")
    assert is_chrome_only("Suka Komentari Bagikan")
    assert not is_chrome_only("Vaksin mengandung chip 5G")
    assert not is_chrome_only("Bagikan ke 10 grup")


def test_frames_of_a_video_are_joined_without_repeats():
    first = result(["Air laut akan surut pekan depan", "warga diminta mengungsi"])
    second = result(["Air laut akan surut pekan depan", "ke dataran tinggi"])
    text = clean_screenshot([first, second]).text
    assert text.count("Air laut akan surut") == 1 and "dataran tinggi" in text


def test_line_end_hyphens_are_rejoined():
    assert clean_lines(result(["Pemerintah mem-", "bagikan bansos"], height=100, row=40)).text == \
        "Pemerintah membagikan bansos"
