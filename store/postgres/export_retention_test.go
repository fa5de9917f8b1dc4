package postgres

// The purge's queries, for the test that checks their plans.
const (
	ExpiredConversationsSQL = expiredConversationsSQL
	ExpiredOfflineSQL       = expiredOfflineSQL
)
