package lambda_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const versionHandler = `
import os
def handler(event, context):
    return {"v": os.environ.get("V", ""), "version": context.function_version, "arn": context.invoked_function_arn}
`

func pyZip(t testing.TB, src string) []byte {
	return zipOf(t, map[string][]byte{"app.py": []byte(src)})
}

func TestCreateFunctionErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	code := pyZip(t, versionHandler)
	f.create(t, "dup", "python3.12", "app.handler", code)
	cases := []struct {
		name string
		in   lambda.CreateFunctionInput
		want string
	}{
		{"duplicate", lambda.CreateFunctionInput{FunctionName: aws.String("dup")}, "ResourceConflictException"},
		{"unknown runtime", lambda.CreateFunctionInput{Runtime: "cobol85"}, "InvalidParameterValueException"},
		{"deprecated runtime", lambda.CreateFunctionInput{Runtime: "python2.7"}, "InvalidParameterValueException"},
		{"runtime gureum lacks", lambda.CreateFunctionInput{Runtime: "java21"}, "InvalidParameterValueException"},
		{"memory too small", lambda.CreateFunctionInput{MemorySize: aws.Int32(64)}, "ValidationException"},
		{"timeout too long", lambda.CreateFunctionInput{Timeout: aws.Int32(901)}, "ValidationException"},
		{"image", lambda.CreateFunctionInput{PackageType: types.PackageTypeImage}, "InvalidParameterValueException"},
		{"bad zip", lambda.CreateFunctionInput{Code: &types.FunctionCode{ZipFile: []byte("not a zip")}}, "InvalidParameterValueException"},
		{"bad role", lambda.CreateFunctionInput{Role: aws.String("nobody")}, "ValidationException"},
		{"reserved env", lambda.CreateFunctionInput{Environment: &types.Environment{Variables: map[string]string{"AWS_REGION": "x"}}}, "InvalidParameterValueException"},
		{"env over 4 KB", lambda.CreateFunctionInput{Environment: &types.Environment{Variables: map[string]string{"BIG": strings.Repeat("x", 5000)}}}, "InvalidParameterValueException"},
	}
	for _, tc := range cases {
		in := tc.in
		if in.FunctionName == nil {
			in.FunctionName = aws.String("f-" + strings.ReplaceAll(tc.name, " ", "-"))
		}
		if in.Runtime == "" {
			in.Runtime = "python3.12"
		}
		if in.Role == nil {
			in.Role = aws.String(role)
		}
		in.Handler = aws.String("app.handler")
		if in.Code == nil {
			in.Code = &types.FunctionCode{ZipFile: code}
		}
		_, err := f.client.CreateFunction(ctx, &in)
		if got := errorCode(err); got != tc.want {
			t.Errorf("CreateFunction(%s) = %v; want %s", tc.name, err, tc.want)
		}
	}
	_, err := f.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
	if errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetFunction(missing) = %v; want ResourceNotFoundException", err)
	}
}

