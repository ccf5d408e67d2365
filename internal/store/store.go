// Package store defines gureum's storage in domain terms. Each service owns a small interface here
// (accounts and access keys now; queues, objects and functions later), and every interface has two
// real implementations that pass one conformance suite (package storetest): an embedded one on
// SQLite (package sqlite) and a distributed one on PostgreSQL (package postgres).
//
// Implementations map driver errors to the kinds below at their edge; a driver error never travels
// further up. A method that returns nil has made its write durable.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// Kinds of storage errors. Test them with errors.Is.
var (
	ErrNotFound    = errors.New("not found")
	ErrExists      = errors.New("already exists")
	ErrUnavailable = errors.New("storage unavailable")
	// ErrConditionFailed: a write's precondition did not hold (an S3 If-Match, a DynamoDB
	// ConditionExpression, a lease held by another node). Domain stores return it themselves.
	ErrConditionFailed = errors.New("condition failed")
	// ErrConflict: a concurrent transaction won (PostgreSQL's serialization failure or deadlock);
	// the write did not happen and may be retried.
	ErrConflict = errors.New("conflict")
)

// Error is a storage failure: an operation, its kind and (for faults) the driver's cause.
type Error struct {
	Op   string // the store method, e.g. "sqlite.PutAccessKey"
	Kind error  // one of the Err* kinds
	Err  error  // the driver's error, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Op + ": " + e.Kind.Error() + ": " + e.Err.Error()
	}
	return e.Op + ": " + e.Kind.Error()
}

// Is reports the kind, so errors.Is(err, store.ErrNotFound) works.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap exposes the driver error to logs.
func (e *Error) Unwrap() error { return e.Err }

// Driver recognises a backend's errors by kind; nil members recognise nothing.
type Driver struct {
	Exists   func(error) bool // a key or uniqueness violation
	NotFound func(error) bool // besides sql.ErrNoRows
	Conflict func(error) bool // a concurrent transaction won
}

// Fault maps a backend's error to a storage kind, the same way for every backend: nil stays nil,
// a storage error and a cancelled context pass through, sql.ErrNoRows (and whatever the driver
// calls not found) is ErrNotFound, a uniqueness violation ErrExists, a lost race ErrConflict, and
// anything else ErrUnavailable.
func Fault(op string, err error, d Driver) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) || d.NotFound != nil && d.NotFound(err) {
		return &Error{Op: op, Kind: ErrNotFound}
	}
	if d.Exists != nil && d.Exists(err) {
		return &Error{Op: op, Kind: ErrExists}
	}
	if d.Conflict != nil && d.Conflict(err) {
		return &Error{Op: op, Kind: ErrConflict, Err: err}
	}
	return &Error{Op: op, Kind: ErrUnavailable, Err: err}
}

// Account is one tenant.
type Account struct {
	ID      string // 12 digits
	Name    string
	Created time.Time
}

// AccessKey is a long-term or temporary access key and whom it authenticates.
type AccessKey struct {
	ID           string // AKIA… (long-term) or ASIA… (temporary)
	Secret       string
	SessionToken string // temporary credentials only
	Account      string
	PrincipalARN string
	UserID       string
	Expires      time.Time // zero for long-term keys
	Created      time.Time
}

// Accounts stores accounts and their access keys.
type Accounts interface {
	CreateAccount(ctx context.Context, a Account) error // ErrExists when the id is taken
	Account(ctx context.Context, id string) (Account, error)
	ListAccounts(ctx context.Context) ([]Account, error) // by id
	PutAccessKey(ctx context.Context, k AccessKey) error // ErrExists when the id is taken
	AccessKey(ctx context.Context, id string) (AccessKey, error)
	DeleteAccessKey(ctx context.Context, id string) error
	ListAccessKeys(ctx context.Context, account string) ([]AccessKey, error)
}

// Store is a whole backend.
type Store interface {
	Accounts
	Queues
	MoveTasks
	Leases
	Outbox
	Notifier
	Identity
	Functions
	Objects
	Logs
	Secrets
	Topics
	EventBuses
	Schedules
	EventArchives
	APIGateway
	FileSystems
	Tables
	TableVersions
	Stacks
	Costs
	Metrics
	Backend() string // "sqlite" or "postgres"
	Driver() string  // the database driver built in, for the health report
	Ping(ctx context.Context) error
	Close() error
}

// WriteHealth is implemented by a store that knows when it cannot write, for the health report:
// WriteFault is nil while writes commit, and otherwise says why the last one failed (a sync that
// failed, a full disk). A store without it is judged by Ping alone.
type WriteHealth interface {
	WriteFault() error
}

// CommitObserver learns of each durable commit: how many writes it carried and how long it took.
type CommitObserver func(writes int, d time.Duration)

// UnixNanos is how both backends store a time: nanoseconds since 1970, 0 for the zero time.
func UnixNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromUnixNanos reverses UnixNanos.
func FromUnixNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Guard runs fn and turns a panic into an error, so that a fault in one write rolls back that
// write instead of leaving a transaction open or killing a writer goroutine.
func Guard(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Op: "write", Kind: ErrUnavailable, Err: fmt.Errorf("panic: %v\n%s", p, debug.Stack())}
		}
	}()
	return fn()
}
