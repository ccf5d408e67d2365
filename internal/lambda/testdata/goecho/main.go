// Command goecho is a test function built with aws-lambda-go: it echoes its event, or sleeps,
// fails, crashes or allocates as the event asks.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Echo    string `json:"echo"`
	SleepMS int    `json:"sleep_ms"`
	Fail    string `json:"fail"`
	Crash   bool   `json:"crash"`
	AllocMB int    `json:"alloc_mb"`
	Stream  int    `json:"stream"`  // answer with this many pieces, streamed
	RawPath string `json:"rawPath"` // a function URL's: "/stream" streams a response with a prelude
	FailAt  int    `json:"fail_at"` // with stream: fail after this many pieces
}

type answer struct {
	Echo      string `json:"echo"`
	RequestID string `json:"request_id"`
	ARN       string `json:"arn"`
	Env       string `json:"env"`
}

var hold [][]byte

func handle(ctx context.Context, e event) (any, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Println("handling", e.Echo)
	switch {
	case e.Stream > 0:
		return pieces(e.Stream, e.FailAt), nil
	case e.RawPath == "/stream":
		return &events.LambdaFunctionURLStreamingResponse{StatusCode: 202, Headers: map[string]string{"Content-Type": "text/plain", "X-Streamed": "yes"},
			Cookies: []string{"c=1"}, Body: pieces(3, 0)}, nil
	case e.Crash:
		os.Exit(2)
	case e.Fail != "":
		return answer{}, errors.New(e.Fail)
	case e.SleepMS > 0:
		time.Sleep(time.Duration(e.SleepMS) * time.Millisecond)
	case e.AllocMB > 0:
		for i := 0; i < e.AllocMB; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = 1
			}
			hold = append(hold, b)
		}
	}
	return answer{Echo: e.Echo, RequestID: lc.AwsRequestID, ARN: lc.InvokedFunctionArn, Env: os.Getenv("AWS_LAMBDA_FUNCTION_NAME")}, nil
}

// pieces writes n lines, each in its own write a little after the last, and fails after failAt
// of them when failAt > 0.
func pieces(n, failAt int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for i := 1; i <= n; i++ {
			if failAt > 0 && i > failAt {
				pw.CloseWithError(errors.New("stream broke"))
				return
			}
			fmt.Fprintf(pw, "piece %d\n", i)
			time.Sleep(50 * time.Millisecond)
		}
		pw.Close()
	}()
	return pr
}

func main() { lambda.Start(handle) }
