// Rules the caller may see, optionally only the given ids, for evaluation against a customer context.
// Params: $visibilities, $statuses, $ids (nullable), $language (nullable). Returns: {item} per rule.
MATCH (k:Rule)
WHERE {{visible-knowledge k}}
  AND ($ids IS NULL OR k.id IN $ids)
  AND ($language IS NULL OR k.language = $language)
RETURN k {.*, embedding: null} AS item
ORDER BY k.name
