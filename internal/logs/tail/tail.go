// Package tail is `gureum logs`, run as gureum-logs (cmd/gureum-logs): a client of a running
// gureum's CloudWatch Logs API through aws-sdk-go-v2, a binary of its own so that the server does
// not link the SDK's clients. `tail NAME` prints a log group's events since a time, and with
// --follow keeps printing new ones, the way `aws logs tail` (AWS CLI v2) does.
package tail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/spf13/cobra"
)

// Main runs gureum-logs with its arguments (without the program name).
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	root := &cobra.Command{Use: "gureum logs", Short: "Read the logs of a running gureum", SilenceUsage: true}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(tailCmd(getenv, stdout))
	return root.ExecuteContext(ctx)
}

// options are tail's flags.
type options struct {
	endpoint, region, since, pattern, format string
	follow                                   bool
	interval                                 time.Duration
}

func tailCmd(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "tail NAME [--follow] [--since 10m]",
		Short: "Print a log group's events since a time, and with --follow the new ones as they come",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			since, err := parseSince(o.since, time.Now())
			if err != nil {
				return err
			}
			c, err := client(o, getenv)
			if err != nil {
				return err
			}
			t := &tailer{c: c, group: args[0], pattern: o.pattern, out: stdout, short: o.format == "short"}
			return t.run(cmd.Context(), since, o.follow, o.interval)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.endpoint, "endpoint", "", "gureum's URL (default $GUREUM_ENDPOINT, $AWS_ENDPOINT_URL or http://127.0.0.1:4566)")
	fl.StringVar(&o.region, "region", "", "region (default $AWS_REGION or us-east-1)")
	fl.StringVar(&o.since, "since", "10m", "how far back to start: a duration (30s, 10m, 2h, 1d, 1w) or an RFC 3339 time")
	fl.BoolVarP(&o.follow, "follow", "f", false, "keep printing new events until interrupted")
	fl.StringVar(&o.pattern, "filter-pattern", "", "print only the events that match a CloudWatch Logs filter pattern")
	fl.StringVar(&o.format, "format", "detailed", "detailed (time, stream, message) or short (time, message)")
	fl.DurationVar(&o.interval, "interval", time.Second, "how often --follow asks for new events")
	fl.MarkHidden("interval")
	return cmd
}

// client is a CloudWatch Logs client for the endpoint, with the credentials of the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, else gureum's GUREUM_ROOT_*).
func client(o options, getenv func(string) string) (*cwl.Client, error) {
	endpoint := firstOf(o.endpoint, getenv("GUREUM_ENDPOINT"), getenv("AWS_ENDPOINT_URL"), "http://127.0.0.1:4566")
	region := firstOf(o.region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), "us-east-1")
	id := firstOf(getenv("AWS_ACCESS_KEY_ID"), getenv("GUREUM_ROOT_ACCESS_KEY_ID"))
	secret := firstOf(getenv("AWS_SECRET_ACCESS_KEY"), getenv("GUREUM_ROOT_SECRET_ACCESS_KEY"))
	if id == "" || secret == "" {
		return nil, errors.New("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (gureum server prints them at first start)")
	}
	return cwl.NewFromConfig(aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN")),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	}), nil
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseSince reads --since: a duration back from now (with d and w units) or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if len(s) > 1 {
		if u, ok := unit[s[len(s)-1]]; ok {
			if n, err := strconv.Atoi(s[:len(s)-1]); err == nil && n >= 0 {
				return now.Add(-time.Duration(n) * u), nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("--since %q: want a duration such as 10m, 2h or 1d, or an RFC 3339 time", s)
	}
	return now.Add(-d), nil
}

// tailer prints a group's events in time order, each once.
type tailer struct {
	c       *cwl.Client
	group   string
	pattern string
	out     io.Writer
	short   bool
	last    int64               // the newest timestamp printed
	seen    map[string]struct{} // the ids of the events printed at last
}

// run prints the events from since, then with follow polls for new ones every interval until
// ctx ends.
func (t *tailer) run(ctx context.Context, since time.Time, follow bool, interval time.Duration) error {
	t.last, t.seen = since.UnixMilli(), map[string]struct{}{}
	for {
		if err := t.poll(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if !follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// poll prints every event from the last timestamp printed on that was not printed yet.
func (t *tailer) poll(ctx context.Context) error {
	in := &cwl.FilterLogEventsInput{LogGroupIdentifier: aws.String(t.group), StartTime: aws.Int64(t.last)}
	if t.pattern != "" {
		in.FilterPattern = aws.String(t.pattern)
	}
	p := cwl.NewFilterLogEventsPaginator(t.c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, e := range page.Events {
			ts, id := aws.ToInt64(e.Timestamp), aws.ToString(e.EventId)
			if _, dup := t.seen[id]; dup && ts == t.last {
				continue
			}
			if ts > t.last {
				t.last, t.seen = ts, map[string]struct{}{}
			}
			t.seen[id] = struct{}{}
			t.print(ts, aws.ToString(e.LogStreamName), aws.ToString(e.Message))
		}
	}
	return nil
}

func (t *tailer) print(ts int64, stream, message string) {
	when := time.UnixMilli(ts).UTC().Format("2006-01-02T15:04:05.000000-07:00")
	message = strings.TrimRight(message, "\n")
	if t.short {
		fmt.Fprintf(t.out, "%s %s\n", when, message)
		return
	}
	fmt.Fprintf(t.out, "%s %s %s\n", when, stream, message)
}