func TestFunctionLifecycle(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	code := pyZip(t, versionHandler)
	created := f.create(t, "life", "python3.13", "app.handler", code, func(in *lambda.CreateFunctionInput) {
		in.Tags = map[string]string{"team": "core"}
		in.Environment = &types.Environment{Variables: map[string]string{"V": "one"}}
	})
	if created.State != types.StateActive || created.LastUpdateStatus != types.LastUpdateStatusSuccessful || aws.ToString(created.Version) != "$LATEST" {
		t.Errorf("CreateFunction = state %s, update %s, version %s", created.State, created.LastUpdateStatus, aws.ToString(created.Version))
	}
	if err := lambda.NewFunctionActiveV2Waiter(f.client).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")}, 5*time.Second); err != nil {
		t.Errorf("FunctionActiveV2 waiter: %v", err)
	}
	got, err := f.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")})
	if err != nil || got.Tags["team"] != "core" || aws.ToString(got.Configuration.CodeSha256) != aws.ToString(created.CodeSha256) {
		t.Fatalf("GetFunction = %+v, %v", got, err)
	}
	resp, err := http.Get(aws.ToString(got.Code.Location))
	if err != nil {
		t.Fatal(err)
	}
	zipBack, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(zipBack) != string(code) {
		t.Errorf("Code.Location download: %d, %d bytes; want the %d-byte zip", resp.StatusCode, len(zipBack), len(code))
	}
	// UpdateFunctionConfiguration with a stale RevisionId fails; with the current one it works.
	_, err = f.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("life"), RevisionId: aws.String("stale")})
	if errorCode(err) != "PreconditionFailedException" {
		t.Errorf("UpdateFunctionConfiguration(stale revision) = %v", err)
	}
	upd, err := f.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("life"),
		RevisionId: got.Configuration.RevisionId, Environment: &types.Environment{Variables: map[string]string{"V": "two"}}, MemorySize: aws.Int32(256)})
	if err != nil || aws.ToInt32(upd.MemorySize) != 256 {
		t.Fatalf("UpdateFunctionConfiguration = %v", err)
	}
	if err := lambda.NewFunctionUpdatedV2Waiter(f.client).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")}, 5*time.Second); err != nil {
		t.Errorf("FunctionUpdatedV2 waiter: %v", err)
	}
	if out := f.invoke(t, "life", `{}`); !strings.Contains(string(out.Payload), `"v": "two"`) {
		t.Errorf("Invoke after the update = %s", out.Payload)
	}
	if _, err := f.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("life"),
		ZipFile: pyZip(t, strings.ReplaceAll(versionHandler, `"v"`, `"w"`))}); err != nil {
		t.Fatal(err)
	}
	if out := f.invoke(t, "life", `{}`); !strings.Contains(string(out.Payload), `"w": "two"`) {
		t.Errorf("Invoke after UpdateFunctionCode = %s", out.Payload)
	}
	list, err := f.client.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionName) != "life" {
		t.Errorf("ListFunctions = %+v, %v", list, err)
	}
	if _, err := f.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("life")}); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("life")})
	if errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("Invoke(deleted) = %v", err)
	}
}

func TestListFunctionsPages(t *testing.T) {
	f := start(t)
	code := pyZip(t, versionHandler)
	for _, n := range []string{"a", "b", "c"} {
		f.create(t, n, "python3.12", "app.handler", code)
	}
	var names []string
	p := lambda.NewListFunctionsPaginator(f.client, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range page.Functions {
			names = append(names, aws.ToString(fn.FunctionName))
		}
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Errorf("ListFunctions pages = %v", names)
	}
}

func TestVersionsAndAliases(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "ver", "python3.12", "app.handler", pyZip(t, versionHandler), func(in *lambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"V": "one"}}
	})
	v1, err := f.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver")})
	if err != nil || aws.ToString(v1.Version) != "1" {
		t.Fatalf("PublishVersion = %v, %v", v1, err)
	}
	if _, err := f.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), CodeSha256: aws.String("wrong")}); errorCode(err) != "InvalidParameterValueException" {
		t.Errorf("PublishVersion(wrong sha) = %v", err)
	}
	f.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("ver"),
		Environment: &types.Environment{Variables: map[string]string{"V": "two"}}})
	v2, err := f.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver")})
	if err != nil || aws.ToString(v2.Version) != "2" {
		t.Fatalf("PublishVersion #2 = %v, %v", v2, err)
	}
	vs, err := f.client.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("ver")})
	if err != nil || len(vs.Versions) != 3 {
		t.Errorf("ListVersionsByFunction = %v, %v", vs, err)
	}
	out := f.invoke(t, "ver", `{}`, func(in *lambda.InvokeInput) { in.Qualifier = aws.String("1") })
	if !strings.Contains(string(out.Payload), `"v": "one"`) || aws.ToString(out.ExecutedVersion) != "1" {
		t.Errorf("Invoke(:1) = %s, version %s", out.Payload, aws.ToString(out.ExecutedVersion))
	}
	_, err = f.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live"), FunctionVersion: aws.String("1"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := 0; i < 40; i++ {
		out := f.invoke(t, "ver:live", `{}`)
		seen[aws.ToString(out.ExecutedVersion)]++
	}
	if seen["1"] == 0 || seen["2"] == 0 {
		t.Errorf("a 50%% weighted alias ran versions %v", seen)
	}
	if _, err := f.client.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live"), FunctionVersion: aws.String("2"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{}}}); err != nil {
		t.Fatal(err)
	}
	if out := f.invoke(t, "ver", `{}`, func(in *lambda.InvokeInput) { in.Qualifier = aws.String("live") }); aws.ToString(out.ExecutedVersion) != "2" {
		t.Errorf("Invoke(:live) after UpdateAlias ran version %s", aws.ToString(out.ExecutedVersion))
	}
	if _, err := f.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("2")}); errorCode(err) != "ResourceConflictException" {
		t.Errorf("DeleteFunction(version an alias uses) = %v", err)
	}
	al, err := f.client.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("ver")})
	if err != nil || len(al.Aliases) != 1 {
		t.Errorf("ListAliases = %v, %v", al, err)
	}
	if _, err := f.client.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live")}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("GetAlias(deleted) = %v", err)
	}
}

