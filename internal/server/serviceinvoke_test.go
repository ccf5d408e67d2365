package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Init() // the function sandboxes re-run this binary
	os.Exit(m.Run())
}

// probeFunction marks that it ran by logging the marker its event carries (an SNS message, an
// EventBridge detail's "marker"); it answers an API Gateway proxy response, and allows every
// Lambda authorizer call.
const probeFunction = `
def marker(event):
    if "Records" in event:
        return event["Records"][0]["Sns"]["Message"]
    if isinstance(event.get("detail"), dict):
        return event["detail"].get("marker")
    return event.get("marker")
def handler(event, context):
    if event.get("type") in ("TOKEN", "REQUEST"):
        return {"principalId": "probe", "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": event["methodArn"]}]}}
    m = marker(event)
    if m:
        print("RAN-" + m)
    return {"statusCode": 200, "body": "ran"}
`

type invokeFixture struct {
	t   *testing.T
	srv *gureumtest.Server
	cfg aws.Config
	fns *lambda.Client
	q   *sqs.Client
	arn string // the probe function's ARN
}

var ctxb = context.Background()

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// newInvokeFixture starts a server with the probe function "probe".
func newInvokeFixture(t *testing.T) *invokeFixture {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	f := &invokeFixture{t: t, srv: srv, cfg: srv.Config()}
	f.fns, f.q = lambda.NewFromConfig(f.cfg), sqs.NewFromConfig(f.cfg)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("app.py")
	w.Write([]byte(probeFunction))
	zw.Close()
	out, err := f.fns.CreateFunction(ctxb, &lambda.CreateFunctionInput{FunctionName: aws.String("probe"), Runtime: ltypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::000000000000:role/lambda-role"), Handler: aws.String("app.handler"),
		Code: &ltypes.FunctionCode{ZipFile: buf.Bytes()}, Timeout: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	f.arn = aws.ToString(out.FunctionArn)
	return f
}

// permit adds a statement to the probe's policy.
func (f *invokeFixture) permit(sid, principal, sourceARN, sourceAccount string) {
	f.t.Helper()
	in := &lambda.AddPermissionInput{FunctionName: aws.String("probe"), StatementId: aws.String(sid), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String(principal)}
	if sourceARN != "" {
		in.SourceArn = aws.String(sourceARN)
	}
	if sourceAccount != "" {
		in.SourceAccount = aws.String(sourceAccount)
	}
	if _, err := f.fns.AddPermission(ctxb, in); err != nil {
		f.t.Fatal(err)
	}
}

// unpermit removes a statement from the probe's policy.
func (f *invokeFixture) unpermit(sid string) {
	f.t.Helper()
	if _, err := f.fns.RemovePermission(ctxb, &lambda.RemovePermissionInput{FunctionName: aws.String("probe"), StatementId: aws.String(sid)}); err != nil {
		f.t.Fatal(err)
	}
}

// ran reports whether the probe ran for marker (its log says so).
func (f *invokeFixture) ran(marker string) bool {
	out, err := cloudwatchlogs.NewFromConfig(f.cfg).FilterLogEvents(ctxb, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/probe"),
		FilterPattern: aws.String(`"RAN-` + marker + `"`)})
	return err == nil && len(out.Events) > 0
}

// waitRan waits for the probe to run for marker.
func (f *invokeFixture) waitRan(marker string) {
	f.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if f.ran(marker) {
			return
		}
	}
	f.t.Fatalf("the function did not run for %s\nlogs:\n%s", marker, f.srv.Logs.String())
}

// queue creates a queue and answers its URL and ARN.
func (f *invokeFixture) queue(name string) (string, string) {
	f.t.Helper()
	out, err := f.q.CreateQueue(ctxb, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		f.t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl), "arn:aws:sqs:us-east-1:000000000000:" + name
}

