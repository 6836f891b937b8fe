// Fragment: a knowledge item the caller may read — its visibility and its status are both in the caller's
// access lists (src/auth/roles.ts knowledgeAccess). For queries that read knowledge for a caller.
// Use: WHERE {{visible-knowledge k}} AND ... — needs the query parameters $visibilities and $statuses.
// @vars k
(k.visibility IN $visibilities AND k.status IN $statuses)
