package store

import (
	"context"
	"time"
)

// Function is what a Lambda function holds apart from its versions: tags and reserved
// concurrency.
type Function struct {
	Account string
	Name    string
	Tags    map[string]string
	// ReservedConcurrency is the function's reserved concurrency; -1 when none is set.
	ReservedConcurrency int
	Created             time.Time
}

// FunctionVersion is one version of a function: "$LATEST" (the one that changes) or a published
// number. Config is the version's configuration, encoded by the lambda service; the store keeps
// it as it is.
type FunctionVersion struct {
	Account    string
	Function   string
	Version    string
	Config     []byte
	CodeRef    string // the code zip in the blob store
	CodeSha256 string
	CodeSize   int64
	RevisionID string
	Modified   time.Time
}

// FunctionAlias is a named pointer to a version (and, for weighted routing, a second one), kept
// encoded by the lambda service in Config.
type FunctionAlias struct {
	Account    string
	Function   string
	Name       string
	Config     []byte
	RevisionID string
}

// Functions stores Lambda functions, their versions and aliases.
type Functions interface {
	// CreateFunction stores a new function with its $LATEST version; ErrExists when the name is taken.
	CreateFunction(ctx context.Context, f Function, latest FunctionVersion) error
	Function(ctx context.Context, account, name string) (Function, error)
	// PutFunction replaces a function's tags and reserved concurrency; ErrNotFound when it is gone.
	PutFunction(ctx context.Context, f Function) error
	// ListFunctions lists $LATEST of the account's functions by name, after a name, up to limit.
	ListFunctions(ctx context.Context, account, after string, limit int) ([]FunctionVersion, error)
	// DeleteFunction removes a function with its versions, aliases and settings and returns the code refs
	// no version uses any more, for the caller to delete from the blob store.
	DeleteFunction(ctx context.Context, account, name string) ([]string, error)

	FunctionVersion(ctx context.Context, account, name, version string) (FunctionVersion, error)
	// PutFunctionVersion replaces an existing version (UpdateFunctionCode and
	// UpdateFunctionConfiguration change $LATEST); ErrNotFound when it is gone.
	PutFunctionVersion(ctx context.Context, v FunctionVersion) error
	// PublishFunctionVersion stores v under the function's next version number and returns it.
	PublishFunctionVersion(ctx context.Context, v FunctionVersion) (FunctionVersion, error)
	ListFunctionVersions(ctx context.Context, account, name string) ([]FunctionVersion, error)
	// DeleteFunctionVersion removes a published version; it returns the version's code ref
	// when no other version uses it.
	DeleteFunctionVersion(ctx context.Context, account, name, version string) (string, error)

	// PutFunctionAlias creates (create: ErrExists when taken) or replaces (ErrNotFound when gone) an alias.
	PutFunctionAlias(ctx context.Context, a FunctionAlias, create bool) error
	FunctionAlias(ctx context.Context, account, function, name string) (FunctionAlias, error)
	ListFunctionAliases(ctx context.Context, account, function string) ([]FunctionAlias, error)
	DeleteFunctionAlias(ctx context.Context, account, function, name string) error

	FunctionSettings
}

// FunctionSetting is a document the lambda service keeps for a function under a kind and name
// (an asynchronous invocation configuration per qualifier, say), encoded by the service.
type FunctionSetting struct {
	Account  string
	Function string
	Kind     string
	Name     string
	Config   []byte
	Modified time.Time
}

// EventSourceMapping joins an event source (a queue) to a function: the service's document
// under its UUID.
type EventSourceMapping struct {
	UUID      string
	Account   string
	Function  string // the function's name
	SourceARN string
	Config    []byte
	Modified  time.Time
}

// FunctionSettings stores the settings documents of functions and their event source mappings.
type FunctionSettings interface {
	// PutFunctionSetting creates (create: ErrExists when one is there) or replaces (ErrNotFound
	// when none is) a setting; upsert does either.
	PutFunctionSetting(ctx context.Context, s FunctionSetting, mode PutMode) error
	FunctionSetting(ctx context.Context, account, function, kind, name string) (FunctionSetting, error)
	// ListFunctionSettings lists a function's settings of a kind by name.
	ListFunctionSettings(ctx context.Context, account, function, kind string) ([]FunctionSetting, error)
	DeleteFunctionSetting(ctx context.Context, account, function, kind, name string) error

	// CreateEventSourceMapping stores a new mapping; ErrExists when its UUID is taken.
	CreateEventSourceMapping(ctx context.Context, m EventSourceMapping) error
	EventSourceMapping(ctx context.Context, uuid string) (EventSourceMapping, error)
	// PutEventSourceMapping replaces a mapping; ErrNotFound when it is gone.
	PutEventSourceMapping(ctx context.Context, m EventSourceMapping) error
	DeleteEventSourceMapping(ctx context.Context, uuid string) error
	// ListEventSourceMappings lists an account's mappings by UUID after a UUID, up to limit; an
	// empty account lists every account's (the pollers' shards).
	ListEventSourceMappings(ctx context.Context, account, after string, limit int) ([]EventSourceMapping, error)
}

// PutMode says whether a put creates, replaces or does either.
type PutMode int

const (
	PutUpsert PutMode = iota
	PutCreate
	PutReplace
)
