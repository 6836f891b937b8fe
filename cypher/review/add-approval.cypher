// Records one editor's approval of a task that needs more than one (four eyes); the task stays open.
// $approvedHash is the content hash approved: an edit by a later approver resets the approvals to theirs.
// Params: $id, $rev (revision read under the lock), $by, $name, $reset (drop earlier approvals), $approvedHash.
// Returns: {id, approvals} or no row when the task changed since $rev or is closed.
MATCH (t:ReviewTask {id: $id})
WHERE t.status = 'OPEN' AND coalesce(t.rev, 0) = $rev
SET t.approvedBy = CASE WHEN $reset THEN [$by] ELSE coalesce(t.approvedBy, []) + $by END,
    t.approvedByNames = CASE WHEN $reset THEN [$name] ELSE coalesce(t.approvedByNames, []) + $name END,
    t.approvedAt = CASE WHEN $reset THEN [toString(datetime())] ELSE coalesce(t.approvedAt, []) + toString(datetime()) END,
    t.approvedHash = $approvedHash,
    t.rev = coalesce(t.rev, 0) + 1
RETURN t.id AS id, size(t.approvedBy) AS approvals
