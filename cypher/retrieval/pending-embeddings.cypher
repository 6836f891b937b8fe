// Knowledge items whose embedding is missing or stale: never embedded, content changed since
// (embeddedHash <> contentHash), or embedded with another model. Optionally only the given ids.
// Params: $ids (list | null), $model, $limit.
// Returns: {id, hash, kind, language, question, answer, statement, name, then, intent, steps}.
MATCH (k:Knowledge)
WHERE ($ids IS NULL OR k.id IN $ids)
  AND (k.embeddedHash IS NULL OR k.embeddedHash <> k.contentHash OR k.embeddingModel IS NULL OR k.embeddingModel <> $model)
RETURN k.id AS id, k.contentHash AS hash, k.kind AS kind, k.language AS language, k.question AS question, k.answer AS answer,
       k.statement AS statement, k.name AS name, k.then AS then, k.intent AS intent, k.steps AS steps
LIMIT toInteger($limit)
