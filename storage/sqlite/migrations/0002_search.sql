-- Transcript search. search_entries holds what is searched: passages of
-- transcripts (windows of about 20-45 s inside one chapter) and the
-- chapter titles, paragraphs and bullets of summaries, built in Go by
-- storage.SearchEntries. search_fts indexes their text as external
-- content: it keeps tokens and positions, not a second copy of the text.

-- Each video indexed gets a number, kept when it is indexed again. An
-- entry's id is that number << 24 plus the entry's place in the video, so
-- the index alone says which video a match is in (for the per-video tiers
-- and the video filter) without reading search_entries.
CREATE TABLE search_videos (
	seq      INTEGER PRIMARY KEY,
	video_id TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE search_entries (
	id            INTEGER PRIMARY KEY, -- search_videos.seq << 24 | n
	video_id      TEXT NOT NULL,
	language      TEXT NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('passage', 'chapter', 'paragraph', 'bullet')),
	chapter       INTEGER NOT NULL, -- index in the document, -1 for none
	chapter_title TEXT NOT NULL,
	start_ms      INTEGER NOT NULL,
	end_ms        INTEGER NOT NULL,
	text          TEXT NOT NULL
) STRICT;

CREATE INDEX search_entries_video ON search_entries (video_id, language);

CREATE VIRTUAL TABLE search_fts USING fts5 (
	text,
	content = 'search_entries', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_entries_insert AFTER INSERT ON search_entries BEGIN
	INSERT INTO search_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER search_entries_delete AFTER DELETE ON search_entries BEGIN
	INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- Videos whose entries must be rebuilt. Passages are cut in Go, so this
-- migration only lists the videos stored before search existed; Open
-- indexes them and empties the list.
CREATE TABLE search_pending (
	video_id TEXT PRIMARY KEY
) STRICT;

INSERT INTO search_pending (video_id)
	SELECT video_id FROM transcripts UNION SELECT video_id FROM documents;
