package lambda_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// sdkHandler sends a message to a queue with boto3 inside the function, signed with the
// execution role's credentials from its environment, to gureum's endpoint (AWS_ENDPOINT_URL).
const sdkHandler = `
import os, boto3
def handler(event, context):
    sqs = boto3.client("sqs")
    try:
        sqs.send_message(QueueUrl=os.environ["AWS_ENDPOINT_URL"] + "/000000000000/" + event["queue"], MessageBody="from " + context.function_name)
    except Exception as e:
        return {"error": type(e).__name__ + ": " + str(e)}
    return {"sent": True, "key": os.environ.get("AWS_ACCESS_KEY_ID", "")[:4]}
`

func TestExecutionRoleCredentials(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	ic := iam.NewFromConfig(f.srv.Config())
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn-sqs"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn-sqs"), PolicyName: aws.String("send"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:allowed"}]}`)}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(f.srv.Config())
	allowed, _ := makeQueue(t, q, "allowed", nil)
	makeQueue(t, q, "other", nil)
	code := zipOf(t, map[string][]byte{"app.py": []byte(sdkHandler)})
	f.create(t, "sender", "python3.12", "app.handler", code, func(in *lambda.CreateFunctionInput) { in.Role = role.Role.Arn })
	out := f.invoke(t, "sender", `{"queue":"allowed"}`)
	if !strings.Contains(string(out.Payload), `"sent": true`) || !strings.Contains(string(out.Payload), `"ASIA"`) {
		t.Fatalf("Invoke = %s", out.Payload)
	}
	if got := receive(t, q, allowed, 1); aws.ToString(got[0].Body) != "from sender" {
		t.Errorf("message = %q", aws.ToString(got[0].Body))
	}
	// The role's policy is enforced: another queue is denied.
	if out := f.invoke(t, "sender", `{"queue":"other"}`); !strings.Contains(string(out.Payload), "AccessDenied") {
		t.Errorf("Invoke to a queue the role may not use = %s", out.Payload)
	}
	// A role that does not trust Lambda gives no credentials: the SDK cannot sign.
	f.create(t, "nocreds", "python3.12", "app.handler", code)
	if out := f.invoke(t, "nocreds", `{"queue":"allowed"}`); !strings.Contains(string(out.Payload), "error") {
		t.Errorf("Invoke without credentials = %s", out.Payload)
	}
}
