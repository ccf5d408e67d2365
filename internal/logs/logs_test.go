package logs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, c *cwl.Client)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, cwl.NewFromConfig(srv.Config()))
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

func wantCode(t *testing.T, what string, err error, want string) {
	t.Helper()
	if got := code(err); got != want {
		t.Errorf("%s = %v; want %s", what, err, want)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func now() int64 { return time.Now().UnixMilli() }

func put(t *testing.T, c *cwl.Client, group, stream string, msgs ...string) *cwl.PutLogEventsOutput {
	t.Helper()
	ts := now()
	var evs []types.InputLogEvent
	for i, m := range msgs {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(ts + int64(i)), Message: aws.String(m)})
	}
	return must[*cwl.PutLogEventsOutput](t, "PutLogEvents")(c.PutLogEvents(bg, &cwl.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs}))
}

func setup(t *testing.T, c *cwl.Client, group string, streams ...string) {
	t.Helper()
	must[*cwl.CreateLogGroupOutput](t, "CreateLogGroup")(c.CreateLogGroup(bg, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}))
	for _, s := range streams {
		must[*cwl.CreateLogStreamOutput](t, "CreateLogStream")(c.CreateLogStream(bg, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}))
	}
}

func TestGroups(t *testing.T) {
	each(t, func(t *testing.T, c *cwl.Client) {
		for _, g := range []string{"/aws/lambda/b", "/aws/lambda/a", "App-Logs", "other"} {
			setup(t, c, g)
		}
		_, err := c.CreateLogGroup(bg, &cwl.CreateLogGroupInput{LogGroupName: aws.String("other")})
		wantCode(t, "CreateLogGroup(duplicate)", err, "ResourceAlreadyExistsException")
		_, err = c.CreateLogGroup(bg, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
		wantCode(t, "CreateLogGroup(bad name)", err, "InvalidParameterException")

		out := must[*cwl.DescribeLogGroupsOutput](t, "DescribeLogGroups")(c.DescribeLogGroups(bg, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")}))
		if len(out.LogGroups) != 2 || *out.LogGroups[0].LogGroupName != "/aws/lambda/a" ||
			*out.LogGroups[0].Arn != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*" ||
			*out.LogGroups[0].LogGroupArn != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a" || out.LogGroups[0].CreationTime == nil {
			t.Errorf("DescribeLogGroups(prefix) = %+v", out.LogGroups)
		}
		out = must[*cwl.DescribeLogGroupsOutput](t, "DescribeLogGroups")(c.DescribeLogGroups(bg, &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("logs")}))
		if len(out.LogGroups) != 1 || *out.LogGroups[0].LogGroupName != "App-Logs" {
			t.Errorf("DescribeLogGroups(pattern) = %+v", out.LogGroups)
		}
		_, err = c.DescribeLogGroups(bg, &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("a"), LogGroupNamePrefix: aws.String("a")})
		wantCode(t, "DescribeLogGroups(prefix and pattern)", err, "InvalidParameterException")
		var names []string
		p := cwl.NewDescribeLogGroupsPaginator(c, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(3)})
		for p.HasMorePages() {
			page := must[*cwl.DescribeLogGroupsOutput](t, "page")(p.NextPage(bg))
			for _, g := range page.LogGroups {
				names = append(names, *g.LogGroupName)
			}
		}
		if strings.Join(names, " ") != "/aws/lambda/a /aws/lambda/b App-Logs other" {
			t.Errorf("paginated DescribeLogGroups = %v", names)
		}
		_, err = c.DescribeLogGroups(bg, &cwl.DescribeLogGroupsInput{NextToken: aws.String("!!")})
		wantCode(t, "DescribeLogGroups(bad token)", err, "InvalidParameterException")

		// logGroupIdentifier(s): a name or an ARN of the caller's group; another account's ARN is
		// that account's resource, refused by the authorizer.
		mine, theirs := "arn:aws:logs:us-east-1:000000000000:log-group:App-Logs", "arn:aws:logs:us-east-1:111111111111:log-group:App-Logs"
		out = must[*cwl.DescribeLogGroupsOutput](t, "DescribeLogGroups(identifiers)")(c.DescribeLogGroups(bg, &cwl.DescribeLogGroupsInput{
			LogGroupIdentifiers: []string{"other", mine + ":*", "missing"}}))
		if len(out.LogGroups) != 2 || *out.LogGroups[0].LogGroupName != "other" || *out.LogGroups[1].LogGroupName != "App-Logs" {
			t.Errorf("DescribeLogGroups(identifiers) = %+v", out.LogGroups)
		}
		_, err = c.DescribeLogGroups(bg, &cwl.DescribeLogGroupsInput{LogGroupIdentifiers: []string{theirs}})
		wantCode(t, "DescribeLogGroups(another account's group)", err, "AccessDeniedException")
		must[*cwl.CreateLogStreamOutput](t, "CreateLogStream")(c.CreateLogStream(bg, &cwl.CreateLogStreamInput{LogGroupName: aws.String("App-Logs"), LogStreamName: aws.String("s")}))
		put(t, c, "App-Logs", "s", `{"level":"ERROR","message":"boom"}`, `{"level":"INFO","message":"ok"}`)
		f := must[*cwl.FilterLogEventsOutput](t, "FilterLogEvents(identifier)")(c.FilterLogEvents(bg, &cwl.FilterLogEventsInput{
			LogGroupIdentifier: aws.String(mine), FilterPattern: aws.String(`{ $.level = "ERROR" }`)}))
		if len(f.Events) != 1 || !strings.Contains(*f.Events[0].Message, "boom") {
			t.Errorf("FilterLogEvents(identifier, JSON pattern) = %+v", f.Events)
		}
		_, err = c.FilterLogEvents(bg, &cwl.FilterLogEventsInput{LogGroupIdentifier: aws.String(theirs)})
		wantCode(t, "FilterLogEvents(another account's group)", err, "AccessDeniedException")
		_, err = c.GetLogEvents(bg, &cwl.GetLogEventsInput{LogGroupIdentifier: aws.String(theirs), LogStreamName: aws.String("s")})
		wantCode(t, "GetLogEvents(another account's group)", err, "AccessDeniedException")
		_, err = c.DescribeLogStreams(bg, &cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String(mine), LogGroupName: aws.String("App-Logs")})
		wantCode(t, "DescribeLogStreams(name and identifier)", err, "InvalidParameterException")
		_, err = c.DeleteLogGroup(bg, &cwl.DeleteLogGroupInput{LogGroupName: aws.String(theirs)})
		wantCode(t, "DeleteLogGroup(an ARN as the name)", err, "InvalidParameterException")

		must[*cwl.DeleteLogGroupOutput](t, "DeleteLogGroup")(c.DeleteLogGroup(bg, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("other")}))
		_, err = c.DeleteLogGroup(bg, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("other")})
		wantCode(t, "DeleteLogGroup(again)", err, "ResourceNotFoundException")
	})
}

