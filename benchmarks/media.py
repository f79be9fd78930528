"""Pictures as claims: OCR engines, screenshot matching, article-picture matching, hash index speed.

    python benchmarks/media.py                 # everything; ~25 min on 2 cores (RapidOCR on a sample)
    python benchmarks/media.py --rapidocr-sample 400   # RapidOCR on every screenshot too (slow)

Reads ../shared/bench/screenshots-dev (400 rendered hoax screenshots with their exact text, and the
same pictures as the fact-check articles show them) and searches both turnbackhoax corpora (4,636
articles) with benarkah's real hybrid search. Each OCR engine runs in a child process of its own, so
its peak memory is its own. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import multiprocessing
import os
import random
import re
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from _common import SHARED, cached_query_vectors, machine, percentile, read_jsonl, require_shared, table

SCREENS = SHARED / "bench/screenshots-dev"
STYLES = ("wa", "fb", "x")


# OCR passes, each in its own process ---------------------------------------------------------------

def _transform(image, name: str):  # type: ignore[no-untyped-def]
    """Harder pictures than the rendered ones: what people really send."""
    from PIL import Image, ImageFilter, ImageOps

    if name == "dark":  # dark mode: light text on a dark background
        return ImageOps.invert(image.convert("RGB"))
    if name == "photo":  # a phone photo of a screen: slight rotation, blur, uneven light, noise
        rng = np.random.default_rng(abs(hash(image.size)) % 2**32)
        rotated = image.convert("RGB").rotate(2.5, resample=Image.Resampling.BICUBIC, expand=True,
                                              fillcolor=(40, 40, 40))
        blurred = rotated.filter(ImageFilter.GaussianBlur(1.2))
        pixels = np.asarray(blurred, dtype=np.float32)
        ramp = np.linspace(0.75, 1.0, pixels.shape[1], dtype=np.float32)[None, :, None]
        noisy = pixels * ramp + rng.normal(0, 8, pixels.shape)
        return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    if name == "crop":  # cropped: the top third (status bar, name, start of the text) cut away
        w, h = image.size
        return image.crop((0, h // 3, w, h))
    if name == "small":  # re-forwarded many times: half the size, heavy JPEG
        w, h = image.size
        return image.convert("RGB").resize((w // 2, h // 2))
    return image


def _video(image, seconds: int = 20, fps: int = 2) -> bytes:  # type: ignore[no-untyped-def]
    """A phone-sized video (720x1280, MPEG-4) that shows the screenshot for ``seconds``."""
    import av
    from PIL import Image

    canvas = Image.new("RGB", (720, 1280), (236, 229, 221))
    shot = image.convert("RGB")
    shot.thumbnail((720, 1280))
    canvas.paste(shot, (0, (1280 - shot.height) // 2))
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 720, 1280, "yuv420p"
        stream.codec_context.gop_size = fps * 2
        for _ in range(seconds * fps):
            for packet in stream.encode(av.VideoFrame.from_image(canvas)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def _encode(image) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=55)
    return out.getvalue()


def ocr_pass(engine: str, paths: list[str], transform: str = "") -> dict:
    """Read every picture with ``engine``: texts, hashes, ms per picture, this process's peak RSS."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from PIL import Image

    from benarkah.media.ocr import RapidOcrEngine, TesseractEngine, find_tessdata
    from benarkah.media.reader import MediaReader

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ocr = TesseractEngine(find_tessdata()) if engine == "tesseract" else RapidOcrEngine()
    reader = MediaReader(ocr=ocr)
    rows = []
    for path in paths:
        data = Path(path).read_bytes()
        if transform == "video":
            data = _video(Image.open(io.BytesIO(data)))
        elif transform:
            data = _encode(_transform(Image.open(io.BytesIO(data)), transform))
        started, cpu = time.perf_counter(), time.process_time()
        read = reader.read(data)
        ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000  # all of this process's threads: load-independent-ish
        rows.append({"raw": read.raw_text, "text": read.read_text, "ms": ms, "cpu_ms": cpu_ms,
                     "hashes": [h.hex for h in read.hashes], "quality": [h.quality for h in read.hashes],
                     "dropped": list(read.dropped)})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "peak_mb": peak, "start_mb": rss_before, "name": ocr.name}


