package store

import (
	"context"
	"time"
)

// StackTaskLease is the kind of the lease under which a stack's operation in progress runs
// (named by the stack id); CreateStack and UpdateStack add it with the stack when asked.
const StackTaskLease = "cloudformation.stack"

// Stack is one CloudFormation stack: the engine's document (template, parameters, resources,
// outputs, change sets, the operation in progress) under a revision that rises at every update.
type Stack struct {
	ID      string // the stack's ARN
	Account string
	Name    string
	Status  string
	Deleted bool // DELETE_COMPLETE: found by id only, its name free
	Rev     int64
	Doc     []byte
	Created time.Time
	Updated time.Time
}

// StackEvent is one event of a stack, numbered by Seq within it.
type StackEvent struct {
	StackID string
	Seq     int64
	Time    time.Time
	Doc     []byte
}

// Stacks stores CloudFormation stacks and their events.
type Stacks interface {
	// CreateStack stores s at rev 1 with its first events and, when task is true, a free lease
	// (StackTaskLease, named by s.ID) for a node to run its operation; ErrExists when a live
	// stack of the account has its name.
	CreateStack(ctx context.Context, s Stack, events []StackEvent, task bool) error
	// Stack reads a stack by id; ErrNotFound when there is none.
	Stack(ctx context.Context, id string) (Stack, error)
	// StackByName reads an account's live stack of that name; ErrNotFound when there is none.
	StackByName(ctx context.Context, account, name string) (Stack, error)
	// UpdateStack replaces the stack still at s.Rev (which becomes s.Rev+1), appending events
	// and, when task is true, adding the stack's task lease if it has none;
	// ErrConditionFailed when it changed meanwhile.
	UpdateStack(ctx context.Context, s Stack, events []StackEvent, task bool) error
	// ListStacks lists an account's stacks, deleted ones too when deleted is true, oldest first.
	ListStacks(ctx context.Context, account string, deleted bool) ([]Stack, error)
	// StackEvents lists up to limit events of a stack with Seq below before (0: from the
	// newest), newest first.
	StackEvents(ctx context.Context, stackID string, before int64, limit int) ([]StackEvent, error)
}
