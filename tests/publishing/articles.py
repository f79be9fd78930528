"""Fact-checks written for these tests: each one exercises something a published page must survive."""

from __future__ import annotations

from benarkah.domain.articles import Article, article_from_record

ROWS = [
    {"id": "cf-vaksin-chip", "url": "https://cekfakta.example.id/2024/02/vaksin-chip",
     "title": "[HOAKS] Vaksin Covid-19 Mengandung Chip Pelacak 5G", "verdict_label": "HOAKS",
     "published": "2024-02-01", "publisher": "Redaksi Cek Fakta Contoh",
     "claim": "Vaksin Covid-19 berisi chip 5G untuk melacak warga.",
     "claimant": "Akun Facebook Kabar Sehat", "claim_date": "2024-01-28",
     "claim_appearances": ["https://facebook.com/kabarsehat/posts/1", "javascript:alert(1)"],
     "summary": "Vaksin tidak berisi chip apa pun; fotonya gambar lama chip hewan peliharaan.",
     "text": "Pesan berantai kembali beredar. " * 20},
    {"id": "lokal/banjir garut ü", "title": "Foto Banjir Garut 2016 Disebar Ulang sebagai Banjir Pekan Ini",
     "verdict": "misleading", "verdict_label": "Konteks Hilang", "published": "2024-03-10",
     "publisher": "Tim Cek Fakta Kota", "claim": "Foto banjir bandang di Garut terjadi pekan ini.",
     "summary": "Foto itu diambil saat banjir bandang Garut September 2016.",
     "text": "Foto yang beredar di grup WhatsApp memperlihatkan arus deras.\n\nPencarian gambar terbalik "
             "menemukan foto yang sama di berita 2016.\n\nKesimpulan: konteksnya keliru."},
    {"id": "xss-1", "url": "https://cekfakta.example.id/2024/04/undian",
     "title": "[PENIPUAN] Undian </script><script>alert('x')</script> Berhadiah Motor <img src=x onerror=alert(1)>",
     "verdict_label": "PENIPUAN", "published": "2024-04-02", "publisher": "Redaksi \"Cek\" & <Fakta>",
     "claim": "Klik tautan <a href='javascript:alert(1)'>ini</a> untuk klaim hadiah & motor.",
     "summary": "Undian palsu <b>meminta</b> data pribadi."},
    {"id": "en-1", "url": "http://factcheck.example.com/claims/sea-levels",
     "title": "Viral map of Jakarta under water in 2025 is fabricated", "verdict_label": "False",
     "published": "2023-11-20", "publisher": "Example Fact Check", "language": "en",
     "claim": "NASA says Jakarta will be under water by 2025.", "summary": "NASA published no such map."},
]


def sample_articles() -> list[Article]:
    return [article_from_record(r) for r in ROWS]


def same_fact_check(got: Article, want: Article) -> dict[str, tuple[object, object]]:
    """The fields a fact-check must keep through export and ingest; {} when all agree."""
    names = ("title", "verdict", "verdict_label", "claim", "published", "publisher", "claimant", "claim_date",
             "language")
    diff = {n: (getattr(got, n), getattr(want, n)) for n in names if getattr(got, n) != getattr(want, n)}
    safe = tuple(u for u in want.claim_appearances if u.startswith("http"))
    if got.claim_appearances != safe:
        diff["claim_appearances"] = (got.claim_appearances, safe)
    return diff
