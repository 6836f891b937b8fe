// What handles each intent: the knowledge items linked by HANDLED_BY, with their kind and language.
// Params: none. Returns: {intent, knowledgeId, kind, language, name, text (a fact's answer or statement), status, visibility} per link.
// Visibility and status are returned, not filtered: the dialogue checks them against who is asking.
MATCH (i:Intent)-[:HANDLED_BY]->(k:Knowledge)
RETURN DISTINCT i.name AS intent, k.id AS knowledgeId, k.kind AS kind, k.language AS language, coalesce(k.name, k.question, '') AS name,
       coalesce(k.answer, k.statement) AS text,
       k.status AS status, k.visibility AS visibility
ORDER BY intent, language
