package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/gureumtest"
	lambdasvc "github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// errCode is the AWS error code of err ("" for none).
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// otherAccount creates a second account of the server (gureum account create) and returns its
// id and its root's configuration.
func otherAccount(t testing.TB, srv *gureumtest.Server, name string) (string, aws.Config) {
	t.Helper()
	env := map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey}
	var out bytes.Buffer
	err := cli.Run(context.Background(), []string{"account", "create", "--name", name, "--output", "json", "--endpoint", srv.Endpoint},
		func(k string) string { return env[k] }, &out, &out)
	if err != nil {
		t.Fatalf("gureum account create: %v (%s)", err, out.String())
	}
	var a struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatalf("account create printed %q (%v)", out.String(), err)
	}
	return a.AccountId, gureumtest.ConfigFor(srv.Endpoint, a.AccessKeyId, a.SecretAccessKey, "")
}

// TestFunctionPolicy: AddPermission renders each principal and condition as Lambda does, per
// qualifier; GetPolicy returns the document and its revision; duplicates, stale revisions,
// $LATEST and a policy over 20 KB are refused with AWS's errors; RemovePermission removes.
func TestFunctionPolicy(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "pol", "python3.12", "app.handler", pyZip(t, versionHandler))
	v, err := f.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("pol")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("pol"), Name: aws.String("live"), FunctionVersion: v.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol")}); errCode(err) != "ResourceNotFoundException" {
		t.Fatalf("GetPolicy without a policy = %v; want ResourceNotFoundException", err)
	}
	arn := "arn:aws:lambda:us-east-1:000000000000:function:pol"
	cases := []struct {
		in   lambda.AddPermissionInput
		want string // the statement's JSON
	}{
		{lambda.AddPermissionInput{StatementId: aws.String("s3"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
			SourceArn: aws.String("arn:aws:s3:::bucket"), SourceAccount: aws.String("000000000000")},
			`{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + arn + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"},"StringEquals":{"AWS:SourceAccount":"000000000000"}}}`},
		{lambda.AddPermissionInput{StatementId: aws.String("acct"), Action: aws.String("lambda:GetFunction"), Principal: aws.String("111122223333")},
			`{"Sid":"acct","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"lambda:GetFunction","Resource":"` + arn + `"}`},
		{lambda.AddPermissionInput{StatementId: aws.String("org"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), PrincipalOrgID: aws.String("o-abcdefghij")},
			`{"Sid":"org","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + arn + `","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}}`},
		{lambda.AddPermissionInput{StatementId: aws.String("url"), Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: "NONE"},
			`{"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"` + arn + `","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}`},
		{lambda.AddPermissionInput{StatementId: aws.String("via"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true)},
			`{"Sid":"via","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + arn + `","Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}}`},
		{lambda.AddPermissionInput{StatementId: aws.String("alexa"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("alexa-connectedhome.amazon.com"), EventSourceToken: aws.String("amzn1.ask.skill.1")},
			`{"Sid":"alexa","Effect":"Allow","Principal":{"Service":"alexa-connectedhome.amazon.com"},"Action":"lambda:InvokeFunction","Resource":"` + arn + `","Condition":{"StringEquals":{"lambda:EventSourceToken":"amzn1.ask.skill.1"}}}`},
	}
	for _, tc := range cases {
		in := tc.in
		in.FunctionName = aws.String("pol")
		out, err := f.client.AddPermission(ctx, &in)
		if err != nil {
			t.Fatalf("AddPermission(%s) = %v", aws.ToString(in.StatementId), err)
		}
		if got := aws.ToString(out.Statement); got != tc.want {
			t.Errorf("AddPermission(%s).Statement = %s; want %s", aws.ToString(in.StatementId), got, tc.want)
		}
	}
	got, err := f.client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version, Id string
		Statement   []map[string]any
	}
	if err := json.Unmarshal([]byte(aws.ToString(got.Policy)), &doc); err != nil || doc.Version != "2012-10-17" || doc.Id != "default" || len(doc.Statement) != len(cases) {
		t.Fatalf("GetPolicy = %s (%v)", aws.ToString(got.Policy), err)
	}
	rev := aws.ToString(got.RevisionId)

	errs := []struct {
		name string
		in   lambda.AddPermissionInput
		want string
	}{
		{"duplicate", lambda.AddPermissionInput{StatementId: aws.String("s3"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")}, "ResourceConflictException"},
		{"stale revision", lambda.AddPermissionInput{StatementId: aws.String("x"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), RevisionId: aws.String("nope")}, "PreconditionFailedException"},
		{"$LATEST", lambda.AddPermissionInput{StatementId: aws.String("x"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), Qualifier: aws.String("$LATEST")}, "InvalidParameterValueException"},
		{"bad principal", lambda.AddPermissionInput{StatementId: aws.String("x"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("nobody")}, "InvalidParameterValueException"},
		{"bad action", lambda.AddPermissionInput{StatementId: aws.String("x"), Action: aws.String("sqs:SendMessage"), Principal: aws.String("*")}, "ValidationException"},
		{"bad sid", lambda.AddPermissionInput{StatementId: aws.String("a b"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")}, "ValidationException"},
		{"no version", lambda.AddPermissionInput{StatementId: aws.String("x"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), Qualifier: aws.String("9")}, "ResourceNotFoundException"},
	}
	for _, tc := range errs {
		in := tc.in
		in.FunctionName = aws.String("pol")
		if _, err := f.client.AddPermission(ctx, &in); errCode(err) != tc.want {
			t.Errorf("AddPermission(%s) = %v; want %s", tc.name, err, tc.want)
		}
	}
	// With the right revision it goes through and the revision changes.
	if _, err := f.client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("rev"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), RevisionId: aws.String(rev)}); err != nil {
		t.Fatalf("AddPermission with the current revision = %v", err)
	}
	// The alias's policy is its own.
	if _, err := f.client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("pol"), Qualifier: aws.String("live"), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	al, err := f.client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol"), Qualifier: aws.String("live")})
	if err != nil || !strings.Contains(aws.ToString(al.Policy), `"Resource":"`+arn+`:live"`) || strings.Contains(aws.ToString(al.Policy), "s3.amazonaws.com") {
		t.Errorf("GetPolicy(live) = %v, %v", aws.ToString(al.Policy), err)
	}
	// RemovePermission.
	if _, err := f.client.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("nope")}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("RemovePermission(unknown sid) = %v; want ResourceNotFoundException", err)
	}
	if _, err := f.client.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol"), Qualifier: aws.String("live"), StatementId: aws.String("s3")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol"), Qualifier: aws.String("live")}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetPolicy(live) after its last statement went = %v; want ResourceNotFoundException", err)
	}
	if _, err := f.client.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol"), Qualifier: aws.String("live"), StatementId: aws.String("s3")}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("RemovePermission without a policy = %v; want ResourceNotFoundException", err)
	}

	// A deleted alias takes its policy with it.
	if _, err := f.client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("pol"), Qualifier: aws.String("live"), StatementId: aws.String("again"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("pol"), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("pol"), Name: aws.String("live"), FunctionVersion: v.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol"), Qualifier: aws.String("live")}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetPolicy of a recreated alias = %v; want ResourceNotFoundException", err)
	}

	// 20 KB: statements are added until the policy would pass it.
	f.create(t, "big", "python3.12", "app.handler", pyZip(t, versionHandler))
	var last error
	for i := 0; i < 200 && last == nil; i++ {
		_, last = f.client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("big"), StatementId: aws.String(fmt.Sprintf("statement-%03d", i)),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::" + strings.Repeat("b", 40))})
	}
	if errCode(last) != "PolicyLengthExceededException" {
		t.Errorf("AddPermission past 20 KB = %v; want PolicyLengthExceededException", last)
	}
}

