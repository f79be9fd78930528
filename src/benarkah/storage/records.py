"""The core tables' records (articles, vectors, tips, interactions, sessions), written once for both
backends.

Both stores offer the same SQL seam: ``connection()`` runs one autocommitted statement (or joins the
thread's open transaction) and ``transaction()`` groups statements, with ``?`` placeholders and rows
readable by name and by index. So the record logic lives here, once, and each backend keeps only what
really differs: connections, transactions, migrations, its catalog, and how it streams large reads.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timezone
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ..domain.articles import Article
from ..domain.verdicts import normalize_verdict
from .base import Interaction, UpsertOutcome

_LOOKUP_CHUNK = 500  # ids per "IN (...)" lookup: under every backend's parameter limit
_ROWS_CHUNK = 100    # rows per multi-row INSERT (at most 8 values each: under every backend's parameter limit)

ARTICLE_COLUMNS = (
    "id, url, title, text, summary, claim, verdict, verdict_label, published, publisher, topic, "
    "language, extra_urls, claimant, claim_date, claim_appearances"
)


def iso(moment: datetime) -> str:
    """How every table stores a moment: UTC ISO-8601 text, which sorts and compares the same way on
    SQLite and PostgreSQL."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def utcnow() -> str:
    return iso(datetime.now(timezone.utc))


