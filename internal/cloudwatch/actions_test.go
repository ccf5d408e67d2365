package cloudwatch_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestAlarmActionReachesTopic moves an alarm to ALARM and finds CloudWatch's notification in a
// queue subscribed to the alarm action's topic: the state change's outbox delivery, published
// through SNS.
func TestAlarmActionReachesTopic(t *testing.T) {
	t.Parallel()
	srv := gureumtest.Start(t, gureumtest.Options{Args: []string{"--log-level", "warn"}})
	cfg := srv.Config()
	c, topics, queues := cw.NewFromConfig(cfg), sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	topic, err := topics.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := queues.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	qARN := "arn:aws:sqs:us-east-1:000000000000:alerts"
	if _, err := topics.Subscribe(bg, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMetricAlarm(bg, &cw.PutMetricAlarmInput{AlarmName: aws.String("high"), Namespace: aws.String("App"), MetricName: aws.String("Load"),
		Statistic: types.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(90),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold, AlarmActions: []string{aws.ToString(topic.TopicArn)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetAlarmState(bg, &cw.SetAlarmStateInput{AlarmName: aws.String("high"), StateValue: types.StateValueAlarm,
		StateReason: aws.String("load test")}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		out, err := queues.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			var msg map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &msg); err != nil || msg["AlarmName"] != "high" ||
				msg["NewStateValue"] != "ALARM" || msg["NewStateReason"] != "load test" || msg["OldStateValue"] != "INSUFFICIENT_DATA" {
				t.Errorf("notification = %s (%v)", aws.ToString(out.Messages[0].Body), err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no notification reached the topic's queue")
		}
	}
	h, err := c.DescribeAlarmHistory(bg, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("high"), HistoryItemType: types.HistoryItemTypeAction})
	if err != nil || len(h.AlarmHistoryItems) != 1 {
		t.Errorf("action history = %+v, %v; want one entry", h, err)
	}
}
