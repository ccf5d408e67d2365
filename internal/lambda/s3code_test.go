package lambda_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestCodeFromS3: CreateFunction and UpdateFunctionCode take the zip from a bucket.
func TestCodeFromS3(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(f.srv.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("code")}); err != nil {
		t.Fatal(err)
	}
	v1 := zipOf(t, map[string][]byte{"app.py": []byte("def handler(e, c):\n    return 'v1'\n")})
	v2 := zipOf(t, map[string][]byte{"app.py": []byte("def handler(e, c):\n    return 'v2'\n")})
	for key, body := range map[string][]byte{"v1.zip": v1, "v2.zip": v2} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("froms3"), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{S3Bucket: aws.String("code"), S3Key: aws.String("v1.zip")}})
	if err != nil {
		t.Fatalf("CreateFunction from S3: %v", err)
	}
	if out := f.invoke(t, "froms3", `{}`); string(out.Payload) != `"v1"` {
		t.Errorf("Invoke = %s", out.Payload)
	}
	if _, err := f.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("froms3"), S3Bucket: aws.String("code"), S3Key: aws.String("v2.zip")}); err != nil {
		t.Fatalf("UpdateFunctionCode from S3: %v", err)
	}
	if out := f.invoke(t, "froms3", `{}`); string(out.Payload) != `"v2"` {
		t.Errorf("Invoke after the update = %s", out.Payload)
	}
	_, err = f.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("nocode"), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{S3Bucket: aws.String("code"), S3Key: aws.String("missing.zip")}})
	if errorCode(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "NoSuchKey") {
		t.Errorf("CreateFunction from a missing key = %v", err)
	}
}
