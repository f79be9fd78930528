"""People's media kept with tips behind the storage seam, on both backends: files beside a SQLite
database, the database itself on PostgreSQL. Kept for the retention days, then deleted with its
bytes; erased by ``forget``; files a crash left without a row are removed."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from benarkah.domain.pictures import MediaType
from benarkah.media.kept import DAY, ORPHAN_GRACE_SECONDS, KeptMedia
from benarkah.media.vault import media_folder

VOICE = b"OggS\x00\x02" + bytes(58) + b"OpusHead" + bytes(300)


def keep(services, who: str, data: bytes = VOICE) -> tuple[int, int]:
    person = services.identity.hash("whatsapp", who)
    tip = services.tips.record("whatsapp", person, who, "[audio]", text_clusters=False)
    kept = KeptMedia(MediaType.AUDIO, data, "audio/ogg", hashlib.sha256(data).hexdigest())
    return tip, services.media.keep(kept, "whatsapp", person, tip)


def files_of(services) -> list[Path]:
    folder = media_folder(services.settings, services.store)
    return [p for p in folder.rglob("*") if p.is_file()] if folder and folder.exists() else []


def test_media_past_its_retention_is_deleted_with_its_bytes(any_services):
    services = any_services
    tip, media_id = keep(services, "6281200000001")
    item = services.media.get(media_id)
    assert item is not None and services.media.data(item) == VOICE
    assert item.storage == ("files" if services.store.backend == "sqlite" else "database")
    assert services.media.sweep().expired == 0  # young: kept
    report = services.media.sweep(now=time.time() + services.settings.media_retention_days * DAY + 60)
    assert report.expired == 1 and services.media.get(media_id) is None and services.media.data(item) is None
    assert files_of(services) == []
    assert [t.id for t in services.tips.repo.list_tips()] == [tip]  # the tip's text stays for the desk


def test_forget_erases_a_persons_media_and_leaves_everyone_elses(any_services):
    services = any_services
    _, mine = keep(services, "6281200000002", VOICE + b"mine")
    _, theirs = keep(services, "6281200000003", VOICE + b"theirs")
    report = services.forget("whatsapp", "6281200000002")
    assert services.media.get(mine) is None and services.media.get(theirs) is not None
    if services.store.backend == "sqlite":
        assert report.media_files == 1 and len(files_of(services)) == 1
    assert "media files deleted" in report.summary()


def test_a_file_no_row_names_is_removed_by_the_sweep(services):
    _, media_id = keep(services, "6281200000004")
    item = services.media.get(media_id)
    services.media.writer.put(None, "0" * 32, b"left by a crash", "x")  # type: ignore[arg-type]
    assert len(files_of(services)) == 2
    assert services.media.sweep().orphans == 0  # too young: may belong to a transaction still open
    assert services.media.sweep(now=time.time() + ORPHAN_GRACE_SECONDS + 60).orphans == 1
    assert services.media.data(item) == VOICE and len(files_of(services)) == 1


def test_the_same_photo_from_two_people_joins_one_cluster_and_another_photo_does_not(demo_services):
    from tests.media.make import encode, noise_picture

    photo = noise_picture(5, (480, 360))
    again = encode(photo.resize((400, 300)), quality=60)  # re-shared: smaller, re-compressed
    other = encode(noise_picture(9, (480, 360)))
    tipline = demo_services.tipline
    first = tipline.handle_media("api", "orang-a", MediaType.IMAGE, encode(photo))
    second = tipline.handle_media("api", "orang-b", MediaType.IMAGE, again)
    third = tipline.handle_media("api", "orang-c", MediaType.IMAGE, other)
    assert None not in (first.tip_id, second.tip_id, third.tip_id)
    clusters = {t.id: t.cluster_id for t in demo_services.tips.repo.list_tips()}
    assert clusters[first.tip_id] == clusters[second.tip_id] != clusters[third.tip_id]
    assert demo_services.media.count() == 3