func TestConcurrencyTagsAndSettings(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	fn := f.create(t, "conc", "python3.12", "app.handler", pyZip(t, versionHandler))
	if _, err := f.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("conc"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("conc")}, func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	var tmr *types.TooManyRequestsException
	if errorCode(err) != "TooManyRequestsException" || !asErr(err, &tmr) || tmr.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("Invoke with reserved concurrency 0 = %v", err)
	}
	got, err := f.client.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("conc")})
	if err != nil || aws.ToInt32(got.ReservedConcurrentExecutions) != 0 || got.ReservedConcurrentExecutions == nil {
		t.Errorf("GetFunctionConcurrency = %v, %v", got, err)
	}
	if _, err := f.client.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("conc")}); err != nil {
		t.Fatal(err)
	}
	if out := f.invoke(t, "conc", `{}`, func(in *lambda.InvokeInput) { in.InvocationType = types.InvocationTypeDryRun }); out.StatusCode != 204 {
		t.Errorf("DryRun status = %d; want 204", out.StatusCode)
	}
	arn := fn.FunctionArn
	if _, err := f.client.TagResource(ctx, &lambda.TagResourceInput{Resource: arn, Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.UntagResource(ctx, &lambda.UntagResourceInput{Resource: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := f.client.ListTags(ctx, &lambda.ListTagsInput{Resource: arn})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["b"] != "2" {
		t.Errorf("ListTags = %v, %v", tags, err)
	}
	settings, err := f.client.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil || aws.ToInt64(&settings.AccountUsage.FunctionCount) != 1 || settings.AccountLimit.ConcurrentExecutions != 1000 {
		t.Errorf("GetAccountSettings = %+v, %v", settings, err)
	}
	_, err = f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("conc"), Payload: make([]byte, 6*1024*1024+1)})
	if errorCode(err) != "RequestTooLargeException" {
		t.Errorf("Invoke(6 MB + 1) = %v", err)
	}
}

func TestReservedConcurrencyThrottles(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "one", "provided.al2023", "bootstrap", zipOf(t, map[string][]byte{"bootstrap*": goBootstrap(t)}))
	if _, err := f.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("one"), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	f.invoke(t, "one", `{"echo":"warm"}`)
	done := make(chan error, 1)
	go func() {
		_, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("one"), Payload: []byte(`{"sleep_ms":800}`)})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	_, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("one"), Payload: []byte(`{}`)}, func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	var tmr *types.TooManyRequestsException
	if !asErr(err, &tmr) || tmr.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("second concurrent Invoke under reserved concurrency 1 = %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("first Invoke: %v", err)
	}
}
