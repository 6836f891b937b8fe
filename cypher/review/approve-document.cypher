// Approves a document version's passages for answering (they are retrievable from then on, if it is
// still the current version). Params: $id, $by, $visibilities. Returns: {id, approvedAt, status, previouslyApproved} or no row.
MATCH (d:Document {id: $id})
WHERE {{visible-document d}}
WITH d, d.approvedAt IS NOT NULL AS previouslyApproved
SET d.approvedAt = coalesce(d.approvedAt, datetime()), d.approvedBy = coalesce(d.approvedBy, $by)
RETURN d.id AS id, d.approvedAt AS approvedAt, d.status AS status, previouslyApproved
