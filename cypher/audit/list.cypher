// A page of audit events, newest first.
// Params: $itemId, $actor, $action, $from, $to (ISO text; each nullable), $skip, $limit.
// Returns one row: {total, items}.
MATCH (e:AuditEvent)
WHERE ($itemId IS NULL OR e.targetId = $itemId) AND ($actor IS NULL OR e.actor = $actor) AND ($action IS NULL OR e.action = $action)
  AND ($from IS NULL OR e.at >= datetime($from)) AND ($to IS NULL OR e.at < datetime($to))
WITH e ORDER BY e.seq DESC
WITH collect(e) AS events
RETURN size(events) AS total, [e IN events[toInteger($skip)..toInteger($skip + $limit)] | e {.*}] AS items