// TestCrossAccountInvoke: another account's root is refused a function until the function's
// policy names its account; then it invokes by ARN.
func TestCrossAccountInvoke(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	partnerID, partnerCfg := otherAccount(t, f.srv, "partner")
	partner := lambda.NewFromConfig(partnerCfg)
	f.create(t, "shared", "python3.12", "app.handler", pyZip(t, versionHandler))
	arn := "arn:aws:lambda:us-east-1:000000000000:function:shared"
	if _, err := partner.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(arn)}); errCode(err) != "AccessDeniedException" {
		t.Fatalf("Invoke from another account without a grant = %v; want AccessDeniedException", err)
	}
	if _, err := f.client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("shared"), StatementId: aws.String("partner"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String(partnerID)}); err != nil {
		t.Fatal(err)
	}
	out, err := partner.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(arn)})
	if err != nil {
		t.Fatalf("Invoke from the account the policy names = %v", err)
	}
	if !strings.Contains(string(out.Payload), `"arn": "`+arn+`"`) {
		t.Errorf("Invoke = %s", out.Payload)
	}
	// The grant is for invoking: the partner still may not read the function.
	if _, err := partner.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(arn)}); errCode(err) != "AccessDeniedException" {
		t.Errorf("GetFunction from the partner = %v; want AccessDeniedException", err)
	}
}

