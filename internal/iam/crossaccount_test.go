package iam_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/server"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

const (
	ownerAcct = "111122223333" // A: owns every resource the generated inputs name
	otherAcct = "444455556666" // B: its administrator reaches for them
	bucketA   = "owned-by-a"
)

// aimedAt is the identifier of A's resource a generated input puts in a field, by the field's
// name and the service: ARNs carry A's account, queue URLs A's path, buckets A's bucket (which
// the service reports A owns). Plain names ("QueueName", "UserName") are no cross-account
// reference, and get a name.
func aimedAt(svc, field string) (value string, names bool) {
	const region = "us-east-1"
	arn := func(service, rest string) string {
		return "arn:aws:" + service + ":" + region + ":" + ownerAcct + ":" + rest
	}
	switch field {
	case "QueueUrl":
		return "http://localhost:4566/" + ownerAcct + "/q", true
	case "Bucket":
		return bucketA, true
	case "FunctionName", "FunctionArn":
		return arn("lambda", "function:f"), true
	case "EventBusName":
		if svc == "events" {
			return arn("events", "event-bus/b"), true
		}
	case "SecretId":
		return arn("secretsmanager", "secret:s"), true
	case "KeyId", "DestinationKeyId", "SourceKeyId":
		return arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"), true
	case "RoleArn", "ExecutionRoleArn":
		return "arn:aws:iam::" + ownerAcct + ":role/r", true
	case "PolicyArn", "PermissionsBoundary":
		return "arn:aws:iam::" + ownerAcct + ":policy/p", true
	case "LogGroupIdentifier":
		return arn("logs", "log-group:g"), true
	case "QueueOwnerAWSAccountId":
		return ownerAcct, true
	}
	if !strings.HasSuffix(field, "Arn") && !strings.HasSuffix(field, "ARN") && !strings.HasSuffix(field, "Arns") {
		return "x", false
	}
	switch svc {
	case "sqs":
		return arn("sqs", "q"), true
	case "sns":
		if field == "SubscriptionArn" {
			return arn("sns", "t:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"), true
		}
		return arn("sns", "t"), true
	case "events":
		return arn("events", "event-bus/b"), true
	case "scheduler":
		return arn("scheduler", "schedule/default/s"), true
	case "lambda":
		return arn("lambda", "function:f"), true
	case "logs":
		return arn("logs", "log-group:g"), true
	case "kms":
		return arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"), true
	case "secretsmanager":
		return arn("secretsmanager", "secret:s"), true
	case "ssm":
		return arn("ssm", "parameter/p"), true
	case "s3":
		return "arn:aws:s3:::" + bucketA, true
	case "iam", "sts":
		return "arn:aws:iam::" + ownerAcct + ":role/r", true
	}
	return arn(svc, "thing/x"), true
}

// aim fills an input's string fields (and those of its nested structs and first list elements)
// with identifiers of A's resources; it reports whether any field names one.
func aim(svc string, v reflect.Value, depth int) bool {
	names := false
	t := v.Type()
	for i := 0; i < v.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		switch {
		case f.Type.Kind() == reflect.String:
			s, n := aimedAt(svc, f.Name)
			fv.SetString(s)
			names = names || n
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.String:
			s, n := aimedAt(svc, f.Name)
			fv.Set(reflect.ValueOf(&s))
			names = names || n
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
			s, n := aimedAt(svc, strings.TrimSuffix(f.Name, "s"))
			if strings.HasSuffix(f.Name, "Arns") || strings.HasSuffix(f.Name, "Arn") {
				s, n = aimedAt(svc, f.Name)
			}
			fv.Set(reflect.ValueOf([]string{s}).Convert(f.Type))
			names = names || n
		case depth < 3 && f.Type.Kind() == reflect.Struct:
			names = aim(svc, fv, depth+1) || names
		case depth < 3 && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
			fv.Set(reflect.New(f.Type.Elem()))
			names = aim(svc, fv.Elem(), depth+1) || names
		case depth < 3 && f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
			s := reflect.MakeSlice(f.Type, 1, 1)
			names = aim(svc, s.Index(0), depth+1) || names
			fv.Set(s)
		}
	}
	return names
}

// ownedByA is the Conditions of a request whose service reports A as the owner of every
// resource whose ARN carries no account (buckets, APIs) and no resource policy anywhere.
type ownedByA struct{}

func (ownedByA) Lookup(string) ([]string, bool) { return nil, false }

func (ownedByA) ResourcePolicies() service.ResourcePolicyFunc {
	return func(context.Context, string) (string, string, error) { return ownerAcct, "", nil }
}

