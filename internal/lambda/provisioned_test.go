package lambda_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

const initTypeHandler = `
import os
def handler(event, context):
    return {"init": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE", "")}
`

// TestProvisionedConcurrency: a configuration on an alias starts its environments ahead
// (IN_PROGRESS, then READY) and invokes of the alias run in them; $LATEST is refused; the
// function's reservation bounds what may be provisioned and may not drop below it.
func TestProvisionedConcurrency(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "warm", "python3.12", "app.handler", pyZip(t, initTypeHandler))
	if _, err := f.client.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("warm"),
		Qualifier: aws.String("$LATEST"), ProvisionedConcurrentExecutions: aws.Int32(1)}); errCode(err) != "InvalidParameterValueException" {
		t.Errorf("PutProvisionedConcurrencyConfig($LATEST) = %v; want InvalidParameterValueException", err)
	}
	v, err := f.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("warm")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("warm"), Name: aws.String("live"), FunctionVersion: v.Version}); err != nil {
		t.Fatal(err)
	}
	put, err := f.client.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("warm"),
		Qualifier: aws.String("live"), ProvisionedConcurrentExecutions: aws.Int32(2)})
	if err != nil || aws.ToInt32(put.RequestedProvisionedConcurrentExecutions) != 2 || put.Status == types.ProvisionedConcurrencyStatusEnumFailed {
		t.Fatalf("PutProvisionedConcurrencyConfig = %+v, %v", put, err)
	}
	var got *lambda.GetProvisionedConcurrencyConfigOutput
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got, err = f.client.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("warm"), Qualifier: aws.String("live")}); err != nil {
			t.Fatal(err)
		}
		if got.Status != types.ProvisionedConcurrencyStatusEnumInProgress {
			break
		}
	}
	if got.Status != types.ProvisionedConcurrencyStatusEnumReady || aws.ToInt32(got.AvailableProvisionedConcurrentExecutions) != 2 || aws.ToInt32(got.AllocatedProvisionedConcurrentExecutions) != 2 {
		t.Fatalf("GetProvisionedConcurrencyConfig = %+v (%s)", got, aws.ToString(got.StatusReason))
	}
	if out := f.invoke(t, "warm:live", `{}`); !strings.Contains(string(out.Payload), `"provisioned-concurrency"`) {
		t.Errorf("Invoke of the provisioned alias = %s; want it run in a provisioned environment", out.Payload)
	}
	if out := f.invoke(t, "warm", `{}`); !strings.Contains(string(out.Payload), `"on-demand"`) {
		t.Errorf("Invoke of $LATEST = %s; want on-demand", out.Payload)
	}
	list, err := f.client.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("warm")})
	if err != nil || len(list.ProvisionedConcurrencyConfigs) != 1 || aws.ToString(list.ProvisionedConcurrencyConfigs[0].FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:warm:live" {
		t.Errorf("ListProvisionedConcurrencyConfigs = %+v, %v", list, err)
	}
	// The reservation and provisioned concurrency bound each other.
	if _, err := f.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("warm"), ReservedConcurrentExecutions: aws.Int32(1)}); errCode(err) != "InvalidParameterValueException" {
		t.Errorf("PutFunctionConcurrency below the provisioned = %v; want InvalidParameterValueException", err)
	}
	if _, err := f.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("warm"), ReservedConcurrentExecutions: aws.Int32(5)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("warm"),
		Qualifier: v.Version, ProvisionedConcurrentExecutions: aws.Int32(4)}); errCode(err) != "InvalidParameterValueException" {
		t.Errorf("PutProvisionedConcurrencyConfig past the reservation = %v; want InvalidParameterValueException", err)
	}
	if _, err := f.client.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("warm"), Qualifier: v.Version}); errCode(err) != "ProvisionedConcurrencyConfigNotFoundException" {
		t.Errorf("GetProvisionedConcurrencyConfig without one = %v; want ProvisionedConcurrencyConfigNotFoundException", err)
	}
	settings, err := f.client.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil || aws.ToInt32(settings.AccountLimit.UnreservedConcurrentExecutions) != 995 {
		t.Errorf("GetAccountSettings = %+v, %v", settings.AccountLimit, err)
	}
	if _, err := f.client.DeleteProvisionedConcurrencyConfig(ctx, &lambda.DeleteProvisionedConcurrencyConfigInput{FunctionName: aws.String("warm"), Qualifier: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("warm"), Qualifier: aws.String("live")}); errCode(err) != "ProvisionedConcurrencyConfigNotFoundException" {
		t.Errorf("GetProvisionedConcurrencyConfig after delete = %v", err)
	}
}

// TestProvisionedConcurrencyRestart: a restart rebuilds the configured pools by itself: the
// configuration is READY again (List does not start pools, so it proves the start-up did) and
// invokes run in environments initialised ahead, as provisioned-concurrency.
func TestProvisionedConcurrencyRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := &fixture{srv: gureumtest.Start(t, gureumtest.Options{DataDir: dir})}
	f.client = lambda.NewFromConfig(f.srv.Config())
	ctx := context.Background()
	f.create(t, "kept", "python3.12", "app.handler", pyZip(t, initTypeHandler))
	v, err := f.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("kept"),
		Qualifier: v.Version, ProvisionedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	provisionedReady(t, f, "kept")
	if err := f.srv.Stop(); err != nil {
		t.Fatal(err)
	}
	f.srv = gureumtest.Start(t, gureumtest.Options{DataDir: dir})
	f.client = lambda.NewFromConfig(f.srv.Config())
	provisionedReady(t, f, "kept")
	if out := f.invoke(t, "kept:"+aws.ToString(v.Version), `{}`); !strings.Contains(string(out.Payload), `"provisioned-concurrency"`) {
		t.Errorf("Invoke after the restart = %s; want it run in a provisioned environment", out.Payload)
	}
}

// provisionedReady waits until the function's one configuration is READY with all its
// environments, reading it through List.
func provisionedReady(t *testing.T, f *fixture, name string) {
	t.Helper()
	var c types.ProvisionedConcurrencyConfigListItem
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		list, err := f.client.ListProvisionedConcurrencyConfigs(context.Background(), &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String(name)})
		if err != nil || len(list.ProvisionedConcurrencyConfigs) != 1 {
			t.Fatalf("ListProvisionedConcurrencyConfigs = %+v, %v", list, err)
		}
		if c = list.ProvisionedConcurrencyConfigs[0]; c.Status != types.ProvisionedConcurrencyStatusEnumInProgress {
			break
		}
	}
	if c.Status != types.ProvisionedConcurrencyStatusEnumReady || aws.ToInt32(c.AvailableProvisionedConcurrentExecutions) != aws.ToInt32(c.RequestedProvisionedConcurrentExecutions) {
		t.Fatalf("provisioned concurrency = %s %d/%d (%s); want READY", c.Status, aws.ToInt32(c.AvailableProvisionedConcurrentExecutions),
			aws.ToInt32(c.RequestedProvisionedConcurrentExecutions), aws.ToString(c.StatusReason))
	}
}
