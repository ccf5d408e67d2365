package s3_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

func TestNotificationConfiguration(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "events")
		q := sqs.NewFromConfig(srv.Config())
		qu, err := q.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("uploads")})
		if err != nil {
			t.Fatal(err)
		}
		arn := "arn:aws:sqs:us-east-1:000000000000:uploads"
		conf := &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{Id: aws.String("images"), QueueArn: aws.String(arn),
			Events: []types.Event{"s3:ObjectCreated:*"}, Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{
				FilterRules: []types.FilterRule{{Name: types.FilterRuleNameSuffix, Value: aws.String(".jpg")}}}}}}}
		if _, err := c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("events"), NotificationConfiguration: conf}); err != nil {
			t.Fatalf("PutBucketNotificationConfiguration: %v", err)
		}
		got, err := c.GetBucketNotificationConfiguration(bg, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("events")})
		if err != nil || len(got.QueueConfigurations) != 1 || *got.QueueConfigurations[0].Id != "images" || *got.QueueConfigurations[0].QueueArn != arn {
			t.Errorf("GetBucketNotificationConfiguration = %+v, %v", got, err)
		}
		msgs, err := q.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: qu.QueueUrl, WaitTimeSeconds: 1})
		if err != nil || len(msgs.Messages) != 1 {
			t.Fatalf("ReceiveMessage = %v, %v; want the s3:TestEvent", msgs, err)
		}
		var ev map[string]string
		json.Unmarshal([]byte(*msgs.Messages[0].Body), &ev)
		if ev["Event"] != "s3:TestEvent" || ev["Bucket"] != "events" || ev["Service"] != "Amazon S3" {
			t.Errorf("test event = %v", ev)
		}
		missing := &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope"),
			Events: []types.Event{"s3:ObjectCreated:Put"}}}}
		_, err = c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("events"), NotificationConfiguration: missing})
		if code(err) != "InvalidArgument" {
			t.Errorf("PutBucketNotificationConfiguration(missing queue) = %v; want InvalidArgument", err)
		}
		badEvent := &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String(arn), Events: []types.Event{"s3:Nope"}}}}
		_, err = c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("events"), NotificationConfiguration: badEvent})
		if code(err) != "InvalidArgument" {
			t.Errorf("PutBucketNotificationConfiguration(unknown event) = %v; want InvalidArgument", err)
		}
		topic := &types.NotificationConfiguration{TopicConfigurations: []types.TopicConfiguration{{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:t"), Events: []types.Event{"s3:ObjectCreated:*"}}}}
		_, err = c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("events"), NotificationConfiguration: topic})
		if code(err) != "InvalidArgument" {
			t.Errorf("PutBucketNotificationConfiguration(a missing SNS topic) = %v; want InvalidArgument", err)
		}
		// An empty configuration removes it.
		if _, err := c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("events"), NotificationConfiguration: &types.NotificationConfiguration{}}); err != nil {
			t.Errorf("PutBucketNotificationConfiguration(empty) = %v", err)
		}
		got, _ = c.GetBucketNotificationConfiguration(bg, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("events")})
		if len(got.QueueConfigurations) != 0 {
			t.Errorf("after an empty put %d queue configurations remain", len(got.QueueConfigurations))
		}
	})
}

// TestNotificationDelivery checks that object changes reach the queue as AWS's event records,
// through the outbox, filtered by the configuration.
func TestNotificationDelivery(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		mustBucket(t, c, "deliver")
		q := sqs.NewFromConfig(srv.Config())
		qu, _ := q.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("events")})
		arn := "arn:aws:sqs:us-east-1:000000000000:events"
		conf := &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{Id: aws.String("jpgs"), QueueArn: aws.String(arn),
			Events: []types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}, Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{
				FilterRules: []types.FilterRule{{Name: types.FilterRuleNameSuffix, Value: aws.String(".jpg")}}}}}}}
		if _, err := c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("deliver"), NotificationConfiguration: conf}); err != nil {
			t.Fatal(err)
		}
		put(t, c, "deliver", "skip.png", "no event")
		put(t, c, "deliver", "dir a/photo.jpg", "jpeg bytes")
		c.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String("deliver"), Key: aws.String("dir a/photo.jpg")})
		var names, keys []string
		deadline := 0
		for len(names) < 3 && deadline < 10 {
			deadline++
			msgs, err := q.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: qu.QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs.Messages {
				var rec struct {
					Event   string `json:"Event"`
					Records []struct {
						EventName   string `json:"eventName"`
						EventSource string `json:"eventSource"`
						S3          struct {
							ConfigurationID string `json:"configurationId"`
							Object          struct {
								Key  string `json:"key"`
								Size *int64 `json:"size"`
							} `json:"object"`
						} `json:"s3"`
					} `json:"Records"`
				}
				json.Unmarshal([]byte(*m.Body), &rec)
				if rec.Event == "s3:TestEvent" {
					names = append(names, "TestEvent")
					continue
				}
				for _, r := range rec.Records {
					if r.EventSource != "aws:s3" || r.S3.ConfigurationID != "jpgs" {
						t.Errorf("record %+v", r)
					}
					names, keys = append(names, r.EventName), append(keys, r.S3.Object.Key)
				}
				q.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: qu.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			}
		}
		want := []string{"TestEvent", "ObjectCreated:Put", "ObjectRemoved:Delete"}
		if len(names) != 3 || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
			t.Errorf("events = %v; want %v", names, want)
		}
		if len(keys) != 2 || keys[0] != "dir+a%2Fphoto.jpg" {
			t.Errorf("event keys = %v; want the form-encoded key dir+a%%2Fphoto.jpg", keys)
		}
	})
}
