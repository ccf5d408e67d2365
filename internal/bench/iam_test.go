package bench

import (
	"context"
	"testing"

	"github.com/gureum/gureum/internal/iam"
)

// TestAuthorizerCases: every case the iam group times is an allowed request (a denial would be
// timed as an error path), and the 50-statement user really holds 50 statements.
func TestAuthorizerCases(t *testing.T) {
	ctx := context.Background()
	e, cases, closeStore, err := AuthorizerSetup(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	a := iam.RequestAuthorizer{Enforcer: e}
	for _, c := range cases {
		if err := a.Authorize(ctx, c.Principal, c.Checks, benchConditions{owner: benchOwner, doc: c.Policy}); err != nil {
			t.Errorf("%s: %v; want allowed", c.Name, err)
		}
	}
	// Without the queue's grant, the other account's user is refused: the case measures a grant.
	last := cases[len(cases)-1]
	if err := a.Authorize(ctx, last.Principal, last.Checks, benchConditions{owner: benchOwner}); err == nil {
		t.Errorf("%s without the queue policy: allowed; want denied", last.Name)
	}
}

func BenchmarkAuthorizer(b *testing.B) {
	ctx := context.Background()
	e, cases, closeStore, err := AuthorizerSetup(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer closeStore()
	a := iam.RequestAuthorizer{Enforcer: e}
	for _, c := range cases {
		b.Run(c.Name, func(b *testing.B) {
			cond := benchConditions{owner: benchOwner, doc: c.Policy}
			for i := 0; i < b.N; i++ {
				if err := a.Authorize(ctx, c.Principal, c.Checks, cond); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
