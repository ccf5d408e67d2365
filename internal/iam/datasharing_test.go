package iam_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestDataSharingScenario is issue 23's partner workload with aws-sdk-go-v2: account A's
// workload assumes a role in the partner's account B that trusts A with an ExternalId, and with
// those credentials puts an object in B's bucket. A wrong or missing ExternalId, a principal of A
// not allowed to assume the role, a principal of B without the role's permissions, and a
// tampered session token are all refused; and the role's credentials reach nothing of B's beyond
// what the role allows.
func TestDataSharingScenario(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	partner := newAccount(t, srv, "partner")
	s3For := func(cfg aws.Config) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	}

	// B: the bucket, the role that trusts A with an ExternalId, its one permission.
	const bucket = "partner-data"
	if _, err := s3For(partner.Cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + gureumtest.AccountID + `:root"},` +
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-7731"}}}]}`
	biam := awsiam.NewFromConfig(partner.Cfg)
	role, err := biam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("ingest"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := aws.ToString(role.Role.Arn)
	if _, err := biam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("ingest"), PolicyName: aws.String("write"),
		PolicyDocument: aws.String(allowDoc("s3:PutObject", "arn:aws:s3:::"+bucket+"/incoming/*"))}); err != nil {
		t.Fatal(err)
	}
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/incoming/*"}]}`
	if _, err := s3For(partner.Cfg).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(bucketPolicy)}); err != nil {
		t.Fatal(err)
	}

	// A: the workload's identity may assume the partner's role; another may not.
	workload := newUser(t, srv, srv.Config(), "workload", allowDoc("sts:AssumeRole", roleARN))
	other := newUser(t, srv, srv.Config(), "other", allowDoc("s3:*", "*"))
	assume := func(cfg aws.Config, externalID string) (*sts.AssumeRoleOutput, error) {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("nightly"), DurationSeconds: aws.Int32(900)}
		if externalID != "" {
			in.ExternalId = aws.String(externalID)
		}
		return sts.NewFromConfig(cfg).AssumeRole(ctx, in)
	}
	for _, c := range []struct {
		name       string
		cfg        aws.Config
		externalID string
	}{
		{"wrong ExternalId", workload, "ext-0000"},
		{"no ExternalId", workload, ""},
		{"a principal of A without sts:AssumeRole", other, "ext-7731"},
	} {
		if _, err := assume(c.cfg, c.externalID); apiCode(err) != "AccessDenied" {
			t.Errorf("AssumeRole, %s = %v; want AccessDenied", c.name, err)
		}
	}
	got, err := assume(workload, "ext-7731")
	if err != nil {
		t.Fatalf("AssumeRole by A's workload with the ExternalId: %v", err)
	}
	cr := got.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || !strings.HasSuffix(aws.ToString(got.AssumedRoleUser.Arn), ":assumed-role/ingest/nightly") {
		t.Errorf("AssumeRole = %+v", got.AssumedRoleUser)
	}
	session := gureumtest.ConfigFor(srv.Endpoint, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	who, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != partner.ID {
		t.Errorf("GetCallerIdentity with the session = %v, %v; want the partner's account", who, err)
	}

	put := func(cfg aws.Config, key string) error {
		_, err := s3For(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("rows")})
		return err
	}
	if err := put(session, "incoming/2026-12-07.csv"); err != nil {
		t.Fatalf("PutObject with the assumed role: %v", err)
	}
	obj, err := s3For(partner.Cfg).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/2026-12-07.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(obj.Body); string(b) != "rows" {
		t.Errorf("the partner reads %q", b)
	}
	if err := put(session, "config/settings.json"); apiCode(err) != "AccessDenied" {
		t.Errorf("PutObject outside incoming/ with the role = %v; want AccessDenied", err)
	}
	if _, err := s3For(session).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/2026-12-07.csv")}); apiCode(err) != "AccessDenied" {
		t.Errorf("GetObject with the role (write-only) = %v; want AccessDenied", err)
	}
	bUser := newUser(t, srv, partner.Cfg, "analyst")
	if err := put(bUser, "incoming/x.csv"); apiCode(err) != "AccessDenied" {
		t.Errorf("PutObject by a user of B without permissions = %v; want AccessDenied", err)
	}
	tampered := []byte(aws.ToString(cr.SessionToken))
	tampered[len(tampered)/2] ^= 1
	forged := gureumtest.ConfigFor(srv.Endpoint, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), string(tampered))
	if err := put(forged, "incoming/forged.csv"); err == nil {
		t.Errorf("PutObject with a tampered session token succeeded")
	}
	noToken := gureumtest.ConfigFor(srv.Endpoint, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), "")
	if err := put(noToken, "incoming/untokened.csv"); err == nil {
		t.Errorf("PutObject with the session's key and no token succeeded")
	}
}