func TestRetentionPolicy(t *testing.T) {
	each(t, func(t *testing.T, c *cwl.Client) {
		setup(t, c, "g")
		must[*cwl.PutRetentionPolicyOutput](t, "PutRetentionPolicy")(c.PutRetentionPolicy(bg, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(14)}))
		out := must[*cwl.DescribeLogGroupsOutput](t, "DescribeLogGroups")(c.DescribeLogGroups(bg, &cwl.DescribeLogGroupsInput{}))
		if out.LogGroups[0].RetentionInDays == nil || *out.LogGroups[0].RetentionInDays != 14 {
			t.Errorf("retention = %v; want 14", out.LogGroups[0].RetentionInDays)
		}
		_, err := c.PutRetentionPolicy(bg, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(2)})
		wantCode(t, "PutRetentionPolicy(2 days)", err, "InvalidParameterException")
		_, err = c.PutRetentionPolicy(bg, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("nope"), RetentionInDays: aws.Int32(1)})
		wantCode(t, "PutRetentionPolicy(missing group)", err, "ResourceNotFoundException")
		must[*cwl.DeleteRetentionPolicyOutput](t, "DeleteRetentionPolicy")(c.DeleteRetentionPolicy(bg, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("g")}))
		out = must[*cwl.DescribeLogGroupsOutput](t, "DescribeLogGroups")(c.DescribeLogGroups(bg, &cwl.DescribeLogGroupsInput{}))
		if out.LogGroups[0].RetentionInDays != nil {
			t.Errorf("retention after delete = %v; want none", *out.LogGroups[0].RetentionInDays)
		}
		_, err = c.DeleteRetentionPolicy(bg, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("nope")})
		wantCode(t, "DeleteRetentionPolicy(missing group)", err, "ResourceNotFoundException")
	})
}

