// Learning from conversations (src/learning): similar questions of facts (embedded and searched like
// items), knowledge-gap clusters, quality-score history and review suggestions.
CREATE CONSTRAINT similar_question_id IF NOT EXISTS FOR (q:SimilarQuestion) REQUIRE q.id IS UNIQUE;
CREATE CONSTRAINT gap_cluster_id IF NOT EXISTS FOR (g:GapCluster) REQUIRE g.id IS UNIQUE;
CREATE CONSTRAINT suggestion_key IF NOT EXISTS FOR (s:Suggestion) REQUIRE s.key IS UNIQUE;
CREATE INDEX gap_cluster_status IF NOT EXISTS FOR (g:GapCluster) ON (g.status, g.language);
CREATE INDEX feedback_at IF NOT EXISTS FOR (f:Feedback) ON (f.at);
CREATE INDEX knowledge_review_by IF NOT EXISTS FOR (k:Knowledge) ON (k.reviewBy);
// Similar questions are searched by meaning (same dimensions as knowledge_embedding) and by words
// (the cjk analyzer, so Chinese questions match by character bigrams).
CREATE VECTOR INDEX similar_question_embedding IF NOT EXISTS FOR (q:SimilarQuestion) ON q.embedding
  OPTIONS { indexConfig: { `vector.dimensions`: 384, `vector.similarity_function`: 'cosine' } };
CREATE FULLTEXT INDEX similar_question_text IF NOT EXISTS FOR (q:SimilarQuestion) ON EACH [q.text]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false } };
