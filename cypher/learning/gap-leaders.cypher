// The clusters new gap questions may join: open and dismissed ones (a dismissed cluster keeps taking
// its kind of question, so what an editor dismissed does not come back as a new gap).
// Params: none. Returns: {id, language, text, vector, model}.
MATCH (g:GapCluster) WHERE g.status IN ['OPEN', 'DISMISSED']
RETURN g.id AS id, g.language AS language, g.leaderText AS text, g.leaderEmbedding AS vector, g.leaderModel AS model
