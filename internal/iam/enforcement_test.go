package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestEnforcedOnEveryRequest: the server authorizes every request with the caller's policies.
// A user allowed sqs:SendMessage on one queue sends there and nowhere else, and creates nothing;
// a policy attached later takes effect at once; the condition context reaches the evaluator
// (aws:SecureTransport is false over plain HTTP); with --iam-enforcement=false anything goes.
func TestEnforcedOnEveryRequest(t *testing.T) {
	for _, enforce := range []bool{true, false} {
		t.Run(map[bool]string{true: "on", false: "off"}[enforce], func(t *testing.T) {
			var args []string
			if !enforce {
				args = []string{"--iam-enforcement=false"}
			}
			srv := gureumtest.Start(t, gureumtest.Options{Args: args})
			ctx := context.Background()
			root := sqs.NewFromConfig(srv.Config())
			var urls []string
			for _, name := range []string{"allowed", "other"} {
				out, err := root.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
				if err != nil {
					t.Fatal(err)
				}
				urls = append(urls, aws.ToString(out.QueueUrl))
			}
			admin := awsiam.NewFromConfig(srv.Config())
			if _, err := admin.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("sender")}); err != nil {
				t.Fatal(err)
			}
			arn := "arn:aws:sqs:" + gureumtest.Region + ":" + gureumtest.AccountID + ":allowed"
			policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"` + arn + `"}]}`
			if _, err := admin.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("sender"), PolicyName: aws.String("send"), PolicyDocument: aws.String(policy)}); err != nil {
				t.Fatal(err)
			}
			key, err := admin.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("sender")})
			if err != nil {
				t.Fatal(err)
			}
			user := sqs.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
			send := func(url string) error {
				_, err := user.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hi")})
				return err
			}
			if err := send(urls[0]); err != nil {
				t.Fatalf("SendMessage(allowed) = %v", err)
			}
			_, createErr := user.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("mine")})
			if !enforce {
				if err := send(urls[1]); err != nil || createErr != nil {
					t.Errorf("without enforcement: SendMessage(other) = %v, CreateQueue = %v; want both allowed", err, createErr)
				}
				return
			}
			err = send(urls[1])
			if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:") {
				t.Errorf("SendMessage(other) = %v; want AccessDenied with AWS's message", err)
			}
			if apiCode(createErr) != "AccessDenied" {
				t.Errorf("CreateQueue = %v; want AccessDenied", createErr)
			}
			// A deny on insecure transport, attached now, applies to the next request.
			deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
			if _, err := admin.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("sender"), PolicyName: aws.String("tls"), PolicyDocument: aws.String(deny)}); err != nil {
				t.Fatal(err)
			}
			if err := send(urls[0]); apiCode(err) != "AccessDenied" {
				t.Errorf("SendMessage(allowed) over HTTP after a SecureTransport deny = %v; want AccessDenied", err)
			}
		})
	}
}
