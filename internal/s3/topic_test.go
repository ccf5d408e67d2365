package s3_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestTopicNotification: a TopicConfiguration publishes the s3:TestEvent when saved and then
// AWS's event record for each matching change, which reaches the topic's SQS subscriber.
func TestTopicNotification(t *testing.T) {
	each(t, func(t *testing.T, c *s3.Client, srv *gureumtest.Server) {
		q := sqs.NewFromConfig(srv.Config())
		topics := sns.NewFromConfig(srv.Config())
		qu, err := q.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("from-topic")})
		if err != nil {
			t.Fatal(err)
		}
		tp, err := topics.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("uploads")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := topics.Subscribe(bg, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:from-topic")}); err != nil {
			t.Fatal(err)
		}
		mustBucket(t, c, "topical")
		cfg := &types.NotificationConfiguration{TopicConfigurations: []types.TopicConfiguration{{Id: aws.String("to-topic"), TopicArn: tp.TopicArn,
			Events: []types.Event{"s3:ObjectCreated:*"}}}}
		if _, err := c.PutBucketNotificationConfiguration(bg, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("topical"), NotificationConfiguration: cfg}); err != nil {
			t.Fatal(err)
		}
		put(t, c, "topical", "a.txt", "x")
		var names []string
		for deadline := time.Now().Add(10 * time.Second); len(names) < 2 && time.Now().Before(deadline); {
			out, err := q.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: qu.QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range out.Messages {
				var env struct{ Subject, Message string }
				json.Unmarshal([]byte(aws.ToString(m.Body)), &env)
				var ev struct {
					Event   string
					Records []struct {
						EventName string
						S3        struct {
							ConfigurationID string `json:"configurationId"`
						} `json:"s3"`
					}
				}
				json.Unmarshal([]byte(env.Message), &ev)
				switch {
				case ev.Event == "s3:TestEvent":
					names = append(names, "TestEvent")
				case len(ev.Records) == 1 && ev.Records[0].S3.ConfigurationID == "to-topic" && env.Subject == "Amazon S3 Notification":
					names = append(names, ev.Records[0].EventName)
				default:
					t.Errorf("unexpected message %s", aws.ToString(m.Body))
				}
			}
		}
		// A standard topic keeps no order (SNS delivers a topic's messages concurrently, as AWS
		// may): both messages, once each.
		sort.Strings(names)
		if strings.Join(names, ",") != "ObjectCreated:Put,TestEvent" {
			t.Errorf("the subscriber got %v; want the test event and ObjectCreated:Put", names)
		}
	})
}