// deadLetter waits for one message on a dead-letter queue and answers it with its attributes.
func (f *invokeFixture) deadLetter(url string) (string, map[string]string) {
	f.t.Helper()
	for deadline := time.Now().Add(150 * time.Second); time.Now().Before(deadline); {
		out, err := f.q.ReceiveMessage(ctxb, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1, MaxNumberOfMessages: 1,
			MessageAttributeNames: []string{"All"}})
		if err != nil {
			f.t.Fatal(err)
		}
		if len(out.Messages) == 1 {
			m := out.Messages[0]
			f.q.DeleteMessage(ctxb, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			attrs := map[string]string{}
			for k, v := range m.MessageAttributes {
				attrs[k] = aws.ToString(v.StringValue)
			}
			return aws.ToString(m.Body), attrs
		}
	}
	f.t.Fatalf("nothing reached the dead-letter queue %s\nlogs:\n%s", url, f.srv.Logs.String())
	return "", nil
}

// TestSNSInvokesOnlyAsTheFunctionPolicyAllows: an SNS delivery to a function needs the
// function's policy to allow sns.amazonaws.com for the topic. Refused, it is a client-side
// error: not retried, the function does not run, and the message goes to the subscription's
// dead-letter queue.
func TestSNSInvokesOnlyAsTheFunctionPolicyAllows(t *testing.T) {
	t.Parallel()
	f := newInvokeFixture(t)
	topics := sns.NewFromConfig(f.cfg)
	topic, err := topics.CreateTopic(ctxb, &sns.CreateTopicInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	dlqURL, dlqARN := f.queue("sns-dlq")
	if _, err := topics.Subscribe(ctxb, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(f.arn),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`}}); err != nil {
		t.Fatal(err)
	}
	publish := func(marker string) {
		t.Helper()
		if _, err := topics.Publish(ctxb, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(marker)}); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(marker string) {
		t.Helper()
		publish(marker)
		body, _ := f.deadLetter(dlqURL)
		if !strings.Contains(body, marker) {
			t.Fatalf("dead letter = %s; want the message %s", body, marker)
		}
		if f.ran(marker) {
			t.Fatalf("the function ran for %s, which its policy does not allow", marker)
		}
	}
	refused("no-permission")
	f.permit("other-topic", "sns.amazonaws.com", "arn:aws:sns:us-east-1:000000000000:other", "")
	refused("other-topic")
	f.permit("orders", "sns.amazonaws.com", aws.ToString(topic.TopicArn), "000000000000")
	publish("allowed")
	f.waitRan("allowed")
}

// TestEventBridgeInvokesOnlyAsTheFunctionPolicyAllows: a rule's Lambda target runs only when
// the function's policy allows events.amazonaws.com for the rule (a refused delivery is a
// NO_PERMISSIONS failure, not retried, to the target's dead-letter queue), or, when the target
// names a RoleArn, when that role may invoke the function.
func TestEventBridgeInvokesOnlyAsTheFunctionPolicyAllows(t *testing.T) {
	t.Parallel()
	f := newInvokeFixture(t)
	eb := eventbridge.NewFromConfig(f.cfg)
	rule, err := eb.PutRule(ctxb, &eventbridge.PutRuleInput{Name: aws.String("probe"), EventPattern: aws.String(`{"source":["test.probe"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	dlqURL, dlqARN := f.queue("events-dlq")
	target := func(role string) {
		t.Helper()
		tg := ebtypes.Target{Id: aws.String("probe"), Arn: aws.String(f.arn), DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(dlqARN)},
			RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)}}
		if role != "" {
			tg.RoleArn = aws.String(role)
		}
		if out, err := eb.PutTargets(ctxb, &eventbridge.PutTargetsInput{Rule: aws.String("probe"), Targets: []ebtypes.Target{tg}}); err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutTargets = %+v, %v", out, err)
		}
	}
	put := func(marker string) {
		t.Helper()
		out, err := eb.PutEvents(ctxb, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("test.probe"),
			DetailType: aws.String("probe"), Detail: aws.String(`{"marker":"` + marker + `"}`)}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents = %+v, %v", out, err)
		}
	}
	refused := func(marker string) {
		t.Helper()
		put(marker)
		body, attrs := f.deadLetter(dlqURL)
		if !strings.Contains(body, marker) || attrs["ERROR_CODE"] != "NO_PERMISSIONS" {
			t.Fatalf("dead letter = %s %v; want the event with ERROR_CODE NO_PERMISSIONS", body, attrs)
		}
		if f.ran(marker) {
			t.Fatalf("the function ran for %s, which its policy does not allow", marker)
		}
	}
	target("")
	refused("no-permission")
	f.permit("other-rule", "events.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/other", "")
	refused("other-rule")
	f.permit("rule", "events.amazonaws.com", aws.ToString(rule.RuleArn), "")
	put("allowed")
	f.waitRan("allowed")

	// With a RoleArn EventBridge acts as the role: the function's policy for the service does not
	// matter, the role's permissions do.
	f.unpermit("rule")
	role := createRole(t, f.cfg, "events-invoke", "events.amazonaws.com", "")
	target(role)
	refused("role-without-permission")
	createRole(t, f.cfg, "events-invoke-ok", "events.amazonaws.com", f.arn)
	target("arn:aws:iam::000000000000:role/events-invoke-ok")
	put("role-allowed")
	f.waitRan("role-allowed")
}

