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
			t.Errorf("PutBucketNotificationConfiguration(SNS topic) = %v; want InvalidArgument (unsupported)", err)
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
