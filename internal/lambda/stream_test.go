package lambda_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// streamEvents invokes with InvokeWithResponseStream and reads the events as aws-sdk-go-v2
// decodes them: the PayloadChunk payloads in order, and the InvokeComplete event.
func streamEvents(t *testing.T, c *lambda.Client, name, payload string) ([]string, *types.InvokeWithResponseStreamCompleteEvent) {
	t.Helper()
	out, err := c.InvokeWithResponseStream(context.Background(), &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String(name), Payload: []byte(payload),
		LogType: types.LogTypeTail})
	if err != nil {
		t.Fatalf("InvokeWithResponseStream(%s) = %v", payload, err)
	}
	stream := out.GetStream()
	defer stream.Close()
	var chunks []string
	var complete *types.InvokeWithResponseStreamCompleteEvent
	for ev := range stream.Events() {
		switch v := ev.(type) {
		case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			chunks = append(chunks, string(v.Value.Payload))
		case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			complete = &v.Value
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("event stream: %v", err)
	}
	if complete == nil {
		t.Fatalf("InvokeWithResponseStream(%s): no InvokeComplete after %q", payload, chunks)
	}
	return chunks, complete
}

// TestInvokeWithResponseStream: a function that streams (aws-lambda-go with an io.Reader answer)
// reaches the client as one PayloadChunk per piece it wrote, then InvokeComplete; a failure
// mid-stream is InvokeComplete's ErrorCode; a function that does not stream is one chunk; a
// throttle is an API error before any event.
func TestInvokeWithResponseStream(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "streamer", "provided.al2023", "bootstrap", zipOf(t, map[string][]byte{"bootstrap*": goBootstrap(t)}))
	chunks, complete := streamEvents(t, f.client, "streamer", `{"stream":3}`)
	if strings.Join(chunks, "|") != "piece 1\n|piece 2\n|piece 3\n" || aws.ToString(complete.ErrorCode) != "" || aws.ToString(complete.LogResult) == "" {
		t.Errorf("streamed = %q, complete %+v", chunks, complete)
	}
	chunks, complete = streamEvents(t, f.client, "streamer", `{"stream":3,"fail_at":1}`)
	if strings.Join(chunks, "|") != "piece 1\n" || aws.ToString(complete.ErrorCode) == "" || !strings.Contains(aws.ToString(complete.ErrorDetails), "stream broke") {
		t.Errorf("failed mid-stream = %q, complete %+v", chunks, complete)
	}
	chunks, complete = streamEvents(t, f.client, "streamer", `{"echo":"whole"}`)
	if len(chunks) != 1 || !strings.Contains(chunks[0], `"echo":"whole"`) || aws.ToString(complete.ErrorCode) != "" {
		t.Errorf("unstreamed = %q, complete %+v", chunks, complete)
	}
	if _, err := f.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("streamer"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("streamer")}); errCode(err) != "TooManyRequestsException" {
		t.Errorf("InvokeWithResponseStream of a disabled function = %v; want TooManyRequestsException", err)
	}
	if _, err := f.client.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("nosuch")}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("InvokeWithResponseStream of a missing function = %v; want ResourceNotFoundException", err)
	}
}

// TestFunctionURLStreaming: a RESPONSE_STREAM URL sends the function's prelude as the status and
// headers and its pieces as a chunked body; a function that does not stream is answered whole.
func TestFunctionURLStreaming(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.create(t, "streamurl", "provided.al2023", "bootstrap", zipOf(t, map[string][]byte{"bootstrap*": goBootstrap(t)}))
	cfg, err := f.client.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("streamurl"),
		AuthType: types.FunctionUrlAuthTypeNone, InvokeMode: types.InvokeModeResponseStream})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []lambda.AddPermissionInput{
		{StatementId: aws.String("url"), Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: types.FunctionUrlAuthTypeNone},
		{StatementId: aws.String("invoke"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true)},
	} {
		p.FunctionName = aws.String("streamurl")
		if _, err := f.client.AddPermission(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	c := urlClient(f.srv)
	resp, err := c.Get(aws.ToString(cfg.FunctionUrl) + "stream")
	if err != nil {
		t.Fatal(err)
	}
	var pieces []string
	buf := make([]byte, 256)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			pieces = append(pieces, string(buf[:n]))
		}
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	if resp.StatusCode != 202 || resp.Header.Get("X-Streamed") != "yes" || resp.Header.Get("Content-Type") != "text/plain" || resp.Header.Get("Set-Cookie") != "c=1" ||
		strings.Join(pieces, "") != "piece 1\npiece 2\npiece 3\n" || len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("streamed URL = %d %v %q (transfer encoding %v)", resp.StatusCode, resp.Header, pieces, resp.TransferEncoding)
	}
	r, _ := http.NewRequest("GET", aws.ToString(cfg.FunctionUrl)+"plain", nil)
	status, _, body := do(t, c, r)
	if status != 200 || !strings.Contains(string(body), `"env":"streamurl"`) {
		t.Errorf("unstreamed answer of a streaming URL = %d %s", status, body)
	}
}

