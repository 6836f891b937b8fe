// Which embedding model's vectors retrieval serves, and the re-embedding towards another one
// (src/retrieval/embedding-state.ts): one node per vector family.
CREATE CONSTRAINT embedding_state_id IF NOT EXISTS FOR (s:EmbeddingState) REQUIRE s.id IS UNIQUE;
CREATE INDEX knowledge_embedding_model IF NOT EXISTS FOR (k:Knowledge) ON (k.embeddingModel);
CREATE INDEX chunk_embedding_model IF NOT EXISTS FOR (c:Chunk) ON (c.embeddingModel);
