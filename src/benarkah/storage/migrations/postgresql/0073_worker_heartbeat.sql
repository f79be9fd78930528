-- One row per running messaging worker (inbox) or sender (outbox) thread group, on any machine, written
-- every few seconds (messaging/health.py), so any server's /readyz and /metrics see a dead worker
-- (beat_at old) or a stalled one (beat_at fresh, progress_at old). A cleanly stopped worker deletes its row.
CREATE TABLE messaging_workers (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at DOUBLE PRECISION NOT NULL,
    beat_at DOUBLE PRECISION NOT NULL,
    progress_at DOUBLE PRECISION NOT NULL
);