func TestStreams(t *testing.T) {
	each(t, func(t *testing.T, c *cwl.Client) {
		setup(t, c, "g", "b", "a", "c")
		_, err := c.CreateLogStream(bg, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")})
		wantCode(t, "CreateLogStream(duplicate)", err, "ResourceAlreadyExistsException")
		_, err = c.CreateLogStream(bg, &cwl.CreateLogStreamInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("a")})
		wantCode(t, "CreateLogStream(missing group)", err, "ResourceNotFoundException")
		_, err = c.CreateLogStream(bg, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a:b")})
		wantCode(t, "CreateLogStream(colon)", err, "InvalidParameterException")
		put(t, c, "g", "c", "first")
		time.Sleep(5 * time.Millisecond)
		put(t, c, "g", "a", "second")
		names := func(in *cwl.DescribeLogStreamsInput) string {
			in.LogGroupName = aws.String("g")
			var out []string
			p := cwl.NewDescribeLogStreamsPaginator(c, in)
			for p.HasMorePages() {
				page := must[*cwl.DescribeLogStreamsOutput](t, "DescribeLogStreams")(p.NextPage(bg))
				for _, s := range page.LogStreams {
					out = append(out, *s.LogStreamName)
				}
			}
			return strings.Join(out, " ")
		}
		for _, tc := range []struct {
			in   *cwl.DescribeLogStreamsInput
			want string
		}{
			{&cwl.DescribeLogStreamsInput{}, "a b c"},
			{&cwl.DescribeLogStreamsInput{Limit: aws.Int32(1)}, "a b c"},
			{&cwl.DescribeLogStreamsInput{Limit: aws.Int32(2), Descending: aws.Bool(true)}, "c b a"},
			{&cwl.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("b")}, "b"},
			{&cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Limit: aws.Int32(1)}, "b c a"},
			{&cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(2)}, "a c b"},
		} {
			if got := names(tc.in); got != tc.want {
				t.Errorf("DescribeLogStreams(%+v) = %q; want %q", tc.in, got, tc.want)
			}
		}
		out := must[*cwl.DescribeLogStreamsOutput](t, "DescribeLogStreams")(c.DescribeLogStreams(bg, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("a")}))
		s := out.LogStreams[0]
		if s.FirstEventTimestamp == nil || s.LastEventTimestamp == nil || s.LastIngestionTime == nil ||
			*s.Arn != "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:a" {
			t.Errorf("DescribeLogStreams = %+v", s)
		}
		_, err = c.DescribeLogStreams(bg, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
		wantCode(t, "DescribeLogStreams(LastEventTime with prefix)", err, "InvalidParameterException")
		_, err = c.DescribeLogStreams(bg, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("nope")})
		wantCode(t, "DescribeLogStreams(missing group)", err, "ResourceNotFoundException")
		must[*cwl.DeleteLogStreamOutput](t, "DeleteLogStream")(c.DeleteLogStream(bg, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")}))
		_, err = c.DeleteLogStream(bg, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")})
		wantCode(t, "DeleteLogStream(again)", err, "ResourceNotFoundException")
		if got := names(&cwl.DescribeLogStreamsInput{}); got != "b c" {
			t.Errorf("streams after delete = %q", got)
		}
	})
}