def row_to_article(row: Any) -> Article:
    return Article(
        id=row["id"], url=row["url"], title=row["title"], text=row["text"], summary=row["summary"],
        claim=row["claim"], verdict=normalize_verdict(row["verdict"]), verdict_label=row["verdict_label"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        publisher=row["publisher"], topic=row["topic"], language=row["language"],
        extra_urls=tuple(json.loads(row["extra_urls"] or "[]")),
        claimant=row["claimant"], claim_date=date.fromisoformat(row["claim_date"]) if row["claim_date"] else None,
        claim_appearances=tuple(json.loads(row["claim_appearances"] or "[]")),
    )


class CoreRecords:
    """Mixed into each store, which provides ``connection()``, ``transaction(lock)`` and
    ``sender_tables()``."""

    # The column that orders articles by insertion (SQLite's rowid; a sequence on PostgreSQL).
    insertion_order = "rowid"

    # articles ------------------------------------------------------------------------------------

    def upsert_articles(self, articles: Sequence[Article]) -> list[UpsertOutcome]:
        outcomes: list[UpsertOutcome] = []
        now = utcnow()
        with self.transaction() as tx:  # lock="store": concurrent ingests of one id never collide
            version = self._next_version(tx)  # the rows' change_seq; stored only if something changed
            known = self._content_hashes(tx, [a.id for a in articles])
            for article in articles:
                digest = article.content_hash()
                if known.get(article.id) == digest:
                    outcomes.append(UpsertOutcome.UNCHANGED)
                    continue
                record = article.to_record()
                values = (
                    article.id, article.url, article.title, article.text, article.summary, article.claim,
                    record["verdict"], article.verdict_label, record["published"], article.publisher,
                    article.topic, article.language, json.dumps(record["extra_urls"], ensure_ascii=False),
                    article.claimant, record["claim_date"],
                    json.dumps(record["claim_appearances"], ensure_ascii=False), digest,
                )
                if article.id not in known:
                    tx.execute(f"INSERT INTO articles ({ARTICLE_COLUMNS}, content_hash, created_at, updated_at, "
                               "change_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               (*values, now, now, version))
                    outcomes.append(UpsertOutcome.ADDED)
                else:
                    tx.execute(
                        "UPDATE articles SET url=?, title=?, text=?, summary=?, claim=?, verdict=?, "
                        "verdict_label=?, published=?, publisher=?, topic=?, language=?, extra_urls=?, "
                        "claimant=?, claim_date=?, claim_appearances=?, "
                        "content_hash=?, updated_at=?, change_seq=? WHERE id=?",
                        (*values[1:], now, version, article.id))
                    outcomes.append(UpsertOutcome.UPDATED)
                known[article.id] = digest
            if any(o is not UpsertOutcome.UNCHANGED for o in outcomes):
                self._store_version(tx, version)
        return outcomes

    @staticmethod
    def _next_version(tx: Any) -> int:
        """The archive version a write transaction will store (it holds the write lock, so no other
        writer can take the same number, and versions commit in order)."""
        row = tx.execute("SELECT value FROM meta WHERE key = 'articles_version'").fetchone()
        return int(row[0]) + 1

    @staticmethod
    def _store_version(tx: Any, version: int) -> None:
        tx.execute("UPDATE meta SET value = ? WHERE key = 'articles_version'", (str(version),))

    def take_lease(self, name: str, owner: str, seconds: float) -> bool:
        """Hold (or renew) the named lease for ``seconds`` unless another owner holds it: background
        jobs that one process of many should do (embedding the archive's missing vectors)."""
        key = f"lease:{name}"
        now = time.time()
        with self.transaction() as tx:
            row = tx.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None:
                expires, _, holder = str(row[0]).partition(" ")
                if holder != owner and float(expires) > now:
                    return False
                tx.execute("UPDATE meta SET value = ? WHERE key = ?", (f"{now + seconds} {owner}", key))
            else:
                tx.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, f"{now + seconds} {owner}"))
        return True

    def articles_changed_since(self, since: int, upto: int) -> list[Article]:
        """Articles whose row or vector changed in a version in (``since``, ``upto``], oldest first.

        Call with ``upto`` = an ``articles_version()`` read before: every write up to that version
        has committed all its rows, so nothing is missed and nothing seen twice."""
        rows = self.connection().execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE change_seq > ? AND change_seq <= ? "
            f"ORDER BY change_seq, {self.insertion_order}", (since, upto)).fetchall()
        return [row_to_article(r) for r in rows]

    @staticmethod
    def _content_hashes(tx: Any, ids: list[str]) -> dict[str, str]:
        """Stored content hashes of these ids, a few hundred per statement (one round trip each)."""
        known: dict[str, str] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            chunk = unique[start:start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            known.update((r[0], r[1]) for r in tx.execute(
                f"SELECT id, content_hash FROM articles WHERE id IN ({marks})", chunk))
        return known

    def get_article(self, article_id: str) -> Article | None:
        row = self.connection().execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row_to_article(row) if row else None

    def iter_articles(self) -> Iterator[Article]:
        cursor = self.connection().execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY {self.insertion_order}")
        for row in cursor:
            yield row_to_article(row)

    def count_articles(self) -> int:
        return int(self.connection().execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def latest_articles(self, limit: int) -> list[Article]:
        rows = self.connection().execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles "
            f"ORDER BY published IS NULL, published DESC, {self.insertion_order} DESC LIMIT ?", (limit,)).fetchall()
        return [row_to_article(r) for r in rows]

    def articles_version(self) -> int:
        row = self.connection().execute("SELECT value FROM meta WHERE key = 'articles_version'").fetchone()
        return int(row[0])

    # vectors -------------------------------------------------------------------------------------

    def load_vectors(self, model: str) -> dict[str, tuple[str, np.ndarray]]:
        rows = self.connection().execute(
            "SELECT article_id, text_hash, vector FROM article_vectors WHERE model = ?", (model,))
        return {r[0]: (r[1], np.frombuffer(r[2], dtype=np.float32)) for r in rows}

    def load_vectors_for(self, model: str, ids: Sequence[str]) -> dict[str, tuple[str, np.ndarray]]:
        """Stored vectors of these articles only (a search process applying a few changes)."""
        out: dict[str, tuple[str, np.ndarray]] = {}
        unique = list(dict.fromkeys(ids))
        conn = self.connection()
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            chunk = unique[start:start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            for r in conn.execute(f"SELECT article_id, text_hash, vector FROM article_vectors "
                                  f"WHERE model = ? AND article_id IN ({marks})", (model, *chunk)):
                out[r[0]] = (r[1], np.frombuffer(r[2], dtype=np.float32))
        return out

    def save_vectors(self, model: str, rows: Iterable[tuple[str, str, np.ndarray]]) -> None:
        """Store vectors; their articles count as changed, so every process's index picks them up.
        (``lock="store"``: the archive version is taken and stored under the write lock, so versions
        commit in order and ``articles_changed_since`` misses nothing.)"""
        rows = list(rows)
        if not rows:
            return
        with self.transaction() as tx:
            version = self._next_version(tx)
            tx.executemany(
                "INSERT INTO article_vectors (article_id, model, text_hash, vector) VALUES (?,?,?,?) "
                "ON CONFLICT (article_id, model) DO UPDATE SET text_hash=excluded.text_hash, vector=excluded.vector",
                [(aid, model, h, np.asarray(v, dtype=np.float32).tobytes()) for aid, h, v in rows])
            ids = list(dict.fromkeys(aid for aid, _, _ in rows))
            for start in range(0, len(ids), _LOOKUP_CHUNK):
                chunk = ids[start:start + _LOOKUP_CHUNK]
                tx.execute(f"UPDATE articles SET change_seq = ? WHERE id IN ({','.join('?' * len(chunk))})",
                           (version, *chunk))
            self._store_version(tx, version)

    # interactions, sessions -----------------------------------------------------------------

    def log_interaction(self, interaction: Interaction) -> None:
        self.log_interactions([interaction])

    def log_interactions(self, interactions: Sequence[Interaction]) -> None:
        """One multi-row insert (a messaging worker logs its whole batch at once)."""
        now = utcnow()
        for start in range(0, len(interactions), _ROWS_CHUNK):
            chunk = interactions[start:start + _ROWS_CHUNK]
            self.connection().execute(
                "INSERT INTO interactions (created_at, channel, sender_hash, text, intent, matched, "
                "top_article_id, confidence) VALUES " + ",".join(["(?,?,?,?,?,?,?,?)"] * len(chunk)),
                tuple(value for i in chunk for value in (
                    now, i.channel, i.sender_hash, i.text[:500], i.intent, None if i.matched is None else int(i.matched),
                    i.top_article_id, i.confidence)))

    def messages_per_day(self, since: datetime) -> list[tuple[str, int, int, int]]:
        """(day, messages, lookups, matched) per UTC day; the day is the ISO timestamp's date part."""
        rows = self.connection().execute(
            "SELECT SUBSTR(created_at, 1, 10) AS day, COUNT(*), "
            "SUM(CASE WHEN matched IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN matched = 1 THEN 1 ELSE 0 END) "
            "FROM interactions WHERE created_at >= ? GROUP BY SUBSTR(created_at, 1, 10) ORDER BY day",
            (iso(since),)).fetchall()
        return [(r[0], int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in rows]

    def top_queries(self, since: datetime, limit: int) -> list[tuple[str, int, int]]:
        """The most frequent looked-up texts (case-folded), with how often each found a fact-check."""
        rows = self.connection().execute(
            "SELECT LOWER(text) AS q, COUNT(*), SUM(CASE WHEN matched = 1 THEN 1 ELSE 0 END) FROM interactions "
            "WHERE created_at >= ? AND matched IS NOT NULL GROUP BY LOWER(text) ORDER BY COUNT(*) DESC, q LIMIT ?",
            (iso(since), limit)).fetchall()
        return [(r[0], int(r[1]), int(r[2] or 0)) for r in rows]

    def lookups_since(self, since: datetime) -> tuple[int, int]:
        """(matched, not found) fact-check questions since ``since``."""
        rows = self.connection().execute(
            "SELECT matched, COUNT(*) FROM interactions WHERE created_at >= ? AND matched IS NOT NULL "
            "GROUP BY matched", (iso(since),)).fetchall()
        counts = {int(r[0]): int(r[1]) for r in rows}
        return counts.get(1, 0), counts.get(0, 0)

    def get_session(self, channel: str, sender_hash: str) -> dict[str, Any] | None:
        row = self.connection().execute(
            "SELECT state FROM sessions WHERE channel = ? AND sender_hash = ?", (channel, sender_hash)).fetchone()
        return json.loads(row[0]) if row else None

    def put_session(self, channel: str, sender_hash: str, state: dict[str, Any]) -> None:
        self.put_sessions([(channel, sender_hash, state)])

    def get_sessions(self, people: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The stored states of several people (channel, key) in one statement per channel; absent
        ones are left out."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        by_channel: dict[str, list[str]] = {}
        for channel, who in people:
            by_channel.setdefault(channel, []).append(who)
        for channel, keys in by_channel.items():
            unique = list(dict.fromkeys(keys))
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                chunk = unique[start:start + _LOOKUP_CHUNK]
                for row in self.connection().execute(
                        f"SELECT sender_hash, state FROM sessions WHERE channel = ? AND sender_hash IN "
                        f"({','.join('?' * len(chunk))})", (channel, *chunk)):
                    found[(channel, row[0])] = json.loads(row[1])
        return found

    def put_sessions(self, states: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Upsert several people's states in one statement (the last state given for a person wins)."""
        latest = {(channel, who): state for channel, who, state in states}
        rows = [(channel, who, json.dumps(state, ensure_ascii=False)) for (channel, who), state in latest.items()]
        now = utcnow()
        for start in range(0, len(rows), _ROWS_CHUNK):
            chunk = rows[start:start + _ROWS_CHUNK]
            self.connection().execute(
                "INSERT INTO sessions (channel, sender_hash, state, updated_at) VALUES "
                + ",".join(["(?,?,?,?)"] * len(chunk))
                + " ON CONFLICT (channel, sender_hash) DO UPDATE SET state=excluded.state, "
                "updated_at=excluded.updated_at",
                tuple(value for channel, who, state in chunk for value in (channel, who, state, now)))

    def erase_sender(self, sender_hash: str) -> int:
        """Delete everything kept about one person: every row of theirs in every table that has a
        ``sender_hash`` column (tips, interactions, conversation state, and whatever features add),
        found from the schema so a new feature's tables need no registration."""
        tables = self.sender_tables()
        with self.transaction() as tx:
            return sum(tx.execute(f'DELETE FROM "{table}" WHERE sender_hash = ?', (sender_hash,)).rowcount
                       for table in tables)

    # the deployment's own facts ------------------------------------------------------------------

    def key_fingerprint(self) -> str | None:
        """The fingerprint of the secret key this database was written with (None: not recorded yet)."""
        row = self.connection().execute("SELECT value FROM benarkah_meta WHERE name = 'key_check'").fetchone()
        return str(row[0]) if row else None

    def remember_key_fingerprint(self, fingerprint: str) -> str:
        """Record the key's fingerprint unless one is recorded; returns the one recorded (the first wins)."""
        with self.transaction(lock="rows") as tx:
            tx.execute("INSERT INTO benarkah_meta (name, value) VALUES ('key_check', ?) ON CONFLICT (name) DO NOTHING",
                       (fingerprint,))
            return str(tx.execute("SELECT value FROM benarkah_meta WHERE name = 'key_check'").fetchone()[0])
