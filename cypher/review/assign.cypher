// Assigns an open task to an editor's key (or clears the assignment), with the version check.
// Params: $id, $rev, $assignee (key id | null), $by. Returns: {id} or no row when the task is closed or changed since $rev.
MATCH (t:ReviewTask {id: $id})
WHERE t.status = 'OPEN' AND coalesce(t.rev, 0) = $rev
SET t.assignee = $assignee, t.assignedAt = CASE WHEN $assignee IS NULL THEN null ELSE datetime() END, t.assignedBy = $by,
    t.rev = coalesce(t.rev, 0) + 1
RETURN t.id AS id
