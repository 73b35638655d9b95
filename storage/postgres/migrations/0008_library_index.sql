-- The library (ListLibrary) lists documents newest first, from a cursor:
-- walking this index backwards, a page reads about its own rows instead
-- of every document and a sort.
CREATE INDEX documents_created_at ON documents (created_at, id);
