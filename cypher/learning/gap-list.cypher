// Knowledge-gap clusters, largest first, with their questions' times and reasons (for the trend) and
// the most recent distinct questions as examples.
// Params: $ids (list | null: by filter), $status, $language (nullable), $from, $to (ISO, nullable: a cluster
//   whose questions span [from, to) at least partly), $skip, $limit, $examples.
// Returns: {id, version, status, language, size, leader, createdAt, updatedAt, firstAt, lastAt, resolution,
//   resolvedFactId, resolvedAt, resolvedBy, dismissReason, examples: [{text, count, lastAt}], ats, reasons}.
MATCH (g:GapCluster)
WHERE ($ids IS NULL OR g.id IN $ids)
  AND ($status IS NULL OR g.status = $status) AND ($language IS NULL OR g.language = $language)
  AND ($from IS NULL OR g.lastAt >= datetime($from)) AND ($to IS NULL OR g.firstAt < datetime($to))
WITH g ORDER BY g.size DESC, g.lastAt DESC, g.id SKIP toInteger($skip) LIMIT toInteger($limit)
CALL (g) {
  MATCH (q:Message)-[r:IN_GAP]->(g)
  WITH q, r ORDER BY q.at DESC
  WITH collect(toString(q.at)) AS ats, collect(r.reason) AS reasons, collect(q.text) AS texts
  RETURN ats, reasons, texts
}
RETURN g.id AS id, g.version AS version, g.status AS status, g.language AS language, g.size AS size, g.leaderText AS leader,
       toString(g.createdAt) AS createdAt, toString(g.updatedAt) AS updatedAt, toString(g.firstAt) AS firstAt, toString(g.lastAt) AS lastAt,
       g.resolution AS resolution, g.resolvedFactId AS resolvedFactId, toString(g.resolvedAt) AS resolvedAt, g.resolvedBy AS resolvedBy,
       g.dismissReason AS dismissReason, ats, reasons, texts
