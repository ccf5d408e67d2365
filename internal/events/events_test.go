package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

type clients struct {
	eb  *eventbridge.Client
	sqs *sqs.Client
}

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, c clients)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, clients{eventbridge.NewFromConfig(srv.Config()), sqs.NewFromConfig(srv.Config())})
		})
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

func queue(t *testing.T, c *sqs.Client, name string) (url, arn string) {
	t.Helper()
	out, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl, "arn:aws:sqs:us-east-1:000000000000:" + name
}

// receive waits up to 5 s for up to n messages.
func receive(t *testing.T, c *sqs.Client, url string, n int, wait time.Duration) []string {
	t.Helper()
	var bodies []string
	deadline := time.Now().Add(wait)
	for len(bodies) < n && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			bodies = append(bodies, *m.Body)
		}
	}
	return bodies
}

func TestBusesAndRules(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		eb := c.eb
		d, err := eb.DescribeEventBus(bg, &eventbridge.DescribeEventBusInput{})
		if err != nil || *d.Name != "default" || *d.Arn != "arn:aws:events:us-east-1:000000000000:event-bus/default" {
			t.Fatalf("DescribeEventBus(default) = %+v, %v", d, err)
		}
		cb, err := eb.CreateEventBus(bg, &eventbridge.CreateEventBusInput{Name: aws.String("orders"), Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
		if err != nil || *cb.EventBusArn != "arn:aws:events:us-east-1:000000000000:event-bus/orders" {
			t.Fatalf("CreateEventBus = %+v, %v", cb, err)
		}
		if _, err := eb.CreateEventBus(bg, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}); code(err) != "ResourceAlreadyExistsException" {
			t.Errorf("CreateEventBus twice = %v", err)
		}
		buses, err := eb.ListEventBuses(bg, &eventbridge.ListEventBusesInput{})
		if err != nil || len(buses.EventBuses) != 2 {
			t.Fatalf("ListEventBuses = %+v, %v", buses, err)
		}
		_, err = eb.PutRule(bg, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"x"}`)})
		if code(err) != "InvalidEventPatternException" || !strings.Contains(err.Error(), `Event pattern is not valid. Reason: "source" must be an object or an array`) {
			t.Errorf("PutRule(bad pattern) = %v", err)
		}
		_, err = eb.PutRule(bg, &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(1 minutes)")})
		if code(err) != "ValidationException" {
			t.Errorf("PutRule(bad schedule) = %v", err)
		}
		_, err = eb.PutRule(bg, &eventbridge.PutRuleInput{Name: aws.String("tick"), EventBusName: aws.String("orders"), ScheduleExpression: aws.String("rate(1 minute)")})
		if code(err) != "ValidationException" {
			t.Errorf("PutRule(schedule on a custom bus) = %v", err)
		}
		pr, err := eb.PutRule(bg, &eventbridge.PutRuleInput{Name: aws.String("paid"), EventBusName: aws.String("orders"),
			EventPattern: aws.String(`{"source":["shop"],"detail-type":["OrderPaid"]}`), Description: aws.String("d")})
		if err != nil || *pr.RuleArn != "arn:aws:events:us-east-1:000000000000:rule/orders/paid" {
			t.Fatalf("PutRule = %+v, %v", pr, err)
		}
		if _, err := eb.DisableRule(bg, &eventbridge.DisableRuleInput{Name: aws.String("paid"), EventBusName: aws.String("orders")}); err != nil {
			t.Fatal(err)
		}
		dr, err := eb.DescribeRule(bg, &eventbridge.DescribeRuleInput{Name: aws.String("paid"), EventBusName: aws.String("orders")})
		if err != nil || dr.State != ebtypes.RuleStateDisabled || *dr.EventBusName != "orders" || *dr.Description != "d" {
			t.Fatalf("DescribeRule = %+v, %v", dr, err)
		}
		if _, err := eb.DescribeRule(bg, &eventbridge.DescribeRuleInput{Name: aws.String("nope")}); code(err) != "ResourceNotFoundException" {
			t.Errorf("DescribeRule(missing) = %v", err)
		}
		_, err = eb.PutTargets(bg, &eventbridge.PutTargetsInput{Rule: aws.String("paid"), EventBusName: aws.String("orders"),
			Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:q")}}})
		if err != nil {
			t.Fatal(err)
		}
		names, err := eb.ListRuleNamesByTarget(bg, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String("arn:aws:sqs:us-east-1:000000000000:q"), EventBusName: aws.String("orders")})
		if err != nil || len(names.RuleNames) != 1 || names.RuleNames[0] != "paid" {
			t.Errorf("ListRuleNamesByTarget = %+v, %v", names, err)
		}
		if _, err := eb.DeleteRule(bg, &eventbridge.DeleteRuleInput{Name: aws.String("paid"), EventBusName: aws.String("orders")}); code(err) != "ValidationException" {
			t.Errorf("DeleteRule(with targets) = %v", err)
		}
		if _, err := eb.TagResource(bg, &eventbridge.TagResourceInput{ResourceARN: pr.RuleArn, Tags: []ebtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
			t.Fatal(err)
		}
		tags, err := eb.ListTagsForResource(bg, &eventbridge.ListTagsForResourceInput{ResourceARN: pr.RuleArn})
		if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "k" {
			t.Errorf("ListTagsForResource = %+v, %v", tags, err)
		}
		if _, err := eb.RemoveTargets(bg, &eventbridge.RemoveTargetsInput{Rule: aws.String("paid"), EventBusName: aws.String("orders"), Ids: []string{"q"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := eb.DeleteRule(bg, &eventbridge.DeleteRuleInput{Name: aws.String("paid"), EventBusName: aws.String("orders")}); err != nil {
			t.Fatal(err)
		}
		rules, err := eb.ListRules(bg, &eventbridge.ListRulesInput{EventBusName: aws.String("orders")})
		if err != nil || len(rules.Rules) != 0 {
			t.Errorf("ListRules after delete = %+v, %v", rules, err)
		}
		if _, err := eb.DeleteEventBus(bg, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTestEventPattern(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		event := `{"id":"1","account":"000000000000","source":"shop","time":"2026-12-07T16:00:00Z","region":"us-east-1","resources":[],"detail-type":"OrderPaid","detail":{"amount":120}}`
		for pattern, want := range map[string]bool{
			`{"detail":{"amount":[{"numeric":[">",100]}]}}`: true,
			`{"source":["other"]}`:                          false,
		} {
			out, err := c.eb.TestEventPattern(bg, &eventbridge.TestEventPatternInput{EventPattern: aws.String(pattern), Event: aws.String(event)})
			if err != nil || out.Result != want {
				t.Errorf("TestEventPattern(%s) = %+v, %v; want %v", pattern, out, err, want)
			}
		}
		_, err := c.eb.TestEventPattern(bg, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"a":[]}`), Event: aws.String(event)})
		if code(err) != "InvalidEventPatternException" || !strings.Contains(err.Error(), "Empty arrays are not allowed") {
			t.Errorf("TestEventPattern(empty array) = %v", err)
		}
	})
}

