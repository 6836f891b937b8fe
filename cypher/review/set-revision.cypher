// Replaces the proposed content of an open revision task (an approver's edits), under the task's lock.
// Params: $id, $proposed (content JSON), $proposedVisibility. Returns: {id}.
MATCH (t:ReviewTask {id: $id, type: 'revision', status: 'OPEN'})
SET t.proposed = $proposed, t.proposedVisibility = $proposedVisibility
RETURN t.id AS id
