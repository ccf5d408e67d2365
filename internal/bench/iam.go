package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// AuthorizerCase is one authorization the iam group times: a principal and the checks of one
// request, with the resource policy its service would report.
type AuthorizerCase struct {
	Name      string
	Principal *request.Principal
	Checks    []service.Check
	Policy    string // the queue's policy, "" for none
}

// benchConditions is the Conditions of a request to a service holding resource policies: doc
// for every resource, its owner the first account.
type benchConditions struct{ owner, doc string }

// Lookup answers aws:SecureTransport as a plain-HTTP request would; the benchmark's statements
// all ask for it.
func (benchConditions) Lookup(key string) ([]string, bool) {
	if strings.EqualFold(key, "aws:SecureTransport") {
		return []string{"false"}, true
	}
	return nil, false
}

func (c benchConditions) ResourcePolicies() service.ResourcePolicyFunc {
	return func(context.Context, string) (string, string, error) { return c.owner, c.doc, nil }
}

const (
	benchOwner = "111111111111"
	benchOther = "222222222222"
	benchQueue = "arn:aws:sqs:us-east-1:" + benchOwner + ":orders"
)

// AuthorizerSetup makes a store in dir with two accounts and a user of the first with 50 policy
// statements (five inline policies of ten, the last allowing sqs:SendMessage on the queue), a user
// of the second allowed the same, and returns the enforcer and the cases the group times: the
// root's fast path, the 50-statement user, that user under a queue policy, and a caller of the
// other account granted by the queue's policy.
func AuthorizerSetup(ctx context.Context, dir string) (*iam.Enforcer, []AuthorizerCase, func(), error) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, "iam.db"), sqlite.Options{})
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	user := func(account, name string, docs []string) (*request.Principal, error) {
		arn := "arn:aws:iam::" + account + ":user/" + name
		id := "AIDA" + strings.ToUpper(name) + account
		if err := st.CreateEntity(ctx, store.Entity{Account: account, Kind: store.KindUser, Name: name, ID: id, Path: "/", ARN: arn, Created: now}); err != nil {
			return nil, err
		}
		for i, d := range docs {
			if err := st.PutInlinePolicy(ctx, store.InlinePolicy{Account: account, Kind: store.KindUser, Entity: name, Name: fmt.Sprint("p", i), Document: d}); err != nil {
				return nil, err
			}
		}
		return &request.Principal{Account: account, ARN: arn, UserID: id, AccessKeyID: "AKIA" + id[4:]}, nil
	}
	for _, a := range []string{benchOwner, benchOther} {
		if err := st.CreateAccount(ctx, store.Account{ID: a, Name: a, Created: now}); err != nil {
			st.Close()
			return nil, nil, nil, err
		}
	}
	var docs []string
	for p := 0; p < 5; p++ {
		var stmts []string
		for s := 0; s < 10; s++ {
			action, resource := "sqs:ReceiveMessage", fmt.Sprintf("arn:aws:sqs:us-east-1:%s:queue-%d-%d", benchOwner, p, s)
			if p == 4 && s == 9 {
				action, resource = "sqs:SendMessage", benchQueue
			}
			stmts = append(stmts, `{"Effect":"Allow","Action":"`+action+`","Resource":"`+resource+`","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
		}
		docs = append(docs, `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`)
	}
	u, err := user(benchOwner, "fifty", docs)
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	o, err := user(benchOther, "partner", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`})
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + benchOther + `"},"Action":"sqs:SendMessage","Resource":"` + benchQueue + `"}]}`
	send := []service.Check{{Action: "sqs:SendMessage", Resource: benchQueue}}
	cases := []AuthorizerCase{
		{Name: "root of the queue's account (fast path)", Principal: request.RootPrincipal(benchOwner, "AKIAROOT"), Checks: send},
		{Name: "user with 50 statements", Principal: u, Checks: send},
		{Name: "user with 50 statements, queue with a policy", Principal: u, Checks: send, Policy: grant},
		{Name: "another account's user, granted by the queue's policy", Principal: o, Checks: send, Policy: grant},
	}
	return iam.NewEnforcer(st, nil), cases, func() { st.Close() }, nil
}

// TimeAuthorizer times n authorizations of a case (after a warm-up that fills the caches) and
// returns the p50 and p99 of batches of 100, per authorization.
func TimeAuthorizer(ctx context.Context, a interface {
	Authorize(context.Context, *request.Principal, []service.Check, service.Conditions) error
}, c AuthorizerCase, n int) (p50, p99 time.Duration, err error) {
	cond := benchConditions{owner: benchOwner, doc: c.Policy}
	for i := 0; i < 100; i++ {
		if err := a.Authorize(ctx, c.Principal, c.Checks, cond); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", c.Name, err)
		}
	}
	const batch = 100
	var ds []time.Duration
	for i := 0; i < n/batch; i++ {
		start := time.Now()
		for j := 0; j < batch; j++ {
			a.Authorize(ctx, c.Principal, c.Checks, cond)
		}
		ds = append(ds, time.Since(start)/batch)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], ds[len(ds)*99/100], nil
}

// RunIAM measures what identity enforcement costs a request: the authorizer's time per request
// for the root's fast path, a principal with 50 policy statements, with a resource policy, and
// across accounts, beside the floor of an authorizer that decides nothing (--iam-enforcement=false).
func RunIAM(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench-iam")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	e, cases, closeStore, err := AuthorizerSetup(ctx, dir)
	if err != nil {
		return err
	}
	defer closeStore()
	var tbl table
	const n = 200000
	p50, p99, err := TimeAuthorizer(ctx, iam.Unenforced{}, cases[0], n)
	if err != nil {
		return err
	}
	tbl.add("iam", "authorization per request, floor: enforcement off (p50 / p99)", us(p50)+" / "+us(p99), "")
	for _, c := range cases {
		p50, p99, err := TimeAuthorizer(ctx, iam.RequestAuthorizer{Enforcer: e}, c, n)
		if err != nil {
			return err
		}
		tgt := ""
		if strings.Contains(c.Name, "50 statements") {
			tgt = "≤ 20 µs p50"
		}
		tbl.add("iam", "authorization per request: "+c.Name+" (p50 / p99)", us(p50)+" / "+us(p99), tgt)
	}
	return tbl.print(o.Out)
}
