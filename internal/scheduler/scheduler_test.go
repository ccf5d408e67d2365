package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sch "github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

func TestSchedulesAndGroups(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			testSchedulesAndGroups(t, sch.NewFromConfig(srv.Config()))
		})
	}
}

func testSchedulesAndGroups(t *testing.T, c *sch.Client) {
	target := &types.Target{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:jobs"), RoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		Input: aws.String(`{"job":"nightly"}`)}
	off := &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff}
	g, err := c.CreateScheduleGroup(bg, &sch.CreateScheduleGroupInput{Name: aws.String("jobs"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil || *g.ScheduleGroupArn != "arn:aws:scheduler:us-east-1:000000000000:schedule-group/jobs" {
		t.Fatalf("CreateScheduleGroup = %+v, %v", g, err)
	}
	if _, err := c.CreateScheduleGroup(bg, &sch.CreateScheduleGroupInput{Name: aws.String("jobs")}); code(err) != "ConflictException" {
		t.Errorf("CreateScheduleGroup twice = %v", err)
	}
	out, err := c.CreateSchedule(bg, &sch.CreateScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("jobs"),
		ScheduleExpression: aws.String("cron(0 2 * * ? *)"), ScheduleExpressionTimezone: aws.String("Asia/Seoul"),
		FlexibleTimeWindow: &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(15)}, Target: target})
	if err != nil || *out.ScheduleArn != "arn:aws:scheduler:us-east-1:000000000000:schedule/jobs/nightly" {
		t.Fatalf("CreateSchedule = %+v, %v", out, err)
	}
	for name, in := range map[string]*sch.CreateScheduleInput{
		"bad expression": {ScheduleExpression: aws.String("rate(1 minutes)"), FlexibleTimeWindow: off, Target: target},
		"bad zone":       {ScheduleExpression: aws.String("rate(1 minute)"), ScheduleExpressionTimezone: aws.String("Mars/Base"), FlexibleTimeWindow: off, Target: target},
		"bad window":     {ScheduleExpression: aws.String("rate(1 minute)"), FlexibleTimeWindow: &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeFlexible}, Target: target},
	} {
		in.Name = aws.String("x")
		if _, err := c.CreateSchedule(bg, in); code(err) != "ValidationException" {
			t.Errorf("CreateSchedule(%s) = %v; want ValidationException", name, err)
		}
	}
	if _, err := c.CreateSchedule(bg, &sch.CreateScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("jobs"), ScheduleExpression: aws.String("rate(1 hour)"),
		FlexibleTimeWindow: off, Target: target}); code(err) != "ConflictException" {
		t.Errorf("CreateSchedule twice = %v", err)
	}
	if _, err := c.CreateSchedule(bg, &sch.CreateScheduleInput{Name: aws.String("y"), GroupName: aws.String("nope"), ScheduleExpression: aws.String("rate(1 hour)"),
		FlexibleTimeWindow: off, Target: target}); code(err) != "ResourceNotFoundException" {
		t.Errorf("CreateSchedule(missing group) = %v", err)
	}
	got, err := c.GetSchedule(bg, &sch.GetScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("jobs")})
	if err != nil || *got.ScheduleExpressionTimezone != "Asia/Seoul" || got.State != types.ScheduleStateEnabled || *got.Target.Input != `{"job":"nightly"}` ||
		got.ActionAfterCompletion != types.ActionAfterCompletionNone || got.CreationDate == nil || *got.FlexibleTimeWindow.MaximumWindowInMinutes != 15 {
		t.Fatalf("GetSchedule = %+v, %v", got, err)
	}
	_, err = c.UpdateSchedule(bg, &sch.UpdateScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("jobs"), ScheduleExpression: aws.String("rate(5 minutes)"),
		FlexibleTimeWindow: off, Target: target, State: types.ScheduleStateDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetSchedule(bg, &sch.GetScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("jobs")}); got.State != types.ScheduleStateDisabled || got.ScheduleExpressionTimezone != nil {
		t.Errorf("after UpdateSchedule = %+v; want every field replaced", got)
	}
	list, err := c.ListSchedules(bg, &sch.ListSchedulesInput{GroupName: aws.String("jobs")})
	if err != nil || len(list.Schedules) != 1 || *list.Schedules[0].Target.Arn != *target.Arn {
		t.Fatalf("ListSchedules = %+v, %v", list, err)
	}
	groups, err := c.ListScheduleGroups(bg, &sch.ListScheduleGroupsInput{})
	if err != nil || len(groups.ScheduleGroups) != 2 {
		t.Fatalf("ListScheduleGroups = %+v, %v", groups, err)
	}
	tags, err := c.ListTagsForResource(bg, &sch.ListTagsForResourceInput{ResourceArn: g.ScheduleGroupArn})
	if err != nil || len(tags.Tags) != 1 {
		t.Errorf("ListTagsForResource = %+v, %v", tags, err)
	}
	if _, err := c.DeleteSchedule(bg, &sch.DeleteScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSchedule(bg, &sch.GetScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("jobs")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("GetSchedule after delete = %v", err)
	}
	if _, err := c.DeleteScheduleGroup(bg, &sch.DeleteScheduleGroupInput{Name: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	_ = time.Second
}
