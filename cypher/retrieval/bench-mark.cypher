// Benchmark fixture only: records the generator fingerprint of the fixture in the graph.
// Params: $fingerprint. Returns: {fingerprint}.
MERGE (m:BenchFixture {name: 'answer'})
SET m.fingerprint = $fingerprint, m.at = datetime()
RETURN m.fingerprint AS fingerprint
