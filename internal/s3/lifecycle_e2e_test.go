package s3_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestLifecycleDaySeconds: with --lifecycle-day-seconds 1 the server's scanner expires an object
// nobody reads within seconds, and the expiry reaches the queue as s3:LifecycleExpiration:Delete.
func TestLifecycleDaySeconds(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn", "--lifecycle-day-seconds", "1"}})
	c := client(srv, true)
	q := sqs.NewFromConfig(srv.Config())
	qu, err := q.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("expiries")})
	if err != nil {
		t.Fatal(err)
	}
	mustBucket(t, c, "shortlived")
	lc := &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("tmp"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}
	if _, err := c.PutBucketLifecycleConfiguration(bg, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("shortlived"), LifecycleConfiguration: lc}); err != nil {
		t.Fatal(err)
	}
	cfg := &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String("arn:aws:sqs:us-east-1:000000000000:expiries"),
		Events: []types.Event{"s3:LifecycleExpiration:*"}}}}
	if _, err := c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("shortlived"), NotificationConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "shortlived", "tmp/scratch", "gone soon")
	put(t, c, "shortlived", "keep/me", "stays")
	var event string
	for deadline := time.Now().Add(20 * time.Second); event == "" && time.Now().Before(deadline); {
		out, err := q.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: qu.QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			var ev struct {
				Records []struct {
					EventName string
					S3        struct{ Object struct{ Key string } } `json:"s3"`
				}
			}
			if json.Unmarshal([]byte(aws.ToString(m.Body)), &ev) == nil && len(ev.Records) == 1 {
				event = ev.Records[0].EventName + " " + ev.Records[0].S3.Object.Key
			}
		}
	}
	if event != "LifecycleExpiration:Delete tmp%2Fscratch" && event != "LifecycleExpiration:Delete tmp/scratch" {
		t.Errorf("the queue got %q; want LifecycleExpiration:Delete of tmp/scratch", event)
	}
	if _, err := c.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String("shortlived"), Key: aws.String("tmp/scratch")}); code(err) != "NotFound" {
		t.Errorf("HeadObject of the expired object = %v; want NotFound", err)
	}
	if got := get(t, c, "shortlived", "keep/me"); got != "stays" {
		t.Errorf("an object no rule selects = %q", got)
	}
}
