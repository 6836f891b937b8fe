// Knowledge items a re-embedding towards $model still has to embed: neither served nor staged with
// $model from their current content.
// Params: $model, $limit. Returns: {id, hash, kind, language, question, answer, statement, name, then, intent, steps}.
MATCH (k:Knowledge)
WHERE NOT (coalesce(k.embeddingModel, '') = $model AND coalesce(k.embeddedHash, '') = k.contentHash)
  AND NOT (coalesce(k.embeddingNextModel, '') = $model AND coalesce(k.embeddingNextHash, '') = k.contentHash)
RETURN k.id AS id, k.contentHash AS hash, k.kind AS kind, k.language AS language, k.question AS question, k.answer AS answer,
       k.statement AS statement, k.name AS name, k.then AS then, k.intent AS intent, k.steps AS steps
LIMIT toInteger($limit)
