// Sets (or, with null, clears) an item's review date.
// Params: $id, $reviewBy (ISO | null). Returns: {id}; none when the item does not exist.
MATCH (k:Knowledge {id: $id})
SET k.reviewBy = CASE WHEN $reviewBy IS NULL THEN null ELSE datetime($reviewBy) END, k.qualityAt = null
RETURN k.id AS id
