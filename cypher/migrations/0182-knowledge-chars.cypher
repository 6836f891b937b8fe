// Chinese fulltext by single characters next to knowledge_text's bigrams (the `cjk` analyzer indexes
// overlapping bigrams, so a one-character word of a question — 钱, 退 — matched nothing). The standard
// analyzer splits Han text into characters; retrieval queries it only with a question's Han characters.
// (Neo4j treats a second fulltext index on the same label and properties as the same index, so this one
// covers a rule's outcome, `then`, instead of `searchText`.)
CREATE FULLTEXT INDEX knowledge_chars IF NOT EXISTS FOR (k:Knowledge) ON EACH [k.question, k.answer, k.statement, k.name, k.then]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'standard-no-stop-words', `fulltext.eventually_consistent`: false } };
