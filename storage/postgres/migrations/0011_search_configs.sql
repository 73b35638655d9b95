-- The text-search configurations that search entries are in, kept by
-- the store as it indexes: a search parses its query in each of them and
-- reads this short list, not every transcript and document, to know them.
CREATE TABLE search_configs (
	cfg regconfig PRIMARY KEY
);

INSERT INTO search_configs (cfg) SELECT DISTINCT cfg FROM search_entries;