def run_child(engine: str, paths: list[str], transform: str = "") -> dict:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(ocr_pass, (engine, paths, transform))


# text recovered ------------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip()


def char_overlap(reference: str, read: str) -> tuple[float, float]:
    """(recall, precision) of characters: the share of the reference found in order in what was read,
    and the share of what was read that belongs to the reference (the rest is chrome or noise)."""
    a, b = _norm(reference), _norm(read)
    if not a or not b:
        return (0.0, 0.0)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    same = sum(m.size for m in matcher.get_matching_blocks())
    return same / len(a), same / len(b)


# search --------------------------------------------------------------------------------------------

def open_archive():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from matching import open_archive as matching_archive

    services, _, _ = matching_archive()
    return services


class Searcher:
    """benarkah's hybrid search with the query embeddings computed in batches and cached on disk
    (``cached_query_vectors``): the same ranking as ``Tipline.search``, without paying for one
    embedding call per query on every re-run."""

    def __init__(self, services) -> None:  # type: ignore[no-untyped-def]
        self.engine = services.index.engine()
        self.embedder = services.index.embedder
        self.cosines: dict[str, np.ndarray] = {}

    def prepare(self, texts: list[str], label: str) -> None:
        todo = sorted({t for t in texts if t.strip() and t not in self.cosines})
        if todo:
            vectors = cached_query_vectors(self.embedder, todo, label)
            for text, cos in zip(todo, vectors @ self.engine.vectors.T):
                self.cosines[text] = cos

    def __call__(self, text: str, limit: int):  # type: ignore[no-untyped-def]
        if text not in self.cosines:
            self.prepare([text], "single")
        return self.engine.search(text, limit=limit, cosines=self.cosines[text])


def recall_at(search: Searcher, texts: list[str], targets: list[str], label: str, k: int = 3) -> list[bool]:
    search.prepare(texts, label)
    out = []
    for text, target in zip(texts, targets):
        hits = search(text, 10).hits if text.strip() else []
        out.append(target in [h.article.id for h in hits[:k]])
    return out


def share(values: list[bool]) -> float:
    return round(sum(values) / len(values), 4) if values else float("nan")


# picture matching ----------------------------------------------------------------------------------

def article_images(reads: dict, ids: list[str]):  # type: ignore[no-untyped-def]
    from benarkah.media.archive import ArticleImage
    from benarkah.media.pdq import PdqHash
    from benarkah.media.textprint import fingerprint

    images = []
    for n, article_id in enumerate(ids):
        row = reads["rows"][n]
        pdq = PdqHash.from_hex(row["hashes"][0], row["quality"][0]) if row["hashes"] else None
        images.append(ArticleImage(id=n, article_id=article_id, source="", sha256="", mime="image/jpeg",
                                   width=0, height=0, pdq=pdq, ocr_text=row["text"],
                                   text_print=fingerprint(row["text"])))
    return images


def read_media(row: dict):  # type: ignore[no-untyped-def]
    from benarkah.media.kinds import MediaKind
    from benarkah.media.pdq import PdqHash
    from benarkah.media.reader import ReadMedia

    return ReadMedia(MediaKind.IMAGE, "image/jpeg", "", read_text=row["text"], raw_text=row["raw"],
                     hashes=tuple(PdqHash.from_hex(h, q) for h, q in zip(row["hashes"], row["quality"])))


