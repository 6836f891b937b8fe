// Closes an open review task with the decision.
// Params: $id, $decision ('approved' | 'rejected'), $by, $note (nullable).
// Returns: {id, wasOpen} or no row when the task does not exist. A task already DONE is left as it is.
MATCH (t:ReviewTask {id: $id})
WITH t, t.status = 'OPEN' AS wasOpen
FOREACH (_ IN CASE WHEN wasOpen THEN [1] ELSE [] END |
  SET t.status = 'DONE', t.decision = $decision, t.decidedBy = $by, t.decidedAt = datetime(), t.note = $note)
RETURN t.id AS id, wasOpen
