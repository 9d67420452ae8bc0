-- Renkei schema, migration 5: a bigram index for search terms of two characters (詐欺, 口座),
-- which the trigram index cannot answer. Each report's title, narrative and SMS text are
-- written out by lib/model/report-search.c as their character pairs separated by spaces, and
-- indexed contentless (no second copy of the text). bigram_state.upto is the highest report
-- rowid up to which every report is indexed; when a tool outside the store adds reports, the
-- index stops being complete and searches fall back to LIKE (docs/data-model.md).
CREATE VIRTUAL TABLE reports_bigram USING fts5 (
    b, content = '', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE bigram_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL
);
INSERT INTO bigram_state (id, upto) VALUES (1, 0);
