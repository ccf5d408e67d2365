package s3_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/sandbox"
)

// sinkFunction writes each event it gets, anonymously, to the bucket "sink" under the key of
// the object the event names (the sink's policy lets anyone put there).
const sinkFunction = `
import json, os, urllib.request
def handler(event, context):
    rec = event["Records"][0]
    url = os.environ["AWS_ENDPOINT_URL"] + "/sink/" + rec["s3"]["object"]["key"]
    req = urllib.request.Request(url, data=json.dumps(event).encode(), method="PUT", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5).read()
    return {}
`

func TestMain(m *testing.M) {
	sandbox.Init() // the function sandboxes re-run this binary
	os.Exit(m.Run())
}

func zipped(t *testing.T, name, body string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(body))
	zw.Close()
	return buf.Bytes()
}

// TestLambdaNotification: a LambdaFunctionConfiguration invokes the function asynchronously
// with AWS's event record for each matching change; a configuration naming a missing function,
// or one whose policy does not let S3 invoke it for the bucket, is refused as AWS refuses it.
func TestLambdaNotification(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	c := client(srv, true)
	fns := lambda.NewFromConfig(srv.Config())
	fn, err := fns.CreateFunction(bg, &lambda.CreateFunctionInput{FunctionName: aws.String("on-upload"), Runtime: ltypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::000000000000:role/lambda-role"), Handler: aws.String("app.handler"),
		Code: &ltypes.FunctionCode{ZipFile: zipped(t, "app.py", sinkFunction)}, Timeout: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	mustBucket(t, c, "uploads")
	mustBucket(t, c, "sink")
	c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("sink")})
	open := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::sink/*"}]}`
	if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("sink"), Policy: aws.String(open)}); err != nil {
		t.Fatal(err)
	}
	cfg := func(arn string) *types.NotificationConfiguration {
		return &types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{Id: aws.String("to-fn"),
			LambdaFunctionArn: aws.String(arn), Events: []types.Event{"s3:ObjectCreated:*"},
			Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{{Name: "suffix", Value: aws.String(".csv")}}}}}}}
	}
	missing := strings.Replace(aws.ToString(fn.FunctionArn), "on-upload", "nope", 1)
	if _, err := c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"), NotificationConfiguration: cfg(missing)}); code(err) != "InvalidArgument" {
		t.Errorf("a configuration naming a missing function = %v; want InvalidArgument", err)
	}
	// S3 may invoke the function only as its policy allows s3.amazonaws.com for this bucket:
	// without a permission, or with one for another bucket, the configuration is refused.
	notAuthorized := func(what string) {
		t.Helper()
		_, err := c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"), NotificationConfiguration: cfg(aws.ToString(fn.FunctionArn))})
		if code(err) != "InvalidArgument" || !strings.Contains(err.Error(), "Unable to validate the following destination configurations") {
			t.Fatalf("a configuration %s = %v; want InvalidArgument", what, err)
		}
	}
	notAuthorized("without the function's permission")
	if _, err := fns.AddPermission(bg, &lambda.AddPermissionInput{FunctionName: aws.String("on-upload"), StatementId: aws.String("other"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::other-bucket")}); err != nil {
		t.Fatal(err)
	}
	notAuthorized("whose permission names another bucket")
	if _, err := fns.AddPermission(bg, &lambda.AddPermissionInput{FunctionName: aws.String("on-upload"), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::uploads"),
		SourceAccount: aws.String("000000000000")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"), NotificationConfiguration: cfg(aws.ToString(fn.FunctionArn))}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketNotificationConfiguration(bg, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("uploads")})
	if err != nil || len(got.LambdaFunctionConfigurations) != 1 || aws.ToString(got.LambdaFunctionConfigurations[0].LambdaFunctionArn) != aws.ToString(fn.FunctionArn) {
		t.Errorf("GetBucketNotificationConfiguration = %+v, %v", got, err)
	}
	put(t, c, "uploads", "skip.txt", "not matched")
	put(t, c, "uploads", "report.csv", "a,b\n")
	var body string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String("sink"), Key: aws.String("report.csv")})
		if err == nil {
			var b bytes.Buffer
			b.ReadFrom(out.Body)
			out.Body.Close()
			body = b.String()
			break
		}
	}
	var ev struct {
		Records []struct {
			EventSource, EventName string
			S3                     struct {
				ConfigurationID string `json:"configurationId"`
				Bucket          struct{ Name string }
				Object          struct{ Key string }
			} `json:"s3"`
		}
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("the function wrote %q (%v); want one event record\nlogs:\n%s", body, err, srv.Logs.String())
	}
	r := ev.Records[0]
	if r.EventSource != "aws:s3" || r.EventName != "ObjectCreated:Put" || r.S3.ConfigurationID != "to-fn" || r.S3.Bucket.Name != "uploads" || r.S3.Object.Key != "report.csv" {
		t.Errorf("event record = %+v", r)
	}
	if _, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("sink"), Key: aws.String("skip.txt")}); err == nil {
		t.Errorf("the function ran for skip.txt, which the suffix filter excludes")
	}
}