// TestPutEventsToQueue routes PutEvents through a pattern rule to a queue: the matching event
// arrives in AWS's envelope, the other does not; an input transformer's target gets its render.
func TestPutEventsToQueue(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		url, arn := queue(t, c.sqs, "paid")
		turl, tarn := queue(t, c.sqs, "shaped")
		_, err := c.eb.PutRule(bg, &eventbridge.PutRuleInput{Name: aws.String("paid"), EventPattern: aws.String(`{"source":["shop"],"detail":{"amount":[{"numeric":[">",100]}]}}`)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.eb.PutTargets(bg, &eventbridge.PutTargetsInput{Rule: aws.String("paid"), Targets: []ebtypes.Target{
			{Id: aws.String("raw"), Arn: aws.String(arn)},
			{Id: aws.String("shaped"), Arn: aws.String(tarn), InputTransformer: &ebtypes.InputTransformer{
				InputPathsMap: map[string]string{"amount": "$.detail.amount", "order": "$.detail.order", "res": "$.resources[0]"},
				InputTemplate: aws.String(`{"order": <order>, "amount": <amount>, "res": "<res>", "rule": "<aws.events.rule-name>"}`)}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.eb.PutEvents(bg, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("shop"), DetailType: aws.String("OrderPaid"), Detail: aws.String(`{"order":"o-1","amount":150}`), Resources: []string{"arn:x"}},
			{Source: aws.String("shop"), DetailType: aws.String("OrderPaid"), Detail: aws.String(`{"order":"o-2","amount":50}`)},
			{Source: aws.String("shop"), DetailType: aws.String("OrderPaid"), Detail: aws.String(`[1]`)},
			{Source: aws.String("aws.s3"), DetailType: aws.String("x"), Detail: aws.String(`{}`)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if out.FailedEntryCount != 2 || out.Entries[2].ErrorCode == nil || *out.Entries[2].ErrorCode != "MalformedDetail" ||
			*out.Entries[3].ErrorCode != "NotAuthorizedForSourceException" || out.Entries[0].EventId == nil {
			t.Fatalf("PutEvents = %+v", out)
		}
		got := receive(t, c.sqs, url, 2, 1500*time.Millisecond)
		if len(got) != 1 {
			t.Fatalf("the queue got %d messages; want the one matching event", len(got))
		}
		var env map[string]any
		if err := json.Unmarshal([]byte(got[0]), &env); err != nil {
			t.Fatal(err)
		}
		if env["version"] != "0" || env["id"] != *out.Entries[0].EventId || env["detail-type"] != "OrderPaid" || env["source"] != "shop" ||
			env["account"] != "000000000000" || env["region"] != "us-east-1" || env["detail"].(map[string]any)["order"] != "o-1" {
			t.Errorf("envelope = %s", got[0])
		}
		if !strings.HasPrefix(got[0], `{"version":"0","id":`) || !strings.Contains(got[0], `"resources":["arn:x"],"detail":{`) {
			t.Errorf("envelope field order = %s; want AWS's", got[0])
		}
		shaped := receive(t, c.sqs, turl, 1, 5*time.Second)
		want := `{"order": "o-1", "amount": 150, "res": "arn:x", "rule": "paid"}`
		if len(shaped) != 1 || shaped[0] != want {
			t.Errorf("transformed = %q; want %q", shaped, want)
		}
	})
}

func TestPutEventsLimits(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		big := `{"x":"` + strings.Repeat("a", 300<<10) + `"}`
		var entries []ebtypes.PutEventsRequestEntry
		for range 4 {
			entries = append(entries, ebtypes.PutEventsRequestEntry{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(big)})
		}
		if _, err := c.eb.PutEvents(bg, &eventbridge.PutEventsInput{Entries: entries}); code(err) != "ValidationException" {
			t.Errorf("PutEvents(1.2 MB) = %v; want ValidationException", err)
		}
		if _, err := c.eb.PutEvents(bg, &eventbridge.PutEventsInput{Entries: entries[:3]}); err != nil {
			t.Errorf("PutEvents(900 KB) = %v; want it accepted under the 1 MB rule", err)
		}
		_, err := c.eb.PutEvents(bg, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String("{}"), EventBusName: aws.String("nope")}}})
		if code(err) != "ResourceNotFoundException" {
			t.Errorf("PutEvents(missing bus) = %v", err)
		}
	})
}
