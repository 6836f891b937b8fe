// Records that the buckets cover every conversation stored before analytics kept buckets. Params: none. Returns: {at}.
MERGE (s:AnalyticsState {id: 'buckets'})
SET s.at = datetime()
RETURN toString(s.at) AS at