// TestAPIGatewayInvokesOnlyAsTheFunctionPolicyAllows: a REST API's Lambda proxy integration and
// an HTTP API's route answer 500 "Internal server error" (the execution log naming the
// function's permissions) until the function's policy allows apigateway.amazonaws.com for the
// method's execute-api ARN; a Lambda authorizer needs it for the authorizer's ARN.
func TestAPIGatewayInvokesOnlyAsTheFunctionPolicyAllows(t *testing.T) {
	t.Parallel()
	f := newInvokeFixture(t)
	gw := apigateway.NewFromConfig(f.cfg)
	api, err := gw.CreateRestApi(ctxb, &apigateway.CreateRestApiInput{Name: aws.String("probe")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := gw.CreateResource(ctxb, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + f.arn + "/invocations"
	auth, err := gw.CreateAuthorizer(ctxb, &apigateway.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("probe"), Type: "TOKEN",
		AuthorizerUri: aws.String(uri), IdentitySource: aws.String("method.request.header.Authorization"), AuthorizerResultTtlInSeconds: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		verb, auth string
	}{{"GET", "NONE"}, {"POST", "CUSTOM"}} {
		in := &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String(m.verb), AuthorizationType: aws.String(m.auth)}
		if m.auth == "CUSTOM" {
			in.AuthorizerId = auth.Id
		}
		if _, err := gw.PutMethod(ctxb, in); err != nil {
			t.Fatal(err)
		}
		if _, err := gw.PutIntegration(ctxb, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String(m.verb),
			Type: "AWS_PROXY", IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := gw.CreateDeployment(ctxb, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.Id)
	call := func(verb string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(verb, f.srv.Endpoint+"/_gureum/execute-api/"+id+"/prod/orders", nil)
		req.Header.Set("Authorization", "token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if status, body := call("GET"); status != 500 || !strings.Contains(body, "Internal server error") {
		t.Errorf("GET without the function's permission = %d %s; want 500 Internal server error", status, body)
	}
	ti, err := gw.TestInvokeMethod(ctxb, &apigateway.TestInvokeMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET")})
	if err != nil || ti.Status != 500 || !strings.Contains(aws.ToString(ti.Log), "Invalid permissions on Lambda function") {
		t.Errorf("TestInvokeMethod without the permission = %+v, %v; want 500 with the log naming the permissions", ti, err)
	}
	acct := "arn:aws:execute-api:us-east-1:000000000000:" + id
	f.permit("other-method", "apigateway.amazonaws.com", acct+"/*/DELETE/orders", "")
	if status, _ := call("GET"); status != 500 {
		t.Errorf("GET with a permission for another method = %d; want 500", status)
	}
	f.permit("get", "apigateway.amazonaws.com", acct+"/*/GET/orders", "")
	if status, body := call("GET"); status != 200 || body != "ran" {
		ti, err := gw.TestInvokeMethod(ctxb, &apigateway.TestInvokeMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET")})
		t.Errorf("GET with the permission = %d %s; want 200 from the function (%v %v)", status, body, aws.ToString(ti.Log), err)
	}
	// POST's authorizer is the same function: the method's permission does not cover it.
	f.permit("post", "apigateway.amazonaws.com", acct+"/*/POST/orders", "")
	if status, _ := call("POST"); status != 500 {
		t.Errorf("POST whose authorizer the function's policy does not allow = %d; want 500", status)
	}
	f.permit("authorizer", "apigateway.amazonaws.com", acct+"/authorizers/"+aws.ToString(auth.Id), "")
	if status, body := call("POST"); status != 200 || body != "ran" {
		t.Errorf("POST with the authorizer's permission = %d %s; want 200", status, body)
	}

	// An HTTP API's route: the same rule, with the route's execute-api ARN.
	v2 := apigatewayv2.NewFromConfig(f.cfg)
	h, err := v2.CreateApi(ctxb, &apigatewayv2.CreateApiInput{Name: aws.String("probe-http"), ProtocolType: v2types.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	it, err := v2.CreateIntegration(ctxb, &apigatewayv2.CreateIntegrationInput{ApiId: h.ApiId, IntegrationType: v2types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(f.arn), PayloadFormatVersion: aws.String("2.0")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v2.CreateRoute(ctxb, &apigatewayv2.CreateRouteInput{ApiId: h.ApiId, RouteKey: aws.String("GET /items/{id}"),
		Target: aws.String("integrations/" + aws.ToString(it.IntegrationId))}); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.CreateStage(ctxb, &apigatewayv2.CreateStageInput{ApiId: h.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	hid := aws.ToString(h.ApiId)
	get := func() (int, string) {
		t.Helper()
		resp, err := http.Get(f.srv.Endpoint + "/_gureum/execute-api-v2/" + hid + "/items/7")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if status, body := get(); status != 500 || !strings.Contains(body, "Internal Server Error") {
		t.Errorf("HTTP API GET without the function's permission = %d %s; want 500", status, body)
	}
	f.permit("http", "apigateway.amazonaws.com", "arn:aws:execute-api:us-east-1:000000000000:"+hid+"/*/GET/items/*", "")
	if status, body := get(); status != 200 || body != "ran" {
		t.Errorf("HTTP API GET with the permission = %d %s; want 200", status, body)
	}
}

// TestSchedulerInvokesAsItsRole: Scheduler invokes a function as the schedule's role, not by
// the function's policy: a role without lambda:InvokeFunction is refused (AccessDenied, not
// retried, to the dead-letter queue) and the function does not run; a role allowed to runs it.
func TestSchedulerInvokesAsItsRole(t *testing.T) {
	t.Parallel()
	f := newInvokeFixture(t)
	// The function's policy allowing the service does not stand in for the role.
	f.permit("scheduler", "scheduler.amazonaws.com", "", "")
	dlqURL, dlqARN := f.queue("scheduler-dlq")
	denied := createRole(t, f.cfg, "schedule-denied", "scheduler.amazonaws.com", "")
	allowed := createRole(t, f.cfg, "schedule-allowed", "scheduler.amazonaws.com", f.arn)
	sc := scheduler.NewFromConfig(f.cfg)
	at := "at(" + time.Now().UTC().Add(time.Minute).Truncate(time.Minute).Format("2006-01-02T15:04:05") + ")"
	for _, s := range []struct{ name, role string }{{"denied", denied}, {"allowed", allowed}} {
		if _, err := sc.CreateSchedule(ctxb, &scheduler.CreateScheduleInput{Name: aws.String(s.name), ScheduleExpression: aws.String(at),
			FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
			Target: &schedtypes.Target{Arn: aws.String(f.arn), RoleArn: aws.String(s.role), Input: aws.String(`{"marker":"schedule-` + s.name + `"}`),
				DeadLetterConfig: &schedtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}, RetryPolicy: &schedtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)}}}); err != nil {
			t.Fatal(err)
		}
	}
	body, attrs := f.deadLetter(dlqURL)
	if !strings.Contains(body, "schedule-denied") || attrs["ERROR_CODE"] != "AccessDenied" {
		t.Errorf("dead letter = %s %v; want the denied schedule's input with ERROR_CODE AccessDenied", body, attrs)
	}
	f.waitRan("schedule-allowed")
	if f.ran("schedule-denied") {
		t.Errorf("the function ran for a schedule whose role may not invoke it")
	}
}

// TestCrossAccountTopicInvokesWithSourceConditions: a topic of another account reaches a
// function when the function's policy allows sns.amazonaws.com for that topic and account
// (aws:SourceArn, aws:SourceAccount), and not for a topic of a third account.
func TestCrossAccountTopicInvokesWithSourceConditions(t *testing.T) {
	t.Parallel()
	f := newInvokeFixture(t)
	partner, pcfg := partnerAccount(t, f.srv, "partner")
	topics := sns.NewFromConfig(pcfg)
	topic, err := topics.CreateTopic(ctxb, &sns.CreateTopicInput{Name: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	dlqURL, dlqARN := f.queue("cross-dlq")
	// The partner's topic may send its dead letters to this account's queue.
	qpol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + dlqARN + `"}]}`
	if _, err := f.q.SetQueueAttributes(ctxb, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(dlqURL), Attributes: map[string]string{"Policy": qpol}}); err != nil {
		t.Fatal(err)
	}
	// The function's owner lets the partner subscribe it, and SNS invoke it, only for this topic.
	f.permit("partner-wrong-account", "sns.amazonaws.com", aws.ToString(topic.TopicArn), "999999999999")
	if _, err := topics.Subscribe(ctxb, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(f.arn),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Publish(ctxb, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("wrong-account")}); err != nil {
		t.Fatal(err)
	}
	if body, _ := f.deadLetter(dlqURL); !strings.Contains(body, "wrong-account") || f.ran("wrong-account") {
		t.Fatalf("a permission for another source account let the partner's topic invoke (dead letter %q)", body)
	}
	f.permit("partner", "sns.amazonaws.com", aws.ToString(topic.TopicArn), partner)
	if _, err := topics.Publish(ctxb, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("partner-allowed")}); err != nil {
		t.Fatal(err)
	}
	f.waitRan("partner-allowed")
}

// createRole creates a role that service may assume, allowed lambda:InvokeFunction on
// function when it is not "", and answers its ARN.
func createRole(t *testing.T, cfg aws.Config, name, service, function string) string {
	t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
	c := iam.NewFromConfig(cfg)
	if _, err := c.CreateRole(ctxb, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if function != "" {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` + function + `"}]}`
		if _, err := c.PutRolePolicy(ctxb, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("invoke"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	return "arn:aws:iam::000000000000:role/" + name
}

// partnerAccount creates another account of the server and answers its id and root's config.
func partnerAccount(t *testing.T, srv *gureumtest.Server, name string) (string, aws.Config) {
	t.Helper()
	env := map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey}
	var out bytes.Buffer
	if err := cli.Run(ctxb, []string{"account", "create", "--name", name, "--output", "json", "--endpoint", srv.Endpoint},
		func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("gureum account create: %v (%s)", err, out.String())
	}
	var a struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatalf("account create printed %q (%v)", out.String(), err)
	}
	return a.AccountId, gureumtest.ConfigFor(srv.Endpoint, a.AccessKeyId, a.SecretAccessKey, "")
}
