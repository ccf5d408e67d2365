package cloudformation

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/store"
)

// Custom resources (AWS::CloudFormation::CustomResource and Custom::*): each Create, Update and
// Delete is a request event sent to the ServiceToken (a Lambda function, invoked synchronously,
// or an SNS topic, published to) whose answer comes back as a PUT of a JSON document to the
// event's ResponseURL. gureum serves that URL itself (/_gureum/cloudformation/response/...): the
// request id in it is unguessable and expected only while the stack waits for it, and the
// answer is kept in the stack's document, so whichever node runs the operation reads it.

const customType = "AWS::CloudFormation::CustomResource"

// responsePrefix is where custom resources answer.
const responsePrefix = "/_gureum/cloudformation/response/"

// sandboxEndpoint is gureum's address as a function sees it from inside its sandbox (Lambda's
// AWS_ENDPOINT_URL: port 9000 of the sandbox's loopback); a Lambda-backed custom resource's
// ResponseURL names it so that cfn-response reaches gureum from any isolation level.
const sandboxEndpoint = "http://127.0.0.1:9000"

// maxCustomResponse is AWS's quota on a custom resource's response (4,096 bytes).
const maxCustomResponse = 4096

// customRequest is a request sent to a custom resource, awaiting its answer.
type customRequest struct {
	Logical  string
	Response json.RawMessage `json:",omitempty"`
}

func init() {
	providers[customType] = &provider{
		anyProps: true,
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			return customRequestRun(ctx, x, r, "Create", nil, props)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			if str(old, "ServiceToken") != str(props, "ServiceToken") {
				return fmt.Errorf("Modifying service token is not allowed.")
			}
			return customRequestRun(ctx, x, r, "Update", old, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			return customRequestRun(ctx, x, r, "Delete", nil, r.Props)
		},
	}
}

// customResponse is what a custom resource answers.
type customResponse struct {
	Status             string
	Reason             string
	PhysicalResourceID string `json:"PhysicalResourceId"`
	RequestID          string `json:"RequestId"`
	Data               map[string]any
	NoEcho             bool
}

// customRequestRun sends one request to a custom resource and waits for its answer (up to its
// ServiceTimeout, 3,600 seconds by default); a FAILED answer fails the resource.
func customRequestRun(ctx context.Context, x *exec, r *resourceState, kind string, old, props map[string]any) error {
	token := str(props, "ServiceToken")
	if token == "" {
		return fmt.Errorf("Property ServiceToken cannot be empty.")
	}
	timeout := time.Hour
	if n, ok, err := num(props, "ServiceTimeout"); err != nil {
		return err
	} else if ok {
		if n < 1 || n > 3600 {
			return fmt.Errorf("Property ServiceTimeout must be between 1 and 3600 seconds")
		}
		timeout = time.Duration(n) * time.Second
	}
	id := newUUID()
	if _, err := x.s.mutate(ctx, x.stack.ID, false, func(c *change) error {
		if c.d.Custom == nil {
			c.d.Custom = map[string]*customRequest{}
		}
		c.d.Custom[id] = &customRequest{Logical: x.logical}
		return nil
	}); err != nil {
		return err
	}
	defer x.s.mutate(context.WithoutCancel(ctx), x.stack.ID, false, func(c *change) error {
		delete(c.d.Custom, id)
		return nil
	})
	typ := r.Type
	event := map[string]any{"RequestType": kind, "ServiceToken": token, "StackId": x.stack.ID, "RequestId": id,
		"LogicalResourceId": x.logical, "ResourceType": typ, "ResourceProperties": props}
	if kind != "Create" {
		event["PhysicalResourceId"] = r.PhysicalID
	}
	if old != nil {
		event["OldResourceProperties"] = old
	}
	path := responsePrefix + base64.RawURLEncoding.EncodeToString([]byte(x.stack.ID)) + "/" + id
	switch {
	case strings.HasPrefix(token, "arn:aws:lambda:"):
		event["ResponseURL"] = sandboxEndpoint + path
		payload, _ := json.Marshal(event)
		out, err := x.s.calls.call(ctx, x.stack.Caller, "lambda", "Invoke", &lambda.InvokeInput{FunctionName: token,
			InvocationType: "RequestResponse", Payload: payload})
		if err != nil {
			return fmt.Errorf("Invoking the custom resource's function %s failed: %s", token, describeError(err))
		}
		if o := out.(*lambda.InvokeOutput); o.FunctionError != "" {
			if !answered(ctx, x, id) {
				return fmt.Errorf("The custom resource's function %s failed (%s) without responding: %s", token, o.FunctionError, truncate(string(o.Payload), 400))
			}
		}
	case strings.HasPrefix(token, "arn:aws:sns:"):
		event["ResponseURL"] = "http://" + x.stack.Caller.Host + path
		msg, _ := json.Marshal(event)
		if _, err := x.call(ctx, "sns", "Publish", map[string]any{"TopicArn": token, "Message": string(msg)}); err != nil {
			return fmt.Errorf("Publishing to the custom resource's topic %s failed: %s", token, describeError(err))
		}
	default:
		return fmt.Errorf("Invalid service token: %s (a Lambda function ARN or an SNS topic ARN)", token)
	}
	resp, err := awaitResponse(ctx, x, id, timeout)
	if err != nil {
		return err
	}
	if resp.Status != "SUCCESS" {
		return fmt.Errorf("Received response status [%s] from custom resource. Message returned: %s (RequestId: %s)", resp.Status, resp.Reason, id)
	}
	if kind == "Delete" {
		return nil
	}
	switch {
	case resp.PhysicalResourceID != "":
		r.PhysicalID = resp.PhysicalResourceID
	case r.PhysicalID == "":
		return fmt.Errorf("Invalid PhysicalResourceId: the custom resource's response names none")
	}
	r.Attrs = map[string]any{}
	for k, v := range resp.Data {
		r.Attrs[k] = v
	}
	return nil
}