// admins builds an enforcer over a store holding accounts A and B, each with a user "admin" that
// has AWS's AdministratorAccess attached, and A's "denied" with it and an explicit Deny of all.
func admins(t *testing.T) (a iam.RequestAuthorizer, adminA, adminB, deniedA *request.Principal) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	user := func(account, name string, inline ...string) *request.Principal {
		arn := "arn:aws:iam::" + account + ":user/" + name
		id := "AIDA" + strings.ToUpper(name) + account
		if err := st.CreateEntity(ctx, store.Entity{Account: account, Kind: store.KindUser, Name: name, ID: id, Path: "/", ARN: arn, Created: now}); err != nil {
			t.Fatal(err)
		}
		if err := st.Attach(ctx, store.Attachment{Account: account, Kind: store.KindUser, Entity: name, PolicyARN: "arn:aws:iam::aws:policy/AdministratorAccess"}); err != nil {
			t.Fatal(err)
		}
		for i, doc := range inline {
			if err := st.PutInlinePolicy(ctx, store.InlinePolicy{Account: account, Kind: store.KindUser, Entity: name, Name: fmt.Sprint("p", i), Document: doc}); err != nil {
				t.Fatal(err)
			}
		}
		return &request.Principal{Account: account, ARN: arn, UserID: id, AccessKeyID: "AKIA" + id[4:]}
	}
	for _, acct := range []string{ownerAcct, otherAcct} {
		if err := st.CreateAccount(ctx, store.Account{ID: acct, Name: acct, Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	a = iam.RequestAuthorizer{Enforcer: iam.NewEnforcer(st, func() time.Time { return now })}
	denyAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	return a, user(ownerAcct, "admin"), user(otherAcct, "admin"), user(ownerAcct, "denied", denyAll)
}

// TestCrossAccountEveryOperation is generated from the operation tables: for every served
// operation of every service, an input aimed at account A's resources (every ARN, queue URL,
// function and bucket it names is A's) is authorized as B's administrator (AdministratorAccess)
// and as A's. B is refused with AccessDenied, whatever the operation, when its input names A's
// resource; an operation whose input names A's resource must name it in its checks (else it
// would act on A's resource unchecked); A's administrator is never refused by authorization;
// and an explicit Deny refuses A's administrator every operation.
func TestCrossAccountEveryOperation(t *testing.T) {
	auth, adminA, adminB, deniedA := admins(t)
	n, crossing := 0, 0
	for _, svc := range server.Catalog() {
		for i := range svc.Operations {
			op := &svc.Operations[i]
			if !op.Implemented() || op.Action == "" {
				continue
			}
			n++
			name := svc.Name + "." + op.Name
			in := op.Handler.NewInput()
			names := aim(svc.Name, reflect.ValueOf(in).Elem(), 0)
			checksFor := func(p *request.Principal) (checks []service.Check, err error) {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("checks panicked: %v", r)
					}
				}()
				ctx := request.With(context.Background(), &request.Info{Host: "localhost:4566", Path: "/", Principal: p})
				return op.AuthChecks(ctx, in), nil
			}
			authorize := func(p *request.Principal) (bool, []service.Check, error) {
				checks, err := checksFor(p)
				if err != nil {
					return false, nil, err
				}
				ctx := request.With(context.Background(), &request.Info{Host: "localhost:4566", Path: "/", Principal: p})
				aimed := false
				for _, c := range checks {
					aimed = aimed || strings.Contains(c.Resource, ":"+ownerAcct+":") || strings.Contains(c.Resource, ":::"+bucketA) ||
						strings.Contains(c.Resource, "::"+ownerAcct+":")
				}
				return aimed, checks, auth.Authorize(ctx, p, checks, ownedByA{})
			}

			aimed, checks, err := authorize(adminB)
			switch {
			case errors.Is(err, errNoChecks):
			case aimed:
				crossing++
				if !accessDenied(err) {
					t.Errorf("%s as B's administrator on A's resource (checks %v) = %v; want AccessDenied", name, checks, err)
				}
			case names && knownUnchecked[name] == "":
				t.Errorf("%s: the input names A's resource but the checks %v do not: it would act on another account's resource unchecked", name, checks)
			case !names && knownUnchecked[name] != "":
				t.Errorf("%s is listed in knownUnchecked but names no resource", name)
			}
			if _, checks, err := authorize(adminA); err != nil {
				t.Errorf("%s as A's administrator (checks %v) = %v; want allowed", name, checks, err)
			}
			if _, checks, err := authorize(deniedA); len(checks) > 0 && !accessDenied(err) { // no checks: no permission needed (GetCallerIdentity)
				t.Errorf("%s as A's administrator under an explicit Deny (checks %v) = %v; want AccessDenied", name, checks, err)
			}
		}
	}
	if n < 300 || crossing < 150 {
		t.Errorf("checked %d operations, %d of them across accounts; want every served operation of every service", n, crossing)
	}
	t.Logf("%d operations; %d named A's resource in their checks and were refused to B", n, crossing)
}

