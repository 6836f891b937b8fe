// Fragment: a document (version) whose visibility is in the caller's access list; a document stored
// without one is PUBLIC. Guards documents and what comes from them (chunks, passages, quotes).
// Use: WHERE {{visible-document d}} — needs the query parameter $visibilities.
// @vars d
(coalesce(d.visibility, 'PUBLIC') IN $visibilities)
