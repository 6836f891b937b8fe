// Closes an open review task with the decision, if its revision is still the one the caller read
// (the version check that makes two editors racing on one task a conflict, not two decisions).
// Params: $id, $rev, $decision ('approved' | 'rejected'), $by, $byName, $note (nullable), $releaseId (nullable),
//   $resetApprovals (an approval of changed content: earlier approvals no longer count). An approval joins approvedBy.
// Returns: {id, wasOpen} or no row when the task does not exist. A task already DONE, or changed
// since $rev, is left as it is (wasOpen false).
MATCH (t:ReviewTask {id: $id})
WITH t, t.status = 'OPEN' AND coalesce(t.rev, 0) = $rev AS wasOpen
FOREACH (_ IN CASE WHEN wasOpen THEN [1] ELSE [] END |
  SET t.status = 'DONE', t.decision = $decision, t.decidedBy = $by, t.decidedAt = datetime(), t.note = $note,
      t.releaseId = $releaseId, t.rev = coalesce(t.rev, 0) + 1)
FOREACH (_ IN CASE WHEN wasOpen AND $decision = 'approved' THEN [1] ELSE [] END |
  SET t.approvedBy = CASE WHEN $resetApprovals THEN [] ELSE coalesce(t.approvedBy, []) END + $by,
      t.approvedByNames = CASE WHEN $resetApprovals THEN [] ELSE coalesce(t.approvedByNames, []) END + $byName,
      t.approvedAt = CASE WHEN $resetApprovals THEN [] ELSE coalesce(t.approvedAt, []) END + toString(datetime()))
RETURN t.id AS id, wasOpen