def pair_tables(queries: list[dict], q_reads: dict, images) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from benarkah.media.pdq import hamming
    from benarkah.media.textprint import MIN_SHARED, fingerprint

    same_d, other_d, same_s, other_s = [], [], [], []
    close_pairs = []  # (share, qid, other article id) of non-matching pairs sharing >= 0.5
    rendered = {q["article_id"]: q["text"] for q in queries}
    prints = [set(i.text_print.tolist()) for i in images]
    for q, row in zip(queries, q_reads["rows"]):
        qh = bytes.fromhex(row["hashes"][0]) if row["hashes"] else None
        qp = set(fingerprint(row["text"]).tolist())
        for image, p in zip(images, prints):
            d = hamming(qh, image.pdq.bits) if qh is not None and image.pdq is not None else 256
            shared = len(qp & p)
            s = shared / max(min(len(qp), len(p)), 1) if shared >= MIN_SHARED else 0.0
            (same_d if image.article_id == q["article_id"] else other_d).append(d)
            (same_s if image.article_id == q["article_id"] else other_s).append(s)
            if image.article_id != q["article_id"] and s >= 0.5:
                close_pairs.append((s, q["qid"], image.article_id))
    same_d, other_d, same_s, other_s = map(np.asarray, (same_d, other_d, same_s, other_s))
    rows = []
    for t in (8, 16, 24, 31, 40, 48, 56, 64):
        rows.append((t, share(list(same_d <= t)), int((other_d <= t).sum()), f"{(other_d <= t).mean():.2e}"))
    pdq = table(["PDQ distance <=", "own article picture found", "false matches", "false-match rate"], rows)
    pdq += (f"\n\nPDQ distance to its own article picture: p50 {np.median(same_d):.0f}, p90 "
            f"{np.percentile(same_d, 90):.0f}, max {same_d.max()}; to any other: min {other_d.min()}, "
            f"p1 {np.percentile(other_d, 1):.0f} ({len(other_d):,} non-matching pairs).")
    rows = []
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        rows.append((t, share(list(same_s >= t)), int((other_s >= t).sum()), f"{(other_s >= t).mean():.2e}"))
    text = table(["text 3-gram share >=", "own article picture found", "false matches", "false-match rate"], rows)
    text += (f"\n\nShare with its own article picture: p10 {np.percentile(same_s, 10):.2f}, p50 "
             f"{np.median(same_s):.2f}; with any other: max {other_s.max():.2f}.")
    if close_pairs:
        rows = []
        for s_, qid, other in sorted(close_pairs, reverse=True):
            q = next(x for x in queries if x["qid"] == qid)
            same_rumour = difflib.SequenceMatcher(None, _norm(q["text"]), _norm(rendered[other]),
                                                  autojunk=False).ratio()
            rows.append((qid, q["article_id"], other, round(s_, 2), round(same_rumour, 2)))
        text += ("\n\nNon-matching pairs sharing 0.5 or more: how alike the two rendered texts are "
                 "(1.0 = the same message, which two fact-checks debunked):\n\n" +
                 table(["screenshot", "its article", "other article", "share", "rendered texts alike"], rows))
    return pdq, text


def picture_recall(search_text, services, queries, q_reads, images, distance: int, text_share: float) -> dict:  # type: ignore[no-untyped-def]
    from benarkah.media.matching import MatchThresholds, PictureIndex
    from benarkah.media.search import PictureSearch

    class Fixed:  # the live index, pinned to these pictures
        def __init__(self, index: PictureIndex) -> None:
            self.index = index

        def current(self) -> PictureIndex:
            return self.index

    search = PictureSearch(reader=None, index=Fixed(PictureIndex(images)),  # type: ignore[arg-type]
                           search=search_text,
                           get_article=services.store.get_article,
                           thresholds=MatchThresholds(distance, text_share))
    by_style: dict[str, list[bool]] = defaultdict(list)
    matched_wrong = 0
    for q, row in zip(queries, q_reads["rows"]):
        result = search.search_read(read_media(row), limit=3)
        ids = [h.article.id for h in result.result.hits]
        by_style[q["style"]].append(q["article_id"] in ids)
        by_style["all"].append(q["article_id"] in ids)
        matched_wrong += sum(m.article_id != q["article_id"] for m in result.matches)
    return {"recall": {k: share(v) for k, v in by_style.items()}, "wrong_matches": matched_wrong}


