-- Merge the search index, built a video at a time into many segments,
-- into one: a search then seeks each word once instead of once per
-- segment (and the index is smaller). New videos add segments again,
-- which FTS5 merges as it goes; recap also merges the whole index after
-- indexing stored videos in bulk (Open, after the search migration).
INSERT INTO search_fts (search_fts) VALUES ('optimize');