// answered reports whether a request has its answer.
func answered(ctx context.Context, x *exec, id string) bool {
	d, err := x.s.doc(ctx, x.stack.ID)
	return err == nil && d.Custom[id] != nil && d.Custom[id].Response != nil
}

// awaitResponse waits for the answer to request id, reading the stack's document.
func awaitResponse(ctx context.Context, x *exec, id string, timeout time.Duration) (*customResponse, error) {
	deadline := x.s.clock.Now().Add(timeout)
	for {
		d, err := x.s.doc(ctx, x.stack.ID)
		if err != nil {
			return nil, err
		}
		if req := d.Custom[id]; req != nil && req.Response != nil {
			var resp customResponse
			if err := json.Unmarshal(req.Response, &resp); err != nil {
				return nil, fmt.Errorf("The custom resource's response is not valid JSON: %v", err)
			}
			return &resp, nil
		}
		if !x.s.clock.Now().Before(deadline) {
			return nil, fmt.Errorf("CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [%s]. If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.", id)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-x.s.clock.After(100 * time.Millisecond):
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// doc reads a stack's document by id.
func (s *Service) doc(ctx context.Context, id string) (*stackDoc, error) {
	x, err := s.store.Stack(ctx, id)
	if err != nil {
		return nil, err
	}
	return decodeDoc(x.Doc)
}

// serveResponse takes a custom resource's answer: PUT .../<stack id, base64url>/<request id>.
func (s *Service) serveResponse(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		http.Error(w, "a custom resource answers with PUT", http.StatusMethodNotAllowed)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, responsePrefix)
	enc, id, ok := strings.Cut(rest, "/")
	stackID, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || id == "" {
		http.Error(w, "no such custom resource request", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCustomResponse+1))
	if err != nil {
		http.Error(w, "could not read the response", http.StatusBadRequest)
		return
	}
	if len(body) > maxCustomResponse {
		http.Error(w, fmt.Sprintf("a custom resource's response is limited to %d bytes", maxCustomResponse), http.StatusRequestEntityTooLarge)
		return
	}
	if !json.Valid(body) {
		body, _ = json.Marshal(map[string]string{"Status": "FAILED", "Reason": "The custom resource's response is not valid JSON."})
	}
	_, err = s.mutate(r.Context(), string(stackID), false, func(c *change) error {
		req := c.d.Custom[id]
		if req == nil || req.Response != nil {
			return errNoRequest
		}
		req.Response = body
		return nil
	})
	switch {
	case errors.Is(err, errNoRequest) || errors.Is(err, store.ErrNotFound):
		http.Error(w, "no such custom resource request, or it was answered already", http.StatusForbidden)
	case err != nil:
		http.Error(w, "could not record the response", http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

var errNoRequest = errors.New("no such request")
