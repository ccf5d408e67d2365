package events_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// TestArchiveAndReplay archives the matching events of the default bus, then replays them to a
// rule created afterwards: the replayed event carries replay-name and is not archived again.
func TestArchiveAndReplay(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		busARN := "arn:aws:events:us-east-1:000000000000:event-bus/default"
		a, err := c.eb.CreateArchive(bg, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("orders"), EventSourceArn: aws.String(busARN),
			EventPattern: aws.String(`{"source":["shop"]}`)})
		if err != nil || *a.ArchiveArn != "arn:aws:events:us-east-1:000000000000:archive/orders" {
			t.Fatalf("CreateArchive = %+v, %v", a, err)
		}
		if _, err := c.eb.CreateArchive(bg, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("orders"), EventSourceArn: aws.String(busARN)}); code(err) != "ResourceAlreadyExistsException" {
			t.Errorf("CreateArchive twice = %v", err)
		}
		_, err = c.eb.PutEvents(bg, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("shop"), DetailType: aws.String("OrderPaid"), Detail: aws.String(`{"order":"o-1"}`)},
			{Source: aws.String("other"), DetailType: aws.String("X"), Detail: aws.String(`{}`)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		var count int64
		for deadline := time.Now().Add(3 * time.Second); count < 1 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			d, err := c.eb.DescribeArchive(bg, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("orders")})
			if err != nil {
				t.Fatal(err)
			}
			count = d.EventCount
		}
		if count != 1 {
			t.Fatalf("the archive holds %d events; want 1", count)
		}
		url, qarn := queue(t, c.sqs, "replayed")
		if _, err := c.eb.PutRule(bg, &eventbridge.PutRuleInput{Name: aws.String("late"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.eb.PutTargets(bg, &eventbridge.PutTargetsInput{Rule: aws.String("late"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(qarn)}}}); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		r, err := c.eb.StartReplay(bg, &eventbridge.StartReplayInput{ReplayName: aws.String("again"), EventSourceArn: a.ArchiveArn,
			EventStartTime: aws.Time(now.Add(-time.Hour)), EventEndTime: aws.Time(now.Add(time.Hour)), Destination: &ebtypes.ReplayDestination{Arn: aws.String(busARN)}})
		if err != nil {
			t.Fatal(err)
		}
		got := receive(t, c.sqs, url, 1, 5*time.Second)
		if len(got) != 1 {
			t.Fatalf("the replay delivered %d events; want 1", len(got))
		}
		var env map[string]any
		json.Unmarshal([]byte(got[0]), &env)
		if env["replay-name"] != "again" || env["detail"].(map[string]any)["order"] != "o-1" {
			t.Errorf("replayed event = %s", got[0])
		}
		d, err := c.eb.DescribeReplay(bg, &eventbridge.DescribeReplayInput{ReplayName: aws.String("again")})
		if err != nil || d.State != ebtypes.ReplayStateCompleted || *d.ReplayArn != *r.ReplayArn {
			t.Errorf("DescribeReplay = %+v, %v", d, err)
		}
		time.Sleep(200 * time.Millisecond)
		if d, _ := c.eb.DescribeArchive(bg, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("orders")}); d.EventCount != 1 {
			t.Errorf("after the replay the archive holds %d events; want 1 (replays are not archived)", d.EventCount)
		}
		if _, err := c.eb.DeleteArchive(bg, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("orders")}); err != nil {
			t.Fatal(err)
		}
		if l, err := c.eb.ListArchives(bg, &eventbridge.ListArchivesInput{}); err != nil || len(l.Archives) != 0 {
			t.Errorf("ListArchives after delete = %+v, %v", l, err)
		}
	})
}