// nodeStreamer streams three pieces through awslambda.streamifyResponse, failing after the
// piece the event names; through a function URL it starts with HttpResponseStream.from.
const nodeStreamer = `
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  if (event.requestContext?.http) {
    responseStream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 202, headers: { 'x-streamed': 'yes', 'content-type': 'text/plain' }, cookies: ['c=1'] });
  } else {
    responseStream.setContentType('text/plain');
  }
  for (let i = 1; i <= 3; i++) {
    responseStream.write('piece ' + i + ' of ' + context.functionName + '\n');
    if (event.fail_at === i) throw new Error('stream broke');
    await pause(50);
  }
  responseStream.end();
});
`

// TestNodeStreamifyResponse: a Node.js function written with awslambda.streamifyResponse streams
// through InvokeWithResponseStream (pieces as they are written, a failure as InvokeComplete's
// error), answers a plain Invoke whole, and through a RESPONSE_STREAM URL sends the metadata of
// awslambda.HttpResponseStream.from as the status, headers and cookies.
func TestNodeStreamifyResponse(t *testing.T) {
	t.Parallel()
	f := start(t)
	ctx := context.Background()
	f.create(t, "nodestream", "nodejs20.x", "index.handler", zipOf(t, map[string][]byte{"index.mjs": []byte(nodeStreamer)}))
	want := "piece 1 of nodestream\npiece 2 of nodestream\npiece 3 of nodestream\n"
	chunks, complete := streamEvents(t, f.client, "nodestream", `{}`)
	if strings.Join(chunks, "") != want || len(chunks) < 2 || aws.ToString(complete.ErrorCode) != "" {
		t.Errorf("streamed = %q, complete %+v", chunks, complete)
	}
	chunks, complete = streamEvents(t, f.client, "nodestream", `{"fail_at":1}`)
	if strings.Join(chunks, "") != "piece 1 of nodestream\n" || aws.ToString(complete.ErrorCode) != "Error" || !strings.Contains(aws.ToString(complete.ErrorDetails), "stream broke") {
		t.Errorf("failed mid-stream = %q, complete %+v", chunks, complete)
	}
	if out := f.invoke(t, "nodestream", `{}`); string(out.Payload) != want || out.FunctionError != nil {
		t.Errorf("Invoke of a streaming function = %q (%v)", out.Payload, aws.ToString(out.FunctionError))
	}

	cfg, err := f.client.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("nodestream"),
		AuthType: types.FunctionUrlAuthTypeNone, InvokeMode: types.InvokeModeResponseStream})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []lambda.AddPermissionInput{
		{StatementId: aws.String("url"), Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: types.FunctionUrlAuthTypeNone},
		{StatementId: aws.String("invoke"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true)},
	} {
		p.FunctionName = aws.String("nodestream")
		if _, err := f.client.AddPermission(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := urlClient(f.srv).Get(aws.ToString(cfg.FunctionUrl) + "s")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 || resp.Header.Get("X-Streamed") != "yes" || resp.Header.Get("Content-Type") != "text/plain" || resp.Header.Get("Set-Cookie") != "c=1" ||
		string(body) != want || len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("streamed URL = %d %v %q (transfer encoding %v)", resp.StatusCode, resp.Header, body, resp.TransferEncoding)
	}
}
