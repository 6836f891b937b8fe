// Fragment: a knowledge item whose visibility is in the caller's access list, whatever its status — for
// editors' and reviewers' work on items in any state (drafts, review tasks, releases, locks before a change).
// Use: WHERE {{visible-knowledge-any-status k}} — needs the query parameter $visibilities.
// @vars k
(k.visibility IN $visibilities)
