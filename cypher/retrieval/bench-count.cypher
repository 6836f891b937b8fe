// Benchmark fixture only: how many generated items the graph holds, and with which generator fingerprint.
// Params: none. Returns: {n, fingerprint}.
OPTIONAL MATCH (m:BenchFixture {name: 'answer'})
CALL () {
  MATCH (k:Knowledge) WHERE k.externalId STARTS WITH 'bench-'
  RETURN count(k) AS n
}
RETURN n, m.fingerprint AS fingerprint