func TestPutLogEvents(t *testing.T) {
	each(t, func(t *testing.T, c *cwl.Client) {
		setup(t, c, "g", "s")
		out := put(t, c, "g", "s", "one", "two")
		if out.NextSequenceToken == nil || out.RejectedLogEventsInfo != nil {
			t.Errorf("PutLogEvents = %+v", out)
		}
		call := func(stream string, evs ...types.InputLogEvent) (*cwl.PutLogEventsOutput, error) {
			return c.PutLogEvents(bg, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(stream), LogEvents: evs,
				SequenceToken: aws.String("ignored")})
		}
		ev := func(ts int64, m string) types.InputLogEvent {
			return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(m)}
		}
		n := now()
		_, err := call("missing", ev(n, "x"))
		wantCode(t, "PutLogEvents(missing stream)", err, "ResourceNotFoundException")
		_, err = call("s", ev(n, "b"), ev(n-1, "a"))
		wantCode(t, "PutLogEvents(out of order)", err, "InvalidParameterException")
		_, err = call("s", ev(n-25*3600*1000, "a"), ev(n, "b"))
		wantCode(t, "PutLogEvents(over 24 h)", err, "InvalidParameterException")
		big := strings.Repeat("x", 600_000)
		_, err = call("s", ev(n, big), ev(n, big))
		wantCode(t, "PutLogEvents(over 1 MB)", err, "InvalidParameterException")
		many := make([]types.InputLogEvent, 10_001)
		for i := range many {
			many[i] = ev(n, "m")
		}
		_, err = call("s", many...)
		wantCode(t, "PutLogEvents(10,001 events)", err, "InvalidParameterException")
		full := must[*cwl.PutLogEventsOutput](t, "PutLogEvents(10,000)")(call("s", many[:10_000]...))
		if full.RejectedLogEventsInfo != nil {
			t.Errorf("PutLogEvents(10,000) rejected %+v", full.RejectedLogEventsInfo)
		}

		day := int64(24 * 3600 * 1000)
		must[*cwl.PutRetentionPolicyOutput](t, "PutRetentionPolicy")(c.PutRetentionPolicy(bg, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}))
		hour := day / 24
		rej := must[*cwl.PutLogEventsOutput](t, "PutLogEvents(too old)")(call("s", ev(n-14*day-hour, "old"), ev(n-14*day-hour/2, "old"),
			ev(n-13*day-2*hour, "expired")))
		r := rej.RejectedLogEventsInfo
		if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 2 || aws.ToInt32(r.ExpiredLogEventEndIndex) != 3 || r.TooNewLogEventStartIndex != nil {
			t.Errorf("RejectedLogEventsInfo = %+v", r)
		}
		rej = must[*cwl.PutLogEventsOutput](t, "PutLogEvents(too new)")(call("s", ev(n, "ok"), ev(n+3*hour, "new")))
		if r := rej.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooNewLogEventStartIndex) != 1 || r.TooOldLogEventEndIndex != nil {
			t.Errorf("RejectedLogEventsInfo = %+v", r)
		}
		got := must[*cwl.GetLogEventsOutput](t, "GetLogEvents")(c.GetLogEvents(bg, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"),
			LogStreamName: aws.String("s"), StartTime: aws.Int64(n - 16*day), Limit: aws.Int32(2), StartFromHead: aws.Bool(false)}))
		if len(got.Events) != 2 || *got.Events[1].Message != "ok" || *got.Events[0].Message != "m" {
			t.Errorf("after the rejects the stream ends %+v", got.Events)
		}
	})
}

func messages(evs []types.OutputLogEvent) string {
	var out []string
	for _, e := range evs {
		out = append(out, *e.Message)
	}
	return strings.Join(out, " ")
}

func TestGetLogEvents(t *testing.T) {
	each(t, func(t *testing.T, c *cwl.Client) {
		setup(t, c, "g", "s", "empty")
		var msgs []string
		for i := range 25 {
			msgs = append(msgs, fmt.Sprint("m", i))
		}
		put(t, c, "g", "s", msgs...)
		get := func(in *cwl.GetLogEventsInput) *cwl.GetLogEventsOutput {
			in.LogGroupName, in.LogStreamName = aws.String("g"), aws.String("s")
			return must[*cwl.GetLogEventsOutput](t, "GetLogEvents")(c.GetLogEvents(bg, in))
		}
		head := get(&cwl.GetLogEventsInput{StartFromHead: aws.Bool(true), Limit: aws.Int32(10)})
		if messages(head.Events) != strings.Join(msgs[:10], " ") {
			t.Errorf("head = %s", messages(head.Events))
		}
		next := get(&cwl.GetLogEventsInput{NextToken: head.NextForwardToken, Limit: aws.Int32(10)})
		if messages(next.Events) != strings.Join(msgs[10:20], " ") {
			t.Errorf("forward = %s", messages(next.Events))
		}
		back := get(&cwl.GetLogEventsInput{NextToken: next.NextBackwardToken, Limit: aws.Int32(5)})
		if messages(back.Events) != strings.Join(msgs[5:10], " ") {
			t.Errorf("backward = %s", messages(back.Events))
		}
		tail := get(&cwl.GetLogEventsInput{Limit: aws.Int32(3)})
		if messages(tail.Events) != "m22 m23 m24" {
			t.Errorf("tail = %s", messages(tail.Events))
		}
		end := get(&cwl.GetLogEventsInput{NextToken: tail.NextForwardToken})
		if len(end.Events) != 0 || *end.NextForwardToken != *tail.NextForwardToken {
			t.Errorf("at the end = %d events, token %s; want none and the same token", len(end.Events), *end.NextForwardToken)
		}
		time.Sleep(30 * time.Millisecond) // past the last event's time
		put(t, c, "g", "s", "late")
		if more := get(&cwl.GetLogEventsInput{NextToken: end.NextForwardToken}); messages(more.Events) != "late" {
			t.Errorf("following = %s", messages(more.Events))
		}
		all := must[*cwl.GetLogEventsOutput](t, "GetLogEvents")(c.GetLogEvents(bg, &cwl.GetLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)}))
		if len(all.Events) != 26 || all.Events[0].IngestionTime == nil {
			t.Errorf("by identifier: %d events", len(all.Events))
		}
		empty := must[*cwl.GetLogEventsOutput](t, "GetLogEvents")(c.GetLogEvents(bg, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("empty")}))
		if len(empty.Events) != 0 || empty.NextForwardToken == nil {
			t.Errorf("empty stream = %+v", empty)
		}
		_, err := c.GetLogEvents(bg, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")})
		wantCode(t, "GetLogEvents(missing stream)", err, "ResourceNotFoundException")
		_, err = c.GetLogEvents(bg, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("x/1")})
		wantCode(t, "GetLogEvents(bad token)", err, "InvalidParameterException")
	})
}

