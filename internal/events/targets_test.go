package events_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestTopicAndLogGroupTargets: a rule delivers to an SNS topic (whose queue subscription
// receives the transformed input) and to a CloudWatch Logs log group (the event in a stream
// named after its id); a target of a service gureum does not have is refused by PutTargets.
func TestTopicAndLogGroupTargets(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			eb, q := eventbridge.NewFromConfig(srv.Config()), sqs.NewFromConfig(srv.Config())
			topics, lg := sns.NewFromConfig(srv.Config()), cloudwatchlogs.NewFromConfig(srv.Config())
			url, qarn := queue(t, q, "from-topic")
			tp, err := topics.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("orders")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := topics.Subscribe(bg, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("sqs"), Endpoint: &qarn,
				Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := lg.CreateLogGroup(bg, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/events/orders")}); err != nil {
				t.Fatal(err)
			}
			if _, err := eb.PutRule(bg, &eventbridge.PutRuleInput{Name: aws.String("paid"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
				t.Fatal(err)
			}
			_, err = eb.PutTargets(bg, &eventbridge.PutTargetsInput{Rule: aws.String("paid"), Targets: []ebtypes.Target{
				{Id: aws.String("stream"), Arn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")}}})
			if code(err) != "ValidationException" {
				t.Errorf("PutTargets(a Kinesis stream) = %v; want ValidationException", err)
			}
			out, err := eb.PutTargets(bg, &eventbridge.PutTargetsInput{Rule: aws.String("paid"), Targets: []ebtypes.Target{
				{Id: aws.String("topic"), Arn: tp.TopicArn, InputTransformer: &ebtypes.InputTransformer{
					InputPathsMap: map[string]string{"order": "$.detail.order"}, InputTemplate: aws.String(`{"paid": <order>, "rule": "<aws.events.rule-name>"}`)}},
				{Id: aws.String("log"), Arn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/orders:*")},
			}})
			if err != nil || out.FailedEntryCount != 0 {
				t.Fatalf("PutTargets = %+v, %v", out, err)
			}
			put, err := eb.PutEvents(bg, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
				{Source: aws.String("shop"), DetailType: aws.String("Paid"), Detail: aws.String(`{"order":"o-1"}`)}}})
			if err != nil || put.FailedEntryCount != 0 {
				t.Fatalf("PutEvents = %+v, %v", put, err)
			}
			id := *put.Entries[0].EventId
			got := receive(t, q, url, 1, 10e9)
			if len(got) != 1 || got[0] != `{"paid": "o-1", "rule": "paid"}` {
				t.Errorf("the topic's queue received %q", got)
			}
			var message string
			for range 100 {
				f, err := lg.FilterLogEvents(bg, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/events/orders")})
				if err != nil {
					t.Fatal(err)
				}
				if len(f.Events) > 0 {
					if *f.Events[0].LogStreamName != id {
						t.Errorf("log stream = %q; want the event id %q", *f.Events[0].LogStreamName, id)
					}
					message = *f.Events[0].Message
					break
				}
				receive(t, q, url, 1, 1e8) // a short wait
			}
			var ev struct{ ID, Source string }
			if err := json.Unmarshal([]byte(message), &ev); err != nil || ev.ID != id || ev.Source != "shop" {
				t.Errorf("log event = %q; want the event %s", message, id)
			}
			if strings.Contains(message, "paid\":") {
				t.Errorf("log event = %q: the other target's transformer applied", message)
			}
		})
	}
}
