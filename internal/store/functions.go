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
	// DeleteFunction removes a function with its versions and aliases and returns the code refs
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
}
