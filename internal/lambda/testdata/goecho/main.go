// Command goecho is a test function built with aws-lambda-go: it echoes its event, or sleeps,
// fails, crashes or allocates as the event asks.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Echo    string `json:"echo"`
	SleepMS int    `json:"sleep_ms"`
	Fail    string `json:"fail"`
	Crash   bool   `json:"crash"`
	AllocMB int    `json:"alloc_mb"`
}

type answer struct {
	Echo      string `json:"echo"`
	RequestID string `json:"request_id"`
	ARN       string `json:"arn"`
	Env       string `json:"env"`
}

var hold [][]byte

func handle(ctx context.Context, e event) (answer, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Println("handling", e.Echo)
	switch {
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

func main() { lambda.Start(handle) }