func TestFilterLogEvents(t *testing.T) {
	each(t, func(t *testing.T, c *cwl.Client) {
		setup(t, c, "g", "app-1", "app-2", "web")
		put(t, c, "g", "app-1", "ERROR disk full", `{"level":"info","latency":20}`)
		time.Sleep(5 * time.Millisecond) // each put after the last one's times
		put(t, c, "g", "app-2", "WARN slow", `{"level":"error","latency":90}`)
		time.Sleep(5 * time.Millisecond)
		put(t, c, "g", "web", `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 404 12`)
		filter := func(in *cwl.FilterLogEventsInput) string {
			in.LogGroupName = aws.String("g")
			var out []string
			p := cwl.NewFilterLogEventsPaginator(c, in)
			for p.HasMorePages() {
				page := must[*cwl.FilterLogEventsOutput](t, "FilterLogEvents")(p.NextPage(bg))
				for _, e := range page.Events {
					out = append(out, *e.LogStreamName+":"+strings.Fields(*e.Message)[0])
				}
			}
			return strings.Join(out, " ")
		}
		for _, tc := range []struct {
			in   *cwl.FilterLogEventsInput
			want string
		}{
			{&cwl.FilterLogEventsInput{FilterPattern: aws.String("?ERROR ?WARN")}, "app-1:ERROR app-2:WARN"},
			{&cwl.FilterLogEventsInput{FilterPattern: aws.String(`{ $.latency > 50 }`)}, `app-2:{"level":"error","latency":90}`},
			{&cwl.FilterLogEventsInput{FilterPattern: aws.String(`[ip, ..., status = 404, bytes]`)}, "web:127.0.0.1"},
			{&cwl.FilterLogEventsInput{LogStreamNamePrefix: aws.String("app"), Limit: aws.Int32(1)}, `app-1:ERROR app-1:{"level":"info","latency":20} app-2:WARN app-2:{"level":"error","latency":90}`},
			{&cwl.FilterLogEventsInput{LogStreamNames: []string{"web", "app-2"}, FilterPattern: aws.String("-WARN")}, `app-2:{"level":"error","latency":90} web:127.0.0.1`},
			{&cwl.FilterLogEventsInput{StartTime: aws.Int64(now() + 3600_000)}, ""},
			{&cwl.FilterLogEventsInput{EndTime: aws.Int64(1)}, ""},
		} {
			if got := filter(tc.in); got != tc.want {
				t.Errorf("FilterLogEvents(%+v) = %q; want %q", tc.in, got, tc.want)
			}
		}
		tm := must[*cwl.TestMetricFilterOutput](t, "TestMetricFilter")(c.TestMetricFilter(bg, &cwl.TestMetricFilterInput{
			FilterPattern: aws.String(`{ $.latency > 50 }`), LogEventMessages: []string{`{"latency":20}`, `{"latency":90}`, "text"}}))
		if len(tm.Matches) != 1 || tm.Matches[0].EventNumber != 2 || *tm.Matches[0].EventMessage != `{"latency":90}` {
			t.Errorf("TestMetricFilter = %+v", tm.Matches)
		}
		tm = must[*cwl.TestMetricFilterOutput](t, "TestMetricFilter")(c.TestMetricFilter(bg, &cwl.TestMetricFilterInput{
			FilterPattern: aws.String(`[ip, ..., status = 4*, bytes]`), LogEventMessages: []string{`1.2.3.4 - "GET /" 404 12`}}))
		if len(tm.Matches) != 1 || tm.Matches[0].ExtractedValues["$status"] != "404" || tm.Matches[0].ExtractedValues["$ip"] != "1.2.3.4" {
			t.Errorf("TestMetricFilter(space-delimited) = %+v", tm.Matches)
		}
		_, err := c.TestMetricFilter(bg, &cwl.TestMetricFilterInput{FilterPattern: aws.String(`[a,`), LogEventMessages: []string{"x"}})
		wantCode(t, "TestMetricFilter(bad pattern)", err, "InvalidParameterException")
		_, err = c.FilterLogEvents(bg, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.a = }`)})
		wantCode(t, "FilterLogEvents(bad pattern)", err, "InvalidParameterException")
		_, err = c.FilterLogEvents(bg, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"a"}, LogStreamNamePrefix: aws.String("a")})
		wantCode(t, "FilterLogEvents(names and prefix)", err, "InvalidParameterException")
		_, err = c.FilterLogEvents(bg, &cwl.FilterLogEventsInput{LogGroupName: aws.String("nope")})
		wantCode(t, "FilterLogEvents(missing group)", err, "ResourceNotFoundException")
	})
}

func TestTags(t *testing.T) {
	each(t, func(t *testing.T, c *cwl.Client) {
		must[*cwl.CreateLogGroupOutput](t, "CreateLogGroup")(c.CreateLogGroup(bg, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"team": "a"}}))
		must[*cwl.TagLogGroupOutput](t, "TagLogGroup")(c.TagLogGroup(bg, &cwl.TagLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"env": "prod", "x": "1"}}))
		must[*cwl.UntagLogGroupOutput](t, "UntagLogGroup")(c.UntagLogGroup(bg, &cwl.UntagLogGroupInput{LogGroupName: aws.String("g"), Tags: []string{"x"}}))
		old := must[*cwl.ListTagsLogGroupOutput](t, "ListTagsLogGroup")(c.ListTagsLogGroup(bg, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("g")}))
		if len(old.Tags) != 2 || old.Tags["team"] != "a" || old.Tags["env"] != "prod" {
			t.Errorf("ListTagsLogGroup = %v", old.Tags)
		}
		arn := aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g")
		must[*cwl.TagResourceOutput](t, "TagResource")(c.TagResource(bg, &cwl.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k": "v"}}))
		must[*cwl.UntagResourceOutput](t, "UntagResource")(c.UntagResource(bg, &cwl.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team"}}))
		got := must[*cwl.ListTagsForResourceOutput](t, "ListTagsForResource")(c.ListTagsForResource(bg, &cwl.ListTagsForResourceInput{ResourceArn: arn}))
		if len(got.Tags) != 2 || got.Tags["k"] != "v" || got.Tags["env"] != "prod" {
			t.Errorf("ListTagsForResource = %v", got.Tags)
		}
		_, err := c.ListTagsForResource(bg, &cwl.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:nope")})
		wantCode(t, "ListTagsForResource(missing)", err, "ResourceNotFoundException")
		_, err = c.TagLogGroup(bg, &cwl.TagLogGroupInput{LogGroupName: aws.String("nope"), Tags: map[string]string{"a": "b"}})
		wantCode(t, "TagLogGroup(missing)", err, "ResourceNotFoundException")
		_, err = c.ListTagsLogGroup(bg, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("nope")})
		wantCode(t, "ListTagsLogGroup(missing)", err, "ResourceNotFoundException")
		many := map[string]string{}
		for i := range 50 {
			many[fmt.Sprint("t", i)] = "v"
		}
		_, err = c.TagResource(bg, &cwl.TagResourceInput{ResourceArn: arn, Tags: many})
		wantCode(t, "TagResource(over 50)", err, "TooManyTagsException")
		_, err = c.TagResource(bg, &cwl.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"bad*key": "v"}})
		wantCode(t, "TagResource(bad key)", err, "InvalidParameterException")
	})
}
