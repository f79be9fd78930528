-- tips.status was never written (the cluster carries the status a fact-checker sets): dropped.
ALTER TABLE tips DROP COLUMN status;
