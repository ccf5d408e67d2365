package cloudformation

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// bucketProps exercise every element of the bucket settings' XML documents.
const bucketProps = `{
  "VersioningConfiguration": {"Status": "Enabled"},
  "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": "true", "BlockPublicPolicy": false},
  "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
  "BucketEncryption": {"ServerSideEncryptionConfiguration": [
    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k&1"}, "BucketKeyEnabled": true},
    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
  "LifecycleConfiguration": {"Rules": [
    {"Id": "old", "Prefix": "logs/", "Status": "Enabled", "ExpirationInDays": 30, "NoncurrentVersionExpirationInDays": 7,
     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
    {"Status": "Disabled", "ExpirationDate": "2030-01-01T00:00:00Z"},
    {"Id": "versions", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 30, "NewerNoncurrentVersions": 2}}]},
  "WebsiteConfiguration": {"IndexDocument": "index.html", "ErrorDocument": "error.html", "RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "https"}},
  "CorsConfiguration": {"CorsRules": [{"Id": "r", "AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["x-a"], "ExposedHeaders": ["etag"], "MaxAge": 60}, {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://a<b"]}]},
  "Tags": [{"Key": "team", "Value": "web"}, {"Key": "empty", "Value": ""}],
  "NotificationConfiguration": {
    "QueueConfigurations": [{"Id": "q", "Queue": "arn:q", "Event": "s3:ObjectCreated:*", "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".csv"}]}}}],
    "TopicConfigurations": [{"Topic": "arn:t", "Event": "s3:ObjectRemoved:*", "Filter": {"S3Key": {"Rules": []}}}],
    "LambdaConfigurations": [{"Function": "arn:f", "Event": "s3:ObjectCreated:Put"}],
    "EventBridgeConfiguration": {"EventBridgeEnabled": true}}
}`

// TestBucketDocs renders every bucket setting's document and compares it with
// testdata/bucket-docs.golden (the documents S3's API takes).
func TestBucketDocs(t *testing.T) {
	var props map[string]any
	if err := json.Unmarshal([]byte(bucketProps), &props); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range bucketSettings {
		b.WriteString(s.prop + ": " + s.doc.render(props[s.prop]) + "\n")
		if s.clear != "" {
			b.WriteString(s.prop + " removed: " + s.clear + "\n")
		}
	}
	b.WriteString("EventBridge off: " + bucketSettingOf("NotificationConfiguration").doc.render(map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": "false"}}) + "\n")
	b.WriteString("no tags: " + bucketSettingOf("Tags").doc.render([]any{}) + "\n")
	want, err := os.ReadFile("testdata/bucket-docs.golden")
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("bucket documents differ from testdata/bucket-docs.golden:\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func bucketSettingOf(prop string) bucketSetting {
	for _, s := range bucketSettings {
		if s.prop == prop {
			return s
		}
	}
	panic("no bucket setting " + prop)
}
