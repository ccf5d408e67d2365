package store

import (
	"context"
	"time"
)

// APIGateway keeps API Gateway's REST APIs (v1): the objects of the control plane as documents
// the service encodes (a REST API with its resource tree, a deployment's snapshot of it, a stage,
// a usage plan), API keys with their values (unique in an account), the keys of each usage plan,
// and the quota counters the data plane consumes, which every node sharing the store sees.
type APIGateway interface {
	// CreateAPIObject stores a new object; ErrExists when its (kind, parent, id) is taken.
	CreateAPIObject(ctx context.Context, o APIObject) error
	// UpdateAPIObject replaces an object's document if its version is still version, and raises
	// the version by one; ErrNotFound when it is gone, ErrConflict when it moved.
	UpdateAPIObject(ctx context.Context, o APIObject, version int64) error
	// APIObject reads one object; account "" reads it whatever its account (the data plane knows
	// an API by id alone).
	APIObject(ctx context.Context, kind APIKind, account, parent, id string) (APIObject, error)
	// APIObjects lists an account's objects of a kind under a parent, by id.
	APIObjects(ctx context.Context, kind APIKind, account, parent string) ([]APIObject, error)
	// DeleteAPIObject removes an object and the objects whose parent it is (a REST API's
	// deployments and stages); a usage plan takes its keys and counters with it.
	DeleteAPIObject(ctx context.Context, kind APIKind, account, parent, id string) error

	// CreateAPIKey stores a key; ErrExists when its id or its value in the account is taken.
	CreateAPIKey(ctx context.Context, k APIKey) error
	UpdateAPIKey(ctx context.Context, k APIKey) error
	APIKey(ctx context.Context, account, id string) (APIKey, error)
	APIKeyByValue(ctx context.Context, account, value string) (APIKey, error)
	APIKeys(ctx context.Context, account string) ([]APIKey, error)
	// DeleteAPIKey removes a key and its place in every usage plan.
	DeleteAPIKey(ctx context.Context, account, id string) error

	// AddUsagePlanKey puts a key in a plan; ErrExists when it is there already.
	AddUsagePlanKey(ctx context.Context, account, planID, keyID string) error
	RemoveUsagePlanKey(ctx context.Context, account, planID, keyID string) error
	UsagePlanKeys(ctx context.Context, account, planID string) ([]string, error)
	KeyUsagePlans(ctx context.Context, account, keyID string) ([]string, error)

	// ConsumeQuota counts one request of a key under a plan in the quota period that starts at
	// period and on day (YYYY-MM-DD), unless the period's count has reached limit plus what
	// GrantQuota added: ok reports whether it was counted, used is the period's count after it.
	ConsumeQuota(ctx context.Context, planID, keyID, period, day string, limit int64) (used int64, ok bool, err error)
	// AddUsage adds n requests to a key's count under a plan on a day, outside any quota (a plan
	// without one is counted for GetUsage only).
	AddUsage(ctx context.Context, planID, keyID, day string, n int64) error
	// GrantQuota adds n requests to what a key may make in a period (UpdateUsage).
	GrantQuota(ctx context.Context, planID, keyID, period string, n int64) error
	// QuotaUsed is a period's count and grant for a key.
	QuotaUsed(ctx context.Context, planID, keyID, period string) (used, granted int64, err error)
	// DailyUsage lists the counts per key and day of a plan between two days (inclusive).
	DailyUsage(ctx context.Context, planID, fromDay, toDay string) ([]DailyUsage, error)
}

// APIKind is a kind of API Gateway object.
type APIKind string

const (
	KindRestAPI    APIKind = "restapi"    // parent ""
	KindDeployment APIKind = "deployment" // parent: the REST API's id
	KindStage      APIKind = "stage"      // parent: the REST API's id; id: the stage's name
	KindUsagePlan  APIKind = "usageplan"  // parent ""
)

// APIObject is one API Gateway object: its document is the service's to encode.
type APIObject struct {
	Kind    APIKind
	Account string
	Parent  string
	ID      string
	Version int64 // raised by every update
	Doc     []byte
	Created time.Time
}

// APIKey is an API key: value is what clients send in x-api-key.
type APIKey struct {
	Account string
	ID      string
	Value   string
	Enabled bool
	Doc     []byte // the rest of the key (name, description, tags, …) as the service encodes it
	Created time.Time
}

// DailyUsage is one key's count of requests under a plan on a day.
type DailyUsage struct {
	KeyID string
	Day   string // YYYY-MM-DD, UTC
	Used  int64
}