var errNoChecks = errors.New("no checks")

func accessDenied(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Kind == awserr.AccessDenied
}

// knownUnchecked are operations whose input names another account's resource that their checks
// do not, each with why that is safe (the handler confines it to the caller's account, or it is
// a destination whose own policy is weighed when something is delivered there), or whose
// package owes the check (reported, not hidden: the test fails once the gap is closed and the
// entry is stale only if the input then names no resource).
var knownUnchecked = map[string]string{
	// IAM and STS resolve every entity by name in the caller's account; an ARN of another
	// account's policy is refused by the handler (NoSuchEntity).
	"iam.AttachGroupPolicy":          "handler: another account's policy is NoSuchEntity",
	"iam.AttachRolePolicy":           "handler: another account's policy is NoSuchEntity",
	"iam.AttachUserPolicy":           "handler: another account's policy is NoSuchEntity",
	"iam.DetachGroupPolicy":          "handler: detaches from the caller's own entity only",
	"iam.DetachRolePolicy":           "handler: detaches from the caller's own entity only",
	"iam.DetachUserPolicy":           "handler: detaches from the caller's own entity only",
	"iam.CreateRole":                 "handler: a boundary of another account is NoSuchEntity",
	"iam.CreateUser":                 "handler: a boundary of another account is NoSuchEntity",
	"iam.PutRolePermissionsBoundary": "handler: a boundary of another account is NoSuchEntity",
	"iam.PutUserPermissionsBoundary": "handler: a boundary of another account is NoSuchEntity",
	"iam.SimulateCustomPolicy":       "simulates documents the caller gives; ResourceArns are strings to simulate",
	"iam.SimulatePrincipalPolicy":    "handler: a PolicySourceArn of another account is InvalidInput",
	// Destinations and keys named in a configuration: a delivery there is authorized by the
	// destination's own policy (sqs.Source, iam.AuthorizeServicePrincipal).
	"cloudwatch.PutMetricAlarm": "AlarmActions/OKActions/InsufficientDataActions: SNS topics, published to as cloudwatch.amazonaws.com under the topic's policy (sns.PublishFrom)",
	"events.CreateEventBus":     "DeadLetterConfig.Arn: a destination",
	"events.UpdateEventBus":     "DeadLetterConfig.Arn: a destination",
	"events.ListArchives":       "handler: lists the caller's archives (EventSourceArn filters)",
	"events.ListReplays":        "handler: lists the caller's replays (EventSourceArn filters)",
	"events.StartReplay":        "handler: replays the caller's archives only",
	"scheduler.CreateSchedule":  "Target.Arn and RoleArn: the destination, reached with the schedule's role",
	"scheduler.UpdateSchedule":  "Target.Arn and RoleArn: the destination, reached with the schedule's role",
	"ssm.PutParameter":          "KeyId: KMS authorizes the key's use",
	// Owed by packages other than identity's (see the report): their checks name "*" or the
	// caller's account for a resource the input names by ARN.
	"dynamodb.ListBackups":           "dynamodb: a list filtered by table name, authorized on * as AWS does; it lists the caller's own",
	"dynamodbstreams.ListStreams":    "dynamodb: a list filtered by table name, authorized on * as AWS does; it lists the caller's own",
	"cloudformation.CreateStack":     "cloudformation: notification ARNs are not in the checks (a destination, published to as the stack)",
	"cloudformation.UpdateStack":     "cloudformation: notification ARNs are not in the checks (a destination, published to as the stack)",
	"cloudformation.CreateChangeSet": "cloudformation: notification ARNs are not in the checks (a destination, published to as the stack)",
	// API Gateway: a domain's certificate must be its account's own (domain.OwnCertificate); a
	// Cognito authorizer may trust another account's user pool, as AWS allows (it reads only the
	// pool's public keys to verify tokens).
	"apigateway.CreateDomainName":   "handler: a certificate of another account is BadRequestException",
	"apigatewayv2.CreateDomainName": "handler: a certificate of another account is BadRequestException",
	"apigatewayv2.UpdateDomainName": "handler: a certificate of another account is BadRequestException",
	"apigateway.CreateAuthorizer":   "ProviderARNs: Cognito user pools whose tokens the authorizer verifies; another account's is allowed, as in AWS",
}
