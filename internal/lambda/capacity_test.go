package lambda_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// holdHandler says it started on the queue "started", then holds its environment until a
// message comes on "release".
const holdHandler = `
import os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    base = os.environ["AWS_ENDPOINT_URL"] + "/000000000000/"
    sqs.send_message(QueueUrl=base + "started", MessageBody=context.aws_request_id)
    while True:
        got = sqs.receive_message(QueueUrl=base + "release", WaitTimeSeconds=5).get("Messages", [])
        for m in got:
            sqs.delete_message(QueueUrl=base + "release", ReceiptHandle=m["ReceiptHandle"])
            return "released"
`

// TestWorkerMemory: with --worker-memory 256, two 128 MB environments fill the worker; an invoke
// that needs a third waits for room and is then throttled as Lambda throttles
// (TooManyRequestsException, Reason ConcurrentInvocationLimitExceeded); once an environment goes
// idle, the next such invoke stops it and runs.
func TestWorkerMemory(t *testing.T) {
	t.Parallel()
	f := start(t, "--worker-memory", "256")
	ctx := context.Background()
	ic := iam.NewFromConfig(f.srv.Config())
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("holder"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("holder"), PolicyName: aws.String("sqs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(f.srv.Config())
	started, _ := makeQueue(t, q, "started", nil)
	release, _ := makeQueue(t, q, "release", nil)
	f.create(t, "holder", "python3.12", "app.handler", pyZip(t, holdHandler), func(in *lambda.CreateFunctionInput) {
		in.Role, in.Timeout, in.MemorySize = role.Role.Arn, aws.Int32(120), aws.Int32(128)
	})
	f.create(t, "quick", "python3.12", "app.handler", pyZip(t, initTypeHandler), func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(128) })

	held := make(chan error, 2)
	for range 2 {
		go func() {
			out, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("holder")})
			if err == nil && (out.FunctionError != nil || string(out.Payload) != `"released"`) {
				err = errors.New("holder answered " + string(out.Payload))
			}
			held <- err
		}()
	}
	receive(t, q, started, 2) // both environments are placed and running

	once := lambda.NewFromConfig(f.srv.Config(), func(o *lambda.Options) { o.RetryMaxAttempts = 1 }) // the SDK retries throttles
	_, err = once.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("quick")})
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) || tm.Reason != types.ThrottleReasonConcurrentInvocationLimitExceeded || aws.ToString(tm.Message) != "Rate Exceeded." {
		t.Fatalf("Invoke with the worker full = %v; want TooManyRequestsException (ConcurrentInvocationLimitExceeded)", err)
	}

	// One holder ends; its idle environment is stopped for the next new one.
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(release), MessageBody: aws.String("go")}); err != nil {
		t.Fatal(err)
	}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if out, err := once.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("quick")}); err != nil || out.FunctionError != nil {
		t.Fatalf("Invoke once an environment is idle = %v", err)
	}
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(release), MessageBody: aws.String("go")}); err != nil {
		t.Fatal(err)
	}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
}
