-- Transcript search. search_entries holds what is searched: passages of
-- transcripts (windows of about 20-45 s inside one chapter) and the
-- chapter titles, paragraphs and bullets of summaries, built in Go by
-- storage.SearchEntries. tsv is maintained by the store: to_tsvector in
-- the text-search configuration of the entry's language (cfg), over the
-- text folded by storage.FoldSearchText (diacritics and punctuation
-- removed rune for rune, so no extension is needed).

CREATE TABLE search_entries (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	video_id      text NOT NULL,
	language      text NOT NULL,
	kind          text NOT NULL CHECK (kind IN ('passage', 'chapter', 'paragraph', 'bullet')),
	chapter       integer NOT NULL, -- index in the document, -1 for none
	chapter_title text NOT NULL,
	start_ms      bigint NOT NULL,
	end_ms        bigint NOT NULL,
	text          text NOT NULL,
	cfg           regconfig NOT NULL,
	tsv           tsvector NOT NULL
);

CREATE INDEX search_entries_video ON search_entries (video_id, language);
CREATE INDEX search_entries_tsv ON search_entries USING gin (tsv);

-- Videos whose entries must be rebuilt. Passages are cut in Go, so this
-- migration only lists the videos stored before search existed; Open
-- indexes them and empties the list.
CREATE TABLE search_pending (
	video_id text PRIMARY KEY
);

INSERT INTO search_pending (video_id)
	SELECT video_id FROM transcripts UNION SELECT video_id FROM documents;