// TestCreateFunctionPassRole: a user needs iam:PassRole on the execution role to create a
// function with it.
func TestCreateFunctionPassRole(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	ic := awsiam.NewFromConfig(f.srv.Config())
	user := func(name, doc string) *lambda.Client {
		if _, err := ic.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := ic.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
		key, err := ic.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return lambda.NewFromConfig(gureumtest.ConfigFor(f.srv.Endpoint, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	}
	without := user("nopass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`)
	with := user("pass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"},{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+role+`"}]}`)
	in := func(name string) *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: "python3.12", Role: aws.String(role), Handler: aws.String("app.handler"),
			Code: &types.FunctionCode{ZipFile: pyZip(t, versionHandler)}}
	}
	if _, err := without.CreateFunction(ctx, in("a")); errCode(err) != "AccessDeniedException" {
		t.Errorf("CreateFunction without iam:PassRole = %v; want AccessDeniedException", err)
	}
	if _, err := with.CreateFunction(ctx, in("b")); err != nil {
		t.Errorf("CreateFunction with iam:PassRole = %v", err)
	}
}

// TestAuthorizeServiceInvoke: a service principal may invoke only as the function's policy
// allows it, under the policy's SourceArn and SourceAccount.
func TestAuthorizeServiceInvoke(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := lambdasvc.New(lambdasvc.Config{Store: st, Region: "us-east-1"})
	cfg, _ := json.Marshal(map[string]any{"FunctionName": "f", "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f"})
	if err := st.CreateFunction(ctx, store.Function{Account: "000000000000", Name: "f", ReservedConcurrency: -1},
		store.FunctionVersion{Account: "000000000000", Function: "f", Version: "$LATEST", Config: cfg}); err != nil {
		t.Fatal(err)
	}
	rctx := request.With(ctx, &request.Info{Principal: request.RootPrincipal("000000000000", "AK")})
	if _, err := svc.AddPermission(rctx, &lambdasvc.AddPermissionInput{FunctionName: "f", StatementId: "s3", Action: "lambda:InvokeFunction",
		Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::mine", SourceAccount: "000000000000"}); err != nil {
		t.Fatal(err)
	}
	fn := "arn:aws:lambda:us-east-1:000000000000:function:f"
	for _, tc := range []struct {
		principal, source, account string
		ok                         bool
	}{
		{"s3.amazonaws.com", "arn:aws:s3:::mine", "000000000000", true},
		{"s3.amazonaws.com", "arn:aws:s3:::theirs", "000000000000", false},
		{"s3.amazonaws.com", "arn:aws:s3:::mine", "111122223333", false},
		{"sns.amazonaws.com", "arn:aws:s3:::mine", "000000000000", false},
	} {
		err := svc.AuthorizeServiceInvoke(ctx, fn, tc.principal, tc.source, tc.account)
		if (err == nil) != tc.ok {
			t.Errorf("AuthorizeServiceInvoke(%s, %s, %s) = %v; want allowed %v", tc.principal, tc.source, tc.account, err, tc.ok)
		}
	}
}
