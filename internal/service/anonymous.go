package service

import "context"

type conditionsKey struct{}

// WithConditions returns ctx carrying a call's condition context. The router adds it for an
// anonymous caller, whom the authorizer leaves to the service (S3 decides with a bucket's policy
// and ACLs), so the service's policy conditions read the same keys the authorizer's would.
func WithConditions(ctx context.Context, c Conditions) context.Context {
	return context.WithValue(ctx, conditionsKey{}, c)
}

// ConditionsFrom returns the condition context WithConditions put in ctx, or nil.
func ConditionsFrom(ctx context.Context) Conditions {
	c, _ := ctx.Value(conditionsKey{}).(Conditions)
	return c
}
