"""Make a noisy copy of queries the way people mangle text on cheap phones.

Slang substitutions (yang -> yg, tidak -> gk), dropped vowels, typos (swapped, doubled, missing
letters), ALL CAPS and emoji noise. Deterministic for a seed. Usage:
    python benchmarks/perturb.py IN.jsonl OUT.jsonl [--seed 13]
"""

from __future__ import annotations

import argparse
import json
import random
import re

SLANG = {
    "yang": ["yg", "yng"], "tidak": ["gk", "gak", "ga", "tdk", "nggak"], "dengan": ["dgn", "dg"],
    "sudah": ["udh", "sdh", "udah"], "karena": ["krn", "karna"], "untuk": ["utk", "buat"],
    "sekarang": ["skrg"], "juga": ["jg"], "bisa": ["bs"], "dari": ["dr"], "pada": ["pd"],
    "saja": ["aja"], "banyak": ["byk"], "orang": ["org"], "benar": ["bener"], "belum": ["blm"],
    "kalau": ["klo", "kalo"], "tahun": ["thn"], "tanggal": ["tgl"], "transfer": ["tf"], "ribu": ["rb"],
    "juta": ["jt"], "masih": ["msh"], "bagaimana": ["gmn"], "hoaks": ["hoax"], "whatsapp": ["wa"],
}
EMOJI = ["😱", "🔥", "‼️", "🙏", "😡", "👇", "⚠️", "😭", "💯", "🇮🇩"]
WORD = re.compile(r"\w+", re.UNICODE)


def drop_vowels(word: str) -> str:
    if len(word) < 6:
        return word
    return word[0] + re.sub(r"[aiueo]", "", word[1:-1]) + word[-1]


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "double", "drop", "elongate"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word + word[-1] * rng.randint(2, 4)


def perturb(text: str, rng: random.Random) -> str:
    def change(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in SLANG and rng.random() < 0.7:
            return rng.choice(SLANG[lower])
        roll = rng.random()
        if roll < 0.08:
            return drop_vowels(word)
        if roll < 0.16:
            return typo(word, rng)
        return word

    out = WORD.sub(change, text)
    if rng.random() < 0.25:
        out = out.upper()
    if rng.random() < 0.5:
        out = " ".join(rng.choices(EMOJI, k=rng.randint(1, 3))) + " " + out
    if rng.random() < 0.5:
        out = out + " " + "".join(rng.choices(EMOJI, k=rng.randint(1, 4))) + rng.choice(["", "!!", "??", " #viral"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.source, encoding="utf-8") as src, open(args.target, "w", encoding="utf-8") as dst:
        for line in src:
            if line.strip():
                row = json.loads(line)
                row["query"] = perturb(row["query"], rng)
                dst.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
