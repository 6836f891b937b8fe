// Fulltext: the `cjk` analyzer (Lucene CJKAnalyzer) indexes Chinese as overlapping bigrams and
// English words with standard tokenisation and lower-casing, so one index serves both languages.
CREATE FULLTEXT INDEX knowledge_text IF NOT EXISTS FOR (k:Knowledge) ON EACH [k.question, k.answer, k.statement, k.name, k.searchText]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false } };
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (e:Entity) ON EACH [e.name, e.aliasText]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'cjk' } };
CREATE FULLTEXT INDEX chunk_text IF NOT EXISTS FOR (c:Chunk) ON EACH [c.text]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'cjk' } };
// Vector indexes for the 384-dimensional sentence embeddings (all-MiniLM-L6-v2), cosine similarity.
CREATE VECTOR INDEX knowledge_embedding IF NOT EXISTS FOR (k:Knowledge) ON k.embedding
  OPTIONS { indexConfig: { `vector.dimensions`: 384, `vector.similarity_function`: 'cosine' } };
CREATE VECTOR INDEX chunk_embedding IF NOT EXISTS FOR (c:Chunk) ON c.embedding
  OPTIONS { indexConfig: { `vector.dimensions`: 384, `vector.similarity_function`: 'cosine' } };
CREATE VECTOR INDEX entity_embedding IF NOT EXISTS FOR (e:Entity) ON e.embedding
  OPTIONS { indexConfig: { `vector.dimensions`: 384, `vector.similarity_function`: 'cosine' } };
