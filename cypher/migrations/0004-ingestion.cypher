// Ingestion: one lock/pointer node per document source, lookups by source and document, the review queue.
CREATE CONSTRAINT document_source IF NOT EXISTS FOR (s:DocumentSource) REQUIRE s.source IS UNIQUE;
CREATE INDEX document_source_version IF NOT EXISTS FOR (d:Document) ON (d.source, d.version);
CREATE INDEX chunk_document IF NOT EXISTS FOR (c:Chunk) ON (c.documentId);
CREATE INDEX review_task_status IF NOT EXISTS FOR (t:ReviewTask) ON (t.status, t.createdAt);