# hash index at scale -------------------------------------------------------------------------------

def index_speed(real_hashes: list[bytes], n: int = 1_000_000) -> str:
    from benarkah.media.hashindex import HashIndex, brute_force

    rng = np.random.default_rng(7)
    rows = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    real = np.frombuffer(b"".join(real_hashes), np.uint8).reshape(-1, 32)
    rows[: len(real)] = real
    started = time.perf_counter()
    index = HashIndex(rows)
    build = time.perf_counter() - started
    queries = []
    for i in range(200):
        q = rows[rng.integers(n)].copy()
        for bit in rng.choice(256, int(rng.integers(0, 31)), replace=False):
            q[bit // 8] ^= 1 << (7 - bit % 8)
        queries.append(q.tobytes())
    timed_mih, timed_scan, agree = [], [], 0
    for q in queries:
        t = time.perf_counter()
        found = index.search(q, 31)
        timed_mih.append((time.perf_counter() - t) * 1000)
    for q in queries[:40]:
        t = time.perf_counter()
        expected = brute_force(rows, q, 31)
        timed_scan.append((time.perf_counter() - t) * 1000)
        agree += expected == index.search(q, 31)
    memory = (index._ids.nbytes + index._starts.nbytes + index.rows.nbytes) / 2**20
    return table(["hashes", "build s", "index MB", "multi-index p50 ms", "p99 ms", "full scan p50 ms",
                  "same answers as the scan"],
                 [(f"{n:,}", round(build, 1), round(memory), round(percentile(timed_mih, 50), 2),
                   round(percentile(timed_mih, 99), 2), round(percentile(timed_scan, 50), 1), f"{agree}/40")])


# main ----------------------------------------------------------------------------------------------

def main() -> None:  # noqa: C901 - a linear report
    parser = argparse.ArgumentParser()
    parser.add_argument("--rapidocr-sample", type=int, default=100)
    parser.add_argument("--hard-sample", type=int, default=60)
    args = parser.parse_args()
    require_shared()
    if not (SCREENS / "queries.jsonl").exists():
        sys.exit(f"missing {SCREENS}")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    queries = read_jsonl(SCREENS / "queries.jsonl")
    art_rows = {r["id"]: r["image"] for r in read_jsonl(SCREENS / "article_images.jsonl")}
    paths = [str(SCREENS / q["image"]) for q in queries]
    targets = [q["article_id"] for q in queries]
    out = [f"# Media benchmark\n\nMachine: {machine()}. Load average at start: "
           f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.\n",
           "Command: `python benchmarks/media.py" + (f" --rapidocr-sample {args.rapidocr_sample}"
                                                     if args.rapidocr_sample != 100 else "") + "`\n"]

    services = open_archive()
    search = Searcher(services)
    typed = recall_at(search, [q["text"] for q in queries], targets, "typed")
    print("typed done", file=sys.stderr)

    rng = random.Random(12)
    sample = sorted(rng.sample(range(len(queries)), min(args.rapidocr_sample, len(queries))))
    passes = {"tesseract": run_child("tesseract", paths)}
    print("tesseract done", file=sys.stderr)
    rapid = run_child("rapidocr", [paths[i] for i in sample])
    print("rapidocr done", file=sys.stderr)

    # text recovered, R@3, speed, memory per engine and style
    def engine_rows(name: str, result: dict, idx: list[int]) -> list[tuple]:
        rows = []
        texts = [result["rows"][j]["text"] for j in range(len(idx))]
        raws = [result["rows"][j]["raw"] for j in range(len(idx))]
        found = recall_at(search, texts, [targets[i] for i in idx], "ocr")
        found_raw = recall_at(search, raws, [targets[i] for i in idx], "ocr-raw")
        for style in (*STYLES, "all"):
            js = [j for j, i in enumerate(idx) if style == "all" or queries[i]["style"] == style]
            rec = [char_overlap(queries[idx[j]]["text"], raws[j])[0] for j in js]
            clean = [char_overlap(queries[idx[j]]["text"], texts[j]) for j in js]
            ms = [result["rows"][j]["ms"] for j in js]
            cpu = [result["rows"][j].get("cpu_ms", float("nan")) for j in js]
            typed_r3 = share([typed[idx[j]] for j in js])
            shot_r3 = share([found[j] for j in js])
            rows.append((name, style, len(js), round(float(np.mean(rec)), 4),
                         round(float(np.mean([c[0] for c in clean])), 4),
                         round(float(np.mean([c[1] for c in clean])), 4), typed_r3,
                         share([found_raw[j] for j in js]), shot_r3,
                         round(shot_r3 / typed_r3, 3) if typed_r3 else float("nan"),
                         round(percentile(ms, 50)), round(percentile(ms, 99)),
                         round(percentile(cpu, 50)), round(percentile(cpu, 99)), round(result["peak_mb"])))
        return rows

    headers = ["engine", "style", "n", "text recovered (raw OCR)", "text kept after cleaning",
               "cleaned text that is the claim", "R@3 typed", "R@3 screenshot, raw OCR",
               "R@3 screenshot, cleaned", "ratio (cleaned / typed)", "wall ms p50", "wall ms p99",
               "CPU ms p50", "CPU ms p99", "peak RSS MB"]
    rows = engine_rows(passes["tesseract"]["name"], passes["tesseract"], list(range(len(queries))))
    rows += engine_rows(rapid["name"] + " (sample)", rapid, sample)
    same_sample = {"rows": [passes["tesseract"]["rows"][i] for i in sample], "peak_mb": passes["tesseract"]["peak_mb"]}
    rows += [r for r in engine_rows(passes["tesseract"]["name"] + " (same sample)", same_sample, sample)
             if r[1] == "all"]
    out.append("## OCR engines: text recovered, screenshot R@3 against typed R@3, speed, memory\n\n"
               "Text recovered = share of the rendered text's characters found, in order, in what was "
               "read (case and spacing ignored); \"cleaned text that is the claim\" = share of the "
               "cleaned text that belongs to the rendered text (the rest is phone chrome or OCR noise). "
               "R@3 through benarkah's hybrid search over both corpora; typed = the exact rendered text "
               "as a query, same run. ms = the whole `MediaReader.read` (sniff, decode, PDQ, OCR, "
               "cleaning) per picture, wall clock and CPU time of the process (all its threads: "
               "RapidOCR's ONNX Runtime uses both cores, so on an idle machine its wall time is about half "
               "its CPU time; Tesseract uses one); peak RSS = the OCR child process (Python, Pillow, numpy and the "
               f"engine). RapidOCR ran on a random sample of {len(sample)}; Tesseract on that same "
               "sample is the last row.\n\n" + table(headers, rows))

    # harder pictures
    hard_idx = sorted(rng.sample(range(len(queries)), min(args.hard_sample, len(queries))))
    hard_rows = []
    for name in ("dark", "photo", "crop", "small", "video"):
        result = run_child("tesseract", [paths[i] for i in hard_idx], transform=name)
        texts = [r["text"] for r in result["rows"]]
        found = recall_at(search, texts, [targets[i] for i in hard_idx], "hard")
        rec = [char_overlap(queries[i]["text"], r["raw"])[0] for i, r in zip(hard_idx, result["rows"])]
        typed_r3 = share([typed[i] for i in hard_idx])
        hard_rows.append((name, len(hard_idx), round(float(np.mean(rec)), 4), typed_r3, share(found),
                          round(share(found) / typed_r3, 3) if typed_r3 else float("nan"),
                          round(percentile([r["ms"] for r in result["rows"]], 50))))
        print(f"hard {name} done", file=sys.stderr)
    out.append("## Harder pictures (Tesseract)\n\nThe same screenshots made harder, as people's pictures "
               "are: dark = inverted colours (dark mode); photo = a phone photo of a screen (2.5° "
               "rotation, blur, uneven light, noise); crop = the top third cut away; small = half size; "
               "each re-encoded as JPEG quality 55. video = a 20-second 720x1280 MPEG-4 video showing the "
               "screenshot (read from its keyframes; ms includes decoding).\n\n" +
               table(["picture", "n", "text recovered", "R@3 typed", "R@3 picture", "ratio", "ms p50"],
                     hard_rows))

    # article pictures: thresholds and re-shared R@3
    art_ids = list(art_rows)
    art_reads = run_child("tesseract", [str(SCREENS / art_rows[i]) for i in art_ids])
    images = article_images(art_reads, art_ids)
    pdq_table, text_table = pair_tables(queries, passes["tesseract"], images)
    out.append("## Matching a sent picture to the article's picture\n\nEach of the 400 screenshots "
               "against each of the 400 article pictures (the same screenshot as the fact-check shows "
               "it: verdict stamp, border, another size). PDQ hashes:\n\n" + pdq_table +
               "\n\nText read from both (Tesseract), share of word 3-grams in common (at least "
               "4 shared):\n\n" + text_table)
    from benarkah.settings import Settings

    defaults = Settings(db=":memory:")
    recall_rows = []
    text_only = recall_at(search, [r["text"] for r in passes["tesseract"]["rows"]], targets, "ocr")
    for label, d, s in (("text search only (no article pictures)", -1, 2.0),
                        (f"+ PDQ <= {defaults.image_match_distance} only", defaults.image_match_distance, 2.0),
                        ("+ picture text >= 0.5 only", -1, 0.5),
                        ("+ picture text >= 0.6 only", -1, 0.6),
                        ("+ picture text >= 0.7 only", -1, 0.7),
                        ("+ PDQ and picture text (shipped)", defaults.image_match_distance,
                         defaults.image_text_match_share)):
        if d < 0 and s > 1:
            styles = {st: share([f for f, q in zip(text_only, queries) if q["style"] == st]) for st in STYLES}
            styles["all"], wrong = share(text_only), 0
        else:
            r = picture_recall(search, services, queries, passes["tesseract"], images, d, s)
            styles, wrong = r["recall"], r["wrong_matches"]
        recall_rows.append((label, *[styles[st] for st in STYLES], styles["all"], wrong))
    out.append(f"Re-shared screenshots, R@3 with the article's picture attached (PDQ <= "
               f"{defaults.image_match_distance}, text share >= {defaults.image_text_match_share}); "
               "wrong picture matches = a picture matched to another article's picture:\n\n" +
               table(["system", *STYLES, "all", "wrong picture matches"], recall_rows))

    # re-shared as it is: PDQ when the picture itself travels
    from PIL import Image

    from benarkah.media.pdq import pdq_hash

    same_picture = []
    for i in hard_idx:
        original = Image.open(paths[i])
        w, h = original.size
        resent = Image.open(io.BytesIO(_encode(original.resize((int(w * 0.7), int(h * 0.7))))))
        same_picture.append(pdq_hash(original).distance(pdq_hash(resent)))
    out.append(f"The same picture re-sent (70 % size, JPEG quality 55, n={len(hard_idx)}): PDQ distance "
               f"p50 {np.median(same_picture):.0f}, max {max(same_picture)} of 256.")

    real = [bytes.fromhex(r["hashes"][0]) for r in art_reads["rows"] if r["hashes"]]
    out.append("## The hash index at a million pictures\n\nMulti-index hashing (16 chunks of 16 bits) "
               "against a full scan, radius 31, 200 queries of 0-30 flipped bits; the 400 real article "
               "hashes among a million random ones.\n\n" + index_speed(real))
    out.append(f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    print("\n\n".join(out))


if __name__ == "__main__":
    main()
