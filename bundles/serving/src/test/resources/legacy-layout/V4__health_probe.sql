-- One row that /health writes and reads back on every check: the store is writable now, not just opened once.
CREATE TABLE cogwork_health (
    id INTEGER NOT NULL PRIMARY KEY,
    probe BIGINT NOT NULL,
    checked BIGINT NOT NULL
);
INSERT INTO cogwork_health (id, probe, checked) VALUES (1, 0, 0);
