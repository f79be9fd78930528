from datetime import date

import pytest

from benarkah.domain.dates import parse_date, published_and_updated


@pytest.mark.parametrize("text, expected", [
    ("Rabu (8/12/2021)", date(2021, 12, 8)),
    ("seperti dilansir dari laman Al Jazeera, Rabu (8/12/2021).", date(2021, 12, 8)),
    ("23 Jun 2021, 12:34 WIB", date(2021, 6, 23)),
    ("Kamis, 09 Des 2021 10:05 WIB", date(2021, 12, 9)),
    ("Diperbarui 10 Desember 2021, 07:00 WIB", date(2021, 12, 10)),
    ("Jumat (3/9/21)", date(2021, 9, 3)),
    ("2021-12-08T10:00:00+07:00", date(2021, 12, 8)),
    ("8 Agustus 2023", date(2023, 8, 8)),
    ("Sept 5, 2022", date(2022, 9, 5)),
    ("31/02/2021", None),
    ("kemarin sore", None),
    ("", None),
])
def test_parse_date_indonesian_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Diterbitkan 08 Des 2021, 10:00 WIB | Diperbarui 09 Des 2021, 11:00 WIB",
     (date(2021, 12, 8), date(2021, 12, 9))),
    ("Diperbarui 09 Des 2021, 11:00 WIB — Diterbitkan 08 Des 2021", (date(2021, 12, 8), date(2021, 12, 9))),
    ("Rabu, 8 Desember 2021 10:00 WIB (diperbarui 12 Desember 2021)", (date(2021, 12, 8), date(2021, 12, 12))),
    ("Diperbarui 09 Des 2021", (date(2021, 12, 9), date(2021, 12, 9))),
    ("23 Jun 2021, 12:34 WIB", (date(2021, 6, 23), None)),
    ("", (None, None)),
])
def test_published_is_told_from_updated(text, expected):
    assert published_and_updated(text) == expected
